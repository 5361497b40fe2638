"""The clip report: what is technically wrong with a rendered clip, before anyone posts it.

Computed at render time from the rendered file and the render's own inputs (the reframe
plan, the ASS document it burned, the transcript's words, the clip's times). Five checks:

* ``faces``: the share of sampled output frames showing a whole face, for a clip cropped
  around the faces the reframe found (a face cut by the crop touches the frame's edge);
* ``captions``: the burned-in captions and title card clear of TikTok's, Reels' and
  Shorts' interface (:mod:`pipeline.caption_zones`, zones in ``safe_zones.json``);
* ``cuts``: no word clipped at the in or out point;
* ``loudness``: the output's integrated loudness and true peak (EBU R128);
* ``resolution``: how much the part of the source shown is enlarged.

Each check passes, fails (saying what to fix, in plain words) or is skipped (it does not
apply, or could not be measured). The verdict is ``ready`` when nothing fails. Nothing is
blocked: a clip that fails a check is stored and served like any other.

Cost: one ffmpeg run over the output (plus an ffprobe that reads its packet index, no
decoding) does both measurements. It decodes the audio for ``ebur128`` and, only when
the faces check applies, a handful of video frames at 180x320 (9:16) for the face
detector: the keyframes (x264 puts one at least every 250 frames and at scene changes),
or, for a clip with fewer than :data:`MIN_FACE_SAMPLES` of them, :data:`FACE_SAMPLES`
frames picked among the I and P frames (B frames are never decoded). docs/report.md has
the measured CPU time.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipeline import caption_zones, loudness
from pipeline.config import PipelineConfig
from pipeline.errors import MediaError
from pipeline.faces import Face, default_detector
from pipeline.ffmpeg import run_ffmpeg, run_ffprobe
from pipeline.framing import ReframePlan, Window, even
from pipeline.loudness import SILENCE_LUFS, TARGET_LUFS
from pipeline.reframe import FACE_SHARE_MIN
from pipeline.types import JsonMixin, MediaInfo, Word

PASS, FAIL, SKIP = "pass", "fail", "skip"
READY, FIX = "ready", "fix"
# Faces: at least this share of sampled frames must show a whole face. The reframe keeps
# the main face inside its window in 84-100 % of frames on the corpus (pipeline.framing);
# the detector misses some dark or turned faces, so 70 % leaves room for both.
FACE_SHARE_PASS = 0.7
FACE_SAMPLES = 8
# Sampled frames are this many pixels on their longer side: a face filling a crop is large,
# and CenterFace takes 28 ms on a 180x320 frame against 81 ms on 320x568 (same faces found).
PROXY_SIDE = 320
MIN_FACE_SAMPLES = 4
# A face box closer than this share of the frame to an edge the crop cut is a cut face.
FACE_EDGE = 0.01
# Cuts: a cut this far (seconds) or less inside a word leaves it whole; Whisper's word
# edges are good to about a frame or two and often include a little silence.
WORD_TOLERANCE = 0.05
# Loudness: the platforms play clips at about -14 LUFS (the render's target); within this
# many LU of it is fine. True peaks above -1 dBTP may clip once a platform re-encodes.
LOUDNESS_TOLERANCE = 2.0
MAX_TRUE_PEAK = -1.0
# Resolution: a 1080p landscape source cropped to 9:16 at 1080x1920 is enlarged 1.78x,
# what every clipping tool does with 1080p; from 2x (720p: 2.67x) a phone shows it soft.
MAX_UPSCALE = 2.0
TITLES = {
    "faces": "Face in frame",
    "captions": "Captions in the safe zones",
    "cuts": "Clean start and end",
    "loudness": "Loudness",
    "resolution": "Sharpness",
}


@dataclasses.dataclass
class Check(JsonMixin):
    """One check's outcome: ``status`` is pass, fail or skip; ``summary`` says what was found
    and ``fix`` (failures only) what to do about it, both in plain words."""

    name: str
    title: str
    status: str
    summary: str
    fix: str = ""


@dataclasses.dataclass
class FaceMeasure(JsonMixin):
    """Sampled output frames and those showing a whole face; ``missing_at``: clip seconds of
    the frames without one. ``share`` is None when no frame was sampled."""

    sampled: int = 0
    with_face: int = 0
    share: float | None = None
    missing_at: list[float] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class CaptionMeasure(JsonMixin):
    """How many burned-in text events were placed, and the interface areas they run under."""

    events: int = 0
    overlaps: list[caption_zones.ZoneOverlap] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class CutMeasure(JsonMixin):
    """The words inside the clip; ``lead``/``tail``: seconds of room between the in point and
    the first word and between the last word and the out point (negative when a word is
    cut); ``cut_at_start``/``cut_at_end``: the word a cut falls inside, else empty."""

    words: int = 0
    lead: float | None = None
    tail: float | None = None
    cut_at_start: str = ""
    cut_at_end: str = ""


@dataclasses.dataclass
class LoudnessMeasure(JsonMixin):
    """The output's integrated loudness (LUFS) and true peak (dBTP); None when not measured
    (or, for the peak, digital silence)."""

    integrated_lufs: float | None = None
    true_peak_dbtp: float | None = None
    target_lufs: float = TARGET_LUFS


@dataclasses.dataclass
class ResolutionMeasure(JsonMixin):
    """The output's size, the source's, and the most enlarged part of the source shown
    (``shown_*``, a crop window's size) with its enlargement ``upscale`` (1.0: pixel for
    pixel, below 1: reduced)."""

    width: int = 0
    height: int = 0
    source_width: int = 0
    source_height: int = 0
    shown_width: int = 0
    shown_height: int = 0
    upscale: float = 1.0
    upscaled: bool = False


@dataclasses.dataclass
class Measures(JsonMixin):
    faces: FaceMeasure = dataclasses.field(default_factory=FaceMeasure)
    captions: CaptionMeasure = dataclasses.field(default_factory=CaptionMeasure)
    cuts: CutMeasure = dataclasses.field(default_factory=CutMeasure)
    loudness: LoudnessMeasure = dataclasses.field(default_factory=LoudnessMeasure)
    resolution: ResolutionMeasure = dataclasses.field(default_factory=ResolutionMeasure)


@dataclasses.dataclass
class ClipReport(JsonMixin):
    """``verdict`` is ``ready`` or ``fix``; ``fixes`` lists what to fix, in the order of
    ``checks`` (faces, captions, cuts, loudness, resolution); ``measures`` has the numbers."""

    verdict: str
    fixes: list[str]
    checks: list[Check]
    measures: Measures


def build_report(
    output: Path,
    media: MediaInfo,
    start: float,
    end: float,
    words: Sequence[Word],
    plan: ReframePlan,
    ass_document: str,
    width: int,
    height: int,
    config: PipelineConfig,
) -> ClipReport:
    """The report of the clip rendered into ``output`` from ``media`` between ``start`` and
    ``end`` (source seconds, as rendered) with ``plan`` and the ASS ``ass_document`` burned
    at ``width`` x ``height``. ``words`` are the transcript's (source times).

    Never raises for the media: a measurement ffmpeg cannot make leaves its checks skipped.
    """
    wants_faces = faces_apply(plan)
    try:
        frames, times, level = measure_output(output, end - start, config, sample_faces=wants_faces)
        measured = True
    except MediaError:
        frames, times, level, measured = [], [], None, False
    faces, faces_check = check_faces(frames, times, plan, width, height, applies=wants_faces, measured=measured)
    captions, captions_check = check_captions(ass_document, width, height)
    cuts, cuts_check = check_cuts(words, start, end)
    sound, sound_check = check_loudness(level, has_audio=media.has_audio)
    resolution, resolution_check = check_resolution(plan, width, height)
    checks = [faces_check, captions_check, cuts_check, sound_check, resolution_check]
    return make_report(checks, Measures(faces, captions, cuts, sound, resolution))


def make_report(checks: list[Check], measures: Measures) -> ClipReport:
    """The report of ``checks``: ready when none failed, else the fixes in order."""
    fixes = [check.fix for check in checks if check.status == FAIL]
    return ClipReport(verdict=FIX if fixes else READY, fixes=fixes, checks=checks, measures=measures)


def faces_apply(plan: ReframePlan) -> bool:
    """Whether the clip was cropped around faces the reframe found (only then can a crop miss one)."""
    layouts = {shot.layout for shot in plan.shots} or {plan.layout}
    return bool(layouts & {"crop", "split"}) and plan.face_share >= FACE_SHARE_MIN


def measure_output(
    output: Path, duration: float, config: PipelineConfig, *, sample_faces: bool
) -> tuple[list[np.ndarray], list[float], tuple[float, float | None]]:
    """Sampled RGB frames of ``output`` (:func:`_proxy_size`) with their clip seconds, and its
    integrated loudness and true peak (None for digital silence), in one ffmpeg run.

    Frames are sampled only with ``sample_faces`` (see the module docstring). ``output``
    must have an audio stream, as every render has. Raises :class:`MediaError`.
    """
    args: list[str | Path] = ["-nostats", "-loglevel", "info"]
    video: list[str | Path] = []
    size = (0, 0)
    if sample_faces:
        info = run_ffprobe(output, config, ["-select_streams", "v:0", "-show_entries",
                                            "stream=width,height:packet=flags"], what="read the clip")  # fmt: skip
        streams = info.get("streams") or []
        if not streams:
            raise MediaError("The rendered clip has no picture to check.")
        size = _proxy_size(int(streams[0]["width"]), int(streams[0]["height"]))
        keyframes = sum("K" in packet.get("flags", "") for packet in info.get("packets", []))
        if keyframes >= MIN_FACE_SAMPLES:
            args += ["-skip_frame:v", "nokey"]
            pick = ""
        else:
            args += ["-skip_frame:v", "bidir", "-skip_loop_filter:v", "all"]
            pick = f"select='isnan(prev_selected_t)+gte(t-prev_selected_t,{duration / FACE_SAMPLES:.3f})',"
        video = [
            "-map", "0:v:0", "-vf", f"{pick}scale={size[0]}:{size[1]}:flags=fast_bilinear,showinfo",
            "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
        ]  # fmt: skip
    args += ["-i", output, *video, "-map", "0:a:0", "-af", loudness.EBUR128, "-f", "null", "-"]
    result = run_ffmpeg(args, config, what="check the rendered clip")
    stderr = result.stderr.decode("utf-8", "replace")
    measured = loudness.parse_summary(stderr)
    frames: list[np.ndarray] = []
    times: list[float] = []
    if sample_faces:
        pixels = size[0] * size[1] * 3
        raw = np.frombuffer(result.stdout, np.uint8)
        frames = list(raw[: raw.size // pixels * pixels].reshape(-1, size[1], size[0], 3))
        times = [float(t) for t in re.findall(r"Parsed_showinfo.*?pts_time:\s*([-\d.]+)", stderr)][: len(frames)]
        times += [0.0] * (len(frames) - len(times))
    # ebur128 floors the integrated level at -70 LUFS; digital silence has a peak of -inf.
    integrated, true_peak = measured.integrated, measured.true_peak
    integrated = integrated if math.isfinite(integrated) else SILENCE_LUFS
    return frames, times, (integrated, true_peak if math.isfinite(true_peak) else None)


def check_faces(
    frames: Sequence[np.ndarray],
    times: Sequence[float],
    plan: ReframePlan,
    width: int,
    height: int,
    *,
    applies: bool,
    measured: bool = True,
) -> tuple[FaceMeasure, Check]:
    """How many of the sampled output ``frames`` (at clip ``times``) show a whole face.

    A face counts when its box keeps :data:`FACE_EDGE` from the frame's sides the crop
    cut: left and right when the output is narrower than the source, else top and bottom.
    """
    if not applies:
        summary = "The clip is not cropped around a face, so no face can be cut off."
        return FaceMeasure(), Check("faces", TITLES["faces"], SKIP, summary)
    if not measured or not frames:
        return FaceMeasure(), Check("faces", TITLES["faces"], SKIP, "The clip's frames could not be checked.")
    sides = width / height < plan.source_width / plan.source_height
    detector = default_detector()
    whole, missing = 0, []
    for frame, at in zip(frames, times, strict=True):
        h, w = frame.shape[:2]
        margin = FACE_EDGE * (w if sides else h)
        found = detector.detect(frame)
        if any(_whole(face, w, h, margin, sides) for face in found):
            whole += 1
        else:
            missing.append(round(at, 1))
    share = whole / len(frames)
    measure = FaceMeasure(sampled=len(frames), with_face=whole, share=round(share, 3), missing_at=missing)
    found_words = f"A whole face is in {whole} of {len(frames)} sampled frames ({share:.0%})"
    if share >= FACE_SHARE_PASS:
        return measure, Check("faces", TITLES["faces"], PASS, f"{found_words}.")
    where = ", ".join(f"{t:g} s" for t in missing[:4])
    return measure, Check(
        "faces", TITLES["faces"], FAIL, f"{found_words}; none at {where}.",
        f"The crop loses the speaker's face (at {where}): pin the crop to the speaker in the editor, "
        "or choose the fit layout.",
    )  # fmt: skip


def check_captions(document: str, width: int, height: int) -> tuple[CaptionMeasure, Check]:
    """Whether the burned-in text of the ASS ``document`` stays clear of the apps' interface."""
    boxes = caption_zones.text_boxes(document, width, height)
    found = caption_zones.overlaps(boxes, width, height)
    measure = CaptionMeasure(events=len(boxes), overlaps=found)
    title = TITLES["captions"]
    if not boxes:
        return measure, Check("captions", title, SKIP, "No captions or title card are burned in.")
    if not found:
        clear = "The captions and title card stay clear of TikTok's, Reels' and Shorts' buttons and text."
        return measure, Check("captions", title, PASS, clear)
    parts, fixes = [], []
    for (text, zone), group in _grouped(found).items():
        platforms = _join([_PLATFORMS[o.platform] for o in group])
        first = min(o.first_at for o in group)
        what = "The title card runs" if text == "title" else "Captions run"
        parts.append(f"{what} under {platforms} {_ZONE_WORDS[zone]} (from {first:g} s)")
        fixes.append(_TITLE_FIX if text == "title" else _ZONE_FIX[zone])
    return measure, Check("captions", title, FAIL, "; ".join(parts) + ".", " ".join(dict.fromkeys(fixes)))


