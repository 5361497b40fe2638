"""Where a clip's burned-in text lands on a phone, and which platform interface covers it.

The geometry is read from the ASS document the render burns
(:func:`pipeline.captions.build_ass`), not from the pixels: each event's style gives the
font, size, outline, shadow, alignment and margins, its text gives the lines, and the
fonts' measured advance widths (``caption_fonts.json``) give each line's width. The
rules are libass's: a line box is one font size tall; a line wider than the room between
the margins is wrapped (each part taken as filling that room); an outline (or a box's border) pads the text on
every side and a shadow shifts it down and right. Checked against libass's own drawing in
tests/pipeline/test_report.py, the boxes are a few pixels wider than the ink, never
narrower.

The frame is put on a 9:16 phone screen as the apps show it: scaled to the screen's
width and centred (a 9:16 clip fills the screen). The interface areas of TikTok, Reels
and Shorts are in ``safe_zones.json``, each with its sources and reasoning.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
import unicodedata
from pathlib import Path

from pipeline.types import JsonMixin

ZONES_FILE = Path(__file__).with_name("safe_zones.json")
FONTS_FILE = Path(__file__).with_name("caption_fonts.json")
# The phone screen the zones are drawn on: 9:16, in screen widths.
SCREEN_HEIGHT = 16 / 9
# A font the table lacks is measured as the widest template font (DejaVu Sans), so an
# unknown font errs towards "may overlap".
FALLBACK_FONT = "DejaVu Sans|regular"
# Text the table lacks (accents stripped first): a wide East Asian character is one font
# size wide, anything else as wide as the font's "n".
WIDE_CHARACTER = 1.0
_OVERRIDE = re.compile(r"\{[^}]*\}")


@dataclasses.dataclass(frozen=True)
class Zone:
    """An area one platform's interface covers: ``box`` is ``(left, top, right, bottom)`` as
    fractions of the 9:16 screen; ``source`` and ``reason`` say where it comes from."""

    platform: str
    name: str
    label: str
    box: tuple[float, float, float, float]
    source: str
    reason: str


@dataclasses.dataclass(frozen=True)
class TextBox:
    """One burned-in event: its style (``Caption`` or ``Hook``), clip seconds, text, and the
    box it covers in the frame's pixels, ``(left, top, right, bottom)``."""

    style: str
    start: float
    end: float
    text: str
    box: tuple[float, float, float, float]


@dataclasses.dataclass
class ZoneOverlap(JsonMixin):
    """Burned-in text under one platform's interface area.

    ``text`` is ``captions`` or ``title`` (the hook card); ``first_at`` is when the first
    such text appears (clip seconds) and ``count`` how many caption events do.
    """

    platform: str
    zone: str
    label: str
    text: str
    first_at: float
    count: int


@functools.cache
def zones() -> tuple[Zone, ...]:
    """The interface areas of ``safe_zones.json``."""
    data = json.loads(ZONES_FILE.read_text(encoding="utf-8"))
    return tuple(Zone(**{**zone, "box": tuple(zone["box"])}) for zone in data["zones"])


@functools.cache
def _advances() -> dict[str, list[int]]:
    data = json.loads(FONTS_FILE.read_text(encoding="utf-8"))
    return {name: [int(n) for n in widths.split()] for name, widths in data["fonts"].items()}


def text_width(text: str, font: str, bold: bool, size: float) -> float:
    """The advance width of ``text`` in ``font`` at ``size`` (ASS font size, in pixels)."""
    table = _advances().get(f"{font}|{'bold' if bold else 'regular'}") or _advances()[FALLBACK_FONT]
    total = 0
    for char in text:
        code = ord(char)
        if 32 <= code <= 126:
            total += table[code - 32]
            continue
        base = unicodedata.normalize("NFKD", char)[:1]
        if base and 32 <= ord(base) <= 126:
            total += table[ord(base) - 32]
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            total += round(WIDE_CHARACTER * 1000)
        else:
            total += table[ord("n") - 32]
    return size * total / 1000


def text_boxes(document: str, width: int, height: int) -> list[TextBox]:
    """The box of every ``Dialogue`` event of the ASS ``document`` on a ``width`` x ``height`` frame."""
    info, styles, events = _parse(document)
    play_w = float(info.get("PlayResX") or width)
    play_h = float(info.get("PlayResY") or height)
    sx, sy = width / play_w, height / play_h
    boxes = []
    for event in events:
        style = styles.get(event["Style"].lstrip("*"))
        text = _OVERRIDE.sub("", event["Text"]).replace("\\h", " ").replace("\\n", " ")
        if style is None or not text.replace("\\N", "").strip():
            continue
        margins = {key: float(event.get(key) or 0) or float(style[key]) for key in ("MarginL", "MarginR", "MarginV")}
        left, top, right, bottom = _layout(text.split("\\N"), style, margins, play_w, play_h)
        boxes.append(
            TextBox(
                style=style["Name"],
                start=_seconds(event["Start"]),
                end=_seconds(event["End"]),
                text=text.replace("\\N", " / "),
                box=(left * sx, top * sy, right * sx, bottom * sy),
            )
        )
    return boxes


