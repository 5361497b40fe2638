"""Which candidate windows are whole moments: a ranker learned from the tuning talks.

The hand-weighted score of :mod:`pipeline.moments.scoring` says how good a stretch is to
post; it is shown to users and calibrated to the usual virality bands. Choosing *which*
stretches become clips is a different question: does this window start where a moment
starts and end where it ends, neither cutting it short nor carrying filler? A logistic
model over the window's evidence answers it: the four criteria and the overall score, the
content posterior inside, at and just outside both edges (from
:mod:`pipeline.moments.content`), the topic breaks at the edges and inside, how the first
and last sentences open and close, the length, and two embedding probes that read whether
a sentence opens or closes a moment (a host's question, a payoff line), read at the edges,
inside and on the sentence just outside each edge, with the topic break beyond it, the same
two questions read from each sentence beside its neighbours, and how close in meaning each
edge's line and the line beside it are to the rest of the window.

The model is fitted by ``python -m bench.train_moments`` on the tuning talks only, with
each talk's content posterior and edge probes computed by models that never saw that
talk, so it learns how much to trust them on unseen speech. Positive examples are the
windows that match a planted moment sentence for sentence; they are weighted up because
a talk has thousands of windows and a handful of moments.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from pipeline.moments.features import TranscriptAnalysis
from pipeline.moments.scoring import WindowScore

MODEL_FILE = Path(__file__).with_name("window_model.npz")
# Log-odds per point of score that the person's steering adds (topic keywords, the most
# replayed stretch; see WindowScore.steering). The tuning talks carry no steering, so its
# weight cannot be learned from them, and read through the fitted weight of the overall
# score it would change with every refit, and be worth well under one log-odds: a refit
# with a sharper preference for one moment length let longer moments beat the requested
# one. A matched keyword (20-30 points) is worth 2-3, enough for the requested topic to
# outrank an equally strong moment about something else.
STEERING_LOGITS_PER_POINT = 0.1
# Log-odds per unit of a window's edge evidence (WindowEvidence.edge_evidence): how surely
# its first and last sentences, each read alone, are content. The model reads the content
# posterior, which the chain smooths over runs of talk: a reaction line or an on-topic aside
# right after a payoff inherits most of the moment's posterior, and a window that runs on to
# the next strong break looks whole. Each sentence's own reading keeps that edge. The
# sentences just outside are left out of it: two moments with nothing between them would
# each lose for the content beside them, and only their merged window would not. The
# weight was chosen on the 80 tuning talks the model was not fitted on (docs/benchmarks.md,
# "A ninth round").
EDGE_EVIDENCE_LOGITS = 0.3
# A sentence's own log-odds counts up to this much either way, so one sure line cannot
# outweigh the rest of the evidence.
EDGE_EVIDENCE_CAP = 3.0
# A window is ranked last when, split at its strongest inner topic break, both halves are
# windows ranked above this (see without_merges): more likely whole moments than not.
MERGE_HALVES_ABOVE = 0.0

# The window evidence, in the model's column order (the file records it too; see load_model).
FEATURES = (
    "total", "hook", "pacing", "completeness", "shareability",
    "content_mean", "content_min", "content_first", "content_last", "content_before", "content_after",
    "logit_first", "logit_last", "logit_before", "logit_after", "logit_min",
    "break_start", "break_end", "inner_peak",
    "question_first", "question_before", "dangling_start", "finished", "payoff",
    "minutes", "minutes_squared", "sentences",
    "opens", "closes", "opens_next", "opens_inside", "closes_inside",
    "opens_before", "closes_before", "closes_after", "break_before", "break_after",
    "joins_before", "joins_after", "joins_first", "joins_last",
    "opens_beside", "closes_beside", "opens_beside_before", "closes_beside_after",
    "opens_beside_inside", "closes_beside_inside",
    "short_first", "short_last", "alone_first_short", "alone_last_short", "logit_first_short",
    "logit_last_short", "opens_beside_short", "closes_beside_short", "logit_min_long",
    "short_first_number", "short_first_setup",
)  # fmt: skip
# A line of this many words or fewer is short: read alone, its meaning says little.
SHORT_LINE_WORDS = 4


@dataclasses.dataclass(frozen=True)
class EdgeProbe:
    """A ridge direction on standardised embeddings: how much a sentence opens (or closes) a moment."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def score(self, embeddings: np.ndarray) -> np.ndarray:
        return ((embeddings - self.mean) / self.scale) @ self.weights + self.bias

    @classmethod
    def saved(cls, data: Mapping[str, np.ndarray], name: str) -> EdgeProbe:
        """The probe :meth:`WindowModel.save` wrote under ``name`` (a field of :class:`EdgeProbes`)."""
        return cls(data[f"{name}_mean"], data[f"{name}_scale"], data[f"{name}_weights"], float(data[f"{name}_bias"]))


