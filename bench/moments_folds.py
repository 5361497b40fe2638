"""Cross-validation of the moment models by round of tuning talks (issue 16).

The tuning talks were written in rounds, each by writers who saw none of the others'.
For each group of rounds (:data:`GROUPS`), the content probe, the edge probes and the
window ranker are fitted as :mod:`bench.train_moments` fits them, on the other groups'
talks only, and the group's talks are read as :mod:`bench.moments` reads them (cached
speech and transcripts, the local analyser's top k windows). For each edge-evidence
weight given (``EDGE_EVIDENCE_LOGITS`` of :mod:`pipeline.moments.ranker`), recall@k,
boundary error and filler edges are reported per group and over the later groups, whose
writers worked from the second round's brief alone, together and genre by genre
(:func:`report`). This is how a weight, or a change to what the ranker reads, is chosen
without the talks that judge it.

Usage: ``.venv/bin/python -m bench.moments_folds [--gaps blind|blocks] [--weights 0.3 0.6]
[--spill 1 3] [--short 1 3] [--merges-last] [--joined | --packed] [--also-gaps blocks|blind]
[--exclude GLOB ...] [--ridge 1000] [--floors off 0.1] [--shipped-ranker] [--other-languages]
[--read-once [--shipped-edges [--blend 0.25 0.4]]]``.
``--spill`` and ``--short`` weigh the ranker's near misses (``SPILL_WEIGHT`` and
``SHORT_WEIGHT`` of :mod:`bench.train_moments`); every combination with every edge weight
is reported, the ranker refitted for each on the same held-out windows. ``--merges-last``
ranks every window that merges two moments last, as a candidate analyser would
(:func:`pipeline.moments.ranker.without_merges`). ``--joined`` also teaches each fold's
ranker its talks with two moments back to back (:func:`bench.train_moments.joined`), and
``--also-gaps`` its talks spoken with other pauses; the held-out talks are read as
``--gaps`` speaks them. ``--floors`` are the mean content posteriors below which a window is
left out past the clips always kept (``CONTENT_FLOOR`` of :mod:`pipeline.moments.boundaries`,
the default; ``off`` keeps every window). ``--shipped-ranker`` refits only the content
probe in each fold and reads every group with the shipped window ranker and edge probes
(``pipeline/moments/window_model.npz``): fair for the groups that ranker was not fitted on
(all but the first rounds), and the way to judge a probe alone. ``--read-once`` reads each
talk once, by probes fitted without its group (:func:`read_by_group`; minutes where the
folds' own readings take hours), fits each group's ranker on the other groups' readings and
scores the clips :meth:`~pipeline.moments.local.LocalAnalyser.find` keeps (its turn rules
and filler floor included, so ``--floors`` and ``--merges-last`` do not apply); with
``--shipped-edges`` the talks are read by the shipped edge probes that read a sentence alone
(those that read it beside its neighbours are fitted without the group), and the shipped ranker is
scored on the same readings beside the refitted one; ``--joined`` then teaches each group's
ranker the other groups' joined copies, read once like their talks, and ``--packed`` their
packed copies (:func:`bench.train_moments.packed`), and ``--blend`` scores
rankers whose log-odds are these shares of each refitted one's (every ``--spill`` and
``--short`` pair), the rest the shipped one's (:func:`blended`). ``--other-languages``
also teaches every fold's content probe the tuning talks in other languages
(:func:`bench.train_moments.in_other_languages`), which no group holds. Since the
twenty-ninth round 0.4 of the shipped ranker was fitted on every group up to "ah", so
``--shipped-ranker`` and ``--shipped-edges`` are fair only from "ai" on, unless run in a
worktree holding commit 3357aea's ``window_model.npz`` (the ranker before it, fitted on the
first rounds only, whose edge probes the shipped one keeps).
The eleventh round measured its candidates this way (docs/benchmarks.md, "The eleventh
round's outcome"): the first on the branch ``eleventh-round-experiment``, the one judged on
``eleventh-round-candidate``.
"""

from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import itertools
import math
import os
import sys
from collections.abc import Callable

import numpy as np

from bench.machine import describe
from bench.moments import GAPS, Prepared, Score, evaluate
from bench.train_moments import (
    SHORT_WEIGHT,
    SPILL_WEIGHT,
    Clip,
    EdgeSums,
    Sums,
    TalkData,
    Windows,
    fit,
    fit_all,
    fit_probe,
    fit_windows,
    in_other_languages,
    joined,
    labelled,
    packed,
    picked,
    spoken_again,
    windows,
)
from pipeline.config import PipelineConfig
from pipeline.moments.boundaries import CONTENT_FLOOR
from pipeline.moments.ranker import WindowModel, load_model, without_merges

