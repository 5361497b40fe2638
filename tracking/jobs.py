"""Worker jobs of the trend features: running an enrichment, and the sweep that recovers lost ones.

RQ delivers at least once and Redis can lose a queue, so the database is the record:
a job runs only after :func:`tracking.actions.claim_job` moved it from queued to running
with a new attempt number, and writes only while that attempt still holds it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from clipsite import outage
from clipsite.queues import job_is_pending
from pipeline.errors import PipelineError
from pipeline.trends.enrich import enrich
from pipeline.trends.platforms import PlatformError
from tracking import actions, watcher
from tracking.errors import TrendError
from tracking.models import EnrichmentJob
from videos import storage

logger = logging.getLogger(__name__)

# A running job reports progress at least this often; one silent for longer lost its worker.
STALE_SECONDS = 10 * 60
INTERNAL = "Something went wrong on our side while enriching the video. Your credit was refunded; try again."


def run_enrichment(job_id: str) -> None:
    """Run the enrichment job ``job_id`` if it is still queued (see the module docstring)."""
    job = actions.claim_job(job_id)
    if job is None:
        return
    folder = storage.work_root(job.pk) / f"enrich-{job.attempt}"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        result, video = _run(job, folder)
    except (PlatformError, TrendError) as exc:
        actions.fail_job(job, exc.message, exc.code, refund=actions.refunds_on(exc.code, job.kind))
    except PipelineError as exc:
        actions.fail_job(job, exc.message, "enrichment_failed", refund=True)
    except Exception:
        logger.exception("enrichment job %s failed", job.pk)
        actions.fail_job(job, INTERNAL, "internal_error", refund=True)
    else:
        actions.complete_job(job, result, video)
    finally:
        storage.remove_work(folder)


def _run(job: EnrichmentJob, folder):
    if job.kind == EnrichmentJob.Kind.PIPELINE:
        return _pipeline(job, folder)
    return _analyze(job, actions.parse_link(job.url), folder)


def _analyze(job: EnrichmentJob, ref, folder, *, low: int = 0, high: int = 100):
    """Enrich ``ref`` for ``job`` (or answer from the cache) and return (result, video)."""
    cached = actions.cached_video(ref, job.full)
    if cached is not None:
        actions.see(job.workspace, cached)
        return cached.enrichment, cached

    def progress(fraction: float, message: str = "") -> None:
        actions.report_progress(job, low + round((high - low) * fraction), message or "enriching")

    found = enrich(ref, settings.PIPELINE, folder, hook_seconds=settings.HOOK_SECONDS, full=job.full,
                   pace=actions.pace, progress=progress)  # fmt: skip
    result = found.result(timezone.now())
    words = found.words.to_dict() if found.words is not None else None
    video = actions.record_enrichment(job, found.video, result, found.transcript, found.transcript_kind, words)
    return result, video


def _pipeline(job: EnrichmentJob, folder):
    """Discovery of the job's seed, then the enrichment of its top breakout."""
    actions.report_progress(job, 5, "searching")
    candidates = actions.provider(job.platform).search(job.seed, settings.DISCOVERY_RESULTS)
    signal = actions.store_signal(job.workspace, job.seed, job.platform, candidates)
    breakouts = signal.result["breakouts"]
    if not breakouts:
        raise TrendError(TrendError.VIDEO_UNAVAILABLE, f"No dated videos were found for {job.seed!r}, so there is "
                         "no breakout to enrich. Your credit was refunded.")  # fmt: skip
    top = breakouts[0]
    ref = actions.parse_link(top["url"])
    enriched, video = _analyze(job, ref, folder, low=20, high=100)
    return {**signal.result, "signal_id": signal.pk, "enriched": enriched}, video


def sweep() -> dict[str, int]:
    """Retry or fail enrichment jobs whose worker died, and re-queue jobs Redis lost.

    - a running job silent for :data:`STALE_SECONDS` is queued again, or failed with a
      refund after :data:`tracking.actions.MAX_ATTEMPTS` attempts;
    - a queued job older than a minute with no job in RQ gets its job back.
    """
    now = timezone.now()
    counts = {"retried": 0, "failed": 0, "dispatched": 0}
    stale = now - timedelta(seconds=STALE_SECONDS)
    for job in EnrichmentJob.objects.filter(status=EnrichmentJob.Status.RUNNING, heartbeat_at__lt=stale):
        if job.attempt < actions.MAX_ATTEMPTS:
            counts["retried"] += actions.requeue_lost(job)
        else:
            message = (f"The enrichment stopped unexpectedly {job.attempt} times (the worker running it was lost). "
                       "Your credit was refunded; try again.")  # fmt: skip
            counts["failed"] += actions.fail_job(job, message, "worker_lost", refund=True)
    try:
        waiting = EnrichmentJob.objects.filter(status=EnrichmentJob.Status.QUEUED)
        for job in waiting.filter(created_at__lt=now - timedelta(minutes=1)):
            if not job_is_pending("default", actions.enrichment_job_id(job)):
                actions.enqueue_enrichment(job)
                counts["dispatched"] += 1
    except outage.ERRORS as exc:
        logger.warning("trend sweep: Redis is unreachable; lost jobs are looked for on the next sweep: %s", exc)
    return counts


def watch() -> dict[str, int]:
    """The watcher's tick: poll every due tracked item (see :func:`tracking.watcher.watch`)."""
    return watcher.watch()
