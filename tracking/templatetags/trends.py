"""Template filters for the Tracking pages: counts as people read them, ages, verdict colours."""

from __future__ import annotations

from django import template

register = template.Library()

# A badge colour per verdict: heating is the opportunity, saturating the warning.
VERDICT_BADGES = {"HEATING": "badge-green", "STEADY": "badge-blue", "SATURATING": "badge-amber"}
VERDICT_LABELS = {"HEATING": "Heating", "STEADY": "Steady", "SATURATING": "Saturating",
                  "INSUFFICIENT_DATA": "Not enough data"}  # fmt: skip
DAYS_PER_MONTH = 30.44


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
