"""Where a clip render's CPU goes beyond its floor, step by step, on several clips of a long talk.

Renders ``--clips`` clips of ``--length`` seconds spread over a 30-minute 1920x1080 talk
one after the other, each with the configuration of a clip rendered beside the best one
(:func:`pipeline.render.ranked_config` rank 2: lower priority, one decoding thread), and
before each the floor of :mod:`bench.render`. Each step of :func:`pipeline.render.render_clip`
is timed by wrapping it (CPU of this process and its finished ffmpeg children), so the
steps must run one at a time: the loudness measurement, which the render overlaps with
the face pass, is counted on its own and the face pass's steps may include a little of it.

    .venv/bin/python -m bench.render_parts [--encoding upload|fixture] [--clips 6] [--length 33]
"""

from __future__ import annotations

import argparse
import collections
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.machine import describe
from bench.render import cpu_seconds, fake_words, floor_render
from pipeline import reframe, render
from pipeline.config import PipelineConfig
from pipeline.probe import probe
from pipeline.reframe import output_size
from pipeline.render import RenderOptions, ranked_config, render_clip
from tests.media import TALK_ENCODINGS, build_talk_video

SOURCE_SECONDS = 1800
# (module, function, label) of every step timed; the encode is the single ffmpeg pass.
STEPS = (
    (render, "_encode", "encode (moving crop, captions, hook card, loudness filter)"),
    (reframe, "decode_proxy", "proxy decode for the face pass"),
    (render, "_cuts", "cut search where proxy frames change"),
    (reframe, "detect_faces", "face detection"),
    (render, "build_report", "clip report"),
    (render, "_audio_filter", "loudness measurement"),
    (reframe, "_steady_talk", "steady-talk keyframe check"),
    (render, "run_ffprobe", "probe of the output"),
)


def timed(spent: dict[str, float], label: str, function: Callable) -> Callable:
    def wrapper(*args, **kwargs):
        began = cpu_seconds()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += cpu_seconds() - began

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--encoding", choices=sorted(TALK_ENCODINGS), default="upload")
    parser.add_argument("--clips", type=int, default=6)
    parser.add_argument("--length", type=float, default=33.0, help="seconds per clip (the bench's clips: 33)")
    args = parser.parse_args()
    config = ranked_config(PipelineConfig(), 2)
    source = build_talk_video(SOURCE_SECONDS, 1920, 1080, encoding=args.encoding)
    media = probe(source, config)
    width, height = output_size("9:16")
    spent: dict[str, float] = collections.defaultdict(float)
    originals = [(module, name, getattr(module, name)) for module, name, _ in STEPS]
    for module, name, label in STEPS:
        setattr(module, name, timed(spent, label, getattr(module, name)))
    floor = total = 0.0
    step = (SOURCE_SECONDS - 200) / args.clips
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            for index in range(args.clips):
                start = 100 + index * step
                end = start + args.length
                began = cpu_seconds()
                floor_render(source, start, end, out / "floor.mp4", PipelineConfig(), width, height,
                             media.width, media.height)  # fmt: skip
                floor += cpu_seconds() - began
                began = cpu_seconds()
                result = render_clip(source, media, start, end, fake_words(start, end),
                                     RenderOptions(hook_text="Nobody tells you this about building"),
                                     out / "clip.mp4", out / "clip.jpg", config)  # fmt: skip
                total += cpu_seconds() - began
                assert not result.error, result.error_message
    finally:
        for module, name, original in originals:
            setattr(module, name, original)
    print(f"machine: {describe()}")
    print(f"{args.clips} clips of {args.length:.0f} s of a {SOURCE_SECONDS} s 1920x1080 talk "
          f"({args.encoding} encoding) -> {width}x{height}, preset {config.render_preset}, "
          f"crf {config.render_crf}; CPU seconds")  # fmt: skip
    print(f"  {'the floor (one plain pass each)':<62} {floor:7.1f}")
    for _, _, label in STEPS:
        print(f"  {label:<62} {spent[label]:7.1f}")
    print(f"  {'render_clip in all':<62} {total:7.1f}  ({total / floor:.2f}x the floor)")


if __name__ == "__main__":
    main()
