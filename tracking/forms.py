"""The dashboard's Tracking forms. They only parse what the browser sends: the actions in
:mod:`tracking.actions` stay the one judge of links, platforms and quotas."""

from __future__ import annotations

from django import forms

from pipeline.trends.platforms import SEARCHABLE
from pipeline.trends.storyboard import MAX_TILES
from tracking.models import Platform

DEFAULT_DENSITY = 9


class DiscoveryForm(forms.Form):
    seed = forms.CharField(
        label="Seed topic", max_length=200, strip=True,
        widget=forms.TextInput(attrs={"placeholder": "e.g. tiktok made me buy it gadget", "autocomplete": "off"}),
        help_text="A format or a niche, as you would search for it.",
        error_messages={"required": "Type a topic to search for."},
    )  # fmt: skip
    platform = forms.ChoiceField(label="Platform", choices=Platform.choices, initial=Platform.YOUTUBE)

    def __init__(self, *args, plan, **kwargs):
        """The select offers only the platforms that can be searched and are in ``plan``.
        Any platform still parses, so another one reaches :mod:`tracking.actions`, which
        says why it is refused."""
        super().__init__(*args, **kwargs)
        offered = [(value, label) for value, label in Platform.choices
                   if value in SEARCHABLE and plan.allows_platform(value)]  # fmt: skip
        self.fields["platform"].widget.choices = offered
        if not plan.allows_platform("*"):
            names = ", ".join(Platform(p).label for p in plan.platforms if p in Platform.values) or "no platform"
            self.fields["platform"].help_text = f"The {plan.name} plan includes {names}; larger plans add more."
        self.fields["platform"].help_text += " TikTok and Instagram videos can be analyzed by their links."


class StoryboardForm(forms.Form):
    """The storyboard image's query: a platform video link and how many keyframes."""

    url = forms.CharField(max_length=2000, error_messages={"required": "Say which video to make a storyboard of."})
    density = forms.IntegerField(
        min_value=1, max_value=MAX_TILES, required=False,
        error_messages={"min_value": f"A storyboard has 1 to {MAX_TILES} frames.",
                        "max_value": f"A storyboard has 1 to {MAX_TILES} frames."},
    )  # fmt: skip

    def clean_density(self) -> int:
        return self.cleaned_data["density"] or DEFAULT_DENSITY
