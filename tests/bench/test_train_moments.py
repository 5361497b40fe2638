"""bench.train_moments: which windows it teaches as whole moments, and its ridge from sums."""

from __future__ import annotations

import numpy as np

from bench.languages import lay_out
from bench.moments import Block, Talk
from bench.train_moments import Sums, TalkData


def test_it_keeps_two_moments_with_no_filler_between_them_apart():
    talk = Talk("t", "solo talk", [
        Block("filler", "filler", [("1", "Hi everyone. Welcome back.")]),
        Block("planted", "story", [("1", "I crashed my father's car. He forgave me.")]),
        Block("planted", "bread", [("1", "Sourdough needs time. Give it a day.")]),
        Block("filler", "filler", [("1", "Thanks for watching.")]),
        Block("planted", "savings", [("1", "Pay yourself first. Save on payday.")]),
        Block("filler", "filler", [("1", "Bye.")]),
    ])  # fmt: skip
    prepared, labels = lay_out(talk, "en")

    blocks = TalkData("t", prepared, np.zeros((len(labels), 2)), labels, labels).blocks()

    # Sentences 2-3 are the story and 4-5 the bread: one run of content, two moments.
    assert blocks == [(2, 3), (4, 5), (7, 8)]


def test_it_solves_the_ridge_of_any_set_of_talks_from_their_sums():
    rng = np.random.default_rng(7)
    talks = [rng.normal(size=(n, 12)).astype(np.float32) for n in (30, 45, 25, 40)]
    labels = [(rng.random(len(t)) < 0.4).astype(float) for t in talks]
    sums = Sums.of(talks, labels)

    for without in ([], [1], [0, 3]):
        rows = np.vstack([t.astype(float) for i, t in enumerate(talks) if i not in without])
        target = np.concatenate([y for i, y in enumerate(labels) if i not in without]) * 2 - 1
        mean, scale = rows.mean(axis=0), rows.std(axis=0) + 1e-6
        z = (rows - mean) / scale
        weights = np.linalg.solve(z.T @ z + 5.0 * np.eye(12), z.T @ (target - target.mean()))

        got = sums.ridge(5.0, without)

        for expected, value in zip((mean, scale, weights, target.mean()), got, strict=True):
            assert np.allclose(expected, value, atol=1e-9)
