"""Redis down: work is recorded in the database and dispatched by the sweep once Redis is
back, requests that do not need Redis are served, those that do answer 503, and a failed
video's clips are never rendered (issue 11, finding 3).

Submitting during an outage answers 201 with the video queued and no job: the row is the
record that the work is due, so refusing it would only make the client retry what the
sweep does anyway.
"""

from __future__ import annotations

import json
from datetime import timedelta

import django_rq
import pytest
from django.test import Client
from django.utils import timezone

from clips import actions as clip_actions
from clips import jobs as clip_jobs
from clips.models import Clip
from clipsite import outage
from tests.workers import run_workers
from videos import actions, jobs
from videos.models import Video

pytestmark = pytest.mark.django_db(transaction=True)

SOURCE_URL = "http://127.0.0.1:9/talk.mp4"


@pytest.fixture
def alice_api(api_client, alice, key_for):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(alice)}")
    return api_client


def submit(client, **headers):
    body = json.dumps({"url": SOURCE_URL})
    return client.post("/api/videos/url", body, content_type="application/json", **headers)


def queued_job_ids(queue: str) -> list[str]:
    return django_rq.get_queue(queue).get_job_ids()


def age(video: Video) -> None:
    """Make a queued video old enough for the sweep, which leaves fresh ones to their own enqueue."""
    Video.objects.filter(pk=video.pk).update(created_at=timezone.now() - timedelta(minutes=10))


def test_it_records_a_submit_while_redis_is_down_and_the_sweep_dispatches_it(alice_api, redis_outage):
    redis_outage.kill()
    response = submit(alice_api)
    assert response.status_code == 201, response.content
    video = Video.objects.get(pk=response.json()["video"]["id"])
    assert video.status == Video.Status.QUEUED

    redis_outage.start()
    assert queued_job_ids("default") == []  # the outage kept the job from the queue
    age(video)
    assert jobs.sweep()["dispatched"] == 1
    assert queued_job_ids("default") == [actions.process_job_id(video.pk)]


def test_it_answers_the_account_while_redis_is_down(alice_api, redis_outage):
    redis_outage.kill()
    response = alice_api.get("/api/account")  # the per-IP and per-workspace limits fail open
    assert response.status_code == 200, response.content
    health = Client().get("/healthz")
    assert health.status_code == 503 and health.json()["checks"] == {"database": "ok", "redis": "error"}


def test_it_answers_503_with_retry_after_to_an_idempotent_post_while_redis_is_down(alice_api, redis_outage):
    redis_outage.kill()
    response = submit(alice_api, HTTP_IDEMPOTENCY_KEY="first-try")
    assert response.status_code == 503
    assert int(response["Retry-After"]) == outage.RETRY_AFTER_SECONDS
    assert response.json() == {"error": "service_unavailable", "detail": outage.DETAIL}
    assert not Video.objects.exists()

    redis_outage.start()
    assert submit(alice_api, HTTP_IDEMPOTENCY_KEY="first-try").status_code == 201


def test_it_shows_a_503_page_when_a_page_needs_redis_while_it_is_down(client, alice, redis_outage):
    alice.is_staff = alice.is_superuser = True
    alice.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(alice)
    assert client.get("/admin/django_rq/dashboard/").status_code == 200
    redis_outage.kill()
    response = client.get("/admin/django_rq/dashboard/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) == outage.RETRY_AFTER_SECONDS
    assert outage.DETAIL in response.content.decode()


def test_it_fails_the_pending_clips_with_their_video_and_drops_their_jobs(finished_video, redis_outage):
    Video.objects.filter(pk=finished_video.pk).update(status=Video.Status.GENERATING_CLIPS)
    done, rendering, waiting = finished_video.clips.order_by("rank")
    Clip.objects.filter(pk=rendering.pk).update(status=Clip.Status.GENERATING, render_version=2)
    Clip.objects.filter(pk=waiting.pk).update(status=Clip.Status.DETECTED)
    rendering.refresh_from_db()
    clip_actions.enqueue_render(rendering)
    assert queued_job_ids("render") == [clip_actions.render_job_id(rendering)]

    assert actions.fail(finished_video, "Processing failed.", code="internal_error")
    statuses = dict(finished_video.clips.values_list("pk", "status"))
    assert statuses == {done.pk: "completed", rendering.pk: "failed", waiting.pk: "failed"}
    rendering.refresh_from_db()
    assert rendering.error and rendering.error_message == clip_actions.VIDEO_FAILED
    assert queued_job_ids("render") == []
    # A job that escaped the cancel (Redis was down, say) stops without rendering anything.
    assert clip_jobs.render_clip(rendering.pk, rendering.render_version) == "stale"


def test_it_never_renders_a_clip_left_generating_under_a_failed_video(finished_video, redis_outage):
    # What the old code left behind: the video failed and was refunded, its clip still waits.
    Video.objects.filter(pk=finished_video.pk).update(status=Video.Status.FAILED, minutes_refunded=2)
    clip = finished_video.clips.get(rank=1)
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.GENERATING, render_version=2)
    assert clip_jobs.render_clip(clip.pk, 2) == "stale"

    jobs.sweep()
    assert queued_job_ids("render") == []
    clip.refresh_from_db()
    assert clip.status == Clip.Status.FAILED and clip.error_message == clip_actions.VIDEO_FAILED
    assert clip.file.name.endswith("-v1.mp4")  # the file it had is left alone


@pytest.mark.slow
def test_it_keeps_a_video_whose_renders_could_not_be_enqueued_and_the_sweep_renders_them(
    redis_outage, alice, workspace, submit_talk
):
    video = submit_talk(workspace, alice)
    redis_outage.kill()
    # The processing job runs here while Redis is down, so its render enqueues fail.
    assert jobs.process_video(video.pk) == Video.Status.GENERATING_CLIPS
    video.refresh_from_db()
    assert video.status == Video.Status.GENERATING_CLIPS and video.minutes_charged == 1, video.error_message
    assert set(video.clips.values_list("status", flat=True)) == {Clip.Status.GENERATING}

    redis_outage.start()
    assert jobs.sweep()["renders"] == video.clips.count() == 2
    run_workers(1, queues=("render",), prefix="after-outage")
    video.refresh_from_db()
    assert video.status == Video.Status.COMPLETED, video.error_message
    assert set(video.clips.values_list("status", flat=True)) == {Clip.Status.COMPLETED}
    assert video.minutes_charged == 1 and video.minutes_refunded == 0
