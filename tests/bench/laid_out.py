"""Tuning talks made up for the model-fitting benches: laid out as read, no speech needed."""

from __future__ import annotations

import numpy as np

from bench.languages import lay_out
from bench.moments import Block, Talk
from bench.train_moments import TalkData, lexical_cue


def laid_out(name: str, seed: int, dims: int = 16) -> TalkData:
    """A talk of eight blocks, steadily timed, with random embeddings of ``dims`` (the reading
    needs none real; a shipped probe reads the real model's 384)."""
    blocks = []
    for index in range(8):
        kind = "planted" if index % 2 else "filler"
        sentences = " ".join(f"This is sentence {n} of block {index} in the talk, told plainly." for n in range(5))
        blocks.append(Block(kind, f"b{index}", [("1", sentences)]))
    prepared, labels = lay_out(Talk(name, "solo talk", blocks), "en")
    embeddings = np.random.default_rng(seed).normal(size=(len(labels), dims)).astype(np.float32)
    return TalkData(name, prepared, embeddings, labels, lexical_cue(prepared.transcript.sentences))
