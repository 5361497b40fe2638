"""Hard scene cuts: PySceneDetect's ContentDetector on small frames decoded with PyAV.

Times are on the *source timeline*, the one ffmpeg's input ``-ss`` uses: a frame's pts
minus the container's start time. The Hamilton clip shows why this matters: its video
stream starts at pts 0.852 s and its container at 0.008 s, so the cut at pts 1.519 s is
reported at 1.511 s, which is where ``ffmpeg -ss 1.511 -i clip.mp4`` lands. Audio decoded
by :func:`pipeline.audio.decode_audio` uses the same timeline.

Choices, measured on the three reference files (see tests/pipeline/test_scenes.py) with
frames 256 pixels wide:

* Detector. ContentDetector scores (HSV change between frames) are 46.8-72.5 at the six
  true hard cuts, at most 36.1 during the Tears of Steel VFX morph, at most 20.5 on
  non-cut Hamilton frames (dark, low contrast, handheld) and at most 12.0 on the static
  Intel video. A threshold of 40 sits in that gap with room on both sides (the default
  27 only misses the morph because its flash filter merges those frames). The
  AdaptiveDetector found the six cuts but added a false one at the end of the Hamilton
  clip; the HistogramDetector missed Hamilton's first cut (1.51 s) and reported the
  morph as a cut; the HashDetector was right on all three but has no separating margin
  to tune, so ContentDetector it is.
* Decoding. For 30 s of a 1080p H.264 talk on the 2-core dev box (loaded): an ffmpeg
  rawvideo pipe 4.1 s, PyAV 4.7-5.9 s, OpenCV 19 s (its seek decodes from the start).
  PyAV is within noise of the pipe and gives each frame's exact pts, streams frames
  without a 2 GB stdout buffer for a long video, and seeks to ``start`` itself, so it is
  used; like every ffmpeg call here, it opens only a file :func:`pipeline.container.identify`
  admitted, with that demuxer pinned (``format=``) and ``protocol_whitelist=file``.
  Rotation is ignored on purpose: it does not change the difference between frames.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import logging
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.config import PipelineConfig
from pipeline.container import identify
from pipeline.errors import MediaError
from pipeline.types import JsonMixin, ProgressFn, no_progress

# Frames are shrunk to this width before detection: enough detail for ContentDetector's
# colour and edge statistics, and cheap to score (thousands of frames a second).
ANALYSIS_WIDTH = 256
CONTENT_THRESHOLD = 40.0
# Two cuts closer than this are one event (a flash, a glitch); matches clip granularity.
MIN_SCENE_SECONDS = 0.5
# Report progress about this often (in source seconds) so a bar moves without overhead.
_PROGRESS_EVERY_SECONDS = 5.0
# Mean HSV change (0-255 scale, 64x36 thumbnails) between two pictures above which a cut
# may lie between them. Between proxy frames a third of a second apart, measured on the
# corpus: 29-55 across the six real hard cuts, at most 22 on the talking heads and
# close-ups without cuts. Between keyframes, seconds apart, a shot changes more: 48-68
# across the cuts of Tears of Steel and Hamilton, at most 38 within a shot (Hamilton's
# dark handheld shot; the looping talk 29, KatieHill 23, the static Intel shot 16).
CUT_HINT = 25.0
KEYFRAME_CUT_HINT = 43.0

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class SceneCuts(JsonMixin):
    """Hard cuts found in ``[start, end]`` of a video, in seconds on the source timeline.

    ``cuts`` is ascending; each is the time of the first frame of a new shot. ``end`` is
    where analysis stopped (the requested end, or the end of the video if sooner).
    """

    start: float
    end: float
    cuts: list[float] = dataclasses.field(default_factory=list)


def detect_scenes(
    path: Path,
    config: PipelineConfig,
    *,
    start: float = 0.0,
    end: float | None = None,
    progress: ProgressFn = no_progress,
) -> SceneCuts:
    """Find hard cuts in ``path`` between ``start`` and ``end`` seconds (source timeline).

    Only that range is decoded: the demuxer seeks to the keyframe before ``start``.
    A cut exactly at ``start`` cannot be seen (there is no earlier frame to compare), and
    an empty range (``end <= start``) has no cuts. Raises :class:`MediaError` when
    ``start`` is negative or the file has no video stream or cannot be decoded, and
    :class:`~pipeline.errors.UnsupportedMediaError` when it is not self-contained media.
    """
    import av
    from scenedetect import FrameTimecode
    from scenedetect.detectors import ContentDetector

    if start < 0:
        raise MediaError(f"The scene range cannot start before 0 s; got {start:g} s.")
    if end is not None and end <= start:
        return SceneCuts(start=start, end=start)
    path = Path(path).resolve()
    demuxer = identify(path)
    try:
        container = av.open(str(path), format=demuxer, options={"protocol_whitelist": "file"})
    except av.FFmpegError as exc:
        raise _failure("opened", exc) from None
    with container:
        if not container.streams.video:
            raise MediaError("The file has no video stream, so it has no scenes to detect.")
        rate = container.streams.video[0].average_rate or Fraction(30)
        video_end = (container.duration or 0) / 1_000_000
        stop = min(end, video_end or end) if end is not None else video_end
        detector = ContentDetector(threshold=CONTENT_THRESHOLD, min_scene_len=MIN_SCENE_SECONDS)
        times: list[float] = []
        cuts: list[FrameTimecode] = []
        next_report = start
        try:
            for time, image in _small_frames(container, start, end, config.ffmpeg_decode_threads):
                # Frames are numbered in presentation order and mapped back to their
                # real times below, which keeps variable-frame-rate video exact.
                cuts += detector.process_frame(FrameTimecode(len(times), fps=rate), image)
                times.append(time)
                if time >= next_report and stop > start:
                    progress(min(1.0, (time - start) / (stop - start)), "detecting scenes")
                    next_report = time + _PROGRESS_EVERY_SECONDS
        except av.FFmpegError as exc:
            raise _failure("decoded", exc) from None
        if times:
            cuts += detector.post_process(FrameTimecode(len(times) - 1, fps=rate))
    progress(1.0, "scenes detected")
    found = sorted({round(times[cut.frame_num], 3) for cut in cuts if 0 < cut.frame_num < len(times)})
    stop = stop or (times[-1] if times else start)
    return SceneCuts(start=start, end=round(stop, 3), cuts=found)


def may_hold_cut(path: Path, config: PipelineConfig, *, start: float, end: float) -> bool:
    """Whether ``[start, end]`` may hold a hard cut, judged from keyframes alone.

    A hard cut changes the picture from the keyframe before it to the one after it by
    more than :data:`KEYFRAME_CUT_HINT`, unless the shot comes back before the next
    keyframe, or the two shots look alike (then the cut is missed: a clip's edge is not
    moved onto it). False means no cut needs looking for; True (also whenever fewer than
    two keyframes can be compared) means :func:`detect_scenes` should look. Raises like
    :func:`keyframes`.
    """
    pictures = [rgb for _, rgb in keyframes(path, start=start, end=end, width=64, height=36)]
    return len(pictures) < 2 or keyframes_differ(pictures)


def keyframes_differ(pictures: list[np.ndarray]) -> bool:
    """Whether two consecutive keyframes (RGB pictures) differ enough to hide a cut."""
    signatures = [signature(rgb) for rgb in pictures]
    return any(picture_change(a, b) > KEYFRAME_CUT_HINT for a, b in itertools.pairwise(signatures))


def keyframes(path: Path, *, start: float, end: float, width: int, height: int) -> list[tuple[float, np.ndarray]]:
    """``(source time, RGB picture width x height)`` of the keyframes around ``[start, end]``.

    The last keyframe at or before ``start``, those inside and the first after ``end``.
    Only keyframes are decoded, each on its own: a few frames' work, not the range's.
    Raises :class:`MediaError` when the file has no video or cannot be decoded.
    """
    import av

    path = Path(path).resolve()
    try:
        container = av.open(str(path), format=identify(path), options={"protocol_whitelist": "file"})
    except av.FFmpegError as exc:
        raise _failure("opened", exc) from None
    found: list[tuple[float, np.ndarray]] = []
    with container:
        if not container.streams.video:
            raise MediaError("The file has no video stream, so it has no scenes to detect.")
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        origin = (container.start_time or 0) / 1_000_000
        container.seek(int((origin + max(0.0, start)) * 1_000_000))
        try:
            for frame in container.decode(stream):
                if frame.time is None:
                    continue
                picture = frame.reformat(width=width, height=height, format="rgb24").to_ndarray()
                found.append((frame.time - origin, picture))
                if frame.time - origin > end:
                    break
        except av.FFmpegError as exc:
            raise _failure("decoded", exc) from None
    return found


def signature(rgb: np.ndarray) -> np.ndarray:
    """A picture's HSV thumbnail (64x36, float) for :func:`picture_change`."""
    import cv2

    small = rgb if rgb.shape[:2] == (36, 64) else cv2.resize(rgb, (64, 36), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_RGB2HSV).astype(np.float32)


