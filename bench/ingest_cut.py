"""How long cutting a start/end range takes: stream copy against an accurate re-encode.

Builds a longer input by looping a shared video (into a temp folder), cuts the same
range both ways with :func:`pipeline.ingest.cut_range`, and prints wall time and how far
the first decoded frame of each cut is from the frame at ``start`` in the original (mean
absolute pixel difference; 0 means the very same frame).

    .venv/bin/python -m bench.ingest_cut [--loops 10] [--start 60] [--end 240]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.machine import describe
from pipeline.config import PipelineConfig
from pipeline.ffmpeg import run_ffmpeg
from pipeline.ingest import cut_range
from pipeline.probe import probe
from tests.media import SHARED_MEDIA

SOURCE = "vid_face_closeup_liveportrait_d6.mp4"


def first_frame(path: Path, config: PipelineConfig, seek: float = 0.0) -> np.ndarray:
    args = ["-ss", f"{seek:.3f}", "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray"]
    raw = run_ffmpeg([*args, "pipe:1"], config).stdout
    return np.frombuffer(raw, np.uint8).astype(int)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loops", type=int, default=10)
    parser.add_argument("--start", type=float, default=60.0)
    parser.add_argument("--end", type=float, default=240.0)
    args = parser.parse_args()
    config = PipelineConfig(whisper_model="unused")
    print(describe())
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        long_input = work / "long.mp4"
        loop = ["-stream_loop", str(args.loops - 1), "-i", SHARED_MEDIA / SOURCE, "-c", "copy", long_input]
        run_ffmpeg(loop, config)
        info = probe(long_input, config)
        reference = first_frame(long_input, config, args.start)
        print(
            f"input: {SOURCE} looped {args.loops}x = {info.duration:.1f} s {info.width}x{info.height}; "
            f"range {args.start:g}-{args.end:g} s"
        )
        for label, force in (("stream copy", False), ("re-encode", True)):
            began = time.perf_counter()
            cut = cut_range(long_input, info, work, args.start, args.end, config, force_encode=force)
            seconds = time.perf_counter() - began
            cut_info = probe(cut, config)
            error = np.abs(first_frame(cut, config) - reference).mean()
            print(
                f"{label:12s} {seconds:7.2f} s wall  duration {cut_info.duration:7.2f} s  "
                f"first-frame difference {error:.2f}"
            )
            cut.unlink()


if __name__ == "__main__":
    main()
