"""Bring a source (local file, direct media link, or video-site page) into a work folder.

:func:`ingest` decides how to fetch ``source``:

* a local path is linked (or copied) into ``workdir``: source kind ``"file"``;
* an http(s) link that one of yt-dlp's site extractors claims is downloaded with
  ``yt_dlp.YoutubeDL``: kind ``"youtube"`` for YouTube, ``"ytdlp"`` for other sites
  (``force_ytdlp`` sends any link there, letting yt-dlp's generic extractor handle it);
* any other http(s) link is downloaded directly by :func:`pipeline.netguard.download`:
  kind ``"url"``.

Safety: every connection made for a direct download or by yt-dlp, including each
redirect hop, goes only to an address the SSRF guard judged (:mod:`pipeline.netguard`,
:mod:`pipeline.ytdlp_guard`). Downloads stop at ``config.max_download_bytes``, and the
partial file is deleted. ffmpeg only ever reads the local copy, and only once
:func:`pipeline.container.identify` has recognised it by its bytes as a self-contained
media file (never a playlist or concat script, whatever its name): :func:`probe` checks
first, for uploads, direct downloads and yt-dlp downloads alike, and yt-dlp's own files
are checked as each download finishes, before yt-dlp's ffmpeg merges them.

Time convention for ``start``/``end``: both are seconds on the ORIGINAL source's
timeline, and so are ``IngestResult.start``, ``end`` and ``duration``. The file at
``IngestResult.path`` holds only that range, so its own time 0 is ``start`` in the
original; :meth:`IngestResult.source_time` maps a time in the processed file (a word,
a clip) back to the original, which is what users see in their player.

How the range is cut was decided by measurement (``python -m bench.ingest_cut``): for a
180 s range of a 480x480 video on 2 shared cores, a stream copy into MP4 took 0.14 s and
a re-encode 46 s (and the re-encode costs quality). The copy is also exact: the MP4 edit
list it writes hides the frames decoded before ``start`` (from the preceding keyframe)
from ffmpeg, PyAV and OpenCV alike, so the first frame they return is the one at
``start``. So the cut is a stream copy whenever the codecs fit in MP4, and an accurate
re-encode otherwise.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import yt_dlp

from pipeline.config import PipelineConfig
from pipeline.container import identify
from pipeline.errors import IngestError, MediaError
from pipeline.ffmpeg import run_ffmpeg
from pipeline.netguard import check_size, download, media_suffix, too_large
from pipeline.probe import clock, probe
from pipeline.trends.info import heatmap
from pipeline.trends.platforms import HeatPoint
from pipeline.types import JsonMixin, MediaInfo, ProgressFn, no_progress, scaled_progress
from pipeline.ytdlp_guard import GuardedYoutubeDL

# Codecs an MP4 can carry as they are, so a range can be cut by stream copy.
MP4_VIDEO_CODECS = frozenset({"h264", "hevc", "av1", "vp9", "mpeg4"})
MP4_AUDIO_CODECS = frozenset({"aac", "mp3", "opus", "alac", "flac", "ac3", "eac3"})

# Share of the ingest progress bar given to fetching; cutting and probing take the rest.
FETCH_SHARE = 0.85


@dataclasses.dataclass
class IngestResult(JsonMixin):
    """A source brought into the work folder and validated.

    ``path`` is the media file to process (inside ``workdir``) and ``media`` describes it;
    when a range was asked for, both cover only that range. ``duration``, ``start`` and
    ``end`` are on the original source's timeline (see the module docstring).
    """

    path: str
    media: MediaInfo
    source: str
    source_kind: str  # "file" | "url" | "youtube" | "ytdlp"
    title: str = ""
    duration: float = 0.0
    uploader: str = ""
    thumbnail_url: str = ""
    webpage_url: str = ""
    start: float | None = None
    end: float | None = None
    heatmap: list[HeatPoint] = dataclasses.field(default_factory=list)

    def source_time(self, seconds: float) -> float:
        """Map a time in the processed file to the same moment in the original source."""
        return seconds + (self.start or 0.0)

    def replay_curve(self) -> list[tuple[float, float, float]]:
        """The source's "most replayed" graph as (start, end, value) on the processed file's timeline."""
        offset = self.start or 0.0
        return [
            (point.start - offset, point.end - offset, point.value)
            for point in self.heatmap
            if point.end > offset and (self.end is None or point.start < self.end)
        ]


@dataclasses.dataclass
class Fetched:
    """What a fetcher hands back: the full local file and what the source said about itself."""

    path: Path
    kind: str
    title: str = ""
    duration: float = 0.0
    uploader: str = ""
    thumbnail_url: str = ""
    webpage_url: str = ""
    heatmap: list[HeatPoint] = dataclasses.field(default_factory=list)


def ingest(
    source: str,
    workdir: Path,
    config: PipelineConfig,
    *,
    start: float | None = None,
    end: float | None = None,
    progress: ProgressFn = no_progress,
    require_video: bool = True,
    require_audio: bool = True,
    force_ytdlp: bool = False,
) -> IngestResult:
    """Fetch ``source`` into ``workdir``, keep only ``[start, end)`` if given, and validate it.

    ``force_ytdlp`` hands an http(s) link to yt-dlp even when no site extractor claims it
    (the API's "import from a video site" endpoint uses it). Raises :class:`IngestError`
    when the source cannot be fetched or the range makes no sense, and
    :class:`MediaError` when the media is unusable (see :func:`pipeline.probe.probe`).
    """
    _check_range(start, end)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    fetch_progress = scaled_progress(progress, 0.0, FETCH_SHARE)
    kind = source_kind(source, force_ytdlp=force_ytdlp)
    if kind == "file":
        fetched = _fetch_file(source, workdir, copy=start is None and end is None)
    elif kind == "url":
        path = download(source, workdir, config, fetch_progress)
        fetched = Fetched(path=path, kind="url", webpage_url=source)
    else:
        fetched = fetch_with_ytdlp(source, workdir, config, kind, fetch_progress, start=start, end=end)
    requirements = {"require_video": require_video, "require_audio": require_audio}
    if start is None and end is None:
        media = probe(fetched.path, config, **requirements)
        path = fetched.path
    else:
        # The limit on length applies to the range that will be processed, not the original.
        unlimited = config.replace(max_duration_seconds=float("inf"))
        original = probe(fetched.path, config=unlimited, **requirements)
        end = _clamp_end(start or 0.0, end, original.duration)
        progress(FETCH_SHARE, "cutting the range")
        path = cut_range(fetched.path, original, workdir, start or 0.0, end, config)
        if fetched.kind != "file":
            fetched.path.unlink()  # the full download is no longer needed; the range is
        media = probe(path, config, **requirements)
        fetched.duration = fetched.duration or original.duration
    progress(1.0, "ready")
    return IngestResult(
        path=str(path),
        media=media,
        source=source,
        source_kind=fetched.kind,
        title=fetched.title or Path(urlsplit(source).path).stem,
        duration=fetched.duration or media.duration,
        uploader=fetched.uploader,
        thumbnail_url=fetched.thumbnail_url,
        webpage_url=fetched.webpage_url,
        start=start,
        end=end,
        heatmap=fetched.heatmap,
    )


def source_kind(source: str, *, force_ytdlp: bool = False) -> str:
    """``"file"``, ``"url"``, ``"youtube"`` or ``"ytdlp"``: how :func:`ingest` fetches ``source``."""
    scheme = urlsplit(source).scheme.lower()
    if scheme in ("http", "https"):
        extractor = _site_extractor(source)
        if extractor is None:
            return "ytdlp" if force_ytdlp else "url"
        return "youtube" if extractor.startswith("Youtube") else "ytdlp"
    # "C:\video.mp4" parses with scheme "c"; a one-letter scheme is a Windows drive.
    if len(scheme) > 1:
        raise IngestError(f"Only local files and http(s) links can be ingested; {source[:80]!r} is neither.")
    if force_ytdlp:
        raise IngestError("Only http(s) links can be imported from a video site.")
    return "file"


def _check_range(start: float | None, end: float | None) -> None:
    for name, value in (("start", start), ("end", end)):
        if value is not None and not math.isfinite(value):
            raise IngestError(f"The {name} time must be a number of seconds; got {value}.")
    if start is not None and start < 0:
        raise IngestError(f"The start time must be 0 or more; got {start:g}.")
    if end is not None and end <= (start or 0.0):
        raise IngestError(f"The end time ({end:g} s) must be after the start time ({start or 0:g} s).")


def _clamp_end(start: float, end: float | None, duration: float) -> float:
    if start >= duration:
        raise IngestError(f"The start time ({start:g} s) is past the end of the video ({duration:.1f} s).")
    return duration if end is None else min(end, duration)


def _fetch_file(source: str, workdir: Path, *, copy: bool) -> Fetched:
    """Bring a local file into ``workdir``; with ``copy=False`` (a range will be cut) leave it in place."""
    original = Path(source).expanduser()
    if not original.is_file():
        raise IngestError("The file to process does not exist; upload it again.")
    original = original.resolve()
    target = workdir.resolve() / ("source" + media_suffix(original.name))
    if not copy or original.parent == workdir.resolve():
        return Fetched(path=original, kind="file")
    target.unlink(missing_ok=True)
    try:
        # A hard link costs no time or disk for a multi-gigabyte upload on the same disk.
        os.link(original, target)
    except OSError:
        shutil.copyfile(original, target)
    return Fetched(path=target, kind="file")


# yt-dlp's format choice: the best video up to 1080p with the best audio, merged; then
# the best single file up to 1080p; then anything at all, so an audio-only page still
# reaches probe(), which gives the precise refusal.
YTDLP_FORMAT = "bv*[height<=?1080]+ba/b[height<=?1080]/bv*+ba/b*"


def _site_extractor(url: str) -> str | None:
    """The key of the first yt-dlp site extractor (not the generic one) that claims ``url``."""
    for extractor in yt_dlp.extractor.gen_extractor_classes():
        if extractor.ie_key() != "Generic" and extractor.suitable(url):
            return extractor.ie_key()
    return None


class _YtdlpLog:
    """Collects yt-dlp's messages instead of printing them, to explain a failed download."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def debug(self, message: str) -> None:
        self.messages.append(message)

    info = warning = error = debug


class _DownloadMeter:
    """A yt-dlp progress hook: reports progress and enforces the size cap across all files.

    It also checks each finished file's container: yt-dlp hands the parts of a
    video-plus-audio download to ffmpeg to merge, by its own guess of their format, so a
    part that is a playlist naming local files must be refused before that.
    """

    def __init__(self, config: PipelineConfig, progress: ProgressFn):
        self._config = config
        self._progress = progress
        self._done: dict[str, int] = {}
        self._totals: dict[str, int] = {}

    def __call__(self, status: dict) -> None:
        if status.get("status") == "finished" and status.get("filename"):
            identify(status["filename"])
        name = str(status.get("tmpfilename") or status.get("filename"))
        self._done[name] = int(status.get("downloaded_bytes") or 0)
        total = status.get("total_bytes") or status.get("total_bytes_estimate")
        if total:
            self._totals[name] = int(total)
        check_size(max(sum(self._done.values()), sum(self._totals.values())), self._config)
        if self._totals:
            self._progress(sum(self._done.values()) / sum(self._totals.values()), "downloading")


def js_runtimes() -> dict[str, dict]:
    """The JavaScript runtimes yt-dlp may use to solve YouTube's player challenges.

    yt-dlp supports node only from version 22, newer than Debian's, so the project
    ships deno as a Python package (``deno``) with yt-dlp's solver scripts
    (``yt-dlp-ejs``); its path is given explicitly because workers do not have the
    virtualenv's ``bin`` on PATH. A newer node, when installed, is the fallback.
    """
    runtimes: dict[str, dict] = {}
    try:
        import deno
    except ImportError:  # pragma: no cover - deno is a pinned requirement
        pass
    else:
        runtimes["deno"] = {"path": deno.find_deno_bin()}
    runtimes["node"] = {}
    return runtimes


def fetch_with_ytdlp(
    url: str,
    workdir: Path,
    config: PipelineConfig,
    kind: str,
    progress: ProgressFn = no_progress,
    *,
    start: float | None = None,
    end: float | None = None,
) -> Fetched:
    """Download ``url`` with yt-dlp into ``workdir`` and keep the page's metadata.

    Playlists, live streams and videos whose (range) length is over the limit are
    refused before anything is downloaded. Raises :class:`IngestError`.
    """
    folder = workdir / "download"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    log = _YtdlpLog()
    options = {
        "format": YTDLP_FORMAT,
        "merge_output_format": "mp4/mkv",
        "outtmpl": {"default": str(folder / "source.%(ext)s")},
        "noplaylist": True,
        "playlist_items": "1",
        # The Python API never reads yt-dlp's config files; the option states the intent.
        "ignoreconfig": True,
        "max_filesize": config.max_download_bytes,
        "socket_timeout": config.socket_timeout_seconds,
        "ffmpeg_location": shutil.which(config.ffmpeg) or config.ffmpeg,
        "js_runtimes": js_runtimes(),
        "progress_hooks": [_DownloadMeter(config, progress)],
        "logger": log,
        "quiet": True,
        "noprogress": True,
        "cachedir": False,
        "overwrites": True,
    }
    try:
        with GuardedYoutubeDL(options, config) as ydl:
            info = ydl.extract_info(url, download=False, process=False) or {}
            _check_listing(info, config, start, end)
            info = ydl.process_ie_result(info, download=True) or {}
        files = [Path(d["filepath"]) for d in info.get("requested_downloads") or [] if d.get("filepath")]
        files = [f for f in files if f.is_file()]
        if not files:
            # yt-dlp skips, rather than fails, a file whose declared size is over max_filesize.
            if any("max-filesize" in m for m in log.messages):
                raise too_large(config)
            raise IngestError(f"The video could not be downloaded: {_ytdlp_reason(None, log)}")
        target = workdir / ("source" + media_suffix(files[0].name))
        files[0].replace(target)
    except yt_dlp.utils.YoutubeDLError as exc:
        raise IngestError(f"The video could not be downloaded: {_ytdlp_reason(exc, log)}") from None
    finally:
        # Partial files, fragments and unmerged parts all live in this folder.
        shutil.rmtree(folder, ignore_errors=True)
    page = str(info.get("webpage_url") or url)
    return Fetched(
        path=target,
        kind=kind,
        title=str(info.get("title") or ""),
        duration=float(info.get("duration") or 0.0),
        uploader=str(info.get("uploader") or info.get("channel") or ""),
        # Generic pages may give the thumbnail relative to the page.
        thumbnail_url=urljoin(page, str(info["thumbnail"])) if info.get("thumbnail") else "",
        webpage_url=page,
        heatmap=heatmap(info),
    )


def _check_listing(info: dict, config: PipelineConfig, start: float | None, end: float | None) -> None:
    """Refuse what the page says before downloading: a playlist, a live stream, an over-long video."""
    if info.get("_type") in ("playlist", "multi_video"):
        raise IngestError("The link is a playlist or channel; link to a single video instead.")
    if info.get("is_live"):
        raise IngestError("The link is a live stream; import it after the broadcast has ended.")
    duration = float(info.get("duration") or 0.0)
    length = (min(end, duration) if end is not None else duration) - (start or 0.0)
    if duration and length > config.max_duration_seconds:
        raise MediaError(
            f"The video is {clock(length)} long, over the limit of {clock(config.max_duration_seconds)}; "
            "choose a start and end time."
        )


def _ytdlp_reason(exc: Exception | None, log: _YtdlpLog) -> str:
    """yt-dlp's own explanation, without its "ERROR:" prefix and colour codes."""
    errors = [m for m in log.messages if m.startswith("ERROR")] or ([str(exc)] if exc else log.messages[-1:])
    text = re.sub(r"\x1b\[[0-9;]*m", "", errors[-1] if errors else "no file was produced")
    return re.sub(r"^ERROR:\s*", "", text).strip()[:300]


def cut_range(
    source: Path,
    info: MediaInfo,
    workdir: Path,
    start: float,
    end: float,
    config: PipelineConfig,
    *,
    force_encode: bool = False,
) -> Path:
    """Write ``[start, end)`` of ``source`` to ``workdir`` and return the new file.

    Stream copy into MP4 when the codecs allow it (the edit list makes it frame-accurate
    for every libav-based reader); otherwise, or with ``force_encode`` (the benchmark
    compares both), re-encode, which is accurate by decoding.
    """
    copyable = not force_encode and (not info.has_video or info.video_codec in MP4_VIDEO_CODECS) and (
        not info.has_audio or info.audio_codec in MP4_AUDIO_CODECS
    )
    target = workdir / f"source-{_stamp(start)}-{_stamp(end)}.mp4"
    seek = ["-ss", f"{start:.3f}", "-to", f"{end:.3f}", "-i", source]
    if copyable:
        codecs = ["-c", "copy"]
    else:
        codecs = ["-c:v", "libx264", "-preset", config.render_preset, "-crf", "18", "-pix_fmt", "yuv420p",
                  "-c:a", "aac", "-b:a", "192k"]
    maps = ["-map", "0:v:0?", "-map", "0:a:0?", "-dn", "-sn", "-map_metadata", "0"]
    try:
        run_ffmpeg([*seek, *maps, *codecs, "-movflags", "+faststart", target], config,
                   what=f"cut {start:g}-{end:g} s out of the video")
    except MediaError:
        target.unlink(missing_ok=True)
        raise
    return target


def _stamp(seconds: float) -> str:
    return f"{seconds:.3f}".rstrip("0").rstrip(".").replace(".", "_")


