"""Enrich one video: its metrics and the words of its hook (viralcli's analyze).

The hook is what the video says in its first :data:`HOOK_SECONDS`. The platform's own
captions are used when it has usable ones (``transcript_kind`` "captions": free and
quick); otherwise only the first seconds of the sound are downloaded (a prefix of the
file, see :meth:`Provider.fetch_audio`), decoded and transcribed ("hook"). With
``full`` the whole video is transcribed instead ("full"), from its captions when there
are any.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.audio import decode_audio
from pipeline.config import PipelineConfig
from pipeline.sentences import build_sentences
from pipeline.transcribe import transcribe
from pipeline.trends.discovery import age_days, views_per_day
from pipeline.trends.platforms import PaceFn, PlatformVideo, Provider, VideoRef, get_provider
from pipeline.types import JsonMixin, ProgressFn, Transcript, Word, no_progress, scaled_progress

HOOK_SECONDS = 30.0

CAPTIONS = "captions"
HOOK = "hook"
FULL = "full"

# Shares of the progress bar: captions, then the audio download, then transcription.
_CAPTIONS_SHARE = 0.1
_FETCH_SHARE = 0.3


@dataclasses.dataclass
class Enrichment(JsonMixin):
    """One analysed video: what its page says, and the words of its hook (or of all of it).

    ``transcript_kind`` is "captions", "hook" or "full"; ``words`` is the timed
    transcript behind ``transcript`` (None only for a video that was never transcribed).
    """

    video: PlatformVideo
    transcript: str
    transcript_kind: str
    words: Transcript | None = None

    def result(self, now: datetime) -> dict[str, Any]:
        """viralcli's analyze ``result`` at ``now``, plus the additive fields ``title``,
        ``url``, ``thumbnail``, ``uploaded_at`` (ISO 8601), ``heatmap`` and ``language``.

        ``age_days`` (two decimals) and ``views_per_day`` (whole) are None for an undated video.
        """
        video = self.video
        age = age_days(video, now)
        vpd = views_per_day(video, now)
        return {
            "platform": video.platform,
            "video_id": video.video_id,
            "creator": video.creator,
            "caption": video.caption,
            "views": video.views,
            "likes": video.likes,
            "comments": video.comments,
            "age_days": None if age is None else round(age, 2),
            "views_per_day": None if vpd is None else round(vpd),
            "duration_sec": video.duration_sec,
            "transcript": self.transcript,
            "transcript_kind": self.transcript_kind,
            "title": video.title,
            "url": video.url,
            "thumbnail": video.thumbnail,
            "uploaded_at": video.uploaded_at.isoformat() if video.uploaded_at else None,
            "heatmap": [point.to_dict() for point in video.heatmap],
            "language": video.language,
        }

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["video"] = self.video.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Enrichment:
        data = dict(data)
        data["video"] = PlatformVideo.from_dict(data["video"])
        if data.get("words") is not None:
            data["words"] = Transcript.from_dict(data["words"])
        return cls(**data)


def hook_transcript(
    provider: Provider,
    video: PlatformVideo,
    config: PipelineConfig,
    workdir: Path,
    *,
    hook_seconds: float = HOOK_SECONDS,
    full: bool = False,
    progress: ProgressFn = no_progress,
) -> tuple[str, str, Transcript | None]:
    """``(text, kind, transcript)`` of ``video``'s first ``hook_seconds`` (all of it with ``full``).

    The platform's captions first (kind "captions", nothing transcribed); else the
    sound's prefix (or, with ``full``, all of it) is downloaded into ``workdir``,
    decoded, transcribed with the configured Whisper model and cut at ``hook_seconds``
    (kind "hook", or "full"). The downloaded file is deleted afterwards. Raises the
    provider's :class:`~pipeline.trends.platforms.PlatformError` and the decoder's and
    transcriber's errors.
    """
    if hook_seconds <= 0:
        raise ValueError(f"hook_seconds must be positive; got {hook_seconds}")
    until = None if full else hook_seconds
    progress(0.0, "reading captions")
    captions = provider.fetch_captions(video, until)
    if captions is not None and captions.words:
        progress(1.0, "captions read")
        return captions.text, CAPTIONS, captions
    progress(_CAPTIONS_SHARE, "downloading the sound")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    path = provider.fetch_audio(video, workdir, until)
    try:
        audio = decode_audio(path, config, end=until)
    finally:
        path.unlink(missing_ok=True)
    transcript = transcribe(audio, config, progress=scaled_progress(progress, _FETCH_SHARE, 1.0))
    if until is not None:
        transcript = _cut(transcript, until)
    return transcript.text, FULL if full else HOOK, transcript


def enrich(
    ref: VideoRef,
    config: PipelineConfig,
    workdir: Path,
    *,
    hook_seconds: float = HOOK_SECONDS,
    full: bool = False,
    pace: PaceFn | None = None,
    progress: ProgressFn = no_progress,
) -> Enrichment:
    """Analyse the video ``ref`` names: its page, then its hook (see :func:`hook_transcript`)."""
    provider = get_provider(ref.platform, config, pace=pace)
    progress(0.0, "reading the video's page")
    video = provider.video(ref)
    text, kind, words = hook_transcript(provider, video, config, workdir, hook_seconds=hook_seconds, full=full,
                                        progress=scaled_progress(progress, 0.1, 1.0))  # fmt: skip
    progress(1.0, "analysed")
    return Enrichment(video=video, transcript=text, transcript_kind=kind, words=words)


def _cut(transcript: Transcript, until: float) -> Transcript:
    """``transcript`` without the words that start at or after ``until`` (ends bounded by it)."""
    words = [Word(w.text, w.start, min(w.end, until), w.probability) for w in transcript.words if w.start < until]
    if len(words) == len(transcript.words) and transcript.duration <= until:
        return transcript
    return Transcript(language=transcript.language, duration=min(transcript.duration, until), words=words,
                      sentences=build_sentences(words), model=transcript.model)  # fmt: skip
