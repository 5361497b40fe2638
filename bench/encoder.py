"""x264 preset and CRF by measurement: CPU time, size and SSIM of rendered clips.

For each content, one clip is rendered by :func:`pipeline.render.render_clip` (crop,
captions, hook card) at a near-transparent CRF, then decoded once to raw frames, so
every setting below encodes exactly the same picture and only the encode is timed. Each
preset x CRF is encoded with the render's own x264 arguments, its CPU time (the ffmpeg
child's user+system) and bitrate are read, and its SSIM (ffmpeg's ``ssim`` filter, all
planes) is measured against the reference, the same frames at preset ``slow``, CRF 18.

The choice rule (docs/benchmarks.md): a setting is eligible when its SSIM is at least
``--threshold`` on every content and its bitrate is no higher than the previous
default's (veryfast, CRF 21), so downloads do not grow. The preset sets the CPU cost
(within a preset the CRFs differ by noise only), so the cheapest preset with an
eligible CRF is chosen, with its lowest (best-looking) eligible CRF.

    .venv/bin/python -m bench.encoder [--seconds 8] [--presets ...] [--crfs ...]
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import tempfile
from pathlib import Path

from bench.machine import describe
from bench.render import fake_words
from pipeline.config import PipelineConfig
from pipeline.probe import probe
from pipeline.render import RenderOptions, render_clip
from tests.media import SHARED_MEDIA, build_talk_video

PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium")
CRFS = (18, 21, 23, 25, 26, 27)
REFERENCE = ("slow", 18)
PREVIOUS_DEFAULT = ("veryfast", 21)
FPS = 30


def contents(seconds: float) -> dict[str, tuple[Path, float]]:
    """Name -> (source, start): the bench's 1080p talk and a real talking-head recording."""
    return {
        "talk 1080p (s18, the end-to-end bench's source)": (build_talk_video(30, 1920, 1080), 5.0),
        "talking head (KatieHill, 512x512 upscaled)": (SHARED_MEDIA / "vid_talkinghead_WDA_KatieHill_000.mp4", 0.0),
    }


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ffmpeg(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-y", *map(str, args)], capture_output=True, text=True, check=True
    )


def encode(raw: Path, size: str, preset: str, crf: int, out: Path) -> float:
    """Encode the raw frames as the render does; returns the ffmpeg run's CPU seconds."""
    before = child_cpu()
    ffmpeg(
        "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", size, "-r", str(FPS), "-i", raw,
        "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p", "-profile:v", "high",
        "-an", "-movflags", "+faststart", out,
    )  # fmt: skip
    return child_cpu() - before


def ssim(encoded: Path, reference: Path) -> float:
    result = ffmpeg("-i", encoded, "-i", reference, "-lavfi", "[0:v][1:v]ssim", "-f", "null", "-")
    found = re.search(r"SSIM .*All:([0-9.]+)", result.stderr)
    if not found:
        raise RuntimeError("ffmpeg printed no SSIM")
    return float(found.group(1))


def measure(name: str, source: Path, start: float, seconds: float, presets, crfs, work: Path) -> dict:
    config = PipelineConfig().replace(render_preset="veryfast", render_crf=10)
    media = probe(source, config)
    end = min(start + seconds, media.duration)
    master = work / "master.mp4"
    result = render_clip(
        source, media, start, end, fake_words(start, end),
        RenderOptions(hook_text="Nobody tells you this about building"), master, work / "master.jpg", config,
    )  # fmt: skip
    if result.error:
        raise RuntimeError(result.error_message)
    raw, size = work / "master.yuv", f"{result.width}x{result.height}"
    ffmpeg("-i", master, "-an", "-r", str(FPS), "-pix_fmt", "yuv420p", "-f", "rawvideo", raw)
    reference = work / "reference.mp4"
    encode(raw, size, *REFERENCE, reference)
    rows = {}
    for preset in presets:
        for crf in crfs:
            out = work / f"{preset}-{crf}.mp4"
            cpu = encode(raw, size, preset, crf, out)
            kbps = out.stat().st_size * 8 / 1000 / (end - start)
            rows[preset, crf] = (cpu, kbps, ssim(out, reference))
            out.unlink()
    print(f"\n{name}: {end - start:.0f} s at {size}, CPU seconds per second of clip / kbit/s / SSIM")
    print(f"{'preset':<10}" + "".join(f"{'crf ' + str(c):>22}" for c in crfs))
    for preset in presets:
        cells = []
        for crf in crfs:
            cpu, kbps, value = rows[preset, crf]
            cells.append(f"{cpu / (end - start):6.2f} {kbps:6.0f} {value:.4f}")
        print(f"{preset:<10}" + "".join(f"{cell:>22}" for cell in cells))
    return {key: (cpu / (end - start), kbps, value) for key, (cpu, kbps, value) in rows.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--presets", nargs="*", default=list(PRESETS))
    parser.add_argument("--crfs", nargs="*", type=int, default=list(CRFS))
    parser.add_argument("--threshold", type=float, default=0.98)
    args = parser.parse_args()
    presets, crfs = args.presets, args.crfs
    if PREVIOUS_DEFAULT[0] not in presets or PREVIOUS_DEFAULT[1] not in crfs:
        parser.error(f"the grid must hold the previous default {PREVIOUS_DEFAULT}")
    print(f"machine: {describe()}")
    print(f"reference: preset {REFERENCE[0]}, crf {REFERENCE[1]}; threshold SSIM >= {args.threshold}")
    tables = []
    for name, (source, start) in contents(args.seconds).items():
        with tempfile.TemporaryDirectory() as work:
            tables.append(measure(name, source, start, args.seconds, presets, crfs, Path(work)))
    worst = {
        key: (max(t[key][0] for t in tables), max(t[key][1] / t[PREVIOUS_DEFAULT][1] for t in tables),
              min(t[key][2] for t in tables))
        for key in tables[0]
    }  # fmt: skip
    eligible = {key for key, (cpu, size, value) in worst.items() if value >= args.threshold and size <= 1.0}
    print("\nworst case over the contents: CPU s per clip s, size vs the previous default, SSIM")
    for key, (cpu, size, value) in sorted(worst.items(), key=lambda item: item[1][0]):
        mark = " <- eligible" if key in eligible else ""
        print(f"  {key[0]:<10} crf {key[1]:<3} {cpu:6.2f} {size:6.2f}x {value:.4f}{mark}")
    if eligible:
        cost = {p: sum(worst[p, c][0] for c in crfs) / len(crfs) for p in {p for p, _ in eligible}}
        preset = min(cost, key=cost.get)
        crf = min(c for p, c in eligible if p == preset)
        cpu, size, value = worst[preset, crf]
        old = worst[PREVIOUS_DEFAULT][0]
        print(f"chosen: preset {preset}, crf {crf}: {cpu:.2f} CPU s per clip s ({cpu / old:.2f}x the previous "
              f"default), {size:.2f}x its size, SSIM {value:.4f}")
    else:
        print("chosen: none meets the threshold at the previous default's size")


if __name__ == "__main__":
    main()
