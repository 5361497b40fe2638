"""Trend actions: discovery, enrichment jobs and storyboards, with their usage charges.

The only place that owns the trend features' transactions, charges and enqueues. Every
surface (viralcli's /v1 API, the dashboard) calls these and maps :class:`TrendError`
and :class:`accounts.actions.QuotaExceeded` to its own responses.

Charges follow the usage ledger's rules (:func:`accounts.actions.charge_usage`): the
request is validated first, the credit is charged before the work, and it is refunded
when the work fails on Clipsite's or the platform's side. A failure that is the
request's own (a private or removed video the user linked) keeps the charge.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import actions as accounts
from accounts.models import UsageEntry, Workspace
from clipsite import ratelimit
from clipsite.ids import new_id
from clipsite.queues import enqueue_on_commit
from pipeline.errors import PipelineError
from pipeline.trends import discovery as maths
from pipeline.trends import platforms
from pipeline.trends.platforms import (
    SEARCHABLE,
    NotAPlatformLink,
    PlatformError,
    VideoRef,
    get_provider,
    parse_video_link,
)
from tracking.errors import TrendError
from tracking.models import EnrichmentJob, Platform, PlatformVideo, Sighting, Signal, Snapshot, new_signal_id
from videos import storage

logger = logging.getLogger(__name__)

DISCOVERY = UsageEntry.Kind.DISCOVERY
ENRICHMENT = UsageEntry.Kind.ENRICHMENT
BREAKOUT_LIMIT = 20
JOB_TIMEOUT = 30 * 60
MAX_ATTEMPTS = 3
# What a client is told to wait when every slot is taken: enrichments take tens of seconds.
SLOT_RETRY_AFTER = 30
STORYBOARD_SLOT_SECONDS = 300


def provider(platform: str):
    """The engine's provider for ``platform``, paced across every process by Redis."""
    return get_provider(platform, settings.PIPELINE, pace=pace)


def pace(platform: str) -> None:
    """Wait for this platform's turn: at most one request per ``PLATFORM_MIN_INTERVAL`` across all processes."""
    ratelimit.pace(f"platform:{platform}", settings.PLATFORM_MIN_INTERVAL)


def parse_link(url: str) -> VideoRef:
    """The platform video ``url`` links to; :class:`TrendError` ``url_refused`` for any other link."""
    try:
        return parse_video_link(url)
    except NotAPlatformLink as exc:
        raise TrendError(TrendError.URL_REFUSED, exc.message) from None


def check_platform(workspace: Workspace, platform: str) -> None:
    """Refuse a platform the workspace's plan does not include (``platform_not_in_plan``)."""
    plan = workspace.plan
    if plan.allows_platform(platform):
        return
    included = ", ".join(Platform(p).label for p in plan.platforms if p in Platform.values) or "none"
    raise TrendError(
        TrendError.PLATFORM_NOT_IN_PLAN,
        f"{Platform(platform).label} is not included in the {plan.name} plan (it includes: {included}).",
    )


def check_searchable(platform: str) -> None:
    """Refuse a discovery on a platform that cannot be searched (``search_unsupported``)."""
    if platform in SEARCHABLE:
        return
    label = Platform(platform).label
    searchable = ", ".join(Platform(p).label for p in SEARCHABLE)
    raise TrendError(
        TrendError.SEARCH_UNSUPPORTED,
        f"{label} cannot be searched from Clipsite; discover on {searchable}, "
        f"or analyze {label} videos by their links.",
    )


# Discovery ---------------------------------------------------------------------------


def run_discovery(workspace: Workspace, seed: str, *, platform: str = Platform.YOUTUBE) -> Signal:
    """Search ``platform`` for ``seed`` and store the discovery as a signal; costs 1 discovery.

    Synchronous. Raises :class:`TrendError` (nothing charged: a platform not in the plan;
    charge refunded: the platform refused or failed) or
    :class:`accounts.actions.QuotaExceeded`.
    """
    check_searchable(platform)
    check_platform(workspace, platform)
    signal_id = new_signal_id()
    reference = f"discovery:{signal_id}"
    accounts.charge_usage(workspace, DISCOVERY, reference=reference, memo=seed[:100])
    try:
        candidates = provider(platform).search(seed, settings.DISCOVERY_RESULTS)
    except BaseException as exc:
        accounts.refund_usage(workspace, DISCOVERY, reference=reference, memo="the search failed")
        if isinstance(exc, PlatformError):
            raise TrendError.from_platform(exc) from None
        raise
    return store_signal(workspace, seed, platform, candidates, signal_id=signal_id)


