"""Meaning-based judgement in the moment finder: embeddings, the content probe and topic shifts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions, find_moments
from pipeline.moments.content import content_evidence, forward_backward, load_probe
from pipeline.moments.embeddings import DIMENSIONS, embed
from pipeline.moments.features import analyse_transcript, reads_words, semantic_shifts, sentence_signals
from tests.pipeline.test_moments_local import BAKING, GREETING, OUTRO, STORY, block_span, overlap, timed_transcript

HOUSEKEEPING_ES = [
    "Hola a todos y bienvenidos otra vez al canal.",
    "Antes de empezar, no olvidéis suscribiros y activar la campanita.",
    "El vídeo de hoy está patrocinado por una aplicación de contraseñas.",
    "Tenéis el enlace y el código de descuento en la descripción.",
]
STORY_ES = [
    "Cuando tenía diecinueve años estrellé el coche de mi padre dos días después de sacarme el carné.",
    "Me dio tanto miedo contárselo que lo escondí durante una semana entera.",
    "Cuando por fin se enteró, no gritó en absoluto.",
    "Me dijo que el coche se podía arreglar, pero que la mentira le había dolido mucho más que la abolladura.",
]


def test_it_embeds_sentences_as_unit_vectors_that_match_across_languages():
    vectors = embed(["El dinero crece despacio al principio.", "Money grows slowly at first.", "My cat likes fish."])

    assert vectors.shape == (3, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.05
    assert embed([]).shape == (0, DIMENSIONS)


def test_it_lifts_an_unsure_sentence_inside_a_run_of_content_and_keeps_filler_low():
    likely = np.array([0.05, 0.1, 0.05, 0.9, 0.95, 0.35, 0.9, 0.9, 0.1, 0.05])

    posterior = forward_backward(likely, stay=0.9, prior=0.45)

    assert posterior[5] > 0.5, "one unsure sentence inside a story is still the story"
    assert posterior[:3].max() < 0.2 and posterior[-2:].max() < 0.3
    assert forward_backward(likely, stay=0.5, prior=0.45)[5] < 0.5, "without runs there is nothing to smooth"


def test_it_tells_spanish_housekeeping_from_a_spanish_story_without_word_lists():
    sentences = HOUSEKEEPING_ES + STORY_ES + HOUSEKEEPING_ES[:2]
    # The lexical cue reads English only: for Spanish it says nothing, so the meaning
    # decides, and the analyser gives the probe no cue at all (see the next test).
    assert np.array([sentence_signals(s).filler for s in sentences]).max() == 0.0
    assert not reads_words("es")

    _, content = content_evidence(embed(sentences), None)

    opening = content[: len(HOUSEKEEPING_ES)]
    story = content[len(HOUSEKEEPING_ES) : len(HOUSEKEEPING_ES) + len(STORY_ES)]
    housekeeping = np.concatenate([opening, content[-2:]])
    assert story.min() > housekeeping.max()
    assert story.mean() - housekeeping.mean() > 0.4
    # Right after the story the smoothing lifts housekeeping a little (a story's runs go on);
    # before it nothing does, so there the meaning alone must read it as filler.
    assert opening.max() < 0.4 and story.mean() > 0.6


def test_it_reads_a_language_the_word_lists_cannot_by_the_probe_alone():
    sentences = HOUSEKEEPING_ES + STORY_ES
    spanish = dataclasses.replace(timed_transcript(sentences), language="es")
    english = timed_transcript(sentences)
    probe = load_probe()

    read, misread = analyse_transcript(spanish), analyse_transcript(english)

    assert np.allclose(read.content_alone, probe.likelihood(read.embeddings, None))
    # Read as English, no housekeeping word is found, and the English calibration takes
    # that absence as a sign of content: the housekeeping reads more likely content.
    housekeeping = slice(0, len(HOUSEKEEPING_ES))
    assert np.all(misread.content_alone[housekeeping] > read.content_alone[housekeeping])
    assert reads_words("en") and reads_words("en-GB") and reads_words("") and not reads_words("pt-BR")


def test_it_reads_a_language_without_word_lists_by_its_own_direction():
    probe = load_probe()
    other = dataclasses.replace(
        probe, weights_without_words=-probe.weights_without_words, bias_without_words=-probe.bias_without_words
    )
    sentences = embed(HOUSEKEEPING_ES + STORY_ES)
    lexical = np.zeros(len(sentences))

    # The English reading leans on the word lists; the other one must not move with it.
    assert np.allclose(other.likelihood(sentences, lexical), probe.likelihood(sentences, lexical))
    read, flipped = probe.likelihood(sentences, None), other.likelihood(sentences, None)
    assert read[-1] > read[0] and flipped[-1] < flipped[0], "the story and the greeting swap places"
    calibrated = probe.calibration_without_words
    score = sentences @ probe.weights_without_words + probe.bias_without_words
    assert np.allclose(probe.likelihood(sentences, None), 1 / (1 + np.exp(-(calibrated[0] * score + calibrated[1]))))


def test_it_ships_a_probe_trained_on_the_tuning_talks():
    probe = load_probe()

    assert probe.weights.shape == probe.mean.shape == probe.weights_without_words.shape == (DIMENSIONS,)
    assert 0.5 < probe.stay < 1.0 and 0.1 < probe.prior < 0.9
    # More housekeeping words must make content less likely, whatever the meaning says.
    assert probe.calibration[1] < 0
    # Without the words, the meaning must carry at least as much of the judgement.
    assert probe.calibration_without_words[0] >= probe.calibration[0] > 0


def test_it_marks_where_the_meaning_moves_between_two_stories():
    transcript = timed_transcript(STORY, BAKING)
    analysis = analyse_transcript(transcript)
    turn = len(STORY)

    shifts = semantic_shifts(analysis.embeddings)

    assert shifts[turn] == pytest.approx(shifts[1:turn + len(BAKING)].max())
    assert analysis.breaks[turn] > max(analysis.breaks[1:turn].max(), analysis.breaks[turn + 1 : -1].max())


def test_it_never_carries_an_unrelated_neighbour_into_a_clip():
    transcript = timed_transcript(GREETING, STORY, BAKING, OUTRO)

    result = find_moments(transcript, ClipOptions(min_length=10, max_length=60, clip_count=2), PipelineConfig())

    story, baking = block_span(transcript, STORY), block_span(transcript, BAKING)
    for moment in result.moments:
        assert min(overlap(moment, story), overlap(moment, baking)) < 0.2, moment.transcript
    assert max(overlap(m, story) for m in result.moments) > 0.8
    assert max(overlap(m, baking) for m in result.moments) > 0.8
