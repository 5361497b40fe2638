"""Enqueueing RQ jobs once the current transaction commits.

A job enqueued inside a transaction could start before its rows are visible to the
worker, or run for rows that were rolled back; ``enqueue_on_commit`` waits for the
commit. Job ids are deterministic so the sweep can ask RQ whether a job is still alive.

The database, not Redis, records that work is due: a queued video, a generating clip.
Enqueueing is how that work reaches a worker quickly; when Redis is unreachable it is
skipped and logged, and the sweep (:func:`videos.jobs.sweep`) enqueues every such row
once Redis answers again.
"""

from __future__ import annotations

import contextlib
import logging

import django_rq
from django.db import transaction
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.utils import now as rq_now

from clipsite import outage

logger = logging.getLogger(__name__)

# Four missed heartbeats of a running job (see :func:`_abandoned`).
STARTED_JOB_STALE_SECONDS = 120
PENDING_STATUSES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def enqueue_on_commit(queue: str, func, *args, job_id: str, job_timeout: int, **kwargs) -> None:
    """Enqueue ``func`` once the current transaction commits; never raises for a Redis outage."""

    def enqueue():
        try:
            django_rq.get_queue(queue).enqueue(
                func,
                *args,
                job_id=job_id,
                job_timeout=job_timeout,
                result_ttl=3600,
                failure_ttl=7 * 86400,
                **kwargs,
            )
        except outage.ERRORS as exc:
            logger.warning("Redis is unreachable; job %s was not enqueued, the sweep will enqueue it: %s", job_id, exc)

    transaction.on_commit(enqueue)


def job_is_pending(queue: str, job_id: str) -> bool:
    """Whether RQ still holds ``job_id`` waiting or running (False once lost, failed or done).

    Raises one of :data:`clipsite.outage.ERRORS` when Redis is unreachable: then nobody
    knows, and the caller must not take the job for lost.
    """
    connection = django_rq.get_connection(queue)
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return False
    status = job.get_status(refresh=False)
    if status == JobStatus.STARTED and _abandoned(job):
        return False
    if status == JobStatus.QUEUED and _stranded(job, connection):
        return False
    return status in PENDING_STATUSES


def _abandoned(job: Job) -> bool:
    """Whether a "started" job has gone unstamped long enough that its worker must be dead.

    A worker stamps its running job's ``last_heartbeat`` every job-monitoring interval
    (30 s). A worker killed at the moment it took a job, or a Redis restored from a
    snapshot taken while the job ran, leaves the job "started" with nobody to finish it.
    """
    stamped = job.last_heartbeat or job.started_at
    return stamped is not None and (rq_now() - stamped).total_seconds() > STARTED_JOB_STALE_SECONDS


def _stranded(job: Job, connection) -> bool:
    """Whether a "queued" job has long left its queue without any worker marking it started.

    A worker moves a job id from the queue to RQ's intermediate list, then marks the job
    started. A worker killed in between, or a Redis restored from an append-only file that
    missed that last second, leaves the job "queued" in no queue; RQ itself only fails it
    at a worker's maintenance run, up to ten minutes later. A job that waits in its queue
    is found there; one enqueued this recently may be between the two steps.
    """
    if connection.lpos(Queue(job.origin, connection=connection).key, job.id) is not None:
        return False
    enqueued = job.enqueued_at
    return enqueued is not None and (rq_now() - enqueued).total_seconds() > STARTED_JOB_STALE_SECONDS


def cancel_job(queue: str, job_id: str) -> None:
    """Drop a waiting job, or ask a running one's worker to stop it; no-op when gone.

    Best effort: when Redis is unreachable the job stays, and stops by itself because
    its row no longer wants it (a claim is a conditional UPDATE on the row's state).
    """
    from rq.command import send_stop_job_command
    from rq.exceptions import InvalidJobOperation

    try:
        connection = django_rq.get_connection(queue)
        try:
            job = Job.fetch(job_id, connection=connection)
        except NoSuchJobError:
            return
        status = job.get_status(refresh=False)
        if status == JobStatus.STARTED:
            with contextlib.suppress(InvalidJobOperation):
                send_stop_job_command(connection, job_id)
        elif status in PENDING_STATUSES:
            job.cancel()
    except outage.ERRORS as exc:
        logger.warning("Redis is unreachable; job %s was not cancelled and will stop on its own: %s", job_id, exc)
