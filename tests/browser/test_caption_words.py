"""The clip editor's words in a real browser, rendered for real: a caption number fixed by
merging Whisper's two pieces, seen in the re-rendered clip's frames, and a trim that
writes the clip's title, hooks and description again.

No worker runs: the test runs the render job itself (``clips.jobs.render_clip``) on the
stored talk, recording the ASS document each render burns.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from clips import jobs
from clips.models import Clip
from pipeline import captions
from pipeline.probe import probe
from tests.browser.conftest import VIEWPORTS, snap
from tests.clips.test_words import talk_transcript
from tests.conftest import PASSWORD
from tests.videos.test_views import completed_video, make_clip

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Seconds into the clip (5.3-10.5 s of the talk) when "We hired 3 ,800" is on screen.
CAPTION_AT = 1.0


@pytest.fixture
def burned(monkeypatch) -> list[str]:
    """The ASS documents the renders write (and libass burns), in order."""
    documents: list[str] = []
    write = captions.write_ass

    def record(path, document):
        documents.append(document)
        return write(path, document)

    monkeypatch.setattr(captions, "write_ass", record)
    return documents


def render(clip: Clip) -> Clip:
    """Run the clip's queued render job here; the clip as it then is."""
    clip.refresh_from_db()
    assert jobs.render_clip(clip.pk, clip.render_version) == "completed"
    clip.refresh_from_db()
    return clip


def frame(clip: Clip, at: float) -> np.ndarray:
    """The rendered clip's frame at ``at`` seconds, in grey."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{at}", "-i", str(default_storage.path(clip.file.name)), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"], capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(clip.height, clip.width).astype(np.int16)


def caption_lines(document: str) -> list[str]:
    return [line.rsplit(",,", 1)[-1] for line in document.splitlines() if line.startswith("Dialogue")]


def test_it_fixes_a_caption_word_and_a_trim_writes_the_clips_words_again(page, live_server, alice, workspace,
                                                                          talk_path, burned):  # fmt: skip
    video = completed_video(workspace, alice, transcript=talk_transcript(),
                            media_info=probe(talk_path, settings.PIPELINE).to_dict())  # fmt: skip
    with open(talk_path, "rb") as handle:
        video.source_file.name = default_storage.save(f"videos/{video.pk}/source.mp4", File(handle))
    video.save()
    clip = make_clip(video, 1, start=5.3, end=10.5, status=Clip.Status.GENERATING, render_version=1, file="",
                     thumbnail="", caption_template="clean", auto_hook=False, sentence_indexes=[1],
                     title="We hired people", hooks={"question": "Why hire?", "statement": "We hired people."},
                     description="About hiring. #hiring", hashtags=["#hiring"])  # fmt: skip
    clip = render(clip)
    assert "We hired 3 ,800" in caption_lines(burned[-1])  # Whisper's pieces, as stored
    before = frame(clip, CAPTION_AT)

    page.goto("/login")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/clips/{clip.pk}/edit")
    editor = page.locator("#caption-editor")
    editor.get_by_role("link", name="3", exact=True).click()
    expect(editor.get_by_label("Word", exact=True)).to_have_value("3")
    editor.get_by_role("button", name="Merge with “,800”").click()
    expect(editor.get_by_role("link", name="3,800", exact=True)).to_be_visible()
    expect(editor.get_by_role("link", name=",800", exact=True)).to_have_count(0)
    snap(page, "caption-word-fixed")
    for label, size in VIEWPORTS.items():  # the words fit a phone's width
        page.set_viewport_size(size)
        box = page.locator(".editor-words").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], label
    page.set_viewport_size(VIEWPORTS["desktop"])

    page.get_by_role("button", name="Re-render clip").click()
    expect(page.locator(".clip-card").get_by_text("Re-rendering…")).to_be_visible()
    clip = render(clip)
    assert "We hired 3,800 people" in caption_lines(burned[-1])
    assert not any("3 ,800" in line for line in caption_lines(burned[-1]))
    after = frame(clip, CAPTION_AT)
    # Only the captions changed: their band differs, the picture above them does not.
    band = slice(round(clip.height * 0.55), round(clip.height * 0.75))
    above = slice(0, round(clip.height * 0.5))
    assert np.abs(after[band] - before[band]).mean() > 4 * max(1.0, np.abs(after[above] - before[above]).mean())

    # Trim to "Saying no saved our engineers four hours a day." and render: the words follow.
    page.reload()
    page.get_by_label("Start (s)").fill("16.1")
    page.get_by_label("End (s)").fill("20.1")
    page.get_by_role("button", name="Re-render clip").click()
    expect(page.locator(".clip-card").get_by_text("Re-rendering…")).to_be_visible()
    clip = render(clip)
    assert (clip.start, clip.end, clip.sentence_indexes) == (16.1, 20.1, [3])
    assert "Saying no saved our engineers four hours a day." in clip.hooks["statement"] + clip.description
    page.reload()
    words = page.locator("#clip-text")
    expect(words.get_by_label("Title", exact=True)).to_have_value(clip.title)
    assert clip.title not in ("We hired people", "") and "hired" not in clip.title
    expect(words.get_by_label("Statement hook")).to_have_value(clip.hooks["statement"])
    expect(words.get_by_label("Description")).to_have_value(clip.description)
    expect(page.locator(".clip-card h3")).to_have_text(clip.title)
    expect(page.locator("#caption-editor").get_by_role("link", name="engineers", exact=True)).to_be_visible()
    snap(page, "clip-trimmed-words")
