"""The providers' shared implementation: yt-dlp under the SSRF guard, its failures, fetching.

:class:`YtdlpProvider` implements :class:`~pipeline.trends.platforms.Provider` for any
platform yt-dlp extracts. Each platform module subclasses it and defines one module-level
``extract_info(url, config, *, flat)`` that calls :func:`run_ytdlp`: that function is
the provider's only network edge for metadata, so tests replace exactly it with
recorded yt-dlp answers, and everything after it (:mod:`pipeline.trends.info`, the
failure mapping here) runs for real.

yt-dlp failures are sorted into the platform errors by :func:`ytdlp_failure`, from
yt-dlp's message and the HTTP status it carries; yt-dlp's own words (which advise
command-line options such as ``--cookies``) go only to the error's ``detail``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import yt_dlp
from yt_dlp.networking.exceptions import HTTPError

from pipeline.audio import SAMPLE_RATE, decode_audio
from pipeline.config import PipelineConfig
from pipeline.errors import IngestError, MediaError
from pipeline.ingest import js_runtimes
from pipeline.netguard import media_suffix
from pipeline.trends import captions as caption_files
from pipeline.trends.discovery import Candidate
from pipeline.trends.info import video_from_info
from pipeline.trends.media import fetch_prefix, fetch_text, fetch_whole, retry_after
from pipeline.trends.platforms import (
    DEFAULT_RETRY_AFTER,
    PlatformError,
    PlatformRefused,
    PlatformUnavailable,
    PlatformVideo,
    Provider,
    VideoRef,
    VideoUnavailable,
)
from pipeline.types import Transcript
from pipeline.ytdlp_guard import GuardedYoutubeDL

# A first guess at a prefix: the bytes its bitrate says, times this, plus room for the
# container's header, so most prefixes take one request.
PREFIX_SAFETY = 1.25
PREFIX_MARGIN_SECONDS = 2.0
HEADER_BYTES = 64 * 1024
# Tried first when a format states neither bitrate nor size.
UNKNOWN_PREFIX_BYTES = 1024 * 1024
# A decoded prefix this close to the asked length counts as covering it (the last
# audio frame may be cut by the range).
COVER_TOLERANCE_SECONDS = 0.5

# Lower-case fragments of yt-dlp's messages, checked in this order.
_REFUSALS = ("not a bot", "captcha", "too many requests", "rate-limit", "rate limit", "ip address is blocked",
             "your ip", "unusual traffic")  # fmt: skip
_UNAVAILABLE = (
    (("private video", "video is private", "permission to view this post", "private account", "is private"),
     "This {label} video is private, so it cannot be analysed."),
    (("confirm your age", "age-restricted", "age restricted", "inappropriate for some users", "members-only",
      "members only", "join this channel", "requires payment", "login required", "log in", "sign in",
      "registered users", "requiring login", "not comfortable for some audiences"),
     "{label} shows this video only to signed-in viewers (it may be age-restricted or for members), so it "
     "cannot be analysed."),
    (("in your country", "geo restrict", "geo-restrict", "not available from your location"),
     "{label} does not offer this video in the server's country."),
    (("live event will begin", "premieres in", "is_upcoming", "this live stream", "is live"),
     "This {label} video is a live or scheduled stream; analyse it once the broadcast has ended."),
    (("unavailable", "has been removed", "no longer available", "not available", "does not exist",
      "terminated", "no video in this post", "not found", "copyright"),
     "This {label} video is unavailable: it may have been removed, or the link may be wrong."),
)  # fmt: skip
_NETWORK = ("timed out", "timeout", "connection", "name resolution", "name or service", "network is unreachable",
            "transporterror", "[ssl", "eof occurred", "remote end closed")  # fmt: skip
_HTTP_STATUS = re.compile(r"HTTP Error (\d{3})")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _Silent:
    """A yt-dlp logger that drops everything: failures come back as exceptions."""

    def debug(self, message: str) -> None:
        """Dropped."""

    info = warning = error = debug


def ytdlp_params(config: PipelineConfig, *, flat: bool, extractor_args: dict | None = None) -> dict[str, Any]:
    """The yt-dlp options every extraction uses (the guard adds its own in :class:`GuardedYoutubeDL`).

    ``flat`` lists a search's entries without visiting each video. ``format: all``
    keeps every format and skips yt-dlp's merge check, which would start ffmpeg.
    """
    return {
        "quiet": True,
        "no_warnings": True,
        "logger": _Silent(),
        "skip_download": True,
        "noplaylist": True,
        "ignoreconfig": True,
        "cachedir": False,
        "format": "all",
        "socket_timeout": config.socket_timeout_seconds,
        "extract_flat": "in_playlist" if flat else False,
        "extractor_args": extractor_args or {},
        "js_runtimes": js_runtimes(),
    }


def run_ytdlp(url: str, config: PipelineConfig, *, flat: bool, extractor_args: dict | None = None) -> dict[str, Any]:
    """yt-dlp's processed answer for ``url`` as JSON-safe data, every request through the guard.

    Raises yt-dlp's own errors and the guard's :class:`IngestError`; :meth:`YtdlpProvider.extract`
    turns them into platform errors.
    """
    with GuardedYoutubeDL(ytdlp_params(config, flat=flat, extractor_args=extractor_args), config) as ydl:
        info = ydl.extract_info(url, download=False)
        return ydl.sanitize_info(info) if info else {}


def ytdlp_failure(label: str, exc: BaseException) -> PlatformError:
    """The platform error a yt-dlp failure stands for (see the module docstring)."""
    text = re.sub(r"^ERROR:\s*", "", _ANSI.sub("", str(exc)).strip())
    # YouTube writes "you\u2019re" with a typographic apostrophe.
    lower = text.lower().replace("\u2019", "'")
    status, headers = _http_status(exc)
    detail = text[:500]
    if status == 429 or any(fragment in lower for fragment in _REFUSALS):
        wait = retry_after(headers.get("Retry-After")) if headers else DEFAULT_RETRY_AFTER
        return PlatformRefused(
            f"{label} is refusing our requests for now (it limits how often it can be asked, or asked to prove "
            "this is not a bot); try again later.", retry_after=wait, detail=detail,
        )  # fmt: skip
    if status in (404, 410):
        return VideoUnavailable(f"This {label} video was not found; check the link.", detail=detail)
    if (status or 0) >= 500 or any(fragment in lower for fragment in _NETWORK):
        return PlatformUnavailable(f"{label} did not answer in time or could not be reached; try again later.",
                                   detail=detail)  # fmt: skip
    for fragments, message in _UNAVAILABLE:
        if any(fragment in lower for fragment in fragments):
            return VideoUnavailable(message.format(label=label), detail=detail)
    return PlatformUnavailable(f"{label} did not give this video's details; try again later.", detail=detail)


def _http_status(exc: BaseException) -> tuple[int | None, dict[str, str]]:
    """The HTTP status (and response headers) behind a yt-dlp failure, if it was one."""
    for link in _chain(exc):
        if isinstance(link, HTTPError):
            return link.status, dict(link.response.headers)
    match = _HTTP_STATUS.search(str(exc))
    return (int(match.group(1)), {}) if match else (None, {})


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what caused it: yt-dlp's ``exc_info`` and ``cause``, and Python's own links."""
    seen: list[BaseException] = []
    pending: list[Any] = [exc]
    while pending and len(seen) < 20:
        link = pending.pop(0)
        if not isinstance(link, BaseException) or any(link is s for s in seen):
            continue
        seen.append(link)
        exc_info = getattr(link, "exc_info", None)
        pending += [exc_info[1] if isinstance(exc_info, tuple) and len(exc_info) > 1 else None,
                    getattr(link, "cause", None), link.__cause__, link.__context__]  # fmt: skip
    return seen


