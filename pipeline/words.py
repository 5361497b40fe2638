"""Transcript words as captions show them, and the corrections users make to them.

Whisper gives the pieces of a written number as separate words: "3,800" as "3" and
",800", "$5" as "$" and "5", "50%" as "50" and "%". :func:`join_numbers` puts them back
together where the words are made (:func:`pipeline.transcribe.transcribe`), so captions,
sentences and clip text all read "3,800". Transcripts stored before that keep the pieces
until a user merges them (:func:`merge_next`).

Corrections (:func:`replace_text`, :func:`merge_next`) keep the transcript's invariants
(words in time order, each sentence spanning its words) and its sentence numbering, which
clips refer to: a word never moves to another sentence, and a sentence whose words are
all removed stays, empty.

A clip's own styling of its words (emphasis, an emoji) is not part of the transcript:
:func:`styled` lays it over the words as :class:`CaptionWord` for the caption builder.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import unicodedata
from collections.abc import Sequence

from pipeline.sentences import join_words
from pipeline.types import Sentence, Transcript, Word

CURRENCY = "$£€¥₹"
# The rest of a number: ",800" or ".5" after digits, or a "%".
_NUMBER_TAIL = re.compile(r"[.,]\d|%")
# Marks that attach to the word before them when two words are merged.
_NO_SPACE_BEFORE = ",.;:!?%)]}'’"  # noqa: RUF001 - the typographic apostrophe on purpose
_NO_SPACE_AFTER = "([{\"'“‘" + CURRENCY  # noqa: RUF001 - typographic quotes on purpose
MAX_WORD_CHARS = 60
MAX_PIECES = 12
MAX_EMOJI_CHARS = 16
# Unicode categories an emoji sequence is made of: symbols, their modifiers, variation
# selectors and keycaps (marks), and the zero-width joiner (format).
_EMOJI_CATEGORIES = ("So", "Sk", "Mn", "Me", "Cf")


class WordEditError(ValueError):
    """A correction the transcript cannot take, said for the user; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclasses.dataclass
class CaptionWord(Word):
    """A word with one clip's styling: ``emphasis`` draws it in the template's emphasis
    colour, ``emoji`` is shown after it."""

    emphasis: bool = False
    emoji: str = ""


def continues_number(before: str, after: str) -> bool:
    """Whether ``after`` is the rest of the number or amount ``before`` starts: ",800" or
    ".5" or "%" after a word ending in a digit, or digits after a currency sign."""
    before, after = before.strip(), after.strip()
    if not before or not after:
        return False
    if before[-1].isdigit() and _NUMBER_TAIL.match(after):
        return True
    return before[-1] in CURRENCY and after[0].isdigit()


def join_numbers(words: Sequence[Word]) -> list[Word]:
    """``words`` with the pieces of each number or amount joined into one word (see
    :func:`continues_number`), spanning the pieces' time. Pure: the input is not modified."""
    joined: list[Word] = []
    for word in words:
        if joined and continues_number(joined[-1].text, word.text):
            joined[-1] = _glued(joined[-1], word)
        else:
            joined.append(dataclasses.replace(word))
    return joined


def replace_text(transcript: Transcript, index: int, text: str, *, at: float | None = None) -> Transcript:
    """``transcript`` with word ``index`` reading ``text``.

    Spaces in ``text`` split the word into several that share its time in proportion to
    their length; an empty ``text`` removes it. ``at``, when given, is the start the
    caller saw the word at: a word that no longer starts there has changed meanwhile.
    Raises :class:`WordEditError`.
    """
    _check_index(transcript, index, at)
    pieces = text.split()
    if len(pieces) > MAX_PIECES:
        raise WordEditError("text", f"A word can be split into at most {MAX_PIECES} words.")
    if any(len(piece) > MAX_WORD_CHARS for piece in pieces):
        raise WordEditError("text", f"A word can be at most {MAX_WORD_CHARS} characters long.")
    if any(not piece.isprintable() for piece in pieces):
        raise WordEditError("text", "A word cannot hold control characters.")
    owners = sentence_owners(transcript)
    words = list(transcript.words)
    new = _split(words[index], pieces)
    words[index : index + 1] = new
    owners[index : index + 1] = [owners[index]] * len(new)
    return _rebuilt(transcript, words, owners)


def merge_next(transcript: Transcript, index: int, *, at: float | None = None) -> Transcript:
    """``transcript`` with word ``index`` and the word after it made one word spanning both
    (no space before a mark such as ",800" or "%", or after a currency sign).

    Only words of one sentence merge. ``at`` is as for :func:`replace_text`. Raises
    :class:`WordEditError`.
    """
    _check_index(transcript, index, at)
    if index + 1 >= len(transcript.words):
        raise WordEditError("merge", "This is the last word: there is no next word to merge it with.")
    owners = sentence_owners(transcript)
    if owners[index] != owners[index + 1]:
        raise WordEditError("merge", "The next word starts another sentence; only words of one sentence merge.")
    words = list(transcript.words)
    words[index : index + 2] = [_glued(words[index], words[index + 1])]
    del owners[index + 1]
    return _rebuilt(transcript, words, owners)


