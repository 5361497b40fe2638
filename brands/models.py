"""Brand kits: a workspace's saved caption looks and logo, one of them its default.

A kit is chosen per video (``brandKit`` in the video's config) and per clip
(:attr:`clips.models.Clip.brand_kit`), by id; :func:`brands.actions.resolve` turns a
choice into a kit, falling back to the workspace's default when the chosen kit is gone.
Sizes are percentages, the units the dashboard and the API show: ``size``,
``outline_width``, ``shadow`` and ``position`` of the video's height, ``logo_size`` of
its width. The logo is stored only as the PNG :mod:`brands.logos` re-encoded from the
upload; the upload itself is never kept.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accounts.models import Workspace
from clipsite.ids import new_id


def new_kit_id() -> str:
    return new_id("kit")


# What a video or clip stores to say "no brand kit", as opposed to "" (the default one).
NO_KIT = "none"


class Corner(models.TextChoices):
    TOP_LEFT = "top-left", "Top left"
    TOP_RIGHT = "top-right", "Top right"
    BOTTOM_LEFT = "bottom-left", "Bottom left"
    BOTTOM_RIGHT = "bottom-right", "Bottom right"


class BrandKitQuerySet(models.QuerySet):
    def for_user(self, user) -> BrandKitQuerySet:
        """Kits of every workspace ``user`` belongs to."""
        return self.filter(workspace__in=Workspace.objects.for_user(user))


class BrandKit(models.Model):
    id = models.CharField(primary_key=True, max_length=32, default=new_kit_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="brand_kits")
    name = models.CharField(max_length=60)
    is_default = models.BooleanField(default=False, help_text="Used for videos that choose no kit.")
    font = models.CharField(max_length=100, blank=True, help_text="An installed font family; empty: the template's.")
    text_color = models.CharField(max_length=7, default="#FFFFFF")
    highlight_color = models.CharField(max_length=7, default="#FFE81F", help_text="The word being spoken.")
    outline_color = models.CharField(max_length=7, default="#000000")
    outline_width = models.FloatField(default=0.4, help_text="% of the video's height.")
    shadow = models.FloatField(default=0.2, help_text="Shadow depth, % of the video's height; 0: none.")
    size = models.FloatField(default=5.0, help_text="Text height, % of the video's height.")
    position = models.FloatField(default=30.0, help_text="Lowest caption line, % of the height from the bottom.")
    logo = models.FileField(max_length=300, blank=True, help_text="The re-encoded PNG (never the upload).")
    logo_corner = models.CharField(max_length=12, choices=Corner.choices, default=Corner.TOP_RIGHT)
    logo_size = models.FloatField(default=15.0, help_text="The square the logo fits in, % of the video's width.")
    logo_opacity = models.PositiveSmallIntegerField(default=100, help_text="%.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = BrandKitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_kit_name_per_workspace"),
            models.UniqueConstraint(
                fields=["workspace"], condition=models.Q(is_default=True), name="one_default_kit_per_workspace"
            ),
        ]

    def __str__(self) -> str:
        return self.name