def check_cuts(words: Sequence[Word], start: float, end: float) -> tuple[CutMeasure, Check]:
    """Whether the in point (``start``) and out point (``end``), source seconds, fall between words."""
    inside = [w for w in words if w.text.strip() and w.end > start and w.start < end]
    title = TITLES["cuts"]
    if not inside:
        return CutMeasure(), Check("cuts", title, SKIP, "No words are spoken in the clip.")
    first, last = inside[0], inside[-1]
    measure = CutMeasure(words=len(inside), lead=round(first.start - start, 3), tail=round(end - last.end, 3))
    problems, fixes = [], []
    if start - first.start > WORD_TOLERANCE and first.end - start > WORD_TOLERANCE:
        measure.cut_at_start = first.text.strip()
        problems.append(f"It starts in the middle of “{measure.cut_at_start}”")
        fixes.append(
            f"Start the clip {start - first.start:.1f} s earlier (or {first.end - start:.1f} s later) "
            f"so that “{measure.cut_at_start}” is whole."
        )
    if last.end - end > WORD_TOLERANCE and end - last.start > WORD_TOLERANCE:
        measure.cut_at_end = last.text.strip()
        problems.append(f"it ends in the middle of “{measure.cut_at_end}”")
        fixes.append(
            f"End the clip {last.end - end:.1f} s later (or {end - last.start:.1f} s earlier) "
            f"so that “{measure.cut_at_end}” is whole."
        )
    if not problems:
        return measure, Check(
            "cuts", title, PASS,
            f"It starts {max(0.0, measure.lead):.2f} s before the first word and ends "
            f"{max(0.0, measure.tail):.2f} s after the last.",
        )  # fmt: skip
    summary = "; ".join(problems) + "."
    return measure, Check("cuts", title, FAIL, summary[0].upper() + summary[1:], " ".join(fixes))


