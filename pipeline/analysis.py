"""The engine's one analysis: a validated media file in, its transcript and ranked moments out.

Both ways of running the engine call this: :func:`pipeline.clip.run_clip` (the command
line) and the service's processing job (``videos.jobs``), so what is transcribed and how
moments are chosen cannot drift apart between them. Scene cuts are detected only near
the edges of the moments chosen, and only where their keyframes differ enough to hide a
cut; never over the whole file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline.audio import decode_audio
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions, MomentsResult, find_moments
from pipeline.scenes import detect_scenes, may_hold_cut
from pipeline.transcribe import transcribe
from pipeline.types import ProgressFn, Transcript, no_progress, scaled_progress

# Shares of the analysis's progress: transcription is most of the time on a talk.
TRANSCRIBE_SHARE = 0.9


@dataclasses.dataclass
class Analysis:
    """What :func:`analyse` found: the transcript (on the file's timeline) and the moments."""

    transcript: Transcript
    found: MomentsResult


def analyse(
    path: Path,
    duration: float,
    config: PipelineConfig,
    options: ClipOptions,
    *,
    gemini_api_key: str | None = None,
    replays: Sequence[tuple[float, float, float]] = (),
    progress: ProgressFn = no_progress,
    transcribed: Callable[[Transcript], None] = lambda transcript: None,
) -> Analysis:
    """Transcribe ``path`` (``duration`` seconds long) and find its moments with ``options``.

    ``replays`` is the source platform's "most replayed" graph on the file's timeline
    (see :meth:`pipeline.ingest.Fetched.replay_curve`), one signal of the moments' score.

    ``transcribed`` is called with the transcript before the moments are looked for, so a
    caller can keep it (and show the next stage) even if the analysis then fails.
    ``options.language`` forces the transcription's language. Raises the decoder's,
    the transcriber's and the analyser's :class:`~pipeline.errors.PipelineError`.
    """
    path = Path(path)
    audio = decode_audio(path, config)
    transcript = transcribe(audio, config, progress=scaled_progress(progress, 0.0, TRANSCRIBE_SHARE),
                            language=options.language or None)  # fmt: skip
    transcribed(transcript)

    def cuts_near(start: float, end: float) -> list[float]:
        # Keyframes first: on a single-shot talk they rule out a cut for the cost of a few
        # frames, where decoding every frame of the edges' 12 s took most of this stage.
        start, end = max(0.0, start), min(duration, end)
        if end <= start or not may_hold_cut(path, config, start=start, end=end):
            return []
        return list(detect_scenes(path, config, start=start, end=end).cuts)

    found = find_moments(
        transcript, options, config, audio=audio, scene_cuts_near=cuts_near, gemini_api_key=gemini_api_key,
        replays=replays, progress=scaled_progress(progress, TRANSCRIBE_SHARE, 1.0),
    )  # fmt: skip
    return Analysis(transcript, found)
