"""State changes of brand kits, and how a clip's render finds its kit.

A video's config names a kit in ``brandKit`` (set at submit; ``none`` for no kit); a
clip's ``brand_kit`` overrides it (``""`` follows the video). :func:`resolve` turns the
choice into a kit of the video's own workspace: a kit deleted since falls back to the
workspace's default, then to no kit, so a render never fails for a missing kit.
:func:`with_brand_kit` turns the kit into the engine's caption style and logo.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Workspace
from brands.logos import clean_logo
from brands.models import NO_KIT, BrandKit
from pipeline.captions import CaptionStyle
from pipeline.render import RenderOptions
from pipeline.watermark import Logo
from videos import storage

logger = logging.getLogger(__name__)

NAME_TAKEN = "A brand kit called “{name}” already exists in this workspace."
NOT_IN_WORKSPACE = "No brand kit with this id in this workspace."


class KitError(ValueError):
    """A change a kit cannot take; ``field`` is the setting's API name."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def create_kit(workspace: Workspace, fields: dict) -> BrandKit:
    """A new kit of ``workspace`` from validated ``fields`` (model names, see
    :func:`brands.serializers.kit_fields`); raises :class:`KitError` for a name in use."""
    return _save(BrandKit(workspace=workspace), fields)


def update_kit(kit: BrandKit, fields: dict) -> BrandKit:
    """Change the settings in ``fields``; the others are kept."""
    return _save(kit, fields)


def _save(kit: BrandKit, fields: dict) -> BrandKit:
    for name, value in fields.items():
        setattr(kit, name, value)
    kit.updated_at = timezone.now()
    taken = BrandKit.objects.filter(workspace_id=kit.workspace_id, name=kit.name).exclude(pk=kit.pk).exists()
    if taken:
        raise KitError("name", NAME_TAKEN.format(name=kit.name))
    try:
        with transaction.atomic():
            if kit.is_default:  # the default moves here from whichever kit had it
                BrandKit.objects.filter(workspace_id=kit.workspace_id, is_default=True).exclude(pk=kit.pk).update(
                    is_default=False
                )
            kit.save()
    except IntegrityError:
        # Another request took the name, or made another kit the default, in between.
        if BrandKit.objects.filter(workspace_id=kit.workspace_id, name=kit.name).exclude(pk=kit.pk).exists():
            raise KitError("name", NAME_TAKEN.format(name=kit.name)) from None
        raise KitError("isDefault", "Another kit became the default at the same moment; try again.") from None
    return kit


def delete_kit(kit: BrandKit) -> None:
    """Delete the kit and its logo. Videos and clips that chose it fall back to the
    workspace's default kit at their next render."""
    name = kit.logo.name
    kit.delete()
    if name:
        transaction.on_commit(lambda: storage.delete_names(name))


def set_logo(kit: BrandKit, upload) -> BrandKit:
    """Check ``upload`` and store it, re-encoded, as the kit's logo; raises
    :class:`brands.logos.LogoError` with the reason it cannot be one."""
    png = clean_logo(upload)
    digest = hashlib.sha256(png).hexdigest()[:12]
    # A new name for new content: a renderer's cached copy of the old logo is never reused.
    stored = default_storage.save(f"brands/{kit.workspace_id}/{kit.pk}-{digest}.png", ContentFile(png))
    return _replace_logo(kit, stored)


def remove_logo(kit: BrandKit) -> BrandKit:
    return _replace_logo(kit, "")


def _replace_logo(kit: BrandKit, name: str) -> BrandKit:
    old = kit.logo.name
    kit.logo.name = name
    kit.updated_at = timezone.now()
    kit.save(update_fields=["logo", "updated_at"])
    if old and old != name:
        transaction.on_commit(lambda: storage.delete_names(old))
    return kit


def choice_error(workspace_id: str, choice: str) -> str:
    """Why ``choice`` (a kit id, ``""`` or ``none``) cannot be chosen in the workspace; "" when it can."""
    if choice in ("", NO_KIT) or BrandKit.objects.filter(workspace_id=workspace_id, pk=choice).exists():
        return ""
    return NOT_IN_WORKSPACE


def default_kit(workspace_id: str) -> BrandKit | None:
    return BrandKit.objects.filter(workspace_id=workspace_id, is_default=True).first()


def resolve(workspace_id: str, choice: str) -> BrandKit | None:
    """The kit ``choice`` names in the workspace; its default kit when the choice is ``""``
    or names no kit of it (deleted since); None for ``none`` or without a default."""
    if choice == NO_KIT:
        return None
    chosen = BrandKit.objects.filter(workspace_id=workspace_id, pk=choice).first() if choice else None
    return chosen or default_kit(workspace_id)


def kit_for_clip(clip) -> BrandKit | None:
    """The kit a render of ``clip`` uses: its own choice, else its video's."""
    video = clip.video
    return resolve(video.workspace_id, clip.brand_kit or (video.config or {}).get("brandKit", ""))


def caption_style(kit: BrandKit) -> CaptionStyle:
    """The kit's look in the engine's units (fractions of the height, ``RRGGBB``)."""
    return CaptionStyle(
        font=kit.font, colour=kit.text_color.lstrip("#"), highlight_colour=kit.highlight_color.lstrip("#"),
        outline_colour=kit.outline_color.lstrip("#"), outline=kit.outline_width / 100, shadow=kit.shadow / 100,
        size=kit.size / 100, bottom=kit.position / 100,
    )  # fmt: skip


def with_brand_kit(options: RenderOptions, clip) -> RenderOptions:
    """``options`` with the caption style and logo of the kit :func:`kit_for_clip` finds.

    A logo whose stored file cannot be had is left out (and logged): the clip still
    renders in the kit's colours.
    """
    kit = kit_for_clip(clip)
    if kit is None:
        return options
    path = _logo_path(kit) if kit.logo else None
    logo = Logo(str(path), kit.logo_corner, kit.logo_size / 100, kit.logo_opacity / 100) if path else None
    return dataclasses.replace(options, caption_style=caption_style(kit), logo=logo)


def _logo_path(kit: BrandKit) -> Path | None:
    """A local copy of the kit's stored logo; None (logged) when storage does not have it."""
    try:
        path = storage.local_path(kit.logo.name)
    except Exception:
        logger.exception("the logo of brand kit %s could not be fetched; rendering without it", kit.pk)
        return None
    if not path.is_file():
        logger.warning("the logo of brand kit %s is missing from storage; rendering without it", kit.pk)
        return None
    return path
