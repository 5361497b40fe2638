"""Fixtures for the videos tests: a Redis that a test can take down."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.plugins.services import free_port, wait_for_port


class RedisServer:
    """A private ``redis-server`` on a fixed port, killed (as a crash) and started again."""

    def __init__(self, port: int, workdir):
        self.port = port
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, process=self.process)

    def kill(self) -> None:
        """SIGKILL the server; until :meth:`start`, connecting to its port is refused."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_outage(settings, tmp_path):
    """Point the queues, the rate limits and the health check at a private Redis that the
    test kills with :meth:`RedisServer.kill` and brings back with :meth:`RedisServer.start`.

    Worker processes the test starts (``tests.workers``) use it too.
    """
    server = RedisServer(free_port(), tmp_path)
    server.start()
    shared = settings.REDIS_URL
    settings.REDIS_URL = server.url
    settings.RQ_QUEUES = {
        name: {**config, "URL": config["URL"].replace(shared, server.url)}
        for name, config in settings.RQ_QUEUES.items()
    }
    yield server
    server.kill()
