"""viralcli's discovery half under /v1/: account, discovery, signals, videos.

YouTube is answered from recorded yt-dlp answers at the provider's one edge
(tests/trends.py); everything from the parsing on runs for real.
"""

from __future__ import annotations

import pytest

from accounts.actions import charge_usage
from accounts.models import Plan, UsageEntry
from tests.pipeline.platform_fakes import answering, http_error, ytdlp_failure
from tracking.models import PlatformVideo, Signal


@pytest.fixture
def v1(api_client, alice, key_for, clean_redis):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(alice)}")
    return api_client


@pytest.fixture
def charlie_v1(charlie, key_for):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key_for(charlie))
    return client


def discover(v1, seed="blind test", **extra):
    return v1.post("/v1/discovery", {"seed": seed, **extra}, format="json")


def test_it_answers_the_account_with_viralclis_shape(v1, workspace):
    body = v1.get("/v1/account").json()
    assert body["account_id"] == workspace.pk and body["plan"] == "free"
    assert body["limits"] == {"discovery": 25, "enrich": 50, "tracked": 3, "concurrency": 1, "rate_per_min": 30,
                              "platforms": ["youtube"], "history_days": 7}  # fmt: skip
    assert body["usage"] == {"discovery_used": 0, "enrich_used": 0}


def test_it_runs_a_discovery_charges_one_call_and_stores_the_signal(v1, youtube, workspace):
    response = discover(v1)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["seed"] == "blind test" and body["n"] == 20
    assert body["verdict"] in {"HEATING", "STEADY", "SATURATING", "INSUFFICIENT_DATA"}
    assert [band["band"] for band in body["adoption_histogram"]] == ["0-7d", "7-30d", "30-90d", "90-365d", "365d+"]
    assert sum(band["n"] for band in body["adoption_histogram"]) + body["undated"] == 20
    vpds = [b["views_per_day"] for b in body["breakouts"]]
    assert vpds == sorted(vpds, reverse=True) and len(vpds) > 0
    assert {"id", "title", "views_per_day", "age_days", "views"} <= set(body["breakouts"][0])
    assert youtube.calls == [("ytsearch50:blind test", True)]
    workspace.refresh_from_db()
    assert workspace.discovery_used == 1
    assert UsageEntry.objects.get(workspace=workspace).reference == f"discovery:{body['signal_id']}"
    signal = Signal.objects.get(pk=body["signal_id"])
    assert signal.verdict == body["verdict"] and signal.workspace == workspace
    assert v1.get("/v1/account").json()["usage"]["discovery_used"] == 1


def test_it_replays_a_seeds_signals_oldest_first(v1, youtube):
    first = discover(v1, "Blind  Test").json()
    second = discover(v1, "blind test").json()
    discover(v1, "another seed")
    body = v1.get("/v1/signals", {"seed": "BLIND TEST"}).json()
    assert body["seed"] == "BLIND TEST"
    assert [s["signal_id"] for s in body["signals"]] == [first["signal_id"], second["signal_id"]]
    assert body["signals"][1]["verdict"] == second["verdict"]
    assert body["signals"][1]["breakouts"] == second["breakouts"]
    assert len(v1.get("/v1/signals").json()["signals"]) == 3


def test_it_serves_the_videos_an_account_has_seen_and_no_others(v1, charlie_v1, youtube):
    breakout = discover(v1).json()["breakouts"][0]
    response = v1.get(f"/v1/videos/youtube/{breakout['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["video_id"] == breakout["id"] and body["title"] == breakout["title"]
    assert body["transcript"] == "" and body["transcript_kind"] is None
    assert [s["views"] for s in body["snapshots"]] == [breakout["views"]]
    assert body["snapshots"][0]["views_per_day"] == pytest.approx(breakout["views_per_day"], rel=0.01)
    # The same public video, never met by charlie's account: no existence leak.
    assert charlie_v1.get(f"/v1/videos/youtube/{breakout['id']}").status_code == 404
    assert v1.get("/v1/videos/youtube/unknownvid1").status_code == 404
    assert PlatformVideo.objects.filter(video_id=breakout["id"]).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "seed"), ({"seed": ""}, "seed"), ({"seed": "x" * 201}, "seed"), ({"seed": "a", "limit": 3}, "limit"),
     ({"seed": "a", "platform": "vimeo"}, "platform")],
)  # fmt: skip
def test_it_validates_the_body_before_spending_anything(v1, youtube, workspace, body, field):
    response = v1.post("/v1/discovery", body, format="json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert youtube.calls == [] and not UsageEntry.objects.exists()


def test_it_refuses_a_platform_outside_the_plan_with_403(v1, youtube, workspace):
    response = v1.post("/v1/analyze", {"url": "https://www.tiktok.com/@maker/video/7301234567890123456"},
                       format="json")  # fmt: skip
    assert response.status_code == 403
    assert response.json()["error"] == "platform_not_in_plan" and "Free" in response.json()["detail"]
    assert not UsageEntry.objects.exists()


def test_it_answers_402_once_the_monthly_quota_is_spent(v1, youtube, workspace):
    charge_usage(workspace, UsageEntry.Kind.DISCOVERY, 25, reference="earlier")
    response = discover(v1)
    assert response.status_code == 402
    assert response.json()["error"] == "quota_exceeded" and "25 of its 25" in response.json()["detail"]
    assert youtube.calls == [] and not Signal.objects.exists()


def test_it_refunds_a_discovery_the_platform_refused_and_says_when_to_retry(v1, workspace, settings, clean_redis):
    settings.PLATFORM_MIN_INTERVAL = 0
    refusal = ytdlp_failure("youtube", "HTTP Error 429: Too Many Requests",
                            cause=http_error(429, {"Retry-After": "120"}))  # fmt: skip
    with answering("youtube", refusal):
        response = discover(v1)
    assert response.status_code == 503
    assert response.json()["error"] == "platform_refused" and response["Retry-After"] == "120"
    assert "HTTP Error" not in response.json()["detail"]
    workspace.refresh_from_db()
    assert workspace.discovery_used == 0
    assert sorted(UsageEntry.objects.values_list("reason", flat=True)) == ["charge", "refund"]


def test_it_refuses_discovery_where_the_platform_cannot_be_searched(v1, workspace, settings, clean_redis):
    settings.PLATFORM_MIN_INTERVAL = 0
    workspace.plan = Plan.objects.get(slug="pro")
    workspace.save()
    # Instagram is in the plan, but has no search yt-dlp can use: refused before any charge.
    for platform in ("instagram", "tiktok"):
        response = discover(v1, platform=platform)
        assert response.status_code == 400 and response.json()["error"] == "search_unsupported"
        assert "analyze" in response.json()["detail"]
        pipeline = v1.post("/v1/pipeline", {"seed": "a", "platform": platform}, format="json")
        assert pipeline.status_code == 400 and pipeline.json()["error"] == "search_unsupported"
    assert not UsageEntry.objects.exists()


def test_it_keeps_signals_within_the_plans_history_window(v1, youtube, workspace):
    from datetime import timedelta

    from django.utils import timezone

    old = discover(v1).json()["signal_id"]
    Signal.objects.filter(pk=old).update(created_at=timezone.now() - timedelta(days=8))
    recent = discover(v1).json()["signal_id"]
    assert [s["signal_id"] for s in v1.get("/v1/signals").json()["signals"]] == [recent]
