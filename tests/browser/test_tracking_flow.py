"""Tracking in a real browser: run a discovery, analyze a breakout, read its hook, see its
storyboard and send it to clipping.

YouTube is answered from recordings at the provider's one edge (tests/trends.py), which
only this process sees, so the enrichment job runs here through its real job function
(as a worker would run it) rather than in a worker process. The breakouts' thumbnails
live on YouTube's image host: the browser gets a placeholder picture for them from the
test instead, and no request leaves the machine.
"""

from __future__ import annotations

import re

import django_rq
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORTS, sign_up, snap
from tests.fixtures import TALK_SECONDS
from tests.pipeline.http_server import LocalHTTPServer
from tests.pipeline.platform_fakes import recorded_text
from tests.trends import recorded_youtube
from tracking import jobs
from tracking.models import EnrichmentJob, Signal
from videos.models import Video

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THUMBNAIL = (b'<svg xmlns="http://www.w3.org/2000/svg" width="160" height="90">'
             b'<rect width="160" height="90" fill="#5b6378"/></svg>')  # fmt: skip


@pytest.fixture
def youtube(settings, talk_path):
    """YouTube from the recordings, with the recorded video's uploaded captions and a
    45 s talk as its video file served locally."""
    django_rq.get_connection("default").flushdb()
    settings.PLATFORM_MIN_INTERVAL = 0
    with LocalHTTPServer() as server:
        vtt = recorded_text("youtube_uploaded_captions.vtt").encode()
        captions = server.add_bytes("/captions.vtt", vtt, content_type="text/vtt")
        media = server.add_file("/talk.mp4", talk_path, content_type="video/mp4")
        with recorded_youtube(captions_url=captions, media_url=media, duration=TALK_SECONDS):
            yield
    django_rq.get_connection("default").flushdb()


@pytest.fixture
def thumbnails(page):
    """Answer the browser's https requests (only thumbnails are expected) with a placeholder;
    return the requests, each as ``(url, referer header)``."""
    seen: list[tuple[str, str | None]] = []

    def answer(route) -> None:
        seen.append((route.request.url, route.request.headers.get("referer")))
        route.fulfill(status=200, content_type="image/svg+xml", body=THUMBNAIL)

    page.context.route(re.compile(r"^https://"), answer)
    return seen


def shoot(page, name: str) -> None:
    """Screenshot the page at both widths, and check nothing overflows a phone's width."""
    snap(page, name)
    desktop = page.viewport_size
    page.set_viewport_size(VIEWPORTS["phone"])
    overflow = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(desktop)
    assert overflow <= VIEWPORTS["phone"]["width"], f"{name} is {overflow}px wide on a phone"


def test_it_discovers_analyzes_and_clips_a_breakout(page, live_server, youtube, thumbnails):
    sign_up(page, "trends@example.com", name="Tess")
    page.get_by_role("link", name="Tracking").click()
    expect(page.get_by_role("heading", name="Nothing here yet")).to_be_visible()
    expect(page.locator("#usage-discovery")).to_contain_text("0 / 25")
    page.get_by_label("Seed topic").fill("blind test")
    shoot(page, "tracking-home")
    # Hold the search's request to see the busy state the synchronous discovery shows meanwhile.
    held = []
    page.route(re.compile(r"/tracking/$"),
               lambda route: held.append(route) if route.request.method == "POST" else route.continue_())  # fmt: skip
    submit = page.get_by_role("button", name="Find breakouts")
    submit.click()
    expect(submit).to_be_disabled()
    expect(page.get_by_text("Searching… reading the platform's results")).to_be_visible()
    snap(page, "tracking-searching")
    assert not Signal.objects.exists()
    held[0].continue_()

    page.wait_for_url(re.compile(r"/tracking/signals/sig_[^/]+/$"))
    signal = Signal.objects.get()
    breakouts = signal.result["breakouts"]
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", signal.verdict)
    reason = signal.result["verdict_detail"]["reason"]
    expect(page.locator("#verdict-reason")).to_have_text(re.compile(re.escape(reason), re.IGNORECASE))
    expect(page.locator("#histogram .bar-col")).to_have_count(5)
    rows = page.locator("#breakouts > li")
    expect(rows).to_have_count(len(breakouts))
    top = rows.first
    expect(top.locator("img")).to_have_js_property("complete", True)
    assert top.locator("img").evaluate("img => img.naturalWidth") > 0
    shoot(page, "tracking-signal")
    # Thumbnails come from the platform's host, sent no referrer (the page's URL stays private).
    assert thumbnails and all(referer is None for _, referer in thumbnails)

    top.get_by_role("button", name="Analyze").click()
    page.wait_for_url(re.compile(r"/tracking/jobs/job_[^/]+/$"))
    job = EnrichmentJob.objects.get()
    assert job.url == breakouts[0]["url"]
    panel = page.locator("#job")
    expect(panel).to_have_attribute("data-status", "queued")
    expect(page.get_by_role("heading", level=1)).to_have_text(breakouts[0]["title"])  # known from the discovery
    expect(panel.locator(".stage")).to_have_text("Waiting for a worker")
    shoot(page, "tracking-job-queued")

    jobs.run_enrichment(job.pk)
    # The page polls the job: no reload.
    expect(panel).to_have_attribute("data-status", "done", timeout=10_000)
    expect(page.locator("#transcript-kind")).to_have_text("Platform captions")
    expect(page.locator("#transcript-text")).to_contain_text("Crash Course European History")
    expect(page.locator("#metrics")).to_contain_text("1.7B")
    expect(page.locator("#storyboard img")).to_have_count(0)  # made (and charged) only when asked
    page.get_by_role("link", name="Show storyboard").click()
    board = page.locator("#storyboard-img")
    expect(board).to_have_js_property("complete", True, timeout=30_000)
    assert board.evaluate("img => img.naturalWidth") > 0
    expect(page.locator("#storyboard")).to_contain_text("it cost 1 enrichment and is not stored")
    expect(panel).to_have_attribute("data-status", "done")  # swapped in place, not a new page
    shoot(page, "tracking-job-done")

    page.get_by_role("button", name="Clip this").click()
    page.wait_for_url(re.compile(r"/videos/vid_[^/]+/$"))
    video = Video.objects.get()
    assert video.source_url == breakouts[0]["url"] and video.source_kind == "youtube"
    expect(page.get_by_text("Sent to clipping with the workspace's default clip options.")).to_be_visible()
