"""The local analyser (ClipBasic) on transcripts with known word timings."""

from __future__ import annotations

import itertools
import json
import math
import threading
import time

import numpy as np
import pytest

from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions, MomentsResult, cuts_from_list, find_moments
from pipeline.moments.boundaries import CLIPS_ALWAYS_KEPT, SCENE_REACH, SCENE_WORKERS
from pipeline.moments.features import analyse_transcript
from pipeline.moments.local import MOMENT_WEIGHTS, LocalAnalyser, moment_evidence, moment_probability
from pipeline.sentences import build_sentences
from pipeline.types import Transcript, Word

SECONDS_PER_WORD = 0.36
SENTENCE_GAP = 0.35
BLOCK_GAP = 0.8

GREETING = [
    "Hi everyone, and welcome back to the channel.",
    "Can you hear me okay?",
    "Let me just share my screen, one second.",
    "Okay, there we go, I think that's working now.",
    "Before we get started, please hit subscribe and turn on the notification bell.",
]
SPONSOR = [
    "Today's video is sponsored by a password manager.",
    "Use the code in the description to get a discount on your first year.",
    "The link is in the description below, thanks to them for supporting the channel.",
]
LOGISTICS = [
    "Okay, quick reminder about the schedule.",
    "We will take a short break after this, and the Q and A is at the end.",
    "The slides will be in the chat afterwards.",
]
OUTRO = [
    "That's all for today, thanks for watching.",
    "See you in the next one, bye.",
]
STORY = [
    "When I was nineteen, I crashed my father's car two days after getting my licence.",
    "I was terrified to tell him, so I hid it for a whole week.",
    "When he finally found out, he didn't shout at all.",
    "He said the car could be fixed, but the lie hurt him far more than the dent.",
    "That's why I always tell the truth now, even when it costs me.",
]
ADVICE = [
    "Why do most people fail to save money?",
    "It's not because they earn too little.",
    "It's because they save whatever is left at the end of the month, and nothing is ever left.",
    "Pay yourself first instead.",
    "Move ten percent to savings the day your salary arrives, before you spend a single dollar.",
    "Do that for one year and you will be shocked by the difference.",
]
BAKING = [
    "Sourdough bread only needs three ingredients, flour, water and salt.",
    "The secret is time, not technique.",
    "A long cold rise in the fridge overnight gives the dough its sour flavour and open crumb.",
    "Most beginners rush it and then wonder why their loaf is dense and flat.",
    "Give it twenty four hours and even a simple loaf tastes like it came from a bakery.",
]


def timed_transcript(*blocks: list[str]) -> Transcript:
    """A transcript of ``blocks`` of sentences spoken at a steady rate, built by the real sentence splitter.

    Sentences within a block are ``SENTENCE_GAP`` apart and blocks ``BLOCK_GAP`` apart,
    roughly like connected speech.
    """
    words, cursor = [], 0.5
    for block in blocks:
        for sentence in block:
            for token in sentence.split():
                words.append(Word(token, round(cursor, 3), round(cursor + SECONDS_PER_WORD - 0.06, 3)))
                cursor += SECONDS_PER_WORD
            cursor += SENTENCE_GAP
        cursor += BLOCK_GAP - SENTENCE_GAP
    return Transcript(
        language="en", duration=round(cursor + 0.5, 3), words=words, sentences=build_sentences(words)
    )


def block_span(transcript: Transcript, block: list[str]) -> tuple[float, float]:
    """Start of the block's first word and end of its last, found by text."""
    first = next(s for s in transcript.sentences if s.sentence == block[0])
    last = next(s for s in transcript.sentences if s.sentence == block[-1])
    return first.start, last.end


def overlap(moment, span: tuple[float, float]) -> float:
    return max(0.0, min(moment.end, span[1]) - max(moment.start, span[0])) / (span[1] - span[0])


@pytest.fixture(scope="module")
def talk() -> Transcript:
    return timed_transcript(GREETING, STORY, SPONSOR, ADVICE, LOGISTICS, BAKING, OUTRO)


