"""Tracked items in a real browser: add a video to tracking, let the watcher poll it, see its
velocity chart with the peak marked, then delete it through the confirm step.

The watcher runs here, in the test's process, through :func:`tracking.watcher.watch` with
YouTube answered from recordings at the provider's one edge (tests/trends.py), as the
periodic job would run it. The recording's view count stands still, so the hours before
that poll are written as snapshots directly: a rise that turns down, ending at the count
the watcher read.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_up
from tests.browser.test_tracking_flow import shoot
from tests.trends import recorded_youtube
from tracking import watcher
from tracking.models import Snapshot, TrackedItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Views gained in each hour before the watcher's poll, oldest first: up, up, level, then down.
GAINS = [1000, 3000, 3000, 800, 200]


@pytest.fixture
def youtube(settings):
    settings.PLATFORM_MIN_INTERVAL = 0
    with recorded_youtube() as edge:
        yield edge


def backdate_history(item: TrackedItem) -> None:
    """Snapshots an hour apart before the watcher's one, whose views they lead up to by :data:`GAINS`."""
    polled = Snapshot.objects.get(video=item.video)
    views = polled.views
    for hours, gained in enumerate(reversed(GAINS), start=1):
        views -= gained
        Snapshot.objects.create(video=item.video, captured_at=polled.captured_at - timedelta(hours=hours), views=views)


def test_it_tracks_a_video_and_charts_its_velocity(page, live_server, youtube):
    sign_up(page, "tracker@example.com", name="Tom")
    page.get_by_role("link", name="Tracking").click()
    page.get_by_role("link", name="Tracked items").click()
    expect(page.get_by_role("heading", name="Nothing tracked yet")).to_be_visible()
    creator = page.get_by_label("Only breakouts by this creator")
    expect(creator).to_be_hidden()  # an option of seeds, and a video is chosen
    page.get_by_role("radio", name="A seed topic").check()
    expect(creator).to_be_visible()
    page.get_by_role("radio", name="A video").check()
    page.get_by_label("Video link or id, or seed topic").fill("https://example.com/not-a-video")
    page.get_by_role("button", name="Start tracking").click()
    expect(page.locator("#tracked-form")).to_contain_text("is not on YouTube, TikTok or Instagram")
    shoot(page, "tracked-refused")

    page.get_by_label("Video link or id, or seed topic").fill("dQw4w9WgXcQ")
    page.get_by_label("Poll at most every").fill("30")
    page.get_by_role("button", name="Start tracking").click()
    page.wait_for_url(re.compile(r"/tracking/tracked/ti_[^/]+/$"))
    item = TrackedItem.objects.get()
    assert item.interval_sec == 1800 and item.video.video_id == "dQw4w9WgXcQ"
    expect(page.locator("#tracked-status")).to_have_attribute("data-status", "active")
    expect(page.locator("#next-poll")).to_have_text("due now")
    expect(page.locator("#velocity-empty")).to_be_visible()

    assert watcher.watch(budget_seconds=30) == {"polled": 1, "lost": 0}
    assert youtube.calls == [("https://www.youtube.com/watch?v=dQw4w9WgXcQ", False)]
    backdate_history(item)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rick Astley")
    expect(page.locator("#last-poll")).to_have_text(re.compile(r"just now|1 min ago"))
    expect(page.locator("#next-poll")).to_have_text(re.compile(r"in (29|30) min"))
    chart = page.locator("#velocity-chart svg")
    expect(chart.locator("circle.point")).to_have_count(len(GAINS))
    peak = chart.locator("#peak-marker")
    expect(peak).to_contain_text("peak")
    expect(peak).to_have_attribute("data-vpd", "72000")  # 3000 views in an hour, the first time
    expect(page.locator("#snapshots tbody tr")).to_have_count(len(GAINS) + 1)
    shoot(page, "tracked-item")

    page.get_by_role("link", name="← Tracked items").click()
    row = page.locator(f"#tracked-{item.pk}")
    expect(row.locator("svg.sparkline polyline")).to_have_count(1)
    expect(row).to_contain_text("Watching")
    shoot(page, "tracked-list")

    row.get_by_role("button", name=re.compile("^Delete")).click()
    expect(row.locator("#confirm-delete")).to_contain_text("Delete “Rick Astley")  # swapped in, no page load
    assert TrackedItem.objects.exists()
    yes = row.get_by_role("button", name="Yes, delete")
    shoot(page, "tracked-delete-confirm")
    yes.click()
    expect(page.get_by_text("Stopped tracking “Rick Astley")).to_be_visible()
    expect(page.get_by_role("heading", name="Nothing tracked yet")).to_be_visible()
    assert not TrackedItem.objects.exists()
