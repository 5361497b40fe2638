"""Storyboards: JPEG contact sheets of evenly spread frames, checked by decoding them.

A test clip whose brightness grows with time (20 luma levels a second) shows which
moment each tile really comes from; the shared corpus gives real landscape and portrait
footage and a file that is not media at all.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from pipeline.config import PipelineConfig
from pipeline.errors import IngestError, MediaError
from pipeline.trends.platforms import get_provider, parse_video_link
from pipeline.trends.storyboard import MAX_TILES, contact_sheet, grid, stamp, storyboard_times
from tests.media import cached
from tests.pipeline.http_server import LocalHTTPServer
from tests.pipeline.platform_fakes import Paces, answering, recorded

LEVELS_PER_SECOND = 20


@pytest.fixture
def config() -> PipelineConfig:
    return PipelineConfig()


@pytest.fixture(scope="module")
def ramp() -> Path:
    """A 10 s, 320x180, 25 fps H.264 clip whose luma is black (16) plus 20 levels a second."""

    def build(out: Path) -> None:
        source = f"color=c=black:s=320x180:r=25:d=10,geq=lum='16+{LEVELS_PER_SECOND}*T':cb=128:cr=128"
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source,
                        "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", str(out)],
                       check=True)  # fmt: skip

    return cached("luma-ramp-10s", ".mp4", build)


def decoded(jpeg: bytes) -> np.ndarray:
    assert jpeg[:3] == b"\xff\xd8\xff"  # a JPEG's start-of-image marker
    image = cv2.imdecode(np.frombuffer(jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def test_it_spreads_frame_times_evenly_inside_the_video():
    assert storyboard_times(10.0, 4) == [1.25, 3.75, 6.25, 8.75]
    assert storyboard_times(8.0, 1) == [4.0]
    times = storyboard_times(213.0, MAX_TILES)
    assert len(times) == 25 and 0 < times[0] < times[-1] < 213.0
    for n, duration in ((0, 10.0), (26, 10.0), (9, 0.0), (9, float("nan"))):
        with pytest.raises(ValueError):
            storyboard_times(duration, n)


def test_it_lays_tiles_out_in_a_near_square_grid():
    assert [grid(n) for n in (1, 2, 4, 9, 10, 25)] == [(1, 1), (2, 1), (2, 2), (3, 3), (4, 3), (5, 5)]


def test_it_stamps_times_as_minutes_and_seconds():
    assert [stamp(t) for t in (0.0, 4.99, 65.9, 3725.0)] == ["0:00", "0:04", "1:05", "1:02:05"]


@pytest.mark.parametrize(("n", "columns", "rows"), [(1, 1, 1), (9, 3, 3), (25, 5, 5)])
def test_it_makes_a_jpeg_grid_of_the_frames_at_their_times(ramp, config, n, columns, rows):
    sheet = decoded(contact_sheet(ramp, n, config))

    assert sheet.shape == (rows * 180, columns * 320, 3)
    for index, moment in enumerate(storyboard_times(10.0, n)):
        top, left = (index // columns) * 180, (index % columns) * 320
        # The upper half of the tile, away from the time stamp in its lower left corner.
        level = sheet[top : top + 90, left : left + 320].mean()
        # Video luma 16-235 spans 0-255 once decoded to RGB.
        assert level == pytest.approx(LEVELS_PER_SECOND * moment * 255 / 219, abs=8), f"tile {index} at {moment:.2f} s"
        stamp_corner = sheet[top + 130 : top + 180, left : left + 80]
        assert stamp_corner.max() > 200  # white digits, even on the darkest tile


def test_it_keeps_the_shape_of_portrait_video(media_dir, config):
    sheet = decoded(contact_sheet(media_dir / "vid_face_vertical_liveportrait_d13.mp4", 4, config))

    assert sheet.shape == (2 * 320, 2 * 180, 3)


def test_it_refuses_what_is_not_a_readable_video(media_dir, config, tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("#EXTM3U\nhttp://169.254.169.254/latest/meta-data\n")
    with pytest.raises(MediaError):
        contact_sheet(text, 9, config)
    with pytest.raises(MediaError, match="no video"):
        contact_sheet(media_dir / "en_jfk_inaugural_1961.flac", 9, config)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes((media_dir / "vid_faces_cuts_short_hamilton_clip.mp4").read_bytes()[:20_000])
    with pytest.raises(MediaError):
        contact_sheet(cut, 9, config)


def test_it_makes_a_storyboard_from_the_preview_a_provider_fetches(ramp, tmp_path):
    config = PipelineConfig(allow_private_urls=True)
    info = recorded("youtube_video.info.json")
    with LocalHTTPServer() as server:
        preview = next(f for f in info["formats"] if f["format_id"] == "160")
        preview.update(url=server.add_file("/videoplayback/preview.mp4", ramp, "video/mp4"),
                       filesize=ramp.stat().st_size)  # fmt: skip
        with answering("youtube", info):
            provider = get_provider("youtube", config, pace=Paces())
            video = provider.video(parse_video_link("https://www.youtube.com/watch?v=dQw4w9WgXcQ"))
        path = provider.fetch_preview(video, tmp_path)
        sheet = decoded(contact_sheet(path, 4, config, duration=10.0))

        assert path.read_bytes() == ramp.read_bytes()
        assert sheet.shape == (2 * 180, 2 * 320, 3)
        with pytest.raises(IngestError, match="larger than the download limit"):
            get_provider("youtube", config.replace(max_download_bytes=2048), pace=Paces()).fetch_preview(
                video, tmp_path / "capped")
