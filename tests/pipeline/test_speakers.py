"""Tests for active-speaker reframing: pipeline.speakers and the per-shot plans of pipeline.reframe.

The conversation fixture is two real talking heads from the corpus side by side, each
with its own audio (see tests/pipeline/conversation.py): the left one talks for 4.5 s,
the right one says a 0.6 s back-channel, the left one goes on for 2 s, then the right one
takes the floor at 7.1 s for 5 s.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from pipeline.config import PipelineConfig
from pipeline.errors import RenderError
from pipeline.framing import ReframePlan, Shot, Window
from pipeline.probe import probe
from pipeline.reframe import check_layout, plan_reframe, video_filter
from pipeline.render import RenderOptions, RenderResult, render_clip
from pipeline.speakers import turns
from pipeline.types import MediaInfo
from tests.pipeline.conversation import Turn, build_conversation

CONFIG = PipelineConfig(render_preset="ultrafast")
SCRIPT = [Turn(0, 4.5), Turn(1, 0.6, backchannel=True), Turn(0, 2.0), Turn(1, 5.0)]
TURN_AT = 7.1
TILE = 160


@pytest.fixture(scope="module")
def conversation(media_dir, tmp_path_factory) -> Path:
    return build_conversation(media_dir, SCRIPT, tmp_path_factory.mktemp("talk") / "talk.mp4", tile=TILE)


@pytest.fixture(scope="module")
def rendered(conversation, tmp_path_factory) -> RenderResult:
    out = tmp_path_factory.mktemp("render")
    media = probe(conversation, CONFIG)
    options = RenderOptions(short_side=180, captions=False, auto_hook=False)
    return render_clip(conversation, media, 0.0, 12.0, [], options, out / "c.mp4", out / "c.jpg", CONFIG, scene_cuts=[])


def plan(path: Path, **kwargs) -> ReframePlan:
    media = probe(path, CONFIG, require_audio=False)
    return plan_reframe(path, media, 0.0, min(12.0, media.duration), 1080, 1920, CONFIG, scene_cuts=[], **kwargs)


@pytest.fixture(scope="module")
def faceless(tmp_path_factory) -> Path:
    """Wide footage without faces whose left edge is red and right edge blue."""
    path = tmp_path_factory.mktemp("slides") / "slides.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=3",
         "-f", "lavfi", "-i", "sine=d=3", "-vf",
         "drawbox=x=0:y=0:w=40:h=360:color=red:t=fill,drawbox=x=600:y=0:w=40:h=360:color=blue:t=fill",
         "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", str(path)],
        check=True,
    )  # fmt: skip
    return path


def test_it_follows_the_speaker_with_a_cut_at_the_turn_and_none_at_the_back_channel(rendered):
    assert not rendered.error, rendered.error_message
    assert rendered.layout == "crop"
    # Left person until the turn, then the right one: one cut, close to the turn, none at
    # the back-channel (4.5-5.1 s).
    assert [(s["layout"], s["speaker"]) for s in rendered.shots] == [("crop", 0), ("crop", 1)]
    cut = rendered.shots[1]["start"]
    assert TURN_AT - 0.3 <= cut <= TURN_AT + 0.6
    assert rendered.shots[0]["start"] == 0.0 and rendered.shots[-1]["end"] == pytest.approx(12.0, abs=0.05)
    left, right = rendered.speakers
    assert (left["id"], right["id"]) == (0, 1)
    assert left["x"] == pytest.approx(0.25, abs=0.08) and right["x"] == pytest.approx(0.75, abs=0.08)
    # Each is found speaking mostly in their own turns.
    assert sum(b - a for a, b in left["speaking"] if b <= TURN_AT) > 4.0
    assert sum(b - a for a, b in right["speaking"] if a >= TURN_AT) > 3.0
    assert RenderResult.from_dict(json.loads(rendered.to_json())) == rendered


def test_it_keeps_the_window_on_the_speakers_face_or_on_the_pinned_one(conversation):
    # The pin holds the right person from 1 s to 4 s although the left one speaks; before
    # and after it the window is on whoever speaks.
    result = plan(conversation, pins=[{"start": 1.0, "end": 4.0, "x": 0.8}])
    assert [(s.start, s.end, s.speaker) for s in result.shots[:2]] == [(0.0, 1.0, 0), (1.0, 4.0, 1)]
    assert [s.speaker for s in result.shots[2:]] == [0, 1]
    (window,) = result.windows
    # The left face's centre is at x=80 of the 320 px source, the right one's at 240.
    for t, centre in [(0.5, 80), (2.5, 240), (5.5, 80), (10.0, 240)]:
        assert window.at(t)[0] + window.w / 2 == pytest.approx(centre, abs=30), t


def test_it_applies_a_forced_layout_to_the_whole_clip(conversation, faceless):
    split = plan(conversation, layout="split")
    assert split.layout == "split" and len(split.windows) == 2
    assert [s.layout for s in split.shots] == ["split"]
    fit = plan(conversation, layout="fit")
    assert (fit.layout, fit.windows, [s.layout for s in fit.shots]) == ("fit", [], ["fit"])
    # Wide footage without faces is fitted in auto, but cropped (centred) when asked.
    assert plan(faceless).layout == "fit"
    assert plan(faceless, layout="crop").layout == "crop"


def test_it_renders_a_faceless_source_whole_over_a_blurred_fill(faceless, tmp_path):
    source = faceless
    media = probe(source, CONFIG)
    options = RenderOptions(short_side=180, captions=False, auto_hook=False)
    result = render_clip(source, media, 0.0, 3.0, [], options, tmp_path / "c.mp4", tmp_path / "c.jpg", CONFIG)
    assert not result.error, result.error_message
    assert result.layout == "fit"
    assert result.shots == [{"start": 0.0, "end": 3.0, "layout": "fit", "speaker": None}]
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", "1", "-i", str(tmp_path / "c.mp4"), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    frame = np.frombuffer(raw, np.uint8).reshape(320, 180, 3).astype(int)
    # The whole 640 px width is in the 180 px output: the red left edge and the blue right
    # edge both show on the middle row (a crop would have cut both off).
    row = frame[160]
    assert row[3][0] > 150 and row[3][2] < 100
    assert row[-4][2] > 150 and row[-4][0] < 100


def test_it_refuses_an_unknown_layout_or_a_bad_pin(tmp_path):
    for layout, pins, message in [
        ("zoom", [], "Unknown layout 'zoom'"),
        ("auto", [{"start": 3, "end": 2, "x": 0.5}], "end after it starts"),
        ("auto", [{"start": 0, "end": 2, "x": 1.5}], "from 0 to 1"),
        ("auto", [{"start": 0, "x": 0.5}], "needs a start and an end"),
    ]:
        with pytest.raises(RenderError, match=message):
            check_layout(layout, pins)
        result = render_clip(
            tmp_path / "missing.mp4",
            probe_stub(),
            0.0,
            2.0,
            [],
            RenderOptions(layout=layout, pins=pins),
            tmp_path / "c.mp4",
            tmp_path / "c.jpg",
            CONFIG,
        )
        assert result.error and message.split("'")[0] in result.error_message
        assert "/" not in result.error_message


def probe_stub() -> MediaInfo:
    return MediaInfo("x.mp4", 10.0, 1000, "mp4", has_video=True, has_audio=True, width=1280, height=720)


def test_it_cuts_at_turns_but_not_at_back_channels_and_stacks_quick_exchanges():
    fps = 6.0
    times = np.arange(int(30 * fps)) / fps

    def speaking(*spans):
        out = [None] * len(times)
        for a, b, who in spans:
            for i, t in enumerate(times):
                if a <= t < b:
                    out[i] = who
        return out

    # A back-channel of 0.5 s inside the left person's turn, a silence, then the right
    # person for 8 s: one cut, where the right person starts.
    active = speaking((0, 6, 0), (6, 6.5, 1), (6.5, 10, 0), (11, 19, 1), (19, 30, 0))
    shots = turns(active, times, fps, 30.0, stacked=True, first=0)
    assert [(s.speaker, s.layout) for s in shots] == [(0, "crop"), (1, "crop"), (0, "crop")]
    assert shots[1].start == pytest.approx(11 - 0.5 / fps, abs=0.01)
    # Three quick turns in a row become one stacked shot in "auto"; a forced crop never
    # makes a shot shorter than 1.5 s.
    active = speaking((0, 8, 0), (8, 10, 1), (10, 11.8, 0), (11.8, 13.6, 1), (13.6, 30, 0))
    stacked = turns(active, times, fps, 30.0, stacked=True, first=0)
    assert [s.layout for s in stacked] == ["crop", "split", "crop"]
    cropped = turns(active, times, fps, 30.0, stacked=False, first=0)
    assert {s.layout for s in cropped} == {"crop"}
    assert min(s.end - s.start for s in cropped) >= 1.5
    # Nobody speaking: one shot on whoever is shown first.
    silent = turns([None] * len(times), times, fps, 30.0, stacked=True, first=1)
    assert [(s.start, s.end, s.speaker) for s in silent] == [(0.0, 30.0, 1)]


def test_it_renders_shots_of_different_layouts_in_one_graph(tmp_path):
    # A ramp whose brightness is x/5: the crop shot's left column tells where its window
    # sits, the split and fit shots show their own shapes; the timeline stays whole.
    crop = Window(64, 64, [[0.0, 400.0, 0.0], [4.0, 400.0, 0.0]])
    top, bottom = Window(128, 32, [[0.0, 0.0, 0.0], [4.0, 0.0, 0.0]]), Window(128, 32, [[0.0, 600.0, 0.0]])
    result = ReframePlan(layout="crop", source_width=1280, source_height=64)
    result.shots = [
        Shot(0.0, 1.0, "crop", 0, [crop]),
        Shot(1.0, 2.0, "split", None, [top, bottom]),
        Shot(2.0, 3.0, "fit", None, []),
    ]
    graph = video_filter(result, 64, 64)
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=black:s=1280x64:r=10:d=3",
         "-filter_complex", f"[0:v]format=gray,geq=lum='X/5'[g];{graph.replace('[0:v]', '[g]', 1)}",
         "-map", "[framed]", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    frames = np.frombuffer(raw, np.uint8).reshape(-1, 64, 64).astype(float)
    assert len(frames) == 30
    assert frames[5][:, 0].mean() * 5 == pytest.approx(400, abs=8)
    assert frames[15][5, 0] * 5 == pytest.approx(0, abs=8) and frames[15][50, 0] * 5 == pytest.approx(600, abs=8)
    # fit: the whole 1280 px ramp squeezed into 64 px, so the left column is dark, the right bright.
    assert frames[25][32, 1] < 40 and frames[25][32, 62] > 200
