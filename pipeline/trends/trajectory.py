"""Trajectory maths: velocity and acceleration from snapshots, the adaptive poll cadence,
the backoff after refusals and the trend-event crossings.

A tracked video is polled repeatedly; each poll is a :class:`Reading`. From the series
:func:`metrics` computes viralcli's trajectory metrics (``true_vpd``, ``accel``,
``peaking``, ``lifetime_vpd``), :func:`next_poll_seconds` decides when to poll again, and
:func:`crossings` says which trend events fire at the latest reading, remembering in an
:class:`EventState` what already fired so each crossing fires once. Everything is a pure
function of its arguments. The rules, their thresholds and the reasons for them are
documented in ``docs/trends.md`` ("Trajectories, cadence and trend events"); keep the two
in step.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from datetime import UTC, datetime
from typing import Any

from pipeline.trends.discovery import HEATING, MIN_AGE_DAYS, SECONDS_PER_DAY
from pipeline.types import JsonMixin

# Readings closer together than this collapse into the later one. Counters are integers
# that platforms refresh every few seconds to minutes, so over a shorter gap the growth is
# mostly rounding and caching, and dividing it by a tiny time would give wild velocities.
# It is also the shortest interval a tracked item may ask for.
MIN_GAP_SECONDS = 60.0

# Relative change that counts as "rising" or "falling" for the peaking rule, so a few
# percent of noise between two intervals does not flip the answer.
PEAK_TOLERANCE = 0.05

# The cadence: daily once the velocity has fallen to this fraction of its peak or below.
COLD_RATIO = 0.1
DAILY_SECONDS = 86_400

# Backoff after a refusal doubles from the item's interval up to this cap (or the
# interval itself when that is longer).
BACKOFF_CAP_SECONDS = 6 * 3600
# The doubling stops this many failures in; past it the cap has long been reached.
_MAX_DOUBLINGS = 32

# A breakout re-arms only once the velocity has fallen below this fraction of the threshold.
BREAKOUT_REARM_FRACTION = 0.5

DEFAULT_VPD_BREAKOUT = 100_000.0
DEFAULT_ACCEL_HOT = 20_000.0

BREAKOUT = "breakout"
ACCELERATING = "accelerating"
PEAKING = "peaking"
FORMAT_HEATING = "format_heating"


@dataclasses.dataclass
class Reading(JsonMixin):
    """One poll of a video: its counters at ``captured_at`` (a naive datetime is read as UTC)."""

    captured_at: datetime
    views: int
    likes: int | None = None
    comments: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["captured_at"] = self.captured_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reading:
        data = dict(data)
        if isinstance(data.get("captured_at"), str):
            data["captured_at"] = datetime.fromisoformat(data["captured_at"])
        return super().from_dict(data)


@dataclasses.dataclass
class Metrics(JsonMixin):
    """viralcli's trajectory metrics plus ``peak_vpd``; velocities are views per day.

    ``n`` counts the readings left after cleaning. ``true_vpd`` is the velocity over the
    last interval (None under 2 readings); ``accel`` the change between the last two
    interval velocities per day between their midpoints (None under 3 readings);
    ``peaking`` is true only at the reading where a rising velocity turns down;
    ``lifetime_vpd`` is the latest views over the age (floored at one day), None when the
    upload time is unknown; ``peak_vpd`` the highest interval velocity (None under 2).
    """

    n: int
    true_vpd: float | None = None
    accel: float | None = None
    peaking: bool = False
    lifetime_vpd: float | None = None
    peak_vpd: float | None = None


@dataclasses.dataclass
class Thresholds:
    """The event thresholds (settings ``VPD_BREAKOUT`` and ``ACCEL_HOT``); both must be positive."""

    vpd_breakout: float = DEFAULT_VPD_BREAKOUT
    accel_hot: float = DEFAULT_ACCEL_HOT

    def __post_init__(self) -> None:
        # The re-arming rules compare against fractions of these and against zero; a
        # threshold at or below zero would make an event fire and re-arm at every poll.
        if self.vpd_breakout <= 0 or self.accel_hot <= 0:
            raise ValueError(
                f"trend thresholds must be positive (VPD_BREAKOUT={self.vpd_breakout}, ACCEL_HOT={self.accel_hot})"
            )


@dataclasses.dataclass
class EventState(JsonMixin):
    """What one tracked item remembers between polls so each crossing fires once.

    An event may fire only while it is armed; firing disarms it and a re-arming condition
    (see :func:`crossings`) arms it again. ``last_reading_at`` is the latest reading
    already judged: a reading at or before it fires nothing. ``EventState()`` is a fresh
    item, everything armed.
    """

    breakout_armed: bool = True
    accelerating_armed: bool = True
    peaking_armed: bool = True
    last_reading_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["last_reading_at"] = self.last_reading_at.isoformat() if self.last_reading_at else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventState:
        data = dict(data)
        if isinstance(data.get("last_reading_at"), str):
            data["last_reading_at"] = datetime.fromisoformat(data["last_reading_at"])
        return super().from_dict(data)


def clean_readings(readings: list[Reading]) -> list[Reading]:
    """The readings sorted by time, with readings less than :data:`MIN_GAP_SECONDS` after
    the previous kept one collapsed into the later (at equal times, the one given last).

    Times come back timezone-aware (naive ones read as UTC); the input is not changed.
    """
    ordered = sorted(
        (dataclasses.replace(r, captured_at=_utc(r.captured_at)) for r in readings), key=lambda r: r.captured_at
    )
    kept: list[Reading] = []
    for reading in ordered:
        if kept and (reading.captured_at - kept[-1].captured_at).total_seconds() < MIN_GAP_SECONDS:
            kept[-1] = reading
        else:
            kept.append(reading)
    return kept


def velocities(readings: list[Reading]) -> list[tuple[datetime, float]]:
    """``(midpoint, views per day)`` for each interval between consecutive cleaned readings.

    A counter that went down (the platform corrected it) gives 0 for that interval, never a
    negative velocity; the next interval grows from the corrected value.
    """
    cleaned = clean_readings(readings)
    series = []
    for before, after in itertools.pairwise(cleaned):
        elapsed = after.captured_at - before.captured_at
        gained = max(after.views - before.views, 0)
        series.append((before.captured_at + elapsed / 2, gained / (elapsed.total_seconds() / SECONDS_PER_DAY)))
    return series


def metrics(readings: list[Reading], uploaded_at: datetime | None = None) -> Metrics:
    """The trajectory metrics of a video's readings (any order); see :class:`Metrics`."""
    cleaned = clean_readings(readings)
    if not cleaned:
        return Metrics(n=0)
    series = velocities(cleaned)
    speeds = [v for _, v in series]
    accel = None
    if len(series) >= 2:
        (t_prev, v_prev), (t_last, v_last) = series[-2], series[-1]
        accel = (v_last - v_prev) / ((t_last - t_prev).total_seconds() / SECONDS_PER_DAY)
    lifetime = None
    latest = cleaned[-1]
    if uploaded_at is not None:
        age = max(0.0, (latest.captured_at - _utc(uploaded_at)).total_seconds() / SECONDS_PER_DAY)
        lifetime = max(latest.views, 0) / max(age, MIN_AGE_DAYS)
    return Metrics(
        n=len(cleaned),
        true_vpd=speeds[-1] if speeds else None,
        accel=accel,
        peaking=_turned_down(speeds),
        lifetime_vpd=lifetime,
        peak_vpd=max(speeds) if speeds else None,
    )


