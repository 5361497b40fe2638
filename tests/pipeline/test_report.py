"""Tests for pipeline.report and pipeline.caption_zones: each check passes a sound clip and
fails one built to fail it (a face off the crop, a caption in the bottom UI zone, a cut
mid-word, a quiet clip, an enlarged source), on clips made with real ffmpeg."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from pipeline import caption_zones, report
from pipeline.captions import TEMPLATES, CaptionStyle, build_ass
from pipeline.config import PipelineConfig
from pipeline.framing import ReframePlan, Shot, Window
from pipeline.probe import probe
from pipeline.render import RenderOptions, RenderResult, render_clip
from pipeline.types import MediaInfo, Word

CONFIG = PipelineConfig(render_preset="ultrafast")
# The talk fixture (640x360) shows one face, its box about x 324-432.
CROP_W = 202
# What the report needs to know of the talk fixture's source: that it has sound.
TALK = MediaInfo(path="talk.mp4", duration=45.0, size_bytes=0, format_name="mp4", has_video=True, has_audio=True,
                 width=640, height=360)  # fmt: skip


def words_at(start: float, text: str, step: float = 0.4) -> list[Word]:
    """Words ``step`` apart from ``start``, each lasting 80 % of it (so 0.08 s of silence between)."""
    times = [round(start + i * step, 3) for i in range(len(text.split()))]
    return [Word(w, t, round(t + step * 0.8, 3)) for w, t in zip(text.split(), times, strict=True)]


def cut(source: Path, out: Path, start: float, seconds: float, video: str, audio: str = "anull") -> Path:
    """A clip of ``source`` made with ffmpeg: H.264 (one keyframe) and AAC, like a render."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-ss", f"{start}", "-t", f"{seconds}", "-i", str(source), "-vf", video,
         "-af", audio, "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-ac", "2", str(out)],
        check=True,
    )  # fmt: skip
    return out


def crop_plan(x: float, seconds: float) -> ReframePlan:
    """A plan cropping the talk's 640x360 frame to the 9:16 window at ``x``, the face found in every frame."""
    window = Window(CROP_W, 360, [[0.0, x, 0.0], [seconds, x, 0.0]])
    return ReframePlan(layout="crop", source_width=640, source_height=360, windows=[window], face_share=1.0,
                       shots=[Shot(0.0, seconds, "crop")])  # fmt: skip


def statuses(clip_report: report.ClipReport) -> dict[str, str]:
    return {check.name: check.status for check in clip_report.checks}


# ---- the whole report, from a real render ----


@pytest.mark.slow
def test_it_reports_a_sound_render_ready_and_keeps_the_report_through_json(talk_path, tmp_path):
    media = probe(talk_path, CONFIG)
    words = words_at(2.2, "money grows when you leave it alone")
    result = render_clip(
        talk_path, media, 2.0, 5.1, words, RenderOptions(short_side=180, hook_text="Why money grows"),
        tmp_path / "clip.mp4", tmp_path / "clip.jpg", CONFIG, scene_cuts=[],
    )  # fmt: skip
    assert not result.error, result.error_message
    clip_report = result.report
    assert statuses(clip_report) == dict.fromkeys(["faces", "captions", "cuts", "loudness", "resolution"], "pass"), [
        check.summary for check in clip_report.checks
    ]
    assert (clip_report.verdict, clip_report.fixes) == ("ready", [])
    measures = clip_report.measures
    assert measures.faces.sampled >= report.MIN_FACE_SAMPLES and measures.faces.share >= report.FACE_SHARE_PASS
    assert abs(measures.loudness.integrated_lufs - report.TARGET_LUFS) <= report.LOUDNESS_TOLERANCE
    assert measures.resolution.upscale < 1 and measures.resolution.shown_height == 360
    assert measures.captions.events >= 3 and measures.cuts.words == len(words)
    assert RenderResult.from_dict(json.loads(result.to_json())) == result


# ---- faces ----


@pytest.mark.slow
@pytest.mark.parametrize(("x", "status"), [(277, "pass"), (0, "fail")])
def test_it_fails_a_clip_whose_crop_misses_the_face(talk_path, tmp_path, x, status):
    out = cut(talk_path, tmp_path / "clip.mp4", 2.0, 3.0, f"crop={CROP_W}:360:{x}:0,scale=180:320")
    clip_report = report.build_report(out, TALK, 2.0, 5.0, [], crop_plan(x, 3.0), "", 180, 320, CONFIG)
    faces = clip_report.checks[0]
    assert (faces.name, faces.status) == ("faces", status), faces.summary
    assert clip_report.measures.faces.sampled >= report.MIN_FACE_SAMPLES
    if status == "fail":
        assert clip_report.measures.faces.with_face == 0
        assert clip_report.verdict == "fix" and clip_report.fixes[0] == faces.fix
        assert "pin the crop" in faces.fix and "0 s" in faces.fix


