"""The editor's speaker track: a clip's speakers, shots and pins laid out on its timeline.

Everything is in seconds into the clip, as the engine reports it; positions are
percentages of the clip's length, clamped to the track, so a track drawn while a
re-render of a new length is running never spills out of its box.
"""

from __future__ import annotations

from clips.models import Clip

# Where a person sits, in words, from their centre as a fraction of the source's width.
SIDES = ((0.4, "on the left"), (0.6, "in the centre"), (1.01, "on the right"))
# A pin names the speaker sitting within this share of the width of it (a later render may
# number people differently, so the pin's own speaker id is not trusted for its label).
SAME_PERSON = 0.1
LAYOUT_NAMES = {"crop": "Crop", "split": "Split", "fit": "Fit", "scale": "Full frame"}


def _span(start: float, end: float, length: float) -> dict:
    """``start``-``end`` as the left edge and width of a bar, in percent of ``length``."""
    left = min(100.0, max(0.0, 100 * start / length))
    right = min(100.0, max(left, 100 * end / length))
    return {"start": round(start, 2), "end": round(end, 2), "left": round(left, 2), "width": round(right - left, 2)}


def side(x: float) -> str:
    return next(name for limit, name in SIDES if x < limit)


def _who(x: float, speakers: list[dict], names: dict) -> str:
    nearest = min(speakers, key=lambda speaker: abs(speaker["x"] - x), default=None)
    if nearest is not None and abs(nearest["x"] - x) <= SAME_PERSON:
        return names[nearest["id"]]
    return f"The person {side(x)}"


def speaker_track(clip: Clip) -> dict:
    """What ``clips/_speakers.html`` draws: one lane per speaker (numbered from 1 in the
    order the engine lists them, with where they sit and their speaking bars), the shots
    with their layouts, and the saved pins, each labelled with its speaker."""
    length = max(clip.duration, 0.001)
    names = {speaker["id"]: f"Speaker {number}" for number, speaker in enumerate(clip.speakers, 1)}
    speakers = [
        {
            "id": speaker["id"],
            "name": names[speaker["id"]],
            "side": side(speaker["x"]),
            "bars": [_span(t0, t1, length) for t0, t1 in speaker["speaking"]],
        }
        for speaker in clip.speakers
    ]
    shots = [
        {
            **_span(shot["start"], shot["end"], length),
            "layout": shot["layout"],
            "layout_name": LAYOUT_NAMES.get(shot["layout"], shot["layout"]),
            "speaker": names.get(shot.get("speaker"), ""),
        }
        for shot in clip.shots
    ]
    pins = [
        {
            "start": pin["start"],
            "end": pin["end"],
            "speaker": _who(pin["x"], clip.speakers, names),
            "across": round(100 * pin["x"]),
        }
        for pin in clip.pins
    ]
    return {"length": round(clip.duration, 2), "speakers": speakers, "shots": shots, "pins": pins}