def overlaps(boxes: list[TextBox], width: int, height: int) -> list[ZoneOverlap]:
    """The interface areas ``boxes`` (on a ``width`` x ``height`` frame) run under, in the
    order of :func:`zones`: one entry per area and kind of text."""
    scale = min(1 / width, SCREEN_HEIGHT / height)
    off_x, off_y = (1 - width * scale) / 2, (SCREEN_HEIGHT - height * scale) / 2
    found: dict[tuple[str, str, str], ZoneOverlap] = {}
    for box in boxes:
        left, top, right, bottom = box.box
        on_screen = (
            off_x + left * scale,
            (off_y + top * scale) / SCREEN_HEIGHT,
            off_x + right * scale,
            (off_y + bottom * scale) / SCREEN_HEIGHT,
        )
        kind = "title" if box.style == "Hook" else "captions"
        for zone in zones():
            if not _intersect(on_screen, zone.box):
                continue
            key = (zone.platform, zone.name, kind)
            if key in found:
                found[key].count += 1
                found[key].first_at = min(found[key].first_at, round(box.start, 2))
            else:
                found[key] = ZoneOverlap(zone.platform, zone.name, zone.label, kind, round(box.start, 2), 1)
    order = {(zone.platform, zone.name): i for i, zone in enumerate(zones())}
    return sorted(found.values(), key=lambda o: (order[(o.platform, o.zone)], o.text))


def _layout(
    lines: list[str], style: dict[str, str], margins: dict[str, float], play_w: float, play_h: float
) -> tuple[float, float, float, float]:
    """The padded box of ``lines`` in ``style``, in script (PlayRes) pixels."""
    size = float(style["Fontsize"])
    scale_x = float(style.get("ScaleX") or 100) / 100
    spacing = float(style.get("Spacing") or 0)
    bold = style.get("Bold", "0").strip() not in ("0", "")
    room = max(1.0, play_w - margins["MarginL"] - margins["MarginR"])
    widths: list[float] = []
    for line in lines:
        line = line.strip()
        wide = (text_width(line, style["Fontname"], bold, size) + spacing * len(line)) * scale_x
        # libass breaks a line wider than the room at spaces into lines of about even
        # width; where the breaks fall is not known here, so each may fill the room.
        parts = max(1, math.ceil(wide / room))
        widths += [room if parts > 1 else wide] * parts
    block_w, block_h = max(widths), size * len(widths)
    align = int(style.get("Alignment") or 2)
    if align <= 3:
        bottom = play_h - margins["MarginV"]
        top = bottom - block_h
    elif align >= 7:
        top = margins["MarginV"]
    else:
        top = (play_h - block_h) / 2
    if align % 3 == 1:
        left = margins["MarginL"]
    elif align % 3 == 0:
        left = play_w - margins["MarginR"] - block_w
    else:
        left = margins["MarginL"] + (room - block_w) / 2
    pad, shadow = float(style.get("Outline") or 0), float(style.get("Shadow") or 0)
    return left - pad, top - pad, left + block_w + pad + shadow, top + block_h + pad + shadow


def _parse(document: str) -> tuple[dict[str, str], dict[str, dict[str, str]], list[dict[str, str]]]:
    """Script info, styles by name and events of an ASS document, fields by their Format names."""
    info: dict[str, str] = {}
    styles: dict[str, dict[str, str]] = {}
    events: list[dict[str, str]] = []
    section, fields = "", [""]
    for raw in document.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section, fields = line.lower(), [""]
            continue
        key, _, value = line.partition(":")
        if not value:
            continue
        value = value.strip()
        if section == "[script info]":
            info[key.strip()] = value
        elif key == "Format":
            fields = [name.strip() for name in value.split(",")]
        elif key == "Style" and section == "[v4+ styles]":
            style = dict(zip(fields, (v.strip() for v in value.split(",", len(fields) - 1)), strict=False))
            styles[style.get("Name", "")] = style
        elif key == "Dialogue" and section == "[events]":
            events.append(dict(zip(fields, value.split(",", len(fields) - 1), strict=False)))
    return info, styles, events


def _seconds(clock: str) -> float:
    hours, minutes, seconds = clock.strip().split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _intersect(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])