# Groups of rounds, by talk name; a talk in none of them is in the first group (the
# first rounds, written while the analyser was developed).
GROUPS = {
    "k, n": ("train_k_*", "train_n_*"),
    "o, p": ("train_o_*", "train_p_*"),
    "r, s, t, u": ("train_r_*", "train_s_*", "train_t_*", "train_u_*"),
    # The twelfth to twenty-seventh rounds', tuning talks since each was judged (docs/benchmarks.md).
    "v": ("train_v_*",),
    "w": ("train_w_*",),
    "y": ("train_y_*",),
    "z": ("train_z_*",),
    "q": ("train_q_*",),
    "a": ("train_a_*",),
    "l": ("train_l_*",),
    "m": ("train_m_*",),
    "x": ("train_x_*",),
    "aa": ("train_aa_*",),
    "ab": ("train_ab_*",),
    "ac": ("train_ac_*",),
    "ad": ("train_ad_*",),
    "ae": ("train_ae_*",),
    "af": ("train_af_*",),
    "ag": ("train_ag_*",),
    "ah": ("train_ah_*",),
    "ai": ("train_ai_*",),
    "aj": ("train_aj_*",),
    "ak": ("train_ak_*",),
}
FIRST = "first rounds"


def by_group(talks: list[TalkData]) -> tuple[Sums, EdgeSums]:
    """The talks' content :class:`~bench.train_moments.Sums` and their
    :class:`~bench.train_moments.EdgeSums` with each talk's group for its unit."""
    sums = Sums.of([t.embeddings for t in talks], [t.labels for t in talks])
    order = (FIRST, *GROUPS)
    return sums, EdgeSums.of(talks, sums, [order.index(group_of(talk.name)) for talk in talks])


def group_of(name: str) -> str:
    return next((g for g, patterns in GROUPS.items() if any(fnmatch.fnmatch(name, p) for p in patterns)), FIRST)


def read_by_group(
    talks: list[TalkData],
    strength: float,
    shipped_edges: bool = False,
    copy: Callable[[TalkData], TalkData] | None = None,
    sums: tuple[Sums, EdgeSums] | None = None,
) -> dict[str, Windows]:
    """Each talk's windows, read once by the content probe and the edge probes fitted without
    its group's talks (with ``shipped_edges``, by the shipped probes that read a sentence
    alone and those fitted without the group that read it beside its neighbours), by talk
    name; with
    a ``copy`` (:func:`~bench.train_moments.joined` or :func:`~bench.train_moments.packed`), each
    also holds that copy of its talk read by the
    same probes (:attr:`~bench.train_moments.Windows.also`), for a ranker to be taught.

    A group's ranker is then fitted on the other groups' readings, whose probes did see that
    group: a small leak, the price of reading each talk once rather than once in every fold
    it is taught in. ``sums`` are :func:`by_group`'s of ``talks``, made here unless given.
    """
    content, sides = by_group(talks) if sums is None else sums
    kept = load_model().probes if shipped_edges else None
    readings = {}
    for group in (FIRST, *GROUPS):
        inside = [index for index, talk in enumerate(talks) if group_of(talk.name) == group]
        if not inside:
            continue
        probe, _ = fit(talks, strength, content, without=inside)
        # The probes beside neighbours are new to every shipped ranker but the latest: they
        # are fitted without the group, as the content probe is.
        edges = sides.probes(strength, inside, kept)
        for index in inside:
            found = windows(talks[index], probe, edges)
            if copy is not None:
                # Only its evidence teaches a ranker, and without its analyser the copy's
                # audio is freed: every talk's twice over would not fit in memory.
                found.also = [dataclasses.replace(windows(copy(talks[index]), probe, edges), local=None)]
            readings[talks[index].name] = found
        print(f"  {group}: {len(inside)} talks read by probes fitted on {len(talks) - len(inside)}", flush=True)
    return readings


