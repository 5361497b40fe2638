"""The best clip's render beside a later one, against the same render alone (its floor).

Two workers on two cores render a video's best clip and its next at once. This renders,
in two processes as two workers do, a 41 s "best" clip and a 35 s "later" clip of the
30-minute 1080p talk (``tests.media.build_talk_video``, encoded like an upload by
default), each with :func:`pipeline.render.render_clip` and captions over words every
0.35 s (``bench.render.fake_words``). Modes, interleaved ``--repeat`` times so that each
sees the same hours of a shared host:

* ``alone``: the best clip with nothing beside it: the floor;
* ``shipped``: beside the later clip rendered as the service renders it
  (:func:`pipeline.render.ranked_config`, rank 2: the whole render at niceness 19);
* ``equal``: beside the later clip at full priority (no ranking).

It prints the best clip's wall time in each mode and when both clips were done, with the
machine. Target (issue 18): the best clip beside the later one as fast as alone.

    .venv/bin/python -m bench.best_first [--repeat 2] [--encoding upload|fixture]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path

from bench.machine import describe
from bench.render import fake_words
from pipeline.config import PipelineConfig
from pipeline.probe import probe
from pipeline.render import RenderOptions, ranked_config, render_clip
from tests.media import TALK_ENCODINGS, build_talk_video

SOURCE_SECONDS = 1800
# (start, end) of the best and the later clip: lengths of the first-clip bench's ranks 1 and 2.
BEST, LATER = (600.0, 641.1), (900.0, 935.1)
MODES = ("alone", "shipped", "equal")


def _render(source: Path, span: tuple[float, float], config: PipelineConfig, done) -> None:
    """Render ``span`` of ``source`` and put (span, wall seconds) on ``done``."""
    media = probe(source, config)
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        options = RenderOptions(hook_text="The part nobody tells you")
        result = render_clip(source, media, *span, fake_words(*span), options, Path(tmp) / "clip.mp4",
                             Path(tmp) / "clip.jpg", config)  # fmt: skip
        if result.error:
            raise RuntimeError(result.error_message)
        done.put((span, time.perf_counter() - began))


def trial(source: Path, mode: str, config: PipelineConfig) -> tuple[float, float]:
    """(the best clip's wall seconds, seconds until every clip of the trial was done)."""
    done = multiprocessing.Queue()
    jobs = [(BEST, config)]
    if mode != "alone":
        jobs.append((LATER, ranked_config(config, 2) if mode == "shipped" else config))
    processes = [multiprocessing.Process(target=_render, args=(source, span, cfg, done)) for span, cfg in jobs]
    began = time.perf_counter()
    for process in processes:
        process.start()
    seconds = dict(done.get(timeout=900) for _ in processes)
    for process in processes:
        process.join()
        if process.exitcode:
            raise RuntimeError(f"a render failed in mode {mode}")
    return seconds[BEST], time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--encoding", choices=sorted(TALK_ENCODINGS), default="upload",
                        help="how the source talk is encoded (tests.media.TALK_ENCODINGS)")  # fmt: skip
    args = parser.parse_args()
    config = PipelineConfig()
    source = build_talk_video(SOURCE_SECONDS, 1920, 1080, encoding=args.encoding)
    print(f"machine: {describe()}")
    print(f"source: {SOURCE_SECONDS} s talk, 1920x1080, {args.encoding} encoding; "
          f"best clip {BEST[1] - BEST[0]:.1f} s, later clip {LATER[1] - LATER[0]:.1f} s; "
          f"preset {config.render_preset}, crf {config.render_crf}")  # fmt: skip
    results: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}
    for _ in range(args.repeat):
        for mode in MODES:
            results[mode].append(trial(source, mode, config))
    floor = statistics.mean(best for best, _ in results["alone"])
    for mode, runs in results.items():
        best = [b for b, _ in runs]
        both = "" if mode == "alone" else f"; both done {' '.join(f'{t:.1f}' for _, t in runs)} s"
        print(f"{mode:<8} best clip {' '.join(f'{b:.1f}' for b in best)} s (mean {statistics.mean(best):.1f} s, "
              f"{statistics.mean(best) / floor:.2f}x alone){both}")  # fmt: skip


if __name__ == "__main__":
    main()