def check_loudness(loudness: tuple[float, float | None] | None, *, has_audio: bool) -> tuple[LoudnessMeasure, Check]:
    """Whether the output's ``(integrated LUFS, true peak dBTP)`` suits the platforms."""
    title = TITLES["loudness"]
    if not has_audio:
        return LoudnessMeasure(), Check("loudness", title, SKIP, "The source has no sound.")
    if loudness is None:
        return LoudnessMeasure(), Check("loudness", title, SKIP, "The clip's loudness could not be measured.")
    level, peak = loudness
    measure = LoudnessMeasure(integrated_lufs=round(level, 1), true_peak_dbtp=None if peak is None else round(peak, 1))
    if level <= SILENCE_LUFS:
        return measure, Check(
            "loudness", title, FAIL, "The clip is silent.",
            "Check the source's sound: this part of it is silent or nearly so.",
        )  # fmt: skip
    found = f"{level:.1f} LUFS, peaks at {peak:.1f} dBTP" if peak is not None else f"{level:.1f} LUFS"
    target = f"the {TARGET_LUFS:g} LUFS the platforms play at"
    if level < TARGET_LUFS - LOUDNESS_TOLERANCE:
        return measure, Check(
            "loudness", title, FAIL, f"The clip is quiet: {found}, against {target}.",
            f"Raise its volume by about {TARGET_LUFS - level:.0f} dB in an editor, or check the source's sound.",
        )  # fmt: skip
    if level > TARGET_LUFS + LOUDNESS_TOLERANCE:
        return measure, Check(
            "loudness", title, FAIL, f"The clip is loud: {found}, against {target}.",
            f"Lower its volume by about {level - TARGET_LUFS:.0f} dB in an editor.",
        )  # fmt: skip
    if peak is not None and peak > MAX_TRUE_PEAK:
        return measure, Check(
            "loudness", title, FAIL, f"Peaks reach {peak:.1f} dBTP ({level:.1f} LUFS); above {MAX_TRUE_PEAK:g} dBTP "
            "they may distort once a platform re-encodes the clip.",
            f"Lower its volume by about {peak - MAX_TRUE_PEAK + 0.5:.0f} dB in an editor.",
        )  # fmt: skip
    return measure, Check("loudness", title, PASS, f"{found}: right for the platforms ({TARGET_LUFS:g} LUFS).")


