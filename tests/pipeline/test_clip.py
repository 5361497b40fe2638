"""Tests for pipeline.clip: the whole engine from a source file to a folder of clips."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from unittest import mock

import pytest

from pipeline import analysis, clip
from pipeline.cli import main
from pipeline.moments import Hooks, Moment, MomentsResult, SubScores
from tests.media import build_talk_video

ENV = {"RENDER_PRESET": "ultrafast"}
KEYS = {
    "id", "rank", "title", "startTime", "endTime", "duration", "score", "scores", "viralityReason",
    "transcript", "sentenceIndexes", "hooks", "description", "hashtags", "emotions", "keywords",
    "aspectRatio", "captionTemplate", "layout", "width", "height", "renderedDuration", "error",
    "errorMessage", "file", "thumbnail",
}  # fmt: skip


def probe_json(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_streams", "-show_format", str(path)],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out)


def moment(start: float, end: float, rank: int) -> Moment:
    return Moment(
        id=f"m{rank}", rank=rank, title=f"Moment {rank}", start=start, end=end, duration=end - start,
        score=80,
        scores=SubScores(80, 70, 90, 60), reason="a strong hook", transcript="words", sentence_indexes=[0],
        hooks=Hooks(question="Why?", statement="This is why"), description="d", hashtags=["#a"],
        emotions=["joy"], keywords=["k"],
    )  # fmt: skip


@pytest.mark.slow
def test_it_turns_a_talk_into_posted_ready_clips_and_clips_json(tmp_path, capsys):
    source = build_talk_video(45, 640, 360)
    out = tmp_path / "out"
    argv = ["--quiet", "clip", str(source), "--out", str(out), "--clips", "2", "--min-length", "10",
            "--max-length", "20", "--size", "240", "--template", "karaoke"]  # fmt: skip
    assert main(argv, ENV) == 0
    printed = json.loads(capsys.readouterr().out)
    written = json.loads((out / "clips.json").read_text())
    assert printed["clips"] == written
    assert set(printed["timings"]) >= {"ingest", "transcribe", "moments", "render", "total"}
    assert 1 <= len(written) <= 2
    for n, entry in enumerate(written, start=1):
        assert set(entry) == KEYS
        assert not entry["error"], entry["errorMessage"]
        assert entry["file"] == f"clip_{n:02d}.mp4" and entry["thumbnail"] == f"clip_{n:02d}.jpg"
        assert (entry["width"], entry["height"], entry["aspectRatio"]) == (240, 426, "9:16")
        info = probe_json(out / entry["file"])
        kinds = {s["codec_type"]: s for s in info["streams"]}
        assert kinds["video"]["codec_name"] == "h264" and kinds["audio"]["codec_name"] == "aac"
        assert abs(float(info["format"]["duration"]) - entry["duration"]) <= 0.1
        assert 10 - 0.5 <= entry["duration"] <= 20 + 0.5
        assert (out / entry["thumbnail"]).stat().st_size > 1000


@pytest.mark.slow
def test_it_keeps_the_other_clips_when_one_fails(media_copy, tmp_path):
    source = media_copy("vid_face_landscape_liveportrait_s18.mp4")
    found = MomentsResult(moments=[moment(1.0, 5.0, 1), moment(50.0, 60.0, 2)], analyser="local", model="test")
    with mock.patch.object(analysis, "find_moments", autospec=True, return_value=found):
        run = clip.run_clip(str(source), tmp_path / "out", clip.PipelineConfig(render_preset="ultrafast"),
                            clip.ClipOptions(), clip.RenderOptions(short_side=180))  # fmt: skip
    good, bad = json.loads((tmp_path / "out" / "clips.json").read_text())
    assert run.clips == [good, bad]
    assert not good["error"] and (tmp_path / "out" / good["file"]).is_file()
    assert good["hooks"] == {"question": "Why?", "statement": "This is why"}
    assert bad["error"] and bad["errorMessage"]
    assert (bad["file"], bad["thumbnail"]) == ("", "")
    assert not (tmp_path / "out" / "clip_02.mp4").exists()


def test_it_maps_moment_and_render_fields_to_camel_case_keys():
    entry = clip.clip_entry(
        moment(3.0, 18.5, 1),
        clip.RenderResult(path="/x/clip_01.mp4", thumbnail_path="/x/clip_01.jpg", width=1080, height=1920,
                          duration=15.5, layout="crop"),
        clip.RenderOptions(aspect_ratio="9:16"),
    )  # fmt: skip
    assert set(entry) == KEYS
    assert (entry["startTime"], entry["endTime"], entry["viralityReason"]) == (3.0, 18.5, "a strong hook")
    assert (entry["file"], entry["thumbnail"], entry["errorMessage"]) == ("clip_01.mp4", "clip_01.jpg", "")
