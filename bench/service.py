"""A throwaway Clipsite service for benchmarks that measure it as users meet it.

Its own Redis, web server and RQ workers run as separate processes in sessions of their
own (so a Ctrl-C at the terminal reaches only the benchmark, which stops them in order);
a local HTTP receiver stands in for a customer's webhook endpoint; an upload is streamed
as a multipart body with a Content-Length, as browsers and HTTP clients send files.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.media import REPO_ROOT
from tests.workers import descendants_of

CHUNK = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Return once something accepts connections on ``port``; raise if ``process`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with status {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start ``args`` in the repository root, in a process group of its own, writing to ``log``.

    The group is in this process's session, as supervisord (`make run`) runs its programs:
    with the kernel's autogroup scheduling a session shares the CPU as one, so CPU
    priorities between workers (a video's later clips yield to its best) only act within
    one session, and a session per worker would measure another scheduler than users get.
    """
    with open(log, "ab") as out:
        return subprocess.Popen(
            args, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, process_group=0
        )


def stop(process: subprocess.Popen) -> None:
    """SIGKILL ``process``, its group and everything below it (RQ's work horses leave the
    group, and ffmpeg runs under them), then reap it."""
    if process.poll() is None:
        below = descendants_of(process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        for pid in below:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)


def start_redis(workdir: Path) -> tuple[subprocess.Popen, str]:
    """A private ``redis-server`` on a free port, persisting nothing; returns it and its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (make test installs it)")
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(workdir)]  # fmt: skip
    process = start(args, dict(os.environ), workdir / "redis.log")
    wait_for_port(port, process)
    return process, f"redis://127.0.0.1:{port}/0"


def tail(log: Path, characters: int = 3000) -> str:
    try:
        return log.read_text(errors="replace")[-characters:]
    except OSError:
        return ""


@dataclass
class Memory:
    """Peaks seen across samples of one process tree: the tree's summed RSS at one moment
    (pages a fork shares with its parent counted in each), and one process's own peak."""

    tree_kib: int = 0
    process_kib: int = 0

    def sample(self, pid: int) -> None:
        total = 0
        for member in (pid, *descendants_of(pid)):
            status = _proc_status(member)
            total += status.get("VmRSS", 0)
            self.process_kib = max(self.process_kib, status.get("VmHWM", 0))
        self.tree_kib = max(self.tree_kib, total)


def _proc_status(pid: int) -> dict[str, int]:
    """The kB figures of /proc/PID/status; empty when the process has ended."""
    figures = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                figures[name] = int(value.split()[0])
    return figures


def cpu_seconds(pid: int) -> float:
    """CPU time of a live process and of the children it has reaped (work horses, ffmpeg)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the name: state is field 0, so utime, stime, cutime, cstime are 11 to 14.
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


@dataclass
class Arrival:
    at: float  # time.time() when the request was read
    type: str
    data: dict


@dataclass
class HookReceiver:
    """A webhook endpoint on 127.0.0.1 that answers 200 and records each event's arrival."""

    arrivals: list[Arrival] = field(default_factory=list)
    url: str = ""

    def __enter__(self) -> HookReceiver:
        arrivals = self.arrivals

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = time.time()
                try:
                    event = json.loads(body)
                    arrivals.append(Arrival(now, event.get("type", "?"), event.get("data") or {}))
                except ValueError:
                    arrivals.append(Arrival(now, "unreadable", {}))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass  # the benchmark prints what it needs

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, name="hook-receiver", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def first(self, event_type: str) -> Arrival | None:
        return next((a for a in list(self.arrivals) if a.type == event_type), None)


class MultipartFile:
    """A multipart/form-data body of text ``fields`` and one file, read from disk as it is sent.

    Has a length, so the request carries a Content-Length (the service refuses chunked
    uploads) without the file ever being held in memory.
    """

    def __init__(self, path: Path, file_field: str, fields: dict[str, str]):
        self.boundary = uuid.uuid4().hex
        self.content_type = f"multipart/form-data; boundary={self.boundary}"
        head = "".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        )
        head += (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{path.name}"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        )
        self._head, self._tail = head.encode(), f"\r\n--{self.boundary}--\r\n".encode()
        self._path = path
        self._size = path.stat().st_size

    def __len__(self) -> int:
        return len(self._head) + self._size + len(self._tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self._head
        with open(self._path, "rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk
        yield self._tail
