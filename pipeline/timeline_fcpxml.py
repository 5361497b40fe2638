"""FCPXML 1.8 of a timeline from :mod:`pipeline.timeline`: the OTIO adapter's document, finished.

The otio-fcpx-xml-adapter writes the skeleton (the format, the asset, a project whose
spine holds the clips). For Final Cut Pro this finishes it:

- two formats: the project's, the size of the clips' output (the most common aspect
  ratio among them), and the source's, which the asset uses;
- each clip an ``asset-clip`` (the source's video and audio) rather than a video-only
  ``clip``, and the top-level browser clips the adapter adds (each spanning the whole
  source) left out;
- exact frame times: the adapter knows NTSC rates only as 29.97 and the like, and
  rounds the times it writes;
- the reframe path as an ``adjust-transform`` over an ``adjust-conform type="fill"``:
  position (in percent of the project's height, as FCPXML measures it) and scale
  keyframed at each shot, in the clip's source time, so each window fills the frame;
- the captions as ``caption`` elements on lane 1 (iTT role, the transcript's language).

The adapter probes a media reference's path with ffprobe when it exists on this
machine; it is given a placeholder instead, and the real URL is written afterwards.
"""

from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction
from xml.etree import ElementTree as ET

import opentimelineio as otio

from pipeline.reframe import output_size
from pipeline.timeline import NAMESPACE, frames

PLACEHOLDER_URL = "clipsite-media"
CAPTION_STYLE = {"font": "Helvetica", "fontSize": "13", "fontFace": "Regular", "fontColor": "1 1 1 1",
                 "backgroundColor": "0 0 0 1"}  # fmt: skip


