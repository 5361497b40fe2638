"""A clip made from a stretch of the transcript the user selected: its words and padded edges.

The words are described by :func:`pipeline.moments.trim.describe_span`, the local
analyser's writer and scorer for any span.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.moments.boundaries import PAD
from pipeline.moments.models import Moment
from pipeline.moments.options import ClipOptions
from pipeline.moments.trim import describe_span, inside
from pipeline.types import Transcript


def words_between(transcript: Transcript, start: float, end: float) -> tuple[int, int] | None:
    """``(first, last)``: the indexes of the first and last word spoken from ``start`` to
    ``end`` (a word's middle inside), or None when none is."""
    found = [i for i, word in enumerate(transcript.words) if inside(word, start, end)]
    return (found[0], found[-1]) if found else None


def describe_words(
    transcript: Transcript,
    first: int,
    last: int,
    options: ClipOptions,
    *,
    replays: Sequence[tuple[float, float, float]] = (),
) -> Moment:
    """Words ``first..last`` of ``transcript`` as a clip (see :func:`describe_span`), its
    edges padded as found clips' are: up to :data:`~pipeline.moments.boundaries.PAD`
    seconds into the silence around them, never past the middle of the gap to the
    neighbouring word."""
    words = transcript.words
    before = words[first - 1].end if first > 0 else 0.0
    after = words[last + 1].start if last + 1 < len(words) else max(transcript.duration, words[last].end)
    start = min(words[first].start, max(words[first].start - PAD, (before + words[first].start) / 2 if first else 0.0))
    end = max(words[last].end, min(words[last].end + PAD, (words[last].end + after) / 2 if last + 1 < len(words)
                                   else after))  # fmt: skip
    moment = describe_span(transcript, round(start, 3), round(end, 3), options, replays=replays)
    if moment is None:  # the words are there: only a word of no length has no middle inside its own span
        raise ValueError(f"words {first}..{last} have no time to describe")
    return moment