OPTIONS = {"min_length": 10, "max_length": 60, "clip_count": 3}


def test_it_ranks_the_real_moments_above_housekeeping(talk):
    result = find_moments(talk, ClipOptions(**OPTIONS), PipelineConfig())

    assert result.analyser == "local" and result.warnings == []
    assert [m.rank for m in result.moments] == [1, 2, 3]
    for block in (STORY, ADVICE, BAKING):
        span = block_span(talk, block)
        best = max(overlap(m, span) for m in result.moments)
        assert best >= 0.8, f"{block[0]!r} covered only {best:.0%}"
    housekeeping = [block_span(talk, b) for b in (GREETING, SPONSOR, LOGISTICS, OUTRO)]
    for moment in result.moments:
        assert all(overlap(moment, span) < 0.3 for span in housekeeping), moment.transcript
        assert 0 <= moment.score <= 100
        assert all(0 <= v <= 100 for v in moment.scores.to_dict().values())
    assert [m.score for m in result.moments] == sorted((m.score for m in result.moments), reverse=True)


def test_it_makes_fewer_clips_than_asked_rather_than_clips_of_housekeeping(talk):
    result = find_moments(talk, ClipOptions(**{**OPTIONS, "clip_count": 6}), PipelineConfig())

    assert len(result.moments) == 3
    for block in (STORY, ADVICE, BAKING):
        assert max(overlap(m, block_span(talk, block)) for m in result.moments) >= 0.8
    assert result.warnings == [
        "Only 3 of the 6 clips asked for were made: the rest of the video reads as greetings, housekeeping "
        "or filler rather than a moment worth posting."
    ]


MERCH = [
    "Quick note before we go on, the merch store is open again this week.",
    "There are hoodies and mugs, and the link is pinned in the comments.",
    "Shipping takes about a week, so order early if you want it before the holidays.",
]
STREAM = [
    "Also, thanks to everyone who joined the live stream last Friday.",
    "We had a great turnout and I read every single comment afterwards.",
    "The next stream is on Thursday at six, same time as always.",
]
CHAT = [
    "Alright, let me check the chat for a second.",
    "I see a few people asking about the microphone, it is the same one as last year.",
    "Okay, moving on, where was I.",
]


SHORT = {"min_length": 10, "max_length": 25}


@pytest.fixture(scope="module")
def housekeeping() -> Transcript:
    return timed_transcript(GREETING, SPONSOR, MERCH, LOGISTICS, STREAM, CHAT, OUTRO)


def test_it_always_makes_a_few_clips_even_of_a_talk_without_a_moment(housekeeping):
    # Short clips, so that the talk holds more housekeeping clips than are always made.
    five = find_moments(housekeeping, ClipOptions(**SHORT, clip_count=5), PipelineConfig())
    two = find_moments(housekeeping, ClipOptions(**SHORT, clip_count=2), PipelineConfig())

    assert len(five.moments) == CLIPS_ALWAYS_KEPT == 3
    assert five.warnings and five.warnings[0].startswith("Only 3 of the 5 clips asked for were made")
    assert len(two.moments) == 2 and two.warnings == []
    assert all(m.score < 60 for m in five.moments), "housekeeping never scores in the viral bands"


# A real moment told in plain words: little of what the word lists reward.
PLAIN = [
    "The river behind our house changes colour every spring.",
    "Snow melts up in the hills and carries red clay down the valley.",
    "For a while the water turns the colour of strong tea.",
    "The fish move into the side streams, where the water stays clear.",
    "The herons follow them there and wait on the rocks.",
    "When the clay settles, the fish come back and the herons go with them.",
]


