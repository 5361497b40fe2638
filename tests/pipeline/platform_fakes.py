"""What the platform tests feed the providers: recorded yt-dlp answers, yt-dlp's own errors, real media.

The providers' only metadata edge is each platform module's ``extract_info`` (see
:mod:`pipeline.trends.extraction`); :func:`answering` replaces exactly that function
with a recorded answer (``tests/pipeline/recorded/*.info.json``, see the README there)
or a failure. Failures are made with yt-dlp's own classes and the way yt-dlp raises
them (:func:`ytdlp_failure`), so the mapping is tested on what yt-dlp really throws.
Media and caption files are served by :class:`tests.pipeline.http_server.LocalHTTPServer`.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import yt_dlp
from yt_dlp.networking import Response
from yt_dlp.networking.exceptions import HTTPError

from tests.media import build_speech_audio, cached

RECORDED = Path(__file__).resolve().parent / "recorded"
EXTRACTOR_FOR = {"youtube": "Youtube", "tiktok": "TikTok", "instagram": "Instagram"}


@functools.cache
def _recorded(name: str) -> dict[str, Any]:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def recorded(name: str) -> dict[str, Any]:
    """A fresh copy of the recorded yt-dlp answer ``name`` (e.g. ``youtube_video.info.json``)."""
    return copy.deepcopy(_recorded(name))


def recorded_text(name: str) -> str:
    return (RECORDED / name).read_text(encoding="utf-8")


class Edge:
    """Calls the replaced ``extract_info`` received, as ``(url, flat)``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []


@contextlib.contextmanager
def answering(platform: str, answer: dict[str, Any] | BaseException) -> Iterator[Edge]:
    """Make ``pipeline.trends.<platform>.extract_info`` return ``answer`` (or raise it)."""
    edge = Edge()

    def extract_info(url: str, config: object, *, flat: bool) -> dict[str, Any]:
        edge.calls.append((url, flat))
        if isinstance(answer, BaseException):
            raise answer
        return copy.deepcopy(answer)

    with mock.patch(f"pipeline.trends.{platform}.extract_info", extract_info):
        yield edge


class Paces:
    """A pace function that records the platforms it was called for instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, platform: str) -> None:
        self.calls.append(platform)


def ytdlp_failure(platform: str, message: str, *, cause: BaseException | None = None) -> yt_dlp.utils.DownloadError:
    """The DownloadError yt-dlp raises when its extractor for ``platform`` fails with ``message``.

    The extractor's ExtractorError goes through a real YoutubeDL's ``report_error``, as
    in ``YoutubeDL.extract_info``, so message, prefix and ``exc_info`` are yt-dlp's own.
    """
    with yt_dlp.YoutubeDL({"quiet": True, "no_warnings": True, "logger": _Quiet()}) as ydl:
        try:
            raise yt_dlp.utils.ExtractorError(message, expected=cause is None, cause=cause,
                                              ie=EXTRACTOR_FOR[platform].lower())  # fmt: skip
        except yt_dlp.utils.ExtractorError as exc:
            try:
                ydl.report_error(str(exc))
            except yt_dlp.utils.DownloadError as failure:
                return failure
    raise AssertionError("YoutubeDL.report_error did not raise")


def http_error(status: int, headers: dict[str, str] | None = None, url: str = "https://www.youtube.com/") -> HTTPError:
    """yt-dlp's HTTPError for an answer with ``status`` and ``headers``."""
    reason = {429: "Too Many Requests", 403: "Forbidden", 404: "Not Found"}.get(status, "Error")
    return HTTPError(Response(io.BytesIO(b""), url, headers or {}, status=status, reason=reason))


def youtube_login_hint() -> str:
    """What yt-dlp's YouTube extractor appends to a "sign in" reason."""
    from yt_dlp.extractor.youtube import YoutubeIE

    with yt_dlp.YoutubeDL({"quiet": True}) as ydl:
        return YoutubeIE(ydl)._youtube_login_hint


def speech_m4a(seconds: float) -> Path:
    """``seconds`` of real English speech (:func:`tests.media.build_speech_audio`) as a
    fragmented MP4 audio file like YouTube's DASH audio: AAC 64 kb/s, the index first,
    then one-second fragments. Cached; read-only."""

    def build(out: Path) -> None:
        subprocess.run(
            ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-protocol_whitelist", "file",
             "-i", str(build_speech_audio(seconds)), "-c:a", "aac", "-b:a", "64k", "-ar", "44100",
             "-movflags", "+empty_moov+default_base_moof+frag_discont", "-frag_duration", "1000000",
             "-f", "mp4", str(out)],
            check=True, capture_output=True,
        )  # fmt: skip

    return cached(f"speech-{seconds:g}s-fragmented", ".m4a", build)


class _Quiet:
    def debug(self, message: str) -> None:
        """Dropped."""

    info = warning = error = debug
