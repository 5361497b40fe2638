"""Real servers for the test session, started before Django reads its settings.

Loaded with ``-p tests.plugins.services`` so its ``pytest_load_initial_conftests`` runs
before pytest-django's: it starts a private ``redis-server`` on a free port and points
``REDIS_URL`` at it, so the settings module sees the test Redis and no test can touch a
developer's own Redis. The server is stopped when the session ends, and the folders made
for the session's servers and media are removed unless a test failed (their logs then
tell what happened).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

_started: list[subprocess.Popen] = []
_folders: list[str] = []
_keep_folders = False


def temp_folder(prefix: str) -> str:
    """A new folder under the system's temp dir, removed with the session's servers."""
    folder = tempfile.mkdtemp(prefix=prefix)
    _folders.append(folder)
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 15.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def start_redis() -> str:
    """Start a throwaway redis-server and return its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise pytest.UsageError("redis-server is not installed; run `make test`, which installs it")
    port = free_port()
    workdir = temp_folder("clipsite-redis-")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
            "--logfile",
            str(Path(workdir) / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _started.append(process)
    wait_for_port(port, process=process)
    return f"redis://127.0.0.1:{port}/0"


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    os.environ["REDIS_URL"] = start_redis()
    # Tests fetch from servers they start on loopback; production refuses such URLs.
    os.environ.setdefault("ALLOW_PRIVATE_URLS", "true")
    # Service tests render real clips; a 360-pixel short side keeps them quick while the
    # engine's own tests check the 1080x1920 default.
    os.environ.setdefault("RENDER_SHORT_SIDE", "360")
    # Every test request comes from 127.0.0.1; the per-IP limit has its own test.
    os.environ.setdefault("IP_RATE_PER_MIN", "1000000")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        # Each pytest-xdist worker gets its own media, scratch and database folder: the
        # sweeps delete work folders that no row of *their* database owns, and the workers
        # inherit the controller's environment.
        os.environ["CLIPSITE_VAR_DIR"] = temp_folder(f"clipsite-test-var-{worker}-")
    else:
        if "CLIPSITE_VAR_DIR" not in os.environ:
            os.environ["CLIPSITE_VAR_DIR"] = temp_folder("clipsite-test-var-")
    # Playwright's sync API keeps an event loop on the main thread; the ORM calls tests
    # make around it are still synchronous, so Django's async-safety guard is lifted.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_sessionfinish(session, exitstatus):
    global _keep_folders
    _keep_folders = exitstatus != 0


def pytest_unconfigure(config):
    for process in _started:
        process.terminate()
    for process in _started:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if not _keep_folders:
        for folder in _folders:
            shutil.rmtree(folder, ignore_errors=True)


def start_moto() -> str:
    """Start moto's S3 server on a free port; return its endpoint URL."""
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _started.append(process)
    wait_for_port(port, process=process)
    return f"http://127.0.0.1:{port}"


def start_postgres() -> str:
    """Start Debian's PostgreSQL server in a temp dir; return a DATABASE_URL for it.

    PostgreSQL refuses to run as root, so as root the server runs as the ``postgres``
    user that Debian's package creates.
    """
    bindir = Path("/usr/lib/postgresql")
    versions = sorted(bindir.glob("*/bin/pg_ctl"))
    if not versions:
        raise pytest.UsageError("PostgreSQL is not installed; run `make test`, which installs it")
    pg_bin = versions[-1].parent
    datadir = Path(temp_folder("clipsite-pg-"))
    port = free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(datadir, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_user, str(pg_bin / "initdb"), "-D", str(datadir), "-U", "clipsite", "-A", "trust", "--no-sync"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    process = subprocess.Popen(
        [
            *as_user,
            str(pg_bin / "postgres"),
            "-D",
            str(datadir),
            "-p",
            str(port),
            "-h",
            "127.0.0.1",
            "-k",
            str(datadir),
            "-c",
            "fsync=off",
            "-c",
            "full_page_writes=off",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _started.append(process)
    wait_for_port(port, timeout=30, process=process)
    return f"postgres://clipsite@127.0.0.1:{port}/clipsite"


@pytest.fixture(scope="session")
def moto_endpoint() -> str:
    return start_moto()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return start_postgres()
