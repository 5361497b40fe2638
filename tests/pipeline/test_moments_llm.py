"""The ClipAnything battery, run against every provider through its real client and a local fake server.

Each test runs twice: Gemini (google-genai against ``FakeGemini``) and an OpenAI-compatible
server (the ``openai`` client against ``FakeOpenAI``). What one provider alone does on the
wire is tested in test_moments_gemini.py and test_moments_openai.py.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest

from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions, MomentsResult, find_moments
from pipeline.moments.features import analyse_transcript
from pipeline.moments.llm import RetryPolicy, chunk_ranges
from pipeline.types import Transcript
from tests.pipeline import gemini_server, openai_server
from tests.pipeline.gemini_server import FakeGemini
from tests.pipeline.openai_server import FakeOpenAI
from tests.pipeline.test_moments_local import (
    ADVICE,
    BAKING,
    GREETING,
    LOGISTICS,
    OUTRO,
    SPONSOR,
    STORY,
    timed_transcript,
)

KEY = "test-key-123"
MODEL = "test-model"
FAST = RetryPolicy(attempts=3, initial_delay=0.01, max_delay=0.02, timeout_seconds=10)
OPTIONS = {"min_length": 10, "max_length": 60, "clip_count": 3, "model": "ClipAnything"}


@dataclasses.dataclass(frozen=True)
class Provider:
    """One model provider: its fake server, and the config (and Gemini key) pointing at it."""

    analyser: str
    tokens: int  # what the fake server reports for one answer
    serve: Callable[..., Any]
    error: Callable[[int], Any]
    configure: Callable[[str], tuple[PipelineConfig, str | None]]


PROVIDERS = {
    "gemini": Provider(
        analyser="gemini",
        tokens=gemini_server.PROMPT_TOKENS + gemini_server.ANSWER_TOKENS,
        serve=FakeGemini,
        error=FakeGemini.error,
        configure=lambda url: (PipelineConfig(gemini_base_url=url, gemini_model=MODEL), KEY),
    ),
    "openai": Provider(
        analyser="openai-compatible",
        tokens=openai_server.PROMPT_TOKENS + openai_server.ANSWER_TOKENS,
        serve=FakeOpenAI,
        error=FakeOpenAI.error,
        configure=lambda url: (PipelineConfig(llm_base_url=f"{url}/v1", llm_model=MODEL), None),
    ),
}


@pytest.fixture(params=sorted(PROVIDERS))
def provider(request) -> Provider:
    return PROVIDERS[request.param]


def podcast() -> Transcript:
    # Sentences 0-4 greeting, 5-9 story, 10-12 sponsor, 13-18 advice, 19-21 logistics,
    # 22-26 baking, 27-28 outro.
    return timed_transcript(GREETING, STORY, SPONSOR, ADVICE, LOGISTICS, BAKING, OUTRO)


@pytest.fixture(scope="module")
def talk() -> Transcript:
    return podcast()


def clip(start: int, end: int, score: int, title: str, **extra) -> dict:
    return {
        "start_index": start, "end_index": end, "score": score, "title": title,
        "reason": f"Reason for {title}", "hook_question": f"{title}?", "hook_statement": f"{title}.",
        "description": f"About {title}. #one #two #three", "hashtags": ["one", "#Two", "three"],
        "emotions": ["Joy"], "keywords": ["alpha", "beta"], "hook": 90, "pacing": 70,
        "completeness": 80, "shareability": 85, **extra,
    }  # fmt: skip


GOOD = json.dumps({"clips": [clip(13, 18, 91, "Pay yourself first"), clip(5, 9, 84, "The crashed car")]})


def run(
    talk: Transcript, provider: Provider, replies: list, *, configured: bool = True, **options
) -> tuple[MomentsResult, list]:
    """find_moments with ClipAnything against ``provider``'s fake server replaying ``replies``."""
    with provider.serve(replies) as server:
        config, key = provider.configure(server.url) if configured else (PipelineConfig(), None)
        result = find_moments(talk, ClipOptions(**{**OPTIONS, **options}), config, gemini_api_key=key,
                              llm_retry=FAST)  # fmt: skip
    return result, server.requests


def test_it_uses_the_models_clips(talk, provider):
    result, requests = run(talk, provider, [GOOD])

    assert len(requests) == 1
    prompt = requests[0].prompt
    assert "[13] " in prompt and ADVICE[0] in prompt and "between 10 and 60 seconds" in prompt
    assert result.analyser == provider.analyser and result.model == MODEL
    assert result.tokens_used == provider.tokens
    top = result.moments[0]
    assert (top.title, top.score, top.rank) == ("Pay yourself first", 91, 1)
    assert top.sentence_indexes == list(range(13, 19))
    assert top.start <= talk.sentences[13].start and top.end >= talk.sentences[18].end
    assert top.hooks.question == "Pay yourself first?" and top.reason == "Reason for Pay yourself first"
    assert top.hashtags == ["#one", "#two", "#three"] and top.emotions == ["joy"]
    assert (top.scores.hook, top.scores.shareability) == (90, 85)
    # The model named two clips and three were asked for: the local analyser adds the third.
    assert len(result.moments) == 3
    assert any("local analyser added 1" in w for w in result.warnings)


def test_it_tops_up_with_local_moments_only_not_with_housekeeping(talk, provider):
    result, _ = run(talk, provider, [GOOD], clip_count=6)

    # The model's two clips, the local analyser's baking tip, and no clip of the greeting,
    # the sponsor read or the schedule.
    assert [m.sentence_indexes[0] for m in result.moments] == [13, 5, 22]
    assert any("local analyser added 1" in w for w in result.warnings)
    assert any(w.startswith("Only 3 of the 6 clips asked for were made") for w in result.warnings)


