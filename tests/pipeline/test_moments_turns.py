"""Speaker turns: two real voices told apart, and clip edges that follow the turns."""

from __future__ import annotations

import os

import numpy as np
import pytest

from pipeline.audio import SAMPLE_RATE, decode_audio
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions
from pipeline.moments.boundaries import Edges, WindowWords
from pipeline.moments.choice import SAME_MOMENT_IOU, choose_again
from pipeline.moments.features import analyse_transcript
from pipeline.moments.local import LocalAnalyser
from pipeline.moments.turns import (
    MIN_SENTENCES,
    TURN_EDGE_LOG_ODDS,
    Turns,
    follow_turns,
    read_turns,
)
from tests.pipeline.readers import agreement, taking_turns
from tests.pipeline.test_moments_local import timed_transcript

READERS = {"her": "en_ljspeech_linda_johnson_02.mp3", "him": "de_librivox_simplicissimus.mp3"}


@pytest.fixture(scope="module")
def voices(media_dir) -> dict[str, np.ndarray]:
    config = PipelineConfig.from_env(os.environ)
    return {who: decode_audio(media_dir / name, config) for who, name in READERS.items()}


def test_it_tells_two_real_voices_taking_turns_apart(voices):
    audio, starts, truth = taking_turns(voices["her"], voices["him"])
    assert len(starts) >= MIN_SENTENCES

    turns = read_turns(audio, starts, starts + 2.3)

    assert turns is not None
    assert agreement(turns.voice, truth) >= 0.95


@pytest.mark.parametrize("reader", ["her", "him"])
def test_it_hears_one_voice_in_a_real_reading(voices, reader):
    audio = voices[reader]
    starts = np.arange(0.0, len(audio) / SAMPLE_RATE - 1.5, 1.5)
    assert len(starts) >= MIN_SENTENCES

    assert read_turns(audio, starts, starts + 1.3) is None


def test_it_needs_audio_with_voice_and_a_talk_long_enough_to_judge(voices):
    audio, starts, _ = taking_turns(voices["her"], voices["him"])

    assert read_turns(None, starts, starts + 2.3) is None
    assert read_turns(np.zeros_like(audio), starts, starts + 2.3) is None
    assert read_turns(audio[:100], starts, starts + 2.3) is None
    short = starts[: MIN_SENTENCES - 1]
    assert read_turns(audio, short, short + 2.3) is None


HOST_OPENS = ["Okay, we are recording now.", "Thanks for coming on the show today."]
GUEST_GREETS = ["Happy to be here, thanks for having me."]
HOST_ASKS = ["Let me start with the obvious one.", "Why do ships carry ballast water at all?"]
GUEST_ANSWERS = [
    "Because an empty ship sits too high in the water.",
    "The propeller comes half out and the wind pushes her around like a leaf.",
    "So we pump in sea water, thousands of tonnes of it, to sit her down again.",
    "Then we pump it out when the cargo comes aboard.",
    "Without it, an empty ship simply cannot be steered in a storm.",
]
HOST_REACTS = ["Huh.", "Okay, that makes sense."]
GUEST_ADDS = ["It surprises most people, yes.", "Anyway, that is the short version."]
SCRIPT = [
    (HOST_OPENS, 0),
    (GUEST_GREETS, 1),
    (HOST_ASKS, 0),
    (GUEST_ANSWERS, 1),
    (HOST_REACTS, 0),
    (GUEST_ADDS, 1),
]


def conversation(script):
    """The analysis, edges and turns of ``script`` (blocks of sentences, each with its voice)."""
    transcript = timed_transcript(*(block for block, _ in script))
    analysis = analyse_transcript(transcript)
    voice = np.concatenate([[speaker] * len(block) for block, speaker in script]).astype(np.int8)
    assert len(voice) == len(transcript.sentences)
    return analysis, Edges(analysis), Turns(voice, 9.0)


@pytest.fixture(scope="module")
def exchange():
    return conversation(SCRIPT)


def index_of(analysis, sentence: str) -> int:
    return next(s.index for s in analysis.sentences if s.sentence == sentence)


def follow(exchange, *ranges, min_length=5.0, max_length=60.0):
    analysis, edges, turns = exchange
    return follow_turns(list(ranges), turns, analysis, edges, min_length=min_length, max_length=max_length)


def choose(exchange, likelihood, kept, taken=()):
    analysis, edges, turns = exchange
    return choose_again(kept, likelihood, edges, words=WindowWords(analysis), lift=turns.lift, taken=taken)


