"""Plan how a clip's frame becomes the output's frame: crop path, fit, split or plain scale.

Only the clip's own time range is decoded, as a small proxy (:data:`PROXY_WIDTH` px wide
at :data:`PROXY_FPS` frames per second), so reframing a one-minute clip of a two-hour
source costs the same as reframing a one-minute source.

Layouts:

* ``scale``: the source already has the output's shape; nothing is cropped.
* ``fit``: the whole frame, scaled to fit, over a blurred copy that fills the rest. Used
  for a source that is already vertical (never cropped) and for wide content without
  faces (slides, screen recordings, landscapes), where any crop would lose content.
* ``crop``: a window of the output's shape follows the main speaker's face along a
  smooth path: a dead zone ignores small head motion, the speed is capped, and the window
  jumps cleanly (in one frame) at a scene cut. Without faces the window stays centred.
* ``split``: two people side by side for most of the clip, too far apart for one window:
  each gets a window and the two are stacked.

A plan holds only numbers; :func:`video_filter` turns it into the ffmpeg filter chain
that :mod:`pipeline.render` runs in its single encoding pass.
"""

from __future__ import annotations

import dataclasses
import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np

from pipeline.config import PipelineConfig
from pipeline.errors import MediaError, RenderError
from pipeline.faces import Face, default_detector, subject_runs
from pipeline.ffmpeg import run_ffmpeg
from pipeline.types import JsonMixin, MediaInfo, ProgressFn, no_progress

ASPECT_RATIOS: dict[str, tuple[int, int]] = {"9:16": (9, 16), "1:1": (1, 1), "4:5": (4, 5), "16:9": (16, 9)}

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
# Shapes closer than this (relative) are the same shape: scale, do not crop.
SAME_SHAPE = 0.03
# Mean HSV change (0-255 scale, 64x36 thumbnails) between proxy frames above which a cut
# may lie between them. Measured on the corpus: 29-55 across the six real hard cuts,
# at most 22 on the talking heads and close-ups without cuts.
CUT_HINT = 25.0
CUT_PAD = 0.2  # seconds of margin around a suspect interval
# When suspect intervals cover more than this share of the clip, one scan is cheaper.
CUT_SCAN_SHARE = 0.3
# Below this share of proxy frames with a face, the clip counts as faceless.
FACE_SHARE_MIN = 0.2
# Two faces in at least this share of frames make a split layout; the smaller must have
# at least SPLIT_AREA of the larger's area (a face in the background is not a guest).
SPLIT_AREA = 0.25
SPLIT_SHARE_MIN = 0.6
# A faceless frame whose detail lies mostly outside the centre window is "wide content".
WIDE_CONTENT_SHARE = 0.55
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
        return _piecewise(self.path, 1), _piecewise(self.path, 2)


@dataclasses.dataclass
class ReframePlan(JsonMixin):
    """How to turn the source frame into the output frame; see the module docstring."""

    layout: str
    source_width: int
    source_height: int
    windows: list[Window] = dataclasses.field(default_factory=list)
    face_share: float = 0.0


def output_size(aspect_ratio: str, short_side: int = 1080) -> tuple[int, int]:
    """Output width and height for an aspect ratio: 1080x1920 for 9:16 at the default size."""
    if aspect_ratio not in ASPECT_RATIOS:
        raise RenderError(f"Unknown aspect ratio {aspect_ratio!r}; use one of {', '.join(ASPECT_RATIOS)}.")
    aw, ah = ASPECT_RATIOS[aspect_ratio]
    if aw <= ah:
        return _even(short_side), _even(short_side * ah / aw)
    return _even(short_side * aw / ah), _even(short_side)


def _needs_faces(media: MediaInfo, out_width: int, out_height: int) -> bool:
    """Whether the layout depends on the faces (and scene cuts) in the clip.

    A source with the output's shape is only scaled, and one that is already vertical is
    never cropped; neither needs a face pass.
    """
    return not (_same_shape(media, out_width, out_height) or media.is_vertical)


