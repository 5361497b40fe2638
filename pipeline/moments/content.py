"""How much each sentence is content worth clipping rather than housekeeping, from its meaning.

A linear probe on the sentence embeddings (trained by ``bench/train_moments.py`` on the
tuning talks, never on the evaluation talks) scores each sentence; a small logistic model
turns that score and the lexical housekeeping cue into the likelihood that the sentence
is content. Talk alternates in runs (a story, then a sponsor read, then banter), not
sentence by sentence, so a two-state hidden Markov model over the transcript smooths
those likelihoods into posteriors with the forward-backward algorithm. The probe reads
meaning, not English words, so it works on any language the embedding model knows; for a
language the English word lists cannot read, a reading of its own stands in: a direction
on the embeddings and a calibration over its score alone (see :meth:`Probe.likelihood`).
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np

PROBE_FILE = Path(__file__).with_name("content_probe.npz")


@dataclasses.dataclass(frozen=True)
class Probe:
    """The trained parameters; see ``bench/train_moments.py`` for how each is fitted."""

    mean: np.ndarray  # (dims,) embedding standardisation
    scale: np.ndarray  # (dims,)
    weights: np.ndarray  # (dims,) ridge direction
    bias: float
    # Logistic calibration over (probe score, lexical filler, 1): the likelihood of content.
    calibration: np.ndarray  # (3,)
    # For sentences no word list can read: a direction on the raw embeddings, its bias, and
    # a logistic calibration over (that score, 1). A refit for English may keep the reading
    # of other languages it had (``bench.train_moments --keep-other-languages``).
    weights_without_words: np.ndarray  # (dims,)
    bias_without_words: float
    calibration_without_words: np.ndarray  # (2,)
    # Probability that the next sentence is in the same state (content or filler).
    stay: float
    prior: float  # share of content sentences

    def score(self, embeddings: np.ndarray) -> np.ndarray:
        return ((embeddings - self.mean) / self.scale) @ self.weights + self.bias

    def likelihood(self, embeddings: np.ndarray, lexical_filler: np.ndarray | None) -> np.ndarray:
        """P(content) of each sentence read alone; ``lexical_filler`` is None where the
        housekeeping word lists cannot read the language.

        A cue of 0 says "no housekeeping words here", which in English is evidence of
        content: the first calibration leans on it. In a language the lists cannot read it
        is no evidence at all, so those sentences take the reading fitted without it.
        """
        if lexical_filler is None:
            score = embeddings @ self.weights_without_words + self.bias_without_words
            features = np.column_stack([score, np.ones(len(embeddings))])
            return _sigmoid(features @ self.calibration_without_words)
        features = np.column_stack([self.score(embeddings), lexical_filler, np.ones(len(embeddings))])
        return _sigmoid(features @ self.calibration)

    def save(self, path: Path = PROBE_FILE) -> None:
        np.savez(path, **{f.name: np.asarray(getattr(self, f.name)) for f in dataclasses.fields(self)})


@functools.cache
def load_probe(path: Path = PROBE_FILE) -> Probe:
    with np.load(path) as data:
        return Probe(
            mean=data["mean"],
            scale=data["scale"],
            weights=data["weights"],
            bias=float(data["bias"]),
            calibration=data["calibration"],
            weights_without_words=data["weights_without_words"],
            bias_without_words=float(data["bias_without_words"]),
            calibration_without_words=data["calibration_without_words"],
            stay=float(data["stay"]),
            prior=float(data["prior"]),
        )


def content_evidence(
    embeddings: np.ndarray, lexical_filler: np.ndarray | None, probe: Probe | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """P(content) for every sentence read alone, and smoothed over the transcript's runs
    (``lexical_filler``: see :meth:`Probe.likelihood`).

    The smoothing is what lets a run be read as a whole, and also what blurs its ends: a
    filler line right after a moment's payoff inherits much of the moment's posterior.
    The sentence's own reading keeps that edge sharp (see :mod:`pipeline.moments.ranker`).
    """
    if len(embeddings) == 0:
        return np.zeros(0), np.zeros(0)
    probe = probe or load_probe()
    alone = probe.likelihood(embeddings, lexical_filler)
    return alone, forward_backward(alone, probe.stay, probe.prior)


def forward_backward(likelihood: np.ndarray, stay: float, prior: float) -> np.ndarray:
    """Posterior of the "content" state of a two-state chain given per-step P(content | evidence).

    The per-step probabilities are turned into likelihood ratios against the prior, so
    the prior is not counted twice; each step is normalised to stay in floating range.
    """
    p = np.clip(likelihood, 1e-4, 1 - 1e-4)
    emission = np.column_stack([(1 - p) / (1 - prior), p / prior])  # columns: filler, content
    transition = np.array([[stay, 1 - stay], [1 - stay, stay]])
    count = len(p)
    forward = np.empty((count, 2))
    state = np.array([1 - prior, prior]) * emission[0]
    forward[0] = state / state.sum()
    for i in range(1, count):
        state = (forward[i - 1] @ transition) * emission[i]
        forward[i] = state / state.sum()
    backward = np.ones((count, 2))
    for i in range(count - 2, -1, -1):
        state = transition @ (emission[i + 1] * backward[i + 1])
        backward[i] = state / state.sum()
    joint = forward * backward
    return joint[:, 1] / joint.sum(axis=1)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))
