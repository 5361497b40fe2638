"""The dashboard in a real browser, against a live server and a real RQ worker.

One journey covers what a creator does: sign up, upload a talk, watch it process live
(no reload), play, favorite, filter, download and re-render a clip, then look at the
settings and minutes. A second test uploads sound without a picture and sees why it failed,
and that no Retry is offered for a file that would fail again.
"""

from __future__ import annotations

import os
import re
import subprocess

import django_rq
import pytest
from playwright.sync_api import expect

from clips.models import Clip
from tests.browser.conftest import VIEWPORTS, sign_up, snap
from tests.conftest import PASSWORD
from tests.media import build_talk_video
from tests.workers import kill_worker, start_worker
from videos.models import Video

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Processing the 45 s talk (transcribe, analyse, render two clips) on two cores.
PROCESSING_TIMEOUT_MS = 240_000


@pytest.fixture
def worker(request):
    """A long-running worker for both queues, started before and killed after the test."""
    django_rq.get_connection("default").flushdb()
    process = start_worker(f"{request.node.name[:30]}-{os.getpid()}", ("default", "render"), burst=False)
    yield process
    kill_worker(process)
    django_rq.get_connection("default").flushdb()


def shoot(page, name: str) -> None:
    """Screenshot the page at both widths, and check nothing overflows a phone's width."""
    snap(page, name)
    desktop = page.viewport_size
    page.set_viewport_size(VIEWPORTS["phone"])
    overflow = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(desktop)
    assert overflow <= VIEWPORTS["phone"]["width"], f"{name} is {overflow}px wide on a phone"


def duration_of(video_element) -> float:
    """Wait for a <video>'s metadata and return its duration (seconds)."""
    return video_element.evaluate(
        """el => new Promise((resolve, reject) => {
            if (el.readyState >= 1) return resolve(el.duration);
            el.addEventListener("loadedmetadata", () => resolve(el.duration), { once: true });
            el.addEventListener("error", () => reject(new Error("the clip could not be loaded")), { once: true });
        })"""
    )


