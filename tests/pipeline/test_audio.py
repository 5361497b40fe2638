"""decode_audio, rms_db and the shared test-media builders, on real files with real ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from pipeline.audio import SAMPLE_RATE, SILENCE_DB, decode_audio, duration_of, rms_db
from pipeline.config import PipelineConfig
from pipeline.errors import MediaError
from pipeline.ffmpeg import run_ffprobe
from tests.media import build_speech_audio, build_talk_video

JFK = "en_jfk_inaugural_1961.flac"
CONFIG = PipelineConfig()


@pytest.fixture(scope="module")
def jfk(media_dir: Path) -> np.ndarray:
    return decode_audio(media_dir / JFK, CONFIG)


def test_it_decodes_stereo_44k_flac_to_16k_mono_float32(jfk):
    assert jfk.dtype == np.float32 and jfk.ndim == 1
    assert duration_of(jfk) == pytest.approx(11.0, abs=0.01)
    assert np.abs(jfk).max() <= 1.0
    assert rms_db(jfk, 11.0)[0] > -30  # a speech, not silence


def test_it_decodes_only_the_requested_range_on_the_source_timeline(media_dir, jfk):
    part = decode_audio(media_dir / JFK, CONFIG, start=2.0, end=4.5)
    assert len(part) == int(2.5 * SAMPLE_RATE)
    # The range is the same samples as that slice of the whole file (up to resampler edge effects).
    same = jfk[2 * SAMPLE_RATE : int(4.5 * SAMPLE_RATE)]
    assert np.corrcoef(part[800:-800], same[800:-800])[0, 1] > 0.99


def test_it_pads_audio_that_starts_after_the_container_with_silence(media_dir, tmp_path):
    # Speech muxed 1.5 s after the video starts: array index 0 must still be source time 0.
    late = tmp_path / "late_audio.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-protocol_whitelist", "file",
         "-i", str(build_talk_video(6.0, 320, 180, 25)), "-itsoffset", "1.5", "-protocol_whitelist", "file",
         "-i", str(media_dir / JFK), "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac",
         "-t", "6", str(late)],
        check=True,
    )  # fmt: skip
    audio = decode_audio(late, CONFIG)
    levels = rms_db(audio, 0.5)
    assert (levels[:2] < -60).all(), "the first second should be the padding"
    assert levels[4:].max() > -30, "speech should follow after 1.5 s"


def test_it_refuses_a_file_without_audio(media_dir):
    with pytest.raises(MediaError, match="no audio track"):
        decode_audio(media_dir / "vid_face_vertical_liveportrait_d13.mp4", CONFIG)


def test_it_refuses_an_empty_range(media_dir):
    with pytest.raises(MediaError, match="end after it starts"):
        decode_audio(media_dir / JFK, CONFIG, start=3.0, end=3.0)


def test_it_measures_rms_level_per_window():
    tone = np.sin(2 * np.pi * 440 * np.arange(SAMPLE_RATE) / SAMPLE_RATE).astype(np.float32)
    audio = np.concatenate([tone, np.zeros(SAMPLE_RATE // 4, np.float32), 0.1 * tone[: SAMPLE_RATE // 4]])
    levels = rms_db(audio, 0.25)
    assert len(levels) == 6  # 1.5 s in 0.25 s windows
    assert levels[:4] == pytest.approx(-3.01, abs=0.05)  # full-scale sine: 1/sqrt(2)
    assert levels[4] == SILENCE_DB
    assert levels[5] == pytest.approx(-23.01, abs=0.05)
    assert len(rms_db(np.zeros(0, np.float32))) == 0


def test_it_measures_a_short_last_window_over_its_own_length():
    levels = rms_db(np.full(SAMPLE_RATE + 160, 0.5, np.float32), 1.0)
    assert levels == pytest.approx([-6.02, -6.02], abs=0.01)


def test_it_builds_looped_speech_of_the_exact_length():
    path = build_speech_audio(200.0)  # longer than one pass over the corpus (about 166 s)
    audio = decode_audio(path, CONFIG)
    assert duration_of(audio) == pytest.approx(200.0, abs=0.01)
    assert build_speech_audio(200.0) == path, "a second call reuses the cached file"
    assert np.percentile(rms_db(audio, 5.0), 10) > -40, "speech all the way through"


def test_it_builds_a_talk_video_of_the_requested_shape():
    path = build_talk_video(8.0, 640, 360, 25)
    streams = {s["codec_type"]: s for s in run_ffprobe(path, CONFIG, ["-show_streams"])["streams"]}
    video, audio = streams["video"], streams["audio"]
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 640, 360)
    assert video["r_frame_rate"] == "25/1" and int(video["nb_frames"]) == 8 * 25
    assert audio["codec_name"] == "aac" and float(audio["duration"]) == pytest.approx(8.0, abs=0.05)


def test_it_builds_the_talk_with_upload_encoding_when_asked():
    fixture = build_talk_video(4.0, 320, 180, 25)
    upload = build_talk_video(4.0, 320, 180, 25, encoding="upload")

    def video(path: Path) -> dict:
        return run_ffprobe(path, CONFIG, ["-show_streams", "-select_streams", "v:0"])["streams"][0]

    assert (video(fixture)["profile"], video(fixture)["has_b_frames"]) == ("Constrained Baseline", 0)
    assert video(upload)["profile"] == "High" and video(upload)["has_b_frames"] > 0
    # A stream copy ends on a frame the cut B frames refer to: at most a few frames late.
    assert 4 * 25 <= int(video(upload)["nb_frames"]) <= 4 * 25 + 3


def test_it_refuses_an_unknown_talk_encoding():
    with pytest.raises(ValueError, match="encoding must be one of"):
        build_talk_video(4.0, encoding="prores")
