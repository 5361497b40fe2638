import fnmatch, os, sys, numpy as np
from pathlib import Path
from bench.moments_folds import group_of
from bench.train_moments import DATA, labelled
from pipeline.config import PipelineConfig
from pipeline.moments.ranker import beside
have = {p.stem for p in Path("/tmp/s65/pairs").glob("*.npy")}
names = [p.stem for p in sorted((DATA / "tune").glob("*.txt")) if p.stem not in have]
talks = labelled(PipelineConfig.from_env(os.environ), names, "blind")
print(len(talks), "talks")
R = 2
data = []
for t in talks:
    P = np.load(f"/tmp/s65/pairs/{t.name}.npy").astype(float)
    B = beside(t.embeddings)
    prevpair = np.vstack([np.zeros((1, P.shape[1])), P[:-1]])  # pair ending at i
    blocks = t.blocks()
    reps = {
        "beside": (B, B),
        "pair": (P, prevpair),
        "beside+pair": (np.hstack([B, P]), np.hstack([B, prevpair])),
    }
    data.append((group_of(t.name), t.genre, reps, [b[0] for b in blocks], [b[1] for b in blocks]))

def ridge(X, y, strength):
    mean = X.mean(0); scale = X.std(0) + 1e-6
    Z = (X - mean) / scale
    w = np.linalg.solve(Z.T @ Z + strength * np.eye(Z.shape[1]), Z.T @ (y - y.mean()))
    return lambda A: ((A - mean) / scale) @ w

groups = sorted({d[0] for d in data})
for side, name in ((3, "openings"), (4, "endings")):
    col = 0 if side == 3 else 1
    for rep in ("beside", "pair", "beside+pair"):
        hits = total = 0; per = {}
        for g in groups:
            train = [d for d in data if d[0] != g]; test = [d for d in data if d[0] == g]
            X = np.vstack([d[2][rep][col] for d in train])
            y = np.concatenate([np.isin(np.arange(len(d[2][rep][col])), d[side]).astype(float) for d in train])
            probe = ridge(X, y, 2000.0)
            for d in test:
                s = probe(d[2][rep][col]); n = len(s)
                for e in d[side]:
                    idx = [i for i in range(e - R, e + R + 1) if 0 <= i < n]
                    hit = idx[int(np.argmax(s[idx]))] == e
                    hits += hit; total += 1
                    per.setdefault(d[1], [0, 0]); per[d[1]][0] += hit; per[d[1]][1] += 1
        print(f"{name} {rep}: {hits}/{total} ({', '.join(f'{k} {v[0]}/{v[1]}' for k, v in sorted(per.items()))})", flush=True)
