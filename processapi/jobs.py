"""The process API's periodic job: finished jobs are deleted after ``JOB_RETENTION_SECONDS``."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from clips.models import Clip
from videos import actions
from videos.models import Video


def delete_expired_jobs(now: datetime.datetime | None = None) -> int:
    """Delete the process API's videos that finished ``JOB_RETENTION_SECONDS`` or more
    before ``now``, with their clips and every file they stored; return how many.

    A video with a clip still rendering (a re-render asked for from the dashboard) is
    left for a later run. Its job id is then unknown: ``404 Job not found``.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=settings.JOB_RETENTION_SECONDS)
    expired = Video.objects.filter(
        submitted_via=Video.Via.PROCESS_API, status__in=Video.TERMINAL, finished_at__lte=cutoff
    ).exclude(clips__status__in=Clip.PENDING)
    count = 0
    for video in expired:
        actions.delete(video)
        count += 1
    return count
