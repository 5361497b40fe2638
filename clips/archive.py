"""A selection of clips as one ZIP, streamed: the archive is never built in memory or on disk.

:mod:`zipfile` writes into a sink that only collects bytes, and after every chunk of a
clip's file the sink is emptied into the response, so memory holds one chunk whatever the
selection's size. Clips are stored, not compressed (an MP4 does not shrink); as the
stream cannot seek back to a header, each file's sizes follow it in a data descriptor,
and a file over 4 GiB gets ZIP64 fields because its size is known before it is written.
"""

from __future__ import annotations

import dataclasses
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from clips.models import Clip
from videos.models import Video

CHUNK = 256 * 1024


class NotRendered(LookupError):
    """Clips of a selection that have no rendered file to put in the archive."""

    def __init__(self, clips: list[Clip]):
        titles = ", ".join(f"“{clip.title}”" for clip in clips)
        super().__init__(f"Not rendered yet: {titles}. Wait until they are rendered, or leave them out.")
        self.clips = clips


@dataclasses.dataclass(frozen=True)
class Entry:
    """One clip's file in the archive: its name there, its name in storage, size and time."""

    name: str
    stored: str
    size: int
    modified: datetime


def entries(clips: Iterable[Clip]) -> list[Entry]:
    """The archive's files, one per clip, named as a clip's download is (from its title), a
    repeated name numbered ("-2", "-3"; compared regardless of case, as Windows and macOS do).

    Raises :class:`NotRendered` naming the clips without a stored file.
    """
    clips = list(clips)
    missing = [clip for clip in clips if not clip.file or not default_storage.exists(clip.file.name)]
    if missing:
        raise NotRendered(missing)
    taken: set[str] = set()
    found = []
    for clip in clips:
        stem, dot, suffix = clip.download_name.rpartition(".")
        name, number = clip.download_name, 1
        while name.casefold() in taken:
            number += 1
            name = f"{stem}-{number}{dot}{suffix}"
        taken.add(name.casefold())
        modified = timezone.localtime(clip.rendered_at or clip.created_at)
        found.append(Entry(name, clip.file.name, default_storage.size(clip.file.name), modified))
    return found


class _Sink:
    """A write-only file that keeps what is written until :meth:`drain` takes it."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: :meth:`drain` hands the bytes on."""

    def drain(self) -> Iterator[bytes]:
        """What was written since the last drain, as one piece (none when nothing was)."""
        if self.parts:
            yield b"".join(self.parts)
            self.parts.clear()


def stream(files: list[Entry]) -> Iterator[bytes]:
    """The ZIP of ``files``, in pieces of at most about one :data:`CHUNK`."""
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for entry in files:
            info = zipfile.ZipInfo(entry.name, date_time=entry.modified.timetuple()[:6])
            info.file_size = entry.size  # decides ZIP64 before the header is written
            with default_storage.open(entry.stored, "rb") as source, archive.open(info, "w") as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield from sink.drain()
            yield from sink.drain()
    yield from sink.drain()


def zip_response(video: Video, files: list[Entry]) -> StreamingHttpResponse:
    """``files`` streamed as ``<video title>-clips.zip``, an attachment."""
    response = StreamingHttpResponse(stream(files), content_type="application/zip")
    name = f"{slugify(video.display_title)[:60] or video.pk}-clips.zip"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response
