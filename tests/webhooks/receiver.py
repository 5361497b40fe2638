"""A real webhook receiver on loopback: records every request's raw bytes and answers as programmed.

``Receiver`` runs a threaded HTTP/1.1 server (optionally TLS, with a certificate the
test made) in a background thread. Each request is recorded as a :class:`Received`
(method, path, headers, the body's exact bytes). Answers are programmed with
:meth:`Receiver.answer`, one per request in order, the last repeating: a status, a body,
headers (``Retry-After``, ``Location``), a delay before answering, or ``hold=True`` to
keep the request open until :meth:`Receiver.release`::

    with Receiver() as receiver:
        receiver.answer(500).answer(200)
        ...
        assert receiver.received[0].headers["webhook-id"] == str(event.id)
"""

from __future__ import annotations

import dataclasses
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from requests.structures import CaseInsensitiveDict

from tests.pipeline.http_server import QuietServer


@dataclasses.dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    delay: float = 0.0
    hold: bool = False


@dataclasses.dataclass
class Received:
    method: str
    path: str
    headers: CaseInsensitiveDict
    body: bytes


class Receiver:
    def __init__(self, host: str = "127.0.0.1", certificate: Path | None = None):
        self.received: list[Received] = []
        self._answers: list[Answer] = [Answer()]
        self._programmed = False
        self._lock = threading.Condition()
        self._released = threading.Event()
        self._server = QuietServer((host, 0), _handler_for(self))
        if certificate is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certificate, certificate)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https" if certificate is not None else "http"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def answer(self, status: int = 200, body: bytes = b"ok", *, headers: dict[str, str] | None = None,
               delay: float = 0.0, hold: bool = False) -> Receiver:  # fmt: skip
        """Queue the answer to the next unanswered request (the first call replaces the default 200)."""
        answer = Answer(status, body, headers or {}, delay, hold)
        with self._lock:
            self._answers = [*self._answers, answer] if self._programmed else [answer]
            self._programmed = True
        return self

    def release(self) -> None:
        """Let held requests answer (with 200) and answer every later one at once."""
        self._released.set()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        """Block until ``count`` requests have arrived; return them."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"the receiver got {len(self.received)} requests, not {count}")
                self._lock.wait(left)
            return list(self.received)

    def paths(self) -> list[str]:
        return [r.path for r in self.received]

    def _next(self, received: Received) -> Answer:
        with self._lock:
            self.received.append(received)
            self._lock.notify_all()
            return self._answers.pop(0) if len(self._answers) > 1 else self._answers[0]

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self._answer()

        def do_GET(self) -> None:
            self._answer()

        def log_message(self, format: str, *args: object) -> None:
            """Silence the per-request log lines on stderr."""

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            answer = receiver._next(Received(self.command, self.path, CaseInsensitiveDict(self.headers.items()), body))
            if answer.hold:
                receiver._released.wait(60)
                answer = Answer()
            if answer.delay:
                time.sleep(answer.delay)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

    return Handler
