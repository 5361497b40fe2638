"""Brand kits: images for logo uploads, made with ffmpeg or byte by byte."""

from __future__ import annotations

import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


def image_bytes(suffix: str = "png", size: str = "64x48", colour: str = "blue") -> bytes:
    """A still image of one colour, encoded by ffmpeg as ``suffix`` (png, jpg or webp)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"logo.{suffix}"
        subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"color=c={colour}:s={size}", "-frames:v", "1",
                        str(out)], check=True)  # fmt: skip
        return out.read_bytes()


def upload(data: bytes, name: str = "logo.png") -> SimpleUploadedFile:
    suffix = name.rsplit(".", 1)[-1]
    return SimpleUploadedFile(name, data, content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def declared_png(width: int, height: int, pixels: bytes = b"\x00" * 64) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` RGBA pixels, with only ``pixels``
    (compressed) as data: a decompression bomb when the size is huge."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(pixels))
            + _chunk(b"IEND", b""))  # fmt: skip
