"""Editable timelines and captions from plain data: OTIO, FCPXML (against Apple's DTD), EDL, SRT, WebVTT,
and an edited .otio read back as hostile input."""

from __future__ import annotations

import json
from pathlib import Path

import opentimelineio as otio
import pytest
from lxml import etree

from pipeline import timeline as tl
from pipeline.timeline_fcpxml import to_fcpxml
from pipeline.types import Word

# Apple's FCPXML 1.8 DTD, the version the OTIO adapter writes (see shared/fcpxml/SOURCE.md).
FCPXML_DTD = Path(__file__).resolve().parents[2] / "shared" / "fcpxml" / "FCPXMLv1_8.dtd"
NTSC = 30000 / 1001
TEXT = "Here is the one thing nobody tells you about money. It compounds & <grows> --> fast."
WORDS = [Word(text, i * 0.5, i * 0.5 + 0.4) for i, text in enumerate(TEXT.split())]
MEDIA = tl.Media(name="team talk.mp4", url="https://example.com/media/signed/t0k3n", duration=60.0,
                 width=1920, height=1080, fps=29.97, language="en")  # fmt: skip
SPEAKERS = [{"id": 0, "x": 0.25, "speaking": []}, {"id": 1, "x": 0.75, "speaking": []}]


def cuts() -> list[tl.ClipCut]:
    return [
        tl.ClipCut("clip_a", "It's money", 0.0, 5.0, WORDS, speakers=SPEAKERS, shots=[
            {"start": 0.0, "end": 2.0, "layout": "crop", "speaker": 0},
            {"start": 2.0, "end": 5.0, "layout": "split", "speaker": None},
        ]),
        tl.ClipCut("clip_b", "Compounding", 5.2, 8.0, WORDS, caption_template="minimal", aspect_ratio="1:1"),
    ]


def build(media: tl.Media = MEDIA):
    return tl.build_timeline("Money talk", media, cuts(), {"video_id": "vid_1"})


def test_it_writes_an_otio_timeline_that_reads_back_equal():
    timeline = build()
    text = tl.to_otio(timeline)
    again = otio.adapters.read_from_string(text, "otio_json")
    assert again.is_equivalent_to(timeline)
    assert tl.to_otio(again) == text
    [track] = again.tracks
    assert (track.name, track.kind) == ("Clips", otio.schema.TrackKind.Video)
    first, second = track
    # Frames at the source's rate (29.97, exact), end to end on the one track.
    assert first.source_range == otio.opentime.TimeRange(otio.opentime.RationalTime(0, NTSC),
                                                         otio.opentime.RationalTime(150, NTSC))  # fmt: skip
    assert second.source_range.start_time.value == 156 and track.range_of_child_at_index(1).start_time.value == 150
    reference = first.media_reference
    assert (reference.name, reference.target_url) == ("team talk.mp4", MEDIA.url)
    assert reference.available_range.duration.value == 1798
    assert again.metadata["clipsite"]["video_id"] == "vid_1" and again.metadata["clipsite"]["media"]["width"] == 1920
    ours = first.metadata["clipsite"]
    assert ours["clip_id"] == "clip_a" and ours["aspect_ratio"] == "9:16"
    # The reframe path: the left speaker's window for 2 s, then the whole frame (split).
    assert [dict(key) for key in ours["reframe"]] == [
        {"time": 0.0, "x": 0.0917, "y": 0.0, "w": 0.3167, "h": 1.0},
        {"time": 2.0, "x": 0.0917, "y": 0.0, "w": 0.3167, "h": 1.0},
        {"time": 2.0, "x": 0.0, "y": 0.0, "w": 1.0, "h": 1.0},
        {"time": 5.0, "x": 0.0, "y": 0.0, "w": 1.0, "h": 1.0},
    ]
    # Captions as markers in media time, chunked as the render burns them.
    assert [marker.name for marker in first.markers] == ["Here is the", "one thing nobody", "tells you about",
                                                         "money."]  # fmt: skip
    assert [marker.name for marker in second.markers] == ["It compounds & <grows>", "--> fast."]
    assert [m.marked_range.start_time.value for m in second.markers] == [156, tl.frames(7.0, NTSC)]


@pytest.mark.parametrize(("fps", "rate"), [(29.97002997, NTSC), (30.0, 30.0), (25.0, 25.0), (23.976, 24000 / 1001),
                                           (59.94, 60000 / 1001), (0.0, 30.0), (float("nan"), 30.0)])  # fmt: skip
def test_it_cuts_at_the_sources_rate_snapped_to_one_editors_know(fps, rate):
    assert tl.timeline_rate(fps) == rate


