"""Tests for pipeline.render: real renders of the shared media, checked with ffprobe."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from pipeline.config import PipelineConfig
from pipeline.faces import default_detector
from pipeline.probe import probe
from pipeline.render import RenderOptions, RenderResult, render_clip, render_order
from pipeline.types import Word

CONFIG = PipelineConfig(render_preset="ultrafast")
S18 = "vid_face_landscape_liveportrait_s18.mp4"


def words_from(start: float, text: str, step: float = 0.4) -> list[Word]:
    return [Word(w, start + i * step, start + i * step + step * 0.8) for i, w in enumerate(text.split())]


def render(
    media_dir: Path, tmp_path: Path, name: str, start: float, end: float, config: PipelineConfig = CONFIG, **options
) -> RenderResult:
    source = media_dir / name
    media = probe(source, config, require_audio=False)
    words = words_from(start + 0.2, "this is the part everybody gets wrong about it")
    return render_clip(
        source,
        media,
        start,
        end,
        words,
        RenderOptions(**options),
        tmp_path / "clip.mp4",
        tmp_path / "clip.jpg",
        config,
        scene_cuts=[],
    )


def streams(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_streams", "-show_format", str(path)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return json.loads(out)


def small_gray(path: Path, at: float = 0.0) -> np.ndarray:
    """The frame of ``path`` at ``at`` seconds, 108x192 grey levels."""
    seek = ["-ss", f"{at}"] if at else []  # a still image has no time to seek to
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", *seek, "-i", str(path), "-frames:v", "1", "-vf", "scale=108:192",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).astype(float)


def integrated_loudness(path: Path) -> float:
    log = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128", "-f", "null", "-"],
        capture_output=True,
        text=True,
    ).stderr
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", log)[-1])


@pytest.mark.slow
def test_it_renders_a_full_size_vertical_clip_ready_to_post(media_dir, tmp_path):
    result = render(media_dir, tmp_path, S18, 1.0, 5.0, hook_text="The one thing nobody tells you")
    assert not result.error, result.error_message
    assert (result.width, result.height, result.layout) == (1080, 1920, "crop")
    info = streams(tmp_path / "clip.mp4")
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (video["codec_name"], video["pix_fmt"], video["width"], video["height"]) == (
        "h264",
        "yuv420p",
        1080,
        1920,
    )
    assert audio["codec_name"] == "aac"
    assert abs(float(info["format"]["duration"]) - 4.0) <= 0.1
    assert abs(result.duration - 4.0) <= 0.1
    assert abs(integrated_loudness(tmp_path / "clip.mp4") + 14) <= 1.0
    # +faststart: the index (moov) comes before the media data, so playback starts at once.
    head = (tmp_path / "clip.mp4").read_bytes()[:200_000]
    assert 0 <= head.find(b"moov") < head.find(b"mdat")
    thumb = streams(tmp_path / "clip.jpg")["streams"][0]
    assert (thumb["codec_name"], thumb["width"], thumb["height"]) == ("mjpeg", 1080, 1920)
    # The thumbnail is the clip's frame at 1.5 s (written by the encoding pass itself).
    still = small_gray(tmp_path / "clip.jpg")
    differences = [np.abs(still - small_gray(tmp_path / "clip.mp4", at)).mean() for at in (1.5, 0.0, 3.5)]
    assert differences[0] < 3 and differences[0] < min(differences[1:]) / 2, differences


@pytest.mark.slow
@pytest.mark.parametrize(("aspect", "size"), [("1:1", (240, 240)), ("4:5", (240, 300)), ("16:9", (426, 240))])
def test_it_renders_every_aspect_ratio(media_dir, tmp_path, aspect, size):
    result = render(
        media_dir,
        tmp_path,
        "vid_talkinghead_retalking_face4.mp4",
        0.5,
        2.5,
        aspect_ratio=aspect,
        short_side=240,
    )
    assert not result.error, result.error_message
    assert (result.width, result.height) == size
    video = streams(tmp_path / "clip.mp4")["streams"][0]
    assert (video["width"], video["height"]) == size


@pytest.mark.slow
def test_it_keeps_the_face_whole_in_sampled_output_frames(media_dir, tmp_path):
    result = render(media_dir, tmp_path, S18, 0.0, 9.0, short_side=360, captions=False)
    assert result.layout == "crop"
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(tmp_path / "clip.mp4"), "-vf", "fps=3",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], capture_output=True, check=True,
    ).stdout  # fmt: skip
    frames = np.frombuffer(raw, np.uint8).reshape(-1, 640, 360, 3)
    whole = 0
    for frame in frames:
        faces = default_detector().detect(frame)
        # A face cut by the crop touches the frame's left or right edge.
        whole += any(f.x > 2 and f.x + f.w < 358 for f in faces)
    assert whole / len(frames) >= 0.95


@pytest.mark.slow
def test_it_scales_a_vertical_source_without_audio_and_adds_a_silent_track(media_dir, tmp_path):
    result = render(media_dir, tmp_path, "vid_face_vertical_liveportrait_d13.mp4", 1.0, 3.0, short_side=360)
    assert not result.error, result.error_message
    assert (result.layout, result.width, result.height) == ("scale", 360, 640)
    kinds = [s["codec_type"] for s in streams(tmp_path / "clip.mp4")["streams"]]
    assert sorted(kinds) == ["audio", "video"]


@pytest.mark.slow
def test_it_honours_the_start_of_a_source_whose_video_starts_late(media_dir, tmp_path):
    # The hamilton clip's video starts 0.85 s after its audio; the clip must still last
    # exactly as long as asked.
    result = render(media_dir, tmp_path, "vid_faces_cuts_short_hamilton_clip.mp4", 2.0, 5.0, short_side=240)
    assert not result.error, result.error_message
    assert abs(float(streams(tmp_path / "clip.mp4")["format"]["duration"]) - 3.0) <= 0.1


def test_it_reports_a_clip_outside_the_source_as_an_error_without_files(media_dir, tmp_path):
    result = render(media_dir, tmp_path, S18, 50.0, 60.0)
    assert result.error
    assert "after the end of the source" in result.error_message
    assert not (tmp_path / "clip.mp4").exists()
    assert not (tmp_path / "clip.jpg").exists()


def test_it_refuses_a_clip_too_short_to_render(media_dir, tmp_path):
    result = render(media_dir, tmp_path, S18, 9.2, 9.9)
    assert result.error
    assert "too short" in result.error_message


def test_it_reports_an_unknown_caption_template(media_dir, tmp_path):
    result = render(media_dir, tmp_path, S18, 1.0, 3.0, caption_template="comic-sans")
    assert result.error
    assert "caption template" in result.error_message


@pytest.mark.slow
def test_it_reports_an_unreadable_source_as_an_error(media_dir, tmp_path):
    source = tmp_path / "broken.mp4"
    source.write_bytes((media_dir / S18).read_bytes()[:4000])
    media = probe(media_dir / S18, CONFIG)
    result = render_clip(
        source,
        media,
        1.0,
        3.0,
        [],
        RenderOptions(short_side=240),
        tmp_path / "out.mp4",
        tmp_path / "out.jpg",
        CONFIG,
        scene_cuts=[],
    )
    assert result.error
    assert result.error_message.startswith("Could not ")
    # The message is for users: ffmpeg's complaint and the server path stay in the log.
    assert str(tmp_path) not in result.error_message and "ffmpeg" not in result.error_message
    assert not (tmp_path / "out.mp4").exists()


def test_it_refuses_a_source_that_is_a_playlist_naming_another_file(media_dir, tmp_path):
    source = tmp_path / "source.mp4"
    source.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n{media_dir / S18}\n#EXT-X-ENDLIST\n")

    result = render_clip(source, probe(media_dir / S18, CONFIG), 1.0, 3.0, [], RenderOptions(short_side=240),
                         tmp_path / "out.mp4", tmp_path / "out.jpg", CONFIG, scene_cuts=[])  # fmt: skip

    assert result.error and "playlist that refers to other files" in result.error_message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.mp4"]


@pytest.mark.slow
def test_it_keeps_scratch_files_beside_the_output_even_in_an_awkward_folder(media_dir, tmp_path, monkeypatch):
    import tempfile

    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    out = tmp_path / "my clips, [draft]; it's: 50% = done"
    seen: list[str] = []

    def progress(fraction: float, message: str = "") -> None:
        if message == "render the clip":  # the encode is running: its scratch must be in place
            seen.extend(str(p.relative_to(out)) for p in out.rglob("*.ass"))

    result = render_clip(media_dir / S18, probe(media_dir / S18, CONFIG), 1.0, 3.0, words_from(1.2, "hello there"),
                         RenderOptions(short_side=240), out / "clip.mp4", out / "clip.jpg", CONFIG, scene_cuts=[],
                         progress=progress)  # fmt: skip

    assert not result.error, result.error_message
    assert seen and all(re.fullmatch(r"\.render-[^/]+/captions\.ass", name) for name in seen)
    assert sorted(p.name for p in out.iterdir()) == ["clip.jpg", "clip.mp4"]  # the scratch folder is gone
    assert list(system_temp.iterdir()) == []


def test_it_renders_at_the_configured_lower_priority_down_to_its_ffmpeg(media_dir, tmp_path):
    # A stand-in ffmpeg notes the niceness it was started with, then runs the real one.
    script = tmp_path / "bin" / "ffmpeg"
    script.parent.mkdir()
    script.write_text(f"#!/bin/sh\ncut -d' ' -f19 /proc/$$/stat >> '{tmp_path / 'seen'}'\nexec ffmpeg \"$@\"\n")
    script.chmod(0o755)
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    result = render(media_dir, tmp_path / "out", S18, 1.0, 3.0, CONFIG.replace(ffmpeg=str(script), render_niceness=4))

    assert not result.error, result.error_message
    seen = [int(line) for line in (tmp_path / "seen").read_text().split()]
    # The face pass, the loudness measurement, the encode and the report's reads.
    assert len(seen) >= 3 and set(seen) == {min(19, before + 4)}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


def test_it_derives_the_output_size_from_the_aspect_ratio():
    assert (RenderOptions().width, RenderOptions().height) == (1080, 1920)
    assert (RenderOptions(aspect_ratio="16:9").width, RenderOptions(aspect_ratio="16:9").height) == (
        1920,
        1080,
    )
    assert RenderResult(path="a", thumbnail_path="b", error=True, error_message="x").to_dict()["error_message"] == "x"


@pytest.mark.parametrize(
    ("durations", "order"),
    [
        ([], []),
        ([40.0], [0]),
        ([20.0, 15.0, 50.0, 30.0], [0, 2, 3, 1]),
        # The best clip leads even when it is the shortest; equal lengths keep rank order.
        ([10.0, 30.0, 45.0, 30.0], [0, 2, 1, 3]),
    ],
)
def test_it_renders_the_best_clip_first_then_the_longest(durations, order):
    assert render_order(durations) == order
