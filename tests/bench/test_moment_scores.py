"""bench.moment_scores: the clips' scores in Ssemble's bands, and where the clips of filler are shown."""

from __future__ import annotations

import math
from types import SimpleNamespace

from bench.moment_scores import Tally, auc, bands, covers_a_moment
from bench.moments import Planted


def clip(start: float, end: float, score: int) -> SimpleNamespace:
    """What the bench reads of a clip."""
    return SimpleNamespace(start=start, end=end, score=score)


PLANTED = [Planted("a", 10.0, 40.0), Planted("b", 100.0, 130.0)]


def test_it_counts_a_clip_that_holds_half_a_moment_as_covering_it():
    assert covers_a_moment(clip(24.0, 60.0, 50), PLANTED), "16 of the moment's 30 s"
    assert not covers_a_moment(clip(26.0, 60.0, 50), PLANTED), "14 of 30 s"
    assert not covers_a_moment(clip(50.0, 90.0, 50), PLANTED), "filler only"


def test_it_reports_the_bands_and_the_rank_of_the_clips_of_filler():
    tally = Tally()
    tally.add([clip(50.0, 90.0, 70), clip(10.0, 40.0, 65), clip(100.0, 130.0, 30)], PLANTED)

    real, none, order = tally.lines()

    assert tally.real == [65, 30] and tally.none == [70] and tally.none_ranks == [1]
    assert "excellent 0.00, good 0.50, average 0.00, below average 0.50; median 48" in real
    assert "good 1.00" in none
    assert "mean rank 1.0, 1 among the first three" in order and "AUC real against none 0.00" in order


def test_it_reads_the_bands_inclusively_from_below():
    assert bands([80, 79, 60, 59, 40, 39, 0, 100]) == (
        "excellent 0.25, good 0.25, average 0.25, below average 0.25; median 60"
    )
    assert bands([]) == "none"


def test_it_counts_ties_as_half_in_the_auc():
    assert auc([3, 2], [1]) == 1.0
    assert auc([1], [1]) == 0.5
    assert math.isnan(auc([], [1]))
