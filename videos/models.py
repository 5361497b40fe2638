"""A submitted video and its trip through ScaleReach's stages.

Allowed transitions (all through :mod:`videos.actions`, each a conditional UPDATE on the
status it expects, so a cancel can never be overwritten by a job that is still running):

    queued -> downloading -> uploading -> transcribing -> analyzing -> generating_clips
    generating_clips -> completed        (the last clip's render job: fan-in)
    any non-terminal -> failed           (an error, a user cancel, or the sweep giving up)
    running stage -> queued              (the sweep retrying a job whose worker died)
    failed -> queued                     (the user's Retry)

``minutes_charged`` is set once, in the transaction that debits the workspace; refunds
add to ``minutes_refunded`` and never exceed it.
"""

from __future__ import annotations

import math
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Workspace
from clipsite.ids import new_id


def new_video_id() -> str:
    return new_id("vid")


def new_public_hex() -> str:
    """A 24-character lowercase hex id: how Ssemble's API names a request."""
    return secrets.token_hex(12)


class VideoQuerySet(models.QuerySet):
    def for_user(self, user) -> VideoQuerySet:
        """Videos in any workspace ``user`` belongs to."""
        return self.filter(workspace__in=Workspace.objects.for_user(user))

    def active(self) -> VideoQuerySet:
        return self.filter(status__in=Video.RUNNING)


class Video(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        DOWNLOADING = "downloading", "Downloading"
        UPLOADING = "uploading", "Uploading"
        TRANSCRIBING = "transcribing", "Transcribing"
        ANALYZING = "analyzing", "Finding moments"
        GENERATING_CLIPS = "generating_clips", "Rendering clips"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    class SourceKind(models.TextChoices):
        YOUTUBE = "youtube", "YouTube or another video site"
        URL = "url", "Direct media URL"
        UPLOAD = "upload", "Upload"

    class Via(models.TextChoices):
        """The surface a video was submitted through, told apart only where it has rules of its own."""

        CLIPSITE = "", "Clipsite"
        # The process API's MAX_CONCURRENT_JOBS and JOB_RETENTION_SECONDS apply (processapi/).
        PROCESS_API = "process", "Process API"

    RUNNING = (
        Status.DOWNLOADING,
        Status.UPLOADING,
        Status.TRANSCRIBING,
        Status.ANALYZING,
        Status.GENERATING_CLIPS,
    )
    TERMINAL = (Status.COMPLETED, Status.FAILED)
    # Where each stage starts on the progress bar, so progress only ever moves forward.
    STAGE_PROGRESS = {
        Status.QUEUED: 0,
        Status.DOWNLOADING: 2,
        Status.UPLOADING: 15,
        Status.TRANSCRIBING: 20,
        Status.ANALYZING: 55,
        Status.GENERATING_CLIPS: 60,
        Status.COMPLETED: 100,
    }

    id = models.CharField(primary_key=True, max_length=32, default=new_video_id, editable=False)
    # The same video's names in the other API dialects: Ssemble's 24-hex ``_id``, the
    # process API's UUID ``job_id``. Lookups by them stay inside the caller's workspace.
    public_hex = models.CharField(max_length=24, unique=True, default=new_public_hex, editable=False)
    public_uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="videos")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_via = models.CharField(max_length=10, choices=Via.choices, default=Via.CLIPSITE, blank=True,
                                     db_index=True)  # fmt: skip
    source_kind = models.CharField(max_length=10, choices=SourceKind.choices)
    source_url = models.URLField(max_length=2000, blank=True)
    source_name = models.CharField(max_length=255, blank=True, help_text="Uploaded file's name.")
    source_file = models.FileField(max_length=300, blank=True, help_text="The validated source, in storage.")
    source_deleted_at = models.DateTimeField(null=True, blank=True)
    title = models.CharField(max_length=300, blank=True)
    uploader = models.CharField(max_length=200, blank=True)
    thumbnail_url = models.URLField(max_length=2000, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds of the processed range.")
    source_offset = models.FloatField(
        default=0.0, help_text="Where the processed range starts in the source."
    )
    media_info = models.JSONField(default=dict, blank=True)
    heatmap = models.JSONField(
        default=list, blank=True, help_text="The source platform's 'most replayed' points: start_time, end_time, value."
    )

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    error_message = models.TextField(blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    warnings = models.JSONField(default=list, blank=True)

    config = models.JSONField(default=dict, help_text="Validated options (videos.config).")
    gemini_key = models.BinaryField(
        null=True, blank=True, editable=False, help_text="Encrypted; wiped after use."
    )
    language = models.CharField(max_length=16, blank=True)
    transcript = models.JSONField(
        default=dict, blank=True, help_text="pipeline Transcript: words and sentences."
    )
    analyser = models.CharField(max_length=40, blank=True)
    tokens_used = models.PositiveIntegerField(default=0)

    minutes_charged = models.PositiveIntegerField(default=0)
    minutes_refunded = models.PositiveIntegerField(default=0)

    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True, db_index=True)
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds spent per stage.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = VideoQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "status"])]

    def __str__(self) -> str:
        return self.title or self.source_url or self.source_name or self.pk

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL

    @property
    def display_title(self) -> str:
        return self.title or self.source_name or self.source_url or "Untitled video"

    @staticmethod
    def minutes_for(seconds: float) -> int:
        """Minutes a source of ``seconds`` costs: whole minutes, rounded up, at least one."""
        return max(1, math.ceil(seconds / 60))

    def can_be_deleted_by(self, user) -> bool:
        """The person who submitted it, or an owner or admin of its workspace."""
        return self.submitted_by_id == user.pk or self.workspace.can_manage(user)

    def clip_status_counts(self) -> dict[str, int]:
        """How many of the video's clips are in each status."""
        return dict(self.clips.order_by().values_list("status").annotate(n=models.Count("id")))