def chosen_by_analyser(prepared: Prepared, found: Windows, likelihood: np.ndarray) -> Score:
    """How the clips :meth:`~pipeline.moments.local.LocalAnalyser.find` keeps cover the talk's
    planted moments when the windows are rated ``likelihood``: merges of two moments last, then
    the analyser's own choice, filler floor and turn rules."""
    local = found.local
    rated = without_merges(found.ranges, likelihood, local.analysis.breaks)
    # find() reads the windows' ratings from this cached property, where the analyser keeps them.
    local.__dict__["likelihood"] = dict(zip(found.ranges, rated.tolist(), strict=True))
    spans, _ = local.find(len(prepared.planted))
    return evaluate(prepared, [Clip(span.start, span.end, rank) for rank, span in enumerate(spans, start=1)])[0]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gaps", choices=GAPS, default="blind", help="the talks' pauses (see bench.moments)")
    parser.add_argument("--weights", type=float, nargs="+", default=[0.3, 0.6], help="edge evidence weights")
    parser.add_argument("--exclude", action="append", default=[], help="leave out talks matching this glob")
    parser.add_argument("--ridge", type=float, default=1000.0, help="ridge strength")
    parser.add_argument("--spill", type=float, nargs="+", default=[SPILL_WEIGHT], help="near-miss weights (spills)")
    parser.add_argument("--short", type=float, nargs="+", default=[SHORT_WEIGHT], help="near-miss weights (short)")
    parser.add_argument("--joined", action="store_true", help="teach the ranker each talk with two moments joined too")
    parser.add_argument("--packed", action="store_true", help="with --read-once: teach it each talk packed too")
    parser.add_argument("--also-gaps", choices=GAPS, help="teach the ranker each talk spoken with these pauses too")
    parser.add_argument("--merges-last", action="store_true", help="rank windows merging two moments last")
    parser.add_argument("--floors", type=_floor, nargs="+", default=[CONTENT_FLOOR], help="content floors, or off")
    parser.add_argument("--shipped-ranker", action="store_true", help="refit the content probe only")
    parser.add_argument(
        "--other-languages", action="store_true", help="teach the content probe the talks in tune_languages too"
    )
    parser.add_argument(
        "--read-once", action="store_true", help="read each talk once, by probes fitted without its group"
    )
    parser.add_argument(
        "--shipped-edges", action="store_true", help="with --read-once: read by the shipped edge probes"
    )
    parser.add_argument(
        "--blend", type=float, nargs="+", default=[], help="with --shipped-edges: these shares of the refitted ranker"
    )
    args = parser.parse_args(argv)
    if args.blend and not args.shipped_edges:
        parser.error("--blend mixes the refitted ranker with the shipped one: it needs --shipped-edges")
    if args.shipped_edges and not args.read_once:
        parser.error("--shipped-edges reads with --read-once only")
    if args.read_once and (
        args.also_gaps or args.shipped_ranker or args.other_languages or args.merges_last
        or args.floors != [CONTENT_FLOOR]
    ):  # fmt: skip
        parser.error("--read-once scores the analyser's own clips from the talks' one reading alone")
    print(f"machine: {describe()}")
    config = PipelineConfig.from_env(os.environ)
    talks = labelled(config, args.exclude, args.gaps)
    if args.also_gaps:
        talks = spoken_again(talks, config, args.also_gaps, args.exclude)
    also = in_other_languages() if args.other_languages else []
    settings = list(itertools.product(args.weights, args.spill, args.short, args.floors))
    scores = {_name(setting): {} for setting in settings}
    copy = packed if args.packed else joined if args.joined else None
    readings = read_by_group(talks, args.ridge, args.shipped_edges, copy) if args.read_once else {}
    if args.shipped_edges:
        scores[SHIPPED] = {}
        pairs = itertools.product(args.spill, args.short)
        scores.update({_blend_name(share, pair): {} for pair in pairs for share in args.blend})
    for group in (FIRST, *GROUPS):
        inside = [talk for talk in talks if group_of(talk.name) == group]
        if not inside:
            continue
        outside = [talk for talk in talks if group_of(talk.name) != group]
        if args.read_once:
            _score_read_once(group, inside, [readings[talk.name] for talk in outside], readings, args, scores)
            continue
        if args.shipped_ranker:
            # Only the probe is refitted, so no talk needs reading by probes fitted without it.
            probe, model = fit_probe(outside, args.ridge, also), load_model()
            models = dict.fromkeys(itertools.product(args.spill, args.short), model)
        else:
            probe, model, held_out = fit_all(outside, args.ridge, with_joined=args.joined, also=also)
            models = {
                (spill, short): fit_windows(held_out, model.probes, spill, short)
                for spill in args.spill
                for short in args.short
            }
        print(f"  {group}: {len(inside)} talks read by models fitted on {len(outside)}", flush=True)
        for talk in inside:
            found = windows(talk, probe, model.probes)
            logits = {pair: fitted.logit(found.rows) for pair, fitted in models.items()}
            for setting in settings:
                weight, spill, short, floor = setting
                likelihood = logits[spill, short] + weight * found.edges
                _add(scores, _name(setting), talk, picked(talk.prepared, found, likelihood, args.merges_last, floor))
    for name, by_talk in scores.items():
        print("\n".join(report(name, by_talk)))
    return 0