def test_it_only_checks_faces_where_a_crop_could_lose_one():
    assert report.faces_apply(crop_plan(0, 3.0))
    faceless = crop_plan(0, 3.0)
    faceless.face_share = 0.1
    fitted = ReframePlan(layout="fit", source_width=1080, source_height=1920, shots=[Shot(0.0, 3.0, "fit")])
    assert not report.faces_apply(faceless) and not report.faces_apply(fitted)
    _, check = report.check_faces([], [], fitted, 1080, 1920, applies=False)
    assert check.status == "skip"


# ---- captions ----


def document(template: str, text: str, width: int = 1080, height: int = 1920, hook: str = "",
             caption_style: CaptionStyle | None = None) -> str:  # fmt: skip
    return build_ass(words_at(0.0, text), 0.0, 8.0, width, height, template, hook_text=hook,
                     caption_style=caption_style)  # fmt: skip


def lowered(doc: str, margin: int) -> str:
    """``doc`` with its captions' lowest line ``margin`` pixels above the bottom edge (MarginV)."""
    return re.sub(r"^(Style: Caption,(?:[^,]*,){20})\d+,", rf"\g<1>{margin},", doc, flags=re.M)


def test_it_passes_captions_placed_by_the_templates_above_the_apps_interface():
    for template in TEMPLATES:
        doc = document(template, "one thing nobody tells you", hook="Hook")
        measure, check = report.check_captions(doc, 1080, 1920)
        assert check.status == "pass", check.summary
        assert measure.events >= 3 and measure.overlaps == []


def test_it_fails_a_caption_placed_in_the_bottom_ui_zone():
    # The clean template with its lowest line 5 % above the bottom edge, where every app
    # draws its account name and description.
    measure, check = report.check_captions(lowered(document("clean", "money grows"), 96), 1080, 1920)
    assert check.status == "fail"
    assert {(o.platform, o.zone) for o in measure.overlaps} == {("tiktok", "bottom"), ("reels", "bottom"),
                                                                  ("shorts", "bottom")}  # fmt: skip
    assert "TikTok's, Reels' and Shorts' caption and account area" in check.summary
    assert check.fix == "Move the captions up: choose a caption template that sits higher."


def test_it_fails_caption_lines_wide_enough_to_reach_the_buttons():
    # Every template's lines clear the buttons (above); a brand kit's large text does not.
    wide = document("karaoke", "compounding wins", caption_style=CaptionStyle(size=0.07))
    measure, check = report.check_captions(wide, 1080, 1920)
    assert check.status == "fail"
    assert ("tiktok", "buttons", "captions") in {(o.platform, o.zone, o.text) for o in measure.overlaps}
    assert "buttons on the right" in check.summary and "narrower" in check.fix


def test_it_fails_a_title_card_long_enough_to_reach_the_buttons():
    hook = "Here is the one thing nobody ever tells you about money, saving, investing and compound interest " * 2
    measure, check = report.check_captions(document("hormozi", "money", hook=hook.strip()), 1080, 1920)
    assert ("tiktok", "buttons", "title") in {(o.platform, o.zone, o.text) for o in measure.overlaps}
    assert check.summary.startswith("The title card runs under TikTok's")
    assert check.fix == "Shorten the title card's text (the hook) so that it takes fewer, shorter lines."


