"""Tests for pipeline.captions: chunking, the ASS document, and captions burned by libass."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from pipeline.captions import (
    SAFE_BOTTOM,
    SAFE_TOP,
    TEMPLATES,
    build_ass,
    chunk_words,
    template,
)
from pipeline.config import PipelineConfig
from pipeline.errors import RenderError
from pipeline.probe import probe
from pipeline.render import RenderOptions, render_clip
from pipeline.types import Word

CONFIG = PipelineConfig(render_preset="ultrafast")
S18 = "vid_face_landscape_liveportrait_s18.mp4"


def words(text: str, start: float = 0.0, step: float = 0.3) -> list[Word]:
    return [Word(w, start + i * step, start + i * step + step * 0.9) for i, w in enumerate(text.split())]


def test_it_chunks_words_into_one_to_four_at_pauses_and_punctuation():
    spoken = [*words("so here is the thing. nobody tells you this"), Word("ever", 5.0, 5.3)]
    chunks = [[w.text for w in chunk] for chunk in chunk_words(spoken)]
    assert chunks == [["so", "here", "is", "the"], ["thing."], ["nobody", "tells", "you", "this"], ["ever"]]
    assert all(1 <= len(c) <= 4 for c in chunks)


def test_it_keeps_a_chunk_within_two_lines():
    spoken = words("internationalisation responsibilities notwithstanding")
    chunks = chunk_words(spoken, max_words=4, max_chars=22)
    assert all(len(" ".join(w.text for w in c)) <= 44 for c in chunks)
    document = build_ass(words("incomprehensibly long words"), 0, 5, 1080, 1920, "hormozi")
    caption = next(line for line in document.splitlines() if line.startswith("Dialogue") and "Caption" in line)
    assert caption.count("\\N") == 1  # two lines, never three


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_it_places_every_template_inside_the_safe_zone(name):
    style = template(name)
    assert SAFE_BOTTOM < style.bottom < 1 - SAFE_TOP - 2 * style.size
    document = build_ass(words("we built this in a weekend"), 0, 5, 1080, 1920, name)
    line = next(line for line in document.splitlines() if line.startswith("Style: Caption"))
    fields = line.split(",")
    assert fields[1] == style.font
    assert int(fields[21]) == round(style.bottom * 1920)  # MarginV, above the bottom UI band


def test_it_writes_clip_relative_times_and_drops_words_outside_the_clip():
    spoken = [Word("before", 8.0, 8.5), Word("inside", 10.5, 11.0), Word("after", 21.0, 21.5)]
    document = build_ass(spoken, 10.0, 20.0, 1080, 1920, "clean")
    events = [line for line in document.splitlines() if line.startswith("Dialogue")]
    assert events == ["Dialogue: 0,0:00:00.50,0:00:01.40,Caption,,0,0,0,,inside"]


def test_it_highlights_the_spoken_word_in_upper_case_for_the_hormozi_look():
    events = [
        e
        for e in build_ass(words("make money now"), 0, 5, 1080, 1920, "hormozi").splitlines()
        if e.startswith("Dialogue")
    ]
    assert len(events) == 3  # one per spoken word, back to back
    assert events[0].endswith(",{\\c&H1FE8FF&}MAKE{\\r} MONEY NOW")
    assert events[1].endswith(",MAKE {\\c&H1FE8FF&}MONEY{\\r} NOW")
    assert [e.split(",")[1] for e in events] == ["0:00:00.00", "0:00:00.30", "0:00:00.60"]


def test_it_fills_words_in_time_for_karaoke():
    (event,) = [
        e
        for e in build_ass(words("one two three"), 0, 5, 1080, 1920, "karaoke").splitlines()
        if e.startswith("Dialogue")
    ]
    assert event.endswith("{\\kf30}one {\\kf30}two {\\kf27}three")


def test_it_opens_with_the_hook_card_and_escapes_override_braces():
    document = build_ass([], 0, 10, 1080, 1920, "minimal", hook_text="Stop {doing} this\\now")
    (hook,) = [e for e in document.splitlines() if e.startswith("Dialogue")]
    assert hook.startswith("Dialogue: 0,0:00:00.00,0:00:03.00,Hook,")
    assert hook.endswith("Stop (doing) this/now")


def test_it_refuses_an_unknown_template():
    with pytest.raises(RenderError, match="clean, hormozi, karaoke, minimal"):
        template("papyrus")


def gray_frames(path: Path, width: int, height: int) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width).astype(np.int16)


@pytest.mark.slow
def test_it_burns_captions_only_while_words_are_spoken(media_dir, tmp_path):
    source = media_dir / S18
    media = probe(source, CONFIG)
    # Words from 0.3 to 1.5 s, then silence: captions must show in the first part only.
    spoken = words("this changes everything", start=1.3, step=0.4)
    renders = {}
    for captions in (True, False):
        out = tmp_path / f"{captions}.mp4"
        result = render_clip(
            source,
            media,
            1.0,
            4.0,
            spoken,
            RenderOptions(captions=captions, short_side=270),
            out,
            tmp_path / f"{captions}.jpg",
            CONFIG,
            scene_cuts=[],
        )
        assert not result.error, result.error_message
        renders[captions] = gray_frames(out, 270, 480)
    style = template("hormozi")
    # The caption band: from the caption's baseline up two text lines.
    bottom = 480 - round(style.bottom * 480)
    band = slice(bottom - round(2.5 * style.size * 480), bottom + 4)
    diff = np.abs(renders[True][:, band] - renders[False][:, band]).mean(axis=(1, 2))
    fps = 30
    speaking = diff[int(0.45 * fps) : int(1.4 * fps)]
    silent = diff[int(2.1 * fps) :]
    assert speaking.min() > 5 * max(silent.max(), 0.5)
    # Outside the band the two renders differ only by encoder noise.
    top = slice(0, band.start - 20)
    noise = np.abs(renders[True][:, top] - renders[False][:, top]).mean()
    assert noise < 2.0
    assert speaking.min() > 3 * noise


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_it_renders_every_template(media_dir, tmp_path, name):
    source = media_dir / S18
    media = probe(source, CONFIG)
    result = render_clip(
        source,
        media,
        1.0,
        2.5,
        words("every template renders", start=1.1),
        RenderOptions(caption_template=name, short_side=180),
        tmp_path / "c.mp4",
        tmp_path / "c.jpg",
        CONFIG,
        scene_cuts=[],
    )
    assert not result.error, result.error_message
    assert (result.width, result.height) == (180, 320)
    frames = gray_frames(tmp_path / "c.mp4", 180, 320)
    assert len(frames) >= 40
