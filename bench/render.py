"""Render time of a 60 s clip at 1080x1920 against the bare ffmpeg floor, in the same run.

The floor is the same single ffmpeg pass (input seek, a fixed crop, scale, libx264 with
the config's preset and CRF, AAC) without the face pass, scene detection, loudness
measurement or captions. The full render is :func:`pipeline.render.render_clip` with
captions, a hook card and scene cuts detected in the clip's range. Target: full <= 1.3x
the floor.

    .venv/bin/python -m bench.render [--repeat N] [--preset veryfast] [--encoding upload]

Timings on a shared machine are noisy; each figure is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from bench.machine import describe
from pipeline.config import PipelineConfig
from pipeline.ffmpeg import run_ffmpeg
from pipeline.probe import probe
from pipeline.reframe import output_size, plan_reframe
from pipeline.render import RenderOptions, encode_args, render_clip
from pipeline.scenes import detect_scenes
from pipeline.types import Word
from tests.media import TALK_ENCODINGS, build_talk_video

START, END = 15.0, 75.0
TEXT = [
    "so",
    "here",
    "is",
    "the",
    "thing",
    "nobody",
    "tells",
    "you",
    "about",
    "building",
    "a",
    "company",
    "from",
    "nothing",
    "you",
    "will",
    "fail",
    "a",
    "lot",
    "and",
    "that",
    "is",
    "fine",
    "because",
    "every",
    "failure",
    "teaches",
    "you",
    "something",
]


def fake_words(start: float, end: float) -> list[Word]:
    """A word every 0.35 s, like fast speech, so the captions cost what real ones do."""
    words, t, i = [], start, 0
    while t < end:
        words.append(Word(TEXT[i % len(TEXT)], t, t + 0.3))
        t, i = t + 0.35, i + 1
    return words


def floor_render(
    source: Path, start: float, end: float, out: Path, config: PipelineConfig,
    width: int, height: int, src_w: int, src_h: int,
) -> None:  # fmt: skip
    """The bare single pass: input seek, a fixed centre crop, scale, the config's x264 and AAC."""
    crop_w = round(src_h * width / height / 2) * 2
    crop = f"crop={crop_w}:{src_h}:{(src_w - crop_w) // 2}:0"
    graph = f"[0:v]{crop},scale={width}:{height},setsar=1,format=yuv420p[v]"
    run_ffmpeg(encode_args(source, start, end, graph, "", True, out, config), config, what="render the floor")


def cpu_seconds() -> float:
    """CPU time used so far by this process and its finished children (ffmpeg runs).

    On a machine shared with other jobs, wall time swings with their load while CPU time
    barely moves, so both are printed.
    """
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--preset", default=None)
    parser.add_argument("--encoding", choices=sorted(TALK_ENCODINGS), default="fixture",
                        help="how the source talk is encoded (tests.media.TALK_ENCODINGS)")  # fmt: skip
    args = parser.parse_args()
    config = PipelineConfig()
    if args.preset:
        config = config.replace(render_preset=args.preset)
    source = build_talk_video(90, 1920, 1080, encoding=args.encoding)
    media = probe(source, config)
    width, height = output_size("9:16")
    words = fake_words(START, END)
    floors, fulls, floor_cpu, full_cpu = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for _ in range(args.repeat):
            t, c = time.perf_counter(), cpu_seconds()
            floor_render(source, START, END, out / "floor.mp4", config, width, height, media.width, media.height)
            floors.append(time.perf_counter() - t)
            floor_cpu.append(cpu_seconds() - c)
            t, c = time.perf_counter(), cpu_seconds()
            result = render_clip(
                source,
                media,
                START,
                END,
                words,
                RenderOptions(hook_text="Nobody tells you this about building"),
                out / "full.mp4",
                out / "full.jpg",
                config,
            )
            fulls.append(time.perf_counter() - t)
            full_cpu.append(cpu_seconds() - c)
            assert not result.error, result.error_message
        # The analysis steps on their own, to show where the overhead goes.
        t = time.perf_counter()
        cuts = detect_scenes(source, config, start=START, end=END).cuts
        scenes_s = time.perf_counter() - t
        t = time.perf_counter()
        plan_reframe(source, media, START, END, width, height, config, scene_cuts=cuts)
        faces_s = time.perf_counter() - t
    best_floor, best_full = min(floors), min(fulls)
    print(f"machine: {describe()}")
    print(
        f"clip: {END - START:.0f} s of a 1920x1080 talk ({args.encoding} encoding) -> {width}x{height}, "
        f"preset {config.render_preset}, crf {config.render_crf}, layout {result.layout}"
    )
    print(f"floor (seek+crop+scale+encode): wall {best_floor:.1f} s {_runs(floors)}, cpu {_runs(floor_cpu)}")
    print(f"render_clip (all steps):        wall {best_full:.1f} s {_runs(fulls)}, cpu {_runs(full_cpu)}")
    print(
        f"  face pass alone {faces_s:.1f} s; a full-range scene scan, which the cut hints skipped here, "
        f"{scenes_s:.1f} s (both measured separately)"
    )
    print(
        f"ratio render/floor: wall {best_full / best_floor:.2f}, cpu {min(full_cpu) / min(floor_cpu):.2f} "
        "(target <= 1.3)"
    )


def _runs(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.1f}" for v in values) + "]"


if __name__ == "__main__":
    main()