def test_it_scores_a_sure_moment_at_least_average_but_only_its_signals_make_it_good():
    talk = timed_transcript(GREETING, PLAIN, SPONSOR, ADVICE, LOGISTICS, OUTRO)
    options = ClipOptions(min_length=10, max_length=60, clip_count=2)
    local = LocalAnalyser(analyse_transcript(talk), options)

    result = find_moments(talk, options, PipelineConfig())

    plain, advice = (next(m for m in result.moments if overlap(m, block_span(talk, b)) > 0.8) for b in (PLAIN, ADVICE))
    plain_hand, advice_hand = (
        local.scorer.score(m.sentence_indexes[0], m.sentence_indexes[-1]).total for m in (plain, advice)
    )
    assert plain_hand < 50 and 50 <= plain.score < 60, "lifted to the top of the average band, no further"
    assert advice.score == round(advice_hand) >= 60, "a hook, numbers and a payoff make it good on their own"
    assert [m.rank for m in (advice, plain)] == [1, 2]


def test_it_reads_a_moment_as_surer_the_likelier_and_the_more_surely_content_it_is():
    assert moment_probability(2.0, 0.9) > moment_probability(0.0, 0.9) > moment_probability(-2.0, 0.9)
    assert moment_probability(1.0, 0.95) > moment_probability(1.0, 0.5) > moment_probability(1.0, 0.05)
    assert 0.0 < moment_probability(-float("inf"), 0.0) < moment_probability(30.0, 1.0) < 1.0


def test_it_reads_the_evidence_of_a_moment_finitely_at_the_extremes():
    # A merge the ranker put last (minus infinity) and a window read as surely content or not.
    extremes = {(-float("inf"), 0.0): (-30.0, -math.log(49.0)), (4.0, 1.0): (4.0, math.log(49.0))}
    for (logodds, content), (read, logit) in extremes.items():
        evidence = moment_evidence(logodds, content)
        assert evidence[0] == read and math.isclose(evidence[1], logit) and evidence[2] == 1.0
    z = sum(w * x for w, x in zip(MOMENT_WEIGHTS, moment_evidence(1.5, 0.9), strict=True))
    assert math.isclose(moment_probability(1.5, 0.9), 1 / (1 + math.exp(-z)))


def test_it_counts_the_clips_already_taken_among_those_always_made(housekeeping):
    local = LocalAnalyser(analyse_transcript(housekeeping), ClipOptions(**SHORT, clip_count=5))
    taken, _ = local.find(1)

    spans, left_out = local.find(4, taken=taken)

    assert len(spans) == CLIPS_ALWAYS_KEPT - 1 and left_out >= 1
    assert not any(s.first <= taken[0].last and taken[0].first <= s.last for s in spans)


def test_it_cuts_on_sentence_edges_with_a_pad_that_never_reaches_a_word(talk):
    result = find_moments(talk, ClipOptions(**OPTIONS), PipelineConfig())

    words = talk.words
    spans = sorted((m.start, m.end) for m in result.moments)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), "clips overlap"
    for moment in result.moments:
        indexes = moment.sentence_indexes
        assert indexes == list(range(indexes[0], indexes[-1] + 1))
        first, last = talk.sentences[indexes[0]], talk.sentences[indexes[-1]]
        assert moment.start <= first.words[0].start and moment.end >= last.words[-1].end
        assert first.words[0].start - moment.start <= 0.25 + 1e-6
        assert not any(w.start < moment.start < w.end or w.start < moment.end < w.end for w in words)
        outside = [w for w in words if w.end <= first.words[0].start or w.start >= last.words[-1].end]
        assert not any(moment.start < w.end and w.start < moment.end for w in outside)
        assert moment.transcript == " ".join(s.sentence for s in talk.sentences[indexes[0] : indexes[-1] + 1])
        assert 10 <= moment.duration <= 60
        assert moment.duration == pytest.approx(moment.end - moment.start, abs=1e-3)


def test_it_is_deterministic_and_round_trips_through_json(talk):
    reports: list[float] = []
    first = find_moments(
        talk, ClipOptions(**OPTIONS), PipelineConfig(), progress=lambda f, m="": reports.append(f)
    )
    second = find_moments(talk, ClipOptions(**OPTIONS), PipelineConfig())

    assert first.to_dict() == second.to_dict()
    assert MomentsResult.from_dict(json.loads(first.to_json())) == first
    assert reports[-1] == 1.0 and reports == sorted(reports)


