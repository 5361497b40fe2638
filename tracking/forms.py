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


# Tracked items: the interval is typed as a number of minutes or hours and becomes seconds.
UNIT_SECONDS = {"minutes": 60, "hours": 3600}
MIN_INTERVAL_SEC = 60
MAX_INTERVAL_SEC = 86_400
DEFAULT_EVERY = 15


class TrackedItemForm(forms.Form):
    """A tracked item to create: what (a video or a seed), where, and how often at most.

    ``cleaned_data`` gains ``interval_sec`` (60 to 86400) from ``every`` and ``unit``. As with
    discovery, any platform parses: :mod:`tracking.watcher` judges links, platforms and limits.
    """

    kind = forms.ChoiceField(label="Track", choices=[("video", "A video"), ("seed", "A seed topic")],
                             initial="video", widget=forms.RadioSelect)  # fmt: skip
    ref = forms.CharField(
        label="Video link or id, or seed topic", max_length=500, strip=True,
        widget=forms.TextInput(attrs={"placeholder": "A video's link, or a topic", "autocomplete": "off"}),
        help_text="A video: its link, or its id on the platform. A seed: a topic, as you would search for it.",
        error_messages={"required": "Paste a video's link or id, or type a topic."},
    )  # fmt: skip
    platform = forms.ChoiceField(label="Platform", choices=Platform.choices, initial=Platform.YOUTUBE)
    every = forms.IntegerField(
        label="Poll at most every", min_value=1, initial=DEFAULT_EVERY,
        error_messages={"required": "Say how often to poll.", "min_value": "Poll every 1 minute to 24 hours.",
                        "invalid": "Type a whole number."},
    )  # fmt: skip
    unit = forms.ChoiceField(label="Unit", choices=[("minutes", "minutes"), ("hours", "hours")], initial="minutes")
    auto_clip = forms.BooleanField(
        label="Auto-clip fresh breakouts", required=False,
        help_text="Seeds only: each poll sends the best new breakout under 30 days old to clipping, "
                  "with your default clip options and within the workspace's minutes.",
    )  # fmt: skip
    auto_clip_creator = forms.CharField(
        label="Only breakouts by this creator", max_length=200, required=False, strip=True,
        help_text="Optional: the channel or account name, as the platform shows it.",
    )  # fmt: skip

    def __init__(self, *args, plan, **kwargs):
        """The select offers the platforms in ``plan``; another one still parses, to be refused by the watcher."""
        super().__init__(*args, **kwargs)
        offered = [(value, label) for value, label in Platform.choices if plan.allows_platform(value)]
        self.fields["platform"].widget.choices = offered or Platform.choices
        self.fields["platform"].help_text = "Seeds can be tracked on YouTube; videos on any platform in your plan."

    def clean(self) -> dict:
        data = super().clean()
        if data.get("every") is not None and data.get("unit") in UNIT_SECONDS:
            seconds = data["every"] * UNIT_SECONDS[data["unit"]]
            if not MIN_INTERVAL_SEC <= seconds <= MAX_INTERVAL_SEC:
                self.add_error("every", "Poll every 1 minute to 24 hours.")
            else:
                data["interval_sec"] = seconds
        return data