def check_resolution(plan: ReframePlan, width: int, height: int) -> tuple[ResolutionMeasure, Check]:
    """How much the most enlarged part of the source is scaled up to fill ``width`` x ``height``."""
    factor, shown = _enlargement(plan, width, height)
    measure = ResolutionMeasure(
        width=width, height=height, source_width=plan.source_width, source_height=plan.source_height,
        shown_width=shown[0], shown_height=shown[1], upscale=round(factor, 2), upscaled=factor > 1.01,
    )  # fmt: skip
    source = f"{plan.source_width}x{plan.source_height}"
    part = "" if shown == (plan.source_width, plan.source_height) else f"a {shown[0]}x{shown[1]} part of "
    found = f"{width}x{height} from {part}the {source} source"
    title = TITLES["resolution"]
    if factor <= 1.01:
        return measure, Check("resolution", title, PASS, f"{found}: not enlarged.")
    if factor <= MAX_UPSCALE:
        return measure, Check("resolution", title, PASS, f"{found}: enlarged {factor:.2f}x, which stays sharp.")
    return measure, Check(
        "resolution", title, FAIL, f"{found}: enlarged {factor:.2f}x, so it will look soft.",
        f"Use a sharper source ({_needed((plan.source_width, plan.source_height), factor)} or more): "
        f"enlarging more than {MAX_UPSCALE:g}x shows on a phone.",
    )  # fmt: skip


