"""A logo upload, treated as hostile: checked, decoded once and re-encoded to a PNG.

Nothing decodes the upload until its bytes have passed these checks, in order: at most
:data:`MAX_BYTES`; a PNG, JPEG or WebP by its first bytes (never by name or declared
type); a still image; width and height read from its header (parsed here, so a file
declaring 100000x100000 pixels is refused before any decoder would allocate them)
between :data:`MIN_SIDE` and :data:`MAX_SIDE`. Then ffmpeg decodes it with its demuxer
pinned, with ``-max_pixels`` as a second bound and a time limit, and writes a fresh
RGBA PNG no larger than :data:`STORED_SIDE`; only that PNG is stored and ever served.
"""

from __future__ import annotations

import struct
import tempfile
from pathlib import Path

from django.conf import settings

from pipeline.errors import MediaError
from pipeline.ffmpeg import run_ffmpeg

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 4096
MIN_SIDE = 16
# A logo is drawn at most 40% of a 1080-pixel-wide frame: this keeps detail to spare.
STORED_SIDE = 1024
DECODE_SECONDS = 30
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

TOO_LARGE = "The logo file is {mb:.1f} MB; logos can be up to 5 MB."
NOT_AN_IMAGE = "The logo must be a PNG, JPEG or WebP image; this file is not one."
ANIMATED = "The logo must be a still image; animated WebP is not accepted."
TOO_MANY_PIXELS = "The logo is {w}x{h} pixels; logos can be up to 4096 pixels on each side."
TOO_FEW_PIXELS = "The logo is {w}x{h} pixels; it needs at least 16 pixels on each side."
UNREADABLE = "The logo image could not be read: it may be damaged or cut short. Save it again as PNG, JPEG or WebP."


class LogoError(ValueError):
    """An upload that cannot be a logo; the message says why, for the person who sent it."""


def clean_logo(upload) -> bytes:
    """The PNG to store for ``upload`` (a Django ``UploadedFile``); raises :class:`LogoError`."""
    if upload.size > MAX_BYTES:
        raise LogoError(TOO_LARGE.format(mb=upload.size / 1024**2))
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:  # a size that lied
        raise LogoError(TOO_LARGE.format(mb=len(data) / 1024**2))
    kind = image_kind(data)
    if kind is None:
        raise LogoError(NOT_AN_IMAGE)
    size = dimensions(data, kind)
    if size is None:
        raise LogoError(UNREADABLE)
    width, height = size
    if max(width, height) > MAX_SIDE:
        raise LogoError(TOO_MANY_PIXELS.format(w=width, h=height))
    if min(width, height) < MIN_SIDE:
        raise LogoError(TOO_FEW_PIXELS.format(w=width, h=height))
    return _reencode(data, kind, width, height)


def image_kind(data: bytes) -> str | None:
    """``png``, ``jpeg`` or ``webp`` from the file's first bytes; None for anything else."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 16 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def dimensions(data: bytes, kind: str) -> tuple[int, int] | None:
    """``(width, height)`` from the image's header; None when the header is malformed.

    Raises :class:`LogoError` for an animated WebP.
    """
    try:
        if kind == "png":
            if data[12:16] != b"IHDR":
                return None
            return struct.unpack(">II", data[16:24])
        if kind == "jpeg":
            return _jpeg_size(data)
        return _webp_size(data)
    except (struct.error, IndexError):
        return None


# Start-of-frame markers (baseline, progressive, lossless...): not DHT, JPG or DAC.
_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# Markers without a length: TEM, restart markers, start of image.
_JPEG_BARE = {0x01, 0xD8, *range(0xD0, 0xD8)}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    for _ in range(1000):  # a segment walk: a crafted file cannot make it long
        while at < len(data) and data[at] == 0xFF:  # fill bytes before a marker
            at += 1
        if at >= len(data) or data[at - 1] != 0xFF:
            return None
        marker = data[at]
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[at + 4 : at + 8])
            return width, height
        if marker in _JPEG_BARE:
            at += 1
            continue
        if marker in (0xD9, 0xDA):  # end of image, or scan data before any frame header
            return None
        (length,) = struct.unpack(">H", data[at + 1 : at + 3])
        at += 1 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            return None
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        if data[20] != 0x2F:
            return None
        (bits,) = struct.unpack("<I", data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        if data[20] & 0x02:
            raise LogoError(ANIMATED)
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    return None


def _reencode(data: bytes, kind: str, width: int, height: int) -> bytes:
    """Decode the checked image with ffmpeg and return a fresh RGBA PNG of it, fitted into
    :data:`STORED_SIDE`."""
    scale = min(1.0, STORED_SIDE / max(width, height))
    fitted = f"scale={max(1, round(width * scale))}:{max(1, round(height * scale))}," if scale < 1 else ""
    with tempfile.TemporaryDirectory(prefix="clipsite-logo-") as tmp:
        source, out = Path(tmp) / "upload", Path(tmp) / "logo.png"
        source.write_bytes(data)
        args = ["-max_pixels", str(MAX_SIDE * MAX_SIDE), "-f", f"{kind}_pipe", "-i", source, "-frames:v", "1",
                "-vf", f"{fitted}format=rgba", "-f", "image2", "-c:v", "png", out]  # fmt: skip
        try:
            run_ffmpeg(args, settings.PIPELINE, what="read the logo", timeout=DECODE_SECONDS)
        except MediaError:
            raise LogoError(UNREADABLE) from None
        png = out.read_bytes() if out.exists() else b""
    if not png.startswith(PNG_SIGNATURE):
        raise LogoError(UNREADABLE)
    return png
