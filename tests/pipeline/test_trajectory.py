"""Trajectory maths, cadence, backoff and trend-event crossings on hand-computed series.

Every expected number below was worked out by hand from the times and views given (see
docs/trends.md, "Trajectories, cadence and trend events"); none is computed by the code
under test. Times are in steps of 6 hours (a quarter day) so velocities come out round.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.trends import (
    ACCELERATING,
    BREAKOUT,
    HEATING,
    PEAKING,
    SATURATING,
    STEADY,
    EventState,
    Metrics,
    Reading,
    Thresholds,
    backoff_seconds,
    clean_readings,
    crossings,
    metrics,
    next_poll_seconds,
    seed_heating,
    velocities,
)

T0 = datetime(2025, 6, 1, 0, 0, tzinfo=UTC)
QUARTER = timedelta(hours=6)


def at(hours: float, views: int) -> Reading:
    return Reading(T0 + timedelta(hours=hours), views)


# Velocities 40k, 80k, 160k, 120k, 60k, 30k views/day over six quarter-day intervals:
# the increments are a quarter of each (10k, 20k, 40k, 30k, 15k, 7.5k).
RISE_AND_FALL = [at(6 * i, v) for i, v in enumerate([0, 10_000, 30_000, 70_000, 100_000, 115_000, 122_500])]


def test_it_has_no_metrics_without_readings() -> None:
    assert metrics([]) == Metrics(n=0, true_vpd=None, accel=None, peaking=False, lifetime_vpd=None, peak_vpd=None)
    assert velocities([]) == []


def test_it_gives_one_reading_only_a_lifetime_average() -> None:
    m = metrics([at(0, 5_000)], uploaded_at=T0 - timedelta(days=2))

    assert m == Metrics(n=1, true_vpd=None, accel=None, peaking=False, lifetime_vpd=2_500.0, peak_vpd=None)


def test_it_floors_the_age_at_one_day_and_reads_a_naive_upload_time_as_utc() -> None:
    m = metrics([at(0, 5_000)], uploaded_at=datetime(2025, 5, 31, 18, 0))

    assert m.lifetime_vpd == 5_000.0


def test_it_measures_true_velocity_from_two_readings() -> None:
    m = metrics([at(0, 1_000), at(6, 3_500)])

    assert m == Metrics(n=2, true_vpd=10_000.0, accel=None, peaking=False, lifetime_vpd=None, peak_vpd=10_000.0)
    assert velocities([at(0, 1_000), at(6, 3_500)]) == [(T0 + timedelta(hours=3), 10_000.0)]


def test_it_measures_acceleration_from_three_readings() -> None:
    # 2,500 then 3,500 views per quarter day: 10,000 and 14,000 views/day, midpoints 6 h apart.
    m = metrics([at(0, 1_000), at(6, 3_500), at(12, 7_000)], uploaded_at=T0 - timedelta(days=3.5))

    assert m.n == 3
    assert m.true_vpd == 14_000.0
    assert m.accel == pytest.approx(16_000.0)
    assert m.peaking is False
    assert m.peak_vpd == 14_000.0
    assert m.lifetime_vpd == pytest.approx(7_000 / 4)


def test_it_uses_real_elapsed_time_for_irregular_gaps() -> None:
    # 10,000 views over a day (midpoint +12 h), then 5,000 over 6 h = 20,000/day (midpoint +27 h):
    # the velocity rose 10,000/day in 15 h = 0.625 day.
    readings = [at(0, 0), at(24, 10_000), at(30, 15_000)]

    assert velocities(readings) == [(T0 + timedelta(hours=12), 10_000.0), (T0 + timedelta(hours=27), 20_000.0)]
    assert metrics(readings).accel == pytest.approx(16_000.0)


def test_it_never_gives_a_negative_velocity_when_a_counter_is_corrected_down() -> None:
    # 1,000 -> 3,000 -> 2,500 (corrected) -> 4,500 one day apart: the drop is 0/day, and the
    # growth after it counts from 2,500 (2,000/day), not from 3,000.
    readings = [at(0, 1_000), at(24, 3_000), at(48, 2_500), at(72, 4_500)]

    assert [v for _, v in velocities(readings)] == [2_000.0, 0.0, 2_000.0]
    m = metrics(readings)
    assert m.true_vpd == 2_000.0
    assert m.accel == pytest.approx(2_000.0)
    assert m.peak_vpd == 2_000.0
    assert m.peaking is False


def test_it_sorts_readings_and_collapses_duplicates_into_the_later() -> None:
    readings = [
        at(24, 3_000),
        Reading(T0 - timedelta(seconds=30), 900),
        at(0, 1_000),
        at(24, 3_100),  # the same moment as the first: given last, so it is kept
    ]

    assert clean_readings(readings) == [at(0, 1_000), at(24, 3_100)]
    assert metrics(readings).n == 2
    assert metrics(readings).true_vpd == 2_100.0


def test_it_keeps_readings_a_minute_apart_and_reads_naive_times_as_utc() -> None:
    readings = [Reading(datetime(2025, 6, 1, 0, 0), 0), Reading(T0 + timedelta(seconds=60), 10)]

    cleaned = clean_readings(readings)
    assert [r.captured_at for r in cleaned] == [T0, T0 + timedelta(seconds=60)]
    assert metrics(readings).true_vpd == pytest.approx(14_400.0)


def test_it_calls_a_few_percent_of_noise_not_a_peak() -> None:
    # 100k, 103k, 99k views/day: a 3 % rise is within the tolerance.
    noisy = [at(0, 0), at(24, 100_000), at(48, 203_000), at(72, 302_000)]
    # 100k, 110k, 90k views/day: rose 10 %, fell 18 %.
    turned = [at(0, 0), at(24, 100_000), at(48, 210_000), at(72, 300_000)]

    assert metrics(noisy).peaking is False
    assert metrics(turned).peaking is True


def test_it_sees_a_rise_then_fall_peak_once_and_fires_each_event_once() -> None:
    state = EventState()
    fired: list[list[str]] = []
    peaking: list[bool] = []
    for k in range(1, len(RISE_AND_FALL) + 1):
        m = metrics(RISE_AND_FALL[:k])
        peaking.append(m.peaking)
        events, state = crossings(state, m, RISE_AND_FALL[k - 1].captured_at, Thresholds())
        fired.append(events)

    # Velocity 80k after 40k (accel 160k/day²) is accelerating; 160k is past the 100k
    # breakout; 120k after 160k turns down; 60k and 30k keep falling.
    assert peaking == [False, False, False, False, True, False, False]
    assert fired == [[], [], [ACCELERATING], [BREAKOUT], [PEAKING], [], []]
    # 30k is under half the breakout threshold, so the breakout is armed again.
    assert state == EventState(
        breakout_armed=True, accelerating_armed=True, peaking_armed=False, last_reading_at=RISE_AND_FALL[-1].captured_at
    )


def test_it_fires_nothing_for_a_reading_already_judged() -> None:
    m = metrics(RISE_AND_FALL[:4])
    latest = RISE_AND_FALL[3].captured_at
    events, state = crossings(EventState(), m, latest, Thresholds())

    assert events == [BREAKOUT, ACCELERATING]
    assert crossings(state, m, latest, Thresholds()) == ([], state)
    assert crossings(state, m, latest - timedelta(hours=1), Thresholds()) == ([], state)


def test_it_does_not_fire_peaking_again_when_a_quick_repoll_replaces_the_turning_reading() -> None:
    state = EventState()
    for k in range(1, 6):
        _, state = crossings(state, metrics(RISE_AND_FALL[:k]), RISE_AND_FALL[k - 1].captured_at, Thresholds())
    repoll = Reading(RISE_AND_FALL[4].captured_at + timedelta(seconds=30), 100_010)
    m = metrics([*RISE_AND_FALL[:5], repoll])

    assert m.n == 5 and m.peaking is True
    assert crossings(state, m, repoll.captured_at, Thresholds())[0] == []


def test_it_rearms_a_breakout_only_after_velocity_falls_below_half_the_threshold() -> None:
    state = EventState()
    fired = []
    for hour, vpd in enumerate([120_000, 150_000, 80_000, 110_000, 40_000, 105_000, 99_999]):
        m = Metrics(n=2, true_vpd=vpd, peak_vpd=150_000)
        events, state = crossings(state, m, T0 + timedelta(hours=hour), Thresholds())
        fired.append(events)

    assert fired == [[BREAKOUT], [], [], [], [], [BREAKOUT], []]


def test_it_rearms_accelerating_when_acceleration_stops_and_peaking_when_velocity_rises() -> None:
    thresholds = Thresholds(vpd_breakout=1e12, accel_hot=20_000)
    series = [
        Metrics(n=3, true_vpd=1, accel=25_000),  # accelerating
        Metrics(n=3, true_vpd=1, accel=30_000),  # still hot: already fired
        Metrics(n=3, true_vpd=1, accel=5_000),  # cooler but still rising: not re-armed
        Metrics(n=3, true_vpd=1, accel=21_000),
        Metrics(n=4, true_vpd=1, accel=-1_000, peaking=True),  # re-armed (accel <= 0); peaking
        Metrics(n=4, true_vpd=1, accel=-1_000, peaking=True),  # a later reading still "peaking": already fired
        Metrics(n=4, true_vpd=1, accel=22_000),  # rising: accelerating (re-armed above) fires, peaking re-arms
        Metrics(n=4, true_vpd=1, accel=-500, peaking=True),
    ]
    fired = []
    state = EventState()
    for hour, m in enumerate(series):
        events, state = crossings(state, m, T0 + timedelta(hours=hour), thresholds)
        fired.append(events)

    assert fired == [[ACCELERATING], [], [], [], [PEAKING], [], [ACCELERATING], [PEAKING]]


def test_it_refuses_thresholds_at_or_below_zero() -> None:
    with pytest.raises(ValueError, match="positive"):
        Thresholds(vpd_breakout=0)
    with pytest.raises(ValueError, match="positive"):
        Thresholds(accel_hot=-1)


def test_it_round_trips_state_and_readings_through_json() -> None:
    state = EventState(breakout_armed=False, last_reading_at=T0)
    reading = Reading(T0, 10, likes=2, comments=None)

    assert EventState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
    assert EventState.from_dict(json.loads(json.dumps(EventState().to_dict()))) == EventState()
    assert Reading.from_dict(json.loads(reading.to_json())) == reading
    assert json.loads(metrics(RISE_AND_FALL).to_json())["peak_vpd"] == 160_000.0


def test_it_polls_at_the_interval_while_accelerating_or_unsure() -> None:
    assert next_poll_seconds(Metrics(n=0), 900) == 900
    assert next_poll_seconds(Metrics(n=2, true_vpd=10, peak_vpd=10), 900) == 900
    assert next_poll_seconds(Metrics(n=3, true_vpd=10, accel=5, peak_vpd=100), 900) == 900
    # Steady at its peak: not cooling, so no slower than asked.
    assert next_poll_seconds(Metrics(n=3, true_vpd=100, accel=0, peak_vpd=100), 900) == 900


def test_it_polls_slower_as_velocity_cools_and_daily_once_cold() -> None:
    def cooling(true_vpd: float) -> Metrics:
        return Metrics(n=5, true_vpd=true_vpd, accel=-1, peak_vpd=100_000)

    assert next_poll_seconds(cooling(50_000), 900) == 1_800
    assert next_poll_seconds(cooling(25_000), 900) == 3_600
    assert next_poll_seconds(cooling(20_000), 900) == 4_500
    assert next_poll_seconds(cooling(30_000), 900) == 3_000
    assert next_poll_seconds(cooling(10_000), 900) == 86_400
    assert next_poll_seconds(cooling(0), 900) == 86_400
    assert next_poll_seconds(Metrics(n=3, true_vpd=0, accel=0, peak_vpd=0), 900) == 86_400

    for interval in (60, 900, 3_600, 50_000, 86_400):
        waits = [next_poll_seconds(cooling(vpd), interval) for vpd in range(100_000, -1, -2_500)]
        assert waits == sorted(waits)
        assert min(waits) >= interval
        assert max(waits) == 86_400


def test_it_slows_the_rise_and_fall_series_down_as_it_cools() -> None:
    waits = [next_poll_seconds(metrics(RISE_AND_FALL[:k]), 900) for k in range(1, len(RISE_AND_FALL) + 1)]

    # Rising up to the fourth reading; then 120k, 60k and 30k of a 160k peak.
    assert waits == [900, 900, 900, 900, 1_200, 2_400, 4_800]


def test_it_backs_off_by_doubling_up_to_a_cap() -> None:
    assert [backoff_seconds(f, 300) for f in range(1, 9)] == [300, 600, 1_200, 2_400, 4_800, 9_600, 19_200, 21_600]
    assert backoff_seconds(10_000, 300) == 21_600
    assert backoff_seconds(0, 300) == 300
    # An item polled less often than the cap is never retried sooner than its interval.
    assert backoff_seconds(1, 43_200) == 43_200
    assert backoff_seconds(3, 43_200) == 43_200


def test_it_waits_at_least_what_the_platform_asked() -> None:
    assert backoff_seconds(1, 300, retry_after=3_600) == 3_600
    assert backoff_seconds(3, 300, retry_after=100) == 1_200
    assert backoff_seconds(20, 300, retry_after=30_000) == 30_000


@pytest.mark.parametrize(
    ("previous", "now", "before", "ids", "expected"),
    [
        (None, HEATING, set(), ["a"], True),  # the first signal is already HEATING
        (None, HEATING, set(), [], False),  # HEATING with no breakouts to show
        (STEADY, HEATING, {"a"}, ["a", "b"], True),
        (SATURATING, HEATING, {"a", "b"}, ["b", "a"], False),  # no fresh breakout
        (HEATING, HEATING, {"a"}, ["b"], False),  # already HEATING: fired when it turned
        (HEATING, STEADY, set(), ["a"], False),
    ],
)
def test_it_says_when_a_seed_turns_heating(
    previous: str | None, now: str, before: set[str], ids: list[str], expected: bool
) -> None:
    assert seed_heating(previous, now, before, ids) is expected
