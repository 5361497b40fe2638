"""bench.train_ranker: the window ranker refitted on each talk's one reading, the shipped edge
probes kept, written where the analyser loads it."""

from __future__ import annotations

import numpy as np
import pytest

from bench.moments_folds import blended, read_by_group
from bench.train_moments import NEAR_SPILL, joined, packed
from bench.train_ranker import fit_ranker, widened
from pipeline.moments.ranker import FEATURES, load_model
from tests.bench.laid_out import laid_out

NAMES = ("solo_vlog", "talk_podcast", "train_k_locksmith", "train_n_farrier")


def test_it_keeps_the_shipped_edge_probes_and_writes_a_ranker_the_analyser_loads(tmp_path):
    talks = [laid_out(name, seed, dims=384) for seed, name in enumerate(NAMES)]
    shipped = load_model()

    model = fit_ranker(talks, strength=10.0)

    assert model.probes.opens is shipped.probes.opens and model.probes.closes is shipped.probes.closes
    assert not np.allclose(model.coef, shipped.coef)
    path = tmp_path / "window_model.npz"
    model.save(path)
    loaded = load_model(path)
    for name in ("mean", "scale", "coef"):
        assert np.array_equal(getattr(loaded, name), getattr(model, name))
    assert np.array_equal(loaded.probes.opens.weights, shipped.probes.opens.weights)
    assert loaded.probes.closes.bias == shipped.probes.closes.bias
    # The probes beside neighbours are fitted on the talks, and saved with the ranker.
    assert np.array_equal(loaded.probes.opens_beside.weights, model.probes.opens_beside.weights)
    assert not np.allclose(model.probes.opens_beside.weights, shipped.probes.opens_beside.weights)


def test_it_rates_the_planted_moments_above_the_other_windows_it_was_taught():
    talks = [laid_out(name, seed, dims=384) for seed, name in enumerate(NAMES)]

    model = fit_ranker(talks, strength=10.0)

    for found in read_by_group(talks, strength=10.0, shipped_edges=True).values():
        logits = model.logit(found.rows)
        assert found.labels.any()
        assert logits[found.labels > 0].mean() > logits[found.labels == 0].mean()


@pytest.mark.parametrize("copy", [joined, packed])
def test_it_can_teach_the_ranker_each_talk_with_moments_back_to_back(copy):
    talks = [laid_out(name, seed, dims=384) for seed, name in enumerate(NAMES)]

    readings = read_by_group(talks, strength=10.0, shipped_edges=True, copy=copy)

    for talk in talks:
        found = readings[talk.name]
        (copied,) = found.also
        # The copy keeps every moment whole, and loses the filler between two of them (or all).
        assert copied.labels.sum() == found.labels.sum() == 4
        assert len(copied.ranges) < len(found.ranges)
    assert not np.allclose(fit_ranker(talks, 10.0, copy=copy).coef, fit_ranker(talks, 10.0).coef)


def test_it_blends_the_refit_with_the_shipped_ranker_in_one_model():
    talks = [laid_out(name, seed, dims=384) for seed, name in enumerate(NAMES)]
    shipped, refitted = load_model(), fit_ranker(talks, strength=10.0)
    rows = np.vstack([found.rows for found in read_by_group(talks, 10.0, shipped_edges=True).values()])

    for share in (0.0, 0.25, 1.0):
        model = blended(shipped, refitted, share)
        expected = (1 - share) * shipped.logit(rows) + share * refitted.logit(rows)
        assert np.allclose(model.logit(rows), expected)
        assert model.probes is refitted.probes


def test_it_rates_windows_that_run_past_a_moment_lower_when_they_weigh_more():
    talks = [laid_out(name, seed, dims=384) for seed, name in enumerate(NAMES)]
    readings = list(read_by_group(talks, strength=10.0, shipped_edges=True).values())
    rows = np.vstack([found.rows for found in readings])
    near = np.concatenate([found.near for found in readings])
    labels = np.concatenate([found.labels for found in readings])
    spills, others = near == NEAR_SPILL, (near == 0) & (labels == 0)
    assert spills.any() and others.any()

    def gap(model):
        logits = model.logit(rows)
        return logits[spills].mean() - logits[others].mean()

    assert gap(fit_ranker(talks, 10.0, spill=3.0)) < gap(fit_ranker(talks, 10.0))


def test_it_widens_a_ranker_fitted_before_newer_features_so_it_ranks_as_it_did(tmp_path):
    shipped = load_model()
    kept = len(FEATURES) - 6
    path = tmp_path / "older.npz"
    shipped.save(path)
    with np.load(path) as data:
        # A ranker from before the probes beside neighbours: it saved none of them...
        arrays = {name: values for name, values in data.items() if "_beside_" not in name}
    # ... nor the last six features: its own columns and intercept only.
    arrays |= {
        "features": np.array(FEATURES[:kept]),
        "mean": shipped.mean[:kept],
        "scale": shipped.scale[:kept],
        "coef": np.append(shipped.coef[:kept], shipped.coef[-1]),
    }
    np.savez(path, **arrays)
    rows = np.random.default_rng(0).normal(size=(50, len(FEATURES)))
    z = (rows[:, :kept] - shipped.mean[:kept]) / shipped.scale[:kept]

    wide = widened(path)

    assert np.allclose(wide.logit(rows), z @ shipped.coef[:kept] + shipped.coef[-1])
    assert np.array_equal(wide.probes.opens.weights, shipped.probes.opens.weights)
    assert wide.probes.closes.bias == shipped.probes.closes.bias
    for probe in (wide.probes.opens_beside, wide.probes.closes_beside):
        assert len(probe.weights) == 3 * len(shipped.probes.opens.weights) and not probe.weights.any()
    arrays["features"] = np.array((*FEATURES[: kept - 1], "retired"))
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="no longer reads"):
        widened(path)