def picture_change(a: np.ndarray, b: np.ndarray) -> float:
    """Mean HSV change between two :func:`signature` s (0-255); above CUT_HINT a cut may lie between."""
    return float(np.abs(b - a).mean())


def _failure(done: str, exc: Exception) -> MediaError:
    # PyAV's message names the file's path: it goes to the log, not to the user.
    logger.warning("scene detection: the video could not be %s: %s", done, exc)
    return MediaError(f"The video could not be {done} for scene detection; the file may be damaged.",
                      detail=str(exc))


def _small_frames(
    container: Any, start: float, end: float | None, threads: int
) -> Iterator[tuple[float, np.ndarray]]:
    """``(source time, BGR image ANALYSIS_WIDTH wide)`` for each frame in ``[start, end)``.

    The demuxer seeks to the keyframe before ``start``; on the way from there only the
    frames later ones refer to are decoded, and they are dropped without being scaled.
    ``threads`` decode (0: as many as help).
    """
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    stream.thread_count = threads
    codec = stream.codec_context
    origin = (container.start_time or 0) / 1_000_000
    if start > 0:
        container.seek(int((origin + start) * 1_000_000))
    for packet in container.demux(stream):
        # The way from the keyframe to ``start`` is seconds of a typical upload's long GOPs,
        # most of the decoding for the short ranges scene checks ask about; a frame there
        # that no other frame refers to is neither shown nor needed. The setting travels
        # with each packet into the decoder's threads, so from ``start`` on all frames are
        # decoded. Measured: 40 one-second ranges of the upload-shaped bench talk (B frames)
        # took 34.3 CPU s instead of 45.3, with the same cuts; no B frames, no change.
        shown = None if packet.pts is None or packet.time_base is None else float(packet.pts * packet.time_base)
        codec.skip_frame = "NONREF" if shown is not None and shown - origin < start else "DEFAULT"
        for frame in codec.decode(packet):
            if frame.time is None or frame.time - origin < start:
                continue
            time = frame.time - origin
            if end is not None and time >= end:
                return
            height = max(2, round(frame.height * ANALYSIS_WIDTH / frame.width / 2) * 2)
            yield time, frame.reformat(width=ANALYSIS_WIDTH, height=height, format="bgr24").to_ndarray()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="video file (or URL when ingest is available)")
    parser.add_argument("--start", type=float, default=0.0, help="detect from this second")
    parser.add_argument("--end", type=float, default=None, help="detect up to this second")


def run_cli(args: argparse.Namespace, config: PipelineConfig, progress: ProgressFn) -> SceneCuts:
    from pipeline.audio import local_source

    with local_source(args.source, config, progress, require_video=True, require_audio=False) as path:
        return detect_scenes(path, config, start=args.start, end=args.end, progress=progress)
