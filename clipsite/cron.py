"""Periodic jobs, loaded by ``manage.py rqcron clipsite.cron`` (RQ's cron scheduler).

Each job is idempotent, so a missed or doubled tick does no harm.
"""

from rq import cron

from accounts import jobs as account_jobs
from processapi import jobs as process_jobs
from tracking import jobs as tracking_jobs
from videos import jobs as video_jobs
from webhooks import jobs as webhook_jobs

# Hourly is often enough for a 30-day cycle and bounds how late a reset can be.
cron.register(account_jobs.reset_monthly_minutes, "default", interval=3600, job_timeout=600)
# Every minute: retry or fail work whose worker died, re-queue lost jobs, expire sources.
cron.register(video_jobs.sweep, "default", interval=60, job_timeout=300)
# Every minute: send due webhook retries and recover deliveries whose worker died.
cron.register(webhook_jobs.sweep, "default", interval=60, job_timeout=300)
# Every minute: retry or fail enrichment jobs whose worker died, re-queue lost ones.
cron.register(tracking_jobs.sweep, "default", interval=60, job_timeout=300)
# Every minute: poll the tracked items that are due (each item sets its own cadence).
cron.register(tracking_jobs.watch, "default", interval=60, job_timeout=300)
# Every minute: delete the process API's jobs finished JOB_RETENTION_SECONDS ago, and their files.
cron.register(process_jobs.delete_expired_jobs, "default", interval=60, job_timeout=300)
