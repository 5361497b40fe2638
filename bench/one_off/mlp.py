"""One-off (session 67): does a ranker with a small nonlinear part beside its linear one
choose better windows than the linear one alone?

Reads every tuning talk once as ``bench.moments_folds --read-once --shipped-edges`` does,
and for each group fits, on the other groups' readings: the linear ranker (spill 10, as
shipped), then a residual part ``tanh(z U + c) v`` on the same standardised evidence,
fitted with the linear log-odds as a fixed offset, so the linear ranker is the residual
part's starting point and its L2 pulls it back there (``--hidden``, ``--l2``; the Adam
step is ``RATE`` and the L2 on ``U`` is ``U_SHARE`` of it, from the environment); with
``--quadratic``, also a part on the pairwise products of the edge evidence (:data:`PAIRED`),
ridge-fitted by Newton with the same offset, at each strength given. Every ranker is scored
as the analyser would choose its clips, alone and as 0.4 of a blend with the shipped ranker.

Usage: PYTHONPATH=. .venv/bin/python bench/one_off/mlp.py --hidden 16 4 --l2 2e-4 5e-4
--steps 300 --keep 0.1 --exclude 'train_ah_*' --exclude 'train_ai_*' --exclude 'train_[b-z]_*'
(in a tree holding 3357aea's ranker widened; the log is mlp_cv.log, about 25 minutes).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time

import numpy as np

from bench.machine import describe
from bench.moments_folds import (
    FIRST,
    GROUPS,
    SHIPPED,
    _add,
    blended,
    chosen_by_analyser,
    group_of,
    read_by_group,
    report,
)
from bench.train_moments import NEAR_SHORT, NEAR_SPILL, POSITIVE_WEIGHT, Windows, fit_windows, labelled
from pipeline.config import PipelineConfig
from pipeline.moments.ranker import EDGE_EVIDENCE_LOGITS, FEATURES, WindowModel, load_model

SPILL = 10.0
U_SHARE = float(os.environ.get("U_SHARE", "1"))
RATE = float(os.environ.get("RATE", "0.01"))
BLEND = 0.4


def taught_arrays(taught: list[Windows], rng: np.random.Generator, keep: float):
    rows = np.vstack([w.rows for w in taught])
    labels = np.concatenate([w.labels for w in taught])
    near = np.concatenate([w.near for w in taught])
    weights = np.select([labels > 0, near == NEAR_SPILL, near == NEAR_SHORT], [POSITIVE_WEIGHT, SPILL, 1.0], 1.0)
    # Far negatives are many and easy: a sample of them, weighted up to stand for the rest.
    far = (labels == 0) & (near == 0)
    kept = ~far | (rng.random(len(labels)) < keep)
    weights = np.where(far, weights / keep, weights)
    return rows[kept], labels[kept], weights[kept]


def fit_residual(rows, labels, weights, linear: WindowModel, hidden: int, l2: float, steps: int, seed: int):
    """U, c, v of the residual part, fitted by full-batch Adam on the weighted log-loss."""
    rng = np.random.default_rng(seed)
    z = (rows - linear.mean) / linear.scale
    z = np.clip(z, -6, 6)
    offset = linear.logit(rows)
    total = weights.sum()
    # Large enough that tanh bends: at the linear optimum a part that is nearly linear in z
    # has no gradient (a saddle).
    params = [
        rng.normal(0, 1.5 / np.sqrt(z.shape[1]), (z.shape[1], hidden)),
        rng.normal(0, 0.5, hidden),
        rng.normal(0, 0.01, hidden),
    ]
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    rate, beta1, beta2 = RATE, 0.9, 0.999
    for step in range(1, steps + 1):
        U, c, v = params
        h = np.tanh(z @ U + c)
        logit = offset + h @ v
        p = 1 / (1 + np.exp(-np.clip(logit, -30, 30)))
        g = weights * (p - labels) / total  # d loss / d logit
        if step in (1, steps):
            loss = -(weights * (labels * np.log(p + 1e-12) + (1 - labels) * np.log(1 - p + 1e-12))).sum() / total
            print(
                f"    hidden {hidden}, l2 {l2:g}, step {step}: loss {loss:.5f}, |v| {np.abs(v).sum():.3f}", flush=True
            )
        gv = h.T @ g + 2 * l2 * v
        gh = np.outer(g, v) * (1 - h * h)
        gU = z.T @ gh + 2 * l2 * U_SHARE * U
        gc = gh.sum(axis=0)
        for i, grad in enumerate((gU, gc, gv)):
            moments[i] = beta1 * moments[i] + (1 - beta1) * grad
            squares[i] = beta2 * squares[i] + (1 - beta2) * grad * grad
            params[i] = params[i] - rate * (moments[i] / (1 - beta1**step)) / (
                np.sqrt(squares[i] / (1 - beta2**step)) + 1e-8
            )
    return params


# The evidence about the edges, whose products the quadratic part reads.
PAIRED = (
    "content_first", "content_last", "content_before", "content_after", "logit_first", "logit_last",
    "opens", "closes", "opens_beside", "closes_beside", "question_first", "break_start", "break_end",
    "dangling_start", "total",
)  # fmt: skip


def products(rows: np.ndarray, linear: WindowModel) -> np.ndarray:
    columns = [FEATURES.index(name) for name in PAIRED]
    z = np.clip((rows[:, columns] - linear.mean[columns]) / linear.scale[columns], -6, 6)
    i, j = np.triu_indices(len(columns))
    return z[:, i] * z[:, j]


def fit_quadratic(rows, labels, weights, linear: WindowModel, strength: float):
    """Mean, scale and weights of the products' part, fitted by Newton with the linear
    log-odds as a fixed offset and a ridge of ``strength`` on the standardised products."""
    q = products(rows, linear)
    mean, scale = q.mean(axis=0), q.std(axis=0) + 1e-6
    x = (q - mean) / scale
    offset = linear.logit(rows)
    coef = np.zeros(x.shape[1])
    for _ in range(30):
        p = 1 / (1 + np.exp(-np.clip(offset + x @ coef, -30, 30)))
        gradient = x.T @ (weights * (p - labels)) + strength * coef
        hessian = x.T @ (x * (weights * p * (1 - p))[:, None]) + strength * np.eye(len(coef))
        step = np.linalg.solve(hessian, gradient)
        coef -= step
        if np.abs(step).max() < 1e-6:
            break
    return mean, scale, coef


def quadratic(params, linear: WindowModel, rows: np.ndarray) -> np.ndarray:
    mean, scale, coef = params
    return ((products(rows, linear) - mean) / scale) @ coef


def residual(params, linear: WindowModel, rows: np.ndarray) -> np.ndarray:
    U, c, v = params
    z = np.clip((rows - linear.mean) / linear.scale, -6, 6)
    return np.tanh(z @ U + c) @ v


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hidden", type=int, nargs="*", default=[8])
    parser.add_argument("--l2", type=float, nargs="*", default=[1e-3])
    parser.add_argument("--quadratic", type=float, nargs="*", default=[], help="ridge strengths")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--keep", type=float, default=0.25)
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--ridge", type=float, default=2000.0)
    args = parser.parse_args(argv)
    print(f"machine: {describe()}", flush=True)
    talks = labelled(PipelineConfig.from_env(os.environ), args.exclude, "blind")
    readings = read_by_group(talks, args.ridge, shipped_edges=True)
    shipped = load_model()
    variants = list(itertools.product(args.hidden, args.l2))
    scores: dict[str, dict] = {}
    rng = np.random.default_rng(0)
    for group in (FIRST, *GROUPS):
        inside = [t for t in talks if group_of(t.name) == group]
        if not inside:
            continue
        taught = [readings[t.name] for t in talks if group_of(t.name) != group]
        began = time.perf_counter()
        linear = fit_windows(taught, taught[0].probes, SPILL, 1.0)
        mixed = blended(shipped, linear, BLEND)
        rows, labels, weights = taught_arrays(taught, rng, args.keep)
        fitted = {(h, l2): fit_residual(rows, labels, weights, linear, h, l2, args.steps, seed=1) for h, l2 in variants}
        squares = {strength: fit_quadratic(rows, labels, weights, linear, strength) for strength in args.quadratic}
        print(
            f"  {group}: {len(inside)} talks, {len(rows)} windows taught, {time.perf_counter() - began:.0f} s",
            flush=True,
        )
        for talk in inside:
            found = readings[talk.name]
            edges = EDGE_EVIDENCE_LOGITS * found.edges
            rated = {
                SHIPPED: shipped.ranking(found.rows, found.edges),
                "linear": linear.logit(found.rows) + edges,
                "linear, blend": mixed.ranking(found.rows, found.edges),
            }
            for (h, l2), params in fitted.items():
                extra = residual(params, linear, found.rows)
                rated[f"residual {h}/{l2:g}"] = rated["linear"] + extra
                rated[f"residual {h}/{l2:g}, blend"] = rated["linear, blend"] + BLEND * extra
            for strength, params in squares.items():
                extra = quadratic(params, linear, found.rows)
                rated[f"quadratic {strength:g}"] = rated["linear"] + extra
                rated[f"quadratic {strength:g}, blend"] = rated["linear, blend"] + BLEND * extra
            for name, likelihood in rated.items():
                scores.setdefault(name, {})
                _add(scores, name, talk, chosen_by_analyser(talk.prepared, found, likelihood))
    for name, by_talk in scores.items():
        print("\n".join(report(name, by_talk)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
