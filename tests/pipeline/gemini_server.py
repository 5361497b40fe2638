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
import re
from typing import Any

from tests.pipeline.scripted_server import ScriptedServer

_GENERATE = re.compile(r"^/v1beta/models/(?P<model>[^/:]+):generateContent$")
PROMPT_TOKENS = 120
ANSWER_TOKENS = 30
_STATUS = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}


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


class FakeGemini(ScriptedServer[Reply]):
    """Threaded HTTP server on 127.0.0.1 replaying scripted ``generateContent`` answers."""

    def __init__(self, replies: list[Reply | str]):
        super().__init__([r if isinstance(r, Reply) else Reply(text=r) for r in replies])

    @staticmethod
    def error(status: int) -> Reply:
        return Reply(status=status)

    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        match = _GENERATE.match(path.split("?", 1)[0])
        if match is None:
            return 404, {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}}
        self.record(Recorded(path, match["model"], headers, body))
        reply = self.scripted()
        if reply.status != 200:
            status = _STATUS.get(reply.status, "ERROR")
            return reply.status, {"error": {"code": reply.status, "message": "scripted", "status": status}}
        return 200, {
            "candidates": [{"content": {"parts": [{"text": reply.text}], "role": "model"}, "finishReason": "STOP"}],
            "usageMetadata": {
                "promptTokenCount": PROMPT_TOKENS,
                "candidatesTokenCount": ANSWER_TOKENS,
                "totalTokenCount": PROMPT_TOKENS + ANSWER_TOKENS,
            },
            "modelVersion": match["model"],
        }
