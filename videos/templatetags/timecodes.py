"""Template filters for the video pages: times as people read them."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def clock(seconds: float | None) -> str:
    """``seconds`` as m:ss (or h:mm:ss); "" when unknown."""
    if seconds is None or seconds == "":
        return ""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
