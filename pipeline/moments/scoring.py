"""Scores a window of sentences on the four viral criteria, each 0-100.

* hook: how the first seconds grab (a question, a number, "you", a bold claim, conflict,
  emotion), less for housekeeping or an opening that points back at earlier talk;
* pacing: speech rate near a lively conversational pace, few dead pauses, varied
  loudness when the audio is given, clear (confidently recognised) words;
* completeness: topic shifts at both edges and none inside, a clean first word, a
  finished last sentence, a closing payoff;
* shareability: advice, surprise, emotion, a story, concrete numbers, and the person's
  own topic keywords, counted with saturation so a whole story beats its best line but
  length alone earns little.

Housekeeping is read from meaning (the content posterior of
:mod:`pipeline.moments.content`), not only from English word lists. The overall score
weighs the four by genre, adds the topic bonus and the platform's "most replayed" lift,
and subtracts penalties for housekeeping (most of all a run of it inside the clip), for
content left just outside an edge (a moment cut short) and for a strong topic break
inside (two moments joined).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from pipeline.moments.features import TranscriptAnalysis, loudness_frames, loudness_variation
from pipeline.moments.models import SubScores
from pipeline.moments.options import ClipOptions
from pipeline.moments.text import stem, tokens

# Seconds of a clip that count as its opening.
HOOK_SECONDS = 6.0
# Points for the most replayed stretch of a source, reached when its replay value is this
# much above the source's median (values are 0-1; YouTube's graph peaks at 1).
REPLAY_POINTS = 25.0
REPLAY_FULL_LIFT = 0.4
# A topic break inside a clip stronger than INNER_BREAK_FREE (0-1) costs up to this many points:
# the clip joins two moments, however strong its outer edges.
INNER_BREAK_POINTS = 80.0
INNER_BREAK_FREE = 0.45
# Points for leaving no content sentence just outside the clip's edges (half of them are
# lost when the sentences on either side are as surely content as not).
CONTENT_EDGE_POINTS = 25.0
# Housekeeping below this (0-1, from the content posterior) costs nothing: an unsure sentence
# inside a moment is not penalised (see :func:`_firm`).
FIRM_FILLER = 0.1
# Weight of the housekeeping penalties against the four criteria.
FILLER_PENALTY = 1.5
# The sentence signals an opening's hits count (see WindowScorer._hook), and the kinds of
# substance a window's shareability adds up (see WindowScorer._shareability).
_HOOK_HITS = ("question", "numbers", "second_person", "bold", "conflict", "emotion_hits", "intensifiers",
              "surprise", "setup")  # fmt: skip
_SHARE = ("advice", "surprise", "emotion", "story", "numbers", "payoff")

# (hook, pacing, completeness, shareability) weights per genre; they sum to 1.
_WEIGHTS = {
    "default": (0.30, 0.10, 0.25, 0.35),
    "Education": (0.25, 0.10, 0.30, 0.35),
    "Tutorial": (0.20, 0.10, 0.35, 0.35),
    "Comedy": (0.35, 0.15, 0.20, 0.30),
    "News": (0.30, 0.10, 0.35, 0.25),
    "Gaming": (0.35, 0.20, 0.15, 0.30),
    "Sports": (0.35, 0.20, 0.15, 0.30),
}


@dataclasses.dataclass
class WindowScore:
    """A window's overall score, its four sub-scores and the signals that earned them.

    ``unsteered`` is the overall score without what the person steered towards (their
    topic keywords, the platform's most replayed stretch): the window's own merit, which
    the ranker reads; the steering is added to the ranker's log-odds at a fixed rate.
    """

    total: float
    scores: SubScores
    signals: dict[str, float]
    unsteered: float

    @property
    def steering(self) -> float:
        """Points the person's steering added to (or, for a stretch nobody replays, took from) the score."""
        return self.total - self.unsteered


class WindowScorer:
    """Scores sentence windows of one transcript; per-sentence work is done once up front.

    Every sum over a window's sentences is a difference of running sums computed here, so
    a window costs the same whatever its length: a 30-minute talk has about 4,500
    candidate windows, and the bench's refits score hundreds of talks.
    """

    def __init__(
        self,
        analysis: TranscriptAnalysis,
        options: ClipOptions,
        audio: np.ndarray | None = None,
        replays: Sequence[tuple[float, float, float]] = (),
    ):
        self.analysis = analysis
        self.replayed = replay_lift(analysis, replays)
        self.weights = _WEIGHTS.get(options.genre, _WEIGHTS["default"])
        self.frames = loudness_frames(audio)
        self.keywords = [[stem(w) for w in tokens(k)] for k in options.keywords]
        self.filler = analysis.filler
        a, filler, content, sigs = analysis, self.filler, analysis.content, analysis.signals
        # The opening of a window starting at sentence i runs to sentence _opening_end[i].
        self._opening_end = [_opening_end(a.first_word, i) for i in range(len(sigs))]
        hook_hits = np.array([[float(getattr(s, name)) for name in _HOOK_HITS] for s in sigs])
        self._hook_sums = _running(hook_hits.reshape(len(sigs), len(_HOOK_HITS)) * (1.0 - filler)[:, None])
        share = [
            [s.advice, s.surprise + s.setup, 0.7 * s.emotion_hits + 0.3 * s.intensifiers + 0.2 * s.conflict,
             0.8 * s.story, 0.4 * s.numbers + 0.3 * s.bold, s.payoff]
            for s in sigs
        ]  # fmt: skip
        self._share_sums = _running(np.array(share, dtype=float).reshape(len(sigs), len(_SHARE)) * content[:, None])
        gaps = a.first_word[1:] - a.last_word[:-1]
        self._dead_air_sums = _running(np.clip(gaps - 0.6, 0.0, None))
        self._word_sums = _running(a.word_counts.astype(float))
        if self.replayed is not None:
            self._replayed_sums = _running(self.replayed * a.word_counts)
        self._confidence_sums = _running(a.confidence)
        self._filler_sums = _running(filler)
        # Which of the keywords' stems each sentence speaks, as a word or a word's stem.
        self._keyword_stems = sorted({w for phrase in self.keywords for w in phrase})
        spoken = [set(s.stems) | {stem(w) for w in s.words} for s in sigs] if self._keyword_stems else []
        presence = [[w in said for w in self._keyword_stems] for said in spoken]
        self._keyword_sums = _running(np.array(presence, dtype=float).reshape(len(sigs), len(self._keyword_stems)))
        firm = _firm(filler)
        self._firm_sums = _running(firm)
        # A run of housekeeping: the lesser of two neighbours' firm housekeeping, per pair.
        self._firm_pairs = np.minimum(firm[:-1], firm[1:]).tolist()
        self._break_sums = _running(a.breaks)
        self._breaks = a.breaks.tolist()
        # Only totals are kept: a long source has tens of thousands of candidate windows.
        self._totals: dict[tuple[int, int], float] = {}

    def total(self, first: int, last: int) -> float:
        """The overall score, cached: ranking asks for every candidate, some of them twice."""
        key = (first, last)
        if key not in self._totals:
            self._totals[key] = self.score(first, last).total
        return self._totals[key]

    def scored(self, first: int, last: int) -> WindowScore:
        """:meth:`score`, remembering the total for :meth:`total`."""
        result = self.score(first, last)
        self._totals[(first, last)] = result.total
        return result

    def score(self, first: int, last: int) -> WindowScore:
        """The full score with its signals (recomputed; only chosen clips need it)."""
        signals: dict[str, float] = {}
        hook = self._hook(first, last, signals)
        pacing = self._pacing(first, last, signals)
        completeness = self._completeness(first, last, signals)
        shareability = self._shareability(first, last, signals)
        parts = (hook, pacing, completeness, shareability)
        count = last - first + 1
        filler = (self._firm_sums[last + 1] - self._firm_sums[first]) / count
        # A run of housekeeping inside a clip (two sentences in a row) means it joins two
        # separate moments across an interruption; a lone unsure sentence does not.
        run = max(self._firm_pairs[first:last]) if count > 1 else filler
        signals.update(filler=filler, filler_run=run)
        penalties = (
            -FILLER_PENALTY * 45.0 * filler
            - FILLER_PENALTY * 25.0 * run
            + CONTENT_EDGE_POINTS * (0.5 - signals["content_left_out"])
            - INNER_BREAK_POINTS * max(0.0, signals["inner_peak"] - INNER_BREAK_FREE)
        )
        total = _weighted(self.weights, parts) + signals["share_topic"] + penalties + self._replay(first, last, signals)
        plain = _weighted(self.weights, (*parts[:3], signals["shareability_plain"])) + penalties
        return WindowScore(
            total=max(0.0, min(100.0, total)),
            scores=SubScores(*(round(v) for v in parts)),
            signals=signals,
            unsteered=max(0.0, min(100.0, plain)),
        )

    def _replay(self, first: int, last: int, signals: dict[str, float]) -> float:
        """Points for a stretch viewers replay more than the rest of the source (up to REPLAY_POINTS)."""
        if self.replayed is None:
            return 0.0
        words = self._word_sums[last + 1] - self._word_sums[first]
        lift = (self._replayed_sums[last + 1] - self._replayed_sums[first]) / words
        signals["replay"] = lift
        return REPLAY_POINTS * max(-0.5, min(1.0, lift / REPLAY_FULL_LIFT))

    def _hook(self, first: int, last: int, signals: dict[str, float]) -> float:
        """Signals of the opening seconds; the first sentence counts fully, later ones half."""
        end = min(last, self._opening_end[first])
        sums = self._hook_sums
        lead_hits, later = sums[first + 1] - sums[first], sums[end + 1] - sums[first + 1]
        hits = dict(zip(_HOOK_HITS, (lead_hits + 0.5 * later).tolist(), strict=True))
        lead, filler = self.analysis.signals[first], float(self.filler[first])
        found = {
            "question": min(30.0, 30.0 * hits["question"]),
            "number": min(25.0, 12.0 * hits["numbers"]),
            "you": min(20.0, 8.0 * hits["second_person"]),
            "claim": min(25.0, 10.0 * hits["bold"]),
            "conflict": min(15.0, 8.0 * hits["conflict"]),
            "emotion": min(15.0, 6.0 * (hits["emotion_hits"] + hits["intensifiers"])),
            "surprise": min(15.0, 10.0 * (hits["surprise"] + hits["setup"])),
            "punchy": 10.0 * (len(lead.words) <= 12) * (1.0 - filler),
        }
        for name, value in found.items():
            signals[f"hook_{name}"] = value
        penalty = 50.0 * filler + 25.0 * lead.dangling_start
        signals["dangling_start"] = float(lead.dangling_start)
        return _clamp(15.0 + sum(found.values()) - penalty)

    def _pacing(self, first: int, last: int, signals: dict[str, float]) -> float:
        a = self.analysis
        span = max(0.5, float(a.last_word[last] - a.first_word[first]))
        words = self._word_sums[last + 1] - self._word_sums[first]
        rate = words / span
        # 2.3-3.6 words a second is a lively conversational pace; slower drags, faster blurs.
        rate_points = 40.0 * max(0.0, 1.0 - max(0.0, 2.3 - rate, rate - 3.6) / 1.5)
        dead_air = (self._dead_air_sums[last] - self._dead_air_sums[first]) / span
        pause_points = 25.0 * max(0.0, 1.0 - 4.0 * dead_air)
        variation = loudness_variation(self.frames, a.first_word[first], a.last_word[last])
        # A few dB of spread is expressive delivery; a flat line is a monotone. Without
        # audio the criterion is neutral: half its points.
        loudness_points = 12.5 if variation is None else 25.0 * min(1.0, variation / 6.0)
        clarity = 10.0 * (self._confidence_sums[last + 1] - self._confidence_sums[first]) / (last - first + 1)
        signals.update(rate=rate, dead_air=dead_air, loudness_db=variation or 0.0)
        return _clamp(rate_points + pause_points + loudness_points + clarity)

    def _completeness(self, first: int, last: int, signals: dict[str, float]) -> float:
        a, breaks = self.analysis, self._breaks
        edges = (breaks[first] + breaks[last + 1]) / 2.0
        inner_peak = max(breaks[first + 1 : last + 1], default=0.0)
        inner = self._break_sums[last + 1] - self._break_sums[first + 1]
        inner_mean = inner / (last - first) if last > first else 0.0
        payoff = any(s.payoff for s in a.signals[max(first, last - 1) : last + 1])
        clean_start = not a.signals[first].dangling_start
        finished = not a.signals[last].unfinished_end
        # Content left just outside either edge means the clip cuts a moment short.
        before = float(a.content[first - 1]) if first > 0 else 0.0
        after = float(a.content[last + 1]) if last + 1 < len(a.content) else 0.0
        left_out = (before + after) / 2.0
        points = (
            15.0
            + 35.0 * edges
            + 20.0 * (1.0 - inner_mean)
            - 30.0 * max(0.0, inner_peak - edges + 0.1)
            + 10.0 * payoff
            + 10.0 * clean_start
            + 15.0 * finished
            + 5.0 * (last - first >= 2)
        )
        signals.update(
            edge_breaks=edges,
            inner_peak=inner_peak,
            payoff=float(payoff),
            finished=float(finished),
            content_left_out=left_out,
        )
        return _clamp(points)

    def _shareability(self, first: int, last: int, signals: dict[str, float]) -> float:
        """Substance that saturates: each signal adds less once a clip already has plenty.

        Counting (rather than averaging) lets a whole story beat its best two sentences,
        while housekeeping sentences add nothing and their share is subtracted.
        """
        found = (self._share_sums[last + 1] - self._share_sums[first]).tolist()
        for name, value in zip(_SHARE, found, strict=True):
            signals[f"share_{name}"] = value
        substance = sum(found)
        filler_share = (self._filler_sums[last + 1] - self._filler_sums[first]) / (last - first + 1)
        topic = signals["share_topic"] = self._topic(first, last)
        plain = 100.0 * (1.0 - math.exp(-substance / 5.0)) - 60.0 * filler_share
        signals["shareability_plain"] = _clamp(plain)
        return _clamp(plain + topic)

    def _topic(self, first: int, last: int) -> float:
        """Points (up to 30) for the person's topic keywords spoken in the window.

        They sit outside the saturating substance so that a requested topic outranks an
        equally strong moment about something else.
        """
        if not self.keywords:
            return 0.0
        counts = self._keyword_sums[last + 1] - self._keyword_sums[first]
        spoken = dict(zip(self._keyword_stems, counts > 0, strict=True))
        matched = sum(1 for phrase in self.keywords if phrase and all(spoken[w] for w in phrase))
        return min(30.0, 20.0 * matched)


def replay_lift(analysis: TranscriptAnalysis, replays: Sequence[tuple[float, float, float]]) -> np.ndarray | None:
    """Per sentence, how much more its time is replayed than the source's typical moment.

    The graph's value (0-1) is averaged over each sentence's span; the source's median
    value is subtracted, so only relative interest counts. None without a graph.
    """
    if not replays:
        return None
    starts = np.array([r[0] for r in replays], dtype=float)
    ends = np.array([r[1] for r in replays], dtype=float)
    values = np.array([r[2] for r in replays], dtype=float)
    lifts = np.empty(len(analysis.sentences))
    for i, (a, b) in enumerate(zip(analysis.first_word, analysis.last_word, strict=True)):
        overlap = np.clip(np.minimum(ends, b) - np.maximum(starts, a), 0.0, None)
        lifts[i] = float(np.average(values, weights=overlap)) if overlap.sum() > 0 else float(np.median(values))
    return lifts - float(np.median(values))


def _firm(filler: np.ndarray) -> np.ndarray:
    """Housekeeping as a penalty: an unsure sentence (mostly content) costs nothing."""
    return np.clip((filler - FIRM_FILLER) / (1.0 - FIRM_FILLER), 0.0, 1.0)


def _clamp(value: float) -> float:
    return max(0.0, min(100.0, value))


def _running(values: np.ndarray) -> np.ndarray:
    """Running sums of ``values`` along its first axis, from 0: a window's sum is a difference."""
    sums = np.zeros((len(values) + 1, *values.shape[1:]))
    np.cumsum(values, axis=0, out=sums[1:])
    return sums


def _opening_end(first_word: np.ndarray, first: int) -> int:
    """The last sentence that starts within :data:`HOOK_SECONDS` of sentence ``first``'s start."""
    end = first
    while end + 1 < len(first_word) and first_word[end + 1] - first_word[first] < HOOK_SECONDS:
        end += 1
    return end


def _weighted(weights: tuple[float, ...], parts: Sequence[float]) -> float:
    return sum(w * p for w, p in zip(weights, parts, strict=True))
