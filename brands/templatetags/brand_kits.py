"""The brand kit picker's choices, for the video form and the clip editor (so the forms that
post ``brandKit`` need not know the workspace), and a kit's logo link for its preview."""

from __future__ import annotations

from django import template

from brands import actions
from brands.models import NO_KIT, BrandKit
from clipsite.signed_media import signed_url

register = template.Library()


@register.simple_tag
def kit_choices(workspace, video=None) -> list[tuple[str, str]]:
    """``(value, label)`` of the picker: first ``""`` (for a new video, the workspace's
    default kit; for a clip, its ``video``'s kit), then no kit, then each kit."""
    if workspace is None:
        return []
    if video is None:
        default = actions.default_kit(workspace.pk)
        first = f"Workspace default: {default.name}" if default else "Workspace default (none set)"
    else:
        kit = actions.resolve(workspace.pk, (video.config or {}).get("brandKit", ""))
        first = f"As the video: {kit.name}" if kit else "As the video (no kit)"
    kits = BrandKit.objects.filter(workspace=workspace).values_list("pk", "name")
    return [("", first), (NO_KIT, "No brand kit"), *((pk, name) for pk, name in kits)]


@register.filter
def logo_url(kit: BrandKit) -> str:
    """A signed link to the kit's stored PNG; "" without a logo."""
    return signed_url(kit.logo.name) if kit.logo else ""