def beside(embeddings: np.ndarray) -> np.ndarray:
    """Each sentence's embedding followed by the one before it and the one after it (zeros
    past the transcript's ends): what the ``_beside`` probes read.

    A moment's first line is often one that could open any stretch of talk ("Here's the
    thing.", a date, a name); read alone, it looks like the line after it or like filler.
    Beside the filler before it and the story after it, it is an opening.
    """
    vectors = np.asarray(embeddings, dtype=float)
    none = np.zeros((min(1, len(vectors)), vectors.shape[1]))
    return np.hstack([vectors, np.vstack([none, vectors[:-1]]), np.vstack([vectors[1:], none])])


@dataclasses.dataclass(frozen=True)
class EdgeProbes:
    """How much each sentence opens and closes a moment, read from the sentence alone
    (``opens``, ``closes``) and from it beside its neighbours (``opens_beside``,
    ``closes_beside``: see :func:`beside`)."""

    opens: EdgeProbe
    closes: EdgeProbe
    opens_beside: EdgeProbe
    closes_beside: EdgeProbe

    def read(self, embeddings: np.ndarray) -> dict[str, np.ndarray]:
        """Each probe's score of every sentence, by the probe's name."""
        if not len(embeddings):
            return {f.name: np.zeros(0) for f in dataclasses.fields(self)}
        alone, near = np.asarray(embeddings, dtype=float), beside(embeddings)
        return {f.name: getattr(self, f.name).score(near if f.name.endswith("_beside") else alone)
                for f in dataclasses.fields(self)}  # fmt: skip

    @classmethod
    def saved(cls, data: Mapping[str, np.ndarray]) -> EdgeProbes:
        """The probes :meth:`WindowModel.save` wrote."""
        return cls(*(EdgeProbe.saved(data, f.name) for f in dataclasses.fields(cls)))


@dataclasses.dataclass(frozen=True)
class WindowModel:
    """The fitted parameters: the edge probes and a logistic model on standardised features."""

    probes: EdgeProbes
    mean: np.ndarray  # (features,)
    scale: np.ndarray
    coef: np.ndarray  # (features + 1,): the last entry is the intercept

    def logit(self, features: np.ndarray) -> np.ndarray:
        """Log-odds that each row of ``features`` (windows x FEATURES) is a whole moment."""
        z = (features - self.mean) / self.scale
        return z @ self.coef[:-1] + self.coef[-1]

    def ranking(self, features: np.ndarray, edges: np.ndarray, steering: np.ndarray | float = 0.0) -> np.ndarray:
        """What the analyser ranks windows by: the log-odds of :meth:`logit` plus their edge
        evidence and the person's steering, each at its fixed rate (EDGE_EVIDENCE_LOGITS,
        STEERING_LOGITS_PER_POINT)."""
        return self.logit(features) + EDGE_EVIDENCE_LOGITS * edges + STEERING_LOGITS_PER_POINT * steering

    def save(self, path: Path = MODEL_FILE) -> None:
        arrays = {"features": np.array(FEATURES), "mean": self.mean, "scale": self.scale, "coef": self.coef}
        for name in (f.name for f in dataclasses.fields(self.probes)):
            probe = getattr(self.probes, name)
            arrays.update({f"{name}_{f.name}": np.asarray(getattr(probe, f.name)) for f in dataclasses.fields(probe)})
        np.savez(path, **arrays)


@functools.cache
def load_model(path: Path = MODEL_FILE) -> WindowModel:
    """The model in ``path``; raises ValueError when it was fitted on other features than FEATURES."""
    with np.load(path) as data:
        if tuple(str(name) for name in data["features"]) != FEATURES:
            raise ValueError(f"{path.name} was fitted on other window features; run python -m bench.train_moments")
        return WindowModel(EdgeProbes.saved(data), data["mean"], data["scale"], data["coef"])