def store_signal(workspace: Workspace, seed: str, platform: str, candidates: list, *, signal_id: str = "") -> Signal:
    """Compute the discovery of one search's ``candidates`` now and store it with the videos it met."""
    now = timezone.now()
    found = maths.discover(candidates, now, BREAKOUT_LIMIT, seed=seed)
    with transaction.atomic():
        signal = Signal.objects.create(
            id=signal_id or new_signal_id(), workspace=workspace, seed=seed, seed_key=Signal.key_of(seed),
            platform=platform, verdict=found.verdict, n=found.n, result=found.to_dict(), created_at=now,
        )  # fmt: skip
        for candidate in candidates:
            remember(workspace, candidate, now)
    return signal


def remember(workspace: Workspace, found, now: datetime | None = None) -> PlatformVideo:
    """Store what a search or an extraction said about a video: its row, a snapshot of its
    metrics (when the platform showed a view count) and the workspace's sighting.

    ``found`` is a discovery ``Candidate`` or an engine ``PlatformVideo``.
    """
    now = now or timezone.now()
    fields = {
        "url": found.url[:500],
        "title": found.title[:500],
        "creator": found.creator[:200],
        "thumbnail": found.thumbnail[:1000],
        "duration_sec": found.duration_sec,
        "uploaded_at": found.uploaded_at,
        "views": max(found.views, 0),
        "likes": found.likes,
        "comments": found.comments,
        "updated_at": now,
    }
    if isinstance(found, platforms.PlatformVideo):
        fields.update(caption=found.caption, language=found.language[:16],
                      heatmap=[point.to_dict() for point in found.heatmap])  # fmt: skip
    # A search may know less than an earlier extraction did: keep what it does not say.
    fields = {key: value for key, value in fields.items() if value not in (None, "")}
    with transaction.atomic():
        video = _upsert(found.platform, found.video_id, fields)
        if found.views > 0:
            Snapshot.objects.create(video=video, captured_at=now, views=found.views, likes=found.likes,
                                    comments=found.comments)  # fmt: skip
        see(workspace, video, now)
    return video


def _upsert(platform: str, video_id: str, fields: dict) -> PlatformVideo:
    for _ in range(2):
        updated = PlatformVideo.objects.filter(platform=platform, video_id=video_id).update(**fields)
        if updated:
            return PlatformVideo.objects.get(platform=platform, video_id=video_id)
        try:
            with transaction.atomic():
                return PlatformVideo.objects.create(platform=platform, video_id=video_id, **fields)
        except IntegrityError:
            continue  # created meanwhile by another request: update it
    raise RuntimeError(f"could not store {platform}:{video_id}")


def video_row(ref: VideoRef) -> PlatformVideo:
    """The stored row of the video ``ref`` (created bare, with only its link, if new)."""
    existing = PlatformVideo.objects.filter(platform=ref.platform, video_id=ref.video_id).first()
    return existing or _upsert(ref.platform, ref.video_id, {"url": ref.url[:500]})


def see(workspace: Workspace, video: PlatformVideo, now: datetime | None = None) -> None:
    """Record that ``workspace`` met ``video``, so it may read it back."""
    now = now or timezone.now()
    if not Sighting.objects.filter(workspace=workspace, video=video).update(last_seen_at=now):
        with contextlib.suppress(IntegrityError), transaction.atomic():
            Sighting.objects.create(workspace=workspace, video=video, first_seen_at=now, last_seen_at=now)


# Enrichment jobs ------------------------------------------------------------------------


def enrichment_job_id(job: EnrichmentJob) -> str:
    return f"enrich-{job.pk}"


def enqueue_enrichment(job: EnrichmentJob) -> None:
    enqueue_on_commit("default", "tracking.jobs.run_enrichment", job.pk, job_id=enrichment_job_id(job),
                      job_timeout=JOB_TIMEOUT)  # fmt: skip


