"""A span the user chose, described and scored by the local analyser (pipeline.moments.trim)."""

from __future__ import annotations

import pytest

from pipeline.moments.options import ClipOptions
from pipeline.moments.trim import describe_span
from pipeline.types import Transcript
from tests.clips.test_words import LINES, talk_transcript


@pytest.fixture(scope="module")
def talk() -> Transcript:
    return Transcript.from_dict(talk_transcript())


def test_it_describes_the_words_inside_a_span_cut_through_sentences(talk):
    third, fourth = talk.sentences[2], talk.sentences[3]
    whole = describe_span(talk, third.start - 0.2, fourth.end + 0.2, ClipOptions())
    # From "say no" (the third sentence's sixth word) to the fourth's "hours".
    cut = describe_span(talk, third.words[5].start - 0.02, fourth.words[-3].end + 0.02, ClipOptions())

    assert cut.sentence_indexes == [2, 3] and (cut.start, cut.end) == (third.words[5].start - 0.02,
                                                                       fourth.words[-3].end + 0.02)  # fmt: skip
    assert cut.transcript == "no to every meeting without an agenda. Saying no saved our engineers four hours"
    assert whole.transcript == f"{LINES[2]} {LINES[3]}"
    # Nothing written about the cut clip quotes the words cut away.
    written = " ".join([cut.title, cut.hooks.question, cut.hooks.statement, cut.description])
    assert "Saying no saved our engineers four hours" in written
    assert "a day" not in written and "Then we learned" not in written and "agenda" not in cut.title
    assert "a day" in whole.title + whole.hooks.statement + whole.description
    # Scored on its own words: the sub-scores differ (a total may be 0 for both).
    assert cut.description.endswith(" ".join(cut.hashtags)) and cut.scores != whole.scores


def test_it_writes_a_short_english_span_in_english(talk):
    fourth = talk.sentences[3]  # "Saying no saved ...": "no" and "a" are Portuguese words too
    moment = describe_span(talk, fourth.start - 0.2, fourth.end + 0.2, ClipOptions())
    assert moment.reason.startswith("This clip") and "é" not in moment.hooks.question


def test_it_says_none_for_a_span_without_words(talk):
    assert describe_span(talk, 40.0, 44.0, ClipOptions()) is None

