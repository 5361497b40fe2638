"""Editable timelines of a video's clips (OpenTimelineIO, CMX 3600 EDL) and their captions (SRT, WebVTT).

:func:`build_timeline` lays the clips end to end, in the order given, on one video
track named ``Clips``; each is a cut of one source, :class:`Media`, referenced by an
``ExternalReference`` whose ``name`` is the file name an editor relinks by and whose
``target_url`` is where to fetch it. Times are whole frames at :func:`timeline_rate` (the
source's rate, snapped to one FCPXML knows), so every format states the same frames.

Everything an editor's tool may drop rides in ``metadata["clipsite"]``: on the timeline
the media's size and rate; on each clip its ``clip_id`` (what an edited timeline is
matched back by), its ``aspect_ratio`` and its ``reframe`` path, keyframes
``{time, x, y, w, h}`` (seconds into the clip; the crop window as fractions of the
source's width and height, held until the next keyframe, two at one time being a cut).
The captions are markers on each clip (media time), one per caption chunk as the
render burns it. OTIO has no subtitle track; the FCPXML export (:mod:`pipeline.timeline_fcpxml`)
turns them into real captions, the EDL leaves them to the SRT of the whole timeline
(:func:`timeline_cues`), whose times are the EDL's record times.

:func:`read_edits` reads an edited ``.otio`` back, treating it as hostile: only the ids
and in/out points are read; media references, names and everything else are ignored.
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import re
from collections.abc import Mapping, Sequence

import opentimelineio as otio

from pipeline.captions import DEFAULT_TEMPLATE, LINGER, TEMPLATES, chunk_words
from pipeline.framing import largest_window
from pipeline.reframe import output_size
from pipeline.types import Word

NAMESPACE = "clipsite"
FORMAT_VERSION = 1
# The frame rates a timeline is cut at: Final Cut Pro's usual ones, the NTSC ones exact
# (OpenTimelineIO's timecode knows 30000/1001, not 29.97).
RATES = (24000 / 1001, 24.0, 25.0, 30000 / 1001, 30.0, 50.0, 60000 / 1001, 60.0)
DEFAULT_RATE = 30.0
# Deeper than any timeline an editor writes; a hostile file nested deeper is refused
# before OpenTimelineIO's own (recursive, native) reader sees it.
MAX_DEPTH = 64
MAX_ID_LENGTH = 64
NOT_OTIO = "The file is not an OpenTimelineIO timeline (.otio); export one from your editor, or use ours."


@dataclasses.dataclass
class Media:
    """The source every clip is cut from, as an editor relinks it.

    ``name`` is its file name, ``url`` where it can be fetched (may be just the name);
    ``duration`` in seconds; ``offset`` is where it starts in the file it was cut from,
    when only part of that was processed (informational: clip times are on this media).
    """

    name: str
    url: str
    duration: float
    width: int = 0
    height: int = 0
    fps: float = 0.0
    has_audio: bool = True
    offset: float = 0.0
    language: str = "en"


@dataclasses.dataclass
class ClipCut:
    """One clip: ``start``/``end`` in seconds on the media; ``words`` the transcript's
    words (media times; those outside the clip are ignored); ``shots`` and ``speakers``
    as the last render recorded them (seconds into the clip), empty before one."""

    id: str
    title: str
    start: float
    end: float
    words: list[Word] = dataclasses.field(default_factory=list)
    caption_template: str = DEFAULT_TEMPLATE
    aspect_ratio: str = "9:16"
    shots: list[dict] = dataclasses.field(default_factory=list)
    speakers: list[dict] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class Cue:
    """A caption on screen from ``start`` to ``end`` (seconds)."""

    start: float
    end: float
    text: str


@dataclasses.dataclass(frozen=True)
class EditedClip:
    """A clip of an edited timeline: its id and in/out points (seconds on the media).
    ``rate`` is the rate those were stated at: times within half a frame are the same."""

    clip_id: str
    start: float
    end: float
    rate: float


class TimelineError(ValueError):
    """An uploaded timeline that cannot be used; the message says why in plain words."""


def timeline_rate(fps: float) -> float:
    """The rate a timeline of a source at ``fps`` is cut at: the nearest of :data:`RATES`."""
    if not fps or not math.isfinite(fps) or fps <= 0:
        return DEFAULT_RATE
    return min(RATES, key=lambda rate: abs(rate - fps))


def frames(seconds: float, rate: float) -> int:
    return round(seconds * rate)


def _at(count: int, rate: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(count, rate)


def _span(first: int, count: int, rate: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_at(first, rate), _at(count, rate))


# ---- captions ----


def caption_cues(cut: ClipCut) -> list[Cue]:
    """The clip's captions as its render burns them (same chunks, same timing), in
    seconds into the clip, in the words' own case."""
    style = TEMPLATES.get(cut.caption_template) or TEMPLATES[DEFAULT_TEMPLATE]
    inside = [word for word in cut.words if word.end > cut.start and word.start < cut.end]
    chunks = chunk_words(inside, style.max_words, style.max_chars)
    cues = []
    for i, chunk in enumerate(chunks):
        following = chunks[i + 1][0].start if i + 1 < len(chunks) else cut.end
        end = min(following, chunk[-1].end + LINGER, cut.end)
        start = max(0.0, chunk[0].start - cut.start)
        text = " ".join(word.text.strip() for word in chunk)
        cues.append(Cue(round(start, 3), round(max(end - cut.start, start), 3), text))
    return cues


