"""RQ jobs for videos: process one video up to its clips, and the periodic sweep.

``process_video`` takes an id, loads the row and calls the engine and the actions. It is
safe to run twice: it only starts from ``queued`` (a claim is a conditional UPDATE),
charging is idempotent, and clips are replaced in one transaction. While it runs, a
heartbeat thread stamps the row, so the sweep can tell a slow job from a dead one.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from accounts.actions import InsufficientMinutes
from clips import actions as clip_actions
from clips.models import Clip
from clipsite import crypto, outage
from clipsite.queues import job_is_pending
from pipeline.analysis import analyse
from pipeline.errors import PipelineError
from pipeline.ingest import ingest
from videos import actions, storage
from videos.config import clip_options
from videos.models import Video

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
# A running video or render whose heartbeat is older than this has lost its worker.
STALE_SECONDS = 120
CACHE_MAX_AGE_SECONDS = 6 * 3600
# A storyboard is made within one request; its folder is left only by a killed web worker.
STORYBOARD_MAX_SECONDS = 15 * 60
# What to do next after a failure, where it depends on the source: added to the engine's
# message, which names what was wrong (:mod:`videos.progress` decides whether Retry shows).
NEXT_STEP = {
    ("unreadable_media", Video.SourceKind.UPLOAD): "Choose the original video file and submit it again.",
    ("unreadable_media", Video.SourceKind.URL): "Check that the link leads to the video file itself, then retry.",
}


class TooLongForPlan(PipelineError):
    """The video is longer than the workspace's plan accepts; upgrading the plan and retrying fixes it."""

    code = "too_long_for_plan"


class NoMoments(PipelineError):
    """Nothing worth clipping was found; the same video never has more on a retry."""

    code = "no_moments"


def failure_message(video: Video, exc: PipelineError) -> str:
    """The message a video failed with ``exc`` shows: the engine's, and the next step for its source."""
    step = NEXT_STEP.get((exc.code, video.source_kind))
    return f"{exc.message} {step}" if step else exc.message


@contextmanager
def heartbeat(touch, interval: float = HEARTBEAT_SECONDS):
    """Call ``touch()`` every ``interval`` seconds in a thread while the block runs."""
    stop = threading.Event()

    def beat():
        while not stop.wait(interval):
            try:
                touch()
            except Exception:  # a missed beat is harmless; the job itself reports real errors
                logger.warning("heartbeat failed", exc_info=True)
            finally:
                close_old_connections()

    thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def process_video(video_id: str) -> str:
    """Ingest, charge, transcribe and analyse one video, then queue its clip renders."""
    video = actions.claim(video_id)
    if video is None:
        return "not claimed"
    try:
        with heartbeat(lambda: actions.touch(video)):
            _process(video)
    except actions.VideoStopped:
        logger.info("video %s stopped while processing", video_id)
        return "stopped"
    except InsufficientMinutes as exc:
        actions.fail(
            video,
            f"This video needs {exc.needed} minutes but the workspace has {exc.available}. "
            "Add minutes or upgrade the plan, then retry.",
            code="insufficient_minutes",
        )
    except PipelineError as exc:
        actions.fail(video, failure_message(video, exc), code=exc.code)
    except Exception:
        logger.exception("processing video %s failed", video_id)
        actions.fail(
            video,
            "Processing failed because of an error on our side. Your minutes were refunded; "
            "try again, and contact support if it keeps happening.",
            code="internal_error",
        )
    finally:
        storage.remove_work(storage.work_dir(video_id, video.attempts))
    video.refresh_from_db(fields=["status"])
    return video.status


def _process(video: Video) -> None:
    config = settings.PIPELINE
    options = video.config
    timings: dict[str, float] = {}
    workdir = storage.work_dir(video.pk, video.attempts)

    def timed(stage: str):
        timings[stage] = time.perf_counter()

    def progress_between(low: int, high: int):
        def report(fraction: float, message: str = "") -> None:
            actions.report_progress(video, low + int((high - low) * min(1.0, max(0.0, fraction))))

        return report

    # Downloading: fetch and validate (uploads are read from storage: the dashboard calls
    # this step "Checking the file" for them, videos.progress).
    timed("download")
    source = (
        str(storage.local_path(video.source_file.name))
        if video.source_kind == Video.SourceKind.UPLOAD
        else video.source_url
    )
    fetched = ingest(
        source, workdir, config, start=options.get("start"), end=options.get("end"),
        progress=progress_between(2, 15), force_ytdlp=video.source_kind == Video.SourceKind.YOUTUBE,
    )  # fmt: skip
    media = fetched.media
    limit = video.workspace.plan.max_video_minutes * 60
    if media.duration > limit:
        raise TooLongForPlan(
            f"The video is {media.duration / 60:.0f} minutes long; the {video.workspace.plan.name} plan accepts "
            f"videos up to {video.workspace.plan.max_video_minutes} minutes. Choose a start and end to process "
            "part of it, or upgrade the plan."
        )

    # Uploading: keep the validated source in storage, where every render worker finds it.
    timed("upload")
    actions.advance(
        video,
        Video.Status.UPLOADING,
        title=(video.title or fetched.title)[:300],
        uploader=fetched.uploader[:200],
        thumbnail_url=fetched.thumbnail_url[:2000],
        heatmap=[point.to_dict() for point in fetched.heatmap],
        duration=media.duration,
        source_offset=fetched.start or 0.0,
        media_info=media.to_dict(),
    )
    previous = video.source_file.name
    suffix = Path(fetched.path).suffix or ".mp4"
    # An upload processed whole is already the stored source; anything else is stored now.
    if video.source_kind != Video.SourceKind.UPLOAD or fetched.start is not None or fetched.end is not None:
        stored = storage.save_file(f"{storage.video_prefix(video.pk)}/source{suffix}", Path(fetched.path))
        actions.record(video, source_file=stored)
        if previous and previous != stored:
            storage.delete_names(previous)

    # Minutes are charged now that the duration is known, before the heavy work.
    actions.charge_minutes(video, media.duration)

    timed("transcribe")
    actions.advance(video, Video.Status.TRANSCRIBING)

    def transcribed(transcript) -> None:
        actions.record(video, transcript=transcript.to_dict(), language=transcript.language)
        timed("analyze")
        actions.advance(video, Video.Status.ANALYZING)

    found = analyse(
        Path(fetched.path), media.duration, config, clip_options(options), progress=progress_between(20, 60),
        gemini_api_key=crypto.decrypt(video.gemini_key) or video.workspace.gemini_api_key() or None,
        replays=fetched.replay_curve(), transcribed=transcribed,
    ).found
    actions.record(
        video, analyser=found.analyser, tokens_used=found.tokens_used, warnings=found.warnings, gemini_key=None
    )
    if not found.moments:
        raise NoMoments(
            "No moments worth clipping were found: the video has too little speech. " + " ".join(found.warnings)
        )
    timed("end")
    names = list(timings)
    actions.record(video, timings={a: round(timings[b] - timings[a], 2) for a, b in itertools.pairwise(names)})
    clip_actions.create_clips(video, found.moments, options)


