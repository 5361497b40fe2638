"""The clip editor's live preview in a real browser: changing the caption template, the
aspect ratio and the trim redraws the preview at once, with no request to render.

No worker runs and nothing is rendered: the clip row is made directly, over a small
stored source that browsers play.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORTS, snap
from tests.conftest import PASSWORD
from tests.media import cached
from tests.videos.test_views import completed_video, make_clip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def source_video() -> Path:
    """A 12 s, 320x180 (16:9) H.264 MP4 that browsers play (built once per cache)."""

    def build(out: Path) -> None:
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc=duration=12:size=320x180:rate=25", "-c:v", "libx264", "-preset", "ultrafast",
                        "-g", "25", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", str(out)],
                       check=True)  # fmt: skip

    return cached("preview-source-12s-320x180", ".mp4", build)


def caption_look(page) -> dict:
    """The computed style of the preview's caption line (its first font family)."""
    return page.locator("[data-caption] .line").evaluate(
        """el => { const s = getComputedStyle(el);
                   return {family: s.fontFamily.split(",")[0].replaceAll('"', ""), size: parseFloat(s.fontSize),
                           transform: s.textTransform, weight: s.fontWeight, text: el.textContent}; }"""
    )


def current_time(page) -> float:
    return page.locator("[data-video]").evaluate("el => el.currentTime")


def test_it_previews_template_aspect_and_trim_without_a_render(page, live_server, alice, workspace):
    source = default_storage.save("videos/preview/source.mp4", source_video().open("rb"))
    video = completed_video(workspace, alice, source_file=source)
    clip = make_clip(video, 1, start=1.0, end=4.5, file=source, thumbnail="", caption_template="hormozi",
                     shots=[{"start": 0.0, "end": 3.5, "layout": "crop", "speaker": 0}],
                     speakers=[{"id": 0, "x": 0.25, "speaking": [[0.0, 3.5]]}])  # fmt: skip
    page.goto("/login")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    requests: list[tuple[str, str]] = []
    page.on("request", lambda request: requests.append((request.method, request.url)))
    page.goto(f"/clips/{clip.pk}/edit")
    player = page.locator("[data-video]")
    player.evaluate("""el => new Promise((resolve, reject) => {
        if (el.readyState >= 1) return resolve();
        el.addEventListener("loadedmetadata", resolve, { once: true });
        el.addEventListener("error", () => reject(new Error("the source could not be loaded")), { once: true });
    })""")
    preview = page.locator("[data-clip-preview]")
    expect(preview).to_have_attribute("data-start", "1.00")
    assert current_time(page) == pytest.approx(1.0, abs=0.05)

    # Hormozi at 1.0 s: the chunk "So here is" with only "is" inside the trim, upper case, heavy.
    caption = page.locator("[data-caption]")
    expect(caption).to_be_visible()
    hormozi = caption_look(page)
    assert hormozi["text"] == "IS"
    assert hormozi["transform"] == "none" and hormozi["family"] == "Roboto Black"
    assert hormozi["weight"] == "900"
    # The 9:16 box crops the 16:9 source around the speaker, a quarter of the way across.
    box = page.locator("[data-box]").bounding_box()
    assert box["height"] / box["width"] == pytest.approx(16 / 9, abs=0.02)
    share = (9 / 16) / (16 / 9)  # the window's width as a share of the source's
    position = player.evaluate("el => parseFloat(getComputedStyle(el).objectPosition)")
    assert position == pytest.approx(100 * (0.25 - share / 2) / (1 - share), abs=0.1)
    snap(page, "preview-hormozi")

    page.locator("input[name=captionTemplate][value=clean]").check()
    expect(preview).to_have_attribute("data-template", "clean")
    clean = caption_look(page)
    assert clean["text"] == "is the"  # four words to a chunk, where hormozi has three
    assert clean["family"] == "Roboto" and clean["weight"] == "700"
    # Sizes are the render's: 0.045 of the height against hormozi's 0.058.
    assert clean["size"] / hormozi["size"] == pytest.approx(0.045 / 0.058, abs=0.02)

    page.locator("input[name=aspectRatio][value='1:1']").check()
    box = page.locator("[data-box]").bounding_box()
    assert box["height"] == pytest.approx(box["width"], abs=2)

    page.locator("input[name=hookText]").fill("Why founders fail")
    expect(page.locator("[data-hook]")).to_have_text("Why founders fail")

    # Trimming: the new start is where playback is, and playing stays inside the new range.
    page.locator("input[name=start]").fill("2.5")
    expect(preview).to_have_attribute("data-start", "2.50")
    assert current_time(page) == pytest.approx(2.5, abs=0.05)
    assert page.locator("[data-scrub]").evaluate("el => Number(el.max)") == pytest.approx(2.0)
    player.evaluate("el => { el.currentTime = 0.5; el.dispatchEvent(new Event('timeupdate')); }")
    assert current_time(page) == pytest.approx(2.5, abs=0.05)
    player.evaluate("el => { el.muted = true; return el.play(); }")
    page.wait_for_function("document.querySelector('[data-video]').currentTime > 2.8")
    player.evaluate("el => el.pause()")
    assert 2.5 <= current_time(page) < 4.5
    files = snap(page, "preview-trimmed")
    assert all(file.exists() for file in files)
    page.set_viewport_size(VIEWPORTS["phone"])
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]

    # Nothing of this asked the server to render.
    posts = [url for method, url in requests if method != "GET"]
    assert posts == []
    assert not [url for _, url in requests if url.endswith(("/edit", "/render")) and "/clips/" in url][1:]
