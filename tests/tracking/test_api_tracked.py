"""viralcli's tracked items and trajectories under /v1/ ("Tracked items", "Videos & trajectory")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Plan
from tests.trends import recorded_youtube
from tracking import watcher
from tracking.models import PlatformVideo, Snapshot, TrackedItem

VIDEO_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
TIKTOK = "https://www.tiktok.com/@a/video/7301234567890123456"


@pytest.fixture
def v1(api_client, alice, key_for, clean_redis, settings):
    settings.PLATFORM_MIN_INTERVAL = 0
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(alice)}")
    return api_client


@pytest.fixture
def charlie_v1(charlie, key_for):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key_for(charlie))
    return client


def track(v1, **body):
    return v1.post("/v1/tracked-items", {"kind": "video", "ref": VIDEO_URL, "platform": "youtube",
                                         "interval_sec": 900, **body}, format="json")  # fmt: skip


def test_it_tracks_a_video_with_viralclis_shape_and_lists_it(v1, workspace):
    response = track(v1)
    assert response.status_code == 201, response.json()
    item = response.json()
    assert {"id", "kind", "ref", "platform", "interval_sec"} <= set(item)
    assert item["id"].startswith("ti_") and item["kind"] == "video" and item["ref"] == VIDEO_URL
    assert item["interval_sec"] == 900 and item["status"] == "active" and item["video_id"] == "dQw4w9WgXcQ"
    assert item["next_poll_at"] is not None and item["polls"] == 0
    assert [i["id"] for i in v1.get("/v1/tracked-items").json()] == [item["id"]]
    assert v1.get(f"/v1/tracked-items/{item['id']}").json()["id"] == item["id"]


def test_it_takes_a_bare_video_id_and_a_seed(v1):
    by_id = track(v1, ref="dQw4w9WgXcQ").json()
    assert by_id["video_id"] == "dQw4w9WgXcQ"
    seed = track(v1, kind="seed", ref="  cold   plunge ", interval_sec=3600).json()
    assert seed["kind"] == "seed" and seed["seed"] == "cold plunge" and seed["video_id"] is None


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [({"ref": "https://vimeo.com/1"}, 400, "url_refused"),
     ({"ref": TIKTOK}, 400, "url_refused"),
     ({"ref": TIKTOK, "platform": "tiktok"}, 403, "platform_not_in_plan"),
     ({"kind": "seed", "ref": "gadgets", "platform": "tiktok"}, 400, "search_unsupported")],
)  # fmt: skip
def test_it_refuses_what_it_cannot_track(v1, body, status, error):
    response = track(v1, **body)
    assert response.status_code == status and response.json()["error"] == error, response.json()
    assert not TrackedItem.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("interval_sec", 59), ("interval_sec", 86401), ("kind", "channel"),
                                               ("ref", ""), ("color", "red")])  # fmt: skip
def test_it_validates_fields_with_422(v1, field, value):
    response = track(v1, **{field: value})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", field]


def test_it_answers_402_past_the_plans_limit_and_409_for_a_duplicate(v1, workspace):
    assert track(v1).status_code == 201
    duplicate = track(v1, ref="https://youtu.be/dQw4w9WgXcQ")
    assert duplicate.status_code == 409 and duplicate.json()["error"] == "already_tracked"
    assert track(v1, ref="https://youtu.be/aaaaaaaaaaa").status_code == 201
    assert track(v1, kind="seed", ref="cold plunge").status_code == 201
    full = track(v1, ref="https://youtu.be/bbbbbbbbbbb")
    assert full.status_code == 402 and full.json()["error"] == "tracked_limit" and "3 items" in full.json()["detail"]
    workspace.plan = Plan.objects.get(slug="starter")
    workspace.save()
    assert track(v1, ref="https://youtu.be/bbbbbbbbbbb").status_code == 201


def test_it_deletes_with_204_and_hides_other_accounts_items(v1, charlie_v1):
    item_id = track(v1).json()["id"]
    assert charlie_v1.get(f"/v1/tracked-items/{item_id}").status_code == 404
    assert charlie_v1.delete(f"/v1/tracked-items/{item_id}").status_code == 404
    assert charlie_v1.get("/v1/tracked-items").json() == []
    assert v1.delete(f"/v1/tracked-items/{item_id}").status_code == 204
    assert v1.get(f"/v1/tracked-items/{item_id}").status_code == 404


def test_the_trajectory_of_a_polled_video(v1, charlie_v1, workspace, settings):
    item = TrackedItem.objects.get(pk=track(v1).json()["id"])
    # Three polls an hour apart: the recorded page's count, then two more readings.
    with recorded_youtube():
        token, claimed = watcher.claim_due(10)
        assert [i.pk for i in claimed] == [item.pk]
        assert watcher.poll(claimed[0], token)
    video = PlatformVideo.objects.get(video_id="dQw4w9WgXcQ")
    first = Snapshot.objects.get(video=video)
    for hours, extra in ((1, 4_000), (2, 10_000)):
        Snapshot.objects.create(video=video, captured_at=first.captured_at + timedelta(hours=hours),
                                views=first.views + extra)  # fmt: skip
    body = v1.get("/v1/videos/youtube/dQw4w9WgXcQ/trajectory").json()
    assert body["platform"] == "youtube" and body["video_id"] == "dQw4w9WgXcQ"
    assert [s["views"] for s in body["snapshots"]] == [first.views, first.views + 4_000, first.views + 10_000]
    metrics = body["metrics"]
    assert metrics["n"] == 3 and metrics["true_vpd"] == pytest.approx(6_000 * 24)
    assert metrics["accel"] == pytest.approx((6_000 - 4_000) * 24 * 24)
    assert metrics["peaking"] is False and metrics["lifetime_vpd"] > 0
    # Readings older than the plan's 7-day history are left out.
    Snapshot.objects.filter(pk=first.pk).update(captured_at=timezone.now() - timedelta(days=8))
    assert len(v1.get("/v1/videos/youtube/dQw4w9WgXcQ/trajectory").json()["snapshots"]) == 2
    assert charlie_v1.get("/v1/videos/youtube/dQw4w9WgXcQ/trajectory").status_code == 404
