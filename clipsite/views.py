"""Sections of the dashboard whose features have not landed yet show an empty state."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

SECTIONS = {
    "tracking": ("Tracking", "Track a video or a topic to watch its velocity and catch breakouts early."),
}


@login_required
def section(request, section: str):
    title, message = SECTIONS[section]
    return render(request, "empty_state.html", {"title": title, "section": section, "message": message})
