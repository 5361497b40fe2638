"""The options a video is processed with: ScaleReach's ``config`` plus Ssemble's fields.

:class:`VideoConfigSerializer` is the one validator for the API, the dashboard and the
``clip`` command. It accepts camelCase keys, refuses unknown keys and out-of-range values
naming the field, and produces the normalised dict stored on ``Video.config``, from which
:func:`clip_options` and :func:`render_options` build the engine's dataclasses.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from clipsite.api import StrictFieldsMixin, safe_text
from pipeline.captions import DEFAULT_TEMPLATE, TEMPLATES
from pipeline.moments import ClipOptions
from pipeline.moments.options import GENRES, MODELS, PREFERRED_LENGTHS, ClipOptionsError
from pipeline.reframe import ASPECT_RATIOS, LAYOUTS
from pipeline.render import RenderOptions

CLIP_TYPES = ("viral-clips",)
# Ssemble's template names map onto ours, so its users keep their setting.
TEMPLATE_ALIASES = {"hormozi1": "hormozi", "hormozi2": "hormozi", "default": DEFAULT_TEMPLATE}
# ClipOptions' field names as the API spells them, to name the field in errors.
_API_NAMES = {
    "min_length": "clipDurationMin",
    "max_length": "clipDurationMax",
    "clip_count": "numberOfClips",
    "genre": "genre",
    "language": "language",
    "keywords": "topicKeywords",
    "model": "clipModel",
    "preferred_length": "preferredLength",
}


class ChoiceField(serializers.ChoiceField):
    """A choice whose error lists the choices and quotes the value given, escaped and cut
    short (it may be 60 KB, or hold text no encoder accepts)."""

    default_error_messages = {"invalid_choice": "{input} is not a valid choice. Choose one of: {choices}."}

    def fail(self, key, **kwargs):
        if key == "invalid_choice":
            kwargs = {"input": safe_text(repr(kwargs.get("input")), 40), "choices": ", ".join(self.choices)}
        super().fail(key, **kwargs)


class CaseInsensitiveChoiceField(ChoiceField):
    """A choice matched without regard to case, returned in its canonical spelling."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            for choice in self.choices:
                if str(choice).lower() == data.strip().lower():
                    return choice
        self.fail("invalid_choice", input=data)