def test_it_places_a_square_clip_on_the_phone_screen_before_checking_the_zones():
    # A caption 10 % above the bottom edge runs under the apps' bottom area on a 9:16 clip;
    # a 1:1 clip is shown letterboxed, so there the same caption clears it.
    for height, status in ((1920, "fail"), (1080, "pass")):
        doc = lowered(document("clean", "money", 1080, height), height // 10)
        assert report.check_captions(doc, 1080, height)[1].status == status


def test_it_skips_the_caption_check_when_nothing_is_burned_in():
    bare = build_ass(words_at(0.0, "money"), 0.0, 3.0, 1080, 1920, "clean", captions=False)
    assert report.check_captions(bare, 1080, 1920)[1].status == "skip"


@pytest.mark.slow
def test_it_estimates_caption_boxes_that_hold_what_libass_draws(tmp_path):
    width, height = 360, 640
    ass = tmp_path / "captions.ass"
    for template, text in (("hormozi", "the one thing"), ("minimal", "nobody tells you about money")):
        # White outlines on black, so that the outline counts as ink.
        doc = document(template, text, width, height).replace("&H00000000,&H80000000", "&H00FFFFFF,&H80000000")
        ass.write_text(doc.replace("&H00101010,&H60000000", "&H00FFFFFF,&H60000000"), encoding="utf-8")
        box = caption_zones.text_boxes(doc, width, height)[0]
        raw = subprocess.run(
            ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"color=black:s={width}x{height}:d=1", "-ss", "0.1",
             "-vf", f"ass={ass}", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        ys, xs = np.nonzero(np.frombuffer(raw, np.uint8).reshape(height, width) > 8)
        left, top, right, bottom = box.box
        assert left - 1 <= xs.min() and xs.max() + 1 <= right + 1 and top - 1 <= ys.min() and ys.max() + 1 <= bottom + 1
        assert (xs.min() - left) + (right - xs.max() - 1) <= 6, (template, box.box, xs.min(), xs.max())


# ---- cuts ----


def test_it_passes_cuts_in_the_silence_the_engine_pads_around_sentences():
    words = words_at(10.0, "here is the thing")
    measure, check = report.check_cuts(words, 9.75, words[-1].end + 0.25)
    assert check.status == "pass" and (measure.lead, measure.tail) == (0.25, 0.25)
    assert check.summary == "It starts 0.25 s before the first word and ends 0.25 s after the last."


def test_it_fails_a_clip_cut_in_the_middle_of_a_word():
    words = [Word("Here", 10.0, 10.3), Word("compounding", 10.4, 11.2), Word("works.", 11.3, 11.7)]
    measure, check = report.check_cuts(words, 10.6, 11.5)
    assert check.status == "fail"
    assert (measure.cut_at_start, measure.cut_at_end) == ("compounding", "works.")
    assert check.summary == "It starts in the middle of “compounding”; it ends in the middle of “works.”."
    assert "Start the clip 0.2 s earlier (or 0.6 s later)" in check.fix and "End the clip 0.2 s later" in check.fix
    # A cut a few hundredths of a second inside a word's timing leaves it whole.
    assert report.check_cuts(words, 10.03, 11.68)[1].status == "pass"
    assert report.check_cuts([], 1.0, 4.0)[1].status == "skip"


# ---- loudness ----


@pytest.mark.slow
@pytest.mark.parametrize(("audio", "words"), [("volume=-30dB", "quiet"), ("volume=0", "silent")])
def test_it_fails_a_quiet_or_silent_clip(talk_path, tmp_path, audio, words):
    out = cut(talk_path, tmp_path / "clip.mp4", 2.0, 3.0, "scale=180:100", audio)
    fitted = ReframePlan(layout="fit", source_width=640, source_height=360, shots=[Shot(0.0, 3.0, "fit")])
    clip_report = report.build_report(out, TALK, 2.0, 5.0, [], fitted, "", 180, 320, CONFIG)
    loudness = next(check for check in clip_report.checks if check.name == "loudness")
    assert loudness.status == "fail" and words in loudness.summary, loudness.summary
    assert clip_report.measures.faces.sampled == 0  # nothing to crop: no frame was decoded
    assert loudness.fix in clip_report.fixes


def test_it_judges_loudness_against_the_platforms_level():
    assert report.check_loudness((-14.3, -2.1), has_audio=True)[1].status == "pass"
    measure, quiet = report.check_loudness((-25.0, -12.0), has_audio=True)
    assert (measure.integrated_lufs, quiet.status) == (-25.0, "fail") and "about 11 dB" in quiet.fix
    assert "loud" in report.check_loudness((-9.0, -1.2), has_audio=True)[1].summary
    assert "Peaks reach -0.4 dBTP" in report.check_loudness((-14.0, -0.4), has_audio=True)[1].summary
    assert report.check_loudness(None, has_audio=False)[1].summary == "The source has no sound."


# ---- resolution ----


def window_plan(source: tuple[int, int], window: tuple[int, int], layout: str = "crop") -> ReframePlan:
    windows = [Window(*window, [[0.0, 0.0, 0.0]])] if layout == "crop" else []
    return ReframePlan(layout=layout, source_width=source[0], source_height=source[1], windows=windows)


@pytest.mark.parametrize(
    ("plan", "upscale", "status"),
    [
        (window_plan((1920, 1080), (608, 1080)), 1.78, "pass"),
        (window_plan((1280, 720), (404, 720)), 2.67, "fail"),
        (window_plan((3840, 2160), (1216, 2160)), 0.89, "pass"),
        (window_plan((720, 1280), (0, 0), "fit"), 1.5, "pass"),
    ],
)
def test_it_measures_how_much_the_shown_part_of_the_source_is_enlarged(plan, upscale, status):
    measure, check = report.check_resolution(plan, 1080, 1920)
    assert (measure.upscale, check.status) == (upscale, status), check.summary
    assert measure.upscaled == (upscale > 1)


def test_it_names_the_source_size_that_would_not_need_enlarging():
    _, check = report.check_resolution(window_plan((1280, 720), (404, 720)), 1080, 1920)
    found = "1080x1920 from a 404x720 part of the 1280x720 source: enlarged 2.67x, so it will look soft."
    assert check.summary == found
    assert check.fix == "Use a sharper source (1080p or more): enlarging more than 2x shows on a phone."


def test_it_is_ready_only_when_no_check_fails():
    passed = report.Check("cuts", "Clean start and end", "pass", "ok")
    skipped = report.Check("faces", "Face in frame", "skip", "n/a")
    failed = report.Check("loudness", "Loudness", "fail", "quiet", "Raise it.")
    assert report.make_report([skipped, passed], report.Measures()).verdict == "ready"
    assert report.make_report([skipped, failed, passed], report.Measures()).fixes == ["Raise it."]
