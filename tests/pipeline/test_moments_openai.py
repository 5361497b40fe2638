"""The OpenAI-compatible analyser (ClipAnything on Ollama, llama.cpp, vLLM, LM Studio) on the wire.

The real ``openai`` client talks to ``FakeOpenAI`` on loopback. What every provider must
do (retries, fallback, repairs, chunks) is the shared battery in test_moments_llm.py,
which runs against this provider too.
"""

from __future__ import annotations

import json
import socket

import pytest

from pipeline.config import PipelineConfig
from pipeline.errors import ConfigError
from pipeline.moments import ClipOptions, MomentsResult, find_moments
from pipeline.moments.llm import INSTRUCTION
from tests.pipeline.openai_server import COMPLETIONS, FakeOpenAI, Reply
from tests.pipeline.test_moments_llm import FAST, GOOD, MODEL, OPTIONS, podcast


def ask(server: FakeOpenAI, **config) -> MomentsResult:
    """find_moments with ClipAnything and no Gemini key, the local LLM at ``server``."""
    settings = {"llm_base_url": f"{server.url}/v1", "llm_model": MODEL, **config}
    return find_moments(podcast(), ClipOptions(**OPTIONS), PipelineConfig(**settings), llm_retry=FAST)


def test_it_asks_the_server_through_the_openai_client_with_a_json_schema():
    with FakeOpenAI([GOOD]) as server:
        result = ask(server)

    sent = server.requests[0]
    assert sent.path == COMPLETIONS and sent.body["model"] == MODEL
    assert sent.headers["authorization"] == "Bearer not-needed"
    assert sent.system.startswith(INSTRUCTION) and "JSON" in sent.system
    assert "[13] " in sent.prompt
    response_format = sent.body["response_format"]
    assert response_format["type"] == "json_schema"
    schema = response_format["json_schema"]["schema"]
    assert schema["required"] == ["clips"] and "start_index" in schema["properties"]["clips"]["items"]["required"]
    assert (result.analyser, result.model) == ("openai-compatible", MODEL)
    assert result.moments[0].title == "Pay yourself first"


def test_it_sends_the_configured_api_key():
    with FakeOpenAI([GOOD]) as server:
        ask(server, llm_api_key="sk-local-42")

    assert server.requests[0].headers["authorization"] == "Bearer sk-local-42"


def test_it_falls_back_to_json_object_when_the_server_refuses_json_schema(monkeypatch):
    monkeypatch.setattr("pipeline.moments.llm.CHUNK_SECONDS", 100.0)
    answers = [
        json.dumps({"clips": [{"start_index": 5, "end_index": 9, "score": 84, "title": "The crashed car"}]}),
        json.dumps({"clips": [{"start_index": 22, "end_index": 26, "score": 90, "title": "Sourdough secret"}]}),
    ]

    options = ClipOptions(**{**OPTIONS, "clip_count": 2, "max_length": 30})

    with FakeOpenAI(answers, refuse_json_schema=True) as server:
        config = PipelineConfig(llm_base_url=f"{server.url}/v1", llm_model=MODEL)
        result = find_moments(podcast(), options, config, llm_retry=FAST)

    # Refused once, then json_object for that chunk and every later one.
    assert [r.body["response_format"]["type"] for r in server.requests] == ["json_schema", "json_object", "json_object"]
    assert result.analyser == "openai-compatible"
    assert [m.title for m in result.moments] == ["Sourdough secret", "The crashed car"]
    assert not any("instead" in w or "could not" in w for w in result.warnings)


def test_it_names_the_server_and_the_status_but_not_the_body_when_it_fails():
    with FakeOpenAI([FakeOpenAI.error(503, "model runner crashed: /srv/models/qwen.gguf")]) as server:
        result = ask(server)

    port = server.url.rsplit(":", 1)[1]
    assert len(server.requests) == FAST.attempts and result.analyser == "local"
    assert (
        f"The local LLM at 127.0.0.1:{port} failed: HTTP 503 (Service Unavailable) after {FAST.attempts} attempts; "
        "the local analyser chose the clips instead." in result.warnings
    )
    assert not any("/srv" in w or "crashed" in w for w in result.warnings)


def test_it_falls_back_when_the_server_cannot_be_reached():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = PipelineConfig(llm_base_url=f"http://admin:hunter2@127.0.0.1:{port}/v1", llm_model=MODEL)

    result = find_moments(podcast(), ClipOptions(**OPTIONS), config, llm_retry=FAST)

    assert result.analyser == "local" and len(result.moments) == 3
    warning = next(w for w in result.warnings if "could not be reached" in w)
    assert f"127.0.0.1:{port}" in warning and "hunter2" not in warning


def test_it_gives_up_on_a_request_after_llm_timeout():
    with FakeOpenAI([Reply(text=GOOD, delay=0.6)]) as server:
        result = ask(server, llm_timeout_seconds=0.15)

    assert len(server.requests) == FAST.attempts and result.analyser == "local"
    assert any("did not answer within 0.15 seconds" in w for w in result.warnings)


def test_it_reads_the_answer_after_a_reasoning_models_thinking():
    thinking = '<think>The advice block {"clips": []} looks strongest.</think>\n'

    with FakeOpenAI([thinking + GOOD]) as server:
        result = ask(server)

    assert len(server.requests) == 1 and result.moments[0].title == "Pay yourself first"


def test_it_reads_the_local_llm_from_the_environment():
    config = PipelineConfig.from_env({
        "LLM_BASE_URL": "http://localhost:11434/v1/", "LLM_MODEL": "qwen2.5:7b-instruct",
        "LLM_API_KEY": "sk-local", "LLM_TIMEOUT": "90",
    })  # fmt: skip

    assert (config.llm_base_url, config.llm_model) == ("http://localhost:11434/v1", "qwen2.5:7b-instruct")
    assert (config.llm_api_key, config.llm_timeout_seconds) == ("sk-local", 90.0)
    assert PipelineConfig.from_env({}).llm_base_url == ""


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"LLM_BASE_URL": "http://localhost:11434/v1"}, "LLM_MODEL"),
        ({"LLM_MODEL": "qwen2.5:7b-instruct"}, "LLM_BASE_URL"),
        ({"LLM_BASE_URL": "localhost:11434", "LLM_MODEL": "qwen"}, "LLM_BASE_URL"),
        ({"LLM_BASE_URL": "http://localhost:11434/v1", "LLM_MODEL": "qwen", "LLM_TIMEOUT": "soon"}, "LLM_TIMEOUT"),
    ],
)
def test_it_refuses_an_incomplete_or_malformed_local_llm_setting(env, named):
    with pytest.raises(ConfigError) as refused:
        PipelineConfig.from_env(env)

    assert named in refused.value.message