SHIPPED = "the shipped ranker"


def report(name: str, by_talk: dict[tuple[str, str], Score]) -> list[str]:
    """The lines for one ranker's scores, keyed by (group, genre): each group, then the later
    groups together and genre by genre (the first rounds were written while the analyser was
    developed, so they count in neither)."""
    groups, genres, later = {}, {}, Score()
    for (group, genre), score in by_talk.items():
        groups.setdefault(group, Score()).add(score)
        if group != FIRST:
            later.add(score)
            genres.setdefault(genre, Score()).add(score)
    lines = [f"{name}, {group}: {groups[group].line()}" for group in (FIRST, *GROUPS) if group in groups]
    lines.append(f"{name}, the later groups: {later.line()}")
    return lines + [f"{name}, the later groups' {genre}s: {genres[genre].line()}" for genre in sorted(genres)]


def blended(shipped: WindowModel, refitted: WindowModel, share: float) -> WindowModel:
    """The ranker whose log-odds are ``share`` of ``refitted``'s and the rest of ``shipped``'s,
    with the refit's edge probes (those it was read with, which for the probes that read a
    sentence alone are the shipped ones): one logistic model, on the raw evidence (mean 0,
    scale 1)."""

    def raw(model: WindowModel) -> tuple[np.ndarray, float]:
        weights = model.coef[:-1] / model.scale
        return weights, model.coef[-1] - weights @ model.mean

    (kept, kept_bias), (new, new_bias) = raw(shipped), raw(refitted)
    coef = np.append((1 - share) * kept + share * new, (1 - share) * kept_bias + share * new_bias)
    return WindowModel(refitted.probes, np.zeros_like(shipped.mean), np.ones_like(shipped.scale), coef)


def _blend_name(share: float, pair: tuple[float, float]) -> str:
    spill, short = pair
    return f"{share:g} refitted (spill {spill:g}, short {short:g}), {1 - share:g} shipped"


def _name(setting: tuple[float, float, float, float]) -> str:
    weight, spill, short, floor = setting
    return f"edge evidence {weight:g}, spill {spill:g}, short {short:g}, floor {floor:g}"


def _score_read_once(
    group: str,
    inside: list[TalkData],
    taught: list[Windows],
    readings: dict[str, Windows],
    args: argparse.Namespace,
    scores: dict[str, dict[tuple[str, str], Score]],
) -> None:
    """Score the group's talks, read once, with rankers fitted on the other groups' ``taught``
    readings (and, with ``--shipped-edges``, with the shipped ranker and its blends with each
    of them)."""
    models = {
        (spill, short): fit_windows(taught, taught[0].probes, spill, short)
        for spill in args.spill
        for short in args.short
    }
    others = {}
    if args.shipped_edges:
        shipped = load_model()
        others = {SHIPPED: shipped} | {
            _blend_name(share, pair): blended(shipped, refitted, share)
            for pair, refitted in models.items()
            for share in args.blend
        }
    print(f"  {group}: {len(inside)} talks ranked by rankers fitted on {len(taught)}", flush=True)
    for talk in inside:
        found = readings[talk.name]
        for weight, spill, short in itertools.product(args.weights, args.spill, args.short):
            likelihood = models[spill, short].logit(found.rows) + weight * found.edges
            name = _name((weight, spill, short, CONTENT_FLOOR))
            _add(scores, name, talk, chosen_by_analyser(talk.prepared, found, likelihood))
        for name, ranker in others.items():
            likelihood = ranker.ranking(found.rows, found.edges)
            _add(scores, name, talk, chosen_by_analyser(talk.prepared, found, likelihood))


def _add(scores: dict[str, dict[tuple[str, str], Score]], name: str, talk: TalkData, score: Score) -> None:
    """Count ``score``, one talk's, under ``name`` by the talk's group and genre."""
    scores[name].setdefault((group_of(talk.name), talk.genre), Score()).add(score)


def _floor(text: str) -> float:
    return -math.inf if text == "off" else float(text)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