def next_poll_seconds(m: Metrics, interval_sec: int) -> int:
    """Seconds until the next poll of a video with metrics ``m``.

    ``interval_sec`` while the velocity is rising or there is too little data to know
    (no ``accel`` yet); otherwise ``interval_sec · peak / true_vpd``, so the wait grows as
    the velocity cools relative to its peak; daily once it is at or under
    :data:`COLD_RATIO` of the peak (or never moved). Always between ``interval_sec`` and
    ``max(interval_sec, 86400)``.
    """
    slowest = max(interval_sec, DAILY_SECONDS)
    if m.accel is None or m.true_vpd is None or m.accel > 0:
        return interval_sec
    if not m.peak_vpd:
        return slowest
    ratio = m.true_vpd / m.peak_vpd
    if ratio <= COLD_RATIO:
        return slowest
    # Multiplying before dividing keeps round ratios exact (900 s at 0.3 of the peak is 3000 s, not 3001).
    return min(slowest, max(interval_sec, math.ceil(interval_sec * m.peak_vpd / m.true_vpd)))


def backoff_seconds(failures: int, interval_sec: int, retry_after: int | None = None) -> int:
    """Seconds to wait after ``failures`` refusals in a row (from 1).

    ``interval_sec`` after the first, doubling with each further one, capped at
    :data:`BACKOFF_CAP_SECONDS` (or ``interval_sec`` when longer), and never less than the
    platform's ``retry_after``. ``failures`` under 1 waits ``interval_sec``.
    """
    doublings = min(max(failures - 1, 0), _MAX_DOUBLINGS)
    wait = min(interval_sec * 2**doublings, max(BACKOFF_CAP_SECONDS, interval_sec))
    return max(wait, retry_after or 0)