def _enlargement(plan: ReframePlan, width: int, height: int) -> tuple[float, tuple[int, int]]:
    """The largest scale factor from source pixels to output pixels, and the part it applies to."""
    parts: list[tuple[str, list[Window]]] = (
        [(shot.layout, shot.windows) for shot in plan.shots] if plan.mixed else [(plan.layout, plan.windows)]
    )
    source = (plan.source_width, plan.source_height)
    best: tuple[float, tuple[int, int]] = (0.0, source)
    for layout, windows in parts:
        if layout == "crop" and windows:
            found = [(height / w.h, (w.w, w.h)) for w in windows]
        elif layout == "split" and windows:
            found = [(width / w.w, (w.w, w.h)) for w in windows]
        elif layout == "fit":
            found = [(min(width / source[0], height / source[1]), source)]
        else:  # scale, or a crop of the whole frame
            found = [(max(width / source[0], height / source[1]), source)]
        best = max([best, *found], key=lambda item: item[0])
    return best


def _proxy_size(width: int, height: int) -> tuple[int, int]:
    """The size frames are sampled at: the longer side :data:`PROXY_SIDE` (or less), even."""
    scale = min(1.0, PROXY_SIDE / max(width, height))
    return even(width * scale), even(height * scale)


def _needed(source: tuple[int, int], factor: float) -> str:
    """The common source size (by its short side) that this layout would enlarge at most MAX_UPSCALE."""
    short = min(source) * factor / MAX_UPSCALE
    return f"{next((size for size in (720, 1080, 1440, 2160) if size >= short), 4320)}p"


