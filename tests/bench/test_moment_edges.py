"""bench.moment_edges: the AUC and the combined reader fitted on one half, read on the other."""

from __future__ import annotations

import numpy as np
import pytest

from bench.moment_edges import auc, combined_auc


def test_it_counts_how_often_a_positive_outranks_a_negative():
    assert auc([3.0, 4.0], [1.0, 2.0]) == 1.0
    assert auc([1.0, 2.0], [3.0, 4.0]) == 0.0
    assert auc([1.0, 3.0], [2.0]) == 0.5
    assert auc([2.0], [2.0]) == 0.5, "a tie counts half"


def test_it_combines_two_weak_columns_into_a_stronger_reader():
    rng = np.random.default_rng(4)

    def pairs(count: int) -> tuple[np.ndarray, np.ndarray]:
        # Each column tells the two apart by one standard deviation, with independent noise:
        # alone, an AUC of about 0.76; the two together, about 0.84.
        return rng.normal(1.0, 1.0, (count, 2)), rng.normal(0.0, 1.0, (count, 2))

    train, test = pairs(400), pairs(400)
    alone = combined_auc(train, test, [0])
    both = combined_auc(train, test, [0, 1])

    assert alone == pytest.approx(0.76, abs=0.05)
    assert both == pytest.approx(0.84, abs=0.04) and both > alone + 0.04
