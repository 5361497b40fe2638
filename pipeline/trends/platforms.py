"""The video platforms trends work on: their links, what a video says about itself, providers.

A user gives a link; :func:`parse_video_link` admits only a single video on the
platforms' own hosts (see its docstring for the exact shapes) and turns it into a
:class:`VideoRef` whose ``url`` is canonical, so everything after it (yt-dlp, caches
keyed by platform and video id) sees one spelling per video. A :class:`Provider` does
everything else for one platform: search (where the platform allows it through
yt-dlp), one video's details (:class:`PlatformVideo`), its own captions, and the first
seconds of its audio or a small video file for a storyboard. :func:`get_provider`
gives the provider of a platform; the yt-dlp implementation shared by all three lives
in :mod:`pipeline.trends.extraction`.

Every failure a platform causes is a :class:`PlatformError` with a ``code`` and a
message fit to show to users (never yt-dlp's own output, which goes to ``detail``).

Pacing: platforms block clients that ask too often, so a provider calls its ``pace``
function with the platform's name before every burst of requests (each yt-dlp
extraction, each caption or media request). The default, :class:`Pacer`, keeps
:data:`MIN_INTERVAL` seconds between bursts per platform within this process; the web
application passes a pacer shared between its workers.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pipeline.config import PipelineConfig
from pipeline.errors import PipelineError
from pipeline.trends.discovery import Candidate
from pipeline.types import JsonMixin, Transcript

PLATFORMS = ("youtube", "tiktok", "instagram")
LABELS = {"youtube": "YouTube", "tiktok": "TikTok", "instagram": "Instagram"}
# The platforms whose search works: yt-dlp's TikTok and Instagram lists are broken or need
# an account, so discovery there is refused up front (their single videos still enrich).
SEARCHABLE = ("youtube",)

# Seconds between two request bursts to the same platform from one process.
MIN_INTERVAL = 1.0
# What a refusal without a Retry-After header asks callers to wait, in seconds.
DEFAULT_RETRY_AFTER = 60
MAX_LINK_LENGTH = 2048

PaceFn = Callable[[str], None]


class PlatformError(PipelineError):
    """A platform could not give what was asked; ``message`` says why in plain words."""

    code = "platform_error"


class NotAPlatformLink(PlatformError):
    """The link is not a single video on YouTube, TikTok or Instagram (or names another platform)."""

    code = "url_refused"


class PlatformRefused(PlatformError):
    """The platform refused to answer now (bot check, rate limit); ``retry_after`` is in seconds."""

    code = "platform_refused"

    def __init__(self, message: str, *, retry_after: int = DEFAULT_RETRY_AFTER, detail: str = ""):
        super().__init__(message, detail=detail)
        self.retry_after = retry_after

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Keyword arguments are not pickled by default; a worker process passes this error on.
        return functools.partial(PlatformRefused, retry_after=self.retry_after, detail=self.detail), (self.message,)


class PlatformUnavailable(PlatformError):
    """The platform could not be reached or cannot do this through yt-dlp (e.g. Instagram search)."""

    code = "platform_unavailable"


class VideoUnavailable(PlatformError):
    """The video exists for nobody here: private, removed, login-only, geo-blocked, not found, live."""

    code = "video_unavailable"


@dataclasses.dataclass
class VideoRef(JsonMixin):
    """One video on one platform; ``url`` is :func:`canonical_url` of the two."""

    platform: str
    video_id: str
    url: str


# The hosts each platform serves video pages from; no other host is accepted.
_HOSTS = {
    "youtube.com": "youtube", "www.youtube.com": "youtube", "m.youtube.com": "youtube",
    "music.youtube.com": "youtube", "youtu.be": "youtube",
    "tiktok.com": "tiktok", "www.tiktok.com": "tiktok", "m.tiktok.com": "tiktok",
    "instagram.com": "instagram", "www.instagram.com": "instagram",
}  # fmt: skip
# The syntax of each platform's video ids.
VIDEO_ID_PATTERNS = {
    "youtube": re.compile(r"[A-Za-z0-9_-]{11}"),
    "tiktok": re.compile(r"\d{8,25}"),
    # Shortcodes are 11 characters; private posts append 28 more.
    "instagram": re.compile(r"[A-Za-z0-9_-]{5,64}"),
}
_CANONICAL = {
    "youtube": "https://www.youtube.com/watch?v={}",
    # yt-dlp builds the same address when the creator's handle is unknown; TikTok resolves it.
    "tiktok": "https://www.tiktok.com/@_/video/{}",
    "instagram": "https://www.instagram.com/p/{}/",
}
_TIKTOK_HANDLE = re.compile(r"@[\w.-]{0,64}")
_IP_LIKE = re.compile(r"[\d.]+|0x[\da-f.x]+")


def parse_video_link(url: str) -> VideoRef:
    """The video ``url`` links to, or :class:`NotAPlatformLink` saying what is wrong with it.

    Accepted, over http or https and on these hosts only: YouTube ``youtube.com`` (also
    ``www.``, ``m.``, ``music.``) ``/watch?v=ID``, ``/shorts/ID``, ``/live/ID``,
    ``/embed/ID`` and ``youtu.be/ID``, where ID is 11 characters of ``[A-Za-z0-9_-]``;
    TikTok ``tiktok.com`` (also ``www.``, ``m.``) ``/@user/video/DIGITS``; Instagram
    ``instagram.com`` (also ``www.``) ``/reel/CODE``, ``/reels/CODE``, ``/p/CODE``.
    Refused: other schemes and hosts (look-alikes such as ``youtube.com.evil.net``
    included), a user name, password or port in the link, IP addresses, and pages that
    are not one video (channels, playlists, profiles, searches).
    """
    text = (url or "").strip()
    shown = text if len(text) <= 100 else text[:97] + "..."
    if len(text) > MAX_LINK_LENGTH or any(c.isspace() or ord(c) < 32 for c in text):
        raise NotAPlatformLink(f"The link {shown!r} is not a single web address; paste the video's link alone.")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise NotAPlatformLink(f"The link {shown!r} is not a web link (http or https) to a video.")
    if "@" in parts.netloc:
        raise NotAPlatformLink(f"The link {shown!r} contains a user name or password; paste the plain video link.")
    # After an IPv6 literal's closing bracket, or anywhere in a name, a colon starts a port.
    if ":" in parts.netloc.rsplit("]", 1)[-1]:
        raise NotAPlatformLink(f"The link {shown!r} names a port; paste the plain video link.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise NotAPlatformLink(f"The link {shown!r} has no host name.")
    if _IP_LIKE.fullmatch(host) or ":" in host:
        raise NotAPlatformLink(
            f"The link {shown!r} points to an IP address; only links on youtube.com, youtu.be, tiktok.com "
            "and instagram.com can be analysed."
        )
    platform = _HOSTS.get(host)
    if platform is None:
        raise NotAPlatformLink(
            f"The link {shown!r} is not on YouTube, TikTok or Instagram; only links on youtube.com, youtu.be, "
            "tiktok.com and instagram.com can be analysed (for a short link such as vm.tiktok.com, open it "
            "and copy the full address)."
        )
    video_id = _video_id(platform, host, parts.path, parts.query)
    if video_id is None:
        raise NotAPlatformLink(
            f"The link {shown!r} is a {LABELS[platform]} page that is not a single video (a profile, channel, "
            "playlist or search, for example); link to the video itself."
        )
    if not VIDEO_ID_PATTERNS[platform].fullmatch(video_id):
        raise NotAPlatformLink(f"The link {shown!r} does not contain a valid {LABELS[platform]} video id.")
    return VideoRef(platform, video_id, canonical_url(platform, video_id))


def _video_id(platform: str, host: str, path: str, query: str) -> str | None:
    """The id part of a video page's address, or None when the page is not a video page."""
    segments = [s for s in path.split("/") if s]
    if platform == "youtube":
        if host == "youtu.be":
            return segments[0] if len(segments) == 1 else None
        if segments == ["watch"]:
            values = parse_qs(query).get("v") or []
            return values[0] if len(values) == 1 else ""
        if len(segments) == 2 and segments[0] in ("shorts", "live", "embed"):
            return segments[1]
        return None
    if platform == "tiktok":
        if len(segments) == 3 and _TIKTOK_HANDLE.fullmatch(segments[0]) and segments[1] == "video":
            return segments[2]
        return None
    if len(segments) == 2 and segments[0] in ("reel", "reels", "p"):
        return segments[1]
    return None


