"""One-off (session 70): the second score candidate read on a windows_dump.py dump.

The shown score the larger of the hand-weighted score and 59 P, P the top-40 fit on groups
aa-ah (shown_score_fit.py 40): bands of the chosen clips covering a moment and covering
none, the latter's mean rank (ties by time, as rank_moments) and how many are among the
first three, and the AUC. ``python shown_score_second.py /tmp/s70/aik_windows.npy``.
"""

import sys
import numpy as np

W = (0.678, 0.653, 1.868)


def auc(pos, neg):
    x = np.concatenate([pos, neg])
    r = x.argsort().argsort() + 1
    return (r[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def bands(x):
    return f"<40 {np.mean(x < 40):.2f} 40-59 {np.mean((x >= 40) & (x < 60)):.2f} 60-79 {np.mean((x >= 60) & (x < 80)):.2f} 80+ {np.mean(x >= 80):.2f} med {np.median(x):.0f}"


R = np.load(sys.argv[1])
ti, a, hand, cmean, lo, cov, ch = R[:, 0], R[:, 2], R[:, 5], R[:, 6], R[:, 7], R[:, 8] == 1, R[:, 10] == 1
c = np.clip(cmean, 0.02, 0.98)
P = 1 / (1 + np.exp(-np.clip(W[0] * np.maximum(lo, -30) + W[1] * np.log(c / (1 - c)) + W[2], -30, 30)))
for name, s in (("shipped", np.round(hand)), ("max(hand, 59 P)", np.round(np.maximum(hand, 59 * P)))):
    ranks = []
    for t in np.unique(ti):
        m = ch & (ti == t)
        order = np.lexsort((a[m], -s[m]))  # score, then time, as rank_moments
        ranks += [int(r) + 1 for r in np.where(~cov[m][order])[0]]
    print(
        f"{name}: covering {bands(s[ch & cov])} | none ({(ch & ~cov).sum()}) {bands(s[ch & ~cov])} | none mean rank {np.mean(ranks):.1f}, first three {sum(r <= 3 for r in ranks)} | AUC {auc(s[ch & cov], s[ch & ~cov]):.2f}"
    )
