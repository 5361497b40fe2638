"""How much of the edge evidence the ranker should add: the ninth round's grid (issue 16).

The analyser adds ``EDGE_EVIDENCE_LOGITS`` times a window's edge evidence (how surely its
first and last sentences are content, each read alone; :mod:`pipeline.moments.ranker`)
to the shipped ranker's log-odds. Nothing is refitted, so the weight can be chosen on
tuning talks the shipped models never saw. For each weight given, every talk matching
``--only`` is read as :mod:`bench.moments` reads it (cached speech and transcripts, the
local analyser's top k windows) and recall@k, boundary error and filler edges are
reported per genre and overall; weight 0 is the ranker alone.

Usage: ``.venv/bin/python -m bench.edge_evidence [--set tune] [--only GLOB ...] [--weights 0 0.1 0.2 0.3]
[--gaps blocks|blind]``.
The ninth round chose 0.3 with ``--only 'train_[knopr]_*' --weights 0 0.1 0.15 0.2 0.25 0.3
0.35 0.4 0.5 0.6`` (docs/benchmarks.md, "The ninth round's outcome").
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys

from bench.machine import describe
from bench.moments import DATA, GAPS, SETS, Score, prepare, read_talk
from bench.train_moments import picked, read_windows
from pipeline.config import PipelineConfig
from pipeline.moments.features import analyse_transcript
from pipeline.moments.ranker import load_model

DEFAULT_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=SETS, default="tune", help="which texts to read")
    parser.add_argument("--only", action="append", metavar="GLOB", help="talks whose name matches (repeatable)")
    parser.add_argument("--weights", type=float, nargs="+", default=DEFAULT_WEIGHTS, help="edge evidence weights")
    parser.add_argument("--gaps", choices=GAPS, default="blocks", help="the talks' pauses (see bench.moments)")
    args = parser.parse_args(argv)
    config = PipelineConfig.from_env(os.environ)
    model = load_model()
    print(f"machine: {describe()}")
    totals = {weight: Score() for weight in args.weights}
    genres: dict[float, dict[str, Score]] = {weight: {} for weight in args.weights}
    for path in sorted((DATA / args.set).glob("*.txt")):
        if not any(fnmatch.fnmatch(path.stem, pattern) for pattern in args.only or ["*"]):
            continue
        talk = read_talk(path)
        prepared = prepare(path, talk, config, audio_only=True, fresh=False, gaps=args.gaps)
        found = read_windows(analyse_transcript(prepared.transcript), prepared, model.probes)
        logit = model.logit(found.rows)
        for weight in args.weights:
            score = picked(prepared, found, logit + weight * found.edges)
            totals[weight].add(score)
            genres[weight].setdefault(talk.genre, Score()).add(score)
        print(f"  read {talk.name}", flush=True)
    for weight in args.weights:
        print(f"edge evidence {weight:g}: {totals[weight].line()}")
        for genre, score in sorted(genres[weight].items()):
            print(f"    {genre}: {score.line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
