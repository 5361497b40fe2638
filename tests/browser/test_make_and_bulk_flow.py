"""The video page in a real browser: make a clip from words selected in the transcript, see it
rendered, then download the gallery as one ZIP.

The clip is rendered for real by the render job (``clips.jobs.render_clip``), run here as a
worker would run it, from the stored 45 s talk; the page, polling the new clip's card,
shows it when done.
"""

from __future__ import annotations

import zipfile

import pytest
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from clips.jobs import render_clip
from clips.models import Clip
from pipeline.probe import probe
from tests.browser.conftest import VIEWPORTS, snap
from tests.browser.test_clips_as_ready import finish, loaded_duration
from tests.conftest import PASSWORD
from tests.videos.test_views import completed_video, make_clip

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SENTENCES = [
    "Money is the one thing nobody explains to you.",
    "Here is what compounding really does.",
    "A small habit grows into a large result.",
    "Start today and let time do the work.",
]


def talk_transcript() -> dict:
    """Four sentences spoken over the talk's first seconds, a word every half second."""
    words, sentences, at = [], [], 0.0
    for index, text in enumerate(SENTENCES):
        first = len(words)
        for token in text.split():
            words.append({"text": token, "start": round(at, 2), "end": round(at + 0.4, 2), "probability": 0.9})
            at += 0.5
        sentences.append({"index": index, "sentence": text, "start": words[first]["start"], "end": words[-1]["end"]})
        at += 0.5
    return {"language": "en", "duration": 45.0, "words": words, "sentences": sentences}


def test_it_makes_a_clip_from_selected_words_and_downloads_the_gallery_as_a_zip(page, live_server, alice, workspace,
                                                                                talk_path, tmp_path):  # fmt: skip
    video = completed_video(workspace, alice, media_info=probe(talk_path, settings.PIPELINE).to_dict(),
                            transcript=talk_transcript(), config={"captionTemplate": "hormozi"})  # fmt: skip
    with open(talk_path, "rb") as handle:
        video.source_file.name = default_storage.save(f"videos/{video.pk}/source.mp4", File(handle))
    video.save()
    first = make_clip(video, 1, score=90, start=20.0, end=26.0, status=Clip.Status.GENERATING, file="", thumbnail="",
                      render_version=1)  # fmt: skip
    finish(first)
    first.refresh_from_db()

    page.goto("/login")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/videos/{video.pk}/")

    # Open "Make a clip": the transcript becomes its words, each with its times.
    page.get_by_text("Make a clip from the transcript").click()
    words = page.locator("[data-pick-words] .pick-word")
    expect(words).to_have_count(sum(len(s.split()) for s in SENTENCES))
    expect(page.locator(".sentences")).to_be_hidden()
    # Drag across "Here is what" with the mouse...
    here, what = words.nth(9).bounding_box(), words.nth(11).bounding_box()
    page.mouse.move(here["x"] + 2, here["y"] + here["height"] / 2)
    page.mouse.down()
    page.mouse.move(what["x"] + what["width"] - 2, what["y"] + what["height"] / 2, steps=5)
    page.mouse.up()
    expect(page.locator("#pick-note")).to_have_text("Selected 0:05\u20130:06 (1.4 s): “Here is what”")
    # ... then shift-click "does." to stretch the selection to the end of the sentence.
    words.nth(14).click(modifiers=["Shift"])
    note = page.locator("#pick-note")
    expect(note).to_have_text("Selected 0:05\u20130:07 (2.9 s): “Here is what compounding really does.”")
    expect(page.locator(".pick-word.picked")).to_have_count(6)
    assert (page.locator("#make-start").input_value(), page.locator("#make-end").input_value()) == ("5", "7.9")
    snap(page, "make-clip-selected")

    page.get_by_role("button", name="Make clip").click()
    # The first clip made in a server process loads the sentence model (a few seconds on two busy cores).
    expect(page.locator(".messages")).to_contain_text("It shows among the clips once rendered.", timeout=40_000)
    made = video.clips.get(rank=2)
    # Padded into the silences around the words, not past their middles.
    assert (made.start, made.end, made.status) == (4.75, 8.15, Clip.Status.GENERATING)
    card = page.locator(f"#clip-{made.pk}")
    expect(card).to_contain_text("Rendering…")

    # A worker renders it as it renders the found clips; the card, polling, shows the result.
    assert render_clip(made.pk, made.render_version) == "completed"
    player = card.locator("video")
    expect(player).to_be_visible(timeout=8_000)
    made.refresh_from_db()
    assert loaded_duration(player) == pytest.approx(made.duration, abs=0.2)
    expect(card.locator("h3")).to_have_text(made.title)
    snap(page, "made-clip-rendered")

    # Select every clip and download them as one ZIP.
    page.get_by_label("Select all").check()
    expect(page.locator("#bulk-count")).to_have_text("2 clips selected.")
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download ZIP").click()
    download = downloading.value
    assert download.suggested_filename == "team-talk-clips.zip"
    saved = tmp_path / "clips.zip"
    download.save_as(saved)
    with zipfile.ZipFile(saved) as zipped:
        assert zipped.testzip() is None
        by_name = {info.filename: zipped.read(info) for info in zipped.infolist()}
    assert set(by_name) == {made.download_name, first.download_name}
    with default_storage.open(made.file.name, "rb") as stored:
        assert by_name[made.download_name] == stored.read() and by_name[made.download_name][4:8] == b"ftyp"
    snap(page, "bulk-selected")
    page.set_viewport_size(VIEWPORTS["phone"])
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
