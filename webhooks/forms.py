"""The dashboard's form for a new webhook endpoint. It only parses what the browser sends;
:func:`webhooks.actions.create_endpoint` stays the one validator of URLs, types and scopes."""

from __future__ import annotations

from django import forms

from webhooks.models import ALL_EVENTS, SUBSCRIBABLE, EventType

# What each event means, beside its checkbox.
EVENT_HELP = {
    EventType.VIDEO_COMPLETED: "a video finished and its clips are ready",
    EventType.VIDEO_FAILED: "a video could not be processed",
    EventType.CLIP_READY: "a clip rendered (or re-rendered)",
    EventType.CLIP_FAILED: "a clip could not be rendered",
    EventType.BREAKOUT: "a tracked video's velocity crossed the breakout line",
    EventType.PEAKING: "a tracked video's velocity turned down",
    EventType.ACCELERATING: "a tracked video is speeding up",
    EventType.FORMAT_HEATING: "a tracked topic's format is heating",
}
EVENT_CHOICES = [(ALL_EVENTS, "All events")] + [
    (value, f"{value}: {EVENT_HELP[value]}") for value in SUBSCRIBABLE
]  # fmt: skip


class EndpointForm(forms.Form):
    url = forms.URLField(
        label="Endpoint URL", max_length=2000, assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://your-app.example/hooks", "autocomplete": "off"}),
        help_text="A public https address. Clipsite POSTs each event to it as signed JSON.",
    )  # fmt: skip
    description = forms.CharField(label="Description", max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label="Events", choices=EVENT_CHOICES, initial=[ALL_EVENTS], widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event, or All events."},
    )  # fmt: skip
    video = forms.ModelChoiceField(
        label="Only for this video", queryset=None, required=False, empty_label="Every video of the workspace",
    )  # fmt: skip

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["video"].queryset = workspace.videos.order_by("-created_at")
        self.fields["video"].label_from_instance = lambda video: video.display_title

    def clean_event_types(self) -> list[str]:
        """``["*"]`` when All events is ticked, whatever else is; else the ticked types."""
        chosen = self.cleaned_data["event_types"]
        return [ALL_EVENTS] if ALL_EVENTS in chosen else chosen
