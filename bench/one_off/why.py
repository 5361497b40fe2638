import fnmatch, os, sys, numpy as np
from pathlib import Path
from collections import defaultdict
from bench.moments_folds import blended, by_group, read_by_group, group_of, FIRST, GROUPS
from bench.train_moments import DATA, fit_windows, labelled
from bench.train_ranker import widened
from pipeline.config import PipelineConfig
from pipeline.moments.ranker import without_merges, FEATURES, EDGE_EVIDENCE_LOGITS
only = sys.argv[1:]
names = [p.stem for p in sorted((DATA / "tune").glob("*.txt")) if not any(fnmatch.fnmatch(p.stem, o) for o in only)]
talks = labelled(PipelineConfig.from_env(os.environ), names, "blind")
readings = read_by_group(talks, 2000.0, shipped_edges=True, sums=by_group(talks))
before = widened(Path("/tmp/s65/before.npz"))
contrib = defaultdict(lambda: defaultdict(float)); counts = defaultdict(int)
for group in (FIRST, *GROUPS):
    inside = [t for t in talks if group_of(t.name) == group]
    if not inside or group == FIRST: continue
    taught = [readings[t.name] for t in talks if group_of(t.name) != group]
    ranker = blended(before, fit_windows(taught, taught[0].probes, 10.0, 1.0), 0.4)
    w = ranker.coef[:-1] / ranker.scale
    for talk in inside:
        found = readings[talk.name]
        rated = without_merges(found.ranges, ranker.ranking(found.rows, found.edges), found.local.analysis.breaks)
        local = found.local
        local.__dict__["likelihood"] = dict(zip(found.ranges, rated.tolist()))
        local.__dict__["choosing"] = local.__dict__["likelihood"]
        spans = local.find(len(talk.prepared.planted))[0]
        index = {r: i for i, r in enumerate(found.ranges)}
        for t in np.flatnonzero(found.labels > 0):
            first, last = found.ranges[t]
            for s in spans:
                if s.first <= last and s.last >= first and (s.first, s.last) in index and (s.first, s.last) != (first, last):
                    c = index[s.first, s.last]
                    kind = "late start" if s.first > first else "early start" if s.first < first else "same start"
                    kind += ", " + ("late end" if s.last > last else "early end" if s.last < last else "same end")
                    key = (talk.genre, kind)
                    counts[key] += 1
                    d = (found.rows[c] - found.rows[t]) * w
                    for f, v in zip(FEATURES, d): contrib[key][f] += v
                    contrib[key]["edge evidence"] += EDGE_EVIDENCE_LOGITS * (found.edges[c] - found.edges[t])
for key in sorted(counts, key=lambda k: -counts[k]):
    items = sorted(contrib[key].items(), key=lambda kv: -kv[1])
    n = counts[key]
    print(f"== {key} x{n}: for the chosen: " + ", ".join(f"{f} {v/n:+.2f}" for f, v in items[:7]) + " | against: " + ", ".join(f"{f} {v/n:+.2f}" for f, v in items[-5:]))