def sentence_words(transcript: Transcript) -> list[list[Word]]:
    """The transcript's words grouped by sentence, one list per sentence (in order)."""
    groups: list[list[Word]] = [[] for _ in transcript.sentences]
    for word, owner in zip(transcript.words, sentence_owners(transcript), strict=True):
        if groups:
            groups[owner].append(word)
    return groups


def sentence_owners(transcript: Transcript) -> list[int]:
    """For each word, the position of its sentence.

    The sentences' own word lists say it when they hold exactly the transcript's words;
    otherwise (a transcript stored without them) a word belongs to the last sentence
    starting at or before it.
    """
    sentences = transcript.sentences
    if sentences and sum(len(s.words) for s in sentences) == len(transcript.words):
        return [position for position, s in enumerate(sentences) for _ in s.words]
    starts = [s.start for s in sentences]
    return [max(0, bisect.bisect_right(starts, word.start + 1e-6) - 1) for word in transcript.words]


def clean_emoji(text: str) -> str:
    """``text`` as one emoji (or a short run of them), stripped; "" for none.

    Raises :class:`WordEditError` for anything that is not emoji.
    """
    text = text.strip()
    if not text:
        return ""
    if len(text) > MAX_EMOJI_CHARS or not all(unicodedata.category(char) in _EMOJI_CATEGORIES for char in text):
        raise WordEditError("emoji", "The emoji must be emoji only, such as 🔥 or 💰.")
    return text


def styled(words: Sequence[Word], styles: Sequence[dict]) -> list[Word]:
    """``words`` with one clip's ``styles`` laid over them.

    A style is ``{"at", "emphasis", "emoji"}``: it applies to the word starting at ``at``
    (seconds, to the millisecond), which becomes a :class:`CaptionWord`; styles of words
    that are gone are ignored.
    """
    by_start = {round(float(style["at"]), 3): style for style in styles}
    out: list[Word] = []
    for word in words:
        style = by_start.get(round(word.start, 3))
        if style is None:
            out.append(word)
        else:
            out.append(CaptionWord(word.text, word.start, word.end, word.probability,
                                   emphasis=bool(style.get("emphasis")), emoji=style.get("emoji", "")))  # fmt: skip
    return out


def set_style(styles: Sequence[dict], at: float, *, emphasis: bool, emoji: str) -> list[dict]:
    """``styles`` with the word starting at ``at`` emphasised or not and given ``emoji``
    (cleaned, see :func:`clean_emoji`); a word left plain has no entry. Sorted by time."""
    at = round(float(at), 3)
    kept = [dict(style) for style in styles if round(float(style["at"]), 3) != at]
    emoji = clean_emoji(emoji)
    if emphasis or emoji:
        kept.append({"at": at, "emphasis": emphasis, "emoji": emoji})
    return sorted(kept, key=lambda style: style["at"])


def _check_index(transcript: Transcript, index: int, at: float | None) -> None:
    if not 0 <= index < len(transcript.words):
        raise WordEditError("index", f"There is no word {index}; the transcript has {len(transcript.words)}.")
    if at is not None and abs(transcript.words[index].start - at) > 0.0005:
        raise WordEditError("at", "The transcript changed since these words were shown; pick the word again.")


def _glued(first: Word, second: Word) -> Word:
    a, b = first.text.strip(), second.text.strip()
    tight = continues_number(a, b) or b.startswith(tuple(_NO_SPACE_BEFORE)) or a.endswith(tuple(_NO_SPACE_AFTER))
    space = "" if tight else " "
    return Word(a + space + b, first.start, max(first.end, second.end), min(first.probability, second.probability))


def _split(word: Word, pieces: list[str]) -> list[Word]:
    """``word`` as ``pieces``, each taking a share of its time in proportion to its length."""
    if len(pieces) < 2:
        return [dataclasses.replace(word, text=piece) for piece in pieces]
    total = sum(len(piece) for piece in pieces)
    span = word.end - word.start
    words, start, done = [], word.start, 0
    for piece in pieces:
        done += len(piece)
        end = word.end if done == total else round(word.start + span * done / total, 3)
        words.append(Word(piece, start, end, word.probability))
        start = end
    return words


def _rebuilt(transcript: Transcript, words: list[Word], owners: list[int]) -> Transcript:
    """``transcript`` with ``words``, each in the sentence at its owner's position; every
    sentence's text and span made again from its words (an emptied one keeps its span)."""
    if not transcript.sentences:
        return dataclasses.replace(transcript, words=words)
    groups: list[list[Word]] = [[] for _ in transcript.sentences]
    for word, owner in zip(words, owners, strict=True):
        groups[owner].append(word)
    sentences = [
        Sentence(index=position, sentence=join_words(group), start=group[0].start, end=group[-1].end, words=group)
        if group
        else Sentence(index=position, sentence="", start=old.start, end=old.end, words=[])
        for position, (old, group) in enumerate(zip(transcript.sentences, groups, strict=True))
    ]
    return dataclasses.replace(transcript, words=words, sentences=sentences)