def crossings(state: EventState, m: Metrics, latest: datetime, thresholds: Thresholds) -> tuple[list[str], EventState]:
    """The trend events that fire at the reading taken at ``latest``, and the new state.

    - ``breakout`` when ``true_vpd ≥ vpd_breakout``; re-arms once ``true_vpd`` is below
      :data:`BREAKOUT_REARM_FRACTION` of the threshold.
    - ``accelerating`` when ``accel ≥ accel_hot``; re-arms once ``accel ≤ 0``.
    - ``peaking`` when ``m.peaking``; re-arms once the velocity rises again (``accel > 0``).

    A reading at or before ``state.last_reading_at`` was already judged: nothing fires and
    the state is returned as it was. ``state`` itself is never changed.
    """
    latest = _utc(latest)
    if state.last_reading_at is not None and latest <= _utc(state.last_reading_at):
        return [], state
    fired = []
    new = dataclasses.replace(state, last_reading_at=latest)
    if m.true_vpd is not None:
        if new.breakout_armed and m.true_vpd >= thresholds.vpd_breakout:
            fired.append(BREAKOUT)
            new.breakout_armed = False
        elif m.true_vpd < thresholds.vpd_breakout * BREAKOUT_REARM_FRACTION:
            new.breakout_armed = True
    if m.accel is not None:
        if new.accelerating_armed and m.accel >= thresholds.accel_hot:
            fired.append(ACCELERATING)
            new.accelerating_armed = False
        elif m.accel <= 0:
            new.accelerating_armed = True
    if new.peaking_armed and m.peaking:
        fired.append(PEAKING)
        new.peaking_armed = False
    elif m.accel is not None and m.accel > 0:
        new.peaking_armed = True
    return fired, new


def seed_heating(
    previous_verdict: str | None, verdict: str, previous_breakout_ids: set[str], breakout_ids: list[str]
) -> bool:
    """Whether a tracked seed's new signal fires ``format_heating``: its verdict is HEATING
    now, was not at the previous signal (None: this is the first), and at least one of
    its breakouts was not among the previous signal's."""
    fresh = set(breakout_ids) - set(previous_breakout_ids)
    return verdict == HEATING and previous_verdict != HEATING and bool(fresh)


def _turned_down(speeds: list[float]) -> bool:
    """True when the last three interval velocities rose by more than
    :data:`PEAK_TOLERANCE` and then fell by more than it."""
    if len(speeds) < 3:
        return False
    before, top, last = speeds[-3:]
    return top > before * (1 + PEAK_TOLERANCE) and last < top * (1 - PEAK_TOLERANCE)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
