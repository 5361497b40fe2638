"""Identify a media file's container by its bytes, and admit only self-contained formats.

ffmpeg guesses a file's format from its contents and name, and some formats it guesses
are not media but instructions to open other files: an HLS playlist (``.m3u8``, or the
same text named ``.mp4``), a concat script, an SDP description, an MP4 whose data
reference points elsewhere, an AVI whose GAB2 subtitle stream carries a playlist
(CVE-2017-9993). ``-protocol_whitelist file`` does not stop those: reading another
tenant's file *is* a file read. So before anything decodes user media,
:func:`identify` reads the file's first bytes (and walks an MP4's or AVI's header),
admits only the formats below, and names the ffmpeg demuxer to pin:

=========================  ==========  =============================================
format                     demuxer     recognised by
=========================  ==========  =============================================
MP4, MOV, M4A (ISO BMFF)   ``mov``     box structure; every data reference local
Matroska, WebM             ``matroska``EBML header with a matroska/webm doctype
AVI                        ``avi``     ``RIFF....AVI``; no subtitle streams
MPEG-TS (188/192/204)      ``mpegts``  sync bytes at every packet start
FLV                        ``flv``     ``FLV\\x01`` header
WAV (RIFF, RF64, BW64)     ``wav``     ``RIFF....WAVE``
MP3                        ``mp3``     two consecutive MPEG audio frames
AAC (ADTS)                 ``aac``     two consecutive ADTS frames
FLAC                       ``flac``    ``fLaC``
Ogg                        ``ogg``     ``OggS``
=========================  ==========  =============================================

An ID3v2 tag before MP3, AAC or FLAC is skipped, as ffmpeg does. Everything else is
refused with :class:`~pipeline.errors.UnsupportedMediaError`, whatever the file's name.

:func:`pipeline.ffmpeg.run_ffmpeg` and :func:`~pipeline.ffmpeg.run_ffprobe` call
:func:`identify` for every file they open and pass ``-f <demuxer>``, and
:func:`pipeline.scenes.detect_scenes` opens PyAV with ``format=<demuxer>``, so no
decoder ever sees a file that was not identified here. OpenCV is never given a file:
face tracking works on frames :mod:`pipeline.reframe` decodes through ``run_ffmpeg``.
"""

from __future__ import annotations

import functools
import re
import struct
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import MediaError, UnsupportedMediaError

# Enough of the start of a file to recognise every format here and to tell a text
# file (playlist, concat script, SDP) from binary data.
HEAD_BYTES = 64 * 1024
# Bounds on the MP4 and AVI header walks, so a crafted file cannot make them slow.
MAX_BOXES = 100_000
MAX_DEPTH = 8

UPLOAD_ADVICE = "Upload the video file itself."
FORMATS = "MP4, MOV, MKV, WebM, AVI, MPEG-TS or FLV video, or WAV, MP3, AAC, FLAC or Ogg audio"

# Boxes that may start an ISO BMFF file (QuickTime files written before ftyp existed
# start with one of the others).
_FIRST_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot"}
# Boxes on the way from moov to the data references (moov/trak/mdia/minf/dinf/dref).
_DREF_PATH = {b"trak", b"mdia", b"minf", b"dinf"}
# Stream types an AVI may carry: video, audio, DV. Subtitle streams ("txts") are where
# GAB2 subtitles live, which ffmpeg hands to a second, guessed demuxer.
_AVI_STREAM_TYPES = {b"vids", b"auds", b"iavs", b"ivas"}

