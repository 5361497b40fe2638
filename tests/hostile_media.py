"""A malicious-media corpus, and one harmless file per admitted container, built at test time.

Nothing binary is committed: every case is written here from code (text files, hand-made
RIFF bytes) or made with ffmpeg from ``lavfi`` sources, a few kilobytes each.

Hostile cases (each a file ffmpeg would follow to *other* files or addresses, or one
that has hidden such a reference in a real container):

- :func:`hls_playlist`: an HLS playlist whose segment is a local path or a URL; named
  ``.m3u8`` or ``.mp4`` alike (ffmpeg recognises it by its text);
- :func:`ffconcat_script`: a concat script naming a file next to it;
- :func:`sdp_description`: an SDP file that makes ffmpeg listen for RTP;
- :func:`gab2_avi`: a valid AVI (video, audio) with a subtitle stream whose packet is a
  GAB2 subtitle carrying an HLS playlist, the CVE-2017-9993 layout;
- :func:`mp4_with_external_data`: a real MP4 whose data reference says "elsewhere".
"""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

_FFMPEG = ("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y")
_VIDEO_IN = ("-f", "lavfi", "-i", "testsrc2=s=64x48:r=10:d=1")
_AUDIO_IN = ("-f", "lavfi", "-i", "sine=f=440:r=44100:d=1")

# name -> (file suffix, demuxer pinned, has video, ffmpeg output options)
ALLOWED = {
    "mp4": (".mp4", "mov", True, ("-c:v", "libx264", "-c:a", "aac")),
    "mov": (".mov", "mov", True, ("-c:v", "libx264", "-c:a", "aac")),
    "m4a": (".m4a", "mov", False, ("-c:a", "aac")),
    "mkv": (".mkv", "matroska", True, ("-c:v", "libx264", "-c:a", "aac")),
    "webm": (".webm", "matroska", True, ("-c:v", "libvpx", "-c:a", "libopus", "-ar", "48000")),
    "avi": (".avi", "avi", True, ("-c:v", "mpeg4", "-c:a", "mp2")),
    "ts": (".ts", "mpegts", True, ("-c:v", "libx264", "-c:a", "aac")),
    "m2ts": (".m2ts", "mpegts", True, ("-c:v", "libx264", "-c:a", "aac", "-mpegts_m2ts_mode", "1")),
    "flv": (".flv", "flv", True, ("-c:v", "flv", "-c:a", "aac")),
    "wav": (".wav", "wav", False, ("-c:a", "pcm_s16le")),
    "mp3": (".mp3", "mp3", False, ("-c:a", "libmp3lame")),
    "aac": (".aac", "aac", False, ("-c:a", "aac", "-f", "adts")),
    "flac": (".flac", "flac", False, ("-c:a", "flac")),
    "ogg": (".ogg", "ogg", False, ("-c:a", "libvorbis")),
}


def build_allowed(name: str, folder: Path) -> Path:
    """A one-second file in the admitted container ``name`` (see :data:`ALLOWED`)."""
    suffix, _demuxer, has_video, options = ALLOWED[name]
    target = folder / f"sample-{name}{suffix}"
    inputs = (*_VIDEO_IN, *_AUDIO_IN) if has_video else _AUDIO_IN
    _ffmpeg(*inputs, *options, "-shortest", str(target))
    return target


def small_video(target: Path) -> Path:
    """A one-second H.264/AAC MP4."""
    _ffmpeg(*_VIDEO_IN, *_AUDIO_IN, "-c:v", "libx264", "-c:a", "aac", "-shortest", str(target))
    return target


def hls_playlist(target: Path, segment: str, seconds: float) -> Path:
    """An HLS playlist of one segment, ``segment`` (a local path or a URL) lasting ``seconds``.

    The length is stated truthfully, as an attacker would, so the result passes every
    check a real video passes.
    """
    target.write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:{seconds:.3f},\n{segment}\n#EXT-X-ENDLIST\n"
    )
    return target