class YtdlpProvider(Provider):
    """A :class:`Provider` built on yt-dlp; subclasses set the class attributes and :meth:`extract_info`.

    ``creator_fields`` names the info fields holding the creator, best first;
    ``separate_soundtrack`` is set where an audio-only format is the post's sound rather
    than the video's own audio (see :func:`pipeline.trends.info.video_from_info`).
    """

    creator_fields: tuple[str, ...] = ("channel", "uploader")
    separate_soundtrack = False

    def extract_info(self, url: str, *, flat: bool) -> dict[str, Any]:
        """yt-dlp's answer for ``url``: the platform module's ``extract_info``."""
        raise NotImplementedError

    def extract(self, url: str, *, flat: bool) -> dict[str, Any]:
        """:meth:`extract_info`, paced, with its failures turned into :class:`PlatformError`."""
        self.pace(self.platform)
        try:
            return self.extract_info(url, flat=flat)
        except yt_dlp.utils.YoutubeDLError as exc:
            guard = next((link for link in _chain(exc) if isinstance(link, IngestError)), None)
            if guard is None:
                raise ytdlp_failure(self.label, exc) from None
            raise self._guard_refusal(guard) from None
        except IngestError as exc:
            raise self._guard_refusal(exc) from None

    def _guard_refusal(self, exc: IngestError) -> PlatformUnavailable:
        return PlatformUnavailable(f"{self.label}'s servers could not be reached safely; try again later.",
                                   detail=exc.message)  # fmt: skip

    def search(self, seed: str, limit: int) -> list[Candidate]:
        raise PlatformUnavailable(
            f"{self.label} cannot be searched from Clipsite (its search is not available to the downloader); "
            f"paste links to {self.label} videos instead."
        )

    def video(self, ref: VideoRef) -> PlatformVideo:
        if ref.platform != self.platform:
            raise ValueError(f"a {ref.platform} video was given to the {self.platform} provider")
        info = self.extract(ref.url, flat=False)
        return video_from_info(ref, info, creator_fields=self.creator_fields,
                               separate_soundtrack=self.separate_soundtrack)  # fmt: skip

    def fetch_captions(self, video: PlatformVideo, until: float | None) -> Transcript | None:
        for track in caption_files.rank_tracks(video.captions, video.language):
            self.pace(self.platform)
            text = fetch_text(track.url, self.config, label=self.label)
            try:
                words = caption_files.parse_captions(text, track.ext) if text else []
            except ValueError:  # a json3 file that is not JSON: try the next track
                words = []
            if words:
                kind = "automatic captions" if track.automatic else "captions"
                return caption_files.caption_transcript(words, language=track.language, until=until,
                                                        duration=video.duration_sec,
                                                        model=f"{self.platform} {kind}")  # fmt: skip
        return None

    def fetch_audio(self, video: PlatformVideo, dest_dir: Path, seconds: float | None) -> Path:
        fmt = video.audio
        if fmt is None:
            raise VideoUnavailable(f"{self.label} offers no sound for this video that can be downloaded.")
        target = Path(dest_dir) / f"{video.platform}-{video.video_id}-audio{media_suffix('audio.' + fmt.ext)}"
        if seconds is None:
            self.pace(self.platform)
            return fetch_whole(fmt, target, self.config, label=self.label)
        return fetch_prefix(fmt, target, self.config, label=self.label,
                            first_bytes=prefix_bytes(fmt.bitrate_kbps, fmt.filesize, video.duration_sec, seconds),
                            enough=lambda path: self._covers(path, seconds),
                            pace=lambda: self.pace(self.platform))  # fmt: skip

    def fetch_preview(self, video: PlatformVideo, dest_dir: Path) -> Path:
        fmt = video.preview
        if fmt is None:
            raise VideoUnavailable(f"{self.label} offers no video file for this post that can be downloaded.")
        self.pace(self.platform)
        target = Path(dest_dir) / f"{video.platform}-{video.video_id}-preview{media_suffix('video.' + fmt.ext)}"
        return fetch_whole(fmt, target, self.config, label=self.label)

    def _covers(self, path: Path, seconds: float) -> bool:
        """Whether the partial file at ``path`` decodes to at least ``seconds`` of sound."""
        try:
            audio: np.ndarray = decode_audio(path, self.config, end=seconds)
        except MediaError:
            return False
        return len(audio) / SAMPLE_RATE >= seconds - COVER_TOLERANCE_SECONDS


def prefix_bytes(bitrate_kbps: float | None, filesize: int | None, duration: float | None, seconds: float) -> int:
    """How many bytes to ask for first to hold ``seconds`` of a file (see :data:`PREFIX_SAFETY`)."""
    rate = bitrate_kbps * 125 if bitrate_kbps else (filesize / duration if filesize and duration else None)
    if rate is None:
        return UNKNOWN_PREFIX_BYTES if filesize is None else min(filesize, UNKNOWN_PREFIX_BYTES)
    wanted = int(rate * (seconds + PREFIX_MARGIN_SECONDS) * PREFIX_SAFETY) + HEADER_BYTES
    return min(wanted, filesize) if filesize else wanted