_MP3_BITRATES = {  # kbit/s by (MPEG-1?, layer), index 1..14
    (True, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_BITRATES[(False, 3)] = _MP3_BITRATES[(False, 2)]
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def identify(path: str | Path) -> str:
    """The ffmpeg demuxer to pin for the local file ``path`` (see the module docstring).

    Raises :class:`~pipeline.errors.UnsupportedMediaError` for anything that is not
    one of the admitted self-contained formats (naming playlists, concat scripts and
    external references as such), and :class:`~pipeline.errors.MediaError` when the
    file is missing or empty. Messages never contain the path.
    """
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if stat is None or not path.is_file():
        raise MediaError("The file does not exist; upload or download it again.")
    # One processing run opens the same file many times (probe, audio, scenes, each
    # render); the answer holds while the file is the same bytes at the same place.
    return _identify_file(str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _identify_file(path: str, inode: int, size: int, mtime_ns: int) -> str:
    """:func:`identify` for one version of a file (a refusal raises and is not cached)."""
    with open(path, "rb") as stream:
        return identify_stream(stream, size)


def identify_stream(stream: BinaryIO, size: int) -> str:
    """:func:`identify` for an open, seekable binary file of ``size`` bytes (an upload
    still in the web server's hands); reads from the start and leaves the position moved."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    if not head:
        raise MediaError("The file is empty (0 bytes); upload or download it again.")
    if head[4:8] in _FIRST_BOXES:
        _check_mp4(stream, size)
        return "mov"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        _check_avi(stream)
        return "avi"
    demuxer = _simple_format(head)
    if demuxer is None:
        raise refusal(head)
    return demuxer


def refusal(head: bytes) -> UnsupportedMediaError:
    """The error for a file that is none of the admitted formats, saying what it looks like."""
    text = _as_text(head)
    if text is None:
        return UnsupportedMediaError(f"This file is not a video or audio file Clipsite can read. Upload an {FORMATS}.")
    lowered = text.lstrip().lower()
    if lowered.startswith("#extm3u") or "#ext-x-" in lowered or lowered.startswith("[playlist]"):
        looks = "it looks like a playlist that refers to other files"
    elif lowered.startswith("ffconcat") or re.search(r"^\s*file\s", lowered, re.MULTILINE):
        looks = "it looks like a list of other files to join"
    elif lowered.startswith("v=0") or "<mpd" in lowered or "<smil" in lowered:
        looks = "it looks like a stream description that refers to other files or addresses"
    else:
        looks = "it is a text file"
    return UnsupportedMediaError(f"This file is not a video file Clipsite can read ({looks}). {UPLOAD_ADVICE}")


def _simple_format(head: bytes) -> str | None:
    """Formats recognised from the first bytes alone, or ``None``."""
    if head[:4] == b"\x1a\x45\xdf\xa3" and (b"matroska" in head[:4096] or b"webm" in head[:4096]):
        return "matroska"
    if head[:4] in (b"RIFF", b"RF64", b"BW64") and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"FLV\x01":
        return "flv"
    if head[:5] == b"OggS\x00":
        return "ogg"
    if _is_mpegts(head):
        return "mpegts"
    audio = head[_id3_length(head) :]
    if audio[:4] == b"fLaC":
        return "flac"
    if _frames_follow(audio, _adts_length):
        return "aac"
    if _frames_follow(audio, _mp3_length):
        return "mp3"
    return None


def _as_text(head: bytes) -> str | None:
    """``head`` decoded when it is text (UTF-8 or Latin-1 without control bytes), else ``None``."""
    sample = head[:4096].removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in sample:
        return None
    text = sample.decode("utf-8", "replace")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\r\n\f")
    return text if controls == 0 and text.count("\ufffd") <= len(text) // 100 else None


def _is_mpegts(head: bytes) -> bool:
    for packet, offset in ((188, 0), (192, 4), (204, 0)):
        count = min(8, (len(head) - offset) // packet)
        if count >= 3 and all(head[offset + i * packet] == 0x47 for i in range(count)):
            return True
    return False


def _id3_length(head: bytes) -> int:
    """Bytes taken by the ID3v2 tags at the start of ``head`` (0 when there are none)."""
    offset = 0
    while head[offset : offset + 3] == b"ID3" and len(head) >= offset + 10:
        sizes = head[offset + 6 : offset + 10]
        if any(b & 0x80 for b in sizes):
            break
        length = 10 + (sizes[0] << 21 | sizes[1] << 14 | sizes[2] << 7 | sizes[3])
        offset += length + (10 if head[offset + 5] & 0x10 else 0)  # a footer repeats the header
    return offset


def _frames_follow(data: bytes, frame_length) -> bool:
    """Whether ``data`` starts, within its first 4 KB, with two frames back to back.

    ``frame_length(data, offset)`` gives the length of a valid frame header at
    ``offset``, or 0. The second header is required unless the data ends first.
    """
    for offset in range(min(len(data), 4096)):
        length = frame_length(data, offset)
        if length and (offset + length + 4 > len(data) or frame_length(data, offset + length)):
            return True
    return False


def _adts_length(data: bytes, offset: int) -> int:
    header = data[offset : offset + 7]
    if len(header) < 7 or header[0] != 0xFF or header[1] & 0xF6 != 0xF0 or (header[2] >> 2) & 0xF > 12:
        return 0
    length = (header[3] & 0x3) << 11 | header[4] << 3 | header[5] >> 5
    return length if length >= 7 else 0


def _mp3_length(data: bytes, offset: int) -> int:
    header = data[offset : offset + 4]
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return 0
    version, layer = (header[1] >> 3) & 3, 4 - ((header[1] >> 1) & 3)
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 3
    if version == 1 or layer == 4 or bitrate_index in (0, 15) or rate_index == 3:
        return 0
    mpeg1 = version == 3
    bitrate = _MP3_BITRATES[(mpeg1, layer)][bitrate_index - 1] * 1000
    rate = _MP3_RATES[version][rate_index]
    padding = (header[2] >> 1) & 1
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4
    return (144 if layer == 2 or mpeg1 else 72) * bitrate // rate + padding


def _damaged(kind: str) -> MediaError:
    return MediaError(f"The file is damaged: its {kind} structure is invalid. {UPLOAD_ADVICE}")


def _external() -> UnsupportedMediaError:
    return UnsupportedMediaError(
        f"This file is not a video file Clipsite can read (it refers to media stored in other files). "
        f"{UPLOAD_ADVICE}"
    )


def _boxes(stream: BinaryIO, start: int, end: int, budget: list[int]):
    """``(type, payload start, payload end)`` for each ISO BMFF box in ``[start, end)``.

    Stops at a box that runs past ``end`` (a cut-short file: ffmpeg reports that
    better). Raises on a size that cannot be right.
    """
    offset = start
    while offset + 8 <= end:
        budget[0] -= 1
        if budget[0] < 0:
            raise _damaged("MP4")
        stream.seek(offset)
        header = stream.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header)
        payload = offset + 8
        if size == 1:
            large = stream.read(8)
            if len(large) < 8:
                return
            size, payload = struct.unpack(">Q", large)[0], offset + 16
        elif size == 0:
            size = end - offset
        if size < payload - offset:
            raise _damaged("MP4")
        if offset + size > end:
            return
        yield kind, payload, offset + size
        offset += size


def _check_mp4(stream: BinaryIO, size: int) -> None:
    """Refuse an MP4/MOV whose first ``moov`` refers to data outside the file.

    A reference movie (``rmra``) or a data reference entry (``url ``, ``urn ``,
    ``alis``) without the self-contained flag points ffmpeg at other files or URLs.
    Only the first ``moov`` matters: ffmpeg skips any later one.
    """
    budget = [MAX_BOXES]
    for kind, start, end in _boxes(stream, 0, size, budget):
        if not re.fullmatch(rb"[\x20-\x7e]{4}", kind):
            raise _damaged("MP4")
        if kind == b"moov":
            _check_moov(stream, start, end, budget, 0)
            return


def _check_moov(stream: BinaryIO, start: int, end: int, budget: list[int], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _damaged("MP4")
    for kind, payload, box_end in _boxes(stream, start, end, budget):
        if kind == b"rmra":
            raise _external()
        if kind in _DREF_PATH:
            _check_moov(stream, payload, box_end, budget, depth + 1)
        elif kind == b"dref":
            _check_dref(stream, payload, box_end, budget)


def _check_dref(stream: BinaryIO, start: int, end: int, budget: list[int]) -> None:
    # A full box: version and flags (4 bytes) and an entry count (4 bytes), then entries
    # that are boxes themselves, each with version and flags; flag 1 = "in this file".
    for _kind, payload, _end in _boxes(stream, start + 8, end, budget):
        stream.seek(payload)
        flags = stream.read(4)
        if len(flags) < 4 or not flags[3] & 1:
            raise _external()


def _check_avi(stream: BinaryIO) -> None:
    """Refuse an AVI with a stream that is not video or audio (subtitles carry GAB2).

    Walks the header chunks the way ffmpeg's AVI reader does: ``LIST`` chunks are
    entered rather than skipped, and the header ends at ``LIST movi``.
    """
    types: list[bytes] = []
    offset = 12
    for _ in range(MAX_BOXES):
        header = _read_at(stream, offset, 12)
        if len(header) < 8:
            break
        kind, length = struct.unpack("<4sI", header[:8])
        if kind == b"LIST":
            if header[8:12] == b"movi":
                break
            offset += 12
            continue
        if kind == b"strh":
            types.append(_read_at(stream, offset + 8, 4))
        offset += 8 + length + (length & 1)
    else:
        raise _damaged("AVI")
    if not types:
        raise _damaged("AVI")
    if any(kind not in _AVI_STREAM_TYPES for kind in types):
        raise UnsupportedMediaError(
            "This AVI file has a subtitle or data stream, which Clipsite does not accept (AVI subtitles "
            "can make the reader open other files). Remove that stream or convert the video to MP4, "
            "then upload it again."
        )


def _read_at(stream: BinaryIO, offset: int, count: int) -> bytes:
    stream.seek(offset)
    return stream.read(count)
