"""The geometry of reframing: the proxy decode, crop windows, shots, plans and camera paths.

Shared by :mod:`pipeline.reframe` (one layout for a clip, or the largest face) and
:mod:`pipeline.follow` (shot by shot, from who is speaking). Everything here is numbers;
:func:`pipeline.reframe.video_filter` turns a plan into ffmpeg's filter graph.
"""

from __future__ import annotations

import dataclasses
import math
from bisect import bisect_right
from itertools import pairwise
from pathlib import Path

import numpy as np

from pipeline.config import PipelineConfig
from pipeline.errors import MediaError, RenderError
from pipeline.ffmpeg import run_ffmpeg
from pipeline.types import JsonMixin

# The proxy the face pass decodes: see pipeline.faces for the width. The rate was chosen
# by measurement (CPU seconds of the face pass for 60 s of a 1080p talk; share of sampled
# frames with the main face inside the window on hamilton / d6 / s18):
# 2 fps 9.3 s, 0.84 / 1.00 / 1.00; 3 fps 9.7 s, 0.91 / 1.00 / 1.00; 5 fps 14.5 s,
# 0.88 / 1.00 / 1.00. Decoding the range dominates up to 3 fps; beyond it the detections do.
PROXY_WIDTH = 320
PROXY_FPS = 3.0

# Crop path tuning, as fractions of the crop window's width per axis.
DEAD_ZONE = 0.08  # the face may drift this far from the window's centre before it moves
MAX_SPEED = 0.6  # window widths per second: quick enough to keep a walking speaker framed
# A path point that a straight line through its neighbours predicts to within this many
# pixels is dropped, which keeps the crop expression short without moving the window.
SIMPLIFY_PX = 0.75


@dataclasses.dataclass
class Window(JsonMixin):
    """A crop window of fixed size whose top-left corner moves along ``path``.

    ``path`` is a list of ``[t, x, y]`` points, ``t`` in seconds from the clip start, and
    the corner is interpolated linearly between points. Two points with the same ``t``
    make a jump (a scene cut).
    """

    w: int
    h: int
    path: list[list[float]]

    def at(self, t: float) -> tuple[float, float]:
        """The window's top-left corner at ``t`` seconds, as ffmpeg will place it."""
        times = [p[0] for p in self.path]
        i = bisect_right(times, t) - 1
        if i < 0:
            return self.path[0][1], self.path[0][2]
        if i >= len(self.path) - 1:
            return self.path[-1][1], self.path[-1][2]
        t0, x0, y0 = self.path[i]
        t1, x1, y1 = self.path[i + 1]
        f = (t - t0) / (t1 - t0)
        return x0 + (x1 - x0) * f, y0 + (y1 - y0) * f

    def expressions(self) -> tuple[str, str]:
        """ffmpeg expressions in ``t`` for the corner's x and y (for the crop filter)."""
        return piecewise(self.path, 1), piecewise(self.path, 2)


@dataclasses.dataclass
class Shot(JsonMixin):
    """A stretch of the clip (seconds from its start) with one layout and its windows.

    ``speaker`` is the person a ``crop`` shot shows (an index into the plan's
    ``speakers``), None for the other layouts or when nobody is known to speak.
    """

    start: float
    end: float
    layout: str
    speaker: int | None = None
    windows: list[Window] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ReframePlan(JsonMixin):
    """How to turn the source frame into the output frame; see the module docstring.

    ``layout`` and ``windows`` describe the whole clip when it has one layout; otherwise
    ``layout`` is the one covering most of the clip and each of ``shots`` has its own
    windows. ``shots`` always covers the clip. ``speakers`` lists the people found, left
    to right: ``{"id", "x"`` (median centre, fraction of the source width)``, "speaking"``
    (``[[t0, t1], ...]``, clip seconds)``}``.
    """

    layout: str
    source_width: int
    source_height: int
    windows: list[Window] = dataclasses.field(default_factory=list)
    face_share: float = 0.0
    shots: list[Shot] = dataclasses.field(default_factory=list)
    speakers: list[dict] = dataclasses.field(default_factory=list)

    @property
    def mixed(self) -> bool:
        """Whether the shots use more than one layout (the filter then works shot by shot)."""
        return len({shot.layout for shot in self.shots}) > 1


