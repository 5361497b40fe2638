"""Validate a media file with ffprobe and describe it as :class:`MediaInfo`.

:func:`probe` refuses, with a message naming the problem, every file the later steps
cannot use: a missing or empty file, something that is not self-contained media (a text
file renamed ``.mp4``, a playlist or concat script under any name: see
:mod:`pipeline.container`), a truncated file, a file without the video or audio stream
the caller requires, or one longer than ``config.max_duration_seconds``. Messages say
"the file" or "the video", never the file's name or path (users did not name it
``source.mp4``), and keep ffprobe's own words out (they are in the error's ``detail``).

Rotation. Phones store portrait video as landscape frames plus a display matrix (or,
in older files, a ``rotate`` tag). ``MediaInfo.width``/``height`` are the *displayed*
size, already swapped for a quarter turn, and ``MediaInfo.rotation`` records the turn
(counter-clockwise degrees, 0/90/180/270, as ffprobe's display matrix reports it).
Later steps get upright frames without doing anything: the ffmpeg command line
autorotates while decoding (unless given ``-noautorotate``), and OpenCV's FFmpeg backend
does too (``CAP_PROP_ORIENTATION_AUTO``, on by default). Anything decoding frames by
other means must apply ``rotation`` itself.

Sample aspect ratio is not applied: width and height are in pixels as decoded, which is
what frame-based steps (face tracking, cropping) see.

Also the ``probe`` command of ``python -m pipeline``: a SOURCE that is not a local file
is ingested (downloaded) into a temporary folder first.
"""

from __future__ import annotations

import argparse
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.config import PipelineConfig
from pipeline.container import identify
from pipeline.errors import MediaError, UnreadableMediaError, UnsupportedMediaError
from pipeline.ffmpeg import run_ffprobe
from pipeline.types import MediaInfo, ProgressFn

# What a file the media reader cannot open at all is, in the user's words (ffprobe's, such as
# "moov atom not found", name the server's path and go to the error's detail).
UNREADABLE = "The file is not a readable video or audio file: it is damaged, incomplete or not a video at all."
# A file counts as truncated when ffprobe can read no packet at all in this many final
# seconds: its header promises a duration that its data no longer covers.
TAIL_CHECK_SECONDS = 3.0


def probe(
    path: Path, config: PipelineConfig, *, require_video: bool = True, require_audio: bool = True
) -> MediaInfo:
    """Validate the local media file ``path`` and return what ffprobe says about it.

    Raises :class:`~pipeline.errors.UnsupportedMediaError` when the file is not an
    admitted self-contained format, :class:`~pipeline.errors.UnreadableMediaError` when
    ffprobe cannot read it, and :class:`MediaError` when it is missing, empty or truncated,
    has no video stream (with ``require_video``) or no audio stream (with
    ``require_audio``), has no stream at all, or is longer than ``config.max_duration_seconds``.
    """
    path = Path(path)
    identify(path)  # before ffprobe sees a byte, and with the clearest refusal
    size = path.stat().st_size
    try:
        data = run_ffprobe(path, config, what="read the file")
    except UnsupportedMediaError:
        raise
    except MediaError as exc:
        raise UnreadableMediaError(UNREADABLE, detail=exc.detail) from None
    info = _media_info(path, size, data)
    _check(info, config, require_video=require_video, require_audio=require_audio)
    _check_not_truncated(path, info, config)
    return info