class WindowEvidence:
    """Builds the FEATURES row of any window of one transcript; per-sentence work is done once."""

    def __init__(self, analysis: TranscriptAnalysis, probes: EdgeProbes):
        self.analysis = analysis
        read = probes.read(analysis.embeddings)
        self.opens, self.closes = read["opens"], read["closes"]
        self.opens_beside, self.closes_beside = read["opens_beside"], read["closes_beside"]
        self.logits = _logit(analysis.content)
        self.short = np.array([len(s.words) <= SHORT_LINE_WORDS for s in analysis.signals], dtype=float)
        # The log-odds of each line that is not short; a short one never holds the window's weakest.
        self.long_logits = np.where(self.short > 0, np.inf, self.logits)
        self.alone = np.clip(_logit(analysis.content_alone), -EDGE_EVIDENCE_CAP, EDGE_EVIDENCE_CAP)
        # Each sentence's meaning less the talk's, as semantic_shifts reads it, summed so
        # that any window's mean meaning costs one subtraction.
        meaning = np.asarray(analysis.embeddings, dtype=float)
        meaning = meaning - meaning.mean(axis=0) if len(meaning) else np.zeros((0, 1))
        self.meaning = meaning / (np.linalg.norm(meaning, axis=1, keepdims=True) + 1e-9)
        self.summed = np.vstack([np.zeros((1, self.meaning.shape[1])), np.cumsum(self.meaning, axis=0)])

    def joins(self, sentence: int | None, first: int, last: int) -> float:
        """How close ``sentence``'s meaning is to the mean meaning of sentences ``first`` to
        ``last`` (a cosine; 0 with no sentence or none to compare it with)."""
        if sentence is None or last < first:
            return 0.0
        mean = self.summed[last + 1] - self.summed[first]
        return float(self.meaning[sentence] @ mean / (np.linalg.norm(mean) + 1e-9))

    def edge_evidence(self, first: int, last: int) -> float:
        """How surely the window's first and last sentences are content, each read alone
        (see EDGE_EVIDENCE_LOGITS)."""
        return float(self.alone[first] + self.alone[last])

    def row(self, first: int, last: int, scored: WindowScore) -> np.ndarray:
        a, content, logits = self.analysis, self.analysis.content, self.logits
        count = len(content)
        before = first - 1 if first > 0 else None
        after = last + 1 if last + 1 < count else None
        minutes = (a.last_word[last] - a.first_word[first]) / 60.0
        inside = slice(first, last + 1)
        values = {
            # The window's own merit: steering is no evidence of a whole moment (STEERING_LOGITS_PER_POINT).
            "total": scored.unsteered / 100.0,
            "hook": scored.scores.hook / 100.0,
            "pacing": scored.scores.pacing / 100.0,
            "completeness": scored.scores.completeness / 100.0,
            "shareability": scored.signals["shareability_plain"] / 100.0,
            "content_mean": float(content[inside].mean()),
            "content_min": float(content[inside].min()),
            "content_first": float(content[first]),
            "content_last": float(content[last]),
            # Beyond the transcript's ends there is no content to leave out.
            "content_before": 0.0 if before is None else float(content[before]),
            "content_after": 0.0 if after is None else float(content[after]),
            "logit_first": float(logits[first]),
            "logit_last": float(logits[last]),
            "logit_before": _LOGIT_FLOOR if before is None else float(logits[before]),
            "logit_after": _LOGIT_FLOOR if after is None else float(logits[after]),
            "logit_min": float(logits[inside].min()),
            "break_start": float(a.breaks[first]),
            "break_end": float(a.breaks[last + 1]),
            "inner_peak": scored.signals["inner_peak"],
            "question_first": float(a.signals[first].question),
            "question_before": 0.0 if before is None else float(a.signals[before].question),
            "dangling_start": scored.signals["dangling_start"],
            "finished": scored.signals["finished"],
            "payoff": scored.signals["payoff"],
            "minutes": minutes,
            "minutes_squared": minutes**2,
            "sentences": (last - first + 1) / 10.0,
            "opens": float(self.opens[first]),
            "closes": float(self.closes[last]),
            # A transcript's end closes everything, as if a new moment began after it.
            "opens_next": 1.0 if after is None else float(self.opens[after]),
            "opens_inside": float(self.opens[first + 1 : last + 1].max()) if last > first else 0.0,
            "closes_inside": float(self.closes[first:last].max()) if last > first else 0.0,
            # The sentence and the gap just outside each edge: a window that starts one line
            # after a moment's opening sees that opening, and its stronger break, just before
            # it. Past the transcript's ends there is no sentence and no gap: nothing opens
            # before its start, which closes all before it (as its end opens, opens_next),
            # and nothing closes after its end.
            "opens_before": 0.0 if before is None else float(self.opens[before]),
            "closes_before": 1.0 if before is None else float(self.closes[before]),
            "closes_after": 0.0 if after is None else float(self.closes[after]),
            "break_before": 0.0 if before is None else float(a.breaks[before]),
            "break_after": 0.0 if after is None else float(a.breaks[after + 1]),
            # Whether the line just outside each edge belongs with the window's meaning (a
            # teaser that opens the moment) or not (filler, or the moment before it), and
            # whether the window's own first and last lines belong with the rest of it.
            "joins_before": self.joins(before, first, last),
            "joins_after": self.joins(after, first, last),
            "joins_first": self.joins(first, first + 1, last),
            "joins_last": self.joins(last, first, last - 1),
            # The same questions as opens and closes, each line read beside its neighbours.
            "opens_beside": float(self.opens_beside[first]),
            "closes_beside": float(self.closes_beside[last]),
            "opens_beside_before": 0.0 if before is None else float(self.opens_beside[before]),
            "closes_beside_after": 0.0 if after is None else float(self.closes_beside[after]),
            "opens_beside_inside": float(self.opens_beside[first + 1 : last + 1].max()) if last > first else 0.0,
            "closes_beside_inside": float(self.closes_beside[first:last].max()) if last > first else 0.0,
            "short_first": self.short[first],
            "short_last": self.short[last],
            "alone_first_short": self.short[first] * self.alone[first],
            "alone_last_short": self.short[last] * self.alone[last],
            "logit_first_short": self.short[first] * logits[first],
            "logit_last_short": self.short[last] * logits[last],
            "opens_beside_short": self.short[first] * self.opens_beside[first],
            "closes_beside_short": self.short[last] * self.closes_beside[last],
            # A moment's short opening is mostly a number ("Ninety percent.", "October 2019.") or
            # a line that announces what follows ("Here's the mistake."); the short line before a
            # moment is mostly a discourse marker ("Okay.", "Anyway.", "Go on.").
            "short_first_number": self.short[first] * float(a.signals[first].numbers > 0),
            "short_first_setup": self.short[first] * float(a.signals[first].setup),
        }
        weakest = float(self.long_logits[inside].min())
        values["logit_min_long"] = weakest if np.isfinite(weakest) else values["logit_min"]
        return np.array([values[name] for name in FEATURES])


