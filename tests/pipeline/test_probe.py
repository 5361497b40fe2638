"""probe(): real media from the shared corpus, and bad files built from it at test time.

Also covers pipeline/ffmpeg.py, the helper probe (and every other step) runs ffmpeg and
ffprobe through, and the ``python -m pipeline probe`` command in a real subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.config import PipelineConfig
from pipeline.errors import ConfigError, MediaError
from pipeline.ffmpeg import run_ffmpeg, run_ffprobe
from pipeline.probe import probe
from tests.media import REPO_ROOT
from tests.pipeline.http_server import LocalHTTPServer

HAMILTON = "vid_faces_cuts_short_hamilton_clip.mp4"  # 640x360, 29.97 fps, AAC, moov at the end
LANDSCAPE = "vid_face_landscape_liveportrait_s18.mp4"  # 1280x720, index first
SILENT = "vid_face_vertical_liveportrait_d13.mp4"  # 720x1280, no audio
SPEECH_MP3 = "en_librivox_shakespeare_sonnet1.mp3"


def make_config(**changes: object) -> PipelineConfig:
    """A config for tests: loopback allowed (the test servers live there), short timeouts."""
    base = PipelineConfig(whisper_model="unused", allow_private_urls=True, socket_timeout_seconds=10)
    return base.replace(**changes)


def ffmpeg(*args: object) -> None:
    """Build a test input with the same helper the pipeline uses."""
    run_ffmpeg(list(args), make_config(), what="build a test input")  # type: ignore[arg-type]


def first_frame(path: Path, seek: float = 0.0) -> np.ndarray:
    """The first frame decoded at ``seek`` seconds, as ffmpeg's command line decodes it."""
    args = ["-ss", f"{seek:.3f}", "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray"]
    return np.frombuffer(run_ffmpeg([*args, "pipe:1"], make_config()).stdout, np.uint8).astype(int)


def half_of(source: Path, target: Path) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


@pytest.fixture
def config() -> PipelineConfig:
    return make_config()


def test_it_describes_a_real_video(media_dir, config):
    info = probe(media_dir / HAMILTON, config)

    assert (info.width, info.height, info.rotation) == (640, 360, 0)
    assert info.duration == pytest.approx(10.0, abs=0.1)
    assert info.fps == pytest.approx(29.97, abs=0.01)
    assert info.has_video and info.has_audio
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert info.audio_sample_rate == 44100 and info.audio_channels == 2
    assert info.size_bytes == (media_dir / HAMILTON).stat().st_size
    assert "mp4" in info.format_name
    assert not info.is_vertical


def test_it_accepts_audio_only_media_when_video_is_not_required(media_dir, config):
    info = probe(media_dir / SPEECH_MP3, config, require_video=False)

    assert info.has_audio and not info.has_video
    assert (info.width, info.height, info.fps) == (0, 0, 0.0)
    assert info.duration == pytest.approx(53.3, abs=0.5)


def test_it_refuses_an_audio_only_file_when_video_is_required(media_dir, config):
    with pytest.raises(MediaError, match="has no video stream"):
        probe(media_dir / SPEECH_MP3, config)


def test_it_does_not_count_cover_art_as_video(media_dir, tmp_path, config):
    cover = tmp_path / "cover.png"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", cover)
    tagged = tmp_path / "with-cover.mp3"
    # An image is no media input the pipeline admits; the test names its format itself.
    ffmpeg("-i", media_dir / SPEECH_MP3, "-f", "png_pipe", "-i", cover, "-map", "0:a", "-map", "1:v", "-c", "copy",
           "-disposition:v", "attached_pic", tagged)
    assert any(s["codec_type"] == "video" for s in run_ffprobe(tagged, config)["streams"])

    with pytest.raises(MediaError, match="has no video stream"):
        probe(tagged, config)


def test_it_refuses_a_video_without_audio_unless_told_otherwise(media_dir, config):
    with pytest.raises(MediaError, match="has no audio stream"):
        probe(media_dir / SILENT, config)

    info = probe(media_dir / SILENT, config, require_audio=False)
    assert (info.width, info.height, info.has_audio) == (720, 1280, False)
    assert info.is_vertical


def test_it_refuses_a_zero_byte_file(tmp_path, config):
    empty = tmp_path / "empty.mp4"
    empty.touch()

    with pytest.raises(MediaError, match=r"empty \(0 bytes\)"):
        probe(empty, config)


