"""State changes of videos: submit, claim, advance, charge, fail, cancel, retry, finish, delete.

Every transition is a conditional UPDATE on the status it expects (see the transition
list in :mod:`videos.models`), so two jobs, a job and a user's cancel, or a job and the
sweep can race without corrupting a video: the loser's UPDATE matches no row and it
stops. Minutes move only through :mod:`accounts.actions`, in the same transaction as the
video's own counters.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import actions as accounts
from accounts.models import Workspace
from clips.models import Clip
from clipsite import crypto
from clipsite.queues import cancel_job, enqueue_on_commit
from pipeline import container, netguard
from pipeline.errors import IngestError, MediaError
from pipeline.ingest import source_kind
from pipeline.trends.platforms import LABELS as PLATFORM_LABELS
from videos import storage
from videos.errors import SubmitRefused
from videos.models import Video
from webhooks import events as webhook_events

logger = logging.getLogger(__name__)

PROCESS_TIMEOUT = 3 * 3600
MAX_ATTEMPTS = 2
# Hosts of the platforms plans are sold by; other sources need no platform.
PLATFORM_HOSTS = {
    "youtube": ("youtube.com", "youtu.be"),
    "tiktok": ("tiktok.com",),
    "instagram": ("instagram.com",),
}


class VideoStopped(Exception):
    """The video left the state a job expected (cancelled, failed or retried): stop working."""


def check_source_url(url: str) -> None:
    """Refuse ``url`` (``url_refused``) when the worker's SSRF guard would refuse it.

    The same guard (:func:`pipeline.netguard.check_url`, with its resolver's timeout)
    judges the link again when the worker fetches it, connecting only to the address it
    judged then.
    """
    try:
        netguard.check_url(url, settings.PIPELINE)
    except IngestError as exc:
        raise SubmitRefused(SubmitRefused.URL_REFUSED, exc.message, "url") from None


def check_upload(upload: UploadedFile) -> None:
    """Refuse an upload the worker's container check would refuse (the engine's code, e.g.
    ``unsupported_media``).

    The same check (:func:`pipeline.container.identify`) runs again in the worker before
    anything decodes the stored file; this one only spares the user a queued video that
    can never succeed.
    """
    try:
        container.identify_stream(upload, upload.size)
    except MediaError as exc:
        raise SubmitRefused(exc.code, exc.message, "file") from None
    finally:
        upload.seek(0)


def platform_of(url: str) -> str | None:
    """The platform plans are sold by whose host ``url`` is on (youtube, tiktok, instagram), else None."""
    host = (urlsplit(url).hostname or "").lower()
    for platform, domains in PLATFORM_HOSTS.items():
        if any(host == domain or host.endswith("." + domain) for domain in domains):
            return platform
    return None


def source_kind_of(url: str) -> str:
    """How a link is fetched: ``youtube`` (through yt-dlp: a video site) or ``url`` (a media file)."""
    try:
        return Video.SourceKind.URL if source_kind(url) == "url" else Video.SourceKind.YOUTUBE
    except IngestError as exc:
        raise SubmitRefused(SubmitRefused.URL_REFUSED, exc.message, "url") from None


def process_job_id(video_id: str) -> str:
    return f"process-{video_id}"


def enqueue_process(video_id: str) -> None:
    """Queue ``process_video`` for the video when the current transaction commits."""
    enqueue_on_commit(
        "default",
        "videos.jobs.process_video",
        video_id,
        job_id=process_job_id(video_id),
        job_timeout=PROCESS_TIMEOUT,
    )


def submit_video(
    workspace: Workspace,
    user,
    *,
    config: dict,
    url: str = "",
    upload: UploadedFile | None = None,
    kind: str | None = None,
    gemini_key: str = "",
    via: str = Video.Via.CLIPSITE,
) -> Video:
    """Create a queued video from a link or an upload and enqueue its processing.

    The one way in for every surface, holding every rule about what may be submitted:
    exactly one source; a video site the plan includes; an upload within the plan's size;
    minutes left; a link the SSRF guard accepts; an upload that is one self-contained
    media file. ``kind`` is derived from the link when not given (``youtube`` for a video
    site, ``url`` for a media file). ``config`` must come from
    :func:`videos.config.validate_config`. ``via`` names the surface when it has rules of
    its own (:class:`Video.Via`). Raises :class:`SubmitRefused` with the rule's code;
    nothing is stored, queued or charged then.
    """
    if bool(url) == (upload is not None):
        message = "Give a link or a file, not both." if url else "Give a link to a video, or a file to upload."
        raise SubmitRefused(SubmitRefused.INVALID_SOURCE, message)
    plan = workspace.plan
    if upload is not None:
        kind = Video.SourceKind.UPLOAD
        if upload.size > plan.max_upload_bytes:
            raise SubmitRefused(
                SubmitRefused.UPLOAD_TOO_LARGE,
                f"The file is {upload.size / 1024**2:.0f} MB; the {plan.name} plan accepts uploads up to "
                f"{plan.max_upload_mb} MB.",
                "file",
            )
    else:
        kind = kind or source_kind_of(url)
        platform = platform_of(url)
        if platform and not plan.allows_platform(platform):
            raise SubmitRefused(
                SubmitRefused.PLATFORM_NOT_IN_PLAN,
                f"The {plan.name} plan does not include {PLATFORM_LABELS[platform]}. Upgrade to use it.",
                "url",
            )
    if not workspace.has_minutes(1):
        raise SubmitRefused(
            SubmitRefused.INSUFFICIENT_MINUTES,
            f"{workspace.name} has {workspace.minutes_balance} minutes left, and a video needs at least 1. "
            "Minutes are added each month; an owner can ask for more.",
        )
    if url:
        check_source_url(url)
    else:
        check_upload(upload)
    video = Video(
        workspace=workspace,
        submitted_by=user,
        submitted_via=via,
        source_kind=kind,
        source_url=url,
        config=config,
        gemini_key=crypto.encrypt(gemini_key) if gemini_key else None,
    )
    if upload is not None:
        video.source_name = Path(upload.name or "upload").name[:255]
        video.title = Path(video.source_name).stem[:300]
    stored = ""
    try:
        with transaction.atomic():
            if upload is not None:
                suffix = Path(video.source_name).suffix.lower()[:10] or ".mp4"
                stored = default_storage.save(f"{storage.video_prefix(video.pk)}/upload{suffix}", upload)
                video.source_file.name = stored
            video.save()
            enqueue_process(video.pk)
    except Exception:
        storage.delete_names(stored)  # a failed submit leaves no orphaned upload behind
        raise
    return video


def claim(video_id: str) -> Video | None:
    """Move a queued video to ``downloading`` if its workspace has a free job slot.

    Returns None when the video is not queued (already claimed, or finished) or when
    the plan's concurrent jobs are all busy, or, for a video of the process API, its
    ``MAX_CONCURRENT_JOBS`` are; the video then stays queued and is dispatched when a
    slot frees up (:func:`dispatch_waiting`).
    """
    with transaction.atomic():
        video = Video.objects.select_related("workspace__plan").filter(pk=video_id).first()
        if video is None or video.status != Video.Status.QUEUED:
            return None
        # Lock the workspace row so two claims cannot both see a free slot.
        Workspace.objects.select_for_update().filter(pk=video.workspace_id).first()
        busy = Video.objects.filter(workspace_id=video.workspace_id, status__in=Video.RUNNING).count()
        if busy >= video.workspace.plan.concurrent_jobs:
            return None
        if video.submitted_via == Video.Via.PROCESS_API and _process_api_full(video.workspace_id):
            return None
        now = timezone.now()
        claimed = Video.objects.filter(pk=video.pk, status=Video.Status.QUEUED).update(
            status=Video.Status.DOWNLOADING,
            progress=Video.STAGE_PROGRESS[Video.Status.DOWNLOADING],
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
        )
    if not claimed:
        return None
    video.refresh_from_db()
    return video


def _this_attempt(video: Video):
    """The video's row while it is still running the attempt ``video`` holds.

    The attempt number is a fencing token: a job from an earlier attempt (its worker
    lost, its work horse still running) matches no row, so every write it tries is
    refused and it stops instead of overwriting the current attempt's work.
    """
    return Video.objects.filter(pk=video.pk, status__in=Video.RUNNING, attempts=video.attempts)


def record(video: Video, **fields) -> None:
    """Save fields of a running video for its current attempt, or raise VideoStopped."""
    if not _this_attempt(video).update(**fields):
        raise VideoStopped(video.pk)
    for name, value in fields.items():
        setattr(video, name, value)


def advance(video: Video, status: str, **fields) -> None:
    """Move a running video to the next stage, or raise VideoStopped if it left the running states."""
    fields.setdefault("progress", Video.STAGE_PROGRESS[status])
    record(video, status=status, heartbeat_at=timezone.now(), **fields)


def report_progress(video: Video, percent: int) -> None:
    """Move the progress bar forward (never back) and prove the job is alive."""
    _this_attempt(video).filter(progress__lt=percent).update(progress=percent)
    touch(video)


def touch(video: Video) -> None:
    record(video, heartbeat_at=timezone.now())


def charge_minutes(video: Video, seconds: float) -> int:
    """Debit the minutes ``seconds`` of video cost, once per processing attempt series.

    Raises InsufficientMinutes (nothing charged) when the balance is too low. A second
    call for an already charged video charges nothing and returns the earlier amount.
    """
    minutes = Video.minutes_for(seconds)
    with transaction.atomic():
        marked = _this_attempt(video).filter(minutes_charged=0).update(minutes_charged=minutes)
        if not marked:
            # Already charged by this attempt (a job run twice), or this attempt is stale.
            if not _this_attempt(video).exists():
                raise VideoStopped(video.pk)
            video.refresh_from_db(fields=["minutes_charged"])
            return video.minutes_charged
        accounts.debit_minutes(
            video.workspace,
            minutes,
            memo=f"Video: {video.display_title}"[:200],
            reference=f"video:{video.pk}",
        )
    video.minutes_charged = minutes
    return minutes


def refund_unused(video: Video) -> int:
    """Give back what was charged and not yet refunded; return the minutes refunded."""
    with transaction.atomic():
        current = Video.objects.select_for_update().get(pk=video.pk)
        owed = current.minutes_charged - current.minutes_refunded
        if owed <= 0:
            return 0
        Video.objects.filter(pk=video.pk).update(minutes_refunded=F("minutes_refunded") + owed)
        accounts.refund_minutes(
            current.workspace,
            owed,
            memo=f"Refund: {current.display_title}"[:200],
            reference=f"video:{video.pk}",
        )
    return owed


def fail(video: Video, message: str, code: str = "processing_failed") -> bool:
    """Fail a video that is not yet finished, refund its minutes and free its job slot.

    Its pending clips fail in the same transaction, so a failed, refunded video never
    gets a clip afterwards. Returns False (and changes nothing) when the video had
    already finished.
    """
    return _fail(video, message, code)


def _fail(video: Video, message: str, code: str, *, clip_message: str = "", **fields) -> bool:
    from clips.actions import VIDEO_FAILED, cancel_renders

    with transaction.atomic():
        updated = (
            Video.objects.filter(pk=video.pk)
            .exclude(status__in=Video.TERMINAL)
            .update(
                status=Video.Status.FAILED,
                error_message=message,
                error_code=code,
                finished_at=timezone.now(),
                gemini_key=None,
                **fields,
            )
        )
        if not updated:
            return False
        cancel_renders(video, clip_message or VIDEO_FAILED)
        refund_unused(video)
        webhook_events.video_failed(video.pk, video.workspace_id)
    storage.drop_cached(storage.video_prefix(video.pk))
    shutil.rmtree(storage.work_root(video.pk), ignore_errors=True)
    dispatch_waiting(video.workspace_id)
    return True


def cancel(video: Video, user=None) -> bool:
    """A user's cancel: the video fails with a message saying so, and its minutes come back."""
    who = f" by {user.email}" if user is not None and getattr(user, "email", "") else ""
    message = f"Cancelled{who}. The minutes it was charged were refunded."
    if not _fail(video, message, "cancelled", clip_message="Cancelled.", cancelled_at=timezone.now()):
        return False
    cancel_job("default", process_job_id(video.pk))
    return True


