"""The local analyser (``ClipBasic``): offline, deterministic, pure Python and numpy.

Every run of whole sentences whose padded length fits the options is a candidate; each
is scored by :class:`~pipeline.moments.scoring.WindowScorer` (the score users see) and
ranked by :mod:`pipeline.moments.ranker` (how surely it is one whole moment); the best
non-overlapping, non-repeating ones are kept (fewer than asked for when the rest of the
transcript holds no moment), each is chosen again as the window of least expected edge
error among those sharing most of its time (:mod:`pipeline.moments.choice`), its edges
follow the speaker turns when the audio holds two voices (:mod:`pipeline.moments.turns`)
and scene cuts when a hook is given, and each kept clip gets its title, hooks, description
and reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from pipeline.moments import writing
from pipeline.moments.boundaries import (
    Edges,
    SceneCutsNear,
    Span,
    WindowWords,
    fit_scene_cuts,
    pick_non_overlapping,
    without_filler,
)
from pipeline.moments.choice import choose_again
from pipeline.moments.features import TranscriptAnalysis
from pipeline.moments.models import Moment, SubScores, moment_id
from pipeline.moments.options import ClipOptions
from pipeline.moments.ranker import WindowEvidence, load_model, without_merges
from pipeline.moments.scoring import WindowScore, WindowScorer
from pipeline.moments.turns import Turns, follow_turns, read_turns
from pipeline.types import ProgressFn, no_progress

# The most points how surely a clip is a real moment gives it: the top of Ssemble's
# "average" band, so that only the hand-weighted score makes a clip good or excellent. On
# tuning talks the models never saw, the hand-weighted score alone put 43 % of the clips
# covering a planted moment below 40; with this floor 1 %, and the clips of filler are shown
# later (docs/benchmarks.md, "Two more edge levers, and the score users see").
SURE_MOMENT_POINTS = 59.0
# The logistic weights of :func:`moment_probability` (on the ranker's log-odds, the logit of
# the mean content posterior, and a bias), fitted on each tuning talk's likeliest windows by
# ``python -m bench.moment_scores fit --only 'train_a[a-h]_*'``.
MOMENT_WEIGHTS = (0.678, 0.653, 1.868)
# The content posterior is read no surer than this either way, so that no window takes the
# logit to infinity.
CONTENT_BOUND = 0.02


class LocalAnalyser:
    """Scores and describes clips of one transcript; shared with the Gemini path for repairs."""

    def __init__(
        self,
        analysis: TranscriptAnalysis,
        options: ClipOptions,
        audio: np.ndarray | None = None,
        replays: Sequence[tuple[float, float, float]] = (),
    ):
        self.analysis = analysis
        self.options = options
        self.edges = Edges(analysis)
        self.scorer = WindowScorer(analysis, options, audio, replays)
        self._audio = audio

    @cached_property
    def words(self) -> WindowWords:
        """Every window's words, which choosing clips and choosing them again both read."""
        return WindowWords(self.analysis)

    @cached_property
    def turns(self) -> Turns | None:
        """Who speaks each sentence, when the audio holds two voices."""
        return read_turns(self._audio, self.analysis.first_word, self.analysis.last_word)

    def ranked_ranges(self) -> list[tuple[int, int]]:
        """Every candidate range, most likely a whole moment first (see :meth:`likelihood`).

        Ties are broken by position so the order, and so the result, is deterministic.
        """
        likelihood = self.likelihood
        return sorted(likelihood, key=lambda r: (-likelihood[r], r))

    @cached_property
    def likelihood(self) -> dict[tuple[int, int], float]:
        """Every candidate range and how surely it is one whole moment: the ranker's log-odds,
        its edge evidence and the person's steering, each at its rate (see
        :mod:`pipeline.moments.ranker`)."""
        ranges = list(self.edges.ranges(self.options.min_length, self.options.max_length))
        if not ranges:
            return {}
        likelihood = without_merges(ranges, self._ranking(ranges), self.analysis.breaks)
        return dict(zip(ranges, likelihood.tolist(), strict=True))

    @cached_property
    def _evidence(self) -> WindowEvidence:
        """The per-sentence readings every window's evidence row is built from."""
        return WindowEvidence(self.analysis, load_model().probes)

    def _ranking(self, ranges: Sequence[tuple[int, int]]) -> np.ndarray:
        """The ranker's log-odds of each of ``ranges``, with its edge evidence and steering."""
        model, evidence = load_model(), self._evidence
        rows, edges, steering = [], [], []
        for first, last in ranges:
            scored = self.scorer.scored(first, last)
            rows.append(evidence.row(first, last, scored))
            edges.append(evidence.edge_evidence(first, last))
            steering.append(scored.steering)
        return model.ranking(np.array(rows), np.array(edges), np.array(steering))

    def shown_score(self, first: int, last: int, scored: WindowScore) -> float:
        """The 0-100 score users see for sentences ``first..last``, ``scored`` their
        hand-weighted score: that score, or :data:`SURE_MOMENT_POINTS` times how surely they
        are a real moment (:func:`moment_probability`) when that is more. A clip the analyser
        is sure of is at least average in Ssemble's bands whatever words it is told in; only
        what the hand-weighted score reads (a hook, numbers, a story, a payoff) makes it good."""
        # The ranking the choice made, when it made one; a clip a language model proposed, or a
        # trimmed one outside the length limits, is ranked on its own rather than every window.
        ranked = self.__dict__.get("likelihood", {})
        logodds = ranked[first, last] if (first, last) in ranked else float(self._ranking([(first, last)])[0])
        content = float(self.analysis.content[first : last + 1].mean())
        return max(scored.total, SURE_MOMENT_POINTS * moment_probability(logodds, content))

    def find(
        self,
        count: int,
        *,
        taken: Sequence[Span] = (),
        progress: ProgressFn = no_progress,
    ) -> tuple[list[Span], int]:
        """The best ``count`` clips that overlap neither each other nor ``taken``, and how many
        of those were left out as no moment.

        A transcript with fewer moments than asked for gets fewer clips, not clips of its
        greetings and sponsor reads (:func:`~pipeline.moments.boundaries.without_filler`;
        ``taken`` counts among the clips always made).
        """
        progress(0.0, "scoring candidate clips")
        ranked = [r for r in self.ranked_ranges() if not any(r[0] <= s.last and s.first <= r[1] for s in taken)]
        progress(0.8, "choosing clips")
        chosen = pick_non_overlapping(ranked, count, self.words)
        kept = without_filler(chosen, self.analysis, already=len(taken))
        taken_ranges = [(span.first, span.last) for span in taken]
        lift = None if self.turns is None else self.turns.lift
        kept = choose_again(kept, self.likelihood, self.edges, words=self.words, lift=lift, taken=taken_ranges)
        if self.turns is not None:
            kept = follow_turns(
                kept,
                self.turns,
                self.analysis,
                self.edges,
                min_length=self.options.min_length,
                max_length=self.options.max_length,
                taken=taken_ranges,
            )
        return [self.edges.span(first, last) for first, last in kept], len(chosen) - len(kept)

    def fit_scenes(self, spans: list[Span], scene_cuts_near: SceneCutsNear | None) -> list[Span]:
        if scene_cuts_near is None or not spans:
            return spans
        return fit_scene_cuts(
            spans,
            self.edges,
            scene_cuts_near,
            min_length=self.options.min_length,
            max_length=self.options.max_length,
            score=self.scorer.total,
        )

    def describe(self, span: Span) -> Moment:
        """A complete :class:`Moment` for ``span`` with locally written metadata (rank 0)."""
        a, first, last = self.analysis, span.first, span.last
        scored = self.scorer.score(first, last)
        language = self.options.language or a.language
        written = writing.write_clip(a, first, last, scored, genre=self.options.genre, language=language)
        text = " ".join(s.sentence.strip() for s in a.sentences[first : last + 1])
        return Moment(
            id=moment_id(span.start, span.end, text),
            rank=0,
            title=written.title,
            start=span.start,
            end=span.end,
            duration=round(span.end - span.start, 3),
            score=round(self.shown_score(first, last, scored)),
            scores=SubScores(**scored.scores.to_dict()),
            reason=written.reason,
            transcript=text,
            sentence_indexes=span.indexes,
            hooks=written.hooks,
            description=written.description,
            hashtags=written.hashtags,
            emotions=written.emotions,
            keywords=written.keywords,
        )


def moment_evidence(logodds: float, content: float) -> tuple[float, float, float]:
    """What :func:`moment_probability` weighs: the ranker's log-odds (which rank one talk's
    windows well but are not comparable between talks), the logit of the mean content
    posterior (which is), and a 1 for the bias."""
    content = min(max(content, CONTENT_BOUND), 1.0 - CONTENT_BOUND)
    return max(logodds, -30.0), math.log(content / (1.0 - content)), 1.0


def moment_probability(logodds: float, content: float) -> float:
    """How surely a window is a real moment rather than housekeeping or filler: a logistic
    reading of :func:`moment_evidence` with :data:`MOMENT_WEIGHTS`."""
    z = sum(w * x for w, x in zip(MOMENT_WEIGHTS, moment_evidence(logodds, content), strict=True))
    return 1.0 / (1.0 + math.exp(-min(max(z, -30.0), 30.0)))


def rank_moments(moments: list[Moment]) -> list[Moment]:
    """Sort by score (then time) and number the ranks from 1."""
    ordered = sorted(moments, key=lambda m: (-m.score, m.start))
    for rank, moment in enumerate(ordered, start=1):
        moment.rank = rank
    return ordered
