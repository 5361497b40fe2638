"""Group recognised words into sentences: the ``sentences`` array clips are built from.

A sentence ends at sentence-ending punctuation or at a long pause. A run that is still
too long (in seconds or words) is cut at its best break: a clause mark (; : , or a
dash) and a gap between words, preferring later breaks so pieces stay near the limit
rather than splintering into fragments.
"""

from __future__ import annotations

import unicodedata

from pipeline.types import Sentence, Word

MAX_SECONDS = 15.0
MAX_WORDS = 40
PAUSE_SECONDS = 1.0

_SENTENCE_END = (".", "?", "!", "…", "。", "？", "！", "؟", "।")  # noqa: RUF001 - full-width marks on purpose
# Closing marks that may follow the sentence-ending one: `He said "no."` ends after `."`.
_CLOSERS = "\"'”’»)]}"  # noqa: RUF001 - typographic quotes on purpose
# A clause mark at the end of a word, with how good a place it is to break a long run.
_CLAUSE_MARKS = {";": 1.0, ":": 1.0, "—": 0.9, "–": 0.9, "-": 0.6, ",": 0.8, "，": 0.8, "、": 0.6}  # noqa: RUF001
# A word starting with one of these attaches to the previous word without a space.
_NO_SPACE_BEFORE = (",", ".", ";", ":", "!", "?", "%", ")", "]", "}")
# Abbreviations whose full stop does not end a sentence (compared lower-case, without it).
_ABBREVIATIONS = frozenset(
    ["mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "approx", "fig"]
)


def build_sentences(
    words: list[Word],
    *,
    max_seconds: float = MAX_SECONDS,
    max_words: int = MAX_WORDS,
    pause_seconds: float = PAUSE_SECONDS,
) -> list[Sentence]:
    """Split ``words`` (in time order) into sentences indexed from 0.

    A sentence ends after a word ending in sentence-ending punctuation (not an
    abbreviation such as "Dr." or an initial such as "J."), or before a word that starts
    ``pause_seconds`` or more after the previous one ended. A run longer than
    ``max_seconds`` or ``max_words`` is force-split at its best clause mark or pause so
    every piece fits; only a single word longer than ``max_seconds`` can exceed it.
    Each sentence spans its words (``start`` of the first, ``end`` of the last) and its
    text is the words joined by spaces (without them between CJK or Thai characters).
    Pure: the input is not modified.
    """
    if max_seconds <= 0 or max_words < 1 or pause_seconds <= 0:
        raise ValueError("max_seconds, max_words and pause_seconds must be positive")
    pieces: list[list[Word]] = []
    for run in _natural_runs(words, pause_seconds):
        pieces += _force_split(run, max_seconds, max_words, pause_seconds)
    return [
        Sentence(index=i, sentence=join_words(p), start=p[0].start, end=p[-1].end, words=list(p))
        for i, p in enumerate(pieces)
    ]


def _natural_runs(words: list[Word], pause_seconds: float) -> list[list[Word]]:
    runs: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        if current and (ends_sentence(current[-1].text) or word.start - current[-1].end >= pause_seconds):
            runs.append(current)
            current = []
        current.append(word)
    if current:
        runs.append(current)
    return runs


def ends_sentence(text: str) -> bool:
    """Whether a word ends its sentence: it ends in . ? ! (or CJK/Arabic equivalents),
    possibly followed by closing quotes or brackets, and is not an abbreviation."""
    stripped = text.rstrip(_CLOSERS)
    if not stripped.endswith(_SENTENCE_END):
        return False
    if stripped.endswith("."):
        bare = stripped.rstrip(".").lower()
        single_initial = len(bare) == 1 and bare.isalpha()
        if bare in _ABBREVIATIONS or single_initial:
            return False
    return True


def _fits(run: list[Word], max_seconds: float, max_words: int) -> bool:
    return len(run) <= max_words and run[-1].end - run[0].start <= max_seconds


def _force_split(
    run: list[Word], max_seconds: float, max_words: int, pause_seconds: float
) -> list[list[Word]]:
    pieces: list[list[Word]] = []
    # A single word longer than max_seconds has nowhere to break: it stays whole.
    while len(run) > 1 and not _fits(run, max_seconds, max_words):
        # The longest prefix that fits; break somewhere in its second half so no piece
        # is a short fragment, at the boundary with the strongest clause mark and pause.
        longest = 1
        while longest < len(run) and _fits(run[: longest + 1], max_seconds, max_words):
            longest += 1
        candidates = range(max(1, (longest + 1) // 2), longest + 1)
        cut = max(candidates, key=lambda k: (_break_strength(run, k, pause_seconds), k))
        pieces.append(run[:cut])
        run = run[cut:]
    pieces.append(run)
    return pieces


def _break_strength(run: list[Word], k: int, pause_seconds: float) -> float:
    """How good a break falls between ``run[k - 1]`` and ``run[k]``: clause mark plus pause."""
    before = run[k - 1]
    mark = before.text.rstrip(_CLOSERS)[-1:]
    gap = run[k].start - before.end
    return _CLAUSE_MARKS.get(mark, 0.0) + min(max(gap, 0.0), pause_seconds) / pause_seconds


def join_words(words: list[Word]) -> str:
    """The words' texts joined by spaces, except before a word that starts with closing
    punctuation (Whisper splits "3,800" into "3" and ",800") and between two characters
    of scripts written without spaces (Chinese, Japanese, Thai, ...)."""
    text = ""
    for word in words:
        piece = word.text.strip()
        if text and piece and not piece.startswith(_NO_SPACE_BEFORE) and not (
            _unspaced(text[-1]) and _unspaced(piece[0])
        ):
            text += " "
        text += piece
    return text


def _unspaced(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "IDEOGRAPHIC"))
