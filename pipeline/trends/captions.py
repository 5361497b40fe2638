"""A platform's own caption tracks turned into a timed :class:`~pipeline.types.Transcript`.

Formats read: YouTube's ``json3`` (events of segments, each automatic-caption word with
its own offset), WebVTT (``vtt``) and SubRip (``srt``). YouTube's automatic captions in
WebVTT "roll": every cue repeats the previous line and adds a new line whose words
carry inline ``<00:00:01.240><c> word</c>`` times, and a 10 ms cue then repeats the
finished line. In a file with inline times only the timed lines are read, so each
word is taken once, at its own time. Captions without word times (uploaded ones) give
each cue's time to its words in proportion to their length. Sound annotations
(``[Music]``, ``♪``) and speaker-change marks (``>>``) are not speech and are dropped.

:func:`rank_tracks` orders a video's tracks the way :meth:`Provider.fetch_captions`
tries them; :func:`caption_transcript` cuts the words at a time and builds sentences.
"""

from __future__ import annotations

import html
import json
import re

from pipeline.sentences import build_sentences
from pipeline.trends.platforms import CaptionTrack
from pipeline.types import Transcript, Word

# Formats this module reads, best first: json3 has per-word times for automatic captions.
CAPTION_EXTS = ("json3", "vtt", "srt")

_TIMING = re.compile(r"((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})")
_INLINE_TIME = re.compile(r"<((?:\d+:)?\d{1,2}:\d{2}\.\d{1,3})>")
_TAG = re.compile(r"<[^>]*>")
_ANNOTATION = re.compile(r"\[[^\]]*\]|♪+|>>")


def parse_captions(text: str, ext: str) -> list[Word]:
    """The words of a caption file in format ``ext`` (see :data:`CAPTION_EXTS`), in time order.

    Raises ValueError for a format not in :data:`CAPTION_EXTS` or a json3 file that is
    not JSON. Times are made monotonic and non-overlapping.
    """
    if ext == "json3":
        return _ordered(parse_json3(text))
    if ext in ("vtt", "srt"):
        return _ordered(parse_cues(text))
    raise ValueError(f"caption format {ext!r} is not one of {CAPTION_EXTS}")


def parse_json3(text: str) -> list[Word]:
    """Words of a YouTube json3 file: each segment at its event's start plus its offset.

    Appended newline events (``aAppend``) and window events without segments carry no
    words. A segment ends where the next one in its event starts, the last at the
    event's end.
    """
    words: list[Word] = []
    for event in json.loads(text).get("events") or []:
        segments = event.get("segs") or []
        if not segments or event.get("aAppend"):
            continue
        start = _ms(event.get("tStartMs"))
        end = start + _ms(event.get("dDurationMs"))
        pieces = [(start + _ms(segment.get("tOffsetMs")), str(segment.get("utf8") or "")) for segment in segments]
        for index, (piece_start, piece) in enumerate(pieces):
            piece_end = pieces[index + 1][0] if index + 1 < len(pieces) else end
            words += _spread(piece, piece_start, piece_end)
    return words


