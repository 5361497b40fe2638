"""Train the moment finder's content probe on the tuning talks (never on ``eval``).

Each tuning talk (``bench/data/moments/tune``) is spoken and transcribed as in
:mod:`bench.moments` (cached), and each transcribed sentence is labelled content when it
falls inside a planted block. Fitted, in order:

1. a ridge direction on standardised sentence embeddings (content +1, filler -1);
2. a logistic calibration over (probe score, lexical housekeeping cue), fitted on
   out-of-fold probe scores (each talk scored by a ridge trained without it), so the
   calibration sees scores as unseen talks produce them;
3. the two-state chain's stay probability and content prior, counted from the labels.

It prints leave-one-talk-out sentence accuracy of the lexical cue alone, the probe alone
and the smoothed posterior, then writes ``pipeline/moments/content_probe.npz``.

Usage: ``.venv/bin/python -m bench.train_moments [--ridge 1000] [--dry-run]``.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from bench.machine import describe
from bench.moments import DATA, prepare, read_talk
from pipeline.config import PipelineConfig
from pipeline.moments.content import PROBE_FILE, Probe, forward_backward
from pipeline.moments.embeddings import embed
from pipeline.moments.features import sentence_signals


def labelled(config: PipelineConfig) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """(talk, embeddings, labels, lexical filler) for every tuning talk."""
    talks = []
    for path in sorted((DATA / "tune").glob("*.txt")):
        prepared = prepare(path, read_talk(path), config, audio_only=True, fresh=False)
        sentences = prepared.transcript.sentences
        middle = [(s.start + s.end) / 2 for s in sentences]
        labels = np.array([any(p.start <= t <= p.end for p in prepared.planted) for t in middle], dtype=float)
        lexical = np.array([sentence_signals(s.sentence).filler for s in sentences])
        talks.append((path.stem, embed([s.sentence for s in sentences]), labels, lexical))
    return talks


def ridge(embeddings: np.ndarray, labels: np.ndarray, strength: float) -> tuple[np.ndarray, ...]:
    mean, scale = embeddings.mean(axis=0), embeddings.std(axis=0) + 1e-6
    z = (embeddings - mean) / scale
    target = labels * 2 - 1
    weights = np.linalg.solve(z.T @ z + strength * np.eye(z.shape[1]), z.T @ (target - target.mean()))
    return mean, scale, weights, float(target.mean())


def logistic(features: np.ndarray, labels: np.ndarray, l2: float = 1e-3) -> np.ndarray:
    """Logistic regression by Newton's method (a handful of features, so exact and fast)."""
    coef = np.zeros(features.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(features @ coef, -30, 30)))
        gradient = features.T @ (p - labels) + l2 * coef
        hessian = features.T @ (features * (p * (1 - p))[:, None]) + l2 * np.eye(len(coef))
        step = np.linalg.solve(hessian, gradient)
        coef -= step
        if np.abs(step).max() < 1e-8:
            break
    return coef


def fit(talks: list, strength: float) -> tuple[Probe, np.ndarray]:
    """The probe from ``talks`` and the out-of-fold probe scores it was calibrated on."""
    out_of_fold = []
    for index in range(len(talks)):
        rest = [t for j, t in enumerate(talks) if j != index]
        embeddings, labels = np.vstack([t[1] for t in rest]), np.concatenate([t[2] for t in rest])
        mean, scale, weights, bias = ridge(embeddings, labels, strength)
        out_of_fold.append(((talks[index][1] - mean) / scale) @ weights + bias)
    labels = np.concatenate([t[2] for t in talks])
    lexical = np.concatenate([t[3] for t in talks])
    scores = np.concatenate(out_of_fold)
    calibration = logistic(np.column_stack([scores, lexical, np.ones(len(scores))]), labels)
    mean, scale, weights, bias = ridge(np.vstack([t[1] for t in talks]), labels, strength)
    same = [float(a == b) for t in talks for a, b in zip(t[2][:-1], t[2][1:], strict=True)]
    probe = Probe(mean, scale, weights, bias, calibration, stay=float(np.mean(same)), prior=float(labels.mean()))
    return probe, scores


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ridge", type=float, default=1000.0, help="ridge strength")
    parser.add_argument("--dry-run", action="store_true", help="report only; do not write the probe")
    args = parser.parse_args(argv)
    print(f"machine: {describe()}")
    talks = labelled(PipelineConfig.from_env(os.environ))
    print(f"{len(talks)} tuning talks, {sum(len(t[2]) for t in talks)} sentences")
    for index, (name, embeddings, labels, lexical) in enumerate(talks):
        probe, _ = fit([t for j, t in enumerate(talks) if j != index], args.ridge)
        alone = probe.score(embeddings) > 0
        posterior = forward_backward(probe.likelihood(embeddings, lexical), probe.stay, probe.prior)
        accuracy = {
            "lexical": np.mean((lexical < 0.3) == labels),
            "probe": np.mean(alone == labels),
            "posterior": np.mean((posterior > 0.5) == labels),
        }
        print(f"  held out {name:<28} " + "  ".join(f"{k} {v:.3f}" for k, v in accuracy.items()))
    probe, _ = fit(talks, args.ridge)
    print(f"calibration {np.round(probe.calibration, 3).tolist()}, stay {probe.stay:.3f}, prior {probe.prior:.3f}")
    if not args.dry_run:
        probe.save(PROBE_FILE)
        print(f"wrote {PROBE_FILE.relative_to(PROBE_FILE.parents[2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