def test_it_refuses_a_missing_file(tmp_path, config):
    with pytest.raises(MediaError, match="does not exist"):
        probe(tmp_path / "nowhere.mp4", config)


def test_it_refuses_a_text_file_renamed_to_mp4(tmp_path, config):
    fake = tmp_path / "notes.mp4"
    fake.write_text("Meeting notes: this is not a video at all.\n" * 20)

    with pytest.raises(MediaError, match=r"^This file is not a video file Clipsite can read \(it is a text file\)"):
        probe(fake, config)


def test_it_refuses_an_mp4_cut_in_half_when_its_index_is_at_the_end(media_dir, tmp_path, config):
    truncated = half_of(media_dir / HAMILTON, tmp_path / "half.mp4")

    with pytest.raises(MediaError, match=r"^The file is not a readable video or audio file") as caught:
        probe(truncated, config)
    # ffprobe's own words (which name the path) are kept for the log, not shown.
    assert "moov atom not found" in caught.value.detail and "moov" not in caught.value.message
    assert str(tmp_path) not in caught.value.message


def test_it_refuses_an_mp4_cut_in_half_when_its_index_comes_first(media_dir, tmp_path, config):
    # The index survives the cut, so ffprobe still reports the full ten seconds.
    faststart = tmp_path / "faststart.mp4"
    ffmpeg("-i", media_dir / HAMILTON, "-c", "copy", "-movflags", "+faststart", faststart)
    truncated = half_of(faststart, tmp_path / "half.mp4")
    assert float(run_ffprobe(truncated, config)["format"]["duration"]) == pytest.approx(10.0, abs=0.1)

    with pytest.raises(MediaError, match=r"^The file is incomplete: its last seconds are missing"):
        probe(truncated, config)
    assert probe(faststart, config).duration == pytest.approx(10.0, abs=0.1)


def test_it_refuses_media_longer_than_the_configured_limit(media_dir, config):
    with pytest.raises(MediaError, match=r"is 0:10 long, over the limit of 0:05"):
        probe(media_dir / HAMILTON, config.replace(max_duration_seconds=5))

    assert probe(media_dir / HAMILTON, config.replace(max_duration_seconds=11)).duration < 11


# ffmpeg 5.1 stores ``rotate=N`` as a display matrix turning the picture N degrees
# counter-clockwise, the convention MediaInfo.rotation follows.
@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_it_reports_a_rotated_phone_video_upright(media_dir, tmp_path, config, rotate):
    rotated = tmp_path / f"phone-{rotate}.mp4"
    ffmpeg("-i", media_dir / LANDSCAPE, "-c", "copy", "-metadata:s:v", f"rotate={rotate}", rotated)

    info = probe(rotated, config)

    assert info.rotation == rotate
    quarter_turn = rotate in (90, 270)
    assert (info.width, info.height) == ((720, 1280) if quarter_turn else (1280, 720))
    assert info.is_vertical == quarter_turn


def test_it_turns_the_picture_counter_clockwise_by_the_reported_rotation(tmp_path, config):
    marked = tmp_path / "corner.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=black:s=160x90,drawbox=x=0:y=0:w=40:h=30:c=white:t=fill",
           "-frames:v", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p", marked)
    rotated = tmp_path / "corner-rotated.mp4"
    ffmpeg("-i", marked, "-c", "copy", "-metadata:s:v", "rotate=90", rotated)

    info = probe(rotated, config, require_audio=False)
    upright = first_frame(rotated).reshape(info.height, info.width)

    # A quarter turn counter-clockwise moves the white top-left corner to the bottom left.
    assert (info.rotation, info.width, info.height) == (90, 90, 160)
    assert upright[-5, 5] > 200 and upright[5, 5] < 50 and upright[5, -5] < 50


def test_it_matches_the_frames_ffmpeg_and_opencv_decode_from_a_rotated_video(media_dir, tmp_path, config):
    import cv2

    rotated = tmp_path / "phone.mp4"
    ffmpeg("-i", media_dir / LANDSCAPE, "-t", "1", "-c", "copy", "-metadata:s:v", "rotate=90", rotated)
    info = probe(rotated, config)

    # The documented promise: decoders autorotate, so frames come out at MediaInfo's size.
    assert first_frame(rotated).size == info.width * info.height
    capture = cv2.VideoCapture(str(rotated))
    ok, frame = capture.read()
    capture.release()
    assert ok and frame.shape[:2] == (info.height, info.width) == (1280, 720)


