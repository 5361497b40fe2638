"""The video page in a real browser while clips render: each clip shows as soon as it is done.

No worker runs: the test moves the video and its clips through the real actions
(``videos.actions.advance``, ``clips.actions.finish_render`` with a real H.264 file in
storage), and the page, opened before there were clips, follows by itself.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from clips import actions as clip_actions
from clips.models import Clip
from tests.browser.conftest import VIEWPORTS
from tests.conftest import PASSWORD
from tests.media import cached
from tests.videos.test_views import TRANSCRIPT, make_clip, make_video
from videos import actions as video_actions
from videos.models import Video

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The gallery polls every 2 s; a few polls are plenty.
POLL_TIMEOUT_MS = 8_000


def rendered_clip() -> Path:
    """A 2 s, 180x320 H.264 MP4 that browsers play (built once per cache)."""

    def build(out: Path) -> None:
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc=duration=2:size=180x320:rate=25", "-c:v", "libx264", "-preset", "ultrafast",
                        "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", str(out)],
                       check=True)  # fmt: skip

    return cached("gallery-clip-2s-180x320", ".mp4", build)


def finish(clip: Clip) -> None:
    """Store a rendered file for ``clip`` and record the render as its job does."""
    name = default_storage.save(f"videos/{clip.video_id}/clips/{clip.pk}-v1.mp4", rendered_clip().open("rb"))
    assert clip_actions.finish_render(clip, file_name=name, width=180, height=320, worker="test")


def loaded_duration(player) -> float:
    """Wait for a <video>'s metadata (its src works) and return its duration."""
    return player.evaluate(
        """el => new Promise((resolve, reject) => {
            if (el.readyState >= 1) return resolve(el.duration);
            el.addEventListener("loadedmetadata", () => resolve(el.duration), { once: true });
            el.addEventListener("error", () => reject(new Error("the clip could not be loaded")), { once: true });
        })"""
    )


def shoot(page, folder: Path, name: str) -> int:
    """Screenshot the page at desktop and phone widths into ``folder``; its width on the phone."""
    for label, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
        if label == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(VIEWPORTS["desktop"])
    return width


def test_it_shows_each_clip_the_moment_it_is_rendered(page, live_server, alice, workspace, tmp_path):
    video = make_video(workspace, alice, status=Video.Status.ANALYZING, progress=57, duration=45.0,
                       transcript=TRANSCRIPT)  # fmt: skip
    page.goto("/login")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/videos/{video.pk}/")
    expect(page.get_by_text("Clips are on their way")).to_be_visible()
    page.evaluate("window.__marker = 1")

    # Analysis found two moments: both render, best first.
    pending = dict(status=Clip.Status.GENERATING, file="", thumbnail="", render_version=1)
    first = make_clip(video, 1, score=90, start=0.0, end=12.0, **pending)
    second = make_clip(video, 2, score=70, start=14.0, end=20.0, **pending)
    video_actions.advance(video, Video.Status.GENERATING_CLIPS)
    cards = page.locator("#clip-list .clip-card")
    expect(cards).to_have_count(2, timeout=POLL_TIMEOUT_MS)
    expect(cards.get_by_text("Rendering…")).to_have_count(2)
    expect(cards.nth(1)).to_contain_text("#2 · 0:14\u20130:20")

    finish(first)
    player = page.locator(f"#clip-{first.pk} video")
    expect(player).to_be_visible(timeout=POLL_TIMEOUT_MS)
    expect(page.locator("#video-status")).to_have_attribute("data-status", "generating_clips")
    expect(page.locator(f"#clip-{second.pk}")).to_contain_text("Rendering…")
    # 12 s of clip took a moment: the 6 s left take less than a minute at the video's own pace.
    expect(page.locator("#time-left")).to_have_text("Less than a minute left", timeout=POLL_TIMEOUT_MS)
    expect(page.locator(f"#clip-{first.pk}").get_by_role("link", name="Download Clip number 1")).to_be_visible()
    assert loaded_duration(player) == pytest.approx(2.0, abs=0.2)
    assert shoot(page, tmp_path, "clips-as-ready") <= VIEWPORTS["phone"]["width"]
    # The viewer starts watching; the element is tagged to tell whether it is ever replaced.
    player.evaluate("el => { el.__watched = true; el.muted = true; el.loop = true; return el.play(); }")

    finish(second)
    expect(page.locator(f"#clip-{second.pk} video")).to_be_visible(timeout=POLL_TIMEOUT_MS)
    expect(page.locator("#video-status")).to_have_attribute("data-status", "completed", timeout=POLL_TIMEOUT_MS)
    expect(cards).to_have_count(2)
    expect(page.locator("#time-left")).to_have_count(0)
    expect(page.locator("#clip-poller")).not_to_have_attribute("hx-trigger", "every 2s")
    assert page.evaluate("window.__marker") == 1  # never reloaded
    # The first clip's player is the same element, still playing.
    assert player.evaluate("el => el.__watched === true && !el.paused")
    assert [card.get_attribute("id") for card in cards.all()] == [f"clip-{first.pk}", f"clip-{second.pk}"]
