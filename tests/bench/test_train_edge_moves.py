"""bench.train_edge_moves: which block a chosen clip is judged against, and which moves bring its edges closer."""

from __future__ import annotations

from bench.train_edge_moves import brings_closer, covered
from pipeline.moments.edge_moves import MOVES


def test_it_judges_a_clip_against_the_block_it_shares_most_sentences_with():
    blocks = [(0, 5), (6, 12), (20, 24)]

    assert covered((5, 9), blocks) == (6, 12)
    assert covered((3, 6), blocks) == (0, 5)
    assert covered((14, 18), blocks) is None


def test_it_teaches_a_move_as_good_only_when_it_brings_the_edge_closer():
    window = (5, 9)

    inside_a_longer_block = [move for move in MOVES if brings_closer(move, window, (3, 11))]
    around_a_shorter_block = [move for move in MOVES if brings_closer(move, window, (6, 8))]
    exact = {move: brings_closer(move, window, window) for move in MOVES}

    assert inside_a_longer_block == ["start_earlier", "end_later"]
    assert around_a_shorter_block == ["start_later", "end_earlier"]
    assert not any(exact.values())
    assert not any(brings_closer(move, window, None) for move in MOVES), "a clip of filler teaches no move"