def test_it_writes_titles_hooks_and_hashtags_from_the_clip_itself(talk):
    result = find_moments(talk, ClipOptions(**OPTIONS), PipelineConfig())

    advice = next(m for m in result.moments if overlap(m, block_span(talk, ADVICE)) > 0.8)
    assert advice.hooks.question == "Why do most people fail to save money?"
    assert advice.hooks.statement and not advice.hooks.statement.endswith("?")
    assert "the clip" not in advice.title.lower() and advice.title in advice.transcript
    for moment in result.moments:
        assert 3 <= len(moment.hashtags) <= 5
        assert all(tag.startswith("#") and tag[1:].isalnum() for tag in moment.hashtags)
        assert any(tag[1:] in moment.transcript.lower() for tag in moment.hashtags)
        assert moment.description.endswith(" ".join(moment.hashtags))
        assert moment.reason.startswith("This clip ") and moment.reason.endswith(".")
        assert moment.emotions and moment.keywords
    story = next(m for m in result.moments if overlap(m, block_span(talk, STORY)) > 0.8)
    assert "fear" in story.emotions


def test_it_explains_the_score_with_the_signals_that_earned_it(talk):
    result = find_moments(talk, ClipOptions(**OPTIONS), PipelineConfig())

    advice = next(m for m in result.moments if overlap(m, block_span(talk, ADVICE)) > 0.8)
    assert "opens with a question" in advice.reason
    assert advice.scores.hook > 60


def test_it_steers_towards_topic_keywords(talk):
    plain = find_moments(talk, ClipOptions(**OPTIONS, keywords=[]), PipelineConfig())
    steered = find_moments(talk, ClipOptions(**OPTIONS, keywords=["sourdough"]), PipelineConfig())

    baking = block_span(talk, BAKING)
    assert overlap(steered.moments[0], baking) > 0.8
    plain_score = next(m.score for m in plain.moments if overlap(m, baking) > 0.8)
    assert steered.moments[0].score > plain_score


def test_it_scores_varied_loudness_as_livelier_pacing(talk):
    samples = int(talk.duration * 16_000)
    rng = np.random.default_rng(7)
    noise = rng.standard_normal(samples).astype(np.float32) * 0.1
    flat = noise
    # A slow swell of about 12 dB, like stressed and unstressed phrases.
    envelope = 10 ** (np.sin(np.arange(samples) / 16_000 * 2.0) * 0.3)
    varied = (noise * envelope).astype(np.float32)

    options = ClipOptions(**OPTIONS)
    monotone = find_moments(talk, options, PipelineConfig(), audio=flat).moments[0]
    lively = find_moments(talk, options, PipelineConfig(), audio=varied).moments[0]

    assert (lively.start, lively.end) == (monotone.start, monotone.end)
    assert lively.scores.pacing > monotone.scores.pacing


def test_it_drops_a_moment_told_twice(talk):
    repeated = timed_transcript(GREETING, ADVICE, LOGISTICS, ADVICE, OUTRO)

    result = find_moments(repeated, ClipOptions(**OPTIONS), PipelineConfig())

    told = [block_span(repeated, ADVICE)]
    second_start = next(
        s for s in repeated.sentences[len(GREETING) + len(ADVICE) :] if s.sentence == ADVICE[0]
    ).start
    told.append((second_start, second_start + told[0][1] - told[0][0]))
    covering = [m for m in result.moments if max(overlap(m, span) for span in told) > 0.8]
    assert len(covering) == 1


def test_it_moves_clip_edges_onto_scene_cuts_in_the_silence(talk):
    plain = find_moments(talk, ClipOptions(**OPTIONS), PipelineConfig())
    target = plain.moments[0]
    first = talk.sentences[target.sentence_indexes[0]]
    previous = talk.sentences[target.sentence_indexes[0] - 1]
    cut = round((previous.end + first.start) / 2 - 0.1, 3)  # in the gap, further out than the pad
    asked: list[tuple[float, float]] = []
    known = cuts_from_list([cut, 3.0])

    def cuts_near(t0: float, t1: float) -> list[float]:
        asked.append((t0, t1))
        return known(t0, t1)

    result = find_moments(talk, ClipOptions(**OPTIONS), PipelineConfig(), scene_cuts_near=cuts_near)

    moved = next(m for m in result.moments if m.sentence_indexes == target.sentence_indexes)
    assert moved.start == cut and moved.end == target.end
    assert all(t1 - t0 <= 2 * SCENE_REACH + 1e-6 for t0, t1 in asked)
    assert len(asked) == 2 * len(result.moments)