def sweep() -> dict[str, int]:
    """Find work whose worker died or whose job was lost, and retry or fail it.

    - a running video with a stale heartbeat is queued again, or failed with a refund
      after :data:`videos.actions.MAX_ATTEMPTS` attempts;
    - a queued video with no job in RQ (Redis restarted, job lost, or never enqueued
      because Redis was unreachable) gets its job back;
    - a rendering clip whose job is gone or whose heartbeat is stale is rendered again,
      or failed after its attempts, which then lets its video finish (a clip whose
      video has failed is failed, never rendered);
    - sources past their retention and stale cached downloads are deleted.
    """
    now = timezone.now()
    stale = now - timezone.timedelta(seconds=STALE_SECONDS)
    counts = {"retried": 0, "failed": 0, "dispatched": 0, "renders": 0, "work": 0, "sources": 0, "cache": 0}

    for video in Video.objects.filter(status__in=Video.RUNNING, heartbeat_at__lt=stale).exclude(
        status=Video.Status.GENERATING_CLIPS
    ):
        if video.attempts < actions.MAX_ATTEMPTS:
            counts["retried"] += actions.requeue_lost(video, video.status)
        else:
            counts["failed"] += actions.fail(
                video,
                f"Processing stopped unexpectedly {video.attempts} times (the worker running it was lost). "
                "Your minutes were refunded; try again.",
                code="worker_lost",
            )

    # Only Redis can say a job is lost: while it is unreachable, these rows keep their
    # state for the next sweep and the rest of this one goes on.
    try:
        for video in Video.objects.filter(status=Video.Status.QUEUED, created_at__lt=stale):
            if not job_is_pending("default", actions.process_job_id(video.pk)):
                actions.enqueue_process(video.pk)
                counts["dispatched"] += 1

        for clip in Clip.objects.filter(status=Clip.Status.GENERATING).select_related("video"):
            started_and_stale = clip.heartbeat_at is not None and clip.heartbeat_at < stale
            lost = clip.heartbeat_at is None and not job_is_pending("render", clip_actions.render_job_id(clip))
            if started_and_stale or lost:
                clip_actions.retry_lost_render(clip)
                counts["renders"] += 1
    except outage.ERRORS as exc:
        logger.warning("sweep: Redis is unreachable; lost jobs are looked for again on the next sweep: %s", exc)

    counts["work"] = storage.sweep_work(_work_is_live)
    counts["sources"] = actions.delete_expired_sources(now)
    counts["cache"] = storage.sweep_cache(CACHE_MAX_AGE_SECONDS)
    return counts


def _work_is_live(video_id: str, name: str) -> bool:
    """Whether the scratch folder ``name`` of a video belongs to a job that may still use it.

    A processing attempt's folder lives while the video runs that attempt; a render's
    while its clip renders that version; an enrichment job's (under the job's id) while
    the job runs that attempt; a storyboard's for a quarter of an hour. Anything else was left by a job that died (or
    by a finished video) and holds nothing worth keeping: partial renders, a hard link
    to a source that retention has since deleted. The folders are listed before this
    reads the database, and a job creates its folder only after claiming its work, so a
    folder made by a job that starts meanwhile is never mistaken for a dead one.
    """
    kind, _, rest = name.partition("-")
    if kind == "attempt":
        return Video.objects.filter(
            pk=video_id, status__in=Video.RUNNING, attempts=rest if rest.isdigit() else -1
        ).exclude(status=Video.Status.GENERATING_CLIPS).exists()
    if kind == "render":
        clip_id, _, version = rest.rpartition("-v")
        return Clip.objects.filter(
            pk=clip_id, video_id=video_id, status=Clip.Status.GENERATING,
            render_version=version if version.isdigit() else -1,
        ).exists()  # fmt: skip
    if kind == "enrich":
        from tracking.models import EnrichmentJob

        return EnrichmentJob.objects.filter(
            pk=video_id, status=EnrichmentJob.Status.RUNNING, attempt=rest if rest.isdigit() else -1
        ).exists()
    if kind == "storyboard":
        # Made inside a web request, which has no row to check: young folders are in use.
        return time.time() - _mtime(video_id, name) < STORYBOARD_MAX_SECONDS
    return False


def _mtime(owner: str, name: str) -> float:
    try:
        return (storage.work_root(owner) / name).stat().st_mtime
    except OSError:
        return 0.0
