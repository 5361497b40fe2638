"""Benchmark for active-speaker reframing on two real talking heads placed side by side.

The conversation is built by :func:`tests.pipeline.conversation.build_conversation` from
the corpus's KatieHill and retalking face4 videos, each with its own audio, from
:data:`SCRIPT`: turns of 1-10 s, back-channels under 1 s, overlaps. Two variants: the
listener shown as a held frame (``still``), and the listener's own video muted
(``moving``: a mouth moving with no voice). Ground truth comes from the script. The new
logic (``plan_reframe`` with ``layout="auto"``) and today's largest-face crop (the same
face pass, the window following the largest face) are scored in the same run:

* holds: share of frames sampled at 5 fps whose crop holds the floor holder's face
  (a split shows both; overlaps, where either is right, are left out); target >= 90 %;
* followed: share of turns longer than 2 s after which the crop holds the new holder from
  0.5 s into the turn to 2 s into it;
* back-channel cuts: cuts from a back-channel's start to 0.5 s after its end; target 0;
* CPU seconds the speaker pass adds per clip minute (plan_reframe with and without it);
* single-speaker face-in-crop share on s18 and KatieHill (target >= 95 %);
* the cost of the per-shot filter graph: the conversation encoded at 1080x1920 with the
  ``auto`` plan (crop and split shots: trim + concat) and with a forced ``crop`` plan
  (one crop filter, as today), CPU seconds of the ffmpeg run.

    .venv/bin/python -m bench.speakers

Built media is cached in ``bench/out/speakers``.
"""

from __future__ import annotations

import resource
import subprocess
from pathlib import Path

import numpy as np

from bench.machine import describe
from pipeline.config import PipelineConfig
from pipeline.faces import default_detector, detect_faces
from pipeline.ffmpeg import run_ffmpeg
from pipeline.framing import ReframePlan, Window, decode_proxy
from pipeline.probe import probe
from pipeline.reframe import _follow, plan_reframe, video_filter
from pipeline.render import encode_args
from tests.media import SHARED_MEDIA
from tests.pipeline.conversation import Turn, build_conversation, holders

OUT = Path(__file__).resolve().parent / "out" / "speakers"
CONFIG = PipelineConfig()
TILE = 480
SIZE = (1080, 1920)
SAMPLE_FPS = 5
A, B, BOTH = 0, 1, None
SCRIPT = [
    Turn(A, 6.0), Turn(B, 0.6, True), Turn(A, 3.0), Turn(B, 8.0), Turn(A, 0.7, True), Turn(B, 2.0),
    Turn(BOTH, 0.8), Turn(A, 4.0), Turn(B, 1.5), Turn(A, 1.2), Turn(B, 1.8), Turn(A, 10.0),
    Turn(B, 0.5, True), Turn(A, 2.5), Turn(B, 5.0), Turn(BOTH, 1.0), Turn(A, 3.5), Turn(B, 0.8, True),
    Turn(A, 2.0), Turn(B, 3.0),
]  # fmt: skip


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def sampled_faces(path: Path, duration: float) -> list[dict[int, tuple[float, float, float, float]]]:
    """Per 5 fps frame, each person's face box (x, y, w, h in source px), found at 480 px."""
    info = probe(path, CONFIG, require_audio=False)
    width = 480
    height = round(info.height * width / info.width / 2) * 2
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-t", f"{duration}", "-vf",
         f"fps={SAMPLE_FPS},scale={width}:{height}", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    frames = np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)
    scale = info.width / width
    out = []
    for frame in frames:
        boxes: dict[int, tuple[float, float, float, float]] = {}
        for face in sorted(default_detector().detect(frame), key=lambda f: f.area):
            f = face.scaled(scale)
            boxes[0 if f.cx < info.width / 2 else 1] = (f.x, f.y, f.w, f.h)
        out.append(boxes)
    return out


def inside(window: Window, t: float, box: tuple[float, float, float, float]) -> bool:
    x, y = window.at(t)
    bx, by, bw, bh = box
    slack = 0.1 * bw
    return x - slack <= bx and bx + bw <= x + window.w + slack and y - slack <= by and by + bh <= y + window.h + slack


def shown(plan_shots, t: float) -> tuple[str, list[Window]]:
    for start, end, layout, windows in plan_shots:
        if start <= t < end:
            return layout, windows
    return plan_shots[-1][2], plan_shots[-1][3]


def score(shots, cuts: list[float], faces, turns) -> dict[str, float]:
    """Holds / followed / back-channel cuts for ``shots`` (start, end, layout, windows)."""
    hold = total = 0
    for i, boxes in enumerate(faces):
        t = i / SAMPLE_FPS
        holder = next((h for a, b, h, _ in turns if a <= t < b), None)
        if holder is None or holder not in boxes:
            continue
        total += 1
        layout, windows = shown(shots, t)
        hold += layout in ("split", "fit") or inside(windows[0], t, boxes[holder])
    followed = long = 0
    previous = None
    for a, b, holder, backchannel in turns:
        if backchannel:
            continue
        if holder is not None and holder != previous and b - a > 2:
            long += 1
            checks = [
                shown(shots, i / SAMPLE_FPS)[0] in ("split", "fit")
                or inside(shown(shots, i / SAMPLE_FPS)[1][0], i / SAMPLE_FPS, faces[i][holder])
                for i in range(len(faces))
                if a + 0.5 <= i / SAMPLE_FPS <= min(b, a + 2) and holder in faces[i]
            ]
            followed += bool(checks) and all(checks)
        previous = holder
    bc_cuts = sum(1 for a, b, _, bc in turns if bc for c in cuts if a <= c <= b + 0.5)
    return {"holds": hold / max(total, 1), "followed": followed / max(long, 1), "long": long, "bc_cuts": bc_cuts}