def to_fcpxml(timeline: otio.schema.Timeline) -> str:
    """The FCPXML 1.8 document of ``timeline``, made by :func:`pipeline.timeline.build_timeline`
    of at least one clip."""
    ours = timeline.metadata[NAMESPACE]
    rate, media = ours["rate"], ours["media"]
    clips = list(timeline.find_clips())
    root = ET.fromstring(_adapter_document(timeline))  # noqa: S314 - written here from our timeline: no DTD, no entities
    step = 1 / Fraction(rate).limit_denominator(1001)  # seconds a frame: 1001/30000 at 29.97
    [(ratio, _)] = Counter(clip.metadata[NAMESPACE]["aspect_ratio"] for clip in clips).most_common(1)
    out_w, out_h = output_size(ratio)

    resources = root.find("resources")
    project_format = resources.find("format")
    project_format.attrib = {"id": project_format.get("id"), "frameDuration": _time(1, step),
                             "width": str(out_w), "height": str(out_h)}  # fmt: skip
    source_id = f"r{len(resources) + 1}"
    source_format = ET.SubElement(resources, "format", {"id": source_id, "frameDuration": _time(1, step)})
    if media["width"] and media["height"]:
        source_format.attrib.update(width=str(media["width"]), height=str(media["height"]))
    asset = resources.find("asset")
    asset.attrib.update(name=media["name"], src=clips[0].media_reference.target_url,
                        format=source_id, start="0s", hasVideo="1", hasAudio="1" if media["has_audio"] else "0",
                        duration=_time(frames(media["duration"], rate), step))  # fmt: skip
    for browser_clip in root.findall("asset-clip"):
        root.remove(browser_clip)

    project = root.find("project")
    if not project.get("uid"):
        del project.attrib["uid"]
    sequence = project.find("sequence")
    spine = sequence.find("spine")
    spine[:] = []
    language = str(ours.get("language", ""))
    language = language if re.fullmatch(r"[a-z]{2,3}", language) else "en"
    canvas = (media["width"], media["height"], out_w, out_h)
    record = 0
    for number, clip in enumerate(clips):
        span = clip.source_range
        first, count = round(span.start_time.value), round(span.duration.value)
        element = ET.SubElement(spine, "asset-clip", {
            "ref": asset.get("id"), "name": clip.name, "offset": _time(record, step), "start": _time(first, step),
            "duration": _time(count, step),
        })  # fmt: skip
        _reframe(element, clip.metadata[NAMESPACE]["reframe"], first, count, rate, step, canvas)
        for index, marker in enumerate(clip.markers):
            _caption(element, marker, f"ts{number + 1}-{index + 1}", language, step)
        record += count
    sequence.set("duration", _time(record, step))

    ET.indent(root, space="    ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n{body}\n'


def _adapter_document(timeline: otio.schema.Timeline) -> str:
    """The adapter's FCPXML of a copy of ``timeline`` that it cannot trip on: plain clip
    names (it looks them up in XPath predicates, where a quote breaks), no markers (they
    become captions here), and a media URL that names no file it could probe."""
    copy = timeline.deepcopy()
    for number, clip in enumerate(copy.find_clips()):
        clip.name = f"clip{number + 1}"
        clip.markers[:] = []
        clip.media_reference.target_url = PLACEHOLDER_URL
    return otio.adapters.write_to_string(copy, "fcpx_xml")


def _time(count: int, step: Fraction) -> str:
    """``count`` frames as an FCPXML time: a rational number of seconds."""
    value = count * step
    if not value:
        return "0s"
    return f"{value.numerator}s" if value.denominator == 1 else f"{value.numerator}/{value.denominator}s"


def _reframe(element, keyframes: list, first: int, count: int, rate: float, step: Fraction, canvas: tuple) -> None:
    """Add the clip's crop path (see :mod:`pipeline.timeline`) as its conform and transform."""
    width, height, out_w, out_h = canvas
    if not keyframes or not (width and height):
        return
    fill = max(out_w / width, out_h / height)
    points: list[tuple[int, str, str]] = []
    for key in keyframes:
        w, h = key["w"] * width, key["h"] * height
        scale = min(out_w / w, out_h / h)
        x = -((key["x"] * width + w / 2) - width / 2) * scale / out_h * 100
        y = ((key["y"] * height + h / 2) - height / 2) * scale / out_h * 100
        at = first + min(frames(float(key["time"]), rate), count)
        value = (f"{_num(x)} {_num(y)}", f"{_num(scale / fill)} {_num(scale / fill)}")
        if points and points[-1][0] >= at:
            # A cut: the window before it holds until the frame before.
            held = points.pop()
            if not points or points[-1][0] < at - 1:
                points.append((at - 1, *held[1:]))
        points.append((at, *value))
    ET.SubElement(element, "adjust-conform", {"type": "fill"})
    transform = ET.SubElement(element, "adjust-transform", {"position": points[0][1], "scale": points[0][2]})
    for index, name in ((1, "position"), (2, "scale")):
        if len({point[index] for point in points}) > 1:
            animation = ET.SubElement(ET.SubElement(transform, "param", {"name": name}), "keyframeAnimation")
            for point in points:
                ET.SubElement(animation, "keyframe", {"time": _time(point[0], step), "value": point[index],
                                                      "interp": "linear", "curve": "linear"})  # fmt: skip


def _num(value: float) -> str:
    return f"{round(value, 4) + 0.0:g}"  # + 0.0 turns -0.0 into 0


def _caption(element, marker, style_id: str, language: str, step: Fraction) -> None:
    """A caption anchored to the clip on lane 1 at the marker's (media) time."""
    span = marker.marked_range
    caption = ET.SubElement(element, "caption", {
        "lane": "1", "offset": _time(round(span.start_time.value), step), "name": marker.name[:60],
        "duration": _time(max(1, round(span.duration.value)), step), "role": f"iTT?captionFormat=ITT.{language}",
    })  # fmt: skip
    text = ET.SubElement(caption, "text", {"placement": "bottom"})
    ET.SubElement(text, "text-style", {"ref": style_id}).text = marker.name
    ET.SubElement(ET.SubElement(caption, "text-style-def", {"id": style_id}), "text-style", CAPTION_STYLE)