def retry(video: Video) -> bool:
    """Queue a failed video again from the start (the dashboard's Retry)."""
    from clips.actions import delete_clips

    with transaction.atomic():
        updated = Video.objects.filter(pk=video.pk, status=Video.Status.FAILED).update(
            status=Video.Status.QUEUED, progress=0, error_message="", error_code="", attempts=0,
            minutes_charged=0, minutes_refunded=0, finished_at=None, cancelled_at=None, heartbeat_at=None,
            warnings=[],
        )  # fmt: skip
        if not updated:
            return False
        delete_clips(video)
        enqueue_process(video.pk)
    return True


def requeue_lost(video: Video, observed_status: str) -> bool:
    """Put a video whose worker died back in the queue (the sweep's retry)."""
    with transaction.atomic():
        updated = Video.objects.filter(pk=video.pk, status=observed_status).update(
            status=Video.Status.QUEUED, heartbeat_at=None
        )
        if updated:
            enqueue_process(video.pk)
    return bool(updated)


def complete(video: Video) -> bool:
    """Mark a video whose clips are all done as completed (fan-in); False if already finished.

    Only the call whose UPDATE moves the video fires ``video.completed``, in the same
    transaction, so a fan-in that runs twice fires it once.
    """
    with transaction.atomic():
        updated = Video.objects.filter(pk=video.pk, status=Video.Status.GENERATING_CLIPS).update(
            status=Video.Status.COMPLETED, progress=100, finished_at=timezone.now(), heartbeat_at=None
        )
        if updated:
            webhook_events.video_completed(video.pk, video.workspace_id)
    if updated:
        storage.drop_cached(storage.video_prefix(video.pk))
        dispatch_waiting(video.workspace_id)
    return bool(updated)


