"""The whole engine in one call: ingest, transcribe, find moments, render every clip.

Also the ``clip`` command of ``python -m pipeline``::

    python -m pipeline clip SOURCE --out DIR [options]

which writes ``DIR/clip_01.mp4``, ``DIR/clip_01.jpg``, ... and ``DIR/clips.json``: one
object per clip with every moment field and the render's fields, keyed in camelCase as
ScaleReach and Ssemble do. A clip that fails to render is still listed, with ``error``
and ``errorMessage``; the others are unaffected.

Video frames are decoded only inside the chosen clips (the face pass, scene cuts near
clip edges and inside clips, and the render), never over the whole source: on a long
video a full-length video pass alone would cost more than transcribing it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pipeline.analysis import analyse
from pipeline.captions import DEFAULT_TEMPLATE, TEMPLATES
from pipeline.config import PipelineConfig
from pipeline.ingest import ingest
from pipeline.moments import ClipOptions, Moment
from pipeline.reframe import ASPECT_RATIOS
from pipeline.render import RenderOptions, RenderResult, ranked_config, render_clip, render_order
from pipeline.types import JsonMixin, ProgressFn, no_progress, scaled_progress

# Shares of the progress bar per stage, roughly their shares of the time on a talk video.
# "transcribe" covers the whole analysis (decoding, transcription, moments); the moments'
# own time is still timed apart, from the moment the transcript is ready.
_STAGES = {"ingest": (0.0, 0.03), "transcribe": (0.03, 0.5), "render": (0.5, 1.0)}
# How many clips the command renders when not told. Measured with bench/end_to_end.py on
# a 10-minute 1080p talk (2-core AMD EPYC shared with other jobs): three clips of 15-60 s
# used 242 CPU-seconds, 0.20 x the source duration on two cores; rendering is about 80 %
# of it, so each further clip adds about 0.05 and ClipOptions' own rule (five clips for
# ten minutes) would sit right at the 0.3 target. ``--clips 0`` applies that rule.
DEFAULT_CLIP_COUNT = 3
# Clips rendered side by side, the best first and then the longest (render.render_order).
# x264 alone keeps about 1.8 of two cores busy and the face pass fewer; a second render
# fills the gaps, while the later clips' renders yield to the best one's
# (render.ranked_config), which still finishes first. Measured with bench/end_to_end.py
# (30 minutes, 10 clips): see docs/benchmarks.md, "Speed".
PARALLEL_RENDERS = 2


@dataclasses.dataclass
class ClipRun(JsonMixin):
    """What ``clip`` produced: the clips (as written to clips.json) and where the time went."""

    out_dir: str
    source: str
    title: str
    duration: float
    language: str
    analyser: str
    clips: list[dict[str, Any]]
    warnings: list[str]
    timings: dict[str, float]


def run_clip(
    source: str,
    out_dir: Path,
    config: PipelineConfig,
    clip_options: ClipOptions,
    render_options: RenderOptions,
    *,
    start: float | None = None,
    end: float | None = None,
    progress: ProgressFn = no_progress,
) -> ClipRun:
    """Turn ``source`` (a path or URL) into rendered clips in ``out_dir``; see the module docstring.

    Raises :class:`~pipeline.errors.PipelineError` when the source itself is refused;
    a clip that cannot be rendered is reported in its entry instead.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}

    def stage(name: str) -> ProgressFn:
        timings[name] = time.perf_counter()
        return scaled_progress(progress, *_STAGES[name])

    with tempfile.TemporaryDirectory(prefix="clipsite-clip-") as workdir:
        fetched = ingest(source, Path(workdir), config, start=start, end=end, progress=stage("ingest"))
        path, media = Path(fetched.path), fetched.media
        analysis = analyse(path, media.duration, config, clip_options, progress=stage("transcribe"),
                           replays=fetched.replay_curve(),
                           transcribed=lambda transcript: timings.update(moments=time.perf_counter()))  # fmt: skip
        transcript, found = analysis.transcript, analysis.found
        render_progress = stage("render")
        moments = found.moments
        done = [0.0] * len(moments)

        def render_one(i: int, moment: Moment) -> dict[str, Any]:
            def report(fraction: float, message: str = "") -> None:
                done[i] = fraction
                render_progress(sum(done) / len(done), message)

            options = dataclasses.replace(render_options, hook_text=moment.hooks.statement)
            name = f"clip_{i + 1:02d}"
            result = render_clip(
                path, media, moment.start, moment.end, transcript.words, options,
                out_dir / f"{name}.mp4", out_dir / f"{name}.jpg",
                ranked_config(config, i + 1), progress=report,
            )  # fmt: skip
            return clip_entry(moment, result, options)

        with ThreadPoolExecutor(PARALLEL_RENDERS) as pool:
            # The pool takes its work in the order submitted.
            order = render_order([moment.end - moment.start for moment in moments])
            pending = {i: pool.submit(render_one, i, moments[i]) for i in order}
            clips = [pending[i].result() for i in range(len(moments))]
        progress(1.0, "done")
    timings = _durations(timings)
    (out_dir / "clips.json").write_text(json.dumps(clips, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return ClipRun(
        out_dir=str(out_dir),
        source=source,
        title=fetched.title,
        duration=media.duration,
        language=transcript.language,
        analyser=found.analyser,
        clips=clips,
        warnings=found.warnings,
        timings=timings,
    )


def clip_entry(moment: Moment, result: RenderResult, options: RenderOptions) -> dict[str, Any]:
    """One clips.json entry: the moment and its render, with ScaleReach/Ssemble key names.

    ``file`` and ``thumbnail`` are names relative to the folder holding clips.json, and
    empty when the clip failed.
    """
    return {
        "id": moment.id,
        "rank": moment.rank,
        "title": moment.title,
        "startTime": moment.start,
        "endTime": moment.end,
        "duration": moment.duration,
        "score": moment.score,
        "scores": moment.scores.to_dict(),
        "viralityReason": moment.reason,
        "transcript": moment.transcript,
        "sentenceIndexes": moment.sentence_indexes,
        "hooks": moment.hooks.to_dict(),
        "description": moment.description,
        "hashtags": moment.hashtags,
        "emotions": moment.emotions,
        "keywords": moment.keywords,
        "aspectRatio": options.aspect_ratio,
        "captionTemplate": options.caption_template if options.captions else "",
        "layout": result.layout,
        "width": result.width,
        "height": result.height,
        "renderedDuration": result.duration,
        "error": result.error,
        "errorMessage": result.error_message,
        "file": "" if result.error else Path(result.path).name,
        "thumbnail": "" if result.error else Path(result.thumbnail_path).name,
    }


def _durations(started: dict[str, float]) -> dict[str, float]:
    """Seconds per stage from the stages' start times (each ends when the next starts)."""
    names = list(started)
    now = time.perf_counter()
    ends = [started[n] for n in names[1:]] + [now]
    seconds = {name: round(end - started[name], 2) for name, end in zip(names, ends, strict=True)}
    seconds["total"] = round(now - started[names[0]], 2)
    return seconds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="media file or URL")
    parser.add_argument("--out", required=True, type=Path, help="folder for the clips and clips.json")
    parser.add_argument("--start", type=float, default=None, help="use the source from this second")
    parser.add_argument("--end", type=float, default=None, help="use the source up to this second")
    parser.add_argument(
        "--clips",
        type=int,
        default=DEFAULT_CLIP_COUNT,
        help=f"number of clips (default {DEFAULT_CLIP_COUNT}; 0: one per two minutes)",
    )
    parser.add_argument("--min-length", type=float, default=15.0, help="shortest clip, seconds")
    parser.add_argument("--max-length", type=float, default=60.0, help="longest clip, seconds")
    parser.add_argument("--preferred-length", default="", help="e.g. under60sec (replaces min/max length)")
    parser.add_argument("--genre", default="Auto")
    parser.add_argument("--model", default="ClipBasic", help="ClipBasic (local) or ClipAnything (Gemini)")
    parser.add_argument("--language", default="", help="language code; default: detect")
    parser.add_argument("--keywords", default="", help="comma-separated topics to favour")
    parser.add_argument("--aspect-ratio", default="9:16", choices=tuple(ASPECT_RATIOS))
    parser.add_argument("--template", default=DEFAULT_TEMPLATE, choices=tuple(TEMPLATES), help="caption style")
    parser.add_argument("--no-captions", action="store_true", help="do not burn captions")
    parser.add_argument("--no-hook", action="store_true", help="no hook title card")
    parser.add_argument("--size", type=int, default=1080, help="short side of the output in pixels")


def run_cli(args: argparse.Namespace, config: PipelineConfig, progress: ProgressFn) -> ClipRun:
    clip_options = ClipOptions(
        min_length=args.min_length, max_length=args.max_length, clip_count=args.clips or None,
        genre=args.genre, language=args.language, model=args.model, preferred_length=args.preferred_length,
        keywords=[k.strip() for k in args.keywords.split(",") if k.strip()],
    )  # fmt: skip
    render_options = RenderOptions(
        aspect_ratio=args.aspect_ratio,
        captions=not args.no_captions,
        caption_template=args.template,
        auto_hook=not args.no_hook,
        short_side=args.size,
    )
    return run_clip(
        args.source,
        args.out,
        config,
        clip_options,
        render_options,
        start=args.start,
        end=args.end,
        progress=progress,
    )
