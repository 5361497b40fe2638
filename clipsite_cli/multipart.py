"""A ``multipart/form-data`` body that streams its file from disk as it is sent.

``requests`` sends a body that has ``read`` block by block and takes its length from
``len``, so an upload of any size costs one block of memory, and each block read is a
block about to be written to the socket: the count of bytes read is the progress bar.
"""

from __future__ import annotations

import io
import mimetypes
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


class MultipartFile:
    """Text ``fields`` then the file at ``path`` as the part ``file_field``.

    ``on_read(sent, total)`` is called after every block with the bytes read so far and
    the body's length. Close it (or use it in a ``with``) to close the file.
    """

    def __init__(
        self,
        fields: dict[str, str],
        file_field: str,
        path: Path,
        on_read: Callable[[int, int], None] | None = None,
    ):
        boundary = uuid.uuid4().hex
        self.content_type = f"multipart/form-data; boundary={boundary}"
        head = b"".join(_part_header(boundary, name) + value.encode() + b"\r\n" for name, value in fields.items())
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        head += _part_header(boundary, file_field, path.name, media_type)
        self._file = path.open("rb")
        size = path.stat().st_size
        self._parts: list[BinaryIO] = [io.BytesIO(head), self._file, io.BytesIO(f"\r\n--{boundary}--\r\n".encode())]
        self._length = len(head) + size + len(self._parts[2].getvalue())
        self._sent = 0
        self._on_read = on_read

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of the body (all that is left when negative), b"" at its end."""
        chunks: list[bytes] = []
        wanted = size
        while self._parts and wanted != 0:
            chunk = self._parts[0].read(wanted)
            if not chunk:
                self._parts.pop(0)
                continue
            chunks.append(chunk)
            if wanted > 0:
                wanted -= len(chunk)
        data = b"".join(chunks)
        self._sent += len(data)
        if self._on_read is not None and data:
            self._on_read(self._sent, self._length)
        return data

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> MultipartFile:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _part_header(boundary: str, name: str, filename: str | None = None, media_type: str | None = None) -> bytes:
    disposition = f'form-data; name="{_quoted(name)}"'
    if filename is not None:
        disposition += f'; filename="{_quoted(filename)}"'
    lines = [f"--{boundary}", f"Content-Disposition: {disposition}"]
    if media_type:
        lines.append(f"Content-Type: {media_type}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _quoted(value: str) -> str:
    # As browsers do (WHATWG's form encoding): a quote or a line break cannot end the header early.
    return value.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")
