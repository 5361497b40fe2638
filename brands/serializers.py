"""The API's brand kit objects, and :class:`KitFieldsSerializer`, the one validator of a
kit's settings for the API and the dashboard alike (the dashboard's form names its
fields the same, so errors land on the right field without a mapping)."""

from __future__ import annotations

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brands.fonts import caption_fonts
from brands.models import BrandKit, Corner
from clipsite.api import PageFieldsSerializer, PageParams, StrictFieldsMixin
from clipsite.signed_media import signed_url
from videos.config import ChoiceField

# The API's names of a kit's settings and the model fields they are stored in.
FIELDS = {
    "name": "name", "isDefault": "is_default", "font": "font", "textColor": "text_color",
    "highlightColor": "highlight_color", "outlineColor": "outline_color", "outlineWidth": "outline_width",
    "shadow": "shadow", "size": "size", "position": "position", "logoCorner": "logo_corner",
    "logoSize": "logo_size", "logoOpacity": "logo_opacity",
}  # fmt: skip
COLOR = "Give a colour as #RRGGBB, such as #FFE81F."


class ColorField(serializers.CharField):
    """``#RRGGBB`` (the ``#`` optional, any case), stored as ``#RRGGBB`` in capitals."""

    default_error_messages = {"color": COLOR}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("help_text", "#RRGGBB.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not re.fullmatch(r"#?[0-9A-Fa-f]{6}", value):
            self.fail("color")
        return "#" + value.lstrip("#").upper()


class FontField(serializers.CharField):
    """A font family installed here (:func:`brands.fonts.caption_fonts`); blank: the template's."""

    default_error_messages = {"font": "That font is not installed here. Choose one of: {fonts}."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value and value not in caption_fonts():
            self.fail("font", fonts=", ".join(caption_fonts()))
        return value


class KitFieldsSerializer(StrictFieldsMixin, serializers.Serializer):
    """A kit's settings. Sizes are percentages: of the video's height, except ``logoSize``
    (of its width). Validate with ``partial=True`` for a change of some of them."""

    name = serializers.CharField(max_length=60, help_text="Unique in the workspace.")
    isDefault = serializers.BooleanField(
        required=False, help_text="Used for every video that chooses no kit; one kit per workspace is the default."
    )
    font = FontField(
        required=False, allow_blank=True, max_length=100,
        help_text="A font family installed on the server (GET /api/brand-kits/fonts); empty: the caption "
                  "template's own font.",
    )  # fmt: skip
    textColor = ColorField(required=False)
    highlightColor = ColorField(required=False, help_text="#RRGGBB: the word being spoken (highlight and karaoke "
                                                          "templates).")  # fmt: skip
    outlineColor = ColorField(required=False)
    outlineWidth = serializers.FloatField(required=False, min_value=0, max_value=2, help_text="% of the height.")
    shadow = serializers.FloatField(required=False, min_value=0, max_value=2, help_text="% of the height; 0: none.")
    size = serializers.FloatField(required=False, min_value=2.5, max_value=9, help_text="Text height, % of the height.")
    position = serializers.FloatField(
        required=False, min_value=20, max_value=70,
        help_text="Where the lowest caption line sits, % of the height from the bottom (the bottom 20% is under "
                  "the apps' buttons).",
    )  # fmt: skip
    logoCorner = ChoiceField(choices=Corner.values, required=False)
    logoSize = serializers.FloatField(
        required=False, min_value=5, max_value=40, help_text="The square the logo fits in, % of the width."
    )
    logoOpacity = serializers.IntegerField(required=False, min_value=10, max_value=100, help_text="%.")

    def validate_name(self, value: str) -> str:
        return " ".join(value.split())


class KitCreateSerializer(KitFieldsSerializer):
    workspaceId = serializers.CharField(required=False, help_text="Default: the key's workspace.")


def kit_fields(data: dict, *, partial: bool = False) -> dict:
    """``data`` (API names) validated, as model field values; raises ``ValidationError``
    naming the field. ``partial``: only the settings given."""
    body = KitFieldsSerializer(data=data, partial=partial)
    body.is_valid(raise_exception=True)
    return {FIELDS[name]: value for name, value in body.validated_data.items()}


class BrandKitSerializer(serializers.ModelSerializer):
    workspaceId = serializers.CharField(source="workspace_id")
    isDefault = serializers.BooleanField(source="is_default")
    textColor = serializers.CharField(source="text_color")
    highlightColor = serializers.CharField(source="highlight_color")
    outlineColor = serializers.CharField(source="outline_color")
    outlineWidth = serializers.FloatField(source="outline_width")
    logoUrl = serializers.SerializerMethodField()
    logoCorner = serializers.CharField(source="logo_corner")
    logoSize = serializers.FloatField(source="logo_size")
    logoOpacity = serializers.IntegerField(source="logo_opacity")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = BrandKit
        fields = [
            "id", "workspaceId", "name", "isDefault", "font", "textColor", "highlightColor", "outlineColor",
            "outlineWidth", "shadow", "size", "position", "logoUrl", "logoCorner", "logoSize", "logoOpacity",
            "createdAt", "updatedAt",
        ]  # fmt: skip
        ref_name = "BrandKit"

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text="A signed link to the stored PNG, valid for an hour.")
    )
    def get_logoUrl(self, kit) -> str | None:
        return signed_url(kit.logo.name, request=self.context.get("request")) if kit.logo else None


class BrandKitEnvelopeSerializer(serializers.Serializer):
    brandKit = BrandKitSerializer()


class BrandKitPageSerializer(PageFieldsSerializer):
    brandKits = BrandKitSerializer(many=True)


class BrandKitListParams(PageParams):
    workspaceId = serializers.CharField(required=False)


class FontsSerializer(serializers.Serializer):
    fonts = serializers.ListField(child=serializers.CharField(), help_text="Font families a kit may use.")


class LogoUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PNG, JPEG or WebP, up to 5 MB and 4096 pixels a side.")
