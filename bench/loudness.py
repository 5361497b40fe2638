"""Loudness normalisation: accuracy and CPU of the clip's audio chain, against ffmpeg's loudnorm.

For every speech recording in ``../shared/media`` (the first ``--seconds`` of each, at its
own level), the clip's audio is measured and encoded as a render encodes it (AAC, 48 kHz,
stereo) three ways:

* ``plain``: no normalisation, the floor;
* ``loudnorm``: two-pass ffmpeg loudnorm (measure, then apply with the measured values),
  what the renders used before;
* ``clipsite``: :mod:`pipeline.loudness` (ebur128 measurement, then gain, or gain into a
  look-ahead limiter).

It prints the CPU seconds of measuring and of encoding, and the output's integrated
loudness and true peak (target -14 LUFS, at most -1.5 dBTP).

Usage: ``.venv/bin/python -m bench.loudness [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import tempfile
from pathlib import Path

from bench.machine import describe
from pipeline import loudness
from pipeline.config import PipelineConfig
from pipeline.render import AUDIO_BITRATE, AUDIO_RATE

MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"
SPEECH = ("en_", "es_", "de_", "ca_", "vid_talkinghead_", "vid_face_closeup")
LOUDNORM = f"loudnorm=I={loudness.TARGET_LUFS}:TP={loudness.TRUE_PEAK}:LRA=11"


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_of(args: list[str | Path]) -> tuple[float, str]:
    """CPU seconds of one ffmpeg run, and its stderr."""
    before = children_cpu()
    done = subprocess.run(["ffmpeg", "-hide_banner", "-y", *args], capture_output=True, text=True, check=True)
    return children_cpu() - before, done.stderr


def encode(source: Path, seconds: float, audio_filter: str, out: Path) -> float:
    graph = f"[0:a:0]{audio_filter + ',' if audio_filter else ''}aresample={AUDIO_RATE}[a]"
    args = ["-t", f"{seconds}", "-i", source, "-filter_complex", graph, "-map", "[a]",
            "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ac", "2", out]  # fmt: skip
    return cpu_of(args)[0]


def loudnorm_filter(source: Path, seconds: float) -> tuple[float, str]:
    args = ["-nostats", "-loglevel", "info", "-t", f"{seconds}", "-i", source, "-map", "0:a:0",
            "-af", f"{LOUDNORM}:print_format=json", "-f", "null", "-"]  # fmt: skip
    cpu, stderr = cpu_of(args)
    found = json.loads(re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", stderr).group(0))
    return cpu, (
        f"{LOUDNORM}:measured_I={found['input_i']}:measured_TP={found['input_tp']}:"
        f"measured_LRA={found['input_lra']}:measured_thresh={found['input_thresh']}:"
        f"offset={found['target_offset']}:linear=true"
    )


def clipsite_filter(source: Path, seconds: float, config: PipelineConfig) -> tuple[float, str]:
    before = children_cpu()
    measured = loudness.measure(source, config, 0.0, seconds)
    return children_cpu() - before, loudness.normalising_filter(measured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    config = PipelineConfig()
    print(describe())
    print(f"{'source':42} {'chain':9} {'measure':>8} {'encode':>7} {'LUFS':>6} {'dBTP':>6}")
    totals: dict[str, list[float]] = {}
    sources = sorted(p for p in MEDIA.iterdir() if p.name.startswith(SPEECH))
    with tempfile.TemporaryDirectory() as tmp:
        for source in sources:
            for chain in ("plain", "loudnorm", "clipsite"):
                if chain == "plain":
                    measure_cpu, audio_filter = 0.0, ""
                elif chain == "loudnorm":
                    measure_cpu, audio_filter = loudnorm_filter(source, args.seconds)
                else:
                    measure_cpu, audio_filter = clipsite_filter(source, args.seconds, config)
                out = Path(tmp) / f"{chain}.m4a"
                encode_cpu = encode(source, args.seconds, audio_filter, out)
                result = loudness.measure(out, config)
                spent = totals.setdefault(chain, [0.0, 0.0])
                spent[0] += measure_cpu
                spent[1] += encode_cpu
                print(f"{source.name[:42]:42} {chain:9} {measure_cpu:8.2f} {encode_cpu:7.2f} "
                      f"{result.integrated:6.1f} {result.true_peak:6.1f}")  # fmt: skip
    print(f"CPU seconds over {len(sources)} sources (measure + encode):")
    for chain, (measure_cpu, encode_cpu) in totals.items():
        print(f"  {chain:9} {measure_cpu:6.2f} + {encode_cpu:6.2f} = {measure_cpu + encode_cpu:6.2f}")


if __name__ == "__main__":
    main()
