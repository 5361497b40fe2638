"""Render one clip: reframe, captions, hook card, loudness, H.264/AAC, in one ffmpeg pass.

:func:`render_clip` is self-contained (the Django layer calls it once per clip in
separate worker jobs) and never raises for a clip that cannot be rendered: the
:class:`RenderResult` carries ``error`` and ``error_message`` instead, so one bad clip
does not fail the others.

Cost model. The only full-resolution decode and the only encode are the single final
pass. Before it, two cheap reads of the clip's range only: the face pass on a small
proxy (:mod:`pipeline.reframe`) and a loudness measurement of the audio alone (audio
decoding runs at hundreds of times real time). The video is never encoded twice and a
rendered clip is never re-encoded; the thumbnail is a frame of that pass, written as it goes.
The clip report (:mod:`pipeline.report`) reads the result once more: its audio and a
few keyframes, never a full decode.

Scratch files (the captions script) live in a hidden folder next to ``out_path``, never
in the system temp dir: the caller gives a work folder it owns and cleans, so a render
killed mid-way leaves nothing behind that the caller's cleanup does not remove.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline import captions as ass_captions
from pipeline import loudness, reframe, watermark
from pipeline.config import PipelineConfig
from pipeline.errors import MediaError, PipelineError, RenderError
from pipeline.ffmpeg import run_ffmpeg, run_ffprobe
from pipeline.framing import ReframePlan
from pipeline.priority import at_lower_priority
from pipeline.report import ClipReport, build_report
from pipeline.types import JsonMixin, MediaInfo, ProgressFn, Word, no_progress, scaled_progress

AUDIO_RATE = 48_000
AUDIO_BITRATE = "160k"
MIN_CLIP_SECONDS = 0.5
# How far a video's later-ranked clips lower their render's priority while clips render
# side by side: the lowest, so that they take only the CPU the best clip leaves idle. With
# the whole render lowered (not only its ffmpeg, whose niceness was 10) a 41 s best clip
# rendered beside a later one took 37.6-38.5 s, as long as alone (38.2-39.5 s), against
# 40.5-44.5 s before, and the pair finished no later (docs/benchmarks.md, "Time to
# first clip").
LATER_CLIP_NICENESS = 19
# The thumbnail is the clip's frame at this time (or at its middle, for a shorter clip).
THUMBNAIL_AT = 1.5


def ranked_config(config: PipelineConfig, rank: int) -> PipelineConfig:
    """``config`` for the first render of a video's clip ranked ``rank`` (1 is the best):
    every clip after the best yields the CPU to it (see :data:`LATER_CLIP_NICENESS`) and,
    rendered while the cores are busy, decodes on one thread (see
    :attr:`PipelineConfig.ffmpeg_decode_threads`)."""
    if rank <= 1:
        return config
    return config.replace(render_niceness=LATER_CLIP_NICENESS, ffmpeg_decode_threads=1)


def render_order(durations: Sequence[float]) -> list[int]:
    """The order to render a video's clips in, as indexes into ``durations`` (the clips'
    lengths in seconds, best clip first): the best clip first, for the time to the first
    clip, then the others longest first (ties in rank order). Rendered two at a time, the
    longest-first order ends the two renders together, where rank order could leave the
    last long clip rendering alone on cores it cannot fill (it decodes on one thread, see
    :func:`ranked_config`: 13-30 % of two cores idle over the last 15-20 s of a 30-minute
    run, docs/benchmarks.md, "Speed")."""
    later = sorted(range(1, len(durations)), key=lambda i: -durations[i])
    return [0, *later] if durations else []


@dataclasses.dataclass
class RenderOptions(JsonMixin):
    """What a clip should look like. ``width`` and ``height`` follow from the aspect ratio.

    ``short_side`` is the output's shorter side in pixels (1080: 1080x1920 for 9:16).
    ``hook_text`` is shown as a title card over the first seconds when ``auto_hook`` is on.
    ``layout`` is ``auto`` (chosen per shot), ``crop``, ``split`` or ``fit`` for the whole
    clip; ``pins`` are ``{"start": s, "end": s, "x": 0..1}`` (clip seconds; x the pinned
    person's centre as a fraction of the source width): there the crop follows that person
    whoever speaks. See :func:`pipeline.reframe.plan_reframe`. ``caption_style`` (a brand
    kit's look) is laid over the caption template; ``logo`` is overlaid in the same pass.
    """

    aspect_ratio: str = "9:16"
    captions: bool = True
    caption_template: str = ass_captions.DEFAULT_TEMPLATE
    auto_hook: bool = True
    hook_text: str = ""
    short_side: int = 1080
    layout: str = "auto"
    pins: list[dict] = dataclasses.field(default_factory=list)
    caption_style: ass_captions.CaptionStyle | None = None
    logo: watermark.Logo | None = None

    @property
    def width(self) -> int:
        return reframe.output_size(self.aspect_ratio, self.short_side)[0]

    @property
    def height(self) -> int:
        return reframe.output_size(self.aspect_ratio, self.short_side)[1]


@dataclasses.dataclass
class RenderResult(JsonMixin):
    """A rendered clip, or why it could not be rendered (``error`` and ``error_message``).

    ``layout`` is the layout covering most of the clip. ``shots`` cover the clip in order:
    ``{"start", "end"`` (clip seconds, 0.01 s)``, "layout"`` (crop, split, fit or scale)``,
    "speaker"`` (the shown person's id, or None)``}``. ``speakers`` are the people found,
    left to right: ``{"id", "x"`` (median centre, 0..1 of the source width)``, "speaking"``
    (``[[t0, t1], ...]``, clip seconds)``}``. ``report`` is the clip report of a rendered
    clip (:func:`pipeline.report.build_report`), None when it failed.
    """

    path: str
    thumbnail_path: str
    width: int = 0
    height: int = 0
    duration: float = 0.0
    layout: str = ""
    error: bool = False
    error_message: str = ""
    shots: list[dict] = dataclasses.field(default_factory=list)
    speakers: list[dict] = dataclasses.field(default_factory=list)
    report: ClipReport | None = None


def render_clip(
    source: Path,
    media: MediaInfo,
    start: float,
    end: float,
    words: list[Word],
    options: RenderOptions,
    out_path: Path,
    thumbnail_path: Path,
    config: PipelineConfig,
    *,
    scene_cuts: list[float] | None = None,
    progress: ProgressFn = no_progress,
) -> RenderResult:
    """Render ``source`` from ``start`` to ``end`` (source seconds) into ``out_path`` and a JPEG.

    ``words`` are the transcript's words (source times; those outside the range are
    ignored). ``scene_cuts`` are cut times on the source timeline; ``None`` detects them
    with :func:`pipeline.scenes.detect_scenes`, inside the clip's range only and only
    where the face pass's frames suggest a cut. Scratch files go in a temporary folder
    inside ``out_path.parent`` (created if needed), removed before returning. Returns a
    result with ``error`` set, and no files left behind, when the clip cannot be rendered.
    With ``config.render_niceness``, the render and everything it starts run that much
    below the caller's CPU priority (:func:`pipeline.priority.at_lower_priority`).
    """
    # The body is a closure so that it can run in the lowered thread with the arguments as given.
    def render() -> RenderResult:
        nonlocal start, end
        result = RenderResult(path=str(out_path), thumbnail_path=str(thumbnail_path))
        try:
            if not media.has_video:
                raise RenderError("The source has no video track, so there is nothing to reframe.")
            if start >= media.duration:
                raise RenderError(
                    f"The clip starts at {start:.2f} s, after the end of the source ({media.duration:.2f} s)."
                )
            end = min(end, media.duration)
            start = max(0.0, start)
            if end - start < MIN_CLIP_SECONDS:
                raise RenderError(f"The clip {start:.2f}-{end:.2f} s is too short to render.")
            style = ass_captions.template(options.caption_template)  # refuse an unknown template before any work
            if options.caption_style is not None:
                options.caption_style.apply(style)
            if options.logo is not None:
                watermark.check(options.logo)
            reframe.check_layout(options.layout, options.pins)
            width, height = options.width, options.height
            progress(0.02, "reframing")
            # The loudness measurement (an audio-only ffmpeg run) overlaps the face pass.
            with ThreadPoolExecutor(max_workers=1) as pool:
                measuring = pool.submit(_audio_filter, source, start, end, config) if media.has_audio else None
                plan = reframe.plan_reframe(
                    source,
                    media,
                    start,
                    end,
                    width,
                    height,
                    config,
                    scene_cuts=scene_cuts,
                    cuts_near=lambda t0, t1: _cuts(source, t0, t1, config),
                    progress=scaled_progress(progress, 0.02, 0.2),
                    layout=options.layout,
                    pins=options.pins,
                    speech=[(word.start, word.end) for word in words if word.end > start and word.start < end],
                )
                audio = measuring.result() if measuring else ""
            result.layout = plan.layout
            result.shots = [
                {"start": shot.start, "end": shot.end, "layout": shot.layout, "speaker": shot.speaker}
                for shot in plan.shots
            ]
            result.speakers = plan.speakers
            progress(0.22, "rendering")
            out_path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(prefix=".render-", dir=out_path.parent) as tmp:
                ass = Path(tmp) / "captions.ass"
                hook = options.hook_text if options.auto_hook else ""
                document = ass_captions.build_ass(
                    words, start, end, width, height, options.caption_template, captions=options.captions,
                    hook_text=hook, caption_style=options.caption_style,
                )
                ass_captions.write_ass(ass, document)
                _encode(
                    source,
                    media,
                    start,
                    end,
                    plan,
                    ass,
                    audio,
                    width,
                    height,
                    out_path,
                    config,
                    scaled_progress(progress, 0.22, 0.97),
                    logo=options.logo,
                    thumbnail=(Path(thumbnail_path), min(THUMBNAIL_AT, (end - start) / 2)),
                )
            info = run_ffprobe(
                out_path, config, ["-show_entries", "stream=width,height:format=duration", "-select_streams", "v:0"]
            )
            result.width = int(info["streams"][0]["width"])
            result.height = int(info["streams"][0]["height"])
            result.duration = round(float(info["format"]["duration"]), 3)
            progress(0.98, "checking the clip")
            result.report = build_report(
                out_path, media, start, end, words, plan, document, result.width, result.height, config
            )
            progress(1.0, "rendered")
        except PipelineError as exc:
            for path in (out_path, thumbnail_path):
                Path(path).unlink(missing_ok=True)
            result.error, result.error_message = True, exc.message
        return result

    return at_lower_priority(config.render_niceness, render)


def encode_args(
    source: Path,
    start: float,
    end: float,
    video_graph: str,
    audio_filter: str,
    has_audio: bool,
    out_path: Path,
    config: PipelineConfig,
    extra_inputs: list[str | Path] | None = None,
    extra_outputs: list[str | Path] | None = None,
) -> list[str | Path]:
    """The ffmpeg arguments of the single encoding pass (shared with bench/render.py's floor).

    ``video_graph`` must end in ``[v]``. Input seeking (``-ss`` before ``-i``) is
    frame-accurate when transcoding and skips decoding everything before the keyframe
    preceding ``start``. A source without audio gets a silent track, so every clip has
    one. ``extra_inputs`` (input arguments, such as a logo's) come after those: their
    first input is number :func:`first_extra_input`. ``extra_outputs`` (output options
    and a file each) follow the clip's file.
    """
    duration = f"{end - start:.3f}"
    args: list[str | Path] = ["-ss", f"{start:.3f}", "-t", duration, "-i", source]
    if has_audio:
        audio_graph = f"[0:a:0]{audio_filter + ',' if audio_filter else ''}aresample={AUDIO_RATE}[a]"
    else:
        args += ["-f", "lavfi", "-t", duration, "-i", f"anullsrc=r={AUDIO_RATE}:cl=stereo"]
        audio_graph = "[1:a]anull[a]"
    args += extra_inputs or []
    args += [
        "-filter_complex", f"{video_graph};{audio_graph}", "-map", "[v]", "-map", "[a]",
        "-c:v", "libx264", "-preset", config.render_preset, "-crf", str(config.render_crf),
        "-pix_fmt", "yuv420p", "-profile:v", "high",
        "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ac", "2",
        "-t", duration, "-movflags", "+faststart", "-map_metadata", "-1", out_path,
    ]  # fmt: skip
    return args + (extra_outputs or [])


def first_extra_input(has_audio: bool) -> int:
    """The input number of the first of :func:`encode_args`' ``extra_inputs``."""
    return 1 if has_audio else 2


def _encode(
    source: Path,
    media: MediaInfo,
    start: float,
    end: float,
    plan: ReframePlan,
    ass: Path,
    audio_filter: str,
    width: int,
    height: int,
    out_path: Path,
    config: PipelineConfig,
    progress: ProgressFn,
    *,
    thumbnail: tuple[Path, float],
    logo: watermark.Logo | None = None,
) -> None:
    """The single encoding pass. It also writes ``thumbnail`` (a path and clip seconds): the
    clip's frame at that time as a JPEG, taken from the frames being encoded, so the clip
    is never decoded again for it."""
    captions = f"ass=filename={_filter_path(ass)}"
    graph, pad, inputs = reframe.video_filter(plan, width, height), "[framed]", []
    if logo is not None:
        # The logo goes under the captions, so they stay readable where the two meet.
        index = first_extra_input(media.has_audio)
        graph += ";" + watermark.overlay_graph(logo, index, width, height, pad, "[branded]")
        pad, inputs = "[branded]", watermark.input_args(logo)
    still, at = thumbnail
    still.parent.mkdir(parents=True, exist_ok=True)
    # Only the first frame at or after ``at`` goes on to the JPEG encoder: every frame that
    # reached it would be converted to JPEG's colour range first, a cost as large as the
    # rest of the filters.
    first = f"select='gte(t,{at:.3f})*isnan(prev_selected_t)'"
    graph += f";{pad}{captions},format=yuv420p,split[v][still];[still]{first}[thumb]"
    outputs: list[str | Path] = ["-map", "[thumb]", "-frames:v", "1", "-q:v", "3", "-update", "1", still]
    args = encode_args(source, start, end, graph, audio_filter, media.has_audio, out_path, config, inputs, outputs)
    try:
        run_ffmpeg(args, config, what="render the clip", duration=end - start, progress=progress)
    except MediaError as exc:
        raise RenderError(exc.message) from None


def _filter_path(path: Path) -> str:
    """``path`` escaped as a filter option value inside a filtergraph (the caller's folder
    may hold spaces, colons, commas, brackets or quotes).

    Two levels, as ffmpeg's filtergraph escaping rules say: first the option value
    (``\\ ' :``), then the graph (``\\ ' [ ] , ;``).
    """
    value = re.sub(r"([\\':])", r"\\\1", str(path.resolve()))
    return re.sub(r"([\\'\[\],;])", r"\\\1", value)


def _cuts(source: Path, start: float, end: float, config: PipelineConfig) -> list[float]:
    from pipeline.scenes import detect_scenes

    try:
        return list(detect_scenes(source, config, start=max(0.0, start), end=end).cuts)
    except MediaError as exc:
        raise RenderError(exc.message) from None


def _audio_filter(source: Path, start: float, end: float, config: PipelineConfig) -> str:
    """The filter that brings the clip's audio to the target loudness, from one measurement
    of the clip's audio alone (:mod:`pipeline.loudness`)."""
    try:
        return loudness.normalising_filter(loudness.measure(source, config, start, end))
    except MediaError:
        raise RenderError("The clip's loudness could not be measured.") from None
