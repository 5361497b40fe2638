"""Where a video's files live in storage, and local paths for the engine to read.

Everything goes through Django's storage API, so the same code runs on local files
and on S3. The engine needs real paths: on local storage that is the stored file
itself; on S3 the file is downloaded once per machine into ``var/cache`` and shared by
the render jobs of that video running there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

CACHE_DIR_NAME = "cache"
WORK_DIR_NAME = "work"


def video_prefix(video_id: str) -> str:
    return f"videos/{video_id}"


def save_file(name: str, path: Path) -> str:
    """Store the local file ``path`` as ``name``; return the name storage chose."""
    with open(path, "rb") as handle:
        return default_storage.save(name, File(handle, name=Path(name).name))


def delete_names(*names: str) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def delete_prefix(prefix: str) -> None:
    """Delete every stored file under ``prefix`` (a video's folder)."""
    try:
        folders, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{prefix}/{name}")
    for folder in folders:
        delete_prefix(f"{prefix}/{folder}")
    folder_path = _filesystem_path(prefix)
    if folder_path is not None:  # local storage leaves the empty folders behind
        shutil.rmtree(folder_path, ignore_errors=True)


def _filesystem_path(name: str) -> Path | None:
    """Where ``name`` lives on this machine's disk, or None when storage is remote."""
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        return None


def cache_dir() -> Path:
    path = Path(settings.VAR_DIR) / CACHE_DIR_NAME
    path.mkdir(parents=True, exist_ok=True)
    return path


def local_path(name: str) -> Path:
    """A local path holding the stored file ``name`` (downloaded once per machine on S3)."""
    on_disk = _filesystem_path(name)
    if on_disk is not None:
        return on_disk
    target = cache_dir() / name
    if target.exists():
        os.utime(target)  # mark it used so the cache sweep keeps it
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Download to a temporary name and rename, so concurrent jobs never read a half file.
    with (
        tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temp,
        default_storage.open(name) as src,
    ):
        shutil.copyfileobj(src, temp, length=1024 * 1024)
    os.replace(temp.name, target)
    return target


def drop_cached(prefix: str) -> None:
    shutil.rmtree(cache_dir() / prefix, ignore_errors=True)


def sweep_cache(max_age_seconds: float) -> int:
    """Remove cached downloads unused for ``max_age_seconds``; return how many."""
    removed = 0
    cutoff = time.time() - max_age_seconds
    for path in cache_dir().rglob("*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def work_root(video_id: str) -> Path:
    """The folder holding every scratch folder of one video on this machine.

    Every temporary file of a job (a processing attempt's downloads and cuts, a render's
    captions and output) lives in here, never in the system temp folder, so that the
    work of a job killed without cleaning up (SIGKILL, a lost machine) is found and
    removed by :func:`sweep_work`.
    """
    return Path(settings.VAR_DIR) / WORK_DIR_NAME / video_id


def work_dir(video_id: str, attempt: int) -> Path:
    """A scratch folder for one processing attempt of a video on this machine.

    Per attempt, because a job from an earlier attempt may still be running here (its
    worker lost, its work horse not): when it stops and cleans up, it must not delete
    the files the current attempt is using.
    """
    path = work_root(video_id) / f"attempt-{attempt}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def render_dir(video_id: str, clip_id: str, version: int) -> Path:
    """A scratch folder for one render (one clip at one render version) on this machine."""
    path = work_root(video_id) / f"render-{clip_id}-v{version}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def remove_work(folder: Path) -> None:
    """Delete a scratch folder, then its video's folder too if nothing else is left in it."""
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):  # not empty: another job of the video still works here
        folder.parent.rmdir()


def work_folders() -> dict[str, list[Path]]:
    """The scratch folders on this machine, by video id (an empty list: an empty video folder)."""
    root = Path(settings.VAR_DIR) / WORK_DIR_NAME
    if not root.is_dir():
        return {}
    return {video.name: sorted(video.iterdir()) for video in root.iterdir() if video.is_dir()}


def sweep_work(keep) -> int:
    """Remove the scratch folders on this machine for which ``keep(video_id, name)`` is False.

    Returns how many were removed; video folders left empty are removed as well. The
    caller decides from the database which jobs are still alive.
    """
    removed = 0
    for video_id, folders in work_folders().items():
        for folder in folders:
            if keep(video_id, folder.name):
                continue
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
            else:
                folder.unlink(missing_ok=True)
            removed += 1
        with contextlib.suppress(OSError):
            (Path(settings.VAR_DIR) / WORK_DIR_NAME / video_id).rmdir()
    return removed
