import fnmatch, os, sys, numpy as np
from bench.moments_folds import group_of
from bench.train_moments import DATA, labelled
from pipeline.config import PipelineConfig
from pipeline.moments.ranker import beside
only = sys.argv[1:]
names = [p.stem for p in sorted((DATA / "tune").glob("*.txt")) if not any(fnmatch.fnmatch(p.stem, o) for o in only)]
talks = labelled(PipelineConfig.from_env(os.environ), names, "blind")
print(len(talks), "talks")
R = 2
data = []
for t in talks:
    B = beside(t.embeddings)
    blocks = t.blocks()
    data.append((group_of(t.name), t.genre, B, [b[0] for b in blocks], [b[1] for b in blocks]))

def ridge(X, y, strength):
    mean = X.mean(0); scale = X.std(0) + 1e-6
    Z = (X - mean) / scale
    w = np.linalg.solve(Z.T @ Z + strength * np.eye(Z.shape[1]), Z.T @ (y - y.mean()))
    return lambda A: ((A - mean) / scale) @ w

groups = sorted({d[0] for d in data})
for side in (3, 4):
    name = "openings" if side == 3 else "endings"
    results = {}
    for g in groups:
        train = [d for d in data if d[0] != g]; test = [d for d in data if d[0] == g]
        # global: all sentences
        Xg = np.vstack([d[2] for d in train]); yg = np.concatenate([np.isin(np.arange(len(d[2])), d[side]).astype(float) for d in train])
        # local: +-R lines around each edge
        rows, ys = [], []
        for d in train:
            n = len(d[2])
            for e in d[side]:
                idx = [i for i in range(e - R, e + R + 1) if 0 <= i < n]
                rows.append(d[2][idx]); ys.append((np.array(idx) == e).astype(float))
        Xl, yl = np.vstack(rows), np.concatenate(ys)
        probes = {"global 2000": ridge(Xg, yg, 2000.0)}
        for s in (300.0, 1000.0, 3000.0, 10000.0):
            probes[f"local {s:g}"] = ridge(Xl, yl, s)
        for pname, probe in probes.items():
            for d in test:
                scores = probe(d[2]); n = len(d[2])
                for e in d[side]:
                    idx = [i for i in range(e - R, e + R + 1) if 0 <= i < n]
                    hit = idx[int(np.argmax(scores[idx]))] == e
                    key = (pname, d[1])
                    results.setdefault(key, [0, 0]); results[key][0] += hit; results[key][1] += 1
    for pname in sorted({k[0] for k in results}):
        tot = [sum(v[i] for k, v in results.items() if k[0] == pname) for i in (0, 1)]
        per = ", ".join(f"{k[1]} {v[0]}/{v[1]}" for k, v in sorted(results.items()) if k[0] == pname)
        print(f"{name} {pname}: {tot[0]}/{tot[1]}  ({per})", flush=True)
