"""A moment chosen by hand (pipeline.moments.span): snapped to words, padded, scored and written."""

from __future__ import annotations

from pipeline.moments.options import ClipOptions
from pipeline.moments.span import describe_words, words_between
from pipeline.types import Transcript

TALK = [
    "Most people think saving is about willpower.",
    "The secret nobody tells you is that money grows by itself.",
    "Put away ten dollars a week and in twenty years it is a fortune.",
    "Anyway, let's take a short break.",
]


def transcript() -> Transcript:
    """The talk from 1 s, a word every 0.4 s (each 0.3 s long), with 0.7 s between sentences."""
    words, sentences, at = [], [], 1.0
    for index, text in enumerate(TALK):
        first = len(words)
        for token in text.split():
            words.append({"text": f" {token}", "start": round(at, 2), "end": round(at + 0.3, 2)})
            at += 0.4
        sentences.append({"index": index, "sentence": text, "start": words[first]["start"],
                          "end": words[-1]["end"], "words": words[first:]})  # fmt: skip
        at += 0.6
    return Transcript.from_dict({"language": "en", "duration": at + 2, "words": words, "sentences": sentences})


def test_it_snaps_rough_times_to_the_words_whose_middle_they_hold():
    talk = transcript()
    assert words_between(talk, 4.4, 8.4) == (7, 16)  # "The" (4.4-4.7) to "by" (8.0-8.3)
    assert words_between(talk, 4.6, 8.4) == (8, 16)  # past the middle of "The"
    assert words_between(talk, 0.0, 0.9) is None and words_between(talk, 30.0, 40.0) is None


def test_it_describes_a_run_that_cuts_sentences_as_a_clip_of_just_those_words():
    talk = transcript()
    first, last = words_between(talk, 5.6, 10.9)  # "tells you ... ten dollars"
    moment = describe_words(talk, first, last, ClipOptions())
    assert moment.transcript == "tells you is that money grows by itself. Put away ten dollars"
    assert moment.sentence_indexes == [1, 2]
    # Padded into the silence, never past the middle of the gap to the next word.
    assert (moment.start, moment.end) == (5.55, 10.95)
    assert moment.title and moment.hooks.statement and moment.hashtags and 0 <= moment.score <= 100
    # Starting and ending mid-sentence costs completeness against the same words made whole.
    whole = describe_words(talk, 7, 31, ClipOptions())
    assert whole.sentence_indexes == [1, 2] and whole.scores.completeness > moment.scores.completeness