def test_it_follows_the_speaker_and_shows_the_whole_frame_where_the_render_did():
    left, right = SPEAKERS
    cut = tl.ClipCut("c", "t", 10.0, 14.0, shots=[
        {"start": 0.0, "end": 1.0, "layout": "crop", "speaker": 1},
        {"start": 1.0, "end": 3.0, "layout": "crop", "speaker": 1},
        {"start": 3.0, "end": 4.0, "layout": "fit", "speaker": None},
    ], speakers=[left, right])  # fmt: skip
    # One window for both crop shots of the same speaker: the right person, 608 of 1920 wide.
    assert tl.reframe_keyframes(cut, MEDIA) == [
        {"time": 0.0, "x": 0.5917, "y": 0.0, "w": 0.3167, "h": 1.0},
        {"time": 3.0, "x": 0.5917, "y": 0.0, "w": 0.3167, "h": 1.0},
        {"time": 3.0, "x": 0.0, "y": 0.0, "w": 1.0, "h": 1.0},
        {"time": 4.0, "x": 0.0, "y": 0.0, "w": 1.0, "h": 1.0},
    ]
    # Before a render: the centre; a vertical source is never cropped; an unknown size has no path.
    unrendered = tl.ClipCut("c", "t", 10.0, 14.0)
    assert tl.reframe_keyframes(unrendered, MEDIA)[0] == {"time": 0.0, "x": 0.3417, "y": 0.0, "w": 0.3167, "h": 1.0}
    vertical = tl.Media("v.mp4", "v.mp4", 60.0, width=1080, height=1920)
    assert tl.reframe_keyframes(unrendered, vertical)[0] == {"time": 0.0, "x": 0.0, "y": 0.0, "w": 1.0, "h": 1.0}
    assert tl.reframe_keyframes(unrendered, tl.Media("v.mp4", "v.mp4", 60.0)) == []


def test_it_writes_fcpxml_that_apples_dtd_accepts_with_reframing_and_captions():
    document = to_fcpxml(build())
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n<fcpxml version="1.8">')
    dtd = etree.DTD(str(FCPXML_DTD))
    root = etree.fromstring(document.encode())
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
    # The project is 1080x1920 (most clips are 9:16); the asset, the source, is 1920x1080 at 29.97.
    formats = {f.get("id"): f for f in root.iter("format")}
    sequence = root.find("project/sequence")
    assert (formats[sequence.get("format")].get("width"), formats[sequence.get("format")].get("height")) == (
        "1080", "1920")  # fmt: skip
    asset = root.find("resources/asset")
    assert (asset.get("src"), asset.get("name"), asset.get("hasAudio")) == (MEDIA.url, "team talk.mp4", "1")
    assert formats[asset.get("format")].get("width") == "1920"
    assert formats[asset.get("format")].get("frameDuration") == "1001/30000s"
    first, second = root.find("project/sequence/spine")
    assert (first.tag, first.get("name"), first.get("start"), first.get("duration")) == (
        "asset-clip", "It's money", "0s", "1001/200s")
    assert (second.get("offset"), second.get("start"), second.get("duration")) == (
        "1001/200s", "13013/2500s", "7007/2500s")
    assert sequence.get("duration") == "39039/5000s" and not root.findall("asset-clip")
    # The left speaker's window fills the frame: the picture moves right (480 source pixels, 44% of the
    # project's height once scaled), at the fill scale;
    # the cut to the split (the whole frame, fitted) lands one frame after the window holds.
    position = [(k.get("time"), k.get("value")) for k in first.find("adjust-transform/param[@name='position']/"
                                                                     "keyframeAnimation")]  # fmt: skip
    assert position == [("0s", "44.3943 0"), ("59059/30000s", "44.3943 0"), ("1001/500s", "0 0"),
                        ("1001/200s", "0 0")]  # fmt: skip
    assert first.find("adjust-conform").get("type") == "fill"
    scales = [k.get("value") for k in first.find("adjust-transform/param[@name='scale']/keyframeAnimation")]
    assert scales == ["0.9991 0.9991", "0.9991 0.9991", "0.3164 0.3164", "0.3164 0.3164"]
    # Captions anchored on lane 1, at media time, in the transcript's language.
    captions = first.findall("caption")
    assert [c.find("text/text-style").text for c in captions] == ["Here is the", "one thing nobody",
                                                                  "tells you about", "money."]  # fmt: skip
    assert {(c.get("lane"), c.get("role")) for c in captions} == {("1", "iTT?captionFormat=ITT.en")}
    assert second.find("caption").get("offset") == "13013/2500s"


def test_it_writes_an_edl_that_the_cmx_adapter_reads_back():
    edl = tl.to_edl(build())
    assert edl.startswith("TITLE: Money talk\n") and "* FROM CLIP NAME:  It's money" in edl and "LOC" not in edl
    again = otio.adapters.read_from_string(edl, "cmx_3600", rate=NTSC)
    ranges = [(clip.source_range.start_time.value, clip.source_range.duration.value) for clip in again.find_clips()]
    assert ranges == [(0, 150), (156, 84)]
    assert {clip.metadata["cmx_3600"]["reel"] for clip in again.find_clips()} == {"TEAMTALK"}
    # The record side: end to end from zero.
    assert [again.tracks[0].range_of_child(clip).start_time.value for clip in again.find_clips()] == [0, 150]