def plan_reframe(
    source: Path,
    media: MediaInfo,
    start: float,
    end: float,
    out_width: int,
    out_height: int,
    config: PipelineConfig,
    *,
    scene_cuts: Sequence[float] | None = None,
    cuts_near: Callable[[float, float], list[float]] | None = None,
    progress: ProgressFn = no_progress,
) -> ReframePlan:
    """Plan the reframing of ``source`` between ``start`` and ``end`` (source seconds).

    ``scene_cuts`` are cut times on the source timeline; those inside the range split the
    crop path into shots. Without them, ``cuts_near(t0, t1)`` (source seconds, e.g.
    :func:`pipeline.scenes.detect_scenes` over that range) is asked only where the proxy
    frames change enough to hide a cut, or once for the whole range when they change
    often; with neither, the clip is one shot. Decodes only the range; raises
    :class:`RenderError` when it cannot be decoded.
    """
    width, height = media.width, media.height
    target = out_width / out_height
    plan = ReframePlan(layout="scale", source_width=width, source_height=height)
    if not _needs_faces(media, out_width, out_height):
        plan.layout = "scale" if _same_shape(media, out_width, out_height) else "fit"
        return plan
    frames, times = _decode_proxy(source, start, end, width, height, config)
    progress(0.3, "finding faces")
    factor = width / frames.shape[2] if len(frames) else 1.0
    detector = default_detector()
    faces: list[list[Face]] = []
    for i, frame in enumerate(frames):
        faces.append([face.scaled(factor) for face in detector.detect(frame)])
        progress(0.3 + 0.7 * (i + 1) / len(frames), "finding faces")
    plan.face_share = sum(1 for found in faces if found) / max(1, len(faces))
    duration = end - start
    if plan.face_share < FACE_SHARE_MIN:
        if _is_wide_content(frames, target):
            plan.layout = "fit"
        else:
            plan.layout = "crop"
            plan.windows = [_fixed_window(width, height, target, width / 2, height / 2, duration)]
        return plan
    pairs = [_side_by_side(found, _fit(width, height, target)[0]) for found in faces]
    if sum(1 for pair in pairs if pair) / len(faces) >= SPLIT_SHARE_MIN:
        plan.layout = "split"
        plan.windows = _split_windows([p for p in pairs if p], width, height, out_width / (out_height / 2), duration)
        return plan
    # Only a moving window cares where the shots change, so only it asks for cuts.
    if scene_cuts is None:
        scene_cuts = _ask_for_cuts(frames, times, start, end, cuts_near) if cuts_near else []
    cuts = sorted(c - start for c in scene_cuts if start < c < end)
    plan.layout = "crop"
    plan.windows = [_follow(faces, times, cuts, duration, width, height, target)]
    return plan


def video_filter(plan: ReframePlan, out_width: int, out_height: int, source: str = "0:v") -> str:
    """The filter graph from ``[source]`` to ``[framed]``: the plan's layout at the output size."""
    size = f"{out_width}:{out_height}"
    if plan.layout == "scale":
        return f"[{source}]scale={size},setsar=1[framed]"
    if plan.layout == "fit":
        # The fill is blurred at an eighth of the size: the same look for a fraction of
        # the cost of blurring a full 1080x1920 frame.
        small = f"{_even(out_width / 8)}:{_even(out_height / 8)}"
        return (
            f"[{source}]split[bgsrc][fgsrc];"
            f"[bgsrc]scale={small}:force_original_aspect_ratio=increase,crop={small},boxblur=8:2,"
            f"scale={size}[bg];"
            f"[fgsrc]scale={size}:force_original_aspect_ratio=decrease[fg];"
            f"[bg][fg]overlay=(W-w)/2:(H-h)/2,setsar=1[framed]"
        )
    if plan.layout == "crop":
        return f"[{source}]{_crop(plan.windows[0])},scale={size},setsar=1[framed]"
    if plan.layout == "split":
        half = f"{out_width}:{out_height // 2}"
        top, bottom = plan.windows
        return (
            f"[{source}]split[topsrc][botsrc];"
            f"[topsrc]{_crop(top)},scale={half}[top];"
            f"[botsrc]{_crop(bottom)},scale={out_width}:{out_height - out_height // 2}[bot];"
            f"[top][bot]vstack,setsar=1[framed]"
        )
    raise RenderError(f"Unknown layout {plan.layout!r}.")


