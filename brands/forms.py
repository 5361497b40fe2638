"""The dashboard's brand kit form. Its fields are named as the API spells them, so the one
validator (:func:`brands.serializers.kit_fields`) puts its errors on the right field;
this form only parses what the browser sends."""

from __future__ import annotations

from typing import Any

from django import forms

from brands.fonts import caption_fonts
from brands.models import BrandKit, Corner
from brands.serializers import FIELDS


class ColorInput(forms.TextInput):
    input_type = "color"


class RangeInput(forms.NumberInput):
    input_type = "range"


def _range(label: str, low: float, high: float, step: float, help_text: str = "") -> forms.FloatField:
    return forms.FloatField(label=label, help_text=help_text,
                            widget=RangeInput(attrs={"min": low, "max": high, "step": step}))  # fmt: skip


class BrandKitForm(forms.Form):
    name = forms.CharField(label="Name", max_length=60)
    isDefault = forms.BooleanField(
        label="Default kit", required=False, help_text="Used for every new video that chooses no kit."
    )
    font = forms.ChoiceField(label="Font", required=False)
    textColor = forms.CharField(label="Text colour", widget=ColorInput)
    highlightColor = forms.CharField(
        label="Highlight colour", widget=ColorInput, help_text="The word being spoken, in styles that show it."
    )
    outlineColor = forms.CharField(label="Outline colour", widget=ColorInput)
    outlineWidth = _range("Outline width", 0, 2, 0.05, "% of the video's height.")
    shadow = _range("Shadow", 0, 2, 0.05, "Depth, % of the height; 0 for none.")
    size = _range("Text size", 2.5, 9, 0.1, "% of the video's height.")
    position = _range("Position", 20, 70, 1, "Lowest line, % of the height from the bottom.")
    logo = forms.FileField(
        label="Logo image", required=False, help_text="PNG, JPEG or WebP, up to 5 MB and 4096 pixels a side.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )  # fmt: skip
    removeLogo = forms.BooleanField(label="Remove the logo", required=False)
    logoCorner = forms.ChoiceField(label="Logo corner", choices=Corner.choices, widget=forms.RadioSelect)
    logoSize = _range("Logo size", 5, 40, 1, "% of the video's width.")
    logoOpacity = forms.IntegerField(label="Logo opacity", widget=RangeInput(attrs={"min": 10, "max": 100, "step": 5}))

    def __init__(self, *args, kit: BrandKit | None = None, **kwargs):
        """The form starts from ``kit``'s settings, or a new kit's defaults."""
        kit = kit or BrandKit()
        initial = {name: getattr(kit, field) for name, field in FIELDS.items()}
        super().__init__(*args, initial={**initial, **kwargs.pop("initial", {})}, **kwargs)
        fonts = caption_fonts()
        if kit.font and kit.font not in fonts:  # a kit made on a machine with other fonts keeps its own
            fonts = (*fonts, kit.font)
        self.fields["font"].choices = [("", "The caption style's own font"), *((f, f) for f in fonts)]

    def kit_data(self) -> dict[str, Any]:
        """The kit's settings as :func:`brands.serializers.kit_fields` takes them."""
        return {name: self.cleaned_data[name] for name in FIELDS if name in self.cleaned_data}

    def add_kit_errors(self, detail: dict[str, list]) -> None:
        for field, messages in detail.items():
            for message in messages if isinstance(messages, list) else [messages]:
                self.add_error(field if field in self.fields else None, str(message))