def test_it_writes_srt_and_webvtt_with_the_clips_words():
    first, second = cuts()
    srt = tl.to_srt(tl.caption_cues(first))
    assert srt == ("1\n00:00:00,000 --> 00:00:01,500\nHere is the\n\n2\n00:00:01,500 --> 00:00:03,000\n"
                   "one thing nobody\n\n3\n00:00:03,000 --> 00:00:04,500\ntells you about\n\n"
                   "4\n00:00:04,500 --> 00:00:05,000\nmoney.\n")  # fmt: skip
    vtt = tl.to_vtt(tl.caption_cues(second))
    # Times from the clip's start; "<", "&" and "-->" cannot break the cue.
    assert vtt == ("WEBVTT\n\n00:00:00.000 --> 00:00:01.800\nIt compounds &amp; &lt;grows&gt;\n\n"
                   "00:00:01.800 --> 00:00:02.800\n-&gt; fast.\n")
    # The whole timeline's captions run on its record times: the second clip starts at 5.005 s.
    whole = tl.to_srt(tl.timeline_cues(cuts(), NTSC))
    assert whole.endswith("5\n00:00:05,005 --> 00:00:06,805\nIt compounds & <grows>\n\n"
                          "6\n00:00:06,805 --> 00:00:07,805\n-> fast.\n")


def edited(changes: dict[str, tuple[int, int]]) -> bytes:
    """The exported timeline with some clips' (start, length) in frames changed."""
    timeline = build()
    for clip in timeline.find_clips():
        if clip.metadata["clipsite"]["clip_id"] in changes:
            start, length = changes[clip.metadata["clipsite"]["clip_id"]]
            clip.source_range = otio.opentime.TimeRange(otio.opentime.RationalTime(start, NTSC),
                                                        otio.opentime.RationalTime(length, NTSC))  # fmt: skip
    return tl.to_otio(timeline).encode()


def test_it_reads_back_the_ids_and_in_and_out_points_of_an_edited_timeline():
    edits = tl.read_edits(edited({"clip_b": (186, 84)}))
    assert [edit.clip_id for edit in edits] == ["clip_a", "clip_b"]
    first, second = edits
    # The untouched clip reads back as its own times, rounded to frames: not a change.
    assert not tl.changed(first, 0.0, 5.0) and first.end == pytest.approx(5.005, abs=1e-3)
    assert tl.changed(second, 5.2, 8.0) and (second.start, second.end) == (pytest.approx(6.2062),
                                                                          pytest.approx(9.009))  # fmt: skip
    # One frame moves a clip.
    assert tl.changed(tl.read_edits(edited({"clip_a": (1, 149)}))[0], 0.0, 5.0)


def otio_json(document) -> bytes:
    return json.dumps(document).encode()


def nested(depth: int) -> bytes:
    return ('{"OTIO_SCHEMA": "Timeline.1", "metadata": ' + '{"a": ' * depth + "1" + "}" * depth + "}").encode()


def without_range() -> bytes:
    document = json.loads(tl.to_otio(build()))
    document["tracks"]["children"][0]["children"][0]["source_range"] = None
    return otio_json(document)


def with_id(clip_id) -> bytes:
    document = json.loads(tl.to_otio(build()))
    document["tracks"]["children"][0]["children"][0]["metadata"]["clipsite"]["clip_id"] = clip_id
    return otio_json(document)


def twice() -> bytes:
    timeline = build()
    second = timeline.tracks[0][1]
    second.metadata["clipsite"]["clip_id"] = "clip_a"
    return tl.to_otio(timeline).encode()


def foreign() -> bytes:
    timeline = build()
    for clip in timeline.find_clips():
        del clip.metadata["clipsite"]
    return tl.to_otio(timeline).encode()


@pytest.mark.parametrize(("data", "message"), [
    (b"\xff\xfe\x00binary", tl.NOT_OTIO),
    (b"TITLE: an EDL\n001  AX V C 00:00:00:00", tl.NOT_OTIO),
    (b"[1, 2, 3]", tl.NOT_OTIO),
    (b'{"OTIO_SCHEMA": "Clip.2", "name": "x"}', tl.NOT_OTIO),
    (b'{"OTIO_SCHEMA": "Timeline.1", "tracks": {"OTIO_SCHEMA": "Nonsense.9"}}', tl.NOT_OTIO),
    (b"[" * 100_000 + b"]" * 100_000, tl.NOT_OTIO),
    (nested(100), "The timeline is nested too deeply to be read."),
    (foreign(), "The timeline has none of this video's clips: they are found by the clip_id kept in each clip's "
                "metadata (clipsite), which the editor must keep."),
    (without_range(), "Clip clip_a has no in and out points."),
    (with_id(42), "A clip's clipsite.clip_id is not a clip id; leave the ids as they were exported."),
    (with_id("x" * 65), "A clip's clipsite.clip_id is not a clip id; leave the ids as they were exported."),
    (twice(), "Clip clip_a appears twice with different in and out points; keep one."),
])  # fmt: skip
def test_it_refuses_a_timeline_it_cannot_use_saying_why(data, message):
    with pytest.raises(tl.TimelineError) as refused:
        tl.read_edits(data)
    assert str(refused.value) == message
