"""Do the clips' scores read as Ssemble's bands say, and do the real moments come first?

Users see each clip's 0-100 score, and the clips best score first (clients of the
ScaleReach dialect sort and filter by it too). Ssemble's bands read 80-100 excellent,
60-79 good, 40-59 average, 0-39 below average. For every talk of
``bench/data/moments/<set>`` (spoken and cached as :mod:`bench.moments` does it), the
analyser's clips (k of them, k the planted moments) are split into those that cover a
planted moment (at least half of it, as ``bench.moments`` counts one found) and those that
cover none: on these talks, housekeeping or filler on the talk's subject. Reported per genre
and overall:

* each kind's scores by band, and their median;
* where the clips covering none are shown: their mean rank (1 is first; a clip placed at
  random among 7 averages 4), and how many are among the first three;
* the AUC of the score between the two kinds, pooled over the talks (1: every real moment
  scores above every clip of filler).

Usage: ``.venv/bin/python -m bench.moment_scores [--set tune|eval] [--only GLOB]
[--gaps blocks|blind]``; ``bench.moments --audio-only`` with the same ``--gaps`` builds the
caches it reads.
"""

from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import os
import sys
from collections.abc import Sequence

import numpy as np

from bench.machine import describe
from bench.moments import DATA, GAPS, SETS, Planted, prepare, read_talk
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions, Moment, find_moments

# Ssemble's bands, as (lowest score, name).
BANDS = ((80, "excellent"), (60, "good"), (40, "average"), (0, "below average"))


def covers_a_moment(clip: Moment, planted: Sequence[Planted]) -> bool:
    """Whether ``clip`` holds at least half of one of the ``planted`` moments."""
    return any(min(clip.end, m.end) - max(clip.start, m.start) >= 0.5 * (m.end - m.start) for m in planted)


@dataclasses.dataclass
class Tally:
    """Scores of the clips that cover a moment, and scores and ranks of those that cover none."""

    real: list[int] = dataclasses.field(default_factory=list)
    none: list[int] = dataclasses.field(default_factory=list)
    none_ranks: list[int] = dataclasses.field(default_factory=list)

    def add(self, clips: Sequence[Moment], planted: Sequence[Planted]) -> None:
        """Count ``clips`` (in the order shown, best first) against the talk's ``planted`` moments."""
        for rank, clip in enumerate(clips, start=1):
            if covers_a_moment(clip, planted):
                self.real.append(clip.score)
            else:
                self.none.append(clip.score)
                self.none_ranks.append(rank)

    def merge(self, other: Tally) -> None:
        self.real += other.real
        self.none += other.none
        self.none_ranks += other.none_ranks

    def lines(self) -> list[str]:
        lines = [f"    covering a moment ({len(self.real)}): {bands(self.real)}"]
        if self.none:
            first_three = sum(rank <= 3 for rank in self.none_ranks)
            lines += [
                f"    covering none ({len(self.none)}): {bands(self.none)}",
                f"    covering none shown at mean rank {np.mean(self.none_ranks):.1f}, {first_three} among the "
                f"first three; AUC real against none {auc(self.real, self.none):.2f}",
            ]
        return lines


def bands(scores: Sequence[int]) -> str:
    """How ``scores`` fall in Ssemble's bands, as shares, with their median."""
    if not scores:
        return "none"
    values = np.asarray(scores)
    shares, above = [], 101
    for low, name in BANDS:
        shares.append(f"{name} {np.mean((values >= low) & (values < above)):.2f}")
        above = low
    return ", ".join(shares) + f"; median {np.median(values):.0f}"


def auc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """How often a ``positive`` value exceeds a ``negative`` one (ties count half)."""
    if not positive or not negative:
        return float("nan")
    difference = np.subtract.outer(np.asarray(positive, float), np.asarray(negative, float))
    return float(np.mean(difference > 0) + 0.5 * np.mean(difference == 0))


def talks(set_name: str, pattern: str, gaps: str, config: PipelineConfig):
    """Each talk of ``set_name`` matching ``pattern``, read and prepared from its cache."""
    for path in sorted((DATA / set_name).glob("*.txt")):
        if fnmatch.fnmatch(path.name, pattern):
            talk = read_talk(path)
            yield talk, prepare(path, talk, config, audio_only=True, fresh=False, gaps=gaps)


def report(set_name: str, pattern: str, gaps: str, config: PipelineConfig) -> None:
    """Print the bands and the order of the analyser's clips, per genre of ``set_name`` and overall."""
    genres: dict[str, Tally] = {}
    for talk, prepared in talks(set_name, pattern, gaps, config):
        top = len(prepared.planted)
        result = find_moments(prepared.transcript, ClipOptions(clip_count=top), config, audio=prepared.audio)
        genres.setdefault(talk.genre, Tally()).add(result.moments[:top], prepared.planted)
    overall = Tally()
    for genre, tally in sorted(genres.items()):
        print(f"{set_name} / {genre}:")
        print("\n".join(tally.lines()))
        overall.merge(tally)
    print(f"{set_name} overall:")
    print("\n".join(overall.lines()))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=SETS, default="eval", help="which texts to report on")
    parser.add_argument("--only", default="*", metavar="GLOB", help="only the talks whose file name matches")
    parser.add_argument("--gaps", choices=GAPS, default="blind", help="the pauses the talks were spoken with")
    args = parser.parse_args(argv)
    config = PipelineConfig.from_env(os.environ)
    print(f"machine: {describe()}")
    report(args.set, args.only, args.gaps, config)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
