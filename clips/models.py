"""A moment chosen from a video, and its rendered file.

Transitions (through :mod:`clips.actions` and the render job):

    detected -> generating -> completed | failed
    completed | failed -> generating    (a re-render; ``recompiling`` is true meanwhile)

A re-render writes a new file and removes the old one only once the new one is stored,
so a failed re-render leaves the previous file in place.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from clipsite.ids import new_id
from videos.models import Video


def new_clip_id() -> str:
    return new_id("clip")


# The sorts clip lists offer (ScaleReach's ``sortBy``) and the column each orders by.
SORT_FIELDS = {"score": "score", "duration": "length"}


class ClipQuerySet(models.QuerySet):
    def for_user(self, user) -> ClipQuerySet:
        return self.filter(video__in=Video.objects.for_user(user))

    def filtered(
        self,
        *,
        min_score: int | None = None,
        max_score: int | None = None,
        status: str | None = None,
        favorited: bool | None = None,
        sort_by: str = "score",
        sort_order: str = "desc",
    ) -> ClipQuerySet:
        """ScaleReach's clip filters and sort, shared by the API and the dashboard.

        ``None`` leaves a filter off; ``sort_by`` is score or duration, ties by rank.
        """
        clips = self.annotate(length=models.F("end") - models.F("start"))
        if min_score is not None:
            clips = clips.filter(score__gte=min_score)
        if max_score is not None:
            clips = clips.filter(score__lte=max_score)
        if status:
            clips = clips.filter(status=status)
        if favorited is not None:
            clips = clips.filter(favorited=favorited)
        field = SORT_FIELDS[sort_by]
        return clips.order_by(f"-{field}" if sort_order == "desc" else field, "rank")


class Clip(models.Model):
    class Status(models.TextChoices):
        DETECTED = "detected", "Detected"
        GENERATING = "generating", "Rendering"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    PENDING = (Status.DETECTED, Status.GENERATING)

    id = models.CharField(primary_key=True, max_length=32, default=new_clip_id, editable=False)
    public_uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False, help_text="Ssemble's short id.")
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="clips")
    rank = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    start = models.FloatField(help_text="Seconds on the processed range's timeline.")
    end = models.FloatField()
    score = models.PositiveSmallIntegerField()
    score_hook = models.PositiveSmallIntegerField(default=0)
    score_pacing = models.PositiveSmallIntegerField(default=0)
    score_completeness = models.PositiveSmallIntegerField(default=0)
    score_shareability = models.PositiveSmallIntegerField(default=0)
    virality_reason = models.TextField(blank=True)
    transcript = models.TextField(blank=True)
    sentence_indexes = models.JSONField(default=list)
    hooks = models.JSONField(default=dict, help_text='{"question": ..., "statement": ...}')
    description = models.TextField(blank=True)
    hashtags = models.JSONField(default=list)
    emotions = models.JSONField(default=list)
    keywords = models.JSONField(default=list)
    user_edited = models.JSONField(
        default=list, blank=True,
        help_text="The words the user wrote (title, hooks, description, hashtags, hook_text): kept when the clip "
                  "is trimmed, while the others are written again for its new span.",
    )  # fmt: skip
    words_stale = models.BooleanField(
        default=False, help_text="The span changed since its words were written: the next render writes them again."
    )
    word_styles = models.JSONField(
        default=list, blank=True,
        help_text="[{at, emphasis, emoji}]: this clip's styling of the transcript word starting at ``at`` (seconds).",
    )  # fmt: skip

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DETECTED, db_index=True)
    aspect_ratio = models.CharField(max_length=6, default="9:16")
    captions = models.BooleanField(default=True)
    caption_template = models.CharField(max_length=40, blank=True)
    auto_hook = models.BooleanField(default=True)
    hook_text = models.CharField(max_length=200, blank=True)
    brand_kit = models.CharField(
        max_length=32, blank=True,
        help_text='A brand kit id, or "none"; empty: the video\'s kit. A kit deleted since falls back to the '
                  "workspace's default (brands.actions.resolve).",
    )  # fmt: skip
    layout = models.CharField(max_length=20, blank=True, help_text="The layout the last render used.")
    requested_layout = models.CharField(
        max_length=10, default="auto", help_text="auto (chosen per shot) or the layout forced on every shot."
    )
    pins = models.JSONField(
        default=list, blank=True,
        help_text="[{start, end, x, speaker}]: stretches (seconds into the clip) where the crop follows the person "
                  "at x (a fraction of the source's width); kept for every re-render.",
    )  # fmt: skip
    shots = models.JSONField(
        default=list, blank=True, help_text="The last render's shots, in clip seconds: [{start, end, layout, speaker}]."
    )
    speakers = models.JSONField(
        default=list, blank=True, help_text="The last render's speakers: [{id, x, speaking: [[t0, t1], ...]}]."
    )
    report = models.JSONField(
        default=dict, blank=True,
        help_text="The last render's clip report (pipeline.report.ClipReport.to_dict()): verdict, fixes, checks and "
                  "measures; empty until a render makes one.",
    )  # fmt: skip
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    favorited = models.BooleanField(default=False)
    recompiling = models.BooleanField(default=False)
    error = models.BooleanField(default=False)
    error_message = models.TextField(blank=True)
    file = models.FileField(max_length=300, blank=True)
    thumbnail = models.FileField(max_length=300, blank=True)
    render_version = models.PositiveIntegerField(default=0)
    render_attempts = models.PositiveSmallIntegerField(default=0)
    rendered_by = models.CharField(max_length=200, blank=True, help_text="The RQ worker that rendered it.")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    rendered_at = models.DateTimeField(null=True, blank=True)

    objects = ClipQuerySet.as_manager()

    class Meta:
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["video", "rank"], name="one_clip_per_rank")]

    def __str__(self) -> str:
        return self.title

    @property
    def duration(self) -> float:
        return round(self.end - self.start, 3)

    @property
    def download_name(self) -> str:
        """The file name a download is saved under: the title, made safe."""
        return f"{slugify(self.title)[:60] or self.pk}.mp4"

    @property
    def source_start(self) -> float:
        """Start on the original source's timeline (what the API reports)."""
        return round(self.start + self.video.source_offset, 3)

    @property
    def source_end(self) -> float:
        return round(self.end + self.video.source_offset, 3)

    @property
    def scores(self) -> dict[str, int]:
        return {
            "hook": self.score_hook,
            "pacing": self.score_pacing,
            "completeness": self.score_completeness,
            "shareability": self.score_shareability,
        }