def test_it_retries_a_rate_limit_then_succeeds(talk, provider):
    result, requests = run(talk, provider, [provider.error(429), GOOD])

    assert len(requests) == 2
    assert result.analyser == provider.analyser and result.moments[0].title == "Pay yourself first"
    assert not any("could not" in w or "instead" in w for w in result.warnings)


def test_it_falls_back_to_the_local_analyser_when_the_model_keeps_failing(talk, provider):
    result, requests = run(talk, provider, [provider.error(500)])

    assert len(requests) == FAST.attempts
    assert result.analyser == "local" and len(result.moments) == 3
    assert any("HTTP 500" in w and "local analyser" in w for w in result.warnings)


@pytest.mark.parametrize("status", [400, 401, 403])
def test_it_does_not_retry_a_refused_request(talk, provider, status):
    result, requests = run(talk, provider, [provider.error(status)])

    assert len(requests) == 1
    assert result.analyser == "local" and any(f"HTTP {status}" in w for w in result.warnings)


def test_it_falls_back_when_the_answer_is_never_valid_json(talk, provider):
    result, requests = run(talk, provider, ['{"clips": [{"start_index": 13, "end_'])

    assert len(requests) == FAST.attempts
    assert result.analyser == "local"
    assert any("not valid clip JSON" in w for w in result.warnings)
    assert result.tokens_used == FAST.attempts * provider.tokens


def test_it_asks_again_after_one_malformed_answer(talk, provider):
    result, requests = run(talk, provider, ["Sure! Here are your clips:", "```json\n" + GOOD + "\n```"])

    assert len(requests) == 2 and result.analyser == provider.analyser
    assert result.tokens_used == 2 * provider.tokens


def test_it_repairs_indices_out_of_range(talk, provider):
    last = len(talk.sentences) - 1
    answer = json.dumps({"clips": [
        clip(500, 520, 99, "Beyond the end"),
        clip(22, 999, 88, "Baking to infinity"),
        clip(-3, -1, 95, "Before the start"),
        clip(18, 13, 80, "Backwards advice"),
    ]})  # fmt: skip

    result, _ = run(talk, provider, [answer])

    titles = {m.title: m for m in result.moments}
    assert "Beyond the end" not in titles and "Before the start" not in titles
    baking = titles["Baking to infinity"]
    assert baking.sentence_indexes[0] == 22 and baking.sentence_indexes[-1] <= last and baking.duration <= 60
    assert titles["Backwards advice"].sentence_indexes == list(range(13, 19))
    assert any("fitted" in w for w in result.warnings)


def test_it_keeps_the_better_of_overlapping_clips(talk, provider):
    answer = json.dumps({"clips": [
        clip(13, 16, 70, "Weaker overlap"), clip(14, 18, 92, "Stronger overlap"), clip(5, 9, 80, "Story"),
    ]})  # fmt: skip

    result, _ = run(talk, provider, [answer], clip_count=2)

    assert [m.title for m in result.moments] == ["Stronger overlap", "Story"]
    spans = sorted((m.start, m.end) for m in result.moments)
    assert spans[0][1] <= spans[1][0]


def test_it_grows_a_too_short_clip_to_the_minimum_length(talk, provider):
    result, _ = run(
        talk, provider, [json.dumps({"clips": [clip(16, 16, 90, "One line")]})], clip_count=1, min_length=15
    )

    moment = result.moments[0]
    assert moment.title == "One line" and moment.sentence_indexes[0] == 16
    assert 15 <= moment.duration <= 60


def test_it_uses_the_local_analyser_when_no_model_is_configured(talk, provider):
    result, requests = run(talk, provider, [GOOD], configured=False)

    assert requests == [] and result.analyser == "local" and len(result.moments) == 3
    warning = next(w for w in result.warnings if "No Gemini API key" in w)
    assert "LLM_BASE_URL" in warning and "LLM_MODEL" in warning


def test_it_sends_each_chunk_its_own_request_and_merges_the_answers(talk, provider, monkeypatch):
    monkeypatch.setattr("pipeline.moments.llm.CHUNK_SECONDS", 100.0)
    answers = [
        json.dumps({"clips": [clip(5, 9, 84, "The crashed car")]}),
        json.dumps({"clips": [clip(22, 26, 90, "Sourdough secret")]}),
    ]

    result, requests = run(talk, provider, answers, clip_count=2, max_length=30)

    assert len(requests) == 2
    assert "[5] " in requests[0].prompt and "[26] " not in requests[0].prompt
    assert "[26] " in requests[1].prompt and "[0] " not in requests[1].prompt
    assert [m.title for m in result.moments] == ["Sourdough secret", "The crashed car"]
    assert result.tokens_used == 2 * provider.tokens


def test_it_splits_long_transcripts_into_overlapping_chunks(talk):
    analysis = analyse_transcript(talk)

    chunks = chunk_ranges(analysis, chunk_seconds=40.0, overlap_seconds=10.0)

    assert chunks[0][0] == 0 and chunks[-1][1] == len(talk.sentences) - 1
    for (a0, a1), (b0, b1) in itertools.pairwise(chunks):
        assert a0 < b0 <= a1 < b1, "consecutive chunks must overlap and advance"
        assert analysis.first_word[a1] - analysis.first_word[b0] <= 10.0
    for first, last in chunks:
        assert analysis.last_word[last] - analysis.first_word[first] <= 40.0
