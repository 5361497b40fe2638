"""bench.moments_paired: two runs' boundary error on the moments both of them found."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bench import moments_paired
from bench.moments import Planted, Prepared, evaluate

MOMENTS = [Planted("kiln", 10.0, 40.0), Planted("glaze", 60.0, 90.0), Planted("clay", 120.0, 150.0)]
FILLER = [Planted("filler", 0.0, 10.0), Planted("filler", 40.0, 60.0), Planted("filler", 90.0, 120.0)]


def run_log(talk: str, clips: list[tuple[float, float]]) -> str:
    """What ``bench.moments`` prints for one talk read as ``clips`` (its real per-moment lines)."""
    prepared = Prepared(MOMENTS, FILLER, None, None, None, "")
    found = [SimpleNamespace(start=s, end=e, rank=i + 1, score=50) for i, (s, e) in enumerate(clips)]
    score, lines = evaluate(prepared, found)
    return "\n".join([f"{talk} (podcast): 2.5 min, 30 sentences, analysis 0.10 s, local", f"  {score.line()}", *lines])


def test_it_compares_edges_only_on_the_moments_both_runs_found(tmp_path, capsys):
    # The first run misses "clay"; the second finds it with loose edges (10 s each side),
    # which would lift its own mean over the moments it found above the first's.
    shipped = run_log("t", [(12.0, 42.0), (60.0, 94.0)])
    candidate = run_log("t", [(11.0, 41.0), (61.0, 91.0), (110.0, 160.0)])
    (tmp_path / "a.log").write_text(shipped)
    (tmp_path / "b.log").write_text(candidate)

    assert moments_paired.main([str(tmp_path / "a.log"), str(tmp_path / "b.log"), "--names", "shipped", "cand"]) == 0

    out = capsys.readouterr().out
    # Shipped: kiln (2 + 2) / 2, glaze (0 + 4) / 2; candidate: kiln 1, glaze 1.
    assert "found by both: 2, boundary error shipped 2.00 s, cand 1.00 s" in out
    assert "found by cand only: 1, boundary error 10.00 s" in out
    assert "found by shipped only: 0" in out


def test_it_refuses_logs_of_different_talks():
    first = moments_paired.read_log(run_log("one", [(10.0, 40.0)]))
    second = moments_paired.read_log(run_log("two", [(10.0, 40.0)]))

    with pytest.raises(ValueError, match="different planted moments"):
        moments_paired.pair(first, second)


def test_it_reads_a_missed_moment_as_missed_not_as_an_error_of_zero():
    moments = moments_paired.read_log(run_log("t", [(10.0, 40.0)]))

    assert moments["t", "kiln"].error == 0.0
    assert moments["t", "glaze"].error is None
    assert moments["t", "clay"].error is None
