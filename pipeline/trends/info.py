"""Read yt-dlp's answers (processed info dicts) into :class:`PlatformVideo` and :class:`Candidate`.

Only what yt-dlp documents is read: ``id``, ``title``, ``description``, the creator
fields, ``view_count`` / ``like_count`` / ``comment_count``, ``timestamp`` /
``release_timestamp`` / ``upload_date``, ``duration``, ``thumbnail(s)``, ``language``,
``subtitles`` / ``automatic_captions``, ``heatmap`` and ``formats`` (``url``,
``protocol``, ``ext``, ``acodec`` / ``vcodec``, ``tbr`` / ``abr``, ``filesize``,
``height``, ``http_headers``, ``cookies``). yt-dlp writes "none" for a codec a format
does not carry and leaves it out (None) when it does not know.

Only formats served as one file over http(s) are offered for download: manifests
(HLS, DASH fragments), storyboards and DRM-protected files cannot be fetched by
a ranged request, which is how the hook's first seconds are taken.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pipeline.trends.captions import CAPTION_EXTS, base_language
from pipeline.trends.discovery import Candidate
from pipeline.trends.platforms import (
    LABELS,
    CaptionTrack,
    HeatPoint,
    MediaFormat,
    PlatformVideo,
    VideoRef,
    VideoUnavailable,
    canonical_url,
)

MIN_PREVIEW_HEIGHT = 144
# Video codecs by how cheaply ffmpeg seeks and decodes them for a storyboard.
_CODEC_RANK = (("avc", "h264"), ("vp9", "vp09"))
# The post's text is shown and stored; a description longer than this is cut.
MAX_CAPTION_CHARS = 5000
# yt-dlp's cookie string for a format mixes name=value pairs with these attributes.
_COOKIE_ATTRIBUTES = frozenset({"domain", "path", "secure", "expires", "max-age", "version", "httponly", "samesite"})


def video_from_info(ref: VideoRef, info: dict[str, Any], *, creator_fields: tuple[str, ...],
                    separate_soundtrack: bool = False) -> PlatformVideo:  # fmt: skip
    """The :class:`PlatformVideo` yt-dlp's ``info`` describes for ``ref``.

    A post holding several media (an Instagram carousel) is read from its first entry
    with formats, with the post's own text and counts. ``creator_fields`` lists the info
    fields naming the creator, best first. With ``separate_soundtrack`` (TikTok), an
    audio-only format is the post's sound, which may be a song rather than what the video
    says, so the audio is taken from a format with video. Raises :class:`VideoUnavailable`
    for a live or scheduled stream and a post without video.
    """
    label = LABELS[ref.platform]
    media = _media_entry(info)
    if media is None:
        raise VideoUnavailable(f"This {label} post has no video to analyse.")
    if (media.get("live_status") or info.get("live_status")) in ("is_live", "is_upcoming") or media.get("is_live"):
        raise VideoUnavailable(f"This {label} video is a live or scheduled stream; analyse it once the broadcast "
                               "has ended.")  # fmt: skip
    formats = [f for f in media.get("formats") or [] if _fetchable(f)]
    duration = _number(media.get("duration") or info.get("duration"))
    language = str(info.get("language") or media.get("language") or "")
    return PlatformVideo(
        platform=ref.platform,
        video_id=ref.video_id,
        url=ref.url,
        title=_text(info.get("title") or media.get("title")),
        creator=_creator(info, creator_fields),
        caption=_text(info.get("description") or media.get("description"))[:MAX_CAPTION_CHARS],
        views=_count(info.get("view_count")) or 0,
        likes=_count(info.get("like_count")),
        comments=_count(info.get("comment_count")),
        uploaded_at=uploaded_at(info),
        duration_sec=duration,
        thumbnail=_thumbnail(info) or _thumbnail(media),
        language=language,
        captions=caption_tracks(media, language),
        heatmap=heatmap(info),
        audio=pick_audio(formats, duration, allow_audio_only=not separate_soundtrack),
        preview=pick_preview(formats, duration),
    )


def candidates_from_search(platform: str, info: dict[str, Any], *, creator_fields: tuple[str, ...],
                           valid_id: Any) -> list[Candidate]:  # fmt: skip
    """The videos of a flat search answer, in the platform's order.

    Entries whose id ``valid_id`` (a compiled pattern) does not match, which are not
    videos (channels and playlists have ids of another shape), and live or scheduled
    streams are left out.
    """
    candidates = []
    for entry in info.get("entries") or []:
        video_id = str(entry.get("id") or "")
        if not valid_id.fullmatch(video_id) or entry.get("live_status") in ("is_live", "is_upcoming"):
            continue
        candidates.append(Candidate(
            platform=platform, video_id=video_id, url=canonical_url(platform, video_id),
            title=_text(entry.get("title")), creator=_creator(entry, creator_fields),
            views=_count(entry.get("view_count")) or 0, likes=_count(entry.get("like_count")),
            comments=_count(entry.get("comment_count")), uploaded_at=uploaded_at(entry),
            duration_sec=_number(entry.get("duration")), thumbnail=_thumbnail(entry),
        ))  # fmt: skip
    return candidates


def uploaded_at(info: dict[str, Any]) -> datetime | None:
    """When the video was published, in UTC: its timestamp, else the release timestamp,
    else midnight of its upload date; None when yt-dlp gives none of them."""
    for key in ("timestamp", "release_timestamp"):
        value = _number(info.get(key))
        if value is not None:
            return datetime.fromtimestamp(value, UTC)
    date = str(info.get("upload_date") or "")
    try:
        return datetime.strptime(date, "%Y%m%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def caption_tracks(info: dict[str, Any], language: str) -> list[CaptionTrack]:
    """The caption tracks that could serve as a transcript, in formats this package reads.

    Every uploaded track is kept. Of automatic tracks (YouTube machine-translates its
    speech recognition into every language) only the video's language, English and the
    original recognition (``-orig``) are kept.
    """
    wanted = {base_language(language), "en"} if language else {"en"}
    tracks = []
    for key, automatic in (("subtitles", False), ("automatic_captions", True)):
        for code, entries in (info.get(key) or {}).items():
            if code == "live_chat" or (automatic and base_language(code) not in wanted and not code.endswith("-orig")):
                continue
            for entry in entries or []:
                url, ext = str(entry.get("url") or ""), str(entry.get("ext") or "")
                if ext in CAPTION_EXTS and url.startswith(("https://", "http://")) and _single_file(entry):
                    tracks.append(CaptionTrack(language=code, url=url, ext=ext, automatic=automatic))
    return tracks


def pick_audio(formats: list[dict[str, Any]], duration: float | None, *, allow_audio_only: bool) -> MediaFormat | None:
    """The smallest audio-only format (when allowed), else the smallest format with sound."""
    audio_only = [f for f in formats if f.get("vcodec") == "none" and f.get("acodec") not in (None, "none")]
    with_sound = [f for f in formats if f.get("acodec") != "none" and f.get("vcodec") != "none"]
    choices = (audio_only if allow_audio_only else []) or with_sound
    if not choices:
        return None

    def smallest(fmt: dict[str, Any]) -> tuple:
        size = _size(fmt, duration)
        return size is None, size or 0, fmt.get("height") or 0

    return _media_format(min(choices, key=smallest))


def pick_preview(formats: list[dict[str, Any]], duration: float | None) -> MediaFormat | None:
    """The lowest-resolution format with video of at least :data:`MIN_PREVIEW_HEIGHT` pixels,
    preferring codecs that decode cheaply, then the smallest; a format of unknown height last."""
    choices = [f for f in formats
               if f.get("vcodec") != "none" and (f.get("height") or MIN_PREVIEW_HEIGHT) >= MIN_PREVIEW_HEIGHT]
    if not choices:
        return None

    def lowest(fmt: dict[str, Any]) -> tuple:
        size = _size(fmt, duration)
        return fmt.get("height") is None, fmt.get("height") or 0, _codec_rank(fmt), size is None, size or 0

    return _media_format(min(choices, key=lowest))


def _media_entry(info: dict[str, Any]) -> dict[str, Any] | None:
    if info.get("_type") not in ("playlist", "multi_video"):
        return info if info.get("formats") else None
    return next((entry for entry in info.get("entries") or [] if entry and entry.get("formats")), None)


def _fetchable(fmt: dict[str, Any]) -> bool:
    return (str(fmt.get("url") or "").startswith(("https://", "http://")) and _single_file(fmt)
            and fmt.get("ext") != "mhtml" and not fmt.get("has_drm"))  # fmt: skip


def _single_file(entry: dict[str, Any]) -> bool:
    return entry.get("protocol") in (None, "http", "https") and not entry.get("fragments")


def _media_format(fmt: dict[str, Any]) -> MediaFormat:
    headers = {str(k): str(v) for k, v in (fmt.get("http_headers") or {}).items()}
    cookie = _cookie_header(str(fmt.get("cookies") or ""))
    if cookie:
        headers["Cookie"] = cookie
    bitrate = _number(fmt.get("tbr")) or _number(fmt.get("abr"))
    size = _count(fmt.get("filesize")) or _count(fmt.get("filesize_approx"))
    return MediaFormat(url=str(fmt["url"]), ext=str(fmt.get("ext") or ""), headers=headers, bitrate_kbps=bitrate,
                       filesize=size, height=_count(fmt.get("height")))  # fmt: skip


def _cookie_header(cookies: str) -> str:
    """The ``Cookie`` header for yt-dlp's per-format cookie string (its attributes dropped)."""
    pairs = []
    for part in cookies.split(";"):
        name, _, value = part.strip().partition("=")
        if name and value and name.lower() not in _COOKIE_ATTRIBUTES:
            pairs.append(f"{name}={value}")
    return "; ".join(pairs)