def submit_analyze(workspace: Workspace, user, url: str, *, density: int = 9, full: bool = False) -> EnrichmentJob:
    """Queue the enrichment of the video ``url`` links to; costs 1 enrichment.

    A video whose cached enrichment covers the request (see :meth:`PlatformVideo.covers`)
    is answered at once: the job is created ``done`` and nothing is charged. Raises
    :class:`TrendError` (a link that is not a platform video, a platform not in the plan,
    all of the account's or the server's slots taken) or ``QuotaExceeded``.
    """
    ref = parse_link(url)
    check_platform(workspace, ref.platform)
    job = EnrichmentJob(workspace=workspace, submitted_by=user, kind=EnrichmentJob.Kind.ANALYZE,
                        platform=ref.platform, url=ref.url, density=density, full=full)  # fmt: skip
    cached = cached_video(ref, full)
    if cached is not None:
        now = timezone.now()
        with transaction.atomic():
            job.status, job.video, job.result = EnrichmentJob.Status.DONE, cached, cached.enrichment
            job.progress, job.started_at, job.finished_at = 100, now, now
            job.save()
            see(workspace, cached, now)
        return job
    return _queue(job, memo=f"analyze {ref.platform}:{ref.video_id}")


def cached_video(ref: VideoRef, full: bool) -> PlatformVideo | None:
    """The video ``ref`` if its cached enrichment answers a hook (or, with ``full``, a whole-video) request."""
    video = PlatformVideo.objects.filter(platform=ref.platform, video_id=ref.video_id).first()
    return video if video is not None and video.covers(full) else None


def submit_pipeline(workspace: Workspace, user, seed: str, *, platform: str = Platform.YOUTUBE) -> EnrichmentJob:
    """Queue discovery of ``seed`` then the enrichment of its top breakout; costs 1 enrichment."""
    check_searchable(platform)
    check_platform(workspace, platform)
    job = EnrichmentJob(workspace=workspace, submitted_by=user, kind=EnrichmentJob.Kind.PIPELINE,
                        platform=platform, seed=seed)  # fmt: skip
    return _queue(job, memo=f"pipeline {seed[:80]}")


def _queue(job: EnrichmentJob, *, memo: str) -> EnrichmentJob:
    workspace = job.workspace
    with transaction.atomic():
        # A no-op UPDATE takes the workspace's row lock first (the whole database on
        # SQLite), so two submits of one account cannot both take its last slot.
        Workspace.objects.filter(pk=workspace.pk).update(enrichment_used=F("enrichment_used"))
        limit = workspace.plan.concurrent_jobs
        if EnrichmentJob.objects.in_flight().filter(workspace=workspace).count() >= limit:
            raise TrendError(
                TrendError.TOO_MANY_JOBS,
                f"The {workspace.plan.name} plan runs {limit} enrichment job{'s' if limit != 1 else ''} at a time; "
                "wait for one to finish.",
                retry_after=SLOT_RETRY_AFTER,
            )
        if EnrichmentJob.objects.in_flight().count() >= settings.ENRICH_GLOBAL_MAX:
            raise TrendError(TrendError.BUSY, "The server is running as many enrichments as it can; try again shortly.",
                             retry_after=SLOT_RETRY_AFTER)  # fmt: skip
        job.save()
        accounts.charge_usage(workspace, ENRICHMENT, reference=job.usage_reference, memo=memo)
        EnrichmentJob.objects.filter(pk=job.pk).update(charged=True)
        job.charged = True
        enqueue_enrichment(job)
    return job


def claim_job(job_id: str) -> EnrichmentJob | None:
    """Move a queued job to ``running`` with the next attempt number; None when it is not queued."""
    now = timezone.now()
    claimed = EnrichmentJob.objects.filter(pk=job_id, status=EnrichmentJob.Status.QUEUED).update(
        status=EnrichmentJob.Status.RUNNING, attempt=F("attempt") + 1, started_at=now, heartbeat_at=now,
        stage="starting", progress=0,
    )  # fmt: skip
    if not claimed:
        return None
    return EnrichmentJob.objects.select_related("workspace__plan").get(pk=job_id)


def _holding(job: EnrichmentJob):
    """The job's row while ``job``'s attempt still holds it (the fencing token)."""
    return EnrichmentJob.objects.filter(pk=job.pk, attempt=job.attempt, status=EnrichmentJob.Status.RUNNING)


def report_progress(job: EnrichmentJob, percent: int, stage: str) -> None:
    _holding(job).update(progress=max(0, min(99, percent)), stage=stage[:64], heartbeat_at=timezone.now())


