"""``python -m pipeline moments SOURCE``: print the ranked moments of a media file as JSON.

SOURCE (a path, or a URL where ingest supports one) is decoded and transcribed, and its
scene cuts are looked for near the chosen clips' edges. ``--transcript`` takes a saved
Transcript JSON (the output of ``python -m pipeline transcribe``) and skips
transcription; SOURCE is then optional and, when given, adds loudness and scene cuts.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from pipeline.config import PipelineConfig
from pipeline.errors import PipelineError
from pipeline.moments.api import find_moments
from pipeline.moments.boundaries import SceneCutsNear
from pipeline.moments.models import MomentsResult
from pipeline.moments.options import GENRES, MODELS, PREFERRED_LENGTHS, ClipOptions
from pipeline.types import ProgressFn, Transcript, scaled_progress


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", nargs="?", help="media file (or URL where ingest supports it)")
    parser.add_argument("--transcript", type=Path, help="saved Transcript JSON; skips transcription")
    parser.add_argument("--model", default="ClipBasic", help=f"analyser: {' or '.join(MODELS)}")
    parser.add_argument("--min-length", type=float, default=15.0, help="shortest clip in seconds")
    parser.add_argument("--max-length", type=float, default=90.0, help="longest clip in seconds")
    parser.add_argument("--preferred-length", default="", help=f"one of {', '.join(PREFERRED_LENGTHS)}")
    parser.add_argument("--clips", type=int, default=None, help="number of clips (default: from the length)")
    parser.add_argument("--genre", default="Auto", help=f"one of {', '.join(GENRES)}")
    parser.add_argument("--language", default="", help="language code; default: the transcript's")
    parser.add_argument("--keywords", default="", help="comma-separated topics to steer the choice")
    parser.add_argument("--no-scenes", action="store_true", help="do not look for scene cuts near clip edges")


def run_cli(args: argparse.Namespace, config: PipelineConfig, progress: ProgressFn) -> MomentsResult:
    if args.source is None and args.transcript is None:
        raise PipelineError("Give a media file, or a saved transcript with --transcript.")
    options = ClipOptions(
        min_length=args.min_length, max_length=args.max_length, preferred_length=args.preferred_length,
        clip_count=args.clips, genre=args.genre, language=args.language, keywords=args.keywords,
        model=args.model,
    )  # fmt: skip
    transcript = _load_transcript(args.transcript) if args.transcript is not None else None
    if args.source is None:
        return find_moments(transcript, options, config, progress=progress)
    from pipeline.audio import decode_audio
    from pipeline.ingest import ingest

    with tempfile.TemporaryDirectory(prefix="clipsite-moments-") as workdir:
        fetched = ingest(args.source, Path(workdir), config, require_video=False,
                         progress=scaled_progress(progress, 0.0, 0.05))  # fmt: skip
        audio = decode_audio(Path(fetched.path), config)
        if transcript is None:
            from pipeline.transcribe import transcribe

            transcript = transcribe(audio, config, progress=scaled_progress(progress, 0.05, 0.8),
                                    language=options.language or None)  # fmt: skip
        has_video = fetched.media.has_video and not args.no_scenes
        scene_cuts_near = (
            _scene_hook(Path(fetched.path), fetched.media.duration, config) if has_video else None
        )
        return find_moments(transcript, options, config, audio=audio, scene_cuts_near=scene_cuts_near,
                            progress=scaled_progress(progress, 0.8, 1.0))  # fmt: skip


def _load_transcript(path: Path) -> Transcript:
    try:
        return Transcript.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise PipelineError(f"Could not read a transcript from {path}: {exc}") from None


def _scene_hook(path: Path, duration: float, config: PipelineConfig) -> SceneCutsNear:
    """Scene cuts between two times, decoding only that stretch of the video."""
    from pipeline.scenes import detect_scenes

    def cuts_near(t0: float, t1: float) -> list[float]:
        return list(detect_scenes(path, config, start=max(0.0, t0), end=min(duration, t1)).cuts)

    return cuts_near