def _size(fmt: dict[str, Any], duration: float | None) -> float | None:
    """The format's size in bytes: stated, or its bitrate times the duration; None when unknown."""
    size = _count(fmt.get("filesize")) or _count(fmt.get("filesize_approx"))
    if size:
        return float(size)
    bitrate = _number(fmt.get("tbr")) or _number(fmt.get("abr"))
    return bitrate * 125 * duration if bitrate and duration else None


def _codec_rank(fmt: dict[str, Any]) -> int:
    codec = str(fmt.get("vcodec") or "").lower()
    return next((rank for rank, names in enumerate(_CODEC_RANK) if codec.startswith(names)), len(_CODEC_RANK))


def _creator(info: dict[str, Any], fields: tuple[str, ...]) -> str:
    return next((_text(info[f]) for f in fields if info.get(f)), "")


def _thumbnail(info: dict[str, Any]) -> str:
    if info.get("thumbnail"):
        return str(info["thumbnail"])
    # yt-dlp lists thumbnails worst first.
    urls = [str(t["url"]) for t in info.get("thumbnails") or [] if t.get("url")]
    return urls[-1] if urls else ""


def heatmap(info: dict[str, Any]) -> list[HeatPoint]:
    """The page's "most replayed" graph (YouTube's ``heatmap``), [] when it has none."""
    points = []
    for row in info.get("heatmap") or []:
        start, end, value = (_number(row.get(key)) for key in ("start_time", "end_time", "value"))
        if start is not None and end is not None and value is not None:
            points.append(HeatPoint(start, end, value))
    return points


def _text(value: Any) -> str:
    return str(value).strip() if value else ""


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _count(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number >= 0 else None
