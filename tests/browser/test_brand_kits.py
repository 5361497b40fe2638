"""A brand kit in a real browser, rendered for real: made on the settings page (its preview
follows the form before anything is saved), applied to a clip in the editor, and seen in
the re-rendered clip's frames: red captions and the logo in its corner.

No worker runs: the test runs the render job itself (``clips.jobs.render_clip``) on the
stored talk, a 2 s clip at the tests' 360-pixel size.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from brands.models import BrandKit
from clips import jobs
from clips.models import Clip
from pipeline.probe import probe
from tests.brands import image_bytes
from tests.browser.conftest import VIEWPORTS, snap
from tests.clips.test_words import talk_transcript
from tests.conftest import PASSWORD
from tests.videos.test_views import completed_video, make_clip

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def frame(clip: Clip, at: float) -> np.ndarray:
    """The rendered clip's frame at ``at`` seconds, as RGB."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{at}", "-i", str(default_storage.path(clip.file.name)), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(clip.height, clip.width, 3).astype(np.int16)


def share(pixels: np.ndarray, rgb: tuple[int, int, int]) -> float:
    """The share of ``pixels`` within 70 of ``rgb`` on every channel."""
    return float((np.abs(pixels - np.array(rgb)).max(axis=-1) < 70).mean())


def fits_a_phone(page) -> bool:
    page.set_viewport_size(VIEWPORTS["phone"])
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(VIEWPORTS["desktop"])
    return width <= VIEWPORTS["phone"]["width"]


def test_it_makes_a_brand_kit_and_burns_it_into_a_clip(page, live_server, alice, workspace, talk_path, tmp_path):
    video = completed_video(workspace, alice, transcript=talk_transcript(),
                            media_info=probe(talk_path, settings.PIPELINE).to_dict())  # fmt: skip
    with open(talk_path, "rb") as handle:
        video.source_file.name = default_storage.save(f"videos/{video.pk}/source.mp4", File(handle))
    video.save()
    clip = make_clip(video, 1, start=0.5, end=2.5, caption_template="clean", auto_hook=False)
    logo = tmp_path / "logo.png"
    logo.write_bytes(image_bytes("png", "96x96", "blue"))

    page.goto("/login")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/settings")
    page.get_by_role("link", name="Brand kits").click()
    page.get_by_role("link", name="+ New brand kit").click()
    page.get_by_label("Name").fill("Acme red")
    page.get_by_label("Font").select_option("Liberation Sans")
    page.get_by_label("Text colour").fill("#ff0000")
    page.get_by_label("Outline colour").fill("#000000")
    page.get_by_label("Logo image").set_input_files(str(logo))
    page.get_by_label("Top left").check()
    # The preview follows the form before anything is saved.
    preview = page.locator("#kit-preview")
    expect(preview.locator(".kit-swatch-caption")).to_have_css("color", "rgb(255, 0, 0)")
    expect(preview.locator(".kit-swatch-logo")).to_be_visible()
    expect(preview.locator(".kit-swatch-logo")).to_have_attribute("data-corner", "top-left")
    snap(page, "brand-kit-form")
    assert fits_a_phone(page)
    page.get_by_role("button", name="Save kit").click()
    expect(page.get_by_text("Saved the brand kit “Acme red”.")).to_be_visible()
    kit = BrandKit.objects.get(workspace=workspace)
    expect(page.locator(f"#kit-{kit.pk} .kit-swatch-logo")).to_be_visible()
    snap(page, "brand-kits")
    assert fits_a_phone(page)

    page.goto(f"/clips/{clip.pk}/edit")
    page.get_by_label("Brand kit").select_option(label="Acme red")
    page.get_by_role("button", name="Re-render clip").click()
    expect(page.locator(".clip-card").get_by_text("Re-rendering…")).to_be_visible()
    clip.refresh_from_db()
    assert clip.brand_kit == kit.pk
    assert jobs.render_clip(clip.pk, clip.render_version) == "completed"
    clip.refresh_from_db()

    picture = frame(clip, 0.5)
    height, width = clip.height, clip.width
    # The captions (lowest line 30% up, the kit's default position) are red; the footage has no red.
    band = picture[round(height * 0.50) : round(height * 0.72)]
    assert share(band, (255, 0, 0)) > 0.005
    assert share(picture[: round(height * 0.5)], (255, 0, 0)) < 0.001
    # The logo: blue, 15% of the width, 4% in from the left, under the top 10% band.
    margin, top, side = round(0.04 * width), round(0.10 * height), round(0.15 * width)
    assert share(picture[top + 3 : top + side - 3, margin + 3 : margin + side - 3], (0, 0, 255)) > 0.9
    page.reload()
    snap(page, "brand-kit-clip")
