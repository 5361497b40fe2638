"""Fit the edge moves' models (``pipeline/moments/edge_moves.npz``) on tuning talks.

The local analyser chooses its clips with the shipped content probe and window ranker, then
gives each clip's edges a second look (:mod:`pipeline.moments.edge_moves`): four logistic
models, one per move (the start a sentence earlier or later, the end a sentence later or
earlier), say how likely the move brings the edge closer to the planted moment's. They
must learn how the shipped ranker's edges miss on speech it never saw, so they are fitted
on the tuning talks neither the probe nor the ranker was fitted on (the thirteenth to
fifteenth rounds' talks by default; docs/benchmarks.md, "Moments").

Each talk is spoken and transcribed as in :mod:`bench.moments` (cached) and read by the
shipped analyser up to its choice of clips (:meth:`~pipeline.moments.local.LocalAnalyser.choose`).
Every chosen clip gives one example per move that leads to a candidate window: positive
when the planted block the clip covers most starts before it (the start moving earlier),
inside it after its first sentence (later), and so on; a clip that covers no block gives
negatives only.

With ``--folds`` it first prints leave-one-group-out figures (a group is a round's talks,
``train_w_*`` and so on): in each group, with models fitted on the others, recall@k, boundary
error and filler edges of the clips as chosen and with their edges moved, and the mean
boundary error of both on the moments both find.

Usage: ``.venv/bin/python -m bench.train_edge_moves [--only GLOB ...] [--gaps blind|blocks] [--folds] [--dry-run]``
(about 25 s a talk when its speech and transcript are not cached yet, 2 s when they are).
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
from bench.moments import DATA, GAPS, Prepared, Score, evaluate, prepare, read_talk
from bench.train_moments import Clip, logistic, planted_blocks
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions
from pipeline.moments.edge_moves import MODEL_FILE, MOVES, EdgeMoves, MoveModel, Window, save_models
from pipeline.moments.features import analyse_transcript
from pipeline.moments.local import LocalAnalyser

# The rounds' talks that neither the shipped content probe nor the window ranker was fitted on.
DEFAULT_TALKS = ("train_w_*", "train_y_*", "train_z_*")
L2 = 1.0


@dataclasses.dataclass
class Talk:
    name: str
    group: str
    prepared: Prepared
    local: LocalAnalyser
    chosen: list[Window]
    moves: EdgeMoves
    blocks: list[Window]


def read_talks(patterns: Sequence[str], gaps: str, config: PipelineConfig) -> list[Talk]:
    """Every tuning talk matching one of ``patterns``, read by the shipped analyser up to its choice."""
    talks = []
    for path in sorted((DATA / "tune").glob("*.txt")):
        if not any(fnmatch.fnmatch(path.stem, pattern) for pattern in patterns):
            continue
        prepared = prepare(path, read_talk(path), config, audio_only=True, fresh=False, gaps=gaps)
        count = len(prepared.planted)
        local = LocalAnalyser(analyse_transcript(prepared.transcript), ClipOptions(clip_count=count), prepared.audio)
        chosen, _, moves = local.choose(count)
        group = path.stem.split("_")[1]
        talks.append(Talk(path.stem, group, prepared, local, chosen, moves, planted_blocks(prepared)))
    return talks


def covered(window: Window, blocks: Sequence[Window]) -> Window | None:
    """The planted block ``window`` shares the most sentences with, if any."""
    best, most = None, 0
    for block in blocks:
        shared = min(window[1], block[1]) - max(window[0], block[0]) + 1
        if shared > most:
            best, most = block, shared
    return best


def brings_closer(move: str, window: Window, block: Window | None) -> bool:
    """Whether ``move`` brings ``window``'s edge closer to ``block``'s (never without a block)."""
    if block is None:
        return False
    return {
        "start_earlier": block[0] < window[0],
        "start_later": block[0] > window[0],
        "end_later": block[1] > window[1],
        "end_earlier": block[1] < window[1],
    }[move]


def examples(talks: Sequence[Talk], move: str) -> tuple[np.ndarray, np.ndarray]:
    rows, labels = [], []
    for talk in talks:
        for window in talk.chosen:
            read = talk.moves.row(window, move)
            if read is not None:
                rows.append(read[1])
                labels.append(brings_closer(move, window, covered(window, talk.blocks)))
    return np.array(rows), np.array(labels, dtype=float)


def fit(talks: Sequence[Talk]) -> dict[str, MoveModel]:
    """One logistic model per move on the talks' standardised examples."""
    models = {}
    for move in MOVES:
        rows, labels = examples(talks, move)
        mean, scale = rows.mean(axis=0), rows.std(axis=0) + 1e-6
        features = np.column_stack([(rows - mean) / scale, np.ones(len(rows))])
        models[move] = MoveModel(mean, scale, logistic(features, labels, L2))
    return models


def scored(talk: Talk, windows: Sequence[Window]) -> tuple[Score, dict[str, float]]:
    """The talk's score with these clips, and each found moment's mean edge error by label."""
    spans = [talk.local.edges.span(first, last) for first, last in windows]
    score, lines = evaluate(talk.prepared, [Clip(s.start, s.end, rank) for rank, s in enumerate(spans, start=1)])
    errors = iter(score.errors)
    found = {}
    for line in lines:
        if line.startswith("  found"):
            found[line.split()[1]] = (next(errors) + next(errors)) / 2
    return score, found


def report_folds(talks: Sequence[Talk]) -> None:
    print("leave one group out: as chosen -> edges moved (boundary error on the moments both find)")
    totals = [Score(), Score()]
    for group in sorted({talk.group for talk in talks}):
        models = fit([talk for talk in talks if talk.group != group])
        scores, paired = [Score(), Score()], ([], [])
        for talk in (t for t in talks if t.group == group):
            before, found_before = scored(talk, talk.chosen)
            after, found_after = scored(talk, talk.moves.apply(talk.chosen, models))
            for total, score in zip(scores, (before, after), strict=True):
                total.add(score)
            for label in found_before.keys() & found_after.keys():
                paired[0].append(found_before[label])
                paired[1].append(found_after[label])
        for total, score in zip(totals, scores, strict=True):
            total.add(score)
        both = f"{np.mean(paired[0]):.2f} s -> {np.mean(paired[1]):.2f} s on {len(paired[0])}"
        print(f"  {group}: {scores[0].line()}\n  {' ' * len(group)}  {scores[1].line()}  (both found: {both})")
    print(f"  all: {totals[0].line()}\n       {totals[1].line()}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", metavar="GLOB", help="fit on the tuning talks matching this")
    parser.add_argument("--gaps", choices=GAPS, default="blind", help="the talks' pauses (see bench.moments)")
    parser.add_argument("--folds", action="store_true", help="print leave-one-group-out figures first")
    parser.add_argument("--dry-run", action="store_true", help="do not write the models")
    args = parser.parse_args(argv)
    print(f"machine: {describe()}")
    talks = read_talks(args.only or DEFAULT_TALKS, args.gaps, PipelineConfig.from_env(os.environ))
    if not talks:
        parser.error("no tuning talk matches")
    print(f"{len(talks)} talks, {sum(len(t.chosen) for t in talks)} clips")
    if args.folds:
        report_folds(talks)
    if not args.dry_run:
        save_models(fit(talks))
        print(f"wrote {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