def timeline_cues(cuts: Sequence[ClipCut], rate: float) -> list[Cue]:
    """Every clip's captions on the timeline :func:`build_timeline` makes of ``cuts``
    at ``rate`` (clips end to end, whole frames): the EDL's record times."""
    cues, at = [], 0
    for cut in cuts:
        offset = at / rate
        cues += [Cue(round(cue.start + offset, 3), round(cue.end + offset, 3), cue.text) for cue in caption_cues(cut)]
        at += _length(cut, rate)
    return cues


def to_srt(cues: Sequence[Cue]) -> str:
    blocks = [f"{n}\n{_clock(c.start, ',')} --> {_clock(c.end, ',')}\n{_line(c.text)}\n" for n, c in enumerate(cues, 1)]
    return "\n".join(blocks)


def to_vtt(cues: Sequence[Cue]) -> str:
    # Cue text is HTML-like in WebVTT: "<" and "&" start tags and entities.
    blocks = [f"{_clock(c.start, '.')} --> {_clock(c.end, '.')}\n{html.escape(_line(c.text), quote=False)}\n"
              for c in cues]  # fmt: skip
    return "WEBVTT\n\n" + "\n".join(blocks)


def _line(text: str) -> str:
    """One line of cue text: a blank line would end the cue, an arrow would look like timing."""
    return " ".join(text.split()).replace("-->", "->")


