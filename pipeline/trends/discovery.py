"""Discovery maths: views per day, ranked breakouts, the adoption histogram, the verdict.

Everything here is a pure function of one search's results (:class:`Candidate`, as a
platform provider returns them) and the moment of the scrape, so the same scrape always
gives the same answer. The output dataclasses serialise to viralcli's ``/v1/discovery``
shape (``seed``, ``n``, ``verdict``, ``adoption_histogram``, ``breakouts``) plus two
additive fields, ``undated`` and ``verdict_detail``. The verdict rule, its thresholds and
the reasons for them are documented in ``docs/trends.md``; keep the two in step.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from datetime import UTC, datetime
from typing import Any

from pipeline.types import JsonMixin

SECONDS_PER_DAY = 86_400.0

# Ages below one day count as one day when dividing views by age. Platform upload dates
# are often only day-precise (YouTube's ``upload_date`` is a date; search pages say
# "3 hours ago"), so a shorter age is not measurable, and extrapolating a video's first
# hours to a whole day would rank every fresh upload above real breakouts.
MIN_AGE_DAYS = 1.0

DEFAULT_LIMIT = 20

# (label, lowest age in days included, first age in days excluded), youngest first.
BANDS: tuple[tuple[str, float, float], ...] = (
    ("0-7d", 0.0, 7.0),
    ("7-30d", 7.0, 30.0),
    ("30-90d", 30.0, 90.0),
    ("90-365d", 90.0, 365.0),
    ("365d+", 365.0, math.inf),
)
YOUNG_BANDS = frozenset({"0-7d", "7-30d"})

HEATING = "HEATING"
STEADY = "STEADY"
SATURATING = "SATURATING"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"

# The verdict's thresholds; docs/trends.md says why each has its value.
MIN_YOUNG = 3
MIN_OLD = 3
HEATING_RATIO = 2.0
SATURATING_RATIO = 0.5
SATURATING_MIN_YOUNG_SHARE = 0.3
DEFAULT_DECAY_K = 1.0
MIN_DECAY_K = 0.0
MAX_DECAY_K = 1.0


@dataclasses.dataclass
class Candidate(JsonMixin):
    """One search result as a platform provider returns it.

    ``uploaded_at`` is None when the platform did not say; a naive datetime is read as
    UTC. ``views`` is 0 when the platform hid the count.
    """

    platform: str
    video_id: str
    url: str = ""
    title: str = ""
    creator: str = ""
    views: int = 0
    likes: int | None = None
    comments: int | None = None
    uploaded_at: datetime | None = None
    duration_sec: float | None = None
    thumbnail: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["uploaded_at"] = self.uploaded_at.isoformat() if self.uploaded_at else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Candidate:
        data = dict(data)
        if isinstance(data.get("uploaded_at"), str):
            data["uploaded_at"] = datetime.fromisoformat(data["uploaded_at"])
        return super().from_dict(data)


@dataclasses.dataclass
class Breakout(JsonMixin):
    """A ranked video in viralcli's breakout shape (``id``, ``title``, ``views_per_day``,
    ``age_days``, ``views``) plus what the dashboard shows and clips from it."""

    id: str
    title: str
    views_per_day: int
    age_days: float
    views: int
    platform: str = ""
    url: str = ""
    creator: str = ""
    thumbnail: str = ""
    likes: int | None = None
    comments: int | None = None
    duration_sec: float | None = None


@dataclasses.dataclass
class AdoptionBand(JsonMixin):
    """One age band of the adoption histogram: how many dated videos fall in it, their
    median views per day and median age in days (both None when ``n`` is 0)."""

    band: str
    n: int
    median_vpd: int | None = None
    median_age_days: float | None = None


@dataclasses.dataclass
class Verdict(JsonMixin):
    """The format verdict with its reason and the numbers it was decided on.

    ``observed_vpd`` and ``expected_vpd`` are the young bands' medians and the decay's
    predictions for them, each averaged weighted by band size; ``ratio`` is their quotient.
    ``decay_k_source`` is ``fit``, ``clamped`` or ``default``. Numbers the rule did not
    reach are None.
    """

    verdict: str
    reason: str
    young_n: int = 0
    old_n: int = 0
    young_share: float | None = None
    decay_k: float | None = None
    decay_k_source: str = ""
    observed_vpd: float | None = None
    expected_vpd: float | None = None
    ratio: float | None = None


@dataclasses.dataclass
class Discovery(JsonMixin):
    """The ``/v1/discovery`` object without account or usage fields.

    ``n`` counts every search result; ``undated`` those without an upload time, which are
    left out of the histogram, the breakouts and the verdict.
    """

    seed: str
    n: int
    verdict: str
    adoption_histogram: list[AdoptionBand]
    breakouts: list[Breakout]
    undated: int = 0
    verdict_detail: Verdict | None = None


def age_days(candidate: Candidate, now: datetime) -> float | None:
    """Days from the upload to ``now``, 0 for an upload "in the future" (clock skew between
    the platform and us), None when the upload time is unknown."""
    if candidate.uploaded_at is None:
        return None
    seconds = (_utc(now) - _utc(candidate.uploaded_at)).total_seconds()
    return max(0.0, seconds / SECONDS_PER_DAY)


def views_per_day(candidate: Candidate, now: datetime) -> float | None:
    """Lifetime average views per day: views over age, the age floored at
    :data:`MIN_AGE_DAYS`; None when the upload time is unknown."""
    age = age_days(candidate, now)
    if age is None:
        return None
    return max(candidate.views, 0) / max(age, MIN_AGE_DAYS)


def rank_breakouts(candidates: list[Candidate], now: datetime, limit: int = DEFAULT_LIMIT) -> list[Breakout]:
    """The ``limit`` dated candidates with the most views per day, highest first.

    Ties go to more views, then platform and id, so a scrape always ranks the same way.
    Undated candidates cannot be ranked and are left out.
    """
    scored = []
    for candidate in candidates:
        vpd = views_per_day(candidate, now)
        age = age_days(candidate, now)
        if vpd is not None and age is not None:
            scored.append((vpd, age, candidate))
    scored.sort(key=lambda item: (-item[0], -item[2].views, item[2].platform, item[2].video_id))
    return [_breakout(candidate, vpd, age) for vpd, age, candidate in scored[: max(limit, 0)]]


def adoption_histogram(candidates: list[Candidate], now: datetime) -> list[AdoptionBand]:
    """Every band of :data:`BANDS`, youngest first, with its dated candidates' count,
    median views per day and median age; undated candidates are in no band."""
    members: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in BANDS}
    for candidate in candidates:
        age = age_days(candidate, now)
        vpd = views_per_day(candidate, now)
        if age is None or vpd is None:
            continue
        members[_band_of(age)].append((age, vpd))
    histogram = []
    for label, _, _ in BANDS:
        rows = members[label]
        if not rows:
            histogram.append(AdoptionBand(label, 0))
            continue
        histogram.append(
            AdoptionBand(
                band=label,
                n=len(rows),
                median_vpd=round(statistics.median(vpd for _, vpd in rows)),
                median_age_days=round(statistics.median(age for age, _ in rows), 2),
            )
        )
    return histogram


def verdict(histogram: list[AdoptionBand]) -> Verdict:
    """HEATING / STEADY / SATURATING / INSUFFICIENT_DATA for one scrape's histogram.

    The older bands (30 days and up) give a power-law decay ``vpd ∝ age^-k``; the young
    bands' medians are compared with what it predicts at their ages. See docs/trends.md.
    """
    young = [b for b in histogram if b.band in YOUNG_BANDS and b.n > 0]
    old = [b for b in histogram if b.band not in YOUNG_BANDS and b.n > 0]
    young_n = sum(b.n for b in young)
    old_n = sum(b.n for b in old)
    share = young_n / (young_n + old_n) if young_n + old_n else None
    counts = {"young_n": young_n, "old_n": old_n, "young_share": _rounded(share, 3)}
    if young_n < MIN_YOUNG:
        reason = f"only {young_n} dated videos are younger than 30 days; the verdict needs at least {MIN_YOUNG}"
        return Verdict(INSUFFICIENT_DATA, reason, **counts)
    if old_n < MIN_OLD:
        reason = (
            f"only {old_n} dated videos are 30 days or older; at least {MIN_OLD} are needed "
            "to know how views per day decay with age"
        )
        return Verdict(INSUFFICIENT_DATA, reason, **counts)
    baseline = [b for b in old if b.median_vpd and b.median_age_days is not None]
    if not baseline:
        reason = "the videos 30 days or older have no views to compare the young ones against"
        return Verdict(INSUFFICIENT_DATA, reason, **counts)

    k, source, centre_x, centre_y = _decay(baseline)
    observed = sum(b.n * (b.median_vpd or 0) for b in young) / young_n
    expected = sum(b.n * math.exp(centre_y - k * (_log_age(b.median_age_days) - centre_x)) for b in young) / young_n
    ratio = observed / expected
    numbers = {
        **counts,
        "decay_k": round(k, 3),
        "decay_k_source": source,
        "observed_vpd": round(observed, 2),
        "expected_vpd": round(expected, 2),
        "ratio": round(ratio, 3),
    }
    if ratio >= HEATING_RATIO:
        reason = (
            f"videos younger than 30 days earn {ratio:.2f}x the views per day that the older videos' "
            f"decay predicts at their age (HEATING from {HEATING_RATIO:g}x)"
        )
        return Verdict(HEATING, reason, **numbers)
    if ratio <= SATURATING_RATIO and share is not None and share >= SATURATING_MIN_YOUNG_SHARE:
        reason = (
            f"{share:.0%} of dated videos are younger than 30 days but they earn only {ratio:.2f}x the views "
            f"per day that the older videos' decay predicts (SATURATING at or under {SATURATING_RATIO:g}x "
            f"with at least {SATURATING_MIN_YOUNG_SHARE:.0%} young)"
        )
        return Verdict(SATURATING, reason, **numbers)
    reason = f"videos younger than 30 days earn {ratio:.2f}x the views per day that the older videos' decay predicts"
    return Verdict(STEADY, reason, **numbers)


def discover(candidates: list[Candidate], now: datetime, limit: int = DEFAULT_LIMIT, *, seed: str = "") -> Discovery:
    """The whole discovery object for one search's results taken at ``now``."""
    histogram = adoption_histogram(candidates, now)
    decided = verdict(histogram)
    return Discovery(
        seed=seed,
        n=len(candidates),
        verdict=decided.verdict,
        adoption_histogram=histogram,
        breakouts=rank_breakouts(candidates, now, limit),
        undated=sum(1 for c in candidates if c.uploaded_at is None),
        verdict_detail=decided,
    )


