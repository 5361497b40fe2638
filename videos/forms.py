"""Dashboard forms for clip options: submitting a video and a workspace's defaults.

Option fields are named exactly as the API spells them (camelCase), so the errors of
:func:`videos.config.validate_config` land on the right field without a mapping. These
forms only parse what the browser sends; ``validate_config`` stays the one validator.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from pipeline.captions import DEFAULT_TEMPLATE, TEMPLATES
from pipeline.moments.options import GENRES, MODELS
from pipeline.reframe import ASPECT_RATIOS, LAYOUTS

# What each caption template looks like, in words, beside its preview.
CAPTION_LOOKS = {
    "clean": "White, outlined: readable on any footage",
    "hormozi": "Bold upper-case, the spoken word in yellow",
    "karaoke": "Words fill with green as they are spoken",
    "minimal": "Small text on a dark box",
}
ASPECT_LABELS = {
    "9:16": "9:16 vertical", "1:1": "1:1 square", "4:5": "4:5 portrait", "16:9": "16:9 landscape",
}  # fmt: skip
LAYOUT_LABELS = {
    "auto": "Auto: follow whoever speaks", "crop": "Crop on one person", "split": "Split: two people stacked",
    "fit": "Fit the whole frame",
}  # fmt: skip
MODEL_LABELS = {"ClipBasic": "ClipBasic: fast, runs here", "ClipAnything": "ClipAnything: Gemini, finds more"}
# The config keys the forms turn into options; the rest of a form's fields are not options.
OPTION_FIELDS = (
    "clipDurationMin", "clipDurationMax", "numberOfClips", "aspectRatio", "layout", "enableCaptions",
    "captionTemplate", "enableAutoHook", "genre", "language", "clipModel", "brandKit",
)  # fmt: skip


class ClipOptionsForm(forms.Form):
    """The clip options shared by a new video and a workspace's defaults."""

    clipDurationMin = forms.FloatField(label="Shortest clip (s)", required=False, min_value=5, max_value=600)
    clipDurationMax = forms.FloatField(label="Longest clip (s)", required=False, min_value=5, max_value=600)
    numberOfClips = forms.IntegerField(
        label="Number of clips", required=False, min_value=1, max_value=30,
        widget=forms.NumberInput(attrs={"placeholder": "Auto"}),
        help_text="Leave empty and Clipsite picks every moment worth posting.",
    )  # fmt: skip
    aspectRatio = forms.ChoiceField(
        label="Aspect ratio", choices=[(r, ASPECT_LABELS.get(r, r)) for r in ASPECT_RATIOS], initial="9:16",
        widget=forms.RadioSelect,
    )  # fmt: skip
    # Not required: a form posted without it (an older page, a script) keeps auto.
    layout = forms.ChoiceField(
        label="Framing", required=False, choices=[(name, LAYOUT_LABELS[name]) for name in LAYOUTS], initial="auto",
        widget=forms.RadioSelect,
    )  # fmt: skip
    enableCaptions = forms.BooleanField(label="Burn in captions", required=False, initial=True)
    captionTemplate = forms.ChoiceField(
        label="Caption style", choices=[(name, CAPTION_LOOKS.get(name, "")) for name in TEMPLATES],
        initial=DEFAULT_TEMPLATE, widget=forms.RadioSelect,
    )  # fmt: skip
    enableAutoHook = forms.BooleanField(
        label="Hook title card", required=False, initial=True,
        help_text="Shows the clip's hook as a title for its first seconds.",
    )  # fmt: skip
    genre = forms.ChoiceField(label="Genre", choices=[(g, g) for g in GENRES], initial="Auto")
    language = forms.CharField(
        label="Language", required=False, max_length=16, help_text="A code such as en; empty: detect it.",
    )  # fmt: skip
    clipModel = forms.ChoiceField(
        label="Clip model", choices=[(m, MODEL_LABELS.get(m, m)) for m in MODELS], initial="ClipBasic",
        widget=forms.RadioSelect,
    )  # fmt: skip
    # A kit id, "none" or "" (the default kit): the choices are the workspace's, drawn by
    # templates/brands/_picker.html; validate_config checks the kit is the workspace's.
    brandKit = forms.CharField(label="Brand kit", required=False, max_length=32)

    def __init__(self, *args, defaults: dict[str, Any] | None = None, **kwargs):
        """``defaults`` (a stored config, camelCase) prefill the options."""
        initial = {key: value for key, value in (defaults or {}).items() if key in OPTION_FIELDS}
        super().__init__(*args, initial={**initial, **kwargs.pop("initial", {})}, **kwargs)

    def options(self) -> dict[str, Any]:
        """The chosen options as ``validate_config`` takes them; empty fields are left out."""
        data = {}
        for key in OPTION_FIELDS:
            value = self.cleaned_data.get(key)
            if value is not None and value != "":
                data[key] = value
        return data

    def add_config_errors(self, detail: dict[str, list]) -> None:
        """Show ``validate_config``'s field -> messages on the fields they name."""
        for field, messages in detail.items():
            for message in messages if isinstance(messages, list) else [messages]:
                self.add_error(field if field in self.fields else None, str(message))


