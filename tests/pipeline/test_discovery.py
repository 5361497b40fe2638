"""Discovery maths: views per day, breakouts, adoption histogram and verdict on hand-computed sets.

Every expected number below was worked out by hand from the ages and views given (see
docs/trends.md for the rule); none is computed by the code under test.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.trends import (
    HEATING,
    INSUFFICIENT_DATA,
    SATURATING,
    STEADY,
    AdoptionBand,
    Candidate,
    Discovery,
    adoption_histogram,
    age_days,
    discover,
    rank_breakouts,
    verdict,
    views_per_day,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def video(video_id: str, age: float | None, views: int) -> Candidate:
    """A YouTube search result uploaded ``age`` days before NOW (None: undated)."""
    return Candidate(
        platform="youtube",
        video_id=video_id,
        url=f"https://www.youtube.com/watch?v={video_id}",
        title=f"video {video_id}",
        creator="alice",
        views=views,
        uploaded_at=None if age is None else NOW - timedelta(days=age),
    )


def at_vpd(prefix: str, ages: list[float], vpd: int) -> list[Candidate]:
    """Videos of the given ages that each earned exactly ``vpd`` views per day."""
    return [video(f"{prefix}{i}", age, int(age * vpd)) for i, age in enumerate(ages)]


def baseline() -> list[Candidate]:
    """Old videos on the line vpd = 1000 * 50 / age: 30-90d has median age 50 and 1000
    views/day, 90-365d median age 200 and 250 views/day, so k = ln 4 / ln 4 = 1 and the
    line predicts 10,000 views/day at 5 days and 5,000 at 10 days."""
    return at_vpd("a", [40, 50, 60], 1000) + at_vpd("b", [100, 200, 300], 250)


def verdict_of(candidates: list[Candidate]):
    return verdict(adoption_histogram(candidates, NOW))


def test_it_divides_views_by_age_in_days():
    assert views_per_day(video("x", 2, 1000), NOW) == pytest.approx(500.0)
    assert views_per_day(video("y", 3.5, 7000), NOW) == pytest.approx(2000.0)
    assert age_days(video("y", 3.5, 7000), NOW) == pytest.approx(3.5)


def test_it_floors_the_age_at_one_day_so_fresh_uploads_are_not_extrapolated():
    two_hours_old = video("x", 2 / 24, 600)
    assert age_days(two_hours_old, NOW) == pytest.approx(0.0833, abs=1e-4)
    assert views_per_day(two_hours_old, NOW) == pytest.approx(600.0)


def test_it_counts_an_upload_in_the_future_as_age_zero():
    skewed = video("x", -3 / 24, 900)  # the platform's clock is three hours ahead
    assert age_days(skewed, NOW) == 0.0
    assert views_per_day(skewed, NOW) == pytest.approx(900.0)
    histogram = adoption_histogram([skewed], NOW)
    assert histogram[0] == AdoptionBand("0-7d", 1, 900, 0.0)
    assert rank_breakouts([skewed], NOW)[0].age_days == 0.0


def test_it_gives_no_views_per_day_without_an_upload_time():
    undated = video("x", None, 1000)
    assert age_days(undated, NOW) is None
    assert views_per_day(undated, NOW) is None


def test_it_reads_naive_datetimes_as_utc():
    naive = Candidate("youtube", "x", views=1000, uploaded_at=datetime(2025, 5, 30, 12, 0))
    assert views_per_day(naive, NOW) == pytest.approx(500.0)
    assert views_per_day(video("y", 2, 1000), NOW.replace(tzinfo=None)) == pytest.approx(500.0)


def test_it_gives_zero_views_per_day_for_zero_views():
    assert views_per_day(video("x", 10, 0), NOW) == 0.0


def test_it_ranks_breakouts_by_views_per_day_and_cuts_to_the_limit():
    candidates = [
        video("A", 10, 1000),  # 100 / day
        video("B", 1, 300),  # 300 / day
        video("C", 100, 5000),  # 50 / day
        video("D", None, 10**9),  # undated: cannot be ranked
        video("E", 4, 0),  # 0 / day
    ]
    assert [b.id for b in rank_breakouts(candidates, NOW, limit=10)] == ["B", "A", "C", "E"]
    top = rank_breakouts(candidates, NOW, limit=2)
    assert [(b.id, b.views_per_day, b.age_days, b.views) for b in top] == [("B", 300, 1.0, 300), ("A", 100, 10.0, 1000)]
    assert top[0].url == "https://www.youtube.com/watch?v=B"
    assert top[0].platform == "youtube"
    assert rank_breakouts(candidates, NOW, limit=0) == []


def test_it_breaks_ranking_ties_by_views_then_id():
    candidates = [video("b", 2, 200), video("a", 2, 200), video("c", 4, 400)]  # all 100 / day
    assert [b.id for b in rank_breakouts(candidates, NOW)] == ["c", "a", "b"]


def test_it_rounds_views_per_day_in_breakouts_to_whole_views():
    assert rank_breakouts([video("x", 3, 1000)], NOW)[0].views_per_day == 333


def test_it_computes_each_band_median_with_inclusive_lower_bounds():
    candidates = [
        video("y1", 1, 100),  # 0-7d, 100 / day
        video("y2", 2, 1000),  # 0-7d, 500 / day
        video("y3", 0.5, 300),  # 0-7d, age floored to 1 day: 300 / day
        video("m1", 7, 700),  # exactly 7 days: 7-30d, 100 / day
        video("m2", 10, 3000),  # 7-30d, 300 / day
        video("o1", 30, 0),  # exactly 30 days: 30-90d, 0 / day
        video("v1", 365, 3650),  # exactly 365 days: 365d+, 10 / day
        video("v2", 730, 14600),  # 365d+, 20 / day
        video("u1", None, 5000),  # undated: in no band
    ]
    assert adoption_histogram(candidates, NOW) == [
        AdoptionBand("0-7d", 3, 300, 1.0),
        AdoptionBand("7-30d", 2, 200, 8.5),  # even count: mean of 100 and 300, of 7 and 10 days
        AdoptionBand("30-90d", 1, 0, 30.0),
        AdoptionBand("90-365d", 0, None, None),
        AdoptionBand("365d+", 2, 15, 547.5),
    ]


def test_it_says_heating_when_young_videos_beat_the_decay_by_twice():
    result = verdict_of(baseline() + at_vpd("y", [4, 5, 6], 25000))
    assert result.verdict == HEATING
    assert (result.young_n, result.old_n, result.young_share) == (3, 6, 0.333)
    assert (result.decay_k, result.decay_k_source) == (pytest.approx(1.0), "fit")
    assert result.observed_vpd == 25000
    assert result.expected_vpd == pytest.approx(10000)
    assert result.ratio == pytest.approx(2.5)
    assert "2.50x" in result.reason


def test_it_says_steady_when_young_videos_earn_what_the_decay_predicts():
    result = verdict_of(baseline() + at_vpd("y", [4, 5, 6], 10000))
    assert result.verdict == STEADY
    assert result.ratio == pytest.approx(1.0)


def test_it_says_saturating_when_many_young_videos_fall_under_half_the_prediction():
    result = verdict_of(baseline() + at_vpd("y", [4, 5, 6], 4000))  # 3 of 9 dated are young: 33 %
    assert result.verdict == SATURATING
    assert result.ratio == pytest.approx(0.4)
    assert "33%" in result.reason


def test_it_says_steady_when_few_young_videos_earn_little():
    # The same medians as baseline() with four more old videos: 3 young of 13 dated is 23 %, under 30 %.
    old = at_vpd("a", [40, 45, 50, 55, 60], 1000) + at_vpd("b", [100, 150, 200, 250, 300], 250)
    result = verdict_of(old + at_vpd("y", [4, 5, 6], 4000))
    assert result.verdict == STEADY
    assert result.ratio == pytest.approx(0.4)
    assert result.young_share == 0.231


def test_it_weights_the_young_bands_by_their_size():
    # 0-7d: 3 videos, median age 5, 20,000 / day, expected 10,000; 7-30d: 2 videos, median
    # age 10, 5,000 / day, expected 5,000. Observed (3*20000 + 2*5000) / 5 = 14,000,
    # expected (3*10000 + 2*5000) / 5 = 8,000, ratio 1.75.
    young = at_vpd("y", [4, 5, 6], 20000) + at_vpd("z", [8, 12], 5000)
    result = verdict_of(baseline() + young)
    assert result.verdict == STEADY
    assert result.observed_vpd == pytest.approx(14000)
    assert result.expected_vpd == pytest.approx(8000)
    assert result.ratio == pytest.approx(1.75)


def test_it_assumes_one_over_age_decay_when_only_one_old_band_is_filled():
    result = verdict_of(at_vpd("a", [40, 50, 60], 1000) + at_vpd("y", [4, 5, 6], 10000))
    assert (result.decay_k, result.decay_k_source) == (1.0, "default")
    assert result.expected_vpd == pytest.approx(10000)  # 1000 * 50 / 5
    assert result.verdict == STEADY


def test_it_clamps_a_decay_steeper_than_one_over_age():
    # 50 days at 1,000 / day and 200 days at 100 / day: k = ln 10 / ln 4 = 1.66, clamped to 1.
    # The line then passes through the centre (ln 100, ln sqrt(1000 * 100)), so at 5 days it
    # predicts 316.23 * 100 / 5 = 6,324.56 views / day.
    old = at_vpd("a", [40, 50, 60], 1000) + at_vpd("b", [100, 200, 300], 100)
    result = verdict_of(old + at_vpd("y", [4, 5, 6], 6325))
    assert (result.decay_k, result.decay_k_source) == (1.0, "clamped")
    assert result.expected_vpd == pytest.approx(6324.56, abs=0.01)
    assert result.verdict == STEADY


def test_it_clamps_a_rising_curve_to_a_flat_one():
    # 50 days at 100 / day, 200 days at 400 / day: older videos out-earn, k = -1, clamped to 0.
    # Flat through the centre: sqrt(100 * 400) = 200 / day expected at any age.
    old = at_vpd("a", [40, 50, 60], 100) + at_vpd("b", [100, 200, 300], 400)
    result = verdict_of(old + at_vpd("y", [4, 5, 6], 500))
    assert (result.decay_k, result.decay_k_source) == (0.0, "clamped")
    assert result.expected_vpd == pytest.approx(200)
    assert result.ratio == pytest.approx(2.5)
    assert result.verdict == HEATING


def test_it_needs_three_young_videos():
    result = verdict_of(baseline() + at_vpd("y", [4, 5], 10**6))
    assert result.verdict == INSUFFICIENT_DATA
    assert result.young_n == 2
    assert (result.ratio, result.expected_vpd, result.decay_k) == (None, None, None)
    assert "younger than 30 days" in result.reason


def test_it_gives_no_verdict_when_all_videos_are_old():
    result = verdict_of(baseline() + at_vpd("v", [400, 800, 1200], 10))
    assert result.verdict == INSUFFICIENT_DATA
    assert (result.young_n, result.old_n, result.young_share) == (0, 9, 0.0)


def test_it_needs_three_old_videos_for_a_baseline():
    result = verdict_of(at_vpd("y", [1, 2, 3, 4, 5, 6], 10**5) + at_vpd("a", [40, 50], 1000))
    assert result.verdict == INSUFFICIENT_DATA
    assert (result.young_n, result.old_n) == (6, 2)
    assert "30 days or older" in result.reason


def test_it_gives_no_verdict_when_old_videos_have_no_views():
    result = verdict_of(at_vpd("a", [40, 50, 60], 0) + at_vpd("y", [4, 5, 6], 1000))
    assert result.verdict == INSUFFICIENT_DATA
    assert "no views" in result.reason


def test_it_counts_young_videos_with_zero_views_as_under_the_prediction():
    result = verdict_of(baseline() + at_vpd("y", [4, 5, 6], 0))
    assert result.verdict == SATURATING
    assert result.observed_vpd == 0
    assert result.ratio == 0


def test_it_leaves_undated_videos_out_of_the_verdict_and_counts_them():
    candidates = [*baseline(), *at_vpd("y", [4, 5, 6], 25000), video("u1", None, 10**9), video("u2", None, 0)]
    result = discover(candidates, NOW, limit=3, seed="desk gadgets")
    assert (result.n, result.undated) == (11, 2)
    assert sum(band.n for band in result.adoption_histogram) == 9
    assert result.verdict == HEATING
    assert [b.id for b in result.breakouts] == ["y2", "y1", "y0"]  # all 25,000 / day: more views first


def test_it_survives_a_scrape_without_any_dated_video():
    result = discover([video("u1", None, 10), video("u2", None, 20)], NOW, seed="x")
    assert (result.n, result.undated, result.breakouts) == (2, 2, [])
    assert [band.n for band in result.adoption_histogram] == [0, 0, 0, 0, 0]
    assert result.verdict == INSUFFICIENT_DATA
    assert result.verdict_detail.young_share is None


def test_it_serialises_discovery_in_viralcli_shape():
    result = discover([*baseline(), *at_vpd("y", [4, 5, 6], 25000)], NOW, limit=2, seed="desk gadgets")
    data = json.loads(result.to_json())
    assert list(data)[:5] == ["seed", "n", "verdict", "adoption_histogram", "breakouts"]
    assert (data["seed"], data["n"], data["verdict"]) == ("desk gadgets", 9, "HEATING")
    assert data["adoption_histogram"][0] == {"band": "0-7d", "n": 3, "median_vpd": 25000, "median_age_days": 5.0}
    assert [band["band"] for band in data["adoption_histogram"]] == ["0-7d", "7-30d", "30-90d", "90-365d", "365d+"]
    first = data["breakouts"][0]
    assert {k: first[k] for k in ("id", "title", "views_per_day", "age_days", "views")} == {
        "id": "y2",
        "title": "video y2",
        "views_per_day": 25000,
        "age_days": 6.0,
        "views": 150000,
    }
    assert data["verdict_detail"]["verdict"] == "HEATING"
    assert Discovery.from_dict(data) == result


def test_it_round_trips_a_candidate_through_json():
    candidate = video("x", 2, 1000)
    data = json.loads(candidate.to_json())
    assert data["uploaded_at"] == "2025-05-30T12:00:00+00:00"
    assert Candidate.from_dict(data) == candidate
    assert Candidate.from_dict(video("u", None, 1).to_dict()).uploaded_at is None