def decode_proxy(
    source: Path, start: float, end: float, width: int, height: int, config: PipelineConfig, fps: float = PROXY_FPS
) -> tuple[np.ndarray, np.ndarray]:
    """Decode ``[start, end]`` at ``fps`` as PROXY_WIDTH-wide RGB frames, with their clip times."""
    proxy_w = min(PROXY_WIDTH, width)
    proxy_h = even(height * proxy_w / width)
    # Deblocking is skipped because a face detector on a 320 px proxy cannot tell, and it
    # is a large share of H.264 decoding time. Frames no other frame refers to (most B
    # frames of a typical upload) are not decoded at all: at a few frames a second the
    # sampled frame moves by at most a frame or two, and decoding gets that much cheaper.
    args = [
        "-skip_loop_filter", "all", "-skip_frame", "noref",
        "-ss", f"{start:.3f}", "-t", f"{end - start:.3f}", "-i", source,
        "-map", "0:v:0", "-an", "-sn",
        "-vf", f"fps={fps},scale={proxy_w}:{proxy_h}:flags=fast_bilinear",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
    ]  # fmt: skip
    try:
        raw = run_ffmpeg(args, config, what="decode the clip for face detection").stdout
    except MediaError as exc:
        raise RenderError(exc.message) from None
    frames = np.frombuffer(raw, np.uint8)
    frames = frames[: frames.size // (proxy_w * proxy_h * 3) * proxy_w * proxy_h * 3]
    frames = frames.reshape(-1, proxy_h, proxy_w, 3)
    return frames, np.arange(len(frames)) / fps


def largest_window(width: int, height: int, target: float) -> tuple[int, int]:
    """The largest window of shape ``target`` inside the source, in even pixels."""
    if width / height > target:
        return min(width, even(height * target)), height - height % 2
    return width - width % 2, min(height, even(width / target))


def smooth_path(targets: list[float], window_w: int, dt: float) -> list[float]:
    """A camera path through ``targets`` (NaN: no face): dead zone, speed cap, no jitter."""
    values = np.array(targets, dtype=float)
    known = np.flatnonzero(~np.isnan(values))
    # Frames without the face hold the nearest known position.
    values = np.interp(np.arange(len(values)), known, values[known])
    # A median of three removes one-frame detection glitches before they move anything.
    if len(values) >= 3:
        padded = np.concatenate([values[:1], values, values[-1:]])
        values = np.median(np.stack([padded[:-2], padded[1:-1], padded[2:]]), axis=0)
    dead, step = DEAD_ZONE * window_w, MAX_SPEED * window_w * dt
    camera = np.empty_like(values)
    position = float(np.median(values[: max(1, round(1 / dt))]))
    for i, value in enumerate(values):
        offset = value - position
        if abs(offset) > dead:
            position += math.copysign(min(abs(offset) - dead, step), offset)
        camera[i] = position
    # Averaging neighbours rounds off the corners where the camera starts and stops;
    # an average of speed-capped steps is still speed-capped.
    if len(camera) >= 3:
        padded = np.concatenate([camera[:1], camera, camera[-1:]])
        camera = (padded[:-2] + padded[1:-1] + padded[2:]) / 3
    return [float(v) for v in camera]


def simplify_path(path: list[list[float]]) -> list[list[float]]:
    """Drop points that lie on the line through their neighbours (jumps are always kept)."""
    out = [path[0]]
    for i in range(1, len(path) - 1):
        prev, point, nxt = out[-1], path[i], path[i + 1]
        if point[0] in (prev[0], nxt[0]) or nxt[0] == prev[0]:
            out.append(point)
            continue
        f = (point[0] - prev[0]) / (nxt[0] - prev[0])
        error = max(abs(prev[k] + (nxt[k] - prev[k]) * f - point[k]) for k in (1, 2))
        if error > SIMPLIFY_PX:
            out.append(point)
    out.append(path[-1])
    return out


def piecewise(path: list[list[float]], k: int) -> str:
    """A flat sum of gated linear pieces: ffmpeg evaluates it per frame without nesting."""
    if len({point[k] for point in path}) == 1:
        return f"{path[0][k]:g}"
    terms = [f"lt(t,{path[0][0]:g})*{path[0][k]:g}"]
    for (t0, *p0), (t1, *p1) in pairwise(path):
        if t1 <= t0:
            continue
        v0, v1 = p0[k - 1], p1[k - 1]
        if abs(v1 - v0) < 1e-6:
            terms.append(f"gte(t,{t0:g})*lt(t,{t1:g})*{v0:g}")
        else:
            terms.append(f"gte(t,{t0:g})*lt(t,{t1:g})*({v0:g}{(v1 - v0) / (t1 - t0):+.4f}*(t-{t0:g}))")
    terms.append(f"gte(t,{path[-1][0]:g})*{path[-1][k]:g}")
    return "+".join(terms)


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def even(value: float) -> int:
    return max(2, round(value / 2) * 2)