@pytest.mark.parametrize("answer_sentence", [0, 1])
def test_it_starts_an_answer_at_the_question_before_it(exchange, answer_sentence):
    analysis = exchange[0]
    question = index_of(analysis, HOST_ASKS[-1])
    first = index_of(analysis, GUEST_ANSWERS[answer_sentence])
    last = index_of(analysis, GUEST_ANSWERS[-1])

    assert follow(exchange, (first, last)) == [(question, last)]


def test_it_leaves_a_start_deep_inside_an_answer(exchange):
    analysis = exchange[0]
    first = index_of(analysis, GUEST_ANSWERS[2])
    last = index_of(analysis, GUEST_ANSWERS[-1])

    assert follow(exchange, (first, last)) == [(first, last)]


def test_it_ends_before_the_other_voices_short_reaction(exchange):
    analysis = exchange[0]
    question = index_of(analysis, HOST_ASKS[-1])
    reaction = index_of(analysis, HOST_REACTS[-1])

    assert follow(exchange, (question, reaction)) == [(question, index_of(analysis, GUEST_ANSWERS[-1]))]


def test_it_keeps_a_reply_longer_than_a_reaction(exchange):
    analysis = exchange[0]
    first = index_of(analysis, HOST_ASKS[-1])
    last = index_of(analysis, GUEST_ANSWERS[1])
    # The host's whole turn (about 10 s) ends the clip: too long to be a reaction.
    start = index_of(analysis, HOST_OPENS[0])
    end = index_of(analysis, HOST_ASKS[-1])

    assert follow(exchange, (start, end)) == [(start, end)]
    assert follow(exchange, (first, last)) == [(first, last)]


def test_it_takes_the_last_sentence_of_a_turn_it_stopped_short_of(exchange):
    analysis = exchange[0]
    question = index_of(analysis, HOST_ASKS[-1])

    moved = follow(exchange, (question, index_of(analysis, GUEST_ANSWERS[-2])))

    assert moved == [(question, index_of(analysis, GUEST_ANSWERS[-1]))]


def test_it_keeps_the_edges_when_the_moved_clip_would_break_the_bounds_or_touch_another(exchange):
    analysis = exchange[0]
    question = index_of(analysis, HOST_ASKS[-1])
    first = index_of(analysis, GUEST_ANSWERS[0])
    last = index_of(analysis, GUEST_ANSWERS[-1])
    edges = exchange[1]
    length = edges.ends[last] - edges.starts[first]

    assert follow(exchange, (first, last), max_length=length + 0.1) == [(first, last)]
    assert follow(exchange, (first, last), (question - 1, question)) == [(first, last), (question - 1, question)]


def answer_windows(exchange, answer_end: float):
    """Log-odds of the windows from the question: ending on the answer's last sentence (where
    the guest's turn ends) scores ``answer_end``, every other end far less."""
    analysis, _, turns = exchange
    question = index_of(analysis, HOST_ASKS[-1])
    answer = index_of(analysis, GUEST_ANSWERS[-1])
    assert turns.ends_turn(answer) and not turns.ends_turn(answer - 1)
    likelihood = {(question, last): -10.0 for last in range(question + 1, len(analysis.sentences))}
    likelihood[question, answer] = answer_end
    return likelihood, question, answer


def test_it_ends_a_clip_where_the_turn_ends_when_that_end_is_nearly_as_likely(exchange):
    likelihood, question, answer = answer_windows(exchange, answer_end=1.5 - TURN_EDGE_LOG_ODDS)
    likelihood[question, answer - 1] = 1.0

    assert choose(exchange, likelihood, [(question, answer - 1)]) == [(question, answer)]


def test_it_keeps_the_likelier_end_when_the_turn_end_is_far_behind(exchange):
    likelihood, question, answer = answer_windows(exchange, answer_end=-1.0 - TURN_EDGE_LOG_ODDS)
    likelihood[question, answer - 1] = 0.5

    assert choose(exchange, likelihood, [(question, answer - 1)]) == [(question, answer - 1)]


def test_it_never_ends_a_clip_on_another_clip_and_leaves_ranges_that_are_no_candidates(exchange):
    likelihood, question, answer = answer_windows(exchange, answer_end=5.0)
    clip = (question, answer - 2)
    neighbour = (answer, answer + 1)
    likelihood[clip] = 1.0

    assert choose(exchange, likelihood, [clip, neighbour]) == [clip, neighbour]
    assert choose(exchange, likelihood, [clip], taken=[neighbour]) == [clip]
    assert choose(exchange, likelihood, [clip]) == [(question, answer)]
    assert choose(exchange, likelihood, [(0, 1)]) == [(0, 1)]