class VideoLinkField(forms.URLField):
    """A link to fetch a video from: http(s) only, and one message for each way it can be wrong.

    The scheme is checked before the rest, so ``ftp://...`` hears about its scheme alone;
    every other malformed link gets :data:`NOT_A_LINK`.
    """

    NOT_A_LINK = "This is not a link Clipsite can open. Paste the video's full address, such as https://www.youtube.com/watch?v=…"
    NOT_HTTP = "Only http:// and https:// links can be fetched."
    default_validators = []  # validate() runs URLValidator itself, after the scheme check
    default_error_messages = {"invalid": NOT_A_LINK}

    def validate(self, value: str) -> None:
        super().validate(value)
        if not value:
            return
        if urlsplit(value).scheme.lower() not in ("http", "https"):
            raise ValidationError(self.NOT_HTTP, code="scheme")
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ValidationError(self.NOT_A_LINK, code="invalid") from None


class NewVideoForm(ClipOptionsForm):
    """A video to submit: a link or a file, a time range, the options and a Gemini key."""

    url = VideoLinkField(
        label="Video link", required=False, max_length=2000, assume_scheme="https",
        help_text="A YouTube (or other video site) link, or a direct link to a media file.",
    )  # fmt: skip
    file = forms.FileField(label="Video file", required=False)
    start = forms.FloatField(label="Start at (seconds)", required=False, min_value=0)
    end = forms.FloatField(label="End at (seconds)", required=False, min_value=0)
    geminiKey = forms.CharField(
        label="Gemini API key for this video", required=False, max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text="Optional; ClipAnything uses it instead of the workspace's key. Never stored after use.",
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if self.has_error("url") or self.has_error("file"):
            return cleaned  # the field's own message says what is wrong with what was given
        if bool(cleaned.get("url")) == bool(cleaned.get("file")):
            raise forms.ValidationError("Paste a link or choose a file (one of the two).")
        return cleaned

    def options(self) -> dict[str, Any]:
        data = super().options()
        for key in ("start", "end"):
            if self.cleaned_data.get(key) is not None:
                data[key] = self.cleaned_data[key]
        return data


class WorkspaceSettingsForm(ClipOptionsForm):
    """A workspace's name, its default clip options and its stored Gemini key."""

    name = forms.CharField(label="Workspace name", max_length=100)
    geminiKey = forms.CharField(
        label="Gemini API key", required=False, max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text="Encrypted at rest and never shown again. Leave empty to keep the current key.",
    )  # fmt: skip
    removeGeminiKey = forms.BooleanField(label="Remove the stored key", required=False)

    field_order = ["name"]


class ClipEditForm(forms.Form):
    """A clip's new settings for a re-render; ``clips.actions.rerender`` checks them against the video."""

    start = forms.FloatField(label="Start (s)", min_value=0)
    end = forms.FloatField(label="End (s)", min_value=0)
    captionTemplate = ClipOptionsForm.base_fields["captionTemplate"]
    enableCaptions = ClipOptionsForm.base_fields["enableCaptions"]
    aspectRatio = ClipOptionsForm.base_fields["aspectRatio"]
    layout = ClipOptionsForm.base_fields["layout"]
    enableAutoHook = ClipOptionsForm.base_fields["enableAutoHook"]
    hookText = forms.CharField(label="Hook text", required=False, max_length=200)
    brandKit = ClipOptionsForm.base_fields["brandKit"]

    def __init__(self, *args, clip, **kwargs):
        """The form starts from ``clip``'s current settings."""
        initial = {
            "start": clip.start, "end": clip.end, "enableCaptions": clip.captions,
            "captionTemplate": clip.caption_template or DEFAULT_TEMPLATE, "aspectRatio": clip.aspect_ratio,
            "enableAutoHook": clip.auto_hook, "hookText": clip.hook_text, "layout": clip.requested_layout,
            "brandKit": clip.brand_kit,
        }  # fmt: skip
        super().__init__(*args, initial=initial, **kwargs)
