"""Downloading rendered clips into a folder: resumable, and never fetching a file twice.

A clip is saved as ``<clip id>.mp4`` with its modification time set to the clip's render
time (``renderedAt``, else ``createdAt``). A file already there with that time is the
current render and is not fetched again; one with another time is an older render and is
replaced. While it arrives, a clip is written to ``<clip id>-<render time in ns>.part``
(see :func:`part_path`); a part left by an interrupted run is completed with an HTTP
Range request for the bytes it lacks, and a part of an older render is thrown away.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from rich.progress import Progress, TaskID

from clipsite_cli.client import Client, network_error
from clipsite_cli.errors import CliError, ExitCode

CHUNK = 256 * 1024
_CONTENT_RANGE = re.compile(r"^bytes (?:(\d+)-\d+|\*)/(\d+)$")
_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass
class Outcome:
    """What became of one clip: ``status`` is ``downloaded``, ``resumed`` (a part was
    completed), ``present`` (already there), ``not_ready`` or ``failed``; ``fetched`` the
    bytes received this time."""

    id: str
    status: str
    path: str | None = None
    size: int | None = None
    fetched: int = 0
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("downloaded", "resumed", "present")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def render_stamp(clip: dict[str, Any]) -> int:
    """The clip's render time in nanoseconds since the epoch: the identity of its file."""
    text = clip.get("renderedAt") or clip["createdAt"]
    moment = datetime.fromisoformat(text)
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def file_stem(clip: dict[str, Any]) -> str:
    """The clip's id as the start of a file name; anything else (a path) is refused, so no
    answer from a server can write outside the folder."""
    clip_id = str(clip.get("id", ""))
    if not _SAFE_ID.fullmatch(clip_id):
        raise CliError(f"The server named a clip {clip_id[:40]!r}, which is not a clip id.", ExitCode.NETWORK)
    return clip_id


def target_path(directory: Path, clip: dict[str, Any]) -> Path:
    return directory / f"{file_stem(clip)}.mp4"


def part_path(directory: Path, clip: dict[str, Any]) -> Path:
    """Where the clip's current render is written while it arrives."""
    return directory / f"{file_stem(clip)}-{render_stamp(clip)}.part"


def is_current(path: Path, clip: dict[str, Any]) -> bool:
    try:
        # Within a millisecond: some filesystems keep coarser times than nanoseconds.
        return abs(path.stat().st_mtime_ns - render_stamp(clip)) < 1_000_000
    except FileNotFoundError:
        return False


class Downloader:
    """Saves clips into ``directory``, one bar each on ``progress``."""

    def __init__(self, client: Client, directory: Path, progress: Progress):
        self.client = client
        self.directory = directory
        self.progress = progress

    def save(self, clip: dict[str, Any]) -> Outcome:
        """Download ``clip`` unless its current render is already here.

        Raises :class:`CliError` when the server cannot be reached or refuses the key; a
        problem with this clip alone (not rendered, its file gone) is its outcome.
        """
        clip_id = file_stem(clip)
        target = target_path(self.directory, clip)
        if clip.get("status") != "completed" or not clip.get("downloadUrl"):
            reason = clip.get("errorMessage") or f"it is not rendered yet (status: {clip.get('status')})"
            return Outcome(clip_id, "not_ready", message=f"Clip {clip_id} was not downloaded: {reason}.")
        if is_current(target, clip):
            return Outcome(clip_id, "present", str(target), target.stat().st_size)
        part = part_path(self.directory, clip)
        for stale in self.directory.glob(f"{clip_id}-*.part"):
            if stale != part:
                stale.unlink()
        resumed = part.exists() and part.stat().st_size > 0
        task = self.progress.add_task(f"{clip_id}", total=None)
        url = clip["downloadUrl"]
        try:
            fetched = self._fetch(url, part, task)
        except _Expired:
            # Signed links last an hour; a long batch may outlive the list's. Ask for a fresh one.
            fresh = self.client.get(f"/api/clips/{clip_id}", not_found=f"Clip {clip_id} no longer exists.")["clip"]
            if not fresh.get("downloadUrl"):
                return Outcome(clip_id, "failed", message=f"Clip {clip_id} has no rendered file any more.")
            try:
                fetched = self._fetch(fresh["downloadUrl"], part, task)
            except _Expired:
                return Outcome(clip_id, "failed", message=f"The server refused the download link of clip {clip_id}.")
        except _Gone:
            return Outcome(clip_id, "failed", message=f"The file of clip {clip_id} no longer exists on the server.")
        stamp = render_stamp(clip)
        os.utime(part, ns=(stamp, stamp))
        os.replace(part, target)
        size = target.stat().st_size
        return Outcome(clip_id, "resumed" if resumed and fetched < size else "downloaded", str(target), size, fetched)

    def _fetch(self, url: str, part: Path, task: TaskID) -> int:
        """Complete ``part`` from ``url`` and return the bytes received."""
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        with self.client.fetch(url, headers) as response:
            status = response.status_code
            match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            total = int(match.group(2)) if match else None
            if status == 416 and total == have:
                self.progress.update(task, total=have, completed=have)
                return 0  # already whole: the request asked for bytes past its end
            if status == 416 or (status == 206 and (match is None or int(match.group(1) or -1) != have)):
                part.unlink()  # the part does not fit the file on the server: start again
                return self._fetch(url, part, task)
            if status == 403:
                raise _Expired
            if status in (404, 410):
                raise _Gone
            if status not in (200, 206):
                self.client.raise_for(response)
            if status == 200:
                have = 0  # the server sent the whole file
                length = response.headers.get("Content-Length", "")
                total = int(length) if length.isdigit() else None
            self.progress.update(task, total=total, completed=have)
            fetched = 0
            try:
                with part.open("ab" if status == 206 else "wb") as handle:
                    for chunk in response.iter_content(CHUNK):
                        handle.write(chunk)
                        fetched += len(chunk)
                        self.progress.advance(task, len(chunk))
            except requests.RequestException as exc:
                raise _interrupted(self.client.url, exc) from None
        if total is not None and have + fetched != total:
            raise CliError(
                f"The download of {part.name} stopped at {have + fetched} of {total} bytes; run the same command "
                "again to resume it.", ExitCode.NETWORK, "network",
            )  # fmt: skip
        return fetched


class _Expired(Exception):
    """The signed link was refused (403): expired, or not valid."""


class _Gone(Exception):
    """The file behind the link no longer exists (404, 410)."""


def _interrupted(url: str, exc: requests.RequestException) -> CliError:
    error = network_error(url, exc)
    return CliError(f"{error.message} What arrived is kept; run the same command again to resume.", error.code,
                    error.error)  # fmt: skip