def _whole(face: Face, width: int, height: int, margin: float, sides: bool) -> bool:
    """Whether ``face`` keeps ``margin`` from the frame's left and right (``sides``), else top and bottom."""
    if sides:
        return face.x > margin and face.x + face.w < width - margin
    return face.y > margin and face.y + face.h < height - margin


_PLATFORMS = {"tiktok": "TikTok's", "reels": "Reels'", "shorts": "Shorts'"}
_ZONE_WORDS = {
    "top": "top bar",
    "buttons": "buttons on the right",
    "bottom": "caption and account area at the bottom",
}
_ZONE_FIX = {
    "top": "Move the captions lower: choose a caption template that sits lower.",
    "buttons": "Keep caption lines narrower: choose a caption template with smaller text or shorter lines.",
    "bottom": "Move the captions up: choose a caption template that sits higher.",
}
# The title card's place and size are fixed: only its length changes how far it reaches.
_TITLE_FIX = "Shorten the title card's text (the hook) so that it takes fewer, shorter lines."


def _grouped(found: list[caption_zones.ZoneOverlap]) -> dict[tuple[str, str], list[caption_zones.ZoneOverlap]]:
    groups: dict[tuple[str, str], list[caption_zones.ZoneOverlap]] = {}
    for overlap in found:
        groups.setdefault((overlap.text, overlap.zone), []).append(overlap)
    return groups


def _join(names: list[str]) -> str:
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
