"""Enqueueing RQ jobs once the current transaction commits.

A job enqueued inside a transaction could start before its rows are visible to the
worker, or run for rows that were rolled back; ``enqueue_on_commit`` waits for the
commit. Job ids are deterministic so the sweep can ask RQ whether a job is still alive.
"""

from __future__ import annotations

import contextlib

import django_rq
from django.db import transaction
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

PENDING_STATUSES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def enqueue_on_commit(queue: str, func, *args, job_id: str, job_timeout: int, **kwargs) -> None:
    def enqueue():
        django_rq.get_queue(queue).enqueue(
            func,
            *args,
            job_id=job_id,
            job_timeout=job_timeout,
            result_ttl=3600,
            failure_ttl=7 * 86400,
            **kwargs,
        )

    transaction.on_commit(enqueue)


def job_is_pending(queue: str, job_id: str) -> bool:
    """Whether RQ still holds ``job_id`` waiting or running (False once lost, failed or done)."""
    connection = django_rq.get_connection(queue)
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return False
    return job.get_status(refresh=False) in PENDING_STATUSES


def cancel_job(queue: str, job_id: str) -> None:
    """Drop a waiting job, or ask a running one's worker to stop it; no-op when gone."""
    from rq.command import send_stop_job_command
    from rq.exceptions import InvalidJobOperation

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
