"""Which sentence evidence tells a moment's edge sentence from the filler sentence beside it.

For the tuning talks of the later rounds (spoken blind; the shipped models were fitted on
none of them), every planted moment gives two pairs: its first sentence against the filler
sentence just before it, and its last against the one just after. For each piece of
evidence the local analyser reads of a sentence, the area under the ROC curve says how
often it ranks the moment's edge above the filler beside it (0.5: no better than chance).
Then the evidence is combined by logistic regression, fitted on one half of the rounds
and read on the other, both ways round.

Usage: ``.venv/bin/python -m bench.moment_edges [--rounds knoprstu]``. The edge evidence
of :mod:`pipeline.moments.ranker` reads the content probe alone (``content_alone``);
docs/benchmarks.md ("Where the filler edges are") has the figures and what they suggest.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from bench.machine import describe
from bench.train_moments import TalkData, labelled, logistic
from pipeline.config import PipelineConfig
from pipeline.moments.features import analyse_transcript
from pipeline.moments.ranker import WindowModel, load_model

# Per sentence: the content probe's log-odds read alone, the content posterior with its
# neighbours, the opening and closing probes, and the topic breaks before and after it.
EVIDENCE = ("content alone (log-odds)", "content with neighbours", "opens probe", "closes probe",
            "break before", "break after")  # fmt: skip
# The combinations fitted: the content probe alone, with the side's edge probe, with the breaks.
COMBINED = {"content alone": (0,), "+ edge probe": (0, "probe"), "+ breaks": (0, "probe", 4, 5)}


def auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """The chance that a random positive scores above a random negative (ties count half)."""
    positive, negative = np.asarray(positive, dtype=float), np.asarray(negative, dtype=float)
    above = (positive[:, None] > negative[None, :]).sum() + 0.5 * (positive[:, None] == negative[None, :]).sum()
    return float(above / (len(positive) * len(negative)))


Pairs = dict[str, tuple[np.ndarray, np.ndarray]]


def edge_pairs(talk: TalkData, model: WindowModel) -> Pairs:
    """For "start" and "end", the evidence rows (EVIDENCE) of the talk's moments' edge
    sentences and of the filler sentences beside them, pair by pair, read by ``model``."""
    a = analyse_transcript(talk.prepared.transcript, embeddings=talk.embeddings)
    content = np.clip(a.content_alone, 1e-6, 1 - 1e-6)
    columns = [np.log(content / (1 - content)), a.content, model.probes.opens.score(a.embeddings),
               model.probes.closes.score(a.embeddings), a.breaks[:-1], a.breaks[1:]]  # fmt: skip
    rows = np.column_stack(columns)
    labels, count = talk.labels, len(talk.labels)
    blocks = talk.blocks()
    starts = [(first, first - 1) for first, _ in blocks if first > 0 and labels[first - 1] == 0]
    ends = [(last, last + 1) for _, last in blocks if last + 1 < count and labels[last + 1] == 0]
    return {
        side: (rows[[edge for edge, _ in found]], rows[[filler for _, filler in found]])
        for side, found in (("start", starts), ("end", ends))
    }


def joined(pairs: list[Pairs]) -> Pairs:
    """The pairs of several talks together."""
    return {side: tuple(np.vstack([p[side][i] for p in pairs]) for i in (0, 1)) for side in ("start", "end")}


def combined_auc(train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray],
                 columns: list[int]) -> float:  # fmt: skip
    """The AUC on ``test`` of a logistic regression on ``columns``, fitted on ``train``."""
    features = np.vstack(train)[:, columns]
    mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-9

    def design(rows: np.ndarray) -> np.ndarray:
        return np.column_stack([(rows[:, columns] - mean) / scale, np.ones(len(rows))])

    coef = logistic(design(np.vstack(train)), np.r_[np.ones(len(train[0])), np.zeros(len(train[1]))])
    return auc(design(test[0]) @ coef, design(test[1]) @ coef)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", default="knoprstu", help="the tuning rounds read (letters of train_X_*)")
    args = parser.parse_args(argv)
    print(f"machine: {describe()}")
    talks = [t for t in labelled(PipelineConfig.from_env(os.environ), (), "blind")
             if t.name.startswith("train_") and t.name[6] in args.rounds and t.name[7] == "_"]  # fmt: skip
    model = load_model()
    per_talk = {talk.name: edge_pairs(talk, model) for talk in talks}
    first_half = args.rounds[: len(args.rounds) // 2]
    halves = [
        joined([p for name, p in per_talk.items() if (name[6] in first_half) == first]) for first in (True, False)
    ]
    pairs = joined(list(per_talk.values()))
    print(f"{len(talks)} talks; {len(pairs['start'][0])} starts and {len(pairs['end'][0])} ends beside filler")
    for index, name in enumerate(EVIDENCE):
        start, end = (auc(pairs[side][0][:, index], pairs[side][1][:, index]) for side in ("start", "end"))
        print(f"  {name:<26} start {start:.3f}  end {end:.3f}")
    for side, probe in (("start", 2), ("end", 3)):
        for label, columns in COMBINED.items():
            chosen = [probe if c == "probe" else c for c in columns]
            both = [combined_auc(halves[a][side], halves[1 - a][side], chosen) for a in (0, 1)]
            print(f"  {side:<5} {label:<14} AUC {both[0]:.3f} and {both[1]:.3f} (each half read by the other's fit)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
