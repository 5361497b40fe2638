"""Inline SVG geometry for a tracked video's velocity: the item page's chart and the list's sparkline.

The series is :func:`pipeline.trends.trajectory.velocities` of the video's snapshots:
``(midpoint, views per day)`` per interval. This module only maps it into a viewBox,
picks a few round ticks and finds the peak to mark; the templates draw it
(``tracking/_velocity_chart.html``, ``tracking/_sparkline.html``), so the page needs no
script and scales to any width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import dateformat, timezone

from pipeline.trends.trajectory import PEAK_TOLERANCE
from tracking.templatetags.trends import compact

Series = list[tuple[datetime, float]]

# The chart's viewBox and the margins its tick labels live in.
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 20, 24, 30
X_TICKS = 4
Y_TICKS = 4
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 32, 3
DAY = 86_400


@dataclass
class Point:
    x: float
    y: float
    at: datetime
    vpd: float


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class Chart:
    """A velocity chart in a ``width`` by ``height`` viewBox; ``peak`` is None until the velocity turned down."""

    points: list[Point]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    peak: Point | None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    line: str = field(init=False)

    def __post_init__(self) -> None:
        self.line = " ".join(f"{p.x},{p.y}" for p in self.points)


def peak_index(speeds: list[float]) -> int | None:
    """Where the velocity peaked, once it has turned down: the highest velocity, when a
    later one is more than :data:`PEAK_TOLERANCE` below it (the trajectory's own rule for
    "falling"); None while it is still at its highest."""
    if not speeds:
        return None
    top = max(range(len(speeds)), key=lambda i: speeds[i])
    turned = any(later < speeds[top] * (1 - PEAK_TOLERANCE) for later in speeds[top + 1 :])
    return top if turned else None


def nice_step(highest: float, count: int) -> float:
    """A round step (1, 2 or 5 times a power of ten, at least 1) that covers ``highest`` in
    about ``count`` steps. Never under 1: the labels are whole views per day."""
    raw = highest / count
    if raw <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def velocity_chart(series: Series) -> Chart | None:
    """The chart of ``series`` (oldest first); None when there is no interval to draw yet."""
    if not series:
        return None
    highest = max(vpd for _, vpd in series)
    step = nice_step(highest, Y_TICKS)
    ceiling = step * max(1, math.ceil(highest / step))
    first, last = series[0][0], series[-1][0]
    span = (last - first).total_seconds()
    plot_w, plot_h = WIDTH - RIGHT - LEFT, HEIGHT - BOTTOM - TOP

    def x_of(moment: datetime) -> float:
        share = (moment - first).total_seconds() / span if span else 0.5
        return round(LEFT + share * plot_w, 1)

    def y_of(vpd: float) -> float:
        return round(HEIGHT - BOTTOM - vpd / ceiling * plot_h, 1)

    points = [Point(x_of(at), y_of(vpd), at, vpd) for at, vpd in series]
    y_ticks = [Tick(y_of(step * i), compact(step * i)) for i in range(round(ceiling / step) + 1)]
    count = X_TICKS if span else 1
    moments = [first + (last - first) * (i / (count - 1)) for i in range(count)] if count > 1 else [first]
    x_ticks = [Tick(x_of(moment), _time_label(moment, span)) for moment in moments]
    top = peak_index([vpd for _, vpd in series])
    return Chart(points, x_ticks, y_ticks, None if top is None else points[top])


def sparkline(series: Series) -> str:
    """The ``points`` of a small polyline of ``series`` in a 120 by 32 viewBox; "" under two intervals."""
    if len(series) < 2:
        return ""
    highest = max(vpd for _, vpd in series) or 1
    first, last = series[0][0], series[-1][0]
    span = (last - first).total_seconds() or 1
    inner_w, inner_h = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD
    return " ".join(
        f"{round(SPARK_PAD + (at - first).total_seconds() / span * inner_w, 1)},"
        f"{round(SPARK_HEIGHT - SPARK_PAD - vpd / highest * inner_h, 1)}"
        for at, vpd in series
    )


def _time_label(moment: datetime, span: float) -> str:
    """A tick's time, as precise as the chart's span needs (in the site's time zone)."""
    local = timezone.localtime(moment)
    if span <= DAY:
        return dateformat.format(local, "H:i")
    if span <= 4 * DAY:
        return dateformat.format(local, "M j H:i")
    return dateformat.format(local, "M j")
