"""The Gemini analyser (``ClipAnything``): google-genai's ``generateContent`` as a :class:`ChunkedAnalyser`.

Chunking, prompts, backoff and answer checking live in :mod:`pipeline.moments.llm`; this
module only turns one prompt into one ``generateContent`` call and its errors into
:class:`~pipeline.moments.llm.ProviderError`.
"""

from __future__ import annotations

from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from pipeline.moments import llm
from pipeline.moments.models import ANALYSER_GEMINI


class GeminiAnalyser(llm.ChunkedAnalyser):
    """Asks one Gemini model for clips of one transcript."""

    name = "Gemini"
    kind = ANALYSER_GEMINI

    def __init__(
        self,
        api_key: str,
        model: str,
        *,
        base_url: str = "",
        retry: llm.RetryPolicy = llm.DEFAULT_RETRY,
    ):
        super().__init__(retry)
        # The Gemini API's generateContent lives under v1beta; naming it keeps a custom
        # base URL (a proxy or a test server) on the same path as Google's endpoint.
        options = types.HttpOptions(api_version="v1beta", timeout=int(retry.timeout_seconds * 1000))
        if base_url:
            options.base_url = base_url
        self.client = genai.Client(api_key=api_key, http_options=options)
        self.model = model
        self.config = types.GenerateContentConfig(
            system_instruction=llm.INSTRUCTION,
            response_mime_type="application/json",
            # The SDK turns the plain JSON Schema into its own Schema (keeping property order).
            response_schema=llm.RESPONSE_SCHEMA,
            temperature=0.3,
            # No tools are offered, so the SDK's automatic function calling has nothing to do.
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )

    def complete(self, prompt: str) -> llm.Completion:
        try:
            response = self.client.models.generate_content(model=self.model, contents=prompt, config=self.config)
        except genai_errors.APIError as exc:
            problem = f"HTTP {exc.code} ({exc.status or exc.message or 'error'})"
            raise llm.ProviderError(problem, retryable=exc.code in llm.RETRYABLE_STATUSES) from exc
        except Exception as exc:
            # The SDK raises transport errors from whichever HTTP library it loaded
            # (httpx, httpx2, aiohttp); each of them means Gemini was not reached.
            raise llm.ProviderError(f"it could not be reached ({type(exc).__name__})", retryable=True) from exc
        usage = response.usage_metadata
        return llm.Completion(response.text or "", (usage.total_token_count or 0) if usage else 0)
