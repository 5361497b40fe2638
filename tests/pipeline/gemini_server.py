"""A fake Gemini API on loopback that speaks ``generateContent``, for the real google-genai client.

``FakeGemini`` answers ``POST /v1beta/models/{model}:generateContent`` from a script of
replies given by the test: each is a model text (wrapped in a candidate with usage
metadata, as Gemini answers) or an HTTP error status. Replies are used in order and the
last one repeats. Every request is recorded with its path, headers and JSON body, so a
test can check that the SDK really called it and sent the API key::

    with FakeGemini([FakeGemini.error(429), json.dumps({"clips": [...]})]) as gemini:
        config = PipelineConfig(gemini_base_url=gemini.url)
        ...
        assert gemini.requests[0].headers["x-goog-api-key"] == "test-key"
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_GENERATE = re.compile(r"^/v1beta/models/(?P<model>[^/:]+):generateContent$")
PROMPT_TOKENS = 120
ANSWER_TOKENS = 30


@dataclasses.dataclass
class Recorded:
    path: str
    model: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        return "".join(part.get("text", "") for content in self.body["contents"] for part in content["parts"])


@dataclasses.dataclass
class Reply:
    """One scripted answer: model ``text`` with status 200, or an error ``status``."""

    text: str = ""
    status: int = 200


class FakeGemini:
    """Threaded HTTP server on 127.0.0.1 replaying scripted ``generateContent`` answers."""

    def __init__(self, replies: list[Reply | str]):
        self.replies = [r if isinstance(r, Reply) else Reply(text=r) for r in replies]
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        # A short poll interval keeps shutdown, and so each test, quick.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @staticmethod
    def error(status: int) -> Reply:
        return Reply(status=status)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeGemini:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _next(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            return self.replies[min(len(self.requests), len(self.replies)) - 1]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                match = _GENERATE.match(self.path.split("?", 1)[0])
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if match is None:
                    self._send(404, {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}})
                    return
                headers = {key.lower(): value for key, value in self.headers.items()}
                reply = fake._next(Recorded(self.path, match["model"], headers, body))
                if reply.status != 200:
                    status = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}.get(
                        reply.status, "ERROR"
                    )
                    self._send(
                        reply.status,
                        {"error": {"code": reply.status, "message": "scripted", "status": status}},
                    )
                    return
                content = {"parts": [{"text": reply.text}], "role": "model"}
                self._send(200, {
                    "candidates": [{"content": content, "finishReason": "STOP"}],
                    "usageMetadata": {
                        "promptTokenCount": PROMPT_TOKENS,
                        "candidatesTokenCount": ANSWER_TOKENS,
                        "totalTokenCount": PROMPT_TOKENS + ANSWER_TOKENS,
                    },
                    "modelVersion": match["model"],
                })  # fmt: skip

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet."""

        return Handler
