"""A ``ClipAnything`` analyser for any OpenAI-compatible chat endpoint (Ollama, llama.cpp, vLLM, LM Studio).

The official ``openai`` client sends each prompt to ``{base_url}/chat/completions``.
Chunking, prompts, backoff and answer checking live in :mod:`pipeline.moments.llm`; this
module only turns one prompt into one chat completion and its errors into
:class:`~pipeline.moments.llm.ProviderError`.

Structured output is asked for with ``response_format`` ``json_schema``. Servers that
refuse it (a 400 or 422 that names ``response_format`` or ``json_schema``) are asked
again at once with ``json_object``, and so is every later request to the same analyser;
the schema is also spelled out in the system message, so the model knows the shape either way.
"""

from __future__ import annotations

import http
import json
import re
from typing import Any
from urllib.parse import urlsplit

import openai

from pipeline.moments import llm
from pipeline.moments.models import ANALYSER_OPENAI

# Local servers mostly ignore the key but the client refuses to start without one.
NO_API_KEY = "not-needed"

_SYSTEM = f"{llm.INSTRUCTION}\nAnswer with JSON only, shaped by this JSON Schema: {json.dumps(llm.RESPONSE_SCHEMA)}"
_JSON_SCHEMA = {"type": "json_schema", "json_schema": {"name": "clips", "schema": llm.RESPONSE_SCHEMA}}
_JSON_OBJECT = {"type": "json_object"}
# Reasoning models served raw (DeepSeek-R1 distills, Qwen3 on llama.cpp) think aloud first.
_THINKING = re.compile(r"^\s*<think>.*?</think>", re.DOTALL)


class OpenAICompatibleAnalyser(llm.ChunkedAnalyser):
    """Asks one model behind an OpenAI-compatible ``/chat/completions`` endpoint for clips."""

    kind = ANALYSER_OPENAI

    def __init__(self, base_url: str, model: str, *, api_key: str = "", retry: llm.RetryPolicy = llm.DEFAULT_RETRY):
        """``base_url`` is the API root (``http://localhost:11434/v1``); an empty ``api_key`` sends ``not-needed``.

        The base URL is operator configuration (``LLM_BASE_URL``), never a user's input, so
        it may name a loopback or LAN host, where these servers usually listen: it does not
        go through the SSRF guard (:mod:`pipeline.netguard`) that user-submitted links do.
        """
        super().__init__(retry)
        # Our RetryPolicy backs off; the client's own retries would multiply the attempts.
        self.client = openai.OpenAI(
            base_url=base_url, api_key=api_key or NO_API_KEY, timeout=retry.timeout_seconds, max_retries=0
        )
        self.model = model
        self.name = f"the local LLM at {_host(base_url)}"
        self.structured = True

    def complete(self, prompt: str) -> llm.Completion:
        while True:
            try:
                response = self.client.chat.completions.create(
                    model=self.model,
                    messages=[{"role": "system", "content": _SYSTEM}, {"role": "user", "content": prompt}],
                    response_format=_JSON_SCHEMA if self.structured else _JSON_OBJECT,
                    temperature=0.3,
                )
                break
            except openai.APIStatusError as exc:
                if self.structured and _refuses_schema(exc):
                    self.structured = False
                    continue
                phrase = _phrase(exc.status_code)
                raise llm.ProviderError(
                    f"HTTP {exc.status_code}" + (f" ({phrase})" if phrase else ""),
                    retryable=exc.status_code in llm.RETRYABLE_STATUSES,
                ) from exc
            except openai.APITimeoutError as exc:
                problem = f"it did not answer within {self.retry.timeout_seconds:g} seconds"
                raise llm.ProviderError(problem, retryable=True) from exc
            except openai.APIConnectionError as exc:
                raise llm.ProviderError("it could not be reached", retryable=True) from exc
            except openai.APIError as exc:
                # A 2xx answer that is not a chat completion: a proxy's page, a wrong path.
                raise llm.ProviderError("it did not answer like an OpenAI-compatible server", retryable=True) from exc
        return llm.Completion(_text(response), _tokens(response))


def _refuses_schema(exc: openai.APIStatusError) -> bool:
    if exc.status_code not in (400, 422):
        return False
    said = f"{exc.param or ''} {exc.message} {exc.body if isinstance(exc.body, str) else ''}".lower()
    return "response_format" in said or "json_schema" in said


def _text(response: Any) -> str:
    # Loosely built responses may lack fields a real chat completion always has; an
    # empty text then fails clip parsing and is asked again like any unusable answer.
    choices = getattr(response, "choices", None) or []
    message = getattr(choices[0], "message", None) if choices else None
    content = getattr(message, "content", None)
    return _THINKING.sub("", content) if isinstance(content, str) else ""


def _tokens(response: Any) -> int:
    total = getattr(getattr(response, "usage", None), "total_tokens", None)
    return total if isinstance(total, int) else 0


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _host(base_url: str) -> str:
    """``host:port`` of the base URL: enough to say which server, without a path or credentials."""
    return urlsplit(base_url).netloc.rpartition("@")[2] or base_url