def without_merges(ranges: Sequence[tuple[int, int]], ranking: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """``ranking`` (one value per window of ``ranges``) with every merge of two moments sent
    last: a window whose halves, split at its strongest inner topic break (``breaks`` of
    :class:`TranscriptAnalysis`), are both windows ranked above MERGE_HALVES_ABOVE.

    The tuning talks always put filler between two moments, so nothing in them teaches the
    ranker that two unrelated moments back to back are two clips: refitted on talks whose
    pauses are all alike, it rates the merged window above either moment alone, for the
    content that follows each (docs/benchmarks.md, "The eleventh round"). The rule keeps
    that case out of the learned model; on the tuning talks it costs one moment in a
    thousand. The analyser applies it to every ranking (a merged window ranks last, and
    cannot be chosen again): a content probe refitted on more talks, as the twenty-third
    round's was, can rate such a merge too (docs/benchmarks.md, "The twelfth round" and
    "The twenty-third round's candidate"). ``python -m bench.moments_folds --merges-last``
    measures it with a refitted ranker.
    """
    where = {window: index for index, window in enumerate(ranges)}
    ranked = np.array(ranking, dtype=float)
    for index, (first, last) in enumerate(ranges):
        if last == first:
            continue
        split = first + 1 + int(np.argmax(breaks[first + 1 : last + 1]))
        halves = where.get((first, split - 1)), where.get((split, last))
        if None not in halves and all(ranking[half] > MERGE_HALVES_ABOVE for half in halves):
            ranked[index] = -np.inf
    return ranked


# The content posterior is clipped before its log-odds, so one sure sentence cannot dominate.
_CLIP = 1e-3
_LOGIT_FLOOR = float(np.log(_CLIP / (1 - _CLIP)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _CLIP, 1 - _CLIP)
    return np.log(p / (1 - p))