def test_it_moves_a_clip_onto_the_turn_it_shares_most_of_its_time_with(exchange):
    analysis, _, turns = exchange
    opening = index_of(analysis, GUEST_ANSWERS[0])
    second = index_of(analysis, GUEST_ANSWERS[1])
    last = index_of(analysis, GUEST_ANSWERS[-1])
    assert turns.starts_turn(opening) and not turns.starts_turn(second)
    greeting = (0, index_of(analysis, GUEST_GREETS[0]))
    likelihood = {(second, last): 1.0, (opening, last): 1.5 - TURN_EDGE_LOG_ODDS, greeting: 9.0}

    assert choose(exchange, likelihood, [(second, last)]) == [(opening, last)]
    likelihood[opening, last] = 0.5 - TURN_EDGE_LOG_ODDS
    assert choose(exchange, likelihood, [(second, last)]) == [(second, last)]


def test_it_never_moves_a_clip_onto_a_window_sharing_less_than_its_share_of_the_time(exchange):
    analysis, edges, _ = exchange
    question = index_of(analysis, HOST_ASKS[-1])
    answer = index_of(analysis, GUEST_ANSWERS[-1])
    clip = (question, answer)
    later = (answer, len(analysis.sentences) - 1)
    shared = edges.ends[answer] - edges.starts[answer]
    joint = edges.ends[later[1]] - edges.starts[question]
    assert shared < SAME_MOMENT_IOU * joint
    likelihood = {clip: 0.0, later: 9.0}

    assert choose(exchange, likelihood, [clip]) == [clip]


def test_the_local_analyser_reads_the_turns_from_the_audio(voices):
    blocks = [block for block, _ in SCRIPT] * 4
    speakers = [speaker for _, speaker in SCRIPT] * 4
    transcript = timed_transcript(*blocks)
    truth = np.concatenate([[speaker] * len(block) for block, speaker in zip(blocks, speakers, strict=True)])
    audio = np.zeros(int((transcript.duration + 1) * SAMPLE_RATE), dtype=np.float32)
    read = {0: 0, 1: 0}
    for sentence, speaker in zip(transcript.sentences, truth, strict=True):
        source = voices["her" if speaker == 0 else "him"]
        begin, length = int(sentence.start * SAMPLE_RATE), int((sentence.end - sentence.start) * SAMPLE_RATE)
        # A reader's recording is shorter than their part: it is read again from the start.
        audio[begin : begin + length] = np.take(source, np.arange(read[speaker], read[speaker] + length), mode="wrap")
        read[speaker] += length
    analysis = analyse_transcript(transcript)
    options = ClipOptions(clip_count=3)

    heard = LocalAnalyser(analysis, options, audio).turns

    assert heard is not None
    assert agreement(heard.voice, truth) >= 0.95
    assert LocalAnalyser(analysis, options).turns is None


GUEST_TELLS = [
    "We once towed a trawler forty miles through a gale with a rope that had already snapped twice.",
    "Every hour somebody had to crawl out on the deck and splice it again by torchlight, soaked to the skin.",
    "By the time we reached the harbour the rope was more knots than rope.",
]
TOLD_TWICE = [
    (HOST_ASKS, 0),
    (GUEST_ANSWERS, 1),
    (HOST_REACTS, 0),
    (GUEST_TELLS + GUEST_ANSWERS, 1),
    (HOST_OPENS, 0),
]


def test_it_never_moves_a_clip_onto_the_other_telling_of_a_moment_told_twice():
    exchange = conversation(TOLD_TWICE)
    analysis, edges, turns = exchange
    answers = [s.index for s in analysis.sentences if s.sentence == GUEST_ANSWERS[0]]
    told = (answers[0], answers[0] + len(GUEST_ANSWERS) - 1)
    story = (index_of(analysis, GUEST_TELLS[0]), index_of(analysis, GUEST_TELLS[-1]))
    grown = (story[0], answers[1] + len(GUEST_ANSWERS) - 1)
    assert turns.ends_turn(grown[1]) and not turns.ends_turn(story[1])
    shared = edges.ends[story[1]] - edges.starts[story[0]]
    assert shared >= SAME_MOMENT_IOU * (edges.ends[grown[1]] - edges.starts[grown[0]])
    likelihood = {told: 5.0, story: 1.0, grown: 2.0}

    # Alone, the story grows onto the answer told after it, where the guest's turn ends...
    assert choose(exchange, likelihood, [story]) == [grown]
    # ...but not while a clip already tells that answer.
    assert choose(exchange, likelihood, [told, story]) == [told, story]
    assert choose(exchange, likelihood, [story], taken=[told]) == [story]
