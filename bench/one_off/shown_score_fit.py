"""One-off (session 70, not shipped): a score users see that also reads how surely a clip is a moment.

The candidate: half the hand-weighted score and half 100 P, P a logistic regression of
whether a window covers a planted moment on the ranker's log-odds and the logit of its mean
content posterior, fitted on each tuning talk's N likeliest windows (groups aa-ah, dumped by
windows_dump.py to /tmp/s70/aad.npy and aeh.npy), read on groups ai-ak and the eval talks
(aik_windows.npy, eval_windows.npy). ``python shown_score_fit.py N``.
"""

import sys

import numpy as np

from bench.train_moments import logistic


def load(paths):
    Rs = []
    off = 0
    for p in paths:
        R = np.load(p)
        R[:, 0] += off
        off = R[:, 0].max() + 1
        Rs.append(R)
    return np.vstack(Rs)


def top(R, n):
    keep = np.zeros(len(R), bool)
    for t in np.unique(R[:, 0]):
        idx = np.where((R[:, 0] == t) & np.isfinite(R[:, 7]))[0]
        keep[idx[np.argsort(-R[idx, 7])[:n]]] = True
    return keep


def feats(R):
    c = np.clip(R[:, 6], 0.02, 0.98)
    lo = np.where(np.isfinite(R[:, 7]), R[:, 7], -30)
    return np.column_stack([lo, np.log(c / (1 - c)), np.ones(len(R))])


train = load(["/tmp/s70/aad.npy", "/tmp/s70/aeh.npy"])
N = int(sys.argv[1]) if len(sys.argv) > 1 else 40
k = top(train, N)
coef = logistic(feats(train[k]), train[k, 8], l2=1e-3)
print("coef (lo, content logit, bias):", coef.round(3), "train windows", k.sum(), "positives", train[k, 8].sum())


def auc(pos, neg):
    x = np.concatenate([pos, neg])
    r = x.argsort().argsort() + 1
    return (r[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def bands(x):
    return f"<40 {np.mean(x < 40):.2f} 40-59 {np.mean((x >= 40) & (x < 60)):.2f} 60-79 {np.mean((x >= 60) & (x < 80)):.2f} 80+ {np.mean(x >= 80):.2f} med {np.median(x):.0f}"


for name, path in (("ai-ak", "/tmp/s70/aik_windows.npy"), ("aa-ah (fit)", None), ("eval", "/tmp/s70/eval_windows.npy")):
    R = train if path is None else np.load(path)
    hand = R[:, 5]
    cov = R[:, 8] == 1
    ch = R[:, 10] == 1
    fil = R[:, 9] >= 0.8
    P = 1 / (1 + np.exp(-np.clip(feats(R) @ coef, -30, 30)))
    for share in (1.0, 0.5):
        s = share * hand + (1 - share) * 100 * P
        ranks = []
        for t in np.unique(R[:, 0]):
            m = ch & (R[:, 0] == t)
            order = np.argsort(-s[m], kind="stable")
            ranks += [int(r) + 1 for r in np.where(~cov[m][order])[0]]
        kk = top(R, 40)
        print(
            f"{name} told share {share}: covering {bands(s[ch & cov])} | none ({(ch & ~cov).sum()}) {bands(s[ch & ~cov])} | AUC {auc(s[ch & cov], s[ch & ~cov]):.2f} | none mean rank {np.mean(ranks):.1f}, top3 {sum(r <= 3 for r in ranks)} | top-40 filler windows 60+ {np.mean(s[kk & fil] >= 60):.3f} ({(kk & fil).sum()})"
        )