def _decay(baseline: list[AdoptionBand]) -> tuple[float, str, float, float]:
    """``(k, source, x, y)``: the decay exponent and the point (log age, log vpd) its line
    passes through, fitted by least squares on the bands weighted by their size."""
    weights = [b.n for b in baseline]
    xs = [_log_age(b.median_age_days) for b in baseline]
    ys = [math.log(b.median_vpd or 1) for b in baseline]
    total = sum(weights)
    centre_x = sum(w * x for w, x in zip(weights, xs, strict=True)) / total
    centre_y = sum(w * y for w, y in zip(weights, ys, strict=True)) / total
    spread = sum(w * (x - centre_x) ** 2 for w, x in zip(weights, xs, strict=True))
    if len(baseline) < 2 or spread == 0:
        return DEFAULT_DECAY_K, "default", centre_x, centre_y
    slope = sum(w * (x - centre_x) * (y - centre_y) for w, x, y in zip(weights, xs, ys, strict=True)) / spread
    k = min(MAX_DECAY_K, max(MIN_DECAY_K, -slope))
    # A slope of exactly -1 computed in floating point may come out a hair past the bound.
    return k, ("fit" if math.isclose(k, -slope, abs_tol=1e-9) else "clamped"), centre_x, centre_y


def _log_age(days: float | None) -> float:
    return math.log(max(days or 0.0, MIN_AGE_DAYS))


def _band_of(age: float) -> str:
    """The label of the band holding ``age`` (never negative: see :func:`age_days`)."""
    return next(label for label, _, beyond in BANDS if age < beyond)


def _breakout(candidate: Candidate, vpd: float, age: float) -> Breakout:
    return Breakout(
        id=candidate.video_id,
        title=candidate.title,
        views_per_day=round(vpd),
        age_days=round(age, 2),
        views=candidate.views,
        platform=candidate.platform,
        url=candidate.url,
        creator=candidate.creator,
        thumbnail=candidate.thumbnail,
        likes=candidate.likes,
        comments=candidate.comments,
        duration_sec=candidate.duration_sec,
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
