"""bench.moments: how a talk is spoken, and what its pauses give away."""

from __future__ import annotations

import wave

import numpy as np

from bench.moments import BLIND_GAP_SECONDS, BLOCK_GAP_SECONDS, Block, speak

BLOCKS = [
    Block("filler", "filler", [("1", "Hello and welcome back. Grab a coffee first.")]),
    Block("planted", "kiln", [("1", "My first kiln cracked every pot. The damper was shut.")]),
]


def silences(path) -> list[float]:
    """Seconds of every quiet stretch between two voiced ones (longer than a stop consonant)."""
    with wave.open(str(path)) as handle:
        rate = handle.getframerate()
        samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16)
    voiced = np.flatnonzero(np.abs(samples) > 300)
    gaps = np.diff(voiced) / rate
    return [float(g) for g in gaps if g > 0.15]


def test_it_pauses_longer_at_a_block_edge_than_inside_a_block_by_default(tmp_path):
    speech, planted, filler = speak(BLOCKS, tmp_path)

    inner_first, edge, inner_second = silences(speech)

    assert edge >= BLOCK_GAP_SECONDS
    assert edge > max(inner_first, inner_second)
    assert filler[0].end + BLOCK_GAP_SECONDS <= planted[0].start


def test_it_draws_every_pause_of_a_blind_talk_from_one_range_and_always_the_same(tmp_path):
    low, high = BLIND_GAP_SECONDS
    first, again = tmp_path / "first", tmp_path / "again"
    first.mkdir()
    again.mkdir()

    speech, planted, filler = speak(BLOCKS, first, gaps="blind")
    repeated, _, _ = speak(BLOCKS, again, gaps="blind")

    # Each sentence is its own utterance; espeak adds a little silence of its own to each.
    assert sorted(p.name for p in first.glob("block*.wav")) == [
        "block00-00-00.wav", "block00-00-01.wav", "block01-00-00.wav", "block01-00-01.wav"
    ]  # fmt: skip
    pauses = silences(speech)
    assert len(pauses) == 3
    assert all(low <= pause <= high + 0.4 for pause in pauses)
    assert filler[0].end < planted[0].start
    assert speech.read_bytes() == repeated.read_bytes()
