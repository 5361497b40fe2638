"""bench.languages: laying a written talk out as a transcript, and the AUC it reports."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bench.languages import auc, lay_out
from bench.moments import Block, Talk


def test_it_labels_each_sentence_by_its_block_with_no_pause_giving_a_block_away():
    talk = Talk("t", "podcast", [
        Block("filler", "filler", [("1", "Hola a todos. Bienvenidos al programa.")]),
        Block("planted", "story", [("1", "¿Sabías que la guitarra tiene seis cuerdas?"), ("2", "Sí, y una más.")]),
        Block("filler", "filler", [("1", "Gracias por escuchar.")]),
    ])  # fmt: skip

    prepared, labels = lay_out(talk, "es")

    sentences = prepared.transcript.sentences
    assert [s.sentence for s in sentences] == [
        "Hola a todos.", "Bienvenidos al programa.", "¿Sabías que la guitarra tiene seis cuerdas?",
        "Sí, y una más.", "Gracias por escuchar.",
    ]  # fmt: skip
    assert labels.tolist() == [0, 0, 1, 1, 0]
    assert prepared.transcript.language == "es"
    gaps = {round(b.start - a.end, 3) for a, b in itertools.pairwise(sentences)}
    assert len(gaps) == 1, "every sentence ends with the same pause, inside a block or between two"
    (story,) = prepared.planted
    assert (story.start, story.end) == (sentences[2].start, sentences[3].end)
    assert [f.end for f in prepared.filler] == [sentences[1].end, sentences[4].end]


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([0.9, 0.8, 0.1, 0.2], 1.0),
        ([0.1, 0.2, 0.9, 0.8], 0.0),
        ([0.5, 0.5, 0.5, 0.5], 0.5),
        ([0.9, 0.1, 0.5, 0.2], 0.5),
    ],
)
def test_it_counts_the_share_of_planted_filler_pairs_in_order(scores, expected):
    assert auc(np.array(scores), np.array([1, 1, 0, 0])) == pytest.approx(expected)