class VideoConfigSerializer(StrictFieldsMixin, serializers.Serializer):
    clipType = ChoiceField(choices=CLIP_TYPES, default="viral-clips")
    clipDurationMin = serializers.FloatField(min_value=5, max_value=600, required=False)
    clipDurationMax = serializers.FloatField(min_value=5, max_value=600, required=False)
    preferredLength = ChoiceField(choices=tuple(PREFERRED_LENGTHS), required=False)
    numberOfClips = serializers.IntegerField(
        min_value=1, max_value=30, required=False, allow_null=True,
        help_text="The most clips to make (default: one per two minutes of video, 3-15). Fewer are made when the "
                  "rest of the video holds no moment worth posting, never fewer than 3 (or the number asked for, "
                  "if less); the video's warnings say so.",
    )  # fmt: skip
    aspectRatio = ChoiceField(choices=tuple(ASPECT_RATIOS), default="9:16")
    layout = ChoiceField(
        choices=LAYOUTS, default="auto",
        help_text="auto: per shot, a crop on whoever speaks, both people stacked, or the whole frame over a blur "
                  "(fit); crop, split or fit: that layout for every shot.",
    )  # fmt: skip
    enableCaptions = serializers.BooleanField(default=True)
    captionTemplate = serializers.CharField(required=False, max_length=40)
    enableAutoHook = serializers.BooleanField(default=True)
    genre = CaseInsensitiveChoiceField(choices=GENRES, default="Auto")
    clipModel = CaseInsensitiveChoiceField(choices=MODELS, default="ClipBasic")
    language = serializers.CharField(required=False, allow_blank=True, max_length=16)
    topicKeywords = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=10, allow_empty=True
    )
    start = serializers.FloatField(min_value=0, required=False, allow_null=True)
    end = serializers.FloatField(min_value=0, required=False, allow_null=True)
    brandKit = serializers.CharField(
        required=False, allow_blank=True, max_length=32,
        help_text="A brand kit's id (GET /api/brand-kits), or none for no kit; left out: the workspace's default "
                  "kit, if it has one.",
    )  # fmt: skip

    def validate_captionTemplate(self, value: str) -> str:
        name = TEMPLATE_ALIASES.get(value.strip().lower(), value.strip().lower())
        if name not in TEMPLATES:
            raise serializers.ValidationError(
                f"Unknown caption template. Choose one of: {', '.join(TEMPLATES)}."
            )
        return name

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end")
        if start is not None and end is not None and end <= start:
            raise serializers.ValidationError({"end": ["end must be after start."]})
        self._brand_kit(attrs)
        attrs.setdefault("captionTemplate", DEFAULT_TEMPLATE)
        try:
            options = clip_options(attrs)
        except ClipOptionsError as exc:
            raise serializers.ValidationError({_API_NAMES.get(exc.field, exc.field): [exc.message]}) from None
        # Store the lengths the analyser will use, so the record says what was applied.
        attrs["clipDurationMin"], attrs["clipDurationMax"] = options.min_length, options.max_length
        return attrs

    def _brand_kit(self, attrs: dict[str, Any]) -> None:
        """With the workspace known (the ``workspace`` context), refuse a kit of another
        workspace, and record the default kit as the one chosen when none was."""
        from brands import actions as brand_actions

        choice = attrs.pop("brandKit", "").strip()
        workspace = self.context.get("workspace")
        if workspace is not None:
            error = brand_actions.choice_error(workspace.pk, choice)
            if error:
                raise serializers.ValidationError({"brandKit": [error]})
            default = None if choice else brand_actions.default_kit(workspace.pk)
            choice = default.pk if default else choice
        if choice:
            attrs["brandKit"] = choice


def validate_config(data: dict[str, Any] | None, workspace=None) -> dict[str, Any]:
    """Validate ``data`` (camelCase options) and return the normalised config.

    With the ``workspace`` the video is submitted to, ``brandKit`` must name one of its
    kits (or ``none``), and is set to its default kit when left out. Raises
    ``rest_framework.serializers.ValidationError`` whose detail maps the offending field
    to its messages.
    """
    serializer = VideoConfigSerializer(data=data if data is not None else {}, context={"workspace": workspace})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def clip_options(config: dict[str, Any]) -> ClipOptions:
    """The engine's moment-finding options for a validated config."""
    kwargs: dict[str, Any] = {
        "genre": config.get("genre", "Auto"),
        "model": config.get("clipModel", "ClipBasic"),
        "language": config.get("language") or "",
        "keywords": list(config.get("topicKeywords") or []),
        "clip_count": config.get("numberOfClips"),
        "preferred_length": config.get("preferredLength") or "",
    }
    if config.get("clipDurationMin") is not None:
        kwargs["min_length"] = config["clipDurationMin"]
    if config.get("clipDurationMax") is not None:
        kwargs["max_length"] = config["clipDurationMax"]
    return ClipOptions(**kwargs)


def render_options(clip) -> RenderOptions:
    """The engine's render options for one clip (its own settings, set from the config).

    Pins go to the engine as ``{start, end, x}``; the speaker a pin was made from is the
    dashboard's label only.
    """
    return RenderOptions(
        aspect_ratio=clip.aspect_ratio,
        layout=clip.requested_layout,
        pins=[{"start": pin["start"], "end": pin["end"], "x": pin["x"]} for pin in clip.pins],
        captions=clip.captions,
        caption_template=clip.caption_template or DEFAULT_TEMPLATE,
        auto_hook=clip.auto_hook,
        hook_text=clip.hook_text,
        short_side=settings.PIPELINE.render_short_side,
    )
