"""Each chosen clip chosen again: the window of least expected edge error for its moment.

The ranking chooses each clip as the likeliest window of its moment, but the windows around
a moment are near ties (one a line later, one a line shorter, one taking in the set-up
line), and the likeliest of a spread of near ties is often at one end of the spread. So
each chosen clip is chosen again among the candidate windows that could be the same moment
(those sharing :data:`SAME_MOMENT_IOU` of their joint time with it and neither touching nor
repeating another clip) as the one whose edges are nearest, on average, to those of all of
them, each weighed by how likely it is (a softmax of :data:`TEMPERATURE` times its log-odds):
the decision of least expected edge error. With one window far likelier than the rest it
is that window; with two, the likelier one. In a conversation a window's edges on the
speaker turns lift its log-odds first (:meth:`~pipeline.moments.turns.Turns.lift`).

Measured on the tuning talks, blind, with the shipped models (docs/benchmarks.md, "The
thirty-first round's candidate"): the 223 moments of the two rounds the ranker was not
fitted on, edges 1.32 s → 1.27 s (temperature 0.5: 1.32 s, 2: 1.32 s, 4: 1.34 s); the 880
of the eight rounds before them, 1.66 s → 1.63 s; moments found and filler edges unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from pipeline.moments.boundaries import Edges, WindowWords

# The least share of their joint time (intersection over union) a window must have in
# common with a chosen clip to be chosen in its place: with any overlap a clip can drift
# onto the next moment (docs/benchmarks.md, "The twenty-second round's candidate"); below
# about a quarter it starts to (docs/benchmarks.md, "The twenty-fourth round's candidate").
SAME_MOMENT_IOU = 0.35
# How sharply the windows' log-odds weigh them: at 1 their odds, as the ranker rates them.
TEMPERATURE = 1.0

Lift = Callable[[int, int], float]


def choose_again(
    kept: Sequence[tuple[int, int]],
    likelihood: Mapping[tuple[int, int], float],
    edges: Edges,
    *,
    words: WindowWords,
    lift: Lift | None = None,
    taken: Sequence[tuple[int, int]] = (),
) -> list[tuple[int, int]]:
    """``kept`` (sentence ranges) with each range chosen again among the candidate ranges of
    ``likelihood`` (range -> the ranker's log-odds, ``lift(first, last)`` added when given)
    whose padded time (``edges``) shares at least :data:`SAME_MOMENT_IOU` of the joint time
    with it and that neither touch nor, read in the transcript's ``words``, repeat another range of
    ``kept`` or ``taken`` (:meth:`~pipeline.moments.boundaries.WindowWords.repeating`): the one whose
    padded start and end are nearest, summed, to theirs on average, each weighed by the
    softmax of :data:`TEMPERATURE` times its log-odds. On a tie the range stays; one that is
    not a finite candidate stays."""
    chosen = []
    for index, (first, last) in enumerate(kept):
        if not np.isfinite(likelihood.get((first, last), -np.inf)):
            chosen.append((first, last))
            continue
        others = [*kept[:index], *kept[index + 1 :], *taken]
        windows = [(first, last), *_same_moment((first, last), likelihood, edges, words.repeating(others), others)]
        values = np.array([likelihood[window] + (lift(*window) if lift else 0.0) for window in windows])
        weights = np.exp(TEMPERATURE * (values - values.max()))
        starts = np.array([edges.starts[start] for start, _ in windows])
        ends = np.array([edges.ends[end] for _, end in windows])
        expected = (np.abs(starts[:, None] - starts) + np.abs(ends[:, None] - ends)) @ (weights / weights.sum())
        chosen.append(windows[int(np.argmin(expected))])
    return chosen


def _same_moment(
    clip: tuple[int, int],
    likelihood: Mapping[tuple[int, int], float],
    edges: Edges,
    repeats: Callable[[tuple[int, int]], bool],
    others: Sequence[tuple[int, int]],
) -> list[tuple[int, int]]:
    """The candidate ranges other than ``clip`` that could be its moment (see :func:`choose_again`)."""
    first, last = clip
    clip_start, clip_end = edges.starts[first], edges.ends[last]
    found = []
    for start, end in likelihood:
        if (start, end) == clip or end < first or start > last or not np.isfinite(likelihood[start, end]):
            continue
        if any(start <= b and a <= end for a, b in others):
            continue
        window_start, window_end = edges.starts[start], edges.ends[end]
        shared = min(clip_end, window_end) - max(clip_start, window_start)
        if shared < SAME_MOMENT_IOU * (max(clip_end, window_end) - min(clip_start, window_start)):
            continue
        # The choice already dropped a moment told twice; choosing a clip again must not
        # grow it onto the other telling (the "moment told twice" scenario in a talk).
        if not repeats((start, end)):
            found.append((start, end))
    return found
