"""MAX_CONCURRENT_JOBS through the one dispatcher, and JOB_RETENTION_SECONDS through the cleanup job."""

from __future__ import annotations

import datetime

import django_rq
import pytest
from django.core.files.storage import default_storage

from accounts.models import Plan
from clips.models import Clip
from processapi.jobs import delete_expired_jobs
from videos import actions
from videos.config import validate_config
from videos.models import Video


@pytest.fixture
def business(workspace):
    """alice's workspace on a plan with ten job slots, so only the process API's cap binds."""
    workspace.plan = Plan.objects.get(slug="business")
    workspace.save()
    return workspace


def submit(workspace, user, name: str, via: str) -> Video:
    return actions.submit_video(workspace, user, config=validate_config({}), url=f"https://example.com/{name}.mp4",
                                via=via)  # fmt: skip


def queued_ids() -> list[str]:
    return django_rq.get_queue("default").get_job_ids()


def test_it_runs_at_most_max_concurrent_jobs_of_the_process_api_and_queues_the_rest(
    business, alice, settings, clean_redis, django_capture_on_commit_callbacks
):
    settings.MAX_CONCURRENT_JOBS = 1
    first = submit(business, alice, "first", Video.Via.PROCESS_API)
    second = submit(business, alice, "second", Video.Via.PROCESS_API)
    native = submit(business, alice, "native", Video.Via.CLIPSITE)
    later = submit(business, alice, "later", Video.Via.CLIPSITE)

    assert actions.claim(first.pk) is not None
    assert actions.claim(second.pk) is None  # the process API's one slot is busy
    assert actions.claim(native.pk) is not None  # the plan's slots are not
    second.refresh_from_db()
    assert second.status == Video.Status.QUEUED

    django_rq.get_queue("default").empty()
    with django_capture_on_commit_callbacks(execute=True):
        actions.fail(native, "Stopped for the test.")
    # A freed plan slot goes to the next video that can start, not to the waiting process job.
    assert queued_ids() == [actions.process_job_id(later.pk)]

    django_rq.get_queue("default").empty()
    with django_capture_on_commit_callbacks(execute=True):
        actions.fail(first, "Stopped for the test.")
    assert queued_ids() == [actions.process_job_id(second.pk)]
    assert actions.claim(second.pk) is not None


def finish(video: Video, at: datetime.datetime, via: str = Video.Via.PROCESS_API) -> None:
    Video.objects.filter(pk=video.pk).update(submitted_via=via, finished_at=at)


def test_it_deletes_a_finished_job_and_its_files_after_job_retention_seconds(alice_api, finished_video, settings):
    settings.JOB_RETENTION_SECONDS = 3600
    finished_at = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=datetime.UTC)
    finish(finished_video, finished_at)
    names = [finished_video.source_file.name, *(c.file.name for c in finished_video.clips.all())]

    assert delete_expired_jobs(now=finished_at + datetime.timedelta(seconds=3599)) == 0
    assert alice_api.get(f"/api/status/{finished_video.public_uuid}").status_code == 200

    assert delete_expired_jobs(now=finished_at + datetime.timedelta(seconds=3600)) == 1
    assert not Video.objects.filter(pk=finished_video.pk).exists()
    assert not Clip.objects.filter(video_id=finished_video.pk).exists()
    assert not any(default_storage.exists(name) for name in names)
    response = alice_api.get(f"/api/status/{finished_video.public_uuid}")
    assert response.status_code == 404 and response.json() == {"detail": "Job not found"}


def test_it_keeps_other_videos_and_jobs_still_rendering(finished_video, settings):
    settings.JOB_RETENTION_SECONDS = 60
    finished_at = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=datetime.UTC)
    later = finished_at + datetime.timedelta(days=30)
    finish(finished_video, finished_at, via=Video.Via.CLIPSITE)
    assert delete_expired_jobs(now=later) == 0  # submitted elsewhere: Clipsite's own retention applies

    finish(finished_video, finished_at)
    finished_video.clips.filter(rank=1).update(status=Clip.Status.GENERATING, recompiling=True)
    assert delete_expired_jobs(now=later) == 0  # a re-render is reading its source
    assert Video.objects.filter(pk=finished_video.pk).exists()