def ffconcat_script(target: Path, name: str, seconds: float = 1.0) -> Path:
    """A concat script joining the file ``name`` in the same folder (which its safe mode allows)."""
    target.write_text(f"ffconcat version 1.0\nfile '{name}'\nduration {seconds:.3f}\n")
    return target


def sdp_description(target: Path, port: int) -> Path:
    """An SDP description of an RTP stream on loopback ``port``."""
    target.write_text(
        f"v=0\no=- 0 0 IN IP4 127.0.0.1\ns=stream\nc=IN IP4 127.0.0.1\nt=0 0\nm=video {port} RTP/AVP 96\n"
        "a=rtpmap:96 H264/90000\n"
    )
    return target


def mp4_with_external_data(source: Path, target: Path) -> Path:
    """``source`` (an MP4) with its first data reference's "in this file" flag cleared."""
    data = bytearray(source.read_bytes())
    entry = data.find(b"url \x00\x00\x00\x01")
    assert entry > 0, "no self-contained data reference to patch"
    data[entry + 7] = 0
    target.write_bytes(bytes(data))
    return target


def gab2_avi(target: Path, playlist: str) -> Path:
    """A valid AVI whose third stream is a GAB2 subtitle carrying ``playlist`` (HLS text).

    Streams: 16x16 uncompressed video at 10 fps and 8 kHz mono PCM, one second each,
    which ffprobe reads as a normal video with sound; then a ``txts`` stream whose one
    packet is ``GAB2\\0``, version 2, a title, and the playlist as the subtitle file.
    """
    width = height = 16
    frames = [bytes([(i * 20) % 256]) * (width * height * 3) for i in range(10)]
    audio = struct.pack("<8000h", *([0] * 8000))
    title = "English".encode("utf-16-le") + b"\x00\x00"
    subtitle = playlist.encode()
    gab2 = b"GAB2\x00" + struct.pack("<H", 2) + struct.pack("<I", len(title)) + title
    gab2 += struct.pack("<HI", 4, len(subtitle)) + subtitle

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return kind + struct.pack("<I", len(payload)) + payload + (b"\x00" if len(payload) % 2 else b"")

    def riff_list(kind: bytes, payload: bytes) -> bytes:
        return chunk(b"LIST", kind + payload)

    def strh(kind: bytes, scale: int, rate: int, length: int, sample_size: int) -> bytes:
        return chunk(b"strh", struct.pack("<4s4sIHHIIIIIIII4h", kind, b"\x00" * 4, 0, 0, 0, 0, scale, rate, 0,
                                          length, 0, 0xFFFFFFFF, sample_size, 0, 0, width, height))

    bitmap = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, width * height * 3, 0, 0, 0, 0)
    wave = struct.pack("<HHIIHHH", 1, 1, 8000, 16000, 2, 16, 0)
    header = chunk(b"avih", struct.pack("<14I", 100_000, 0, 0, 0x10, len(frames), 0, 3, 0, width, height,
                                        0, 0, 0, 0))
    header += riff_list(b"strl", strh(b"vids", 1, 10, len(frames), 0) + chunk(b"strf", bitmap))
    header += riff_list(b"strl", strh(b"auds", 1, 8000, 8000, 2) + chunk(b"strf", wave))
    header += riff_list(b"strl", strh(b"txts", 1, 1000, 1, 0) + chunk(b"strf", b""))
    packets = [(b"02tx", gab2), (b"01wb", audio)] + [(b"00db", frame) for frame in frames]
    movi, index, offset = b"", b"", 4
    for kind, payload in packets:
        index += struct.pack("<4sIII", kind, 0x10, offset, len(payload))
        movi += chunk(kind, payload)
        offset = 4 + len(movi)
    body = b"AVI " + riff_list(b"hdrl", header) + riff_list(b"movi", movi) + chunk(b"idx1", index)
    target.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return target


def _ffmpeg(*args: str) -> None:
    subprocess.run([*_FFMPEG, *args], check=True, capture_output=True, timeout=120)
