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

``fit`` fits :data:`pipeline.moments.local.MOMENT_WEIGHTS`, how surely a clip is a real
moment, which lifts the score of a clip the analyser is sure of to at most the top of the
average band: a logistic regression, over each tuning talk's :data:`TOP` likeliest windows
(where the clips are chosen), of whether a window covers a planted moment (half of it, and
half of the window) on the ranker's log-odds and the logit of the window's mean content
posterior.

Usage: ``.venv/bin/python -m bench.moment_scores {report,fit} [--set tune|eval] [--only
GLOB] [--gaps blocks|blind]`` (``fit`` reads the tuning talks); ``bench.moments
--audio-only`` with the same ``--gaps`` builds the caches they read.
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
from bench.moments import DATA, GAPS, SETS, Planted, covering, prepare, read_talk
from bench.train_moments import logistic
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions, Moment, find_moments
from pipeline.moments.features import analyse_transcript
from pipeline.moments.local import LocalAnalyser, moment_evidence

# How many of each talk's likeliest windows the moment probability is fitted on.
TOP = 40
# Ssemble's bands, as (lowest score, name).
BANDS = ((80, "excellent"), (60, "good"), (40, "average"), (0, "below average"))


def covers_a_moment(clip: Moment, planted: Sequence[Planted]) -> bool:
    """Whether ``clip`` holds at least half of one of the ``planted`` moments (as
    :func:`bench.moments.covering` counts one found)."""
    return any(covering(moment, [clip]) is not None for moment in planted)


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


def fit(pattern: str, gaps: str, config: PipelineConfig) -> np.ndarray:
    """:data:`~pipeline.moments.local.MOMENT_WEIGHTS` fitted on the tuning talks matching ``pattern``."""
    rows, labels = [], []
    for _, prepared in talks("tune", pattern, gaps, config):
        analysis = analyse_transcript(prepared.transcript)
        local = LocalAnalyser(analysis, ClipOptions(clip_count=len(prepared.planted)), prepared.audio)
        likely = sorted((r for r, v in local.likelihood.items() if np.isfinite(v)), key=local.likelihood.get)
        for first, last in likely[-TOP:]:
            start, end = local.edges.starts[first], local.edges.ends[last]
            rows.append(moment_evidence(local.likelihood[first, last], analysis.content[first : last + 1].mean()))
            labels.append(
                any(
                    min(end, m.end) - max(start, m.start) >= 0.5 * max(m.end - m.start, end - start)
                    for m in prepared.planted
                )
            )
    weights = logistic(np.array(rows), np.array(labels, dtype=float))
    print(
        f"{len(rows)} windows, {sum(labels)} covering a moment: MOMENT_WEIGHTS = {tuple(np.round(weights, 3).tolist())}"
    )
    return weights


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("report", "fit"), nargs="?", default="report")
    parser.add_argument("--set", choices=SETS, default="eval", help="which texts to report on")
    parser.add_argument("--only", default="*", metavar="GLOB", help="only the talks whose file name matches")
    parser.add_argument("--gaps", choices=GAPS, default="blind", help="the pauses the talks were spoken with")
    args = parser.parse_args(argv)
    config = PipelineConfig.from_env(os.environ)
    print(f"machine: {describe()}")
    if args.command == "fit":
        fit(args.only, args.gaps, config)
    else:
        report(args.set, args.only, args.gaps, config)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
