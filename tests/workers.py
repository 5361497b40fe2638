"""Real RQ worker processes for service tests.

Workers run ``manage.py rqworker`` in subprocesses with the test's own settings: the
same Redis, the test database (committed rows only, so tests using them are
transactional), the same media folder and storage.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.media import REPO_ROOT


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL,
           "CLIPSITE_VAR_DIR": str(settings.VAR_DIR), "PYTHONUNBUFFERED": "1"}  # fmt: skip
    env.update(extra)
    return env


def start_worker(
    name: str,
    queues: tuple[str, ...] = ("default", "render"),
    *,
    burst: bool = True,
    log_dir: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """Start one ``rqworker`` in its own process group (so a test can kill it whole).

    ``env`` adds to (or overrides) the worker's environment.
    """
    log = open((log_dir or Path(settings.VAR_DIR)) / f"worker-{name}.log", "ab")  # noqa: SIM115 - closed by wait
    args = [sys.executable, "manage.py", "rqworker", *queues, "--name", name]
    if burst:
        args.append("--burst")
    process = subprocess.Popen(
        args, cwd=REPO_ROOT, env=worker_env(**(env or {})), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    process.log_file = log  # type: ignore[attr-defined]
    return process


def wait_workers(processes: list[subprocess.Popen], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            code = process.wait(timeout=max(1, deadline - time.monotonic()))
        finally:
            process.log_file.close()
        if code != 0:
            log = Path(process.log_file.name).read_text(errors="replace")[-3000:]
            raise AssertionError(f"worker exited with {code}:\n{log}")


def run_workers(
    count: int = 1, queues: tuple[str, ...] = ("default", "render"), prefix: str = "w"
) -> list[str]:
    """Run ``count`` burst workers in parallel until the queues are empty; return their names."""
    names = [f"{prefix}{i + 1}-{os.getpid()}-{time.monotonic_ns() % 100000}" for i in range(count)]
    wait_workers([start_worker(name, queues) for name in names])
    return names


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL a worker and the work horse it forked, as when a machine dies.

    RQ's work horse moves into a process group of its own, so it is found by its parent
    and killed by pid rather than with the worker's group, and so are the programs it
    runs (ffmpeg): left alive, they would go on writing into the job's scratch folder.
    """
    horses = descendants_of(process.pid)
    os.killpg(process.pid, signal.SIGKILL)
    for pid in horses:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.log_file.close()


def descendants_of(pid: int) -> list[int]:
    """Every process below ``pid``: its children, theirs, and so on."""
    table = list(process_table())
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, fields in table if int(fields[1]) == parent]
        found += children
        frontier += children
    return found


def process_table():
    """``(pid, fields)`` for every process, ``fields`` being /proc/PID/stat after the name
    (state, ppid, pgrp, session, ...)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while the list was read
        yield int(stat.parent.name), fields