def new_logic(path: Path, duration: float):
    media = probe(path, CONFIG)
    plan = plan_reframe(path, media, 0.0, duration, *SIZE, CONFIG, scene_cuts=[])
    shots = []
    for shot in plan.shots:
        windows = shot.windows if plan.mixed else plan.windows
        shots.append((shot.start, shot.end, shot.layout, windows))
    cuts = [s.start for s in plan.shots[1:]]
    return plan, shots, cuts


def largest_face(path: Path, duration: float):
    """Today's rule: the window follows the largest persistent face (its own face pass)."""
    media = probe(path, CONFIG)
    frames, times = decode_proxy(path, 0.0, duration, media.width, media.height, CONFIG)
    factor = media.width / frames.shape[2]
    faces = detect_faces(frames, factor)
    window = _follow(faces, times, [], duration, media.width, media.height, SIZE[0] / SIZE[1])
    cuts = sorted({p[0] for p, q in zip(window.path, window.path[1:], strict=False) if p[0] == q[0]})
    return [(0.0, duration, "crop", [window])], cuts


def single_speaker(name: str, start: float, end: float) -> float:
    path = SHARED_MEDIA / name
    media = probe(path, CONFIG, require_audio=False)
    plan = plan_reframe(path, media, start, end, *SIZE, CONFIG, scene_cuts=[])
    (window,) = plan.windows
    info = probe(path, CONFIG, require_audio=False)
    width = 480
    height = round(info.height * width / info.width / 2) * 2
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", str(start), "-t", str(end - start), "-i", str(path), "-vf",
         f"fps=5,scale={width}:{height}", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    frames = np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)
    held = present = 0
    for i, frame in enumerate(frames):
        faces = sorted(default_detector().detect(frame), key=lambda f: f.area, reverse=True)
        if not faces:
            continue
        f = faces[0].scaled(info.width / width)
        present += 1
        held += inside(window, i / 5, (f.x, f.y, f.w, f.h))
    return held / max(present, 1)


def encode_cpu(path: Path, plan: ReframePlan, duration: float) -> float:
    """CPU seconds of one encode of ``path`` through ``plan``'s filter graph (no captions, no loudness)."""
    graph = f"{video_filter(plan, *SIZE)};[framed]format=yuv420p[v]"
    c = cpu_seconds()
    out = OUT / "graph.mp4"
    run_ffmpeg(encode_args(path, 0.0, duration, graph, "", True, out, CONFIG), CONFIG, what="encode")
    out.unlink()
    return cpu_seconds() - c


def main() -> None:
    print(f"machine: {describe()}")
    turns = holders(SCRIPT)
    duration = turns[-1][1]
    print(f"conversation: {duration:.1f} s, {len(SCRIPT)} turns, {TILE * 2}x{TILE} -> {SIZE[0]}x{SIZE[1]}")
    for listener in ("still", "moving"):
        path = build_conversation(SHARED_MEDIA, SCRIPT, OUT / f"conversation_{listener}_{TILE}.mp4", TILE, listener)
        faces = sampled_faces(path, duration)
        c = cpu_seconds()
        baseline_shots, baseline_cuts = largest_face(path, duration)
        base_cpu = cpu_seconds() - c
        c = cpu_seconds()
        plan, shots, cuts = new_logic(path, duration)
        new_cpu = cpu_seconds() - c
        for name, s, k in (("largest face", baseline_shots, baseline_cuts), ("active speaker", shots, cuts)):
            r = score(s, k, faces, turns)
            print(
                f"  [{listener:6}] {name:15} holds {r['holds']:.1%}, turns > 2 s followed within 0.5 s "
                f"{r['followed']:.0%} of {r['long']}, cuts during back-channels {r['bc_cuts']}, cuts {len(k)}"
            )
        layouts = {layout: round(sum(s.end - s.start for s in plan.shots if s.layout == layout), 1)
                   for layout in {s.layout for s in plan.shots}}  # fmt: skip
        print(
            f"  [{listener:6}] cpu: face pass {base_cpu:.1f} s, with speakers {new_cpu:.1f} s -> "
            f"+{(new_cpu - base_cpu) * 60 / duration:.1f} cpu s per clip minute; seconds per layout {layouts}"
        )
        if listener == "still" and plan.mixed:
            media = probe(path, CONFIG)
            cropped = plan_reframe(path, media, 0.0, duration, *SIZE, CONFIG, scene_cuts=[], layout="crop")
            mixed_cpu, crop_cpu = encode_cpu(path, plan, duration), encode_cpu(path, cropped, duration)
            print(
                f"  [{listener:6}] encode at {SIZE[0]}x{SIZE[1]}: {len(plan.shots)} shots, mixed layouts "
                f"{mixed_cpu:.1f} cpu s vs one crop filter {crop_cpu:.1f} cpu s ({mixed_cpu / crop_cpu:.2f}x)"
            )
    for name, start, end in (("vid_face_landscape_liveportrait_s18.mp4", 0.0, 9.4),
                             ("vid_talkinghead_WDA_KatieHill_000.mp4", 0.0, 8.0)):  # fmt: skip
        print(f"single speaker {name}: face in crop {single_speaker(name, start, end):.1%} (target >= 95%)")


if __name__ == "__main__":
    main()
