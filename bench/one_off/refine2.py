"""One-off CV: the shipped recipe's ranker (0.4 refit blend) with and without the edge choice."""
import argparse, fnmatch, os, sys, time
from pathlib import Path
import numpy as np
from bench.moments import Score
from bench.moments_folds import FIRST, GROUPS, blended, by_group, chosen_by_analyser, group_of, read_by_group, report
from bench.train_moments import DATA, fit_choice, fit_windows, labelled
from bench.train_ranker import widened
from pipeline.config import PipelineConfig

parser = argparse.ArgumentParser()
parser.add_argument("--only", nargs="+", default=["*"])
parser.add_argument("--l2", type=float, nargs="+", default=[1.0, 10.0, 100.0])
parser.add_argument("--lams", type=float, nargs="+", default=[0.5, 1.0])
args = parser.parse_args()
config = PipelineConfig.from_env(os.environ)
names = [p.stem for p in sorted((DATA / "tune").glob("*.txt")) if not any(fnmatch.fnmatch(p.stem, o) for o in args.only)]
talks = labelled(config, names, "blind")
print(f"{len(talks)} talks, {sum(len(t.prepared.planted) for t in talks)} moments", flush=True)
began = time.time()
readings = read_by_group(talks, 2000.0, shipped_edges=True, sums=by_group(talks))
print(f"read in {time.time() - began:.0f} s", flush=True)
before = widened(Path("/tmp/s65/before.npz"))
scores = {}
def add(name, talk, score):
    scores.setdefault(name, {}).setdefault((group_of(talk.name), talk.genre), Score()).add(score)
for group in (FIRST, *GROUPS):
    inside = [t for t in talks if group_of(t.name) == group]
    if not inside:
        continue
    taught = [readings[t.name] for t in talks if group_of(t.name) != group]
    t0 = time.time()
    ranker = blended(before, fit_windows(taught, taught[0].probes, 10.0, 1.0), 0.4)
    variants = {"0.4 blend": None}
    for l2 in args.l2:
        variants[f"choice with ranking, l2 {l2:g}"] = fit_choice(taught, ranker, l2, ranking=True)
        for lam in args.lams:
            variants[f"ranking + {lam:g} choice, l2 {l2:g}"] = fit_choice(taught, ranker, l2, ranking=False, weight=lam)
    print(f"  {group}: fitted in {time.time() - t0:.0f} s", flush=True)
    for talk in inside:
        found = readings[talk.name]
        ranking = ranker.ranking(found.rows, found.edges)
        for name, model in variants.items():
            add(name, talk, chosen_by_analyser(talk.prepared, found, ranking, model))
for name, by_talk in scores.items():
    print("\n".join(report(name, by_talk)))
