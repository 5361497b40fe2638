"""Events fired by the state changes themselves: their payloads, who hears them, and exactly once.

The fan-in and the renders are driven through the real actions on a fixture video (no
media processing); one test kills a real RQ worker in the middle of a delivery.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import django_rq
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.test import Client

from clips import actions as clip_actions
from clips.models import Clip
from tests.webhooks import assert_signed
from tests.workers import kill_worker, run_workers, start_worker
from tracking.models import TrackedItem
from videos import actions as video_actions
from videos.models import Video
from webhooks import actions, jobs
from webhooks.models import Delivery, Endpoint, Event, EventType

TRANSACTIONAL = pytest.mark.django_db(transaction=True)
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def rendering(finished_video, settings):
    """The fixture video back in ``generating_clips``, its clips done: ready for the fan-in."""
    settings.SITE_URL = SITE
    Video.objects.filter(pk=finished_video.pk).update(status=Video.Status.GENERATING_CLIPS, progress=60)
    return finished_video


def delivered_types(endpoint: Endpoint) -> list[str]:
    return list(endpoint.deliveries.order_by("id").values_list("event__type", flat=True))


def start_render(clip: Clip) -> Clip:
    """The clip rendering a new version, as a re-render leaves it."""
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.GENERATING, render_version=F("render_version") + 1)
    clip.refresh_from_db()
    return clip


@pytest.mark.django_db
def test_it_sends_video_completed_with_the_clips_and_links(rendering, subscribe):
    endpoint, _ = subscribe("https://hooks.example/clipsite")

    clip_actions.finish_video_if_done(rendering)

    event = Event.objects.get()
    assert (event.type, event.workspace_id, event.video_id) == ("video.completed", rendering.workspace_id, rendering.pk)
    rendering.refresh_from_db()
    assert event.payload == {
        "video_id": rendering.pk, "title": "Money talk", "status": "completed", "duration": 120.0,
        "finished_at": rendering.finished_at.isoformat(), "clip_count": 3,
        "clips": [{"clip_id": c.pk, "rank": c.rank, "title": c.title, "score": c.score, "status": "completed"}
                  for c in rendering.clips.order_by("rank")],
        "links": {"api": f"{SITE}/api/videos/{rendering.pk}", "clips": f"{SITE}/api/videos/{rendering.pk}/clips",
                  "dashboard": f"{SITE}/videos/{rendering.pk}/"},
    }  # fmt: skip
    assert delivered_types(endpoint) == ["video.completed"]


@pytest.mark.django_db
def test_it_sends_video_failed_with_the_error_and_no_clip_failed_for_the_clips_it_drops(rendering, subscribe):
    endpoint, _ = subscribe("https://hooks.example/clipsite")
    start_render(rendering.clips.get(rank=2))

    assert video_actions.fail(rendering, "No clip could be rendered: the encoder crashed.", code="render_failed")

    event = Event.objects.get()
    assert event.type == "video.failed"
    assert event.payload["status"] == "failed"
    assert event.payload["error"] == {
        "code": "render_failed", "message": "No clip could be rendered: the encoder crashed."}  # fmt: skip
    assert "clips" not in event.payload
    assert delivered_types(endpoint) == ["video.failed"]
    # Failing it again changes nothing and fires nothing.
    assert not video_actions.fail(rendering, "again")
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_it_sends_clip_ready_with_scores_and_a_signed_download_that_works(rendering, subscribe):
    endpoint, _ = subscribe("https://hooks.example/clipsite")
    clip = start_render(rendering.clips.get(rank=1))
    rendered = default_storage.save(f"videos/{rendering.pk}/clips/{clip.pk}-v2.mp4", ContentFile(b"rendered v2"))
    thumbnail = default_storage.save(f"videos/{rendering.pk}/clips/{clip.pk}-v2.jpg", ContentFile(b"\xff\xd8v2"))

    assert clip_actions.finish_render(clip, file_name=rendered, thumbnail_name=thumbnail, width=1080, height=1920,
                                      layout="face")  # fmt: skip

    ready = Event.objects.get(type="clip.ready")
    data = ready.payload
    assert {k: data[k] for k in ("clip_id", "video_id", "rank", "title", "status", "render_version", "score")} == {
        "clip_id": clip.pk, "video_id": rendering.pk, "rank": 1, "title": "Clip 1", "status": "completed",
        "render_version": 2, "score": 91}  # fmt: skip
    assert data["scores"] == {"hook": 86, "pacing": 60, "completeness": 70, "shareability": 80}
    assert (data["start"], data["end"], data["duration"], data["width"], data["height"]) == (10.0, 40.0, 30.0, 1080,
                                                                                              1920)  # fmt: skip
    assert data["links"]["api"] == f"{SITE}/api/clips/{clip.pk}"
    for link, content in ((data["links"]["download"], b"rendered v2"), (data["links"]["thumbnail"], b"\xff\xd8v2")):
        assert link.startswith(f"{SITE}/media/signed/")
        answer = Client().get(urlsplit(link).path)
        assert answer.status_code == 200 and b"".join(answer.streaming_content) == content
    assert "links_expire_at" in data
    # Its last clip done, the video completed too: one event each, in that order.
    assert delivered_types(endpoint) == ["clip.ready", "video.completed"]


@pytest.mark.django_db
def test_it_sends_clip_failed_with_the_render_error(rendering, subscribe):
    endpoint, _ = subscribe("https://hooks.example/clipsite", event_types=["clip.failed"])
    clip = start_render(rendering.clips.get(rank=3))

    assert clip_actions.finish_render(clip, error_message="Rendering stopped unexpectedly twice.")
    # A render job that runs again finds its render recorded and fires nothing.
    assert not clip_actions.finish_render(clip, error_message="Rendering stopped unexpectedly twice.")

    event = Event.objects.get()
    assert event.type == "clip.failed"
    assert event.payload["error"] == {"message": "Rendering stopped unexpectedly twice."}
    assert "download" not in event.payload["links"] and "score" not in event.payload
    assert delivered_types(endpoint) == ["clip.failed"]


@pytest.mark.django_db
def test_it_sends_each_endpoint_only_the_events_it_subscribed_to_for_its_scope(
    rendering, subscribe, workspace, alice, charlie
):
    other = Video.objects.create(workspace=workspace, submitted_by=alice, source_kind="url", title="Other talk")
    every = subscribe("https://hooks.example/every")[0]
    this_video = subscribe("https://hooks.example/this", video=rendering)[0]
    other_video = subscribe("https://hooks.example/other", video=other)[0]
    failures = subscribe("https://hooks.example/failures", event_types=["video.failed", "clip.failed"])[0]
    disabled = actions.update_endpoint(subscribe("https://hooks.example/off")[0], enabled=False)
    item, other_item = (
        TrackedItem.objects.create(workspace=workspace, kind="seed", ref=seed, seed=seed, platform="youtube",
                                   interval_sec=900) for seed in ("a", "b")
    )  # fmt: skip
    tracked = subscribe("https://hooks.example/tracked", tracked_item_id=item.pk)[0]
    outsider = actions.create_endpoint(charlie.memberships.get().workspace, charlie,
                                       url="https://hooks.example/charlie", event_types=["*"])[0]  # fmt: skip

    clip_actions.finish_video_if_done(rendering)
    actions.emit(workspace.pk, EventType.BREAKOUT, {"true_vpd": 120000}, tracked_item_id=item.pk)
    actions.emit(workspace.pk, EventType.PEAKING, {"true_vpd": 90000}, tracked_item_id=other_item.pk)

    assert delivered_types(every) == ["video.completed", "breakout", "peaking"]
    assert delivered_types(this_video) == ["video.completed"]
    assert delivered_types(tracked) == ["breakout"]
    for deaf in (other_video, failures, disabled, outsider):
        assert delivered_types(deaf) == []


@pytest.mark.django_db
def test_it_writes_no_event_when_nobody_listens_or_the_change_rolls_back(rendering, subscribe):
    assert video_actions.complete(rendering)
    assert not Event.objects.exists()

    Video.objects.filter(pk=rendering.pk).update(status=Video.Status.GENERATING_CLIPS)
    subscribe("https://hooks.example/clipsite")
    with pytest.raises(RuntimeError), transaction.atomic():
        video_actions.complete(rendering)
        raise RuntimeError("the transaction fails after the state change")

    assert not Event.objects.exists() and not Delivery.objects.exists()
    rendering.refresh_from_db()
    assert rendering.status == Video.Status.GENERATING_CLIPS


@TRANSACTIONAL
def test_it_fires_one_video_completed_when_the_fan_in_runs_twice(rendering, subscribe, clean_redis):
    subscribe("https://hooks.example/clipsite")

    clip_actions.finish_video_if_done(rendering)
    clip_actions.finish_video_if_done(rendering)
    assert not video_actions.complete(rendering)

    [event] = Event.objects.filter(type=EventType.VIDEO_COMPLETED)
    [delivery] = event.deliveries.all()
    assert django_rq.get_queue("default").get_job_ids() == [f"webhook-{delivery.pk}-1"]


@TRANSACTIONAL
def test_it_sends_the_same_event_again_after_its_worker_is_killed_mid_delivery(rendering, subscribe, receiver,
                                                                               clean_redis, tmp_path):  # fmt: skip
    _, secret = subscribe(receiver.url())
    receiver.answer(hold=True).answer(200)  # the first request is held open, the next one answered
    clip_actions.finish_video_if_done(rendering)
    delivery = Delivery.objects.get()

    worker = start_worker("webhook-killed", ("default",), burst=False, log_dir=tmp_path)
    try:
        receiver.wait_for(1, timeout=60)
    finally:
        kill_worker(worker)
    receiver.release()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sending", 1)

    # A minute later the sweep takes the attempt for lost and a worker sends it again.
    Delivery.objects.filter(pk=delivery.pk).update(last_attempt_at=F("last_attempt_at") - timedelta(seconds=61))
    assert jobs.sweep()["recovered"] == 1
    run_workers(1, ("default",))

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    killed, sent = receiver.received
    assert killed.headers["webhook-id"] == sent.headers["webhook-id"] == str(Event.objects.get().id)
    assert killed.body == sent.body
    assert_signed(sent, secret)
    assert Event.objects.filter(type=EventType.VIDEO_COMPLETED).count() == 1
