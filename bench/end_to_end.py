"""The whole ``clip`` command on a long 1080p talk, against the floor measured in the same run.

Runs ``python -m pipeline clip SOURCE --out DIR --clips N`` in-process with the
command's own defaults (so the figure is what a user gets) on
``tests.media.build_talk_video(seconds, 1920, 1080, encoding=...)``, then the floor on the same
machine in the same run: faster-whisper alone on the same model and settings (loading
the model, its own audio decoding, batched, word timestamps, VAD), plus plain ffmpeg renders of the very
clip ranges the command chose with the same preset and CRF (a fixed centre crop, no
face pass, captions, hook card or loudness). Prints each stage, the floor, their ratio,
the time to the first finished clip, the peak memory and the machine.

    .venv/bin/python -m bench.end_to_end [--seconds 1800] [--clips 10] [--no-floor]
        [--encoding upload|fixture] [-- extra clip options]

The source is encoded like an upload by default (High profile, B frames); ``--encoding
fixture`` gives the tests' cheaper Baseline encoding (runs A-K of docs/benchmarks.md).

Targets (issue 18, two cores): 30 minutes -> 10 clips in <= 6 minutes, <= 1.15 x the
floor. Other jobs on a shared machine inflate wall times; CPU times are printed too.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from bench.machine import describe
from bench.render import cpu_seconds, floor_render
from pipeline import clip
from pipeline.cli import build_parser
from pipeline.config import PipelineConfig
from pipeline.probe import probe
from pipeline.reframe import output_size
from pipeline.transcribe import BEAM_SIZE, resolve_device, resolve_model_path, resolve_threads
from tests.media import TALK_ENCODINGS, build_talk_video


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1800)
    parser.add_argument("--clips", type=int, default=10)
    parser.add_argument("--no-floor", action="store_true", help="skip the floor (for the scaling run)")
    parser.add_argument("--encoding", choices=sorted(TALK_ENCODINGS), default="upload",
                        help="how the source talk is encoded (tests.media.TALK_ENCODINGS)")  # fmt: skip
    parser.add_argument("extra", nargs="*", help="options passed on to the clip command")
    args = parser.parse_args()
    t = time.perf_counter()
    source = build_talk_video(args.seconds, 1920, 1080, encoding=args.encoding)
    built = time.perf_counter() - t
    config = PipelineConfig.from_env({})
    print(f"machine: {describe()}")
    print(f"source: {args.seconds:.0f} s talk, 1920x1080, {args.encoding} encoding "
          f"(built or cached in {built:.0f} s, not counted)")  # fmt: skip
    with tempfile.TemporaryDirectory() as out:
        argv = ["clip", str(source), "--out", out, "--clips", str(args.clips), *args.extra]
        began, cpu = time.time(), cpu_seconds()
        run = clip.run_cli(build_parser(argv).parse_args(argv), config, lambda fraction, message="": None)
        cpu = cpu_seconds() - cpu
        files = [Path(out) / c["file"] for c in run.clips if not c["error"]]
        first_clip = min(f.stat().st_mtime for f in files) - began if files else float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = run.timings["total"]
    rendered = [c for c in run.clips if not c["error"]]
    print(f"clip options: {' '.join(argv[3:])}; preset {config.render_preset}, crf {config.render_crf}; "
          f"whisper {config.whisper_model} on {config.whisper_device}")  # fmt: skip
    layouts = sorted({c["layout"] for c in rendered})
    print(f"clips: {len(rendered)} rendered of {len(run.clips)} made ({args.clips} asked for), "
          f"{sum(c['duration'] for c in rendered):.0f} s of output, layouts {layouts}")  # fmt: skip
    # Fewer clips than asked for is the product's answer when the rest is filler (the
    # warning says so), and it makes the run cheaper: compare runs by clips made.
    for warning in run.warnings:
        print(f"  warning: {warning}")
    for stage, seconds in run.timings.items():
        if stage != "total":
            print(f"  {stage:<11} {seconds:7.1f} s  {seconds / total:6.1%}")
    print(f"total {total:.1f} s = {total / 60:.2f} min (target <= 6 min for 30 min); "
          f"{total / args.seconds:.3f} x the source; cpu {cpu:.1f} s")  # fmt: skip
    print(f"time to the first finished clip: {first_clip:.1f} s")
    # This process holds the model, the decoded audio and the analysis; each ffmpeg is a
    # separate process of a fixed size whatever the source's length.
    print(f"peak memory of the run (this process): {peak:.0f} MiB")
    if args.no_floor or not rendered:
        return
    floor_transcribe, floor_render_s, floor_cpu = _floor(source, config, rendered)
    floor = floor_transcribe + floor_render_s
    print(f"floor: faster-whisper alone {floor_transcribe:.1f} s + plain renders {floor_render_s:.1f} s = "
          f"{floor:.1f} s; cpu {floor_cpu:.1f} s")  # fmt: skip
    print(f"ratio total / floor: wall {total / floor:.3f}, cpu {cpu / floor_cpu:.3f} (target <= 1.15)")


def _floor(source: Path, config: PipelineConfig, clips: list[dict]) -> tuple[float, float, float]:
    """(transcription seconds, render seconds, CPU seconds) of the bare tools on the same work."""
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    cpu = cpu_seconds()
    t = time.perf_counter()
    # Loaded afresh, as the run loaded it: faster-whisper alone also has to.
    device, compute_type = resolve_device(config)
    model = WhisperModel(resolve_model_path(config.whisper_model), device=device, compute_type=compute_type,
                         cpu_threads=resolve_threads(config), local_files_only=True)  # fmt: skip
    segments, _ = BatchedInferencePipeline(model).transcribe(
        str(source), beam_size=BEAM_SIZE, batch_size=config.whisper_batch_size, word_timestamps=True,
        vad_filter=True,
    )  # fmt: skip
    for _ in segments:
        pass
    transcribe_s = time.perf_counter() - t
    media = probe(source, config)
    width, height = output_size("9:16")
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        for i, c in enumerate(clips):
            floor_render(source, c["startTime"], c["endTime"], Path(out) / f"floor_{i}.mp4", config,
                         width, height, media.width, media.height)  # fmt: skip
    return transcribe_s, time.perf_counter() - t, cpu_seconds() - cpu


if __name__ == "__main__":
    main()