def test_it_takes_a_creator_from_upload_to_an_edited_clip(page, live_server, worker):
    talk = build_talk_video(45, 640, 360, 25)
    sign_up(page, "maya@example.com")
    expect(page.get_by_text("Nothing here yet")).to_be_visible()

    page.get_by_role("link", name="+ New video").click()
    expect(page.get_by_role("heading", name="New video")).to_be_visible()
    page.get_by_label("Drop a video file here or choose one").set_input_files(str(talk))
    # The browser reads the duration and prices it before anything is sent.
    expect(page.locator("#cost")).to_contain_text("This video is 0:45 long")
    expect(page.locator("#cost")).to_contain_text("costs 1 minute. You have 60.")
    page.get_by_label("Number of clips").fill("2")
    page.get_by_label("Shortest clip (s)").fill("8")
    page.get_by_label("Longest clip (s)").fill("20")
    page.get_by_text("Words fill with green").click()  # the karaoke caption style
    shoot(page, "dashboard-video-new")
    page.get_by_role("button", name="Find clips").click()

    page.wait_for_url(re.compile(r"/videos/vid_[^/]+/$"))
    video = Video.objects.get()
    assert video.config["numberOfClips"] == 2 and video.config["captionTemplate"] == "karaoke"
    page.evaluate("window.__marker = 1")
    status = page.locator("#video-status")
    expect(status).not_to_have_attribute("data-status", "queued", timeout=60_000)
    shoot(page, "dashboard-video-running")

    expect(status).to_have_attribute("data-status", "completed", timeout=PROCESSING_TIMEOUT_MS)
    cards = page.locator("#clip-list .clip-card")
    expect(cards).to_have_count(2)
    # The page updated itself: the marker set after it loaded is still there.
    assert page.evaluate("window.__marker") == 1
    expect(status.locator(".step-done")).to_have_count(6)  # an upload has no download step
    expect(page.locator(".sentences .ts").first).to_be_visible()
    shoot(page, "dashboard-video-completed")

    card = cards.first
    clip = Clip.objects.get(pk=card.get_attribute("id").removeprefix("clip-"))
    player = card.locator("video")
    assert duration_of(player) > 0
    player.evaluate("el => { el.muted = true; return el.play(); }")
    page.wait_for_function("el => el.currentTime > 0", arg=player.element_handle())
    # A transcript time inside the clip seeks its player there.
    video.refresh_from_db()
    said = next(s["start"] for s in video.transcript["sentences"] if clip.start <= s["start"] < clip.end)
    page.locator(f'.ts[data-seek="{said}"]').click()
    expect(page.locator("#seek-note")).to_contain_text(f"in “{clip.title}”")
    assert player.evaluate("el => el.currentTime") == pytest.approx(said - clip.start, abs=1.0)

    favorite = card.get_by_role("button", name="Favorite")
    favorite.click()
    expect(card.get_by_role("button", name="Favorite")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Favorites only").check()
    expect(cards).to_have_count(1)
    expect(cards.first).to_have_id(f"clip-{clip.pk}")
    expect(page).to_have_url(re.compile(r"favorited=true"))
    clip.refresh_from_db()
    assert clip.favorited

    with page.expect_download() as download_info:
        cards.first.get_by_role("link", name=f"Download {clip.title}").click()
    with open(download_info.value.path(), "rb") as downloaded:
        assert downloaded.read(12)[4:8] == b"ftyp"

    cards.first.get_by_role("link", name=f"Edit {clip.title}").click()
    expect(page.get_by_role("heading", name="Edit clip")).to_be_visible()
    # The rendered clip's player (the live preview has a <video> of its own); loaded, so the
    # screenshots show it.
    assert duration_of(page.locator("#clip-editor video[aria-label^='Clip:']")) > 0
    shoot(page, "dashboard-clip-editor")
    # The speaker track under the word strip: the talk's one person. A bar selects its stretch;
    # pins are saved and removed in place (the marker survives), and the re-render uses them.
    page.evaluate("window.__marker = 2")
    track = page.locator("#speaker-track")
    bar = track.locator("[data-pick]").first
    bar.click()
    expect(track.get_by_label("Pin from (s into the clip)")).to_have_value(bar.get_attribute("data-start"))
    track.get_by_label("Pin from (s into the clip)").fill("0")
    track.get_by_label("Pin to (s)").fill("2")
    track.get_by_role("button", name="Pin the crop").click()
    pins = page.get_by_role("list", name="Pins").locator("li")
    expect(pins).to_have_count(1)
    expect(pins.first).to_contain_text("Speaker 1 · 0.0\u20132.0 s")
    pins.first.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("list", name="Pins")).to_have_count(0)
    track.get_by_label("Pin from (s into the clip)").fill("0")
    track.get_by_label("Pin to (s)").fill("2")
    track.get_by_label("Pin to (s)").press("Enter")  # the pin form's own submit, not the re-render
    expect(pins).to_have_count(1)
    assert page.evaluate("window.__marker") == 2
    shoot(page, "dashboard-clip-editor-pinned")
    page.get_by_label("Crop on one person").check()
    new_end = round(clip.end - 2, 3)
    page.get_by_label("End (s)").fill(str(new_end))
    expect(page.locator("[data-trim-length]")).to_have_text(f"{new_end - clip.start:.1f}")
    page.get_by_role("button", name="Re-render clip").click()
    preview = page.locator(f"#clip-{clip.pk}")
    expect(preview.get_by_text("Re-rendering…")).to_be_visible()
    expect(preview).to_have_attribute("data-status", "completed", timeout=PROCESSING_TIMEOUT_MS)
    clip.refresh_from_db()
    assert clip.end == pytest.approx(new_end, abs=0.01) and not clip.recompiling and clip.render_version == 2
    assert clip.requested_layout == "crop" and [(pin["start"], pin["end"]) for pin in clip.pins] == [(0.0, 2.0)]
    expect(preview.locator(".clip-duration")).to_have_text(f"{clip.duration:.1f} s")
    assert duration_of(preview.locator("video")) == pytest.approx(clip.duration, abs=0.5)

    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    shoot(page, "dashboard-settings")
    page.get_by_role("link", name="Minutes", exact=True).click()
    expect(page.locator("#balance")).to_have_text("59")
    shoot(page, "dashboard-minutes")
    page.get_by_role("link", name="Videos").click()
    expect(page.locator(".video-row").get_by_text("Completed")).to_be_visible()
    expect(page.locator(".video-row img")).to_have_count(1)  # the best clip's thumbnail
    shoot(page, "dashboard-videos-list")


def test_it_shows_why_a_video_failed_without_a_retry_that_cannot_help(page, live_server, worker, alice, tmp_path):
    page.goto("/login")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/videos/new")
    # (A text file is refused before it is uploaded: tests/browser/test_paper_cuts.py.)
    # Sound without a picture passes the form but fails in the worker, which says why; the
    # same file would fail again, so the page offers another video rather than a retry.
    audio_only = tmp_path / "interview.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=duration=3",
                    str(audio_only)], check=True)  # fmt: skip
    page.get_by_label("Drop a video file here or choose one").set_input_files(str(audio_only))
    page.get_by_role("button", name="Find clips").click()
    page.wait_for_url(re.compile(r"/videos/vid_[^/]+/$"))
    status = page.locator("#video-status")
    expect(status).to_have_attribute("data-status", "failed", timeout=60_000)
    video = Video.objects.get()
    expect(status.get_by_role("alert")).to_contain_text(
        "The file has no video stream (it is audio only); upload a video file."
    )
    expect(status.get_by_role("button", name="Retry")).to_have_count(0)
    expect(status.get_by_role("link", name="Submit another video")).to_be_visible()
    expect(status.locator(".step-failed")).to_have_text("Checking the file (failed)")
    assert video.error_code == "media_error"
    shoot(page, "dashboard-video-failed")