def canonical_url(platform: str, video_id: str) -> str:
    """The one address used for a video; :class:`NotAPlatformLink` for an unknown platform or bad id."""
    if platform not in _CANONICAL:
        raise NotAPlatformLink(f"{platform!r} is not a supported platform; use one of {', '.join(PLATFORMS)}.")
    if not VIDEO_ID_PATTERNS[platform].fullmatch(video_id or ""):
        raise NotAPlatformLink(f"{video_id!r} is not a valid {LABELS[platform]} video id.")
    return _CANONICAL[platform].format(video_id)


@dataclasses.dataclass
class CaptionTrack(JsonMixin):
    """One caption file the platform offers: its language code, address and format (``ext``).

    ``automatic`` marks speech recognition by the platform rather than captions the
    creator uploaded.
    """

    language: str
    url: str
    ext: str
    automatic: bool


@dataclasses.dataclass
class HeatPoint(JsonMixin):
    """One span of YouTube's "most replayed" graph: ``value`` in [0, 1] from ``start`` to ``end`` seconds."""

    start: float
    end: float
    value: float


@dataclasses.dataclass
class MediaFormat(JsonMixin):
    """One downloadable file of a video: its address and the headers the platform wants with it.

    ``bitrate_kbps``, ``filesize`` (bytes) and ``height`` (pixels) are None when the
    platform does not say.
    """

    url: str
    ext: str
    headers: dict[str, str]
    bitrate_kbps: float | None = None
    filesize: int | None = None
    height: int | None = None


