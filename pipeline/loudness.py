"""Loudness of a stretch of audio (EBU R128) and the filter that brings a clip to the target.

One audio-only ffmpeg run measures the integrated loudness and the true peak with the
``ebur128`` filter. The clip is then raised or lowered to :data:`TARGET_LUFS` by a plain
gain; when that gain would push the true peak above :data:`TRUE_PEAK`, the same gain is
applied as the input level of a look-ahead limiter whose ceiling sits
:data:`INTERSAMPLE_MARGIN` under the true-peak target. Both run at the source's sample
rate: ffmpeg's ``loudnorm``, which this replaced, resamples everything to 192 kHz and cost
about 2.5x the CPU of the whole audio encode (docs/decisions.md, "Loudness";
``python -m bench.loudness`` measures both).
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

from pipeline.config import PipelineConfig
from pipeline.errors import MediaError
from pipeline.ffmpeg import run_ffmpeg

TARGET_LUFS = -14.0
TRUE_PEAK = -1.5
# The limiter sees samples, not the waveform between them: its ceiling leaves room for the
# inter-sample peaks of speech at 44.1-48 kHz (measured overs stayed under 0.4 dB).
INTERSAMPLE_MARGIN = 0.5
# Audio at or below this is silence (ebur128's floor): there is nothing to normalise.
SILENCE_LUFS = -70.0
# alimiter's input level spans 1/64 to 64 (+-36 dB); a quieter clip is raised as far as that.
MAX_GAIN_DB = 36.0

_NUMBER = r"(-?(?:\d+(?:\.\d+)?|inf))"
# The measuring filter: integrated loudness and true peak; framelog=verbose keeps its
# per-frame lines out of an info-level log, which then holds only the summary.
EBUR128 = "ebur128=peak=true:framelog=verbose"


@dataclasses.dataclass(frozen=True)
class Loudness:
    """Integrated loudness (LUFS) and true peak (dBTP); ``-inf`` peak for digital silence."""

    integrated: float
    true_peak: float

    @property
    def silent(self) -> bool:
        return not math.isfinite(self.integrated) or self.integrated <= SILENCE_LUFS


def measure(path: Path | str, config: PipelineConfig, start: float = 0.0, end: float | None = None) -> Loudness:
    """The loudness of ``path``'s first audio stream between ``start`` and ``end`` seconds.

    Raises :class:`MediaError` when the audio cannot be decoded or measured.
    """
    window: list[str] = ["-ss", f"{start:.3f}"] if start > 0 else []
    if end is not None:
        window += ["-t", f"{end - start:.3f}"]
    args = [
        "-nostats", "-loglevel", "info", *window, "-i", path,
        "-map", "0:a:0", "-vn", "-sn", "-af", EBUR128, "-f", "null", "-",
    ]  # fmt: skip
    return parse_summary(run_ffmpeg(args, config, what="measure the loudness").stderr.decode("utf-8", "replace"))


def parse_summary(stderr: str) -> Loudness:
    """The loudness in the summary that the :data:`EBUR128` filter logs at ``info`` level.

    Raises :class:`MediaError` when ``stderr`` holds no complete summary.
    """
    summary = stderr[stderr.rfind("Summary:") :]
    level = re.search(rf"I:\s+{_NUMBER} LUFS", summary)
    peak = re.search(rf"Peak:\s+{_NUMBER} dBFS", summary)
    if "Summary:" not in stderr or not level or not peak:
        raise MediaError("The loudness could not be measured.")
    return Loudness(integrated=float(level.group(1)), true_peak=float(peak.group(1)))


def normalising_filter(loudness: Loudness) -> str:
    """An ffmpeg audio filter taking audio of ``loudness`` to :data:`TARGET_LUFS` with its
    true peak at most :data:`TRUE_PEAK`; empty for silence."""
    if loudness.silent:
        return ""
    gain = min(TARGET_LUFS - loudness.integrated, MAX_GAIN_DB)
    if loudness.true_peak + gain <= TRUE_PEAK:
        return f"volume={gain:.2f}dB"
    ceiling = 10 ** ((TRUE_PEAK - INTERSAMPLE_MARGIN) / 20)
    # level=false: without it alimiter scales its output back up to full scale.
    # latency=true: the look-ahead delay is compensated, so sound stays in sync with picture.
    return f"alimiter=level_in={10 ** (gain / 20):.5f}:limit={ceiling:.5f}:level=false:latency=true"
