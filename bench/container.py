"""What the container check costs before every ffmpeg run, against its floor.

For every media file in ``shared/media`` (material the check was not written against),
times :func:`pipeline.container.identify` uncached (the first look at an upload) and
cached (every later ffmpeg call on the same file), and, as the floor, opening the file
and reading the same head bytes the check reads. Also the cost it saves against:
one ``ffprobe`` of the same file.

    .venv/bin/python -m bench.container [--rounds 20]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.machine import describe
from pipeline import container
from pipeline.config import PipelineConfig
from pipeline.ffmpeg import run_ffprobe
from tests.media import SHARED_MEDIA

MEDIA_SUFFIXES = {".mp4", ".mkv", ".webm", ".mov", ".wav", ".mp3", ".flac", ".ogg", ".m4a", ".avi", ".ts"}


def per_call_ms(function, files: list[Path], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for path in files:
            function(path)
    return (time.perf_counter() - started) / (rounds * len(files)) * 1000


def read_head(path: Path) -> bytes:
    with path.open("rb") as stream:
        return stream.read(container.HEAD_BYTES)


def uncached(path: Path) -> str:
    container._identify_file.cache_clear()
    return container.identify(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    files = sorted(p for p in SHARED_MEDIA.iterdir() if p.suffix.lower() in MEDIA_SUFFIXES)
    config = PipelineConfig()
    print(describe())
    print(f"{len(files)} files from {SHARED_MEDIA.name}/, {args.rounds} rounds")
    floor = per_call_ms(read_head, files, args.rounds)
    print(f"floor: open + read {container.HEAD_BYTES // 1024} KB head   {floor:.3f} ms per file")
    print(f"identify, uncached                   {per_call_ms(uncached, files, args.rounds):.3f} ms per file")
    print(f"identify, cached                     {per_call_ms(container.identify, files, args.rounds):.3f} ms per file")
    probe_ms = per_call_ms(lambda p: run_ffprobe(p, config), files, max(1, args.rounds // 10))
    print(f"for scale: one ffprobe               {probe_ms:.3f} ms per file")


if __name__ == "__main__":
    main()
