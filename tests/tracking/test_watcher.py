"""The watcher: claiming, adaptive cadence, backoff, trend events and auto-clipping.

The platform is a fake at the provider interface (:class:`pipeline.trends.platforms.Provider`)
whose view count follows a known velocity curve over a controllable clock; everything
from the provider's answer on (snapshots, trajectory, crossings, events, deliveries) is real.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.trends.discovery import Candidate
from pipeline.trends.platforms import PlatformRefused, PlatformVideo, Provider, VideoUnavailable
from tests.races import race
from tests.webhooks import assert_signed
from tracking import actions, watcher
from videos.models import Video
from webhooks import jobs as webhook_jobs
from webhooks.events import EXAMPLES
from webhooks.models import Delivery, Event

UPLOADED = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
PEAK_HOURS = 2.0
PEAK_VPD = 220_000.0
DECAY_HOURS = 1.0


def views_at(hours: float) -> int:
    """Views of a video whose views per day rise linearly from 20k to 220k over two hours,
    then decay with a one-hour time constant (the integral of that velocity)."""
    rise = min(hours, PEAK_HOURS)
    views = (20_000 * rise + 50_000 * rise**2) / 24
    if hours > PEAK_HOURS:
        views += PEAK_VPD * DECAY_HOURS * (1 - math.exp(-(hours - PEAK_HOURS) / DECAY_HOURS)) / 24
    return 1_000 + round(views)


class FakeYouTube(Provider):
    """YouTube at the provider interface: one video following :func:`views_at`, and a search."""

    platform = "youtube"

    def __init__(self, clock):
        super().__init__(None, pace=lambda platform: None)
        self.clock = clock
        self.polls: list[datetime] = []
        self.refusals = 0
        self.gone = False
        self.results: list[Candidate] = []

    def video(self, ref):
        self.polls.append(self.clock.now)
        if self.gone:
            raise VideoUnavailable("This YouTube video is unavailable: it may have been removed.")
        if self.refusals:
            self.refusals -= 1
            raise PlatformRefused("YouTube refused the request for now.", retry_after=300)
        hours = (self.clock.now - UPLOADED).total_seconds() / 3600
        return PlatformVideo(platform="youtube", video_id=ref.video_id, url=ref.url, title="Cold plunge at dawn",
                             creator="Ice Lab", views=views_at(hours), uploaded_at=UPLOADED)  # fmt: skip

    def search(self, seed, limit):
        self.polls.append(self.clock.now)
        return list(self.results)


@pytest.fixture
def clock(clock):
    clock.now = UPLOADED
    return clock


@pytest.fixture
def youtube(clock, monkeypatch):
    fake = FakeYouTube(clock)
    monkeypatch.setattr(actions, "provider", lambda platform: fake)
    return fake


def track_video(workspace, alice, interval_sec=900):
    return watcher.create_tracked_item(workspace, alice, kind="video", ref="https://youtu.be/dQw4w9WgXcQ",
                                       platform="youtube", interval_sec=interval_sec)  # fmt: skip


def run_until(clock, item, until_hours: float) -> None:
    """Tick the watcher at each moment the item comes due, until ``until_hours`` after upload."""
    while True:
        item.refresh_from_db()
        if item.next_poll_at is None or item.next_poll_at > UPLOADED + timedelta(hours=until_hours):
            return
        clock.now = max(clock.now, item.next_poll_at)
        watcher.watch()


def fired() -> list[str]:
    return list(Event.objects.order_by("created_at", "id").values_list("type", flat=True))


def test_it_follows_a_video_up_through_its_peak_and_slows_down_as_it_cools(
    clock, youtube, workspace, alice, subscribe, receiver, settings
):
    _, secret = subscribe(receiver.url(), ["breakout", "accelerating", "peaking"])
    item = track_video(workspace, alice)

    run_until(clock, item, PEAK_HOURS)
    gaps = [b - a for a, b in zip(youtube.polls, youtube.polls[1:], strict=False)]
    # Accelerating: every poll at the item's own interval, never faster.
    assert gaps and all(gap == timedelta(seconds=900) for gap in gaps)
    assert fired() == ["accelerating", "breakout"]

    run_until(clock, item, PEAK_HOURS + 1)
    assert fired() == ["accelerating", "breakout", "peaking"]

    run_until(clock, item, 72)
    assert fired() == ["accelerating", "breakout", "peaking"]  # each crossing fired once
    gaps = [b - a for a, b in zip(youtube.polls, youtube.polls[1:], strict=False)]
    after_peak = gaps[9:]  # nine polls 15 minutes apart took it to its peak; the tenth saw the turn
    assert after_peak == sorted(after_peak) and after_peak[0] > timedelta(seconds=900)  # slower as it cools
    assert gaps[-1] == timedelta(days=1)  # daily once cold
    assert min(gaps) >= timedelta(seconds=900)
    item.refresh_from_db()
    assert item.status == "active" and item.metrics["n"] == len(youtube.polls)

    # Delivered to a real receiver, signed, through the real delivery path.
    for delivery in Delivery.objects.order_by("id"):
        webhook_jobs.deliver(delivery.pk)
    received = receiver.wait_for(3)
    bodies = [assert_signed(r, secret) for r in received]
    assert [b["type"] for b in bodies] == ["accelerating", "breakout", "peaking"]
    breakout = bodies[1]["data"]
    assert breakout["tracked_item_id"] == item.pk and breakout["true_vpd"] >= settings.VPD_BREAKOUT
    assert set(breakout) == set(EXAMPLES["breakout"])  # the documented example has the real fields


def test_it_backs_off_a_refusing_platform_then_recovers(clock, youtube, workspace, alice):
    item = track_video(workspace, alice, interval_sec=600)
    youtube.refusals = 3
    waits = []
    for _ in range(4):
        clock.now = item.next_poll_at
        watcher.watch()
        item.refresh_from_db()
        waits.append((item.status, item.failures, (item.next_poll_at - clock.now).total_seconds()))
    # Doubling from the item's interval; the platform's Retry-After (300 s) is a floor.
    assert waits[:3] == [("backing_off", 1, 600), ("backing_off", 2, 1200), ("backing_off", 3, 2400)]
    assert waits[3][:2] == ("active", 0)
    assert item.last_error == "" and item.polls == 4


def test_it_honours_the_platforms_retry_after_and_shows_the_refusal(clock, youtube, workspace, alice):
    item = track_video(workspace, alice, interval_sec=60)
    youtube.refusals = 1
    watcher.watch()
    item.refresh_from_db()
    assert item.status == "backing_off" and item.last_error == "YouTube refused the request for now."
    assert item.next_poll_at == clock.now + timedelta(seconds=300)


def test_it_stops_a_video_that_is_gone(clock, youtube, workspace, alice):
    item = track_video(workspace, alice)
    youtube.gone = True
    watcher.watch()
    item.refresh_from_db()
    assert item.status == "stopped" and item.next_poll_at is None and "unavailable" in item.last_error
    clock.advance(days=2)
    watcher.watch()
    assert len(youtube.polls) == 1


def test_a_watcher_that_lost_its_claim_records_nothing(clock, youtube, workspace, alice):
    item = track_video(workspace, alice)
    token, [claimed] = watcher.claim_due(10)
    clock.advance(minutes=11)  # the claim expired; another watcher takes the item over
    other, [again] = watcher.claim_due(10)
    assert other != token and again.pk == item.pk
    assert watcher.poll(claimed, token) is False
    assert watcher.poll(again, other) is True
    item.refresh_from_db()
    assert item.polls == 1


@pytest.mark.django_db(transaction=True)
def test_two_watchers_never_claim_one_item_in_the_same_tick(workspace, alice, clean_redis):
    from accounts.models import Plan

    workspace.plan = Plan.objects.get(slug="business")
    workspace.save()
    for n in range(8):
        watcher.create_tracked_item(workspace, alice, kind="seed", ref=f"seed {n}", platform="youtube",
                                    interval_sec=900)  # fmt: skip
    claims = race(2, lambda n: [item.pk for item in watcher.claim_due(6)[1]])
    first, second = claims
    assert not set(first) & set(second)
    assert len(first) + len(second) == 8


def test_a_tracked_seed_fires_format_heating_once_and_auto_clips_fresh_breakouts(
    clock, youtube, workspace, alice, clean_redis, subscribe, receiver
):
    subscribe(receiver.url(), ["format_heating"])
    item = watcher.create_tracked_item(workspace, alice, kind="seed", ref="cold plunge", platform="youtube",
                                       interval_sec=3600, auto_clip=True)  # fmt: skip
    now = clock.now

    def result(video_id, views, age_days, creator="Ice Lab"):
        return Candidate(platform="youtube", video_id=video_id, url=f"https://www.youtube.com/watch?v={video_id}",
                         title=f"Plunge {video_id}", creator=creator, views=views,
                         uploaded_at=now - timedelta(days=age_days))  # fmt: skip

    old = [result(f"old{n:08d}", 50_000 * (n + 1), 100 + 40 * n) for n in range(4)]
    # Young videos earning several times what the old ones' decay predicts: HEATING.
    youtube.results = [*old, *(result(f"new{n:08d}", 400_000, 2 + n) for n in range(4))]
    watcher.watch()
    assert fired() == ["format_heating"]
    event = Event.objects.get()
    assert event.payload["verdict"] == "HEATING" and event.payload["breakouts"] == 4
    assert set(event.payload) == set(EXAMPLES["format_heating"])
    # The freshest breakout was submitted for clipping; old videos never are.
    assert [v.source_url for v in Video.objects.all()] == ["https://www.youtube.com/watch?v=new00000000"]

    clock.advance(hours=1)
    watcher.watch()  # still HEATING, nothing fresh: no second event; the next fresh breakout is clipped
    assert fired() == ["format_heating"]
    assert Video.objects.count() == 2
    item.refresh_from_db()
    assert item.last_signal.verdict == "HEATING" and len(item.clipped) == 2 and item.polls == 2

