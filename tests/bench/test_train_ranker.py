"""bench.train_ranker: the window ranker refitted on each talk's one reading, the shipped edge
probes kept, written where the analyser loads it."""

from __future__ import annotations

import numpy as np

from bench.moments_folds import read_by_group
from bench.train_ranker import fit_ranker
from pipeline.moments.ranker import load_model
from tests.bench.laid_out import laid_out

NAMES = ("solo_vlog", "talk_podcast", "train_k_locksmith", "train_n_farrier")


def test_it_keeps_the_shipped_edge_probes_and_writes_a_ranker_the_analyser_loads(tmp_path):
    talks = [laid_out(name, seed, dims=384) for seed, name in enumerate(NAMES)]
    shipped = load_model()

    model = fit_ranker(talks, strength=10.0)

    assert model.opens is shipped.opens and model.closes is shipped.closes
    assert not np.allclose(model.coef, shipped.coef)
    path = tmp_path / "window_model.npz"
    model.save(path)
    loaded = load_model(path)
    for name in ("mean", "scale", "coef"):
        assert np.array_equal(getattr(loaded, name), getattr(model, name))
    assert np.array_equal(loaded.opens.weights, shipped.opens.weights)
    assert loaded.closes.bias == shipped.closes.bias


def test_it_rates_the_planted_moments_above_the_other_windows_it_was_taught():
    talks = [laid_out(name, seed, dims=384) for seed, name in enumerate(NAMES)]

    model = fit_ranker(talks, strength=10.0)

    for found in read_by_group(talks, strength=10.0, shipped_edges=True).values():
        logits = model.logit(found.rows)
        assert found.labels.any()
        assert logits[found.labels > 0].mean() > logits[found.labels == 0].mean()