def dispatch_waiting(workspace_id: str) -> None:
    """Enqueue the oldest queued video of a workspace that a freed slot could start.

    A video whose claim found every slot busy stays queued with no job; finishing or
    failing another video calls this so it starts without waiting for the sweep. While
    the process API's own slots are all busy, its videos are passed over.
    """
    waiting = Video.objects.filter(workspace_id=workspace_id, status=Video.Status.QUEUED).order_by("created_at")
    if _process_api_full(workspace_id):
        # Its claim would be refused: the next video that can start goes instead.
        waiting = waiting.exclude(submitted_via=Video.Via.PROCESS_API)
    first = waiting.first()
    if first is not None:
        enqueue_process(first.pk)


def _process_api_full(workspace_id: str) -> bool:
    """Whether the workspace runs ``MAX_CONCURRENT_JOBS`` videos of the process API already."""
    running = Video.objects.filter(
        workspace_id=workspace_id, status__in=Video.RUNNING, submitted_via=Video.Via.PROCESS_API
    )
    return running.count() >= settings.MAX_CONCURRENT_JOBS


def delete(video: Video, user=None) -> None:
    """Delete a video, its clips and every file they stored; a running video is cancelled first."""
    if not video.is_terminal:
        cancel(video, user)
    storage.delete_prefix(storage.video_prefix(video.pk))
    storage.drop_cached(storage.video_prefix(video.pk))
    video.delete()


def delete_expired_sources(now=None) -> int:
    """Delete the sources of finished videos older than the retention setting; clips stay."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(hours=settings.SOURCE_RETENTION_HOURS)
    count = 0
    expired = Video.objects.filter(status__in=Video.TERMINAL, finished_at__lt=cutoff, source_deleted_at=None)
    for video in expired.exclude(source_file=""):
        if video.clips.filter(status__in=Clip.PENDING).exists():
            continue  # a re-render is still reading the source
        storage.delete_names(video.source_file.name)
        Video.objects.filter(pk=video.pk).update(source_file="", source_deleted_at=now)
        count += 1
    return count
