"""Trend intelligence: platform videos, their snapshots, discovery signals and enrichment jobs.

A :class:`PlatformVideo` is one public video on YouTube, TikTok or Instagram, shared by
every workspace: its identity, latest metrics and, once enriched, its hook or full
transcript (the enrichment cache, keyed by platform + video id). What a workspace may
read is what it has seen: a :class:`Sighting` per workspace and video, written by its
discoveries and enrichments, so ``/v1/videos/...`` answers 404 for a video the account
never met. Snapshots are metric readings over time; signals are stored discoveries.

Enrichment job transitions (all through :mod:`tracking.actions`, each a conditional
UPDATE on the status and attempt it expects):

    queued -> running        (a worker claims it: attempt + 1)
    running -> done          (the result is recorded by the attempt that holds the job)
    running -> queued        (the sweep retrying an attempt whose worker died)
    queued | running -> error  (a failure, or the sweep giving up; a failure on Clipsite's
                               or the platform's side refunds the enrichment credit)

A job answered from the cache is created ``done`` and charges nothing.

Tracked item states (all through :mod:`tracking.watcher`):

    active -> backing_off     (the platform refused or failed; polled again after a backoff)
    backing_off -> active     (a poll succeeded)
    active | backing_off -> stopped   (the video is gone: private, removed; polling ends)

Independently of its state, an item is *claimed* by one watcher at a time: a conditional
UPDATE sets ``claim_token`` and ``claimed_until`` on due, unclaimed items, and only the
holder of the token may record the poll. A watcher that dies leaves a claim that
expires, and the item is polled again.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Workspace
from clipsite.ids import new_id


def new_job_id() -> str:
    return new_id("job")


def new_signal_id() -> str:
    return new_id("sig")


def new_tracked_item_id() -> str:
    return new_id("ti")


class Platform(models.TextChoices):
    YOUTUBE = "youtube", "YouTube"
    TIKTOK = "tiktok", "TikTok"
    INSTAGRAM = "instagram", "Instagram"


class TranscriptKind(models.TextChoices):
    CAPTIONS = "captions", "Platform captions"
    HOOK = "hook", "Hook (first seconds)"
    FULL = "full", "Whole video"


def history_start(workspace: Workspace, now=None):
    """The oldest moment the workspace's plan lets it read back; None for unlimited history."""
    days = workspace.plan.history_days
    return None if days is None else (now or timezone.now()) - timedelta(days=days)


class PlatformVideoQuerySet(models.QuerySet):
    def seen_by(self, workspace: Workspace) -> PlatformVideoQuerySet:
        return self.filter(sightings__workspace=workspace)


class PlatformVideo(models.Model):
    """One platform video as Clipsite last read it (shared by all workspaces)."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    video_id = models.CharField(max_length=64)
    url = models.URLField(max_length=500)
    title = models.CharField(max_length=500, blank=True)
    creator = models.CharField(max_length=200, blank=True)
    caption = models.TextField(blank=True, help_text="The post's own description or caption.")
    thumbnail = models.URLField(max_length=1000, blank=True)
    duration_sec = models.FloatField(null=True, blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True)
    views = models.BigIntegerField(default=0)
    likes = models.BigIntegerField(null=True, blank=True)
    comments = models.BigIntegerField(null=True, blank=True)
    heatmap = models.JSONField(default=list, blank=True, help_text="The platform's 'most replayed' points.")
    transcript = models.TextField(blank=True)
    transcript_kind = models.CharField(max_length=16, choices=TranscriptKind.choices, blank=True)
    transcript_words = models.JSONField(null=True, blank=True, help_text="The timed transcript (engine Transcript).")
    enrichment = models.JSONField(null=True, blank=True, help_text="The cached analyze result.")
    enriched_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PlatformVideoQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "video_id"], name="one_row_per_platform_video")]

    def __str__(self) -> str:
        return f"{self.platform}:{self.video_id}"

    def covers(self, full: bool) -> bool:
        """Whether the cached enrichment answers a request for a hook (``full`` False) or the
        whole video: captions and full transcripts cover both, a hook transcript only a hook."""
        if self.enrichment is None:
            return False
        return not full or self.transcript_kind in (TranscriptKind.CAPTIONS, TranscriptKind.FULL)


class Sighting(models.Model):
    """A workspace has met this video (in a discovery or an enrichment)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sightings")
    video = models.ForeignKey(PlatformVideo, on_delete=models.CASCADE, related_name="sightings")
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "video"], name="one_sighting_per_video")]

    def __str__(self) -> str:
        return f"{self.workspace_id} saw {self.video}"


