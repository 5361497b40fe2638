"""Plan how a clip's frame becomes the output's frame: crop path, fit, split or plain scale.

Only the clip's own time range is decoded, as a small proxy (see :mod:`pipeline.framing`),
so reframing a one-minute clip of a two-hour source costs the same as reframing a
one-minute source.

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

Two or more people in one continuous shot: the plan goes shot by shot
(:mod:`pipeline.follow`, :mod:`pipeline.speakers`): the crop cuts to whoever speaks,
ignores back-channels, and in ``auto`` a quick exchange becomes a stacked split. When
nobody is seen speaking (no audio, nobody's mouth moving with the voice), the rules
above apply. A forced layout (``crop``, ``split``, ``fit``) covers the whole clip, and
pins hand a stretch to one person.

A plan holds only numbers; :func:`video_filter` turns it into the ffmpeg filter chain
that :mod:`pipeline.render` runs in its single encoding pass.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np

from pipeline import speakers
from pipeline.config import PipelineConfig
from pipeline.errors import MediaError, RenderError
from pipeline.faces import Face, between, default_detector, detect_faces, is_steady, subject_runs
from pipeline.follow import FollowSpeakers
from pipeline.framing import (
    PROXY_FPS,
    PROXY_WIDTH,
    ReframePlan,
    Shot,
    Window,
    clamp,
    decode_proxy,
    even,
    largest_window,
    simplify_path,
    smooth_path,
)
from pipeline.scenes import CUT_HINT, keyframes, keyframes_differ, picture_change, signature
from pipeline.types import MediaInfo, ProgressFn, no_progress

LAYOUTS = ("auto", "crop", "split", "fit")
ASPECT_RATIOS: dict[str, tuple[int, int]] = {"9:16": (9, 16), "1:1": (1, 1), "4:5": (4, 5), "16:9": (16, 9)}

# Shapes closer than this (relative) are the same shape: scale, do not crop.
SAME_SHAPE = 0.03
CUT_PAD = 0.2  # seconds of margin around a suspect interval
# When suspect intervals cover more than this share of the clip, one scan is cheaper.
CUT_SCAN_SHARE = 0.3
# Keyframes further apart than this (seconds) leave too long unseen to stand in for the
# proxy decode (see _steady_talk); typical uploads have one every 2-5 s.
KEYFRAME_GAP_MAX = 10.0
# Below this share of proxy frames with a face, the clip counts as faceless.
FACE_SHARE_MIN = 0.2
# Two faces in at least this share of frames make a split layout; the smaller must have
# at least SPLIT_AREA of the larger's area (a face in the background is not a guest).
SPLIT_AREA = 0.25
SPLIT_SHARE_MIN = 0.6
# With speakers known, a quick exchange may be stacked when the two people are that far
# apart in at least this share of frames (the rest of the clip is cropped anyway).
STACK_SHARE_MIN = 0.3
# A faceless frame whose detail lies mostly outside the centre window is "wide content".
WIDE_CONTENT_SHARE = 0.55


def output_size(aspect_ratio: str, short_side: int = 1080) -> tuple[int, int]:
    """Output width and height for an aspect ratio: 1080x1920 for 9:16 at the default size."""
    if aspect_ratio not in ASPECT_RATIOS:
        raise RenderError(f"Unknown aspect ratio {aspect_ratio!r}; use one of {', '.join(ASPECT_RATIOS)}.")
    aw, ah = ASPECT_RATIOS[aspect_ratio]
    if aw <= ah:
        return even(short_side), even(short_side * ah / aw)
    return even(short_side * aw / ah), even(short_side)


def _needs_faces(media: MediaInfo, out_width: int, out_height: int) -> bool:
    """Whether the layout depends on the faces (and scene cuts) in the clip.

    A source with the output's shape is only scaled, and one that is already vertical is
    never cropped; neither needs a face pass.
    """
    return not (_same_shape(media, out_width, out_height) or media.is_vertical)


def check_layout(layout: str, pins: Sequence[dict]) -> None:
    """Raise :class:`RenderError` for an unknown layout or a malformed pin (see :func:`plan_reframe`)."""
    if layout not in LAYOUTS:
        raise RenderError(f"Unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}.")
    for pin in pins:
        try:
            t0, t1, x = float(pin["start"]), float(pin["end"]), float(pin["x"])
        except (KeyError, TypeError, ValueError):
            raise RenderError("Each pin needs a start and an end in seconds and an x from 0 to 1.") from None
        if not 0 <= t0 < t1:
            raise RenderError(f"A pin must start at 0 s or later and end after it starts; got {t0:g}-{t1:g} s.")
        if not 0 <= x <= 1:
            raise RenderError(f"A pin's x is a fraction of the frame's width, from 0 to 1; got {x:g}.")


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
    layout: str = "auto",
    pins: Sequence[dict] = (),
    speech: Sequence[tuple[float, float]] = (),
) -> ReframePlan:
    """Plan the reframing of ``source`` between ``start`` and ``end`` (source seconds).

    ``scene_cuts`` are cut times on the source timeline; those inside the range split the
    crop path into shots. Without them, ``cuts_near(t0, t1)`` (source seconds, e.g.
    :func:`pipeline.scenes.detect_scenes` over that range) is asked only where the proxy
    frames change enough to hide a cut, or once for the whole range when they change
    often; with neither, the clip is one shot.

    ``layout`` is ``auto`` (chosen per shot: the speaker's crop, a stacked split while two
    people trade short turns, ``fit`` without a usable face) or ``crop`` / ``split`` /
    ``fit`` for the whole clip (``split`` needs two people side by side; without them the
    clip is cropped). ``pins`` are ``{"start", "end", "x"}`` (clip seconds, x a fraction
    of the source width): there the crop follows the person nearest ``x`` whoever speaks,
    in ``auto`` or ``crop`` (a stacked split or ``fit`` already shows everyone). A source
    of the output's shape, or a vertical one, is never cropped whatever the layout.
    ``speech`` is when someone speaks, ``(start, end)`` in source seconds (the transcript's
    words): a single person's ``speaking`` spans are read from it, where decoding the
    clip's audio again for a voice detector would cost about 2 % of the render. Two or
    more people are told apart by voice and mouths, so their audio is decoded.
    Decodes only the range; raises :class:`RenderError` when it cannot be decoded, or for
    an unknown layout or a malformed pin.
    """
    check_layout(layout, pins)
    width, height = media.width, media.height
    target = out_width / out_height
    duration = end - start
    plan = ReframePlan(layout="scale", source_width=width, source_height=height)
    if not _needs_faces(media, out_width, out_height):
        plan.layout = "scale" if _same_shape(media, out_width, out_height) else "fit"
        return _one_shot(plan, duration)
    if layout == "fit":
        plan.layout = "fit"
        return _one_shot(plan, duration)
    given_cut = scene_cuts is not None and any(start < c < end for c in scene_cuts)
    steady = None if given_cut else _steady_talk(source, start, end, width, height)
    if steady:
        frames, (times, faces) = np.zeros((0, 1, 1, 3), np.uint8), steady
    else:
        frames, times = decode_proxy(source, start, end, width, height, config)
        progress(0.3, "finding faces")
        factor = width / frames.shape[2] if len(frames) else 1.0
        faces = detect_faces(frames, factor, lambda fraction: progress(0.3 + 0.7 * fraction, "finding faces"))
    plan.face_share = sum(1 for found in faces if found) / max(1, len(faces))
    if plan.face_share < FACE_SHARE_MIN:
        if layout == "auto" and _is_wide_content(frames, target):
            plan.layout = "fit"
        else:
            plan.layout = "crop"
            plan.windows = [_fixed_window(width, height, target, width / 2, height / 2, duration)]
        return _one_shot(plan, duration)

    asked: list[list[float]] = []

    def cuts() -> list[float]:
        # Only a moving window cares where the shots change, so only it asks for cuts.
        if not asked:
            found = scene_cuts
            if found is None:
                found = _ask_for_cuts(frames, times, start, end, cuts_near) if cuts_near and not steady else []
            asked.append(sorted(c - start for c in found if start < c < end))
        return asked[0]

    pairs = [p for p in (_side_by_side(found, largest_window(width, height, target)[0]) for found in faces) if p]
    split = _split_windows(pairs, width, height, out_width / (out_height / 2), duration) if pairs else []
    persons = speakers.people(faces)
    # Across a scene cut the same place may hold another person, and an edited clip already
    # cuts to its speakers: the speaker logic runs on clips of one continuous shot.
    if layout != "split" and len(persons) >= 2 and not cuts():
        stacked = layout == "auto" and len(pairs) / len(faces) >= STACK_SHARE_MIN
        follow = FollowSpeakers(plan, persons, times, target, duration, split if stacked else [])
        if follow.plan(source, start, end, config, pins):
            return plan
    if split and (layout == "split" or (layout == "auto" and len(pairs) / len(faces) >= SPLIT_SHARE_MIN)):
        plan.layout, plan.windows = "split", split
        return _one_shot(plan, duration)
    plan.layout = "crop"
    plan.windows = [_follow(faces, times, cuts(), duration, width, height, target, pins)]
    if len(persons) == 1:
        # One person: they are the one speaking whenever there is a voice.
        voice = _speech_at(speech, times + start, 0.5 / PROXY_FPS)
        spans = speakers.speaking_spans([0 if v else None for v in voice], times, PROXY_FPS, 0)
        x = float(np.median([f.cx for f in persons[0].values()])) / width
        plan.speakers = [{"id": 0, "x": round(x, 3), "speaking": spans}]
    return _one_shot(plan, duration, 0 if len(persons) == 1 else None)


def _steady_talk(
    source: Path, start: float, end: float, width: int, height: int
) -> tuple[np.ndarray, list[list[Face]]] | None:
    """Proxy times and faces of a clip its keyframes show to be one person holding still.

    Most clips are a seated talking head: one face, no cut. For those the keyframes
    around the clip (decoded alone, a few frames) tell as much as the proxy decode of
    every frame, which costs about a tenth of the render. The faces are interpolated
    between keyframes onto the proxy's times. None (decode the proxy) unless keyframes
    lie before and after the clip at most :data:`KEYFRAME_GAP_MAX` apart, none differ
    enough to hide a cut, and each holds one face that barely moves (see
    :func:`pipeline.faces.is_steady`).
    """
    proxy_w = min(PROXY_WIDTH, width)
    try:
        samples = keyframes(source, start=start, end=end, width=proxy_w, height=even(height * proxy_w / width))
    except MediaError:
        return None  # the proxy decode reports what is wrong with the file, in its words
    times = [t for t, _ in samples]
    if len(samples) < 2 or times[0] > start or times[-1] < end or max(np.diff(times)) > KEYFRAME_GAP_MAX:
        return None
    if keyframes_differ([rgb for _, rgb in samples]):
        return None
    detector = default_detector()
    found: list[list[Face]] = []
    for _, rgb in samples:
        found.append([face.scaled(width / proxy_w) for face in detector.detect(rgb)])
        # Steadiness holds pair by pair: the first keyframe that breaks it ends the check.
        if not is_steady(found[-2:]):
            return None
    grid = np.arange(max(1, round((end - start) * PROXY_FPS))) / PROXY_FPS
    faces = []
    for t in grid + start:
        i = min(max(0, bisect_right(times, t) - 1), len(times) - 2)
        faces.append([between(found[i][0], found[i + 1][0], (t - times[i]) / (times[i + 1] - times[i]))])
    return grid, faces


def _speech_at(speech: Sequence[tuple[float, float]], times: np.ndarray, half: float) -> np.ndarray:
    """Per time, whether a span of ``speech`` overlaps ``[t - half, t + half]``."""
    if not len(speech):
        return np.zeros(len(times), bool)
    spans = np.asarray(speech, float)
    return ((spans[None, :, 0] <= times[:, None] + half) & (spans[None, :, 1] >= times[:, None] - half)).any(axis=1)


def _one_shot(plan: ReframePlan, duration: float, speaker: int | None = None) -> ReframePlan:
    plan.shots = [Shot(0.0, round(duration, 2), plan.layout, speaker if plan.layout == "crop" else None)]
    return plan


def video_filter(plan: ReframePlan, out_width: int, out_height: int, source: str = "0:v") -> str:
    """The filter graph from ``[source]`` to ``[framed]``: the plan's layout at the output size.

    A plan whose shots mix layouts is cut into one branch per shot (``trim`` keeps the
    source's timestamps, so each window's path is in clip seconds), each branch laid out
    and the branches concatenated: every frame still goes through one layout only.
    """
    if not plan.mixed:
        return _layout_graph(plan.layout, plan.windows, source, "framed", out_width, out_height)
    n = len(plan.shots)
    parts = [f"[{source}]split={n}" + "".join(f"[s{i}]" for i in range(n))]
    for i, shot in enumerate(plan.shots):
        until = f":end={shot.end:g}" if i < n - 1 else ""
        parts.append(f"[s{i}]trim=start={shot.start:g}{until}[s{i}in]")
        parts.append(_layout_graph(shot.layout, shot.windows, f"s{i}in", f"s{i}out", out_width, out_height))
        parts.append(f"[s{i}out]setpts=PTS-STARTPTS[s{i}v]")
    parts.append("".join(f"[s{i}v]" for i in range(n)) + f"concat=n={n}:v=1:a=0[framed]")
    return ";".join(parts)


def _layout_graph(layout: str, windows: list[Window], source: str, out: str, out_width: int, out_height: int) -> str:
    """The filter graph from ``[source]`` to ``[out]`` for one layout."""
    size = f"{out_width}:{out_height}"
    if layout == "scale":
        return f"[{source}]scale={size},setsar=1[{out}]"
    if layout == "fit":
        # The fill is blurred at an eighth of the size: the same look for a fraction of
        # the cost of blurring a full 1080x1920 frame.
        small_w, small_h = even(out_width / 8), even(out_height / 8)
        small = f"{small_w}:{small_h}"
        # boxblur refuses a radius above half the (chroma) plane: small outputs blur less.
        radius = max(1, min(8, min(small_w, small_h) // 4))
        return (
            f"[{source}]split[{out}bgsrc][{out}fgsrc];"
            f"[{out}bgsrc]scale={small}:force_original_aspect_ratio=increase,crop={small},boxblur={radius}:2,"
            f"scale={size}[{out}bg];"
            f"[{out}fgsrc]scale={size}:force_original_aspect_ratio=decrease[{out}fg];"
            f"[{out}bg][{out}fg]overlay=(W-w)/2:(H-h)/2,setsar=1[{out}]"
        )
    if layout == "crop":
        return f"[{source}]{_crop(windows[0])},scale={size},setsar=1[{out}]"
    if layout == "split":
        half = f"{out_width}:{out_height // 2}"
        top, bottom = windows
        return (
            f"[{source}]split[{out}topsrc][{out}botsrc];"
            f"[{out}topsrc]{_crop(top)},scale={half}[{out}top];"
            f"[{out}botsrc]{_crop(bottom)},scale={out_width}:{out_height - out_height // 2}[{out}bot];"
            f"[{out}top][{out}bot]vstack,setsar=1[{out}]"
        )
    raise RenderError(f"Unknown layout {layout!r}.")


def _crop(window: Window) -> str:
    x, y = window.expressions()
    return f"crop={window.w}:{window.h}:'{x}':'{y}'"


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
    signatures = [signature(f) for f in frames]
    spans: list[list[float]] = []
    for i in range(1, len(signatures)):
        if picture_change(signatures[i - 1], signatures[i]) <= CUT_HINT:
            continue
        t0, t1 = start + times[i - 1] - CUT_PAD, start + times[i] + CUT_PAD
        if spans and t0 <= spans[-1][1]:
            spans[-1][1] = t1
        else:
            spans.append([t0, t1])
    if sum(t1 - t0 for t0, t1 in spans) > CUT_SCAN_SHARE * (end - start):
        return cuts_near(start, end)
    return sorted({cut for t0, t1 in spans for cut in cuts_near(max(start, t0), min(end, t1))})


def _fixed_window(width: int, height: int, target: float, cx: float, cy: float, duration: float) -> Window:
    w, h = largest_window(width, height, target)
    x, y = clamp(cx - w / 2, 0, width - w), clamp(cy - h / 2, 0, height - h)
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
        h = min(height, even(max(face_h * 4, height * 0.4)))
        w = min(width, even(h * half_shape))
        h = min(h, even(w / half_shape))
        x, y = clamp(cx - w / 2, 0, width - w), clamp(cy - h * 0.4, 0, height - h)
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
    pins: Sequence[dict] = (),
) -> Window:
    """A window that follows the main face along a smooth path, jumping at cuts.

    Within a shot, a change of subject (another face becomes and stays the largest, or
    the followed one leaves) is also a jump, at the midpoint between the frames showing
    the old and the new subject: a pan across the frame to a new face would lose both.
    Inside a pin's stretch the window follows, in each frame, the face nearest the pin's
    ``x``, and it jumps (rather than pans) to that person where the pin starts and back
    where it ends.
    """
    w, h = largest_window(width, height, target)
    edges = {round(float(edge), 3) for pin in pins for edge in (pin["start"], pin["end"]) if 0 < edge < duration}
    bounds = sorted({0.0, *cuts, *edges, duration})
    path: list[list[float]] = []
    for a, b in pairwise(bounds):
        idx = [i for i, t in enumerate(times) if a <= t < b]
        pin = next((p for p in pins if p["start"] <= a and b <= p["end"]), None)
        if pin is None:
            runs = subject_runs([faces[i] for i in idx])
        else:
            runs = [(0, len(idx), _nearest(faces, idx, pin, width))]
        if not runs:
            runs = [(0, len(idx), {})]
        for n, (first, last, track) in enumerate(runs):
            run_start = a if n == 0 else float(times[idx[first]] - 0.5 / PROXY_FPS)
            run_end = b if n == len(runs) - 1 else float(times[idx[last]] - 0.5 / PROXY_FPS)
            if track:
                targets = [track.get(j) for j in range(first, last)]
                xs = smooth_path([f.cx if f else math.nan for f in targets], w, 1 / PROXY_FPS)
                # The face sits a little above the window's centre, where a viewer expects it.
                ys = smooth_path([f.cy + 0.1 * h if f else math.nan for f in targets], w, 1 / PROXY_FPS)
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
                        round(clamp(point[1], 0, width - w), 2),
                        round(clamp(point[2], 0, height - h), 2),
                    ]
                )
    return Window(w, h, simplify_path(path))


def _nearest(faces: list[list[Face]], idx: list[int], pin: dict, width: int) -> dict[int, Face]:
    """A track (run-relative frame index to face) of the face nearest the pin's ``x`` in each frame."""
    x = float(pin["x"]) * width
    return {j: min(faces[i], key=lambda f: abs(f.cx - x)) for j, i in enumerate(idx) if faces[i]}


