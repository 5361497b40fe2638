"""Where clips may start and end, and how chosen clips are kept apart and snapped to scene cuts.

A clip is a run of whole sentences ``first..last``. Its edges sit in the silence around
them: a pad of up to :data:`PAD` seconds that never passes the midpoint of the gap to the
neighbouring word, so no word is cut and two adjacent clips never overlap. When a scene
cut falls inside that silence the edge moves onto it; when the current gap has no cut
but the gap one sentence away has one, the edge may move there if the clip stays within
its length bounds and scores almost as well.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from pipeline.moments.features import TranscriptAnalysis

PAD = 0.25
# How far around an edge the scene-cut hook is asked to look, in seconds.
SCENE_REACH = 6.0
# An edge may move one sentence to meet a scene cut if the clip keeps this share of its score.
SCENE_SCORE_KEEP = 0.85
# A clip whose words are this contained in a clip already taken is the same moment told
# twice (or a piece of it).
DUPLICATE_SIMILARITY = 0.6
# A clip whose sentences are on average less surely content than this (the content
# posterior of pipeline.moments.content, 0-1) is housekeeping, not a moment, and is not
# made once CLIPS_ALWAYS_KEPT clips are: a talk with fewer moments than the clips asked for
# otherwise fills the rest with the best of its filler. Set between the unit scenarios'
# housekeeping (at most 0.05) and their moments (at least 0.83), judged by the twelfth
# round and cross-validated on the tuning talks (docs/benchmarks.md, "A floor under the clips").
CONTENT_FLOOR = 0.1
# However little the transcript holds, this many clips (or as many as asked for, if fewer)
# are made, so that every video gives its owner something to look at.
CLIPS_ALWAYS_KEPT = 3
# A clip edge moves onto a cut at most this far into the silence, so it gains no long dead air.
MAX_SNAP_SILENCE = 1.5
# How many edges the scene-cut hook is asked about at once (see fit_scene_cuts).
SCENE_WORKERS = 2

SceneCutsNear = Callable[[float, float], list[float]]


@dataclasses.dataclass(frozen=True)
class Span:
    """Sentences ``first..last`` (inclusive) and their padded time span in seconds."""

    first: int
    last: int
    start: float
    end: float

    @property
    def indexes(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    def overlaps(self, other: Span) -> bool:
        return self.first <= other.last and other.first <= self.last


class Edges:
    """Padded start and end times for every sentence of a transcript."""

    def __init__(self, analysis: TranscriptAnalysis):
        first, last = analysis.first_word, analysis.last_word
        previous_end = np.concatenate(([0.0], last[:-1]))
        next_start = np.concatenate((first[1:], [max(analysis.duration, last[-1] if len(last) else 0.0)]))
        self.first_word = first
        self.last_word = last
        self.previous_end = previous_end
        self.next_start = next_start
        self.starts = np.maximum(
            first - PAD, np.where(np.arange(len(first)) == 0, 0.0, (previous_end + first) / 2)
        )
        self.starts = np.minimum(self.starts, first)
        is_last = np.arange(len(last)) == len(last) - 1
        self.ends = np.minimum(last + PAD, np.where(is_last, next_start, (last + next_start) / 2))
        self.ends = np.maximum(self.ends, last)

    def span(self, first: int, last: int) -> Span:
        return Span(first, last, round(float(self.starts[first]), 3), round(float(self.ends[last]), 3))

    def ranges(self, min_length: float, max_length: float) -> Iterator[tuple[int, int]]:
        """Every sentence range whose padded duration lies within the bounds."""
        count = len(self.starts)
        for first in range(count):
            for last in range(first, count):
                duration = self.ends[last] - self.starts[first]
                if duration > max_length:
                    break
                if duration >= min_length:
                    yield first, last


def pick_non_overlapping(ranked: Iterable[tuple[int, int]], count: int, words: WindowWords) -> list[tuple[int, int]]:
    """Take ranges best first, skipping any that overlaps one already taken or whose words
    (read from the transcript's ``words``) one already taken holds (:meth:`WindowWords.repeating`
    read one way: what is taken first is the better telling, so a later range is asked only
    whether it tells it again)."""
    chosen: list[tuple[int, int]] = []
    repeats = words.repeating(chosen, either_way=False)
    for first, last in ranked:
        if any(first <= b and a <= last for a, b in chosen) or repeats((first, last)):
            continue
        chosen.append((first, last))
        if len(chosen) == count:
            break
        repeats = words.repeating(chosen, either_way=False)
    return chosen


class WindowWords:
    """The weighted terms of any window of one transcript (the sum of its sentences' term
    vectors), from one running sum over a dense table: choosing clips asks about hundreds
    of windows."""

    def __init__(self, analysis: TranscriptAnalysis):
        self.terms = sorted({term for vector in analysis.vectors for term in vector})
        column = {term: index for index, term in enumerate(self.terms)}
        table = np.zeros((len(analysis.vectors) + 1, len(self.terms)))
        for row, vector in enumerate(analysis.vectors, start=1):
            for term, weight in vector.items():
                table[row, column[term]] = weight
        self._summed = np.cumsum(table, axis=0)

    def of(self, first: int, last: int) -> np.ndarray:
        """The summed weight of each of :attr:`terms` in sentences ``first`` to ``last``."""
        return self._summed[last + 1] - self._summed[first]

    def repeating(
        self, others: Sequence[tuple[int, int]], *, either_way: bool = True
    ) -> Callable[[tuple[int, int]], bool]:
        """Whether a window (a sentence range) tells again what one of ``others`` tells (at
        least :data:`DUPLICATE_SIMILARITY` of its words' weight held there) or, when
        ``either_way``, holds what one of them tells."""
        told = np.array([self.of(*other) for other in others]).reshape(len(others), len(self.terms))
        told_totals = told.sum(axis=1)

        def repeats(window: tuple[int, int]) -> bool:
            words = self.of(*window)
            shared, total = np.minimum(words, told).sum(axis=1), words.sum()
            held = shared / total if total > 0 else np.zeros_like(shared)
            if either_way:
                holds = np.divide(shared, told_totals, out=np.zeros_like(shared), where=told_totals > 0)
                held = np.maximum(held, holds)
            return bool((held >= DUPLICATE_SIMILARITY).any())

        return repeats


def without_filler(
    chosen: Sequence[tuple[int, int]],
    analysis: TranscriptAnalysis,
    *,
    already: int = 0,
    floor: float = CONTENT_FLOOR,
) -> list[tuple[int, int]]:
    """``chosen`` (best first) less the ranges that are housekeeping rather than a moment:
    those whose mean content posterior is below ``floor``. The best of them stay while fewer
    than :data:`CLIPS_ALWAYS_KEPT` clips would be made, counting ``already`` made ones."""
    keep = [bool(analysis.content[first : last + 1].mean() >= floor) for first, last in chosen]
    for index in range(len(chosen)):
        if sum(keep) + already >= CLIPS_ALWAYS_KEPT:
            break
        keep[index] = True
    return [window for window, kept in zip(chosen, keep, strict=True) if kept]


def fit_scene_cuts(
    spans: list[Span],
    edges: Edges,
    scene_cuts_near: SceneCutsNear,
    *,
    min_length: float,
    max_length: float,
    score: Callable[[int, int], float],
) -> list[Span]:
    """Move each clip's edges onto nearby scene cuts where that cuts no word.

    ``scene_cuts_near(t0, t1)`` is asked only around the chosen clips' edges, so a
    caller that decodes video to find cuts decodes only those few seconds. It is asked
    from up to :data:`SCENE_WORKERS` threads at once, so it must be safe to call so.
    """
    around = [
        (max(0.0, edge - SCENE_REACH), edge + SCENE_REACH)
        for span in spans
        for edge in (edges.first_word[span.first], edges.last_word[span.last])
    ]
    # A hook that decodes video spends most of its time in the decoder, outside the GIL,
    # so two edges asked at once keep both cores busy: for ten clips of the bench's
    # 30-minute 1080p talk this step took 0.7-0.8 s instead of 1.0 s, and 1.2-1.3 s
    # instead of 1.9 s with the talk encoded like an upload (B frames).
    with ThreadPoolExecutor(SCENE_WORKERS) as pool:
        answers = list(pool.map(lambda window: sorted(scene_cuts_near(*window)), around))
    fitted: list[Span] = []
    for index, span in enumerate(spans):
        others = spans[:index] + spans[index + 1 :]
        start_cuts, end_cuts = answers[2 * index], answers[2 * index + 1]
        first = _choose_edge(
            span.first, span.last, start_cuts, edges, "start", others, min_length, max_length, score
        )
        last = _choose_edge(first, span.last, end_cuts, edges, "end", others, min_length, max_length, score)
        start = _cut_in_gap(start_cuts, edges.previous_end[first], edges.first_word[first], latest=True)
        end = _cut_in_gap(end_cuts, edges.last_word[last], edges.next_start[last], latest=False)
        moved = edges.span(first, last)
        fitted.append(
            Span(
                first,
                last,
                moved.start if start is None else round(start, 3),
                moved.end if end is None else round(end, 3),
            )
        )
    return fitted


def _choose_edge(
    first: int,
    last: int,
    cuts: list[float],
    edges: Edges,
    side: str,
    others: list[Span],
    min_length: float,
    max_length: float,
    score: Callable[[int, int], float],
) -> int:
    """The sentence index for one edge: unchanged, or one sentence away to meet a cut."""
    if side == "start":
        current, options = first, (first - 1, first + 1)
    else:
        current, options = last, (last + 1, last - 1)
    if _has_cut(cuts, edges, current, side):
        return current
    baseline = score(first, last)
    for option in options:
        if not 0 <= option < len(edges.starts) or not _has_cut(cuts, edges, option, side):
            continue
        a, b = (option, last) if side == "start" else (first, option)
        if a > b:
            continue
        candidate = edges.span(a, b)
        if not min_length <= candidate.end - candidate.start <= max_length:
            continue
        if any(candidate.overlaps(other) for other in others):
            continue
        if score(a, b) >= SCENE_SCORE_KEEP * baseline:
            return option
    return current


def _has_cut(cuts: list[float], edges: Edges, index: int, side: str) -> bool:
    if side == "start":
        return _cut_in_gap(cuts, edges.previous_end[index], edges.first_word[index], latest=True) is not None
    return _cut_in_gap(cuts, edges.last_word[index], edges.next_start[index], latest=False) is not None


def _cut_in_gap(cuts: list[float], gap_start: float, gap_end: float, *, latest: bool) -> float | None:
    """The cut in the silence ``[gap_start, gap_end]`` closest to the speech it borders."""
    if latest:
        gap_start = max(gap_start, gap_end - MAX_SNAP_SILENCE)
    else:
        gap_end = min(gap_end, gap_start + MAX_SNAP_SILENCE)
    inside = [cut for cut in cuts if gap_start <= cut <= gap_end]
    if not inside:
        return None
    return max(inside) if latest else min(inside)


def cuts_from_list(cuts: Iterable[float]) -> SceneCutsNear:
    """A ``scene_cuts_near`` hook over cut times already known for the whole source."""
    known = sorted(cuts)
    return lambda t0, t1: [cut for cut in known if t0 <= cut <= t1]
