"""The words and score of a span a user chose: what a clip trimmed to new times says.

A trimmed clip need not start or end on a sentence boundary. Each sentence it cuts
through is split into the part inside and the parts outside, so the local analyser
(:meth:`pipeline.moments.local.LocalAnalyser.describe`, the writer of every clip it
chooses) reads the clip's own words as whole sentences and the cut-off words as their
neighbours: nothing written about the clip quotes a word it no longer has, and the
score sees the cut (an unfinished last line, content left just outside an edge).

Only :data:`CONTEXT` sentences either side of the span are analysed, enough for the
signals that look around each edge (topic breaks, content left outside), so a span is
described in about a second however long the talk. The whole talk's word statistics
(its topics, its names) are therefore read from that stretch alone, and the audio's
loudness is not measured again: a span's score can differ a little from the score the
same span got when the video was analysed.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.moments.boundaries import Span
from pipeline.moments.features import analyse_transcript
from pipeline.moments.local import LocalAnalyser
from pipeline.moments.models import Moment
from pipeline.moments.options import ClipOptions
from pipeline.sentences import join_words
from pipeline.types import Sentence, Transcript, Word
from pipeline.words import sentence_words

CONTEXT = 4


def inside(word: Word, start: float, end: float) -> bool:
    """Whether a word belongs to the clip from ``start`` to ``end``: its middle is inside."""
    return start <= (word.start + word.end) / 2 < end


def describe_span(
    transcript: Transcript,
    start: float,
    end: float,
    options: ClipOptions,
    *,
    replays: Sequence[tuple[float, float, float]] = (),
) -> Moment | None:
    """The clip of ``transcript`` from ``start`` to ``end`` (its seconds) described and
    scored as the local analyser describes the clips it chooses; None when no word is
    spoken inside.

    ``options`` gives the genre, topic keywords and language; ``replays`` is the
    platform's "most replayed" graph on the transcript's timeline. The moment's
    ``sentence_indexes`` are the transcript's sentences the clip has words of, its
    ``transcript`` the words inside, and its ``start``/``end`` the span as given.
    """
    groups = sentence_words(transcript)
    touched = [i for i, words in enumerate(groups) if any(inside(w, start, end) for w in words)]
    if not touched:
        return None
    pieces: list[list[Word]] = []
    first = last = -1
    for i in range(max(0, touched[0] - CONTEXT), min(len(groups), touched[-1] + CONTEXT + 1)):
        before = [w for w in groups[i] if (w.start + w.end) / 2 < start]
        within = [w for w in groups[i] if inside(w, start, end)]
        after = [w for w in groups[i] if (w.start + w.end) / 2 >= end]
        for words, is_inside in ((before, False), (within, True), (after, False)):
            if not words:
                continue
            if is_inside:
                first = len(pieces) if first < 0 else first
                last = len(pieces)
            pieces.append(words)
    sentences = [Sentence(k, join_words(words), words[0].start, words[-1].end, words) for k, words in enumerate(pieces)]
    stretch = Transcript(language=transcript.language, duration=transcript.duration,
                         words=[w for words in pieces for w in words], sentences=sentences)  # fmt: skip
    moment = LocalAnalyser(analyse_transcript(stretch), options, None, replays).describe(Span(first, last, start, end))
    moment.sentence_indexes = touched
    moment.transcript = join_words([w for words in pieces[first : last + 1] for w in words])
    return moment
