"""A fake OpenAI-compatible server on loopback that speaks chat completions, for the real ``openai`` client.

``FakeOpenAI`` answers ``POST /v1/chat/completions`` from a script of replies given by
the test: each is an assistant message text (wrapped in a ``chat.completion`` with
``usage`` tokens, as OpenAI, Ollama, llama.cpp and vLLM answer) or an HTTP error status
with a body in OpenAI's error shape. Replies are used in order and the last one repeats.
With ``refuse_json_schema`` it answers every ``response_format`` of type ``json_schema``
with 400, as servers without structured output do, without using a scripted reply. Every
request is recorded with its path, headers and JSON body::

    with FakeOpenAI([FakeOpenAI.error(429), json.dumps({"clips": [...]})]) as server:
        config = PipelineConfig(llm_base_url=server.url + "/v1", llm_model="qwen")
        ...
        assert server.requests[0].headers["authorization"] == "Bearer not-needed"
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from typing import Any

from tests.pipeline.scripted_server import ScriptedServer

COMPLETIONS = "/v1/chat/completions"
PROMPT_TOKENS = 110
ANSWER_TOKENS = 25
# OpenAI's error ``type`` and ``code`` for the statuses tests script.
_ERRORS = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    503: ("server_error", "overloaded"),
}
SCHEMA_REFUSAL = "Unsupported response_format type: json_schema"


@dataclasses.dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        return "".join(m["content"] for m in self.body["messages"] if m["role"] == "user")

    @property
    def system(self) -> str:
        return "".join(m["content"] for m in self.body["messages"] if m["role"] == "system")


@dataclasses.dataclass
class Reply:
    """One scripted answer: assistant ``text`` with status 200, or an error ``status`` with ``message``.

    ``delay`` seconds pass before it is sent, for timeouts.
    """

    text: str = ""
    status: int = 200
    message: str = "scripted"
    delay: float = 0.0


class FakeOpenAI(ScriptedServer[Reply]):
    """Threaded HTTP server on 127.0.0.1 replaying scripted chat-completion answers."""

    def __init__(self, replies: list[Reply | str], *, refuse_json_schema: bool = False):
        super().__init__([r if isinstance(r, Reply) else Reply(text=r) for r in replies])
        self.refuse_json_schema = refuse_json_schema
        self._ids = itertools.count(1)

    @staticmethod
    def error(status: int, message: str = "scripted") -> Reply:
        return Reply(status=status, message=message)

    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if path.split("?", 1)[0] != COMPLETIONS:
            return _error(404, f"Invalid URL (POST {path})")
        self.record(Recorded(path, headers, body))
        if self.refuse_json_schema and body.get("response_format", {}).get("type") == "json_schema":
            return _error(400, SCHEMA_REFUSAL)
        reply = self.scripted()
        time.sleep(reply.delay)
        if reply.status != 200:
            return _error(reply.status, reply.message)
        return 200, {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": body.get("model", ""),
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": reply.text, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }],
            "usage": {
                "prompt_tokens": PROMPT_TOKENS,
                "completion_tokens": ANSWER_TOKENS,
                "total_tokens": PROMPT_TOKENS + ANSWER_TOKENS,
            },
        }  # fmt: skip


def _error(status: int, message: str) -> tuple[int, dict[str, Any]]:
    kind, code = _ERRORS.get(status, ("api_error", None))
    return status, {"error": {"message": message, "type": kind, "param": None, "code": code}}