def parse_cues(text: str) -> list[Word]:
    """Words of a WebVTT or SubRip file (see the module docstring on rolling captions)."""
    cues = []
    for block in re.split(r"\n{2,}", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = block.strip("\n").split("\n")
        for index, line in enumerate(lines):
            timing = _TIMING.search(line)
            if timing:
                cues.append((_clock(timing.group(1)), _clock(timing.group(2)), lines[index + 1 :]))
                break
    rolling = any(_INLINE_TIME.search(line) for _, _, payload in cues for line in payload)
    words: list[Word] = []
    for start, end, payload in cues:
        if not rolling:
            words += _spread(" ".join(payload), start, end)
            continue
        for line in payload:
            if _INLINE_TIME.search(line):
                words += _timed_line(line, start, end)
    return words


def _timed_line(line: str, start: float, end: float) -> list[Word]:
    """The words of one line with inline times: the text before the first time starts with the cue."""
    parts = _INLINE_TIME.split(line)
    pieces = [(start, parts[0])] + [(_clock(parts[i]), parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
    words: list[Word] = []
    for index, (piece_start, piece) in enumerate(pieces):
        piece_end = pieces[index + 1][0] if index + 1 < len(pieces) else end
        words += _spread(piece, piece_start, piece_end)
    return words


def _spread(text: str, start: float, end: float) -> list[Word]:
    """The words of ``text`` sharing ``[start, end]`` in proportion to their length."""
    tokens = _ANNOTATION.sub(" ", html.unescape(_TAG.sub("", text))).split()
    if not tokens:
        return []
    span = max(end - start, 0.0)
    weights = [len(token) + 1 for token in tokens]
    total = sum(weights)
    words, elapsed = [], 0
    for token, weight in zip(tokens, weights, strict=True):
        word_start = start + span * elapsed / total
        elapsed += weight
        words.append(Word(token, round(word_start, 3), round(start + span * elapsed / total, 3)))
    return words


def _ordered(words: list[Word]) -> list[Word]:
    """``words`` with each starting no earlier than the previous one ends and ending by the next start.

    Caption cues overlap (a line stays up while the next is typed), and a word's end
    taken from its cue's end can pass the next word's start.
    """
    ordered: list[Word] = []
    for index, word in enumerate(words):
        start = max(word.start, ordered[-1].end if ordered else 0.0)
        following = words[index + 1].start if index + 1 < len(words) else word.end
        end = max(start, min(word.end, max(following, start)))
        ordered.append(Word(word.text, round(start, 3), round(end, 3), word.probability))
    return ordered


def rank_tracks(tracks: list[CaptionTrack], language: str) -> list[CaptionTrack]:
    """The tracks worth trying, best first: uploaded before automatic, then the video's
    ``language`` before English, then YouTube's original speech recognition (``-orig``)
    before other automatic tracks of the language, then by format (:data:`CAPTION_EXTS`).
    Tracks in other languages or formats are left out."""
    wanted = [base_language(language)] if language else []
    if "en" not in wanted:
        wanted.append("en")
    ranked = [
        ((track.automatic, wanted.index(base_language(track.language)), not track.language.endswith("-orig"),
          CAPTION_EXTS.index(track.ext)), track)
        for track in tracks
        if base_language(track.language) in wanted and track.ext in CAPTION_EXTS
    ]  # fmt: skip
    return [track for _, track in sorted(ranked, key=lambda item: item[0])]


def base_language(code: str) -> str:
    """The language part of a code: ``en`` for ``en-US``, ``en-orig`` or ``EN``."""
    return code.split("-")[0].split("_")[0].lower()


def caption_transcript(words: list[Word], *, language: str, until: float | None, duration: float | None,
                       model: str) -> Transcript:  # fmt: skip
    """A transcript of the caption ``words`` that start before ``until`` (None: all).

    ``duration`` (the video's length, if known) and ``until`` bound the transcript's
    ``duration`` and every word's end, as :class:`Transcript` requires.
    """
    bound = min(b for b in (until, duration) if b is not None) if (until, duration) != (None, None) else None
    kept = []
    for word in words:
        if bound is not None and word.start >= bound:
            break
        end = word.end if bound is None else min(word.end, bound)
        kept.append(Word(word.text, word.start, end, word.probability))
    total = bound if bound is not None else (kept[-1].end if kept else 0.0)
    return Transcript(language=base_language(language), duration=total, words=kept,
                      sentences=build_sentences(kept), model=model)  # fmt: skip


def _clock(text: str) -> float:
    """Seconds in a caption time such as ``01:02:03.450``, ``02:03.450`` or ``00:00:01,000``."""
    seconds = 0.0
    for part in text.replace(",", ".").split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def _ms(value: object) -> float:
    try:
        return float(value or 0) / 1000
    except (TypeError, ValueError):
        return 0.0
