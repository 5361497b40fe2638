"""Real readers taking turns: two voices of the corpus cut into sentence-sized pieces.

Used by tests/pipeline/test_moments_turns.py and bench/turns.py. Each reader's recording is
read in order, a piece at a time, so no piece is heard twice; a turn is 1-4 pieces.
"""

from __future__ import annotations

import numpy as np

from pipeline.audio import SAMPLE_RATE


def taking_turns(
    first: np.ndarray, second: np.ndarray, piece: float = 2.5, seed: int = 7
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two readers (16 kHz mono) taking turns of 1-4 pieces of ``piece`` seconds, until
    one runs out: the audio, each piece's start in seconds, and who reads it (0 or 1)."""
    random = np.random.default_rng(seed)
    length = int(piece * SAMPLE_RATE)
    sources, read = (first, second), [0, 0]
    pieces, readers, reader = [], [], 0
    while True:
        turn = int(random.integers(1, 5))
        if read[reader] + turn * length > len(sources[reader]):
            break
        for _ in range(turn):
            pieces.append(sources[reader][read[reader] : read[reader] + length])
            readers.append(reader)
            read[reader] += length
        reader = 1 - reader
    return np.concatenate(pieces), np.arange(len(pieces)) * piece, np.array(readers)


def agreement(found: np.ndarray, truth: np.ndarray) -> float:
    """Share of sentences given the right voice, whichever of the two is called 0."""
    return max(float(np.mean(found == truth)), float(np.mean(found != truth)))
