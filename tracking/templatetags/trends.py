"""Template filters for the Tracking pages: counts as people read them, ages, verdict colours,
relative times and a tracked item's polling interval and status."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()

# A badge colour per verdict: heating is the opportunity, saturating the warning.
VERDICT_BADGES = {"HEATING": "badge-green", "STEADY": "badge-blue", "SATURATING": "badge-amber"}
VERDICT_LABELS = {"HEATING": "Heating", "STEADY": "Steady", "SATURATING": "Saturating",
                  "INSUFFICIENT_DATA": "Not enough data"}  # fmt: skip
DAYS_PER_MONTH = 30.44
TRACKED_BADGES = {"active": "badge-green", "backing_off": "badge-amber", "stopped": "badge-gray"}


@register.filter
def compact(number) -> str:
    """``18902807`` as ``18.9M``, ``51789`` as ``51.8K``; "—" when unknown."""
    if number is None or number == "":
        return "—"
    value = float(number)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{value / size:.1f}".removesuffix(".0") + suffix
    return f"{round(value)}"


@register.filter
def age(days) -> str:
    """An age in days as people say it: ``3 days``, ``5 months``, ``1.5 years``; "—" when unknown."""
    if days is None or days == "":
        return "—"
    days = float(days)
    if days < 1:
        return "under a day"
    if days < 60:
        whole = round(days)
        return f"{whole} day{'s' if whole != 1 else ''}"
    if days < 365:
        return f"{round(days / DAYS_PER_MONTH)} months"
    years = f"{days / 365:.1f}".removesuffix(".0")
    return f"{years} year{'s' if years != '1' else ''}"


@register.filter
def verdict_badge(verdict: str) -> str:
    return VERDICT_BADGES.get(verdict, "badge-gray")


@register.filter
def verdict_label(verdict: str) -> str:
    return VERDICT_LABELS.get(verdict, verdict)


@register.filter
def relative(moment: datetime | None, past: str = "") -> str:
    """``moment`` from now as people say it: ``in 14 min``, ``3 h ago``, ``in 2 days``; "—" when unknown.

    ``past`` replaces what a moment already gone would say: a next poll that is overdue
    is ``due now``, not ``2 min ago``.
    """
    if moment is None or moment == "":
        return "—"
    seconds = (moment - timezone.now()).total_seconds()
    if seconds <= 0 and past:
        return past
    if abs(seconds) < 60:
        return "in under a minute" if seconds > 0 else "just now"
    minutes = round(abs(seconds) / 60)
    if minutes < 60:
        amount = f"{minutes} min"
    elif minutes < 48 * 60:
        amount = f"{round(minutes / 60)} h"
    else:
        amount = f"{round(minutes / 1440)} days"
    return f"in {amount}" if seconds > 0 else f"{amount} ago"


@register.filter
def every(seconds) -> str:
    """A polling interval in seconds as people say it: ``every 15 min``, ``every hour``, ``every 6 hours``."""
    seconds = int(seconds)
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "every hour" if hours == 1 else f"every {hours} hours"
    if seconds % 60 == 0:
        return f"every {seconds // 60} min"
    return f"every {seconds} s"


@register.filter
def tracked_badge(status: str) -> str:
    return TRACKED_BADGES.get(status, "badge-gray")
