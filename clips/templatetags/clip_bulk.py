"""Template tags for the video page's gallery: the bulk bar's choices."""

from __future__ import annotations

from django import template

from pipeline.captions import TEMPLATES
from pipeline.reframe import ASPECT_RATIOS
from videos.forms import ASPECT_LABELS

register = template.Library()


@register.simple_tag
def rerender_choices() -> dict:
    """What a selection can be re-rendered with: ``ratios`` and ``templates``, as (value, label)."""
    return {
        "ratios": [(ratio, ASPECT_LABELS.get(ratio, ratio)) for ratio in ASPECT_RATIOS],
        "templates": [(name, name.capitalize()) for name in TEMPLATES],
    }