def _media_info(path: Path, size: int, data: dict[str, Any]) -> MediaInfo:
    fmt = data.get("format") or {}
    streams = data.get("streams") or []
    # Cover art in an MP3 or M4A is a one-frame "video" stream; it is not video to clip.
    pictures = [s for s in streams if s.get("codec_type") == "video"]
    video = next((s for s in pictures if not (s.get("disposition") or {}).get("attached_pic")), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    info = MediaInfo(
        path=str(path),
        duration=_duration(fmt, streams),
        size_bytes=size,
        format_name=str(fmt.get("format_name", "")),
        has_video=video is not None,
        has_audio=audio is not None,
        start_time=_number(fmt.get("start_time")),
    )
    if video is not None:
        rotation = _rotation(video)
        width, height = int(video.get("width") or 0), int(video.get("height") or 0)
        if rotation in (90, 270):
            width, height = height, width
        info.width, info.height, info.rotation = width, height, rotation
        info.fps = _fps(video)
        info.video_codec = str(video.get("codec_name", ""))
    if audio is not None:
        info.audio_codec = str(audio.get("codec_name", ""))
        info.audio_sample_rate = int(_number(audio.get("sample_rate")))
        info.audio_channels = int(audio.get("channels") or 0)
    return info


def _check(info: MediaInfo, config: PipelineConfig, *, require_video: bool, require_audio: bool) -> None:
    if not info.has_video and not info.has_audio:
        raise MediaError("The file contains neither video nor audio; upload a video file.")
    if require_video and not info.has_video:
        raise MediaError("The file has no video stream (it is audio only); upload a video file.")
    if require_video and (info.width <= 0 or info.height <= 0):
        raise MediaError("The video stream has no picture size; the file may be damaged.")
    if require_audio and not info.has_audio:
        raise MediaError("The video has no audio stream, so there is no speech to find clips in; "
                         "upload a video with sound.")
    if info.duration <= 0:
        raise MediaError("The length of the file cannot be determined; it may be damaged or incomplete.")
    if info.duration > config.max_duration_seconds:
        raise MediaError(
            f"The video is {clock(info.duration)} long, over the limit of "
            f"{clock(config.max_duration_seconds)}; trim it or choose a start and end time."
        )


def _check_not_truncated(path: Path, info: MediaInfo, config: PipelineConfig) -> None:
    # A file cut short keeps its header (an MP4 with the index first, an MKV), so ffprobe
    # reports the full duration; reading packets near the end is what exposes it.
    tail_start = max(0.0, info.start_time + info.duration - TAIL_CHECK_SECONDS)
    data = run_ffprobe(
        path,
        config,
        ["-read_intervals", f"{tail_start:.3f}%", "-show_entries", "packet=pts_time"],
        what="read the end of the file",
    )
    if not data.get("packets"):
        raise MediaError(
            "The file is incomplete: its last seconds are missing (the upload or download was "
            "probably cut short); upload or download it again."
        )


def _duration(fmt: dict[str, Any], streams: list[dict[str, Any]]) -> float:
    duration = _number(fmt.get("duration"))
    if duration > 0:
        return duration
    return max((_number(s.get("duration")) for s in streams), default=0.0)


def _rotation(video: dict[str, Any]) -> int:
    """Counter-clockwise quarter turns applied for display, normalised to 0, 90, 180 or 270."""
    for side in video.get("side_data_list") or []:
        if "rotation" in side:
            return round(_number(side["rotation"]) / 90) * 90 % 360
    tag = (video.get("tags") or {}).get("rotate")
    # The legacy tag counts clockwise, the display matrix counter-clockwise.
    return -round(_number(tag) / 90) * 90 % 360 if tag else 0


def _fps(video: dict[str, Any]) -> float:
    for key in ("avg_frame_rate", "r_frame_rate"):
        try:
            rate = Fraction(str(video.get(key) or "0/1"))
        except (ValueError, ZeroDivisionError):
            continue
        if rate > 0:
            return round(float(rate), 3)
    return 0.0


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def clock(seconds: float) -> str:
    """``seconds`` as a player shows it: ``m:ss``, or ``h:mm:ss`` from an hour on."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="SOURCE", help="a local media file or an http(s)/YouTube link")
    parser.add_argument("--start", type=float, help="only keep the source from this second on")
    parser.add_argument("--end", type=float, help="only keep the source up to this second")
    parser.add_argument("--workdir", type=Path, help="download into this folder and keep the file "
                        "(default: a temporary folder, removed afterwards)")
    parser.add_argument("--allow-no-video", action="store_true", help="accept audio-only media")
    parser.add_argument("--allow-no-audio", action="store_true", help="accept video without sound")


def run_cli(args: argparse.Namespace, config: PipelineConfig, progress: ProgressFn) -> MediaInfo:
    """Probe a local file directly; ingest anything else (or a start/end range) first."""
    require = {"require_video": not args.allow_no_video, "require_audio": not args.allow_no_audio}
    local = Path(args.source).expanduser()
    if args.start is None and args.end is None and args.workdir is None and local.is_file():
        return probe(local, config, **require)

    # Imported here because ingest imports this module, and so that probing a local file
    # never pays for importing yt-dlp.
    from pipeline.ingest import ingest

    def fetch(workdir: Path) -> MediaInfo:
        return ingest(args.source, workdir, config, start=args.start, end=args.end, progress=progress,
                      **require).media

    if args.workdir is not None:
        return fetch(args.workdir)
    with tempfile.TemporaryDirectory(prefix="clipsite-probe-") as workdir:
        return fetch(Path(workdir))