@dataclasses.dataclass
class PlatformVideo(Candidate):
    """What one video's page says about it: a search result's fields and more.

    ``caption`` is the post's own text (YouTube's description). Counts the platform
    hides are None (``views`` is then 0). ``uploaded_at`` is timezone-aware UTC, None
    when unknown; it serialises as ISO 8601 text. ``audio`` is the smallest file that
    holds the video's sound (audio-only when the platform offers one), ``preview`` the
    lowest-resolution file with video of at least 144 pixels; either is None when the
    platform offers nothing that can be fetched. Being a :class:`Candidate`, it goes
    into the discovery maths as it is.
    """

    caption: str = ""
    language: str = ""
    captions: list[CaptionTrack] = dataclasses.field(default_factory=list)
    heatmap: list[HeatPoint] = dataclasses.field(default_factory=list)
    audio: MediaFormat | None = None
    preview: MediaFormat | None = None


class Pacer:
    """Keeps ``min_interval`` seconds between calls for the same platform; safe across threads.

    A call waits (outside the lock) until its turn: the later of now and the previous
    call's turn plus the interval. Calls for different platforms never wait for each other.
    """

    def __init__(self, min_interval: float = MIN_INTERVAL, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):  # fmt: skip
        self._min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def __call__(self, platform: str) -> None:
        with self._lock:
            now = self._clock()
            turn = max(now, self._next.get(platform, now))
            self._next[platform] = turn + self._min_interval
        if turn > now:
            self._sleep(turn - now)


# Shared by every provider in this process that is not given a pacer of its own.
DEFAULT_PACER = Pacer()


class Provider:
    """Everything Clipsite asks of one platform. One subclass per platform (see :func:`get_provider`).

    ``pace(platform)`` is called before every request burst (see the module docstring);
    without one, the process-wide :data:`DEFAULT_PACER` is used. Methods raise
    :class:`PlatformError` subclasses for what the platform refuses or lacks.
    """

    platform: str = ""

    def __init__(self, config: PipelineConfig, *, pace: PaceFn | None = None):
        self.config = config
        self.pace: PaceFn = pace or DEFAULT_PACER

    @property
    def label(self) -> str:
        return LABELS.get(self.platform, self.platform)

    def search(self, seed: str, limit: int) -> list[Candidate]:
        """Up to ``limit`` videos the platform's search returns for ``seed``, in its order.

        :class:`PlatformUnavailable` when the platform cannot be searched this way.
        """
        raise NotImplementedError

    def video(self, ref: VideoRef) -> PlatformVideo:
        """Everything the video's page says (one full extraction)."""
        raise NotImplementedError

    def fetch_captions(self, video: PlatformVideo, until: float | None) -> Transcript | None:
        """The platform's own captions of ``video`` as a transcript cut at ``until`` seconds
        (None: all), preferring uploaded over automatic captions, then the video's language,
        then English; None when there is no usable track."""
        raise NotImplementedError

    def fetch_audio(self, video: PlatformVideo, dest_dir: Path, seconds: float | None) -> Path:
        """A file in ``dest_dir`` that :func:`pipeline.audio.decode_audio` reads, holding at
        least the first ``seconds`` of the video's sound (None: all of it, within
        ``config.max_download_bytes``). For ``seconds`` only a prefix is downloaded, with
        ranged requests sized from the format's bitrate or size; it grows only while it does
        not decode that far (a file whose index sits at its end needs all of it). Partial
        files are deleted on failure."""
        raise NotImplementedError

    def fetch_preview(self, video: PlatformVideo, dest_dir: Path) -> Path:
        """The ``preview`` file downloaded into ``dest_dir``, within ``config.max_download_bytes``."""
        raise NotImplementedError


def get_provider(platform: str, config: PipelineConfig, *, pace: PaceFn | None = None) -> Provider:
    """The provider for ``platform`` (one of :data:`PLATFORMS`); :class:`NotAPlatformLink` otherwise."""
    # The provider modules build on this one, so they are imported when first needed.
    from pipeline.trends.instagram import InstagramProvider
    from pipeline.trends.tiktok import TikTokProvider
    from pipeline.trends.youtube import YouTubeProvider

    providers: dict[str, type[Provider]] = {
        "youtube": YouTubeProvider, "tiktok": TikTokProvider, "instagram": InstagramProvider,
    }  # fmt: skip
    if platform not in providers:
        raise NotAPlatformLink(f"{platform!r} is not a supported platform; use one of {', '.join(PLATFORMS)}.")
    return providers[platform](config, pace=pace)
