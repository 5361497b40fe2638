"""Second looks at a chosen clip's edges: move each by a sentence where that makes it whole.

The window ranker (:mod:`pipeline.moments.ranker`) chooses each clip as the best of all
windows; near a moment, the windows one sentence longer or shorter often rank almost as
well, and the one it picks starts a sentence late or ends a sentence early more often than
it runs into filler (docs/benchmarks.md, "Which way the edges miss": clips too short carry
43 % of the boundary error). For every chosen clip, four small logistic models, one per
move, read the evidence about the one sentence a move would add or drop (how much the
ranker prefers the window without the move, how surely that sentence alone is content,
the topic breaks on both its sides, whether it reads as an opening or a closing, its
length and the pause beside it) and say how likely the move brings the edge closer to
where the moment starts or ends:

* the start moves one sentence earlier while that is likely enough (:data:`GROW_ABOVE`),
  at most :data:`MAX_GROWTH` times; if it never did, one sentence later when that is
  likely enough (:data:`SHRINK_ABOVE`); the end likewise, later or earlier;
* a move never makes a window outside the length bounds (such a window is no candidate),
  nor one that overlaps another clip or tells its moment again
  (:func:`~pipeline.moments.boundaries.repeats`).

The models are fitted by ``python -m bench.train_edge_moves`` on tuning talks that neither
the content probe nor the ranker was fitted on, so they learn how the shipped ranker's
edges miss on unseen speech.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipeline.moments.boundaries import repeats
from pipeline.moments.features import TranscriptAnalysis
from pipeline.moments.ranker import WindowEvidence

MODEL_FILE = Path(__file__).with_name("edge_moves.npz")
# A move of each edge: its name, which edge it moves, and by how many sentences.
MOVES = ("start_earlier", "start_later", "end_later", "end_earlier")
_SHIFT = {"start_earlier": (-1, 0), "start_later": (1, 0), "end_later": (0, 1), "end_earlier": (0, -1)}
# What each model reads about the sentence a move adds or drops (``moved``) and its
# neighbour that stays inside the clip (``kept``), in the model's column order.
FEATURES = (
    "ranking_change", "alone_moved", "alone_kept", "content_moved", "break_between", "break_beyond",
    "edge_probe_moved", "edge_probe_kept", "question_moved", "seconds_moved", "words_moved", "pause",
)  # fmt: skip
# How likely a move must be to bring an edge closer before it is made. A clip grown into
# filler starts or ends inside it, so growing asks for more than shrinking; chosen by
# leave-one-round-out cross-validation on the fitting talks (docs/benchmarks.md, "The
# sixteenth round's candidate").
GROW_ABOVE = 0.75
SHRINK_ABOVE = 0.3
MAX_GROWTH = 2

Window = tuple[int, int]


@dataclasses.dataclass(frozen=True)
class MoveModel:
    """A logistic model on standardised FEATURES: the chance a move brings its edge closer."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (features + 1,): the last entry is the intercept

    def chance(self, row: np.ndarray) -> float:
        z = float(((row - self.mean) / self.scale) @ self.coef[:-1] + self.coef[-1])
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


def save_models(models: dict[str, MoveModel], path: Path = MODEL_FILE) -> None:
    arrays = {"features": np.array(FEATURES)}
    for move in MOVES:
        arrays.update({f"{move}_{f.name}": getattr(models[move], f.name) for f in dataclasses.fields(MoveModel)})
    np.savez(path, **arrays)


@functools.cache
def load_models(path: Path = MODEL_FILE) -> dict[str, MoveModel]:
    """The models in ``path``; raises ValueError when they were fitted on other features than FEATURES."""
    with np.load(path) as data:
        if tuple(str(name) for name in data["features"]) != FEATURES:
            raise ValueError(f"{path.name} was fitted on other edge features; run python -m bench.train_edge_moves")
        return {move: MoveModel(data[f"{move}_mean"], data[f"{move}_scale"], data[f"{move}_coef"]) for move in MOVES}


class EdgeMoves:
    """Reads and makes the moves of one transcript's windows.

    ``ranking`` is the ranker's value of every candidate window (the windows within the
    length bounds); a move to a window not in it is not made.
    """

    def __init__(self, analysis: TranscriptAnalysis, evidence: WindowEvidence, ranking: dict[Window, float]):
        self.analysis = analysis
        self.evidence = evidence
        self.ranking = ranking

    def row(self, window: Window, move: str) -> tuple[Window, np.ndarray] | None:
        """The window ``move`` makes of ``window`` and the FEATURES row of that move, or None
        when that window is no candidate."""
        first, last = window
        shift = _SHIFT[move]
        moved_window = (first + shift[0], last + shift[1])
        if moved_window[0] > moved_window[1] or moved_window not in self.ranking:
            return None
        a, e = self.analysis, self.evidence
        at_start = move.startswith("start")
        if at_start:
            moved, kept = (first - 1, first) if move == "start_earlier" else (first, first + 1)
        else:
            moved, kept = (last + 1, last) if move == "end_later" else (last, last - 1)
        lower, upper = min(moved, kept), max(moved, kept)
        probe = e.opens if at_start else e.closes
        values = {
            "ranking_change": self.ranking[moved_window] - self.ranking[window],
            "alone_moved": e.alone[moved],
            "alone_kept": e.alone[kept],
            "content_moved": e.logits[moved],
            "break_between": a.breaks[upper],
            # The break on the moved sentence's other side: where the edge would then lie.
            "break_beyond": a.breaks[moved] if at_start else a.breaks[moved + 1],
            "edge_probe_moved": probe[moved],
            "edge_probe_kept": probe[kept],
            "question_moved": float(a.signals[moved].question),
            "seconds_moved": a.last_word[moved] - a.first_word[moved],
            "words_moved": a.word_counts[moved] / 20.0,
            "pause": a.first_word[upper] - a.last_word[lower],
        }
        return moved_window, np.array([float(values[name]) for name in FEATURES])

    def apply(
        self,
        windows: Sequence[Window],
        models: dict[str, MoveModel],
        *,
        taken: Sequence[Window] = (),
    ) -> list[Window]:
        """``windows`` with their edges moved (see the module's docstring), in the same order;
        no window comes to overlap another of them or one of ``taken``."""
        result = list(windows)
        for index, window in enumerate(result):
            others = [*result[:index], *result[index + 1 :], *taken]
            for grow, shrink in (("start_earlier", "start_later"), ("end_later", "end_earlier")):
                grown = 0
                while grown < MAX_GROWTH:
                    read = self._read(window, grow, others)
                    if read is None or models[grow].chance(read[1]) <= GROW_ABOVE:
                        break
                    window, grown = read[0], grown + 1
                if not grown:
                    read = self._read(window, shrink, others)
                    if read is not None and models[shrink].chance(read[1]) > SHRINK_ABOVE:
                        window = read[0]
            result[index] = window
        return result

    def _read(self, window: Window, move: str, others: Sequence[Window]) -> tuple[Window, np.ndarray] | None:
        """:meth:`row`, or None when the moved window would overlap or repeat one of ``others``."""
        read = self.row(window, move)
        if read is None or any(read[0][0] <= last and first <= read[0][1] for first, last in others):
            return None
        return None if repeats(self.analysis, read[0], others) else read