def record_enrichment(job: EnrichmentJob, found: platforms.PlatformVideo, enrichment: dict, transcript: str, kind: str,
                      words: dict | None) -> PlatformVideo:  # fmt: skip
    """Cache an enrichment on its video (shared by every account) and note the job's sighting."""
    now = timezone.now()
    with transaction.atomic():
        video = remember(job.workspace, found, now)
        PlatformVideo.objects.filter(pk=video.pk).update(
            transcript=transcript, transcript_kind=kind, transcript_words=words, enrichment=enrichment,
            enriched_at=now,
        )  # fmt: skip
        video.refresh_from_db()
    return video


def complete_job(job: EnrichmentJob, result: dict, video: PlatformVideo | None) -> bool:
    """Record the result of the attempt holding ``job``; False when another attempt took it over."""
    done = _holding(job).update(status=EnrichmentJob.Status.DONE, result=result, video=video, progress=100,
                                stage="done", finished_at=timezone.now())  # fmt: skip
    return bool(done)


def fail_job(job: EnrichmentJob, message: str, code: str, *, refund: bool, fenced: bool = True) -> bool:
    """End ``job`` with an error, refunding its credit when ``refund``; False when it had
    already ended or (``fenced``) another attempt holds it."""
    rows = _holding(job) if fenced else EnrichmentJob.objects.filter(pk=job.pk, status__in=EnrichmentJob.IN_FLIGHT)
    with transaction.atomic():
        ended = rows.update(status=EnrichmentJob.Status.ERROR, error=message[:2000], error_code=code[:32],
                            stage="error", finished_at=timezone.now())  # fmt: skip
        if ended and refund and job.charged:
            accounts.refund_usage(job.workspace, ENRICHMENT, reference=job.usage_reference, memo=code)
    return bool(ended)


def requeue_lost(job: EnrichmentJob) -> bool:
    """Give a running job whose worker died back to the queue (the sweep's retry)."""
    with transaction.atomic():
        requeued = _holding(job).update(status=EnrichmentJob.Status.QUEUED, stage="retrying")
        if requeued:
            enqueue_enrichment(job)
    return bool(requeued)


def refunds_on(code: str, kind: str) -> bool:
    """Whether a job that failed with ``code`` gets its credit back: always, unless the
    video the user linked was itself unavailable (private, removed)."""
    return not (kind == EnrichmentJob.Kind.ANALYZE and code == TrendError.VIDEO_UNAVAILABLE)


# Storyboards ------------------------------------------------------------------------------


def make_storyboard(workspace: Workspace, url: str, density: int) -> bytes:
    """A JPEG contact sheet of ``density`` keyframes of the video ``url`` links to; costs 1
    enrichment and is never stored.

    Runs in the request, under the account's concurrency limit. Raises
    :class:`TrendError` or ``QuotaExceeded`` like :func:`submit_analyze`.
    """
    from pipeline.trends.storyboard import contact_sheet

    ref = parse_link(url)
    check_platform(workspace, ref.platform)
    slot = f"storyboard:{workspace.pk}"
    if not ratelimit.acquire(slot, workspace.plan.concurrent_jobs, STORYBOARD_SLOT_SECONDS):
        raise TrendError(TrendError.TOO_MANY_JOBS, "Storyboards of this account are already being made; wait for one.",
                         retry_after=SLOT_RETRY_AFTER)  # fmt: skip
    reference = new_id("sb")
    folder = storage.work_root(reference) / "storyboard"
    try:
        memo = f"storyboard {ref.platform}:{ref.video_id}"
        accounts.charge_usage(workspace, ENRICHMENT, reference=reference, memo=memo)
        try:
            source = provider(ref.platform)
            found = source.video(ref)
            folder.mkdir(parents=True, exist_ok=True)
            preview = source.fetch_preview(found, folder)
            jpeg = contact_sheet(preview, density, settings.PIPELINE, duration=found.duration_sec)
        except BaseException as exc:
            code = getattr(exc, "code", "")
            if code != TrendError.VIDEO_UNAVAILABLE:
                accounts.refund_usage(workspace, ENRICHMENT, reference=reference, memo="the storyboard failed")
            if isinstance(exc, PlatformError):
                raise TrendError.from_platform(exc) from None
            if isinstance(exc, PipelineError):
                raise TrendError(TrendError.MEDIA_UNREADABLE, f"The video could not be read: {exc.message}") from None
            raise
        remember(workspace, found)
        return jpeg
    finally:
        ratelimit.release(slot)
        storage.remove_work(folder)
