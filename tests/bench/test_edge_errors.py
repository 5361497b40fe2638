"""bench.edge_errors: which way each found moment's clip misses its edges."""

from __future__ import annotations

from bench.edge_errors import CLEAN, kind, tally
from bench.moments_paired import Moment


def test_it_names_each_way_a_clip_can_miss_its_moment():
    assert kind(-0.2, 0.4) == CLEAN
    assert kind(5.0, 0.3) == "starts after the opening"
    assert kind(-0.1, -7.0) == "ends before the payoff"
    assert kind(-9.0, 0.2) == "starts in the filler before"
    assert kind(0.0, 6.0) == "runs into the filler after"
    assert kind(-10.0, -16.0) == "shifted earlier"
    assert kind(8.0, 4.0) == "shifted later"
    assert kind(6.0, -5.0) == "starts after the opening and ends before the payoff"


def test_it_counts_kinds_and_their_share_of_the_error_over_found_moments_only():
    moments = [
        Moment("t", "lecture", "a", 0.0, 0.0),
        Moment("t", "lecture", "b", 8.0, 0.0),
        Moment("t", "lecture", "c", 6.0, 0.0),
        Moment("t", "lecture", "d", None, None),
    ]

    lines = tally(moments)

    # Errors 0, 4 and 3 s: the two late starts carry all of it; the missed moment counts nowhere.
    first, second = lines
    assert first.split()[0] == "2" and "66.7% of moments" in first and "100.0% of the error" in first
    assert first.endswith("starts after the opening")
    assert second.split()[0] == "1" and "33.3% of moments" in second and " 0.0% of the error" in second
    assert second.endswith(CLEAN)