def _crop(window: Window) -> str:
    x, y = window.expressions()
    return f"crop={window.w}:{window.h}:'{x}':'{y}'"


def _decode_proxy(
    source: Path, start: float, end: float, width: int, height: int, config: PipelineConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Decode ``[start, end]`` at PROXY_FPS as PROXY_WIDTH-wide RGB frames, with their clip times."""
    proxy_w = min(PROXY_WIDTH, width)
    proxy_h = _even(height * proxy_w / width)
    # Deblocking is skipped because a face detector on a 320 px proxy cannot tell, and it
    # is a large share of H.264 decoding time.
    args = [
        "-skip_loop_filter", "all", "-ss", f"{start:.3f}", "-t", f"{end - start:.3f}", "-i", source,
        "-map", "0:v:0", "-an", "-sn",
        "-vf", f"fps={PROXY_FPS},scale={proxy_w}:{proxy_h}:flags=fast_bilinear",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
    ]  # fmt: skip
    try:
        raw = run_ffmpeg(args, config, what="decode the clip for face detection").stdout
    except MediaError as exc:
        raise RenderError(exc.message) from None
    frames = np.frombuffer(raw, np.uint8)
    frames = frames[: frames.size // (proxy_w * proxy_h * 3) * proxy_w * proxy_h * 3]
    frames = frames.reshape(-1, proxy_h, proxy_w, 3)
    return frames, np.arange(len(frames)) / PROXY_FPS


def _same_shape(media: MediaInfo, out_width: int, out_height: int) -> bool:
    target = out_width / out_height
    return abs(media.width / media.height - target) / target < SAME_SHAPE


def _ask_for_cuts(
    frames: np.ndarray,
    times: np.ndarray,
    start: float,
    end: float,
    cuts_near: Callable[[float, float], list[float]],
) -> list[float]:
    """Scene cuts from ``cuts_near``, asked only about the proxy intervals that may hold one.

    A hard cut changes the picture between two proxy frames more than
    :data:`CUT_HINT`; on a talking head nothing does, so scene detection (a full-rate
    decode) is skipped for most of a typical clip.
    """
    import cv2

    signatures = [
        cv2.cvtColor(cv2.resize(f, (64, 36), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2HSV).astype(np.float32)
        for f in frames
    ]
    spans: list[list[float]] = []
    for i in range(1, len(signatures)):
        if np.abs(signatures[i] - signatures[i - 1]).mean() <= CUT_HINT:
            continue
        t0, t1 = start + times[i - 1] - CUT_PAD, start + times[i] + CUT_PAD
        if spans and t0 <= spans[-1][1]:
            spans[-1][1] = t1
        else:
            spans.append([t0, t1])
    if sum(t1 - t0 for t0, t1 in spans) > CUT_SCAN_SHARE * (end - start):
        return cuts_near(start, end)
    return sorted({cut for t0, t1 in spans for cut in cuts_near(max(start, t0), min(end, t1))})


def _fit(width: int, height: int, target: float) -> tuple[int, int]:
    """The largest window of shape ``target`` inside the source, in even pixels."""
    if width / height > target:
        return min(width, _even(height * target)), height - height % 2
    return width - width % 2, min(height, _even(width / target))


def _fixed_window(width: int, height: int, target: float, cx: float, cy: float, duration: float) -> Window:
    w, h = _fit(width, height, target)
    x, y = _clamp(cx - w / 2, 0, width - w), _clamp(cy - h / 2, 0, height - h)
    return Window(w, h, [[0.0, x, y], [round(duration, 3), x, y]])


def _is_wide_content(frames: np.ndarray, target: float) -> bool:
    """Whether most of the frames' detail lies outside a centred window of shape ``target``."""
    if not len(frames):
        return False
    gray = frames[:: max(1, len(frames) // 10)].mean(axis=3)
    detail = np.abs(np.diff(gray, axis=2)).sum(axis=(0, 1))
    width = detail.size
    window = min(width, round(frames.shape[1] * target))
    left = (width - window) // 2
    outside = detail.sum() - detail[left : left + window].sum()
    return bool(outside / max(detail.sum(), 1e-9) > WIDE_CONTENT_SHARE)


def _side_by_side(faces: list[Face], window_w: int) -> tuple[Face, Face] | None:
    """The two largest faces, left first, when both are big and too far apart for one window."""
    if len(faces) < 2:
        return None
    a, b = sorted(faces, key=lambda f: f.area, reverse=True)[:2]
    if b.area < SPLIT_AREA * a.area or abs(a.cx - b.cx) < 0.6 * window_w:
        return None
    return (a, b) if a.cx < b.cx else (b, a)


def _split_windows(
    pairs: list[tuple[Face, Face]], width: int, height: int, half_shape: float, duration: float
) -> list[Window]:
    """Two fixed windows, one around each person's median position, left person on top."""
    windows = []
    for side in (0, 1):
        cx = float(np.median([p[side].cx for p in pairs]))
        cy = float(np.median([p[side].cy for p in pairs]))
        face_h = float(np.median([p[side].h for p in pairs]))
        # Frame each person from the chest up (about four face heights) rather than the
        # whole half of the source, so two small people still fill their half.
        h = min(height, _even(max(face_h * 4, height * 0.4)))
        w = min(width, _even(h * half_shape))
        h = min(h, _even(w / half_shape))
        x, y = _clamp(cx - w / 2, 0, width - w), _clamp(cy - h * 0.4, 0, height - h)
        windows.append(Window(w, h, [[0.0, x, y], [round(duration, 3), x, y]]))
    return windows


def _follow(
    faces: list[list[Face]],
    times: np.ndarray,
    cuts: list[float],
    duration: float,
    width: int,
    height: int,
    target: float,
) -> Window:
    """A window that follows the main face along a smooth path, jumping at cuts.

    Within a shot, a change of subject (another face becomes and stays the largest, or
    the followed one leaves) is also a jump, at the midpoint between the frames showing
    the old and the new subject: a pan across the frame to a new face would lose both.
    """
    w, h = _fit(width, height, target)
    bounds = [0.0, *cuts, duration]
    path: list[list[float]] = []
    for a, b in pairwise(bounds):
        idx = [i for i, t in enumerate(times) if a <= t < b]
        runs = subject_runs([faces[i] for i in idx])
        if not runs:
            runs = [(0, len(idx), {})]
        for n, (first, last, track) in enumerate(runs):
            run_start = a if n == 0 else float(times[idx[first]] - 0.5 / PROXY_FPS)
            run_end = b if n == len(runs) - 1 else float(times[idx[last]] - 0.5 / PROXY_FPS)
            if track:
                targets = [track.get(j) for j in range(first, last)]
                xs = _smooth([f.cx if f else math.nan for f in targets], w, 1 / PROXY_FPS)
                # The face sits a little above the window's centre, where a viewer expects it.
                ys = _smooth([f.cy + 0.1 * h if f else math.nan for f in targets], w, 1 / PROXY_FPS)
                points = [
                    [float(times[idx[j]]), x - w / 2, y - h / 2]
                    for j, x, y in zip(range(first, last), xs, ys, strict=True)
                ]
            else:
                points = [[run_start, (width - w) / 2, (height - h) / 2]]
            # The run's first and last positions are held to its exact boundaries, so the
            # window jumps in one frame at a cut rather than sliding across it.
            for point in [[run_start, *points[0][1:]], *points, [run_end, *points[-1][1:]]]:
                path.append(
                    [
                        round(point[0], 3),
                        round(_clamp(point[1], 0, width - w), 2),
                        round(_clamp(point[2], 0, height - h), 2),
                    ]
                )
    return Window(w, h, _simplify(path))


def _smooth(targets: list[float], window_w: int, dt: float) -> list[float]:
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


def _simplify(path: list[list[float]]) -> list[list[float]]:
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


def _piecewise(path: list[list[float]], k: int) -> str:
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


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)
