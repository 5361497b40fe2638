"""Where a video's files live in storage, and local paths for the engine to read.

Everything goes through Django's storage API, so the same code runs on local files
and on S3. The engine needs real paths: on local storage that is the stored file
itself; on S3 the file is downloaded once per machine into ``var/cache`` and shared by
the render jobs of that video running there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

CACHE_DIR_NAME = "cache"


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
    """The folder holding every processing attempt's scratch folder for one video."""
    return Path(settings.VAR_DIR) / "work" / video_id


def work_dir(video_id: str, attempt: int) -> Path:
    """A scratch folder for one processing attempt of a video on this machine.

    Per attempt, because a job from an earlier attempt may still be running here (its
    worker lost, its work horse not): when it stops and cleans up, it must not delete
    the files the current attempt is using.
    """
    path = work_root(video_id) / f"attempt-{attempt}"
    path.mkdir(parents=True, exist_ok=True)
    return path
