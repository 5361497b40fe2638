"""The Gemini analyser (ClipAnything) on the wire: the real google-genai client against a local fake server.

What every provider must do (retries, fallback, repairs, chunks) is the shared battery in
test_moments_llm.py, which runs against this provider too.
"""

from __future__ import annotations

from pipeline.moments import ClipOptions, find_moments
from tests.pipeline.test_moments_llm import FAST, GOOD, KEY, MODEL, OPTIONS, PROVIDERS, podcast, run


def test_it_asks_gemini_through_google_genai_with_the_clip_schema():
    result, requests = run(podcast(), PROVIDERS["gemini"], [GOOD])

    sent = requests[0]
    assert sent.path == f"/v1beta/models/{MODEL}:generateContent"
    assert sent.headers["x-goog-api-key"] == KEY
    assert "short-form video editor" in sent.body["systemInstruction"]["parts"][0]["text"]
    generation = sent.body["generationConfig"]
    assert generation["responseMimeType"] == "application/json"
    clips = generation["responseSchema"]["properties"]["clips"]
    assert clips["type"] == "ARRAY" and "start_index" in clips["items"]["required"]
    assert result.analyser == "gemini" and result.moments[0].title == "Pay yourself first"


def test_it_prefers_gemini_when_a_local_llm_is_configured_too():
    with PROVIDERS["gemini"].serve([GOOD]) as gemini:
        config, key = PROVIDERS["gemini"].configure(gemini.url)
        config = config.replace(llm_base_url="http://127.0.0.1:9/v1", llm_model="unused")
        result = find_moments(podcast(), ClipOptions(**OPTIONS), config, gemini_api_key=key, llm_retry=FAST)

    assert len(gemini.requests) == 1 and result.analyser == "gemini"
