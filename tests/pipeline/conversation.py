"""Build a two-person side-by-side conversation from the real talking heads of the corpus.

Used by tests/pipeline/test_speakers.py (a short fixture) and bench/speakers.py (the
acceptance benchmark). Each person is one of the corpus's talking-head videos with its own
audio; a script of turns says who talks when, and the ground truth follows from it.

While one person talks, the other is shown either as a held frame (``listener="still"``)
or, in the harder variant, as their own video muted (``listener="moving"``: a mouth that
moves with no voice). A back-channel is a short turn of the listener's video and audio
that does not take the floor; an overlap has both talking with both voices mixed.
"""

from __future__ import annotations

import dataclasses
import subprocess
import wave
from pathlib import Path

import numpy as np

PEOPLE = ("vid_talkinghead_WDA_KatieHill_000.mp4", "vid_talkinghead_retalking_face4.mp4")
FPS = 25
RATE = 16_000


@dataclasses.dataclass(frozen=True)
class Turn:
    """``seconds`` of ``talker`` (0 left, 1 right, ``None`` both, overlapping).

    A back-channel does not take the floor: whoever held it is still the one to show.
    """

    talker: int | None
    seconds: float
    backchannel: bool = False


def holders(script: list[Turn]) -> list[tuple[float, float, int | None, bool]]:
    """``(start, end, holder, backchannel)`` per turn: who should be on screen (None: either)."""
    out, t, holder = [], 0.0, None
    for turn in script:
        if not turn.backchannel:
            holder = turn.talker
        out.append((t, t + turn.seconds, holder, turn.backchannel))
        t += turn.seconds
    return out


def build_conversation(
    media_dir: Path, script: list[Turn], out: Path, tile: int = 240, listener: str = "still"
) -> Path:
    """Write the conversation to ``out`` (H.264/AAC, ``2*tile`` x ``tile``) unless it exists."""
    if out.exists():
        return out
    videos = [_frames(media_dir / name, tile) for name in PEOPLE]
    # Each audio is cut or padded to its video's length so both loop together, in sync.
    audios = [_fit(_audio(media_dir / name), len(v) * RATE // FPS) for name, v in zip(PEOPLE, videos, strict=True)]
    # Each person's talking video and muted "listening" video run from their own cursors,
    # looped, so a person never repeats the stretch they just said.
    talk = [0, 0]
    muted = [len(v) // 2 for v in videos]
    held = [v[0] for v in videos]
    frames_out: list[np.ndarray] = []
    sound: list[np.ndarray] = []
    for turn in script:
        n = round(turn.seconds * FPS)
        samples = np.zeros(round(n * RATE / FPS), np.float32)
        tiles = []
        for person in (0, 1):
            video, audio = videos[person], audios[person]
            if turn.talker in (person, None):
                idx = [(talk[person] + i) % len(video) for i in range(n)]
                first = talk[person] * RATE // FPS
                take = (np.arange(samples.size) + first) % audio.size
                samples += audio[take]
                talk[person] += n
                held[person] = video[idx[-1]]
            elif listener == "moving":
                idx = [(muted[person] + i) % len(video) for i in range(n)]
                muted[person] += n
            else:
                idx = []
            tiles.append([video[i] for i in idx] if idx else [held[person]] * n)
        frames_out += [np.hstack([a, b]) for a, b in zip(*tiles, strict=True)]
        sound.append(samples)
    out.parent.mkdir(parents=True, exist_ok=True)
    wav = out.with_suffix(".wav")
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(np.concatenate(sound), -1, 1) * 32767).astype("<i2").tobytes())
    partial = out.with_name(out.stem + ".part.mp4")
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
         "-s", f"{2 * tile}x{tile}", "-r", str(FPS), "-i", "pipe:0", "-i", str(wav),
         "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(partial)],
        input=np.stack(frames_out).tobytes(), check=True,
    )  # fmt: skip
    wav.unlink()
    partial.rename(out)
    return out


def _frames(path: Path, tile: int) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-vf", f"fps={FPS},scale={tile}:{tile}",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(-1, tile, tile, 3)


def _fit(audio: np.ndarray, size: int) -> np.ndarray:
    return np.pad(audio[:size], (0, max(0, size - audio.size)))


def _audio(path: Path) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(RATE),
         "-f", "f32le", "pipe:1"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.float32)
