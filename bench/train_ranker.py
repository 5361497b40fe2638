"""Refit the window ranker alone on every tuning talk, keeping the shipped edge probes (issue 16).

The probes that read each sentence beside its neighbours are the exception: they are fitted
here, on every tuning talk, as each group's are fitted without the group for the readings the
ranker learns from.

:mod:`bench.train_moments` fits the ranker on each talk read by probes fitted without that
one talk, which reads every talk once per talk and takes hours for the 389 tuning talks
on two cores. Here each talk is read once, as :func:`bench.moments_folds.read_by_group`
reads it for ``--read-once --shipped-edges``: by the content probe fitted without its round
(so the ranker learns from evidence as unseen talks produce it) and by the shipped edge
probes, which the written model keeps. That command is this fit's cross-validation: each
group's ranker there is this one fitted without the group. The content probe is not
rewritten; the product reads talks with the shipped one.

Usage: ``.venv/bin/python -m bench.train_ranker [--ridge 2000] [--gaps blind|blocks]
[--exclude GLOB ...] [--joined | --packed [--copy-weight W]] [--spill WEIGHT] [--blend SHARE
[--base FILE]] [--dry-run]`` (about 10 minutes for the 421 talks on two cores, most of it
loading them; ``--ridge`` is the held-out content probes' strength; ``--joined`` also teaches
it each talk with two of its moments back to back, as :mod:`bench.train_moments` does,
``--packed`` each talk with every two of them back to back, each copy's windows weighed
``--copy-weight`` times; ``--spill`` weighs the windows that
hold part of a moment and run on past it, ``SPILL_WEIGHT`` of :mod:`bench.train_moments`, as
``bench.moments_folds --spill`` cross-validates it; ``--blend`` writes a share of the refit
mixed with the ranker in ``--base``, the shipped one unless given,
:func:`bench.moments_folds.blended`, as ``bench.moments_folds --blend`` cross-validates it; a
base fitted before some of the evidence existed gives that evidence weight 0, :func:`widened`).
The shipped ranker, the twenty-ninth round's candidate, is 0.6 of the ranker of commit
3357aea (widened: it reads none of the evidence added since) and 0.4 of a refit with spill
weight 10 on the 453 tuning talks before the ai round: ``git show
3357aea:pipeline/moments/window_model.npz > /tmp/before.npz`` then ``python -m
bench.train_ranker --spill 10 --blend 0.4 --base /tmp/before.npz --exclude 'train_ai_*'
--exclude 'train_aj_*'`` (the aj talks joined the tuning set later; docs/benchmarks.md, "The
twenty-ninth round's candidate" and its outcome).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.machine import describe
from bench.moments import GAPS
from bench.moments_folds import blended, by_group, read_by_group
from bench.train_moments import SPILL_WEIGHT, TalkData, fit_windows, joined, labelled, packed
from pipeline.config import PipelineConfig
from pipeline.moments.ranker import FEATURES, MODEL_FILE, EdgeProbe, EdgeProbes, WindowModel, load_model


def fit_ranker(
    talks: list[TalkData],
    strength: float,
    copy: Callable[[TalkData], TalkData] | None = None,
    spill: float = SPILL_WEIGHT,
    also: float = 1.0,
) -> WindowModel:
    """The window ranker fitted on every talk's one reading, with the shipped edge probes;
    with a ``copy`` (:func:`~bench.train_moments.joined` or :func:`~bench.train_moments.packed`),
    also on that copy of each talk, each window ``also`` times over; ``spill`` weighs the
    windows that run on past a moment."""
    sums = by_group(talks)
    readings = read_by_group(talks, strength, shipped_edges=True, copy=copy, sums=sums)
    # The shipped probes that read a sentence alone, and those beside its neighbours fitted
    # on every talk, as each group's were fitted without the group for the readings.
    probes = sums[1].probes(strength, kept=load_model().probes)
    return fit_windows(list(readings.values()), probes, spill=spill, also=also)


def widened(path: Path) -> WindowModel:
    """The ranker in ``path``, which may have been fitted before some of FEATURES existed:
    those get weight 0 (mean 0, scale 1), so it ranks every window as it did (and edge probes
    it has none of read nothing). Raises
    ValueError for a feature FEATURES no longer has."""
    with np.load(path) as data:
        names = [str(name) for name in data["features"]]
        if not set(names) <= set(FEATURES):
            raise ValueError(f"{path.name} has window features the ranker no longer reads")
        columns = [FEATURES.index(name) for name in names]
        mean, scale, coef = np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.zeros(len(FEATURES) + 1)
        mean[columns], scale[columns], coef[columns] = data["mean"], data["scale"], data["coef"][:-1]
        coef[-1] = data["coef"][-1]
        if "opens_beside_mean" in data:
            probes = EdgeProbes.saved(data)
        else:
            # Its weight on what they read is 0: any probe will do, and one that reads nothing shows it.
            width = 3 * len(data["opens_mean"])
            nothing = EdgeProbe(np.zeros(width), np.ones(width), np.zeros(width), 0.0)
            probes = EdgeProbes(EdgeProbe.saved(data, "opens"), EdgeProbe.saved(data, "closes"), nothing, nothing)
    return WindowModel(probes, mean, scale, coef)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ridge", type=float, default=2000.0, help="the held-out content probes' ridge strength")
    parser.add_argument("--gaps", choices=GAPS, default="blind", help="the talks' pauses (see bench.moments)")
    parser.add_argument("--exclude", action="append", default=[], help="leave out talks matching this glob")
    parser.add_argument("--joined", action="store_true", help="teach it each talk with two moments joined too")
    parser.add_argument("--packed", action="store_true", help="teach it each talk with every two moments joined too")
    parser.add_argument("--copy-weight", type=float, default=1.0, help="each joined or packed window's weight")
    parser.add_argument("--spill", type=float, default=SPILL_WEIGHT, help="the weight of windows running past a moment")
    parser.add_argument("--blend", type=float, default=1.0, help="the refit's share of the written log-odds")
    parser.add_argument("--base", type=Path, default=MODEL_FILE, help="with --blend: the ranker blended with")
    parser.add_argument("--dry-run", action="store_true", help="report only; do not write the ranker")
    args = parser.parse_args(argv)
    print(f"machine: {describe()}")
    talks = labelled(PipelineConfig.from_env(os.environ), args.exclude, args.gaps)
    print(f"{len(talks)} tuning talks, {sum(len(t.labels) for t in talks)} sentences", flush=True)
    copy = packed if args.packed else joined if args.joined else None
    before, model = widened(args.base), fit_ranker(talks, args.ridge, copy, args.spill, args.copy_weight)
    # The weights on standardised evidence, old beside new, show what the refit changed.
    for name, old, new in zip((*FEATURES, "intercept"), before.coef, model.coef, strict=True):
        print(f"  {name:<24} {old:+.3f} -> {new:+.3f}")
    if args.blend < 1.0:
        model = blended(before, model, args.blend)
        print(f"blended: {args.blend:g} of the refit's log-odds, {1 - args.blend:g} of {args.base.name}'s")
    if not args.dry_run:
        model.save(MODEL_FILE)
        print(f"wrote {MODEL_FILE.relative_to(MODEL_FILE.parents[2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