def advice_clip_with_cut_after(talk: Transcript, sentence_from_end: int):
    """The advice clip found with a single scene cut in the silence after one of its sentences."""
    plain = next(m for m in find_moments(talk, ClipOptions(**OPTIONS), PipelineConfig()).moments
                 if overlap(m, block_span(talk, ADVICE)) > 0.8)  # fmt: skip
    sentence = talk.sentences[plain.sentence_indexes[-1] + sentence_from_end]
    cut = round(sentence.end + 0.15, 3)
    result = find_moments(
        talk, ClipOptions(**OPTIONS), PipelineConfig(), scene_cuts_near=cuts_from_list([cut])
    )
    moved = next(m for m in result.moments if m.sentence_indexes[0] == plain.sentence_indexes[0])
    return plain, moved, cut


def test_it_gives_up_one_sentence_to_end_on_a_nearby_cut(talk):
    plain, moved, cut = advice_clip_with_cut_after(talk, -1)

    assert moved.sentence_indexes == plain.sentence_indexes[:-1]
    assert moved.end == cut


def test_it_does_not_reach_into_housekeeping_to_meet_a_cut(talk):
    plain, moved, cut = advice_clip_with_cut_after(talk, +1)

    assert moved.sentence_indexes == plain.sentence_indexes
    assert moved.end == plain.end != cut


def test_it_answers_an_empty_transcript_with_a_warning():
    result = find_moments(Transcript(language="en", duration=5.0), ClipOptions(), PipelineConfig())

    assert result.moments == [] and "no sentences" in result.warnings[0]


def test_it_warns_when_no_stretch_fits_the_length_limits():
    short = timed_transcript(ADVICE[:2])

    result = find_moments(short, ClipOptions(min_length=30, max_length=60), PipelineConfig())

    assert result.moments == [] and "30-60 seconds" in result.warnings[0]


def test_it_lifts_the_stretch_viewers_replay_most(talk):
    baking = block_span(talk, BAKING)
    # YouTube's "most replayed" graph: 100 equal spans, flat except over the baking moment.
    step = talk.duration / 100
    replays = [
        (i * step, (i + 1) * step, 1.0 if baking[0] <= (i + 0.5) * step <= baking[1] else 0.2) for i in range(100)
    ]

    plain = find_moments(talk, ClipOptions(**OPTIONS), PipelineConfig())
    replayed = find_moments(talk, ClipOptions(**OPTIONS), PipelineConfig(), replays=replays)

    assert overlap(replayed.moments[0], baking) > 0.8
    before = next(m for m in plain.moments if overlap(m, baking) > 0.8)
    after = next(m for m in replayed.moments if overlap(m, baking) > 0.8)
    assert after.score > before.score and "replay" in after.reason and "replay" not in before.reason


def test_it_asks_about_two_clip_edges_at_once(talk):
    lock, running, peak = threading.Lock(), [0], [0]
    known = cuts_from_list([])

    def cuts_near(t0: float, t1: float) -> list[float]:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)  # a decode's worth of waiting, so the calls overlap
        with lock:
            running[0] -= 1
        return known(t0, t1)

    with_hook = find_moments(talk, ClipOptions(**OPTIONS), PipelineConfig(), scene_cuts_near=cuts_near)
    without = find_moments(talk, ClipOptions(**OPTIONS), PipelineConfig())

    assert peak[0] == SCENE_WORKERS == 2
    assert [(m.start, m.end) for m in with_hook.moments] == [(m.start, m.end) for m in without.moments]