def test_it_never_lets_ffmpeg_or_ffprobe_open_a_network_url(tmp_path, config):
    with LocalHTTPServer() as server:
        url = server.add_bytes("/video.mp4", b"not fetched", content_type="video/mp4")
        # Every input is a local file, so a URL is read as a (missing) file name.
        with pytest.raises(MediaError, match=r"^The file does not exist"):
            run_ffmpeg(["-i", url, tmp_path / "out.mp4"], config, what="fetch it")
        with pytest.raises(MediaError, match=r"^The file does not exist"):
            run_ffprobe(url, config)
        # An input whose format the caller names itself still reads files only.
        with pytest.raises(MediaError, match=r"^Could not fetch it") as caught:
            run_ffmpeg(["-f", "mov", "-i", url, tmp_path / "out.mp4"], config, what="fetch it")
        assert "not on whitelist" in caught.value.detail

    assert server.hits == []


def test_it_keeps_a_colon_in_a_file_name_from_reading_as_a_protocol(media_dir, tmp_path, config, monkeypatch):
    ffmpeg("-i", media_dir / HAMILTON, "-t", "1", "-c", "copy", tmp_path / "take:1.mp4")
    monkeypatch.chdir(tmp_path)

    # Relative, "take:1.mp4" would name a protocol "take"; the helper passes it absolute.
    assert probe(Path("take:1.mp4"), config).duration == pytest.approx(1.0, abs=0.1)


def test_it_reports_ffmpeg_progress_and_a_readable_failure(media_dir, tmp_path, config, caplog):
    reports: list[float] = []
    output = tmp_path / "audio.wav"

    run_ffmpeg(["-i", media_dir / HAMILTON, "-vn", output], config, duration=10.0,
               progress=lambda fraction, message="": reports.append(fraction))

    assert output.stat().st_size > 0
    assert reports == sorted(reports) and reports[-1] == 1.0 and len(reports) >= 2
    with pytest.raises(MediaError, match=r"^The file does not exist"):
        run_ffmpeg(["-i", tmp_path / "missing.mp4", output], config, what="convert it")
    damaged = half_of(media_dir / HAMILTON, tmp_path / "damaged.mp4")
    with pytest.raises(MediaError) as caught:
        run_ffmpeg(["-i", damaged, output], config, what="convert it")
    # The user reads what failed; the log and ``detail`` keep ffmpeg's words and the path.
    assert caught.value.message == (
        "Could not convert it: the file may be damaged, incomplete or in a format Clipsite cannot read."
    )
    assert "moov atom not found" in caught.value.detail
    assert "moov atom not found" in caplog.text and str(damaged) in caplog.text


def test_it_names_the_setting_when_a_binary_is_missing(media_dir, config):
    with pytest.raises(ConfigError, match="FFPROBE_BINARY"):
        probe(media_dir / HAMILTON, config.replace(ffprobe="/nonexistent/ffprobe"))
    with pytest.raises(ConfigError, match="FFMPEG_BINARY"):
        run_ffmpeg(["-version"], config.replace(ffmpeg="/nonexistent/ffmpeg"))


def run_cli(*args: str, quiet: bool = True) -> subprocess.CompletedProcess[str]:
    # The session sets ALLOW_PRIVATE_URLS=true in os.environ; the child inherits it.
    command = [sys.executable, "-m", "pipeline", *(["--quiet"] if quiet else []), "probe", *args]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


def test_it_prints_media_info_json_from_the_command_line(media_dir):
    result = run_cli(str(media_dir / HAMILTON))

    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert (info["width"], info["height"], info["has_audio"]) == (640, 360, True)
    assert info["path"] == str(media_dir / HAMILTON)


def test_it_probes_a_link_from_the_command_line_by_downloading_it_first(media_dir, tmp_path):
    with LocalHTTPServer() as server:
        url = server.add_file("/talk.mp4", media_dir / HAMILTON)
        result = run_cli(url, "--start", "2", "--end", "6", "--workdir", str(tmp_path / "work"), quiet=False)

    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["duration"] == pytest.approx(4.0, abs=0.15)
    assert Path(info["path"]).parent == tmp_path / "work" and Path(info["path"]).is_file()
    assert "100%" in result.stderr  # the progress bar on stderr reached the end


def test_it_fails_on_the_command_line_with_one_line_and_exit_status_2(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.touch()

    result = run_cli(str(empty))

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: The file is empty (0 bytes); upload or download it again."
    ]
