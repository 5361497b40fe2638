"""WindowScorer: each window's sums, read from running sums, against the sentences themselves."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from pipeline.moments import ClipOptions
from pipeline.moments.features import analyse_transcript
from pipeline.moments.scoring import HOOK_SECONDS, WindowScorer
from tests.pipeline.test_moments_local import ADVICE, BAKING, GREETING, OUTRO, SPONSOR, STORY, timed_transcript


@pytest.fixture(scope="module")
def analysis():
    return analyse_transcript(timed_transcript(GREETING, STORY, SPONSOR, ADVICE, BAKING, OUTRO))


def firm(filler: float) -> float:
    return min(1.0, max(0.0, (filler - 0.1) / 0.9))


def test_it_sums_every_window_as_its_sentences_do(analysis):
    a = analysis
    rng = np.random.default_rng(11)
    frames = rng.normal(0, 0.1, int(a.duration * 16_000) + 16_000).astype(np.float32)
    scorer = WindowScorer(a, ClipOptions(), audio=frames)
    count = len(a.sentences)
    # Every window, the one-sentence ones and those at either end of the transcript included.
    for first, last in itertools.combinations_with_replacement(range(count), 2):
        signals = scorer.score(first, last).signals
        inside = range(first, last + 1)
        content = [float(a.content[i]) for i in inside]
        advice = sum(float(a.content[i]) * a.signals[i].advice for i in inside)
        story = sum(float(a.content[i]) * 0.8 * a.signals[i].story for i in inside)
        assert signals["share_advice"] == pytest.approx(advice, abs=1e-9)
        assert signals["share_story"] == pytest.approx(story, abs=1e-9)
        firmness = [firm(1.0 - c) for c in content]
        assert signals["filler"] == pytest.approx(sum(firmness) / len(firmness), abs=1e-9)
        run = max(map(min, itertools.pairwise(firmness))) if len(firmness) > 1 else firmness[0]
        assert signals["filler_run"] == pytest.approx(run, abs=1e-9)
        inner = [float(a.breaks[g]) for g in range(first + 1, last + 1)]
        assert signals["inner_peak"] == pytest.approx(max(inner, default=0.0), abs=1e-12)
        span = max(0.5, a.last_word[last] - a.first_word[first])
        assert signals["rate"] == pytest.approx(sum(int(a.word_counts[i]) for i in inside) / span, abs=1e-9)
        dead = sum(max(0.0, a.first_word[i + 1] - a.last_word[i] - 0.6) for i in range(first, last))
        assert signals["dead_air"] == pytest.approx(dead / span, abs=1e-9)
        opening = [i for i in inside if a.first_word[i] - a.first_word[first] < HOOK_SECONDS]
        questions = sum((1.0 if i == first else 0.5) * (1.0 - a.filler[i]) * a.signals[i].question for i in opening)
        assert signals["hook_question"] == pytest.approx(min(30.0, 30.0 * questions), abs=1e-9)


def test_it_counts_a_keyword_phrase_whose_words_are_spoken_in_two_sentences(analysis):
    a = analysis
    first = next(i for i, s in enumerate(a.sentences) if s.sentence == BAKING[0])  # "Sourdough bread ..."
    fridge = next(i for i, s in enumerate(a.sentences) if s.sentence == BAKING[2])  # "... in the fridge ..."
    scorer = WindowScorer(a, ClipOptions(keywords=["sourdough fridge"]))

    assert scorer.score(first, fridge).signals["share_topic"] == 20.0
    assert scorer.score(first, fridge - 1).signals["share_topic"] == 0.0, "the fridge is not in this window"
    assert scorer.score(first + 1, fridge).signals["share_topic"] == 0.0, "nor is the sourdough in this one"
    assert WindowScorer(a, ClipOptions()).score(first, fridge).signals["share_topic"] == 0.0


def test_it_lifts_a_window_by_its_replays_weighted_by_words(analysis):
    a = analysis
    # The second half of the source is replayed fully, the first half not at all.
    middle = a.duration / 2
    scorer = WindowScorer(a, ClipOptions(), replays=[(0.0, middle, 0.0), (middle, a.duration, 1.0)])
    lifts = scorer.replayed
    for first, last in itertools.combinations_with_replacement(range(len(a.sentences)), 2):
        words = a.word_counts[first : last + 1]
        expected = float(np.dot(lifts[first : last + 1], words) / words.sum())
        assert scorer.score(first, last).signals["replay"] == pytest.approx(expected, abs=1e-9)
    assert math.isclose(lifts.max() - lifts.min(), 1.0, abs_tol=0.05)