class Snapshot(models.Model):
    """One metrics reading of a video at a moment."""

    video = models.ForeignKey(PlatformVideo, on_delete=models.CASCADE, related_name="snapshots")
    captured_at = models.DateTimeField(default=timezone.now, db_index=True)
    views = models.BigIntegerField()
    likes = models.BigIntegerField(null=True, blank=True)
    comments = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["captured_at", "id"]
        indexes = [models.Index(fields=["video", "captured_at"])]

    def __str__(self) -> str:
        return f"{self.video} {self.views} views at {self.captured_at:%Y-%m-%d %H:%M}"

    def views_per_day(self, uploaded_at) -> int | None:
        """Lifetime views per day at this reading (the discovery maths' rule); None undated."""
        if uploaded_at is None:
            return None
        age = max((self.captured_at - uploaded_at).total_seconds() / 86400, 1.0)
        return round(max(self.views, 0) / age)


class SignalQuerySet(models.QuerySet):
    def for_seed(self, seed: str) -> SignalQuerySet:
        return self.filter(seed_key=Signal.key_of(seed))


class Signal(models.Model):
    """One discovery, stored: the seed's verdict, histogram and breakouts at that moment."""

    id = models.CharField(primary_key=True, max_length=32, default=new_signal_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="signals")
    seed = models.CharField(max_length=200)
    seed_key = models.CharField(max_length=200, db_index=True, help_text="The seed, case- and space-folded.")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    verdict = models.CharField(max_length=24)
    n = models.PositiveIntegerField()
    result = models.JSONField(help_text="The discovery object as /v1/discovery answered it.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = SignalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.seed} {self.verdict} {self.created_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def key_of(seed: str) -> str:
        return " ".join(seed.split()).casefold()


class EnrichmentJobQuerySet(models.QuerySet):
    def in_flight(self) -> EnrichmentJobQuerySet:
        return self.filter(status__in=EnrichmentJob.IN_FLIGHT)


class EnrichmentJob(models.Model):
    """An analyze or pipeline request, run by a worker; see the module docstring for its states."""

    class Kind(models.TextChoices):
        ANALYZE = "analyze", "Analyze"
        PIPELINE = "pipeline", "Pipeline"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        ERROR = "error", "Error"

    IN_FLIGHT = (Status.QUEUED, Status.RUNNING)
    TERMINAL = (Status.DONE, Status.ERROR)

    id = models.CharField(primary_key=True, max_length=32, default=new_job_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="enrichment_jobs")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    platform = models.CharField(max_length=16, choices=Platform.choices)
    url = models.URLField(max_length=500, blank=True)
    seed = models.CharField(max_length=200, blank=True)
    video = models.ForeignKey(PlatformVideo, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    density = models.PositiveSmallIntegerField(default=9)
    full = models.BooleanField(default=False)
    charged = models.BooleanField(default=False, help_text="Whether an enrichment credit was charged.")
    attempt = models.PositiveSmallIntegerField(default=0, help_text="Fencing token: the attempt that may write.")
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=64, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = EnrichmentJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"

    @property
    def usage_reference(self) -> str:
        return f"enrich:{self.pk}"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL


class TrackedItemQuerySet(models.QuerySet):
    def due(self, now) -> TrackedItemQuerySet:
        """Items whose next poll has come and that no live watcher holds."""
        return self.filter(next_poll_at__lte=now).exclude(status=TrackedItem.Status.STOPPED).filter(
            models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now)
        )


class TrackedItem(models.Model):
    """A video or a seed the watcher polls on an adaptive cadence; see the module docstring."""

    class Kind(models.TextChoices):
        VIDEO = "video", "Video"
        SEED = "seed", "Seed"

    class Status(models.TextChoices):
        ACTIVE = "active", "Watching"
        BACKING_OFF = "backing_off", "Backing off"
        STOPPED = "stopped", "Stopped"

    id = models.CharField(primary_key=True, max_length=32, default=new_tracked_item_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tracked_items")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    ref = models.CharField(max_length=500, help_text="What the user gave: a link, a video id or a seed.")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    video = models.ForeignKey(PlatformVideo, on_delete=models.CASCADE, null=True, blank=True, related_name="trackers")
    seed = models.CharField(max_length=200, blank=True)
    interval_sec = models.PositiveIntegerField(help_text="The fastest the item is polled, in seconds.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    polls = models.PositiveIntegerField(default=0)
    failures = models.PositiveSmallIntegerField(default=0, help_text="Refusals in a row; drives the backoff.")
    last_error = models.TextField(blank=True)
    last_error_code = models.CharField(max_length=32, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    event_state = models.JSONField(default=dict, blank=True, help_text="What makes each crossing fire once.")
    metrics = models.JSONField(null=True, blank=True, help_text="The trajectory metrics at the last poll.")
    last_signal = models.ForeignKey(Signal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    auto_clip = models.BooleanField(default=False, help_text="Seeds: submit fresh breakouts for clipping.")
    auto_clip_creator = models.CharField(max_length=200, blank=True, help_text="Only breakouts by this creator.")
    clipped = models.JSONField(default=list, blank=True, help_text="Video ids already submitted for clipping.")
    auto_clip_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TrackedItemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.seed or self.ref} ({self.status})"

    @property
    def label(self) -> str:
        if self.kind == self.Kind.SEED:
            return self.seed
        return (self.video.title if self.video else "") or self.ref
