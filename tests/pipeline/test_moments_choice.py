"""Choosing each clip again: the window of least expected edge error among its near ties."""

from __future__ import annotations

from collections import Counter

import pytest

from pipeline.moments import ClipOptions
from pipeline.moments.boundaries import Edges, WindowWords
from pipeline.moments.choice import choose_again
from pipeline.moments.features import analyse_transcript
from pipeline.moments.local import LocalAnalyser
from tests.pipeline.test_moments_local import timed_transcript

HOUSEKEEPING = ["Okay, quick note before we start.", "The newsletter link is in the description."]
STORY = [
    "Here is the thing nobody tells you about sourdough.",
    "The starter is not the flavour, the time is.",
    "I once left a dough in the fridge for three days by mistake.",
    "It was the best loaf I ever baked.",
    "The cold slows the yeast but lets the bacteria keep working.",
    "So if you want a sour loaf, give it a cold night, not a new starter.",
]
CLOSING = ["Alright, that is it for today.", "See you next week, bye."]


@pytest.fixture(scope="module")
def talk():
    analysis = analyse_transcript(timed_transcript(HOUSEKEEPING, STORY, CLOSING))
    return analysis, Edges(analysis), WindowWords(analysis)


def story_windows(analysis):
    """The story's last sentence, and windows ending on it that start on each of its first
    three sentences (the opening, one line in, two lines in)."""
    first = next(s.index for s in analysis.sentences if s.sentence == STORY[0])
    last = next(s.index for s in analysis.sentences if s.sentence == STORY[-1])
    return last, [(first, last), (first + 1, last), (first + 2, last)]


def test_it_takes_the_window_nearest_the_others_when_they_are_near_ties(talk):
    analysis, edges, words = talk
    _, (opening, one_in, two_in) = story_windows(analysis)
    likelihood = {opening: 0.2, one_in: 0.1, two_in: 0.3}

    # The likeliest starts two lines in; the others pull it back one.
    assert choose_again([two_in], likelihood, edges, words=words) == [one_in]


def test_it_keeps_a_window_far_likelier_than_the_others(talk):
    analysis, edges, words = talk
    _, (opening, one_in, two_in) = story_windows(analysis)
    likelihood = {opening: -3.0, one_in: -3.0, two_in: 4.0}

    assert choose_again([two_in], likelihood, edges, words=words) == [two_in]
    # Of two windows, the likelier one, whichever was chosen.
    assert choose_again([opening], {opening: 0.0, two_in: 0.5}, edges, words=words) == [two_in]


def test_it_weighs_the_lift_in_and_never_touches_another_clip(talk):
    analysis, edges, words = talk
    last, (opening, one_in, two_in) = story_windows(analysis)
    likelihood = {opening: 0.2, one_in: 0.1, two_in: 0.3}
    neighbour = (opening[0] - 1, opening[0] - 1)

    assert choose_again(
        [two_in], likelihood, edges, words=words, lift=lambda first, _: 3.0 * (first == opening[0])
    ) == [opening]
    assert choose_again([two_in, neighbour], likelihood, edges, words=words) == [one_in, neighbour]
    assert choose_again([two_in], likelihood, edges, words=words, taken=[(opening[0], opening[0])]) == [two_in]
    # A range that is no candidate, or ranked last, stays as it is.
    assert choose_again([(0, last)], likelihood, edges, words=words) == [(0, last)]
    assert choose_again([two_in], {**likelihood, two_in: float("-inf")}, edges, words=words) == [two_in]


def test_the_local_analyser_chooses_its_clips_again_without_turns(talk):
    analysis, _, _ = talk
    _, (opening, one_in, two_in) = story_windows(analysis)
    local = LocalAnalyser(analysis, ClipOptions(clip_count=1, min_length=5.0))
    assert local.turns is None
    # The ranker's log-odds, as the analyser keeps them: the likeliest starts two lines in.
    local.__dict__["likelihood"] = {opening: 0.2, one_in: 0.1, two_in: 0.3}

    spans, _ = local.find(1)

    assert [(span.first, span.last) for span in spans] == [one_in]


def test_it_reads_a_windows_words_from_the_running_sum_and_a_repeat_either_way_or_one_way():
    told = ["The cold slows the yeast but lets the bacteria keep working."]
    analysis = analyse_transcript(timed_transcript(HOUSEKEEPING, STORY, CLOSING, told))
    words = WindowWords(analysis)
    first, last = 2, 5
    summed = sum((analysis.vectors[i] for i in range(first, last + 1)), Counter())
    retold = len(analysis.sentences) - 1
    story = next(s.index for s in analysis.sentences if s.sentence == told[0])

    assert words.of(first, last) == pytest.approx([summed[term] for term in sorted(words.terms)])
    # The retelling is held whole in the story, and holds little of it.
    assert words.repeating([(story - 2, story)])((retold, retold))
    assert words.repeating([(retold, retold)])((story - 2, story))
    # Read one way (as ranges are picked, best first), holding a retelling is no repeat.
    assert words.repeating([(story - 2, story)], either_way=False)((retold, retold))
    assert not words.repeating([(retold, retold)], either_way=False)((story - 2, story))
    assert not words.repeating([(retold, retold)])((0, 1))
    assert not words.repeating([])((story - 2, story))