def _clock(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{separator}{rest % 1000:03d}"


# ---- reframing ----


def reframe_keyframes(cut: ClipCut, media: Media) -> list[dict]:
    """The clip's crop window over time, from its last render's shots (see the module
    docstring): a ``crop`` shot frames its speaker (the centre when nobody is known),
    other layouts show the whole frame. Before a render, a crop of the centre, as a
    render of a clip without faces makes. Empty when the media's size is unknown."""
    if not (media.width and media.height):
        return []
    width, height = media.width, media.height
    out_w, out_h = output_size(cut.aspect_ratio)
    duration = round(cut.end - cut.start, 3)
    shots = cut.shots or [{"start": 0.0, "end": duration, "layout": "crop", "speaker": None}]
    where = {speaker["id"]: speaker["x"] for speaker in cut.speakers}
    same_shape = abs(width / height - out_w / out_h) < 0.03
    keyframes: list[dict] = []
    for shot in shots:
        if shot["layout"] == "crop" and not same_shape and width > height:
            w, h = largest_window(width, height, out_w / out_h)
            centre = where.get(shot.get("speaker"), 0.5) * width
            x, y = min(max(0.0, centre - w / 2), width - w), (height - h) / 2
        else:
            x, y, w, h = 0.0, 0.0, width, height
        window = {"x": round(x / width, 4), "y": round(y / height, 4), "w": round(w / width, 4),
                  "h": round(h / height, 4)}  # fmt: skip
        if keyframes and {k: keyframes[-1][k] for k in window} == window:
            keyframes[-1]["time"] = round(float(shot["end"]), 3)
            continue
        keyframes += [{"time": round(float(shot[edge]), 3), **window} for edge in ("start", "end")]
    return keyframes


# ---- the timeline ----


def _length(cut: ClipCut, rate: float) -> int:
    return max(1, frames(cut.end, rate) - frames(cut.start, rate))


def build_timeline(
    name: str, media: Media, cuts: Sequence[ClipCut], metadata: Mapping | None = None
) -> otio.schema.Timeline:
    """The OpenTimelineIO timeline of ``cuts`` (see the module docstring); ``metadata``
    is added to the timeline's ``metadata["clipsite"]``."""
    rate = timeline_rate(media.fps)
    timeline = otio.schema.Timeline(name=name, global_start_time=_at(0, rate))
    timeline.metadata[NAMESPACE] = {
        "version": FORMAT_VERSION, "rate": rate, "language": media.language,
        "media": {"name": media.name, "width": media.width, "height": media.height, "fps": media.fps,
                  "duration": media.duration, "offset": media.offset, "has_audio": media.has_audio},
        **(metadata or {}),
    }  # fmt: skip
    track = otio.schema.Track(name="Clips", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    available = _span(0, max(1, frames(media.duration, rate)), rate)
    for cut in cuts:
        reference = otio.schema.ExternalReference(target_url=media.url, available_range=available)
        reference.name = media.name
        first, count = frames(cut.start, rate), _length(cut, rate)
        clip = otio.schema.Clip(name=cut.title, media_reference=reference, source_range=_span(first, count, rate))
        clip.metadata[NAMESPACE] = {"clip_id": cut.id, "aspect_ratio": cut.aspect_ratio,
                                    "reframe": reframe_keyframes(cut, media)}  # fmt: skip
        for cue in caption_cues(cut):
            # At least one frame, inside the clip.
            begin = min(frames(cut.start + cue.start, rate), first + count - 1)
            length = max(1, min(frames(cut.start + cue.end, rate), first + count) - begin)
            clip.markers.append(otio.schema.Marker(name=cue.text, marked_range=_span(begin, length, rate),
                                                   color=otio.schema.MarkerColor.CYAN,
                                                   metadata={NAMESPACE: {"kind": "caption"}}))  # fmt: skip
        track.append(clip)
    return timeline


def to_otio(timeline: otio.schema.Timeline) -> str:
    return otio.adapters.write_to_string(timeline, "otio_json")


def to_edl(timeline: otio.schema.Timeline) -> str:
    """A CMX 3600 EDL (Avid style: reel names of 8 characters, the clip names and media
    URLs as comments). It carries the cuts only: the captions go with the timeline's SRT."""
    copy = timeline.deepcopy()  # the adapter renames and re-reels what it writes
    # A reel name is up to 8 letters and digits: the media's file name, shortened.
    reel = re.sub(r"[^A-Za-z0-9]", "", copy.metadata[NAMESPACE]["media"]["name"].rsplit(".", 1)[0])[:8] or "AX"
    for clip in copy.find_clips():
        clip.markers[:] = []
        clip.metadata["cmx_3600"] = {"reel": reel.upper()}
    rate = copy.metadata[NAMESPACE]["rate"]
    return otio.adapters.write_to_string(copy, "cmx_3600", rate=rate, style="avid")


# ---- reading an edited timeline back ----


def read_edits(data: bytes) -> list[EditedClip]:
    """The Clipsite clips of an edited ``.otio`` (those whose metadata has a
    ``clipsite.clip_id``), each once, in timeline order. Raises :class:`TimelineError`
    naming what is wrong: not an OTIO timeline, no Clipsite clip, a clip without in/out
    points, or one clip given two different ranges."""
    try:
        text = data.decode("utf-8")
        document = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise TimelineError(NOT_OTIO) from None
    if not isinstance(document, dict) or not str(document.get("OTIO_SCHEMA", "")).startswith("Timeline."):
        raise TimelineError(NOT_OTIO)
    if _depth(document) > MAX_DEPTH:
        raise TimelineError("The timeline is nested too deeply to be read.")
    try:
        timeline = otio.adapters.read_from_string(text, "otio_json")
    except Exception:  # a hostile file may break the reader anywhere: it is refused whatever broke
        raise TimelineError(NOT_OTIO) from None
    found: dict[str, EditedClip] = {}
    for clip in timeline.find_clips():
        ours = clip.metadata.get(NAMESPACE)
        clip_id = ours.get("clip_id") if isinstance(ours, Mapping) else None
        if clip_id is None:
            continue  # the editor's own media: not ours to re-render
        if not isinstance(clip_id, str) or not 0 < len(clip_id) <= MAX_ID_LENGTH:
            raise TimelineError("A clip's clipsite.clip_id is not a clip id; leave the ids as they were exported.")
        edited = _edited(clip, clip_id)
        before = found.setdefault(clip_id, edited)
        if changed(before, edited.start, edited.end):
            raise TimelineError(f"Clip {clip_id} appears twice with different in and out points; keep one.")
    if not found:
        raise TimelineError(
            "The timeline has none of this video's clips: they are found by the clip_id kept in each clip's "
            "metadata (clipsite), which the editor must keep."
        )
    return list(found.values())


def _edited(clip, clip_id: str) -> EditedClip:
    span = clip.source_range
    if span is None:
        raise TimelineError(f"Clip {clip_id} has no in and out points.")
    rate = span.start_time.rate
    start, length = span.start_time.to_seconds(), span.duration.to_seconds()
    if not all(math.isfinite(value) for value in (rate, start, length)) or rate <= 0:
        raise TimelineError(f"Clip {clip_id} has in and out points that are not times.")
    return EditedClip(clip_id, start, start + length, rate)


def changed(edited: EditedClip, start: float, end: float) -> bool:
    """Whether ``edited``'s in or out point differs from ``start``/``end`` (seconds) by half
    a frame at its rate or more: an unedited clip reads back as its own frame-rounded times."""
    half = 0.5 / edited.rate
    return abs(start - edited.start) >= half or abs(end - edited.end) >= half


def _depth(document) -> int:
    """How deep ``document``'s lists and objects nest (stops counting past :data:`MAX_DEPTH`)."""
    deepest, stack = 0, [(document, 1)]
    while stack and deepest <= MAX_DEPTH:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest
