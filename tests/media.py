"""Where the shared media corpus lives, and builders for longer inputs made from it.

The corpus sits beside the checkout (``../shared/media``); ``CLIPSITE_SHARED_MEDIA``
overrides that for unusual layouts. Builders write into a cache folder under the
system temp dir keyed by their arguments, so a session builds each input once.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_MEDIA = Path(os.environ.get("CLIPSITE_SHARED_MEDIA", REPO_ROOT.parent / "shared" / "media"))

# Bump when a builder's recipe changes so stale cache entries are never reused.
_RECIPE_VERSION = "1"
CACHE_DIR = Path(tempfile.gettempdir()) / "clipsite-media-cache"

# Dense, clean English read/meeting speech, in the order it is looped. The Apollo file is
# left out on purpose: its long silences would let the VAD skip a large share of a
# benchmark input and flatter transcription speed figures.
SPEECH_FILES = (
    "en_ljspeech_linda_johnson_02.mp3",
    "en_jfk_inaugural_1961.flac",
    "en_librivox_shakespeare_sonnet1.mp3",
    "en_ami_meeting_tst00.wav",
)
TALK_FACE_VIDEO = "vid_face_landscape_liveportrait_s18.mp4"
# x264 settings of the talk's loop. "fixture" builds fastest: Constrained Baseline, every
# frame a P frame that later ones refer to. "upload" is shaped like the H.264 files users
# bring (an editor's or a phone's export, and six of the eight videos of the shared
# corpus): High profile with B frames, most of which no other frame refers to. The two
# cost different amounts to decode, and a decoder may skip only the second's B frames.
TALK_ENCODINGS = {
    "fixture": ("-preset", "ultrafast", "-crf", "23"),
    "upload": ("-preset", "medium", "-profile:v", "high", "-crf", "23"),
}
_FFMPEG = ("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y")
_INPUT_FLAGS = ("-protocol_whitelist", "file")


def build_speech_audio(seconds: float) -> Path:
    """Return a 16 kHz mono 16-bit WAV of English speech lasting exactly ``seconds``.

    The shared English speech files (:data:`SPEECH_FILES`: LJ Speech, JFK, the LibriVox
    sonnet and the AMI meeting excerpt) are joined into one cycle of about 166 s, which
    is looped and cut to length, so any duration is all real speech. The file is built
    once per cache (see :func:`cached`) and must be treated as read-only.
    """
    if seconds <= 0:
        raise ValueError(f"seconds must be positive; got {seconds}")
    return cached(f"speech-{seconds:g}s", ".wav", lambda out: _loop_to_length(_speech_cycle(), seconds, out))


def build_talk_video(
    seconds: float, width: int = 1280, height: int = 720, fps: int = 30, encoding: str = "fixture"
) -> Path:
    """Return an H.264/AAC MP4 "talk" of exactly ``seconds``: a real face over real speech.

    The video is :data:`TALK_FACE_VIDEO` (a woman seated facing the camera, one face, no
    cuts), scaled to fit ``width`` x ``height`` with black padding, at ``fps`` frames per
    second, looped; the audio is :func:`build_speech_audio` of the same length, AAC 48 kHz
    mono. Only one loop of the face clip is encoded (libx264 with the ``encoding``'s
    settings from :data:`TALK_ENCODINGS`; every loop starts on a keyframe); the loop is
    then stream-copied to length, so a 10-minute 1080p talk takes seconds, not minutes,
    to build (the "upload" video may end a few frames late: a stream copy cannot cut
    between a B frame and the later frame it refers to). Cached like :func:`build_speech_audio`.
    """
    if seconds <= 0 or width <= 0 or height <= 0 or fps <= 0:
        raise ValueError("seconds, width, height and fps must be positive")
    if encoding not in TALK_ENCODINGS:
        raise ValueError(f"encoding must be one of {sorted(TALK_ENCODINGS)}; got {encoding!r}")
    speech = build_speech_audio(seconds)
    # The default keeps its old cache names, so existing caches stay valid.
    suffix = "" if encoding == "fixture" else f"-{encoding}"

    def build(out: Path) -> None:
        cycle = cached(
            f"talk-cycle-{width}x{height}-{fps}{suffix}",
            ".mp4",
            lambda o: _encode_face_cycle(width, height, fps, TALK_ENCODINGS[encoding], o),
        )
        loop_video = ["-stream_loop", "-1", *_INPUT_FLAGS, "-i", str(cycle)]
        audio = [*_INPUT_FLAGS, "-i", str(speech)]
        encode = ["-c:v", "copy", "-c:a", "aac", "-b:a", "96k", "-ar", "48000", "-movflags", "+faststart"]
        _ffmpeg(
            *loop_video, *audio, "-map", "0:v:0", "-map", "1:a:0", "-t", f"{seconds:.6f}",
            *encode, "-f", "mp4", str(out),
        )  # fmt: skip

    return cached(f"talk-{seconds:g}s-{width}x{height}-{fps}{suffix}", ".mp4", build)


def cached(key: str, suffix: str, build: Callable[[Path], None]) -> Path:
    """Return ``CACHE_DIR/<key>-<hash><suffix>``, calling ``build(temp_path)`` first if absent.

    ``build`` writes into a uniquely named temporary file that is renamed into place only
    once complete, so concurrent test sessions never see (or reuse) a half-written file.
    """
    digest = hashlib.sha256(f"{_RECIPE_VERSION}:{key}:{SHARED_MEDIA}".encode()).hexdigest()[:10]
    target = CACHE_DIR / f"{key}-{digest}{suffix}"
    if target.exists():
        return target
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.stem}.{uuid.uuid4().hex}{suffix}")
    try:
        build(temp)
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)
    return target


def _speech_cycle() -> Path:
    def build(out: Path) -> None:
        inputs: list[str] = []
        for name in SPEECH_FILES:
            inputs += [*_INPUT_FLAGS, "-i", str(SHARED_MEDIA / name)]
        # Every input is brought to the same rate and layout before the concat filter,
        # which requires identical formats on all its inputs.
        chains = "".join(
            f"[{i}:a]aresample=16000,aformat=sample_fmts=s16:channel_layouts=mono[a{i}];"
            for i in range(len(SPEECH_FILES))
        )
        joined = "".join(f"[a{i}]" for i in range(len(SPEECH_FILES)))
        graph = f"{chains}{joined}concat=n={len(SPEECH_FILES)}:v=0:a=1[out]"
        _ffmpeg(
            *inputs, "-filter_complex", graph, "-map", "[out]", "-c:a", "pcm_s16le", "-f", "wav", str(out)
        )

    return cached("speech-cycle", ".wav", build)


def _loop_to_length(source: Path, seconds: float, out: Path) -> None:
    _ffmpeg(
        "-stream_loop",
        "-1",
        *_INPUT_FLAGS,
        "-i",
        str(source),
        "-t",
        f"{seconds:.6f}",
        "-c:a",
        "pcm_s16le",
        "-f",
        "wav",
        str(out),
    )


def _encode_face_cycle(width: int, height: int, fps: int, x264: tuple[str, ...], out: Path) -> None:
    fit = (
        f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={fps},format=yuv420p"
    )
    _ffmpeg(
        *_INPUT_FLAGS,
        "-i",
        str(SHARED_MEDIA / TALK_FACE_VIDEO),
        "-an",
        "-vf",
        fit,
        "-c:v",
        "libx264",
        *x264,
        "-f",
        "mp4",
        str(out),
    )


def _ffmpeg(*args: str) -> None:
    result = subprocess.run([*_FFMPEG, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ffmpeg failed building test media: {result.stderr.strip()[-2000:]}")
