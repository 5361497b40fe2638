"""Storyboards: a contact sheet of evenly spread keyframes, each stamped with its time.

viralcli's ``/v1/storyboard`` answers a JPEG grid of 1 to :data:`MAX_TILES` frames.
Frames are taken from the low-resolution preview a provider downloads: one ffmpeg run
per frame, seeking before the input (``-ss`` before ``-i``), which jumps to the nearest
keyframe and decodes only up to the time asked, so a frame costs the same wherever it
is. ffmpeg reads the file through :func:`pipeline.ffmpeg.run_ffmpeg` (its container
checked and pinned) and hands back raw pixels; OpenCV only lays out the grid, writes the
times and encodes the JPEG, so it never opens the file itself.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from pipeline.config import PipelineConfig
from pipeline.errors import MediaError
from pipeline.ffmpeg import run_ffmpeg
from pipeline.probe import probe

MAX_TILES = 25
# The longer side of a tile in pixels; 25 landscape tiles make a 1600x900 sheet.
TILE_LONG_SIDE = 320
JPEG_QUALITY = 85
# ffmpeg runs at once: frames are independent, and each run is mostly waiting on one core.
PARALLEL_FRAMES = 4
# A seek this close to the end can land after the last frame; the frame is taken this much earlier.
END_BACKOFF_SECONDS = 1.0
FRAME_TIMEOUT_SECONDS = 60


def storyboard_times(duration: float, n: int) -> list[float]:
    """``n`` times evenly spread inside ``(0, duration)``: the middles of ``n`` equal parts."""
    if not 1 <= n <= MAX_TILES:
        raise ValueError(f"a storyboard has 1 to {MAX_TILES} frames; got {n}")
    if not math.isfinite(duration) or duration <= 0:
        raise ValueError(f"the video's duration must be a positive number of seconds; got {duration}")
    return [duration * (i + 0.5) / n for i in range(n)]


def grid(n: int) -> tuple[int, int]:
    """``(columns, rows)`` of the near-square grid for ``n`` tiles: ``ceil(sqrt(n))`` columns."""
    columns = math.ceil(math.sqrt(n))
    return columns, math.ceil(n / columns)


def contact_sheet(video_path: Path, n: int, config: PipelineConfig, *, duration: float | None = None) -> bytes:
    """A JPEG of ``n`` frames (1 to :data:`MAX_TILES`) of ``video_path`` in a near-square grid.

    Frame ``i`` is the one shown at :func:`storyboard_times` ``(duration, n)[i]``, its time
    written in its lower left corner (``m:ss``, ``h:mm:ss`` past an hour); tiles run left
    to right, then top to bottom, and cells past ``n`` stay black. ``duration`` defaults
    to the file's own. Raises :class:`MediaError` for a file ffmpeg cannot read or one
    without video, ValueError for ``n`` out of range.
    """
    info = probe(Path(video_path), config, require_audio=False)
    times = storyboard_times(duration or info.duration, n)
    width, height = tile_size(info.width, info.height)
    with ThreadPoolExecutor(max_workers=PARALLEL_FRAMES) as pool:
        frames = list(pool.map(lambda t: _frame(Path(video_path), t, width, height, config), times))
    columns, rows = grid(n)
    sheet = np.zeros((rows * height, columns * width, 3), dtype=np.uint8)
    for index, (moment, frame) in enumerate(zip(times, frames, strict=True)):
        top, left = (index // columns) * height, (index % columns) * width
        if frame is not None:
            sheet[top : top + height, left : left + width] = frame
        _stamp(sheet, stamp(moment), left, top + height, height)
    encoded, jpeg = cv2.imencode(".jpg", sheet, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not encoded:
        raise MediaError("Could not make the storyboard image.")
    return jpeg.tobytes()


def tile_size(width: int, height: int) -> tuple[int, int]:
    """A tile's ``(width, height)``: the video's shape with its longer side :data:`TILE_LONG_SIDE`, even sizes."""
    if width <= 0 or height <= 0:
        raise MediaError("The video has no picture size, so no storyboard can be made from it.")
    scale = TILE_LONG_SIDE / max(width, height)
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def stamp(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour) of a time, rounded down to the second."""
    whole = int(seconds)
    hours, minutes, secs = whole // 3600, whole // 60 % 60, whole % 60
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _frame(path: Path, moment: float, width: int, height: int, config: PipelineConfig) -> np.ndarray | None:
    """The frame shown at ``moment`` scaled to the tile, as BGR pixels; None when the file has none there."""
    size = width * height * 3
    for seek in (moment, max(0.0, moment - END_BACKOFF_SECONDS)):
        result = run_ffmpeg(
            ["-ss", f"{seek:.3f}", "-i", path, "-map", "0:v:0", "-frames:v", "1",
             "-vf", f"scale={width}:{height},setsar=1", "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"],
            config, what="take a frame for the storyboard", timeout=FRAME_TIMEOUT_SECONDS,
        )  # fmt: skip
        if len(result.stdout) >= size:
            return np.frombuffer(result.stdout[:size], dtype=np.uint8).reshape(height, width, 3)
    return None


def _stamp(sheet: np.ndarray, text: str, left: int, bottom: int, height: int) -> None:
    """Write ``text`` in white with a dark outline near the lower left corner of a tile."""
    scale = max(0.4, height / 240)
    thickness = max(1, round(scale * 1.5))
    origin = (left + round(6 * scale), bottom - round(8 * scale))
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(sheet, text, origin, font, scale, (0, 0, 0), thickness + 2, cv2.LINE_AA)
    cv2.putText(sheet, text, origin, font, scale, (255, 255, 255), thickness, cv2.LINE_AA)
