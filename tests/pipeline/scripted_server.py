"""What the fake model APIs share: a threaded JSON server on loopback that records requests and replays a script.

A subclass (``FakeGemini``, ``FakeOpenAI``) only says how one request is answered, in
:meth:`ScriptedServer.answer`; :meth:`ScriptedServer.scripted` hands out its replies in
order, the last one repeating.
"""

from __future__ import annotations

import abc
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, TypeVar

ReplyT = TypeVar("ReplyT")


class ScriptedServer(abc.ABC, Generic[ReplyT]):
    """HTTP server on 127.0.0.1 answering ``POST`` requests with JSON; use it as a context manager."""

    def __init__(self, replies: list[ReplyT]):
        self.replies = replies
        self.requests: list[Any] = []
        self._used = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        # A short poll interval keeps shutdown, and so each test, quick.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @abc.abstractmethod
    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The status and JSON payload for one request (headers lower-cased); runs on the request's thread."""

    def record(self, recorded: Any) -> None:
        with self._lock:
            self.requests.append(recorded)

    def scripted(self) -> ReplyT:
        """The next scripted reply; the last one repeats."""
        with self._lock:
            self._used += 1
            return self.replies[min(self._used, len(self.replies)) - 1]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {key.lower(): value for key, value in self.headers.items()}
                status, payload = fake.answer(self.path, headers, body)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test); nobody reads the answer

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet."""

        return Handler
