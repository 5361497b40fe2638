"""Small text helpers: tokens, a light stemmer, phrase lookup and sparse cosine similarity."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*%?")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def tokens(text: str) -> list[str]:
    """Lower-case word tokens, keeping contractions (``don't``) and percentages whole."""
    return _TOKEN.findall(text.lower().translate(_APOSTROPHES))


def phrase_text(words: Iterable[str]) -> str:
    """Tokens joined with a space on each side, so :func:`count_phrases` matches whole words."""
    return " " + " ".join(words) + " "


def count_phrases(padded: str, phrases: Iterable[str]) -> int:
    """How many of ``phrases`` occur as whole-word runs in ``padded`` (from :func:`phrase_text`)."""
    return sum(1 for phrase in phrases if f" {phrase} " in padded)


def stem(word: str) -> str:
    """Fold common inflections together (``habits``/``habit``, ``saving``/``saved``/``save``).

    A deliberately light suffix stripper: similarity and keywords only need related
    forms to collide, not linguistically correct roots.
    """
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 4:
        return word
    for suffix, replacement, minimum in (
        ("ies", "y", 5),
        ("sses", "ss", 6),
        ("ness", "", 7),
        ("ment", "", 8),
        ("ing", "", 6),
        ("edly", "", 7),
        ("ed", "", 5),
        ("ly", "", 6),
        ("es", "", 6),
        ("s", "", 4),
    ):
        if word.endswith(suffix) and len(word) >= minimum and not word.endswith("ss"):
            word = word[: len(word) - len(suffix)] + replacement
            break
    if len(word) > 4 and word[-1] == "e":
        word = word[:-1]
    return word


def is_number(token: str) -> bool:
    return any(ch.isdigit() for ch in token)


def cosine(left: Counter, right: Counter) -> float:
    """Cosine similarity of two sparse weighted bags of words (0 when either is empty)."""
    if not left or not right:
        return 0.0
    small, large = (left, right) if len(left) < len(right) else (right, left)
    dot = sum(weight * large.get(key, 0.0) for key, weight in small.items())
    norm = math.sqrt(sum(w * w for w in left.values())) * math.sqrt(sum(w * w for w in right.values()))
    return dot / norm if norm else 0.0
