"""A real HTTP server on loopback for tests that download: files, pages and redirects.

``LocalHTTPServer`` serves routes registered by the test from a background thread:
files from disk (with ``Range`` requests answered by ``206 Partial Content``, as media
players and yt-dlp expect), byte strings such as HTML pages, and redirects. It records
every request, so a test can assert what was (or was not) fetched. Use it as a context
manager, usually through a small fixture in the test module::

    @pytest.fixture
    def server():
        with LocalHTTPServer() as running:
            yield running

    def test_it_downloads(server, media_dir):
        url = server.add_file("/clip.mp4", media_dir / "clip.mp4")
"""

from __future__ import annotations

import dataclasses
import mimetypes
import re
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHUNK = 64 * 1024


@dataclasses.dataclass
class Route:
    """What one path answers: a body (file or bytes) or a redirect."""

    status: int = 200
    body: bytes | None = None
    file: Path | None = None
    content_type: str = "application/octet-stream"
    location: str = ""
    # False: no Content-Length, the body goes out with chunked transfer encoding, so the
    # client cannot know the size in advance.
    send_length: bool = True
    headers: dict[str, str] = dataclasses.field(default_factory=dict)

    def size(self) -> int:
        return self.file.stat().st_size if self.file is not None else len(self.body or b"")


@dataclasses.dataclass
class Hit:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]


class LocalHTTPServer:
    """A threaded HTTP/1.1 server on ``host`` (default 127.0.0.1) and a free port."""

    def __init__(self, host: str = "127.0.0.1"):
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self._server = QuietServer((host, 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str, host: str | None = None) -> str:
        """The absolute URL of ``path``; ``host`` replaces the address (e.g. ``localhost``)."""
        return f"http://{host or self._server.server_address[0]}:{self.port}{path}"

    def add_file(self, path: str, file: Path, content_type: str | None = None, **options: object) -> str:
        """Serve ``file`` at ``path`` and return its URL; ``options`` are :class:`Route` fields."""
        guessed = content_type or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        self.routes[path] = Route(file=Path(file), content_type=guessed, **options)  # type: ignore[arg-type]
        return self.url(path)

    def add_bytes(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8",
                  **options: object) -> str:
        """Serve ``body`` at ``path`` and return its URL."""
        self.routes[path] = Route(body=body, content_type=content_type, **options)  # type: ignore[arg-type]
        return self.url(path)

    def add_redirect(self, path: str, location: str, status: int = 302) -> str:
        """Answer ``path`` with a redirect to ``location`` (absolute or relative)."""
        self.routes[path] = Route(status=status, location=location)
        return self.url(path)

    def paths_requested(self) -> list[str]:
        return [hit.path for hit in self.hits]

    def __enter__(self) -> LocalHTTPServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class QuietServer(ThreadingHTTPServer):
    """A threaded HTTP server that does not print the errors of clients hanging up."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore clients that hang up (a download stopped at its size cap, a timed-out or
        killed sender, a TLS handshake given up); report the rest."""
        if not isinstance(sys.exc_info()[1], ConnectionError | ssl.SSLError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def _handler_for(server: LocalHTTPServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def log_message(self, format: str, *args: object) -> None:
            """Silence the per-request log lines on stderr."""

        def _answer(self, *, send_body: bool) -> None:
            path = self.path.split("?", 1)[0]
            server.hits.append(Hit(self.command, path, dict(self.headers.items())))
            route = server.routes.get(path)
            if route is None:
                self._send_status(404, b"not found")
            elif route.location:
                self.send_response(route.status)
                self.send_header("Location", route.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._send_route(route, send_body)

        def _send_status(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _send_route(self, route: Route, send_body: bool) -> None:
            size = route.size()
            try:
                span = _requested_range(self.headers.get("Range", ""), size) if route.send_length else None
            except ValueError:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            partial = span is not None
            first, last = span or (0, size - 1)
            self.send_response(206 if partial else route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Accept-Ranges", "bytes" if route.send_length else "none")
            for name, value in route.headers.items():
                self.send_header(name, value)
            if partial:
                self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            if route.send_length:
                self.send_header("Content-Length", str(last - first + 1))
            else:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if send_body:
                self._send_body(route, first, last - first + 1)

        def _send_body(self, route: Route, offset: int, length: int) -> None:
            for chunk in _chunks(route, offset, length):
                try:
                    if route.send_length:
                        self.wfile.write(chunk)
                    else:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up, e.g. after hitting its size cap
            if not route.send_length:
                self.wfile.write(b"0\r\n\r\n")

    return Handler


def _requested_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte asked for by a single-range ``Range`` header, or None without one.

    Raises ValueError when the range lies outside the body (answered with 416).
    """
    wanted = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if wanted is None or wanted.groups() == ("", ""):
        return None
    start, stop = wanted.groups()
    if start:
        first, last = int(start), min(int(stop or size - 1), size - 1)
    else:  # "bytes=-N": the last N bytes
        first, last = max(0, size - int(stop)), size - 1
    if first >= size or first > last:
        raise ValueError(header)
    return first, last


def _chunks(route: Route, offset: int, length: int):  # type: ignore[no-untyped-def]
    if route.file is None:
        yield (route.body or b"")[offset : offset + length]
        return
    with route.file.open("rb") as source:
        source.seek(offset)
        while length > 0:
            chunk = source.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
