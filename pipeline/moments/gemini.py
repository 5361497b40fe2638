"""The Gemini analyser (``ClipAnything``) through google-genai's ``generateContent``.

Numbered sentences with their times go to the model in overlapping chunks; it answers
JSON (``response_schema``) naming clips as sentence-number ranges with their metadata.
Every answer is checked and repaired (see :mod:`pipeline.moments.repair`). Rate limits
and server errors are retried with exponential backoff; when a chunk still fails, or an
answer never parses, :class:`GeminiFailure` says why so the caller can fall back.
"""

from __future__ import annotations

import dataclasses
import math
import time

from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from pipeline.moments.features import TranscriptAnalysis
from pipeline.moments.options import ClipOptions
from pipeline.moments.repair import RawClip, parse_clips
from pipeline.types import ProgressFn, no_progress

# Sentences per request are bounded by time: 20 minutes of speech is about 3,500 words,
# which leaves the model room to compare moments without losing detail.
CHUNK_SECONDS = 1200.0
_RETRYABLE = {408, 429, 500, 502, 503, 504}

_INSTRUCTION = """\
You are a short-form video editor. From a transcript given as numbered sentences with \
start and end times in seconds, pick the moments most likely to go viral as standalone \
vertical clips (TikTok, Reels, Shorts).
Each clip is a contiguous range of whole sentences, from start_index to end_index inclusive.
Judge each clip on four criteria, each 0-100: hook (do the first seconds grab attention: \
a question, a bold claim, a number, conflict?), pacing (lively delivery, no dead air), \
completeness (a whole story or insight that makes sense without context: it must not \
start by referring to earlier talk nor end mid-thought) and shareability (advice, \
surprise or emotion people will share, save or comment on). score is the overall \
viral score 0-100.
Never pick greetings, logistics, sponsor reads, technical checks or other housekeeping.
Clips must not overlap. Write title, reason, hooks, description, hashtags, emotions and \
keywords in the requested language; the description is a social caption ending with \
3 to 5 hashtags."""

_TEXT = types.Schema(type=types.Type.STRING)
_INT = types.Schema(type=types.Type.INTEGER)
_CLIP_SCHEMA = types.Schema(
    type=types.Type.OBJECT,
    properties={
        "start_index": _INT,
        "end_index": _INT,
        "title": _TEXT,
        "reason": _TEXT,
        "hook_question": _TEXT,
        "hook_statement": _TEXT,
        "description": _TEXT,
        "hashtags": types.Schema(type=types.Type.ARRAY, items=_TEXT),
        "emotions": types.Schema(type=types.Type.ARRAY, items=_TEXT),
        "keywords": types.Schema(type=types.Type.ARRAY, items=_TEXT),
        "score": _INT,
        "hook": _INT,
        "pacing": _INT,
        "completeness": _INT,
        "shareability": _INT,
    },
    required=["start_index", "end_index", "title", "reason", "score"],
)
RESPONSE_SCHEMA = types.Schema(
    type=types.Type.OBJECT,
    properties={"clips": types.Schema(type=types.Type.ARRAY, items=_CLIP_SCHEMA)},
    required=["clips"],
)


class GeminiFailure(Exception):
    """Gemini gave no usable answer; the message says why, in words for the user.

    ``tokens_used`` counts what the failed requests still cost.
    """

    def __init__(self, message: str, tokens_used: int = 0):
        super().__init__(message)
        self.tokens_used = tokens_used


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to ask again after a rate limit, server error or bad answer."""

    attempts: int = 4
    initial_delay: float = 2.0
    max_delay: float = 30.0
    timeout_seconds: float = 180.0

    def delay(self, attempt: int) -> float:
        return min(self.max_delay, self.initial_delay * 2**attempt)


@dataclasses.dataclass
class GeminiAnswer:
    """Clips proposed across all chunks (not yet repaired against each other) and tokens used."""

    clips: list[RawClip]
    tokens_used: int
    failed_chunks: list[tuple[int, int]]
    failures: list[str]
    repaired: int = 0


class GeminiAnalyser:
    """Asks one Gemini model for clips of one transcript."""

    def __init__(
        self,
        api_key: str,
        model: str,
        *,
        base_url: str = "",
        retry: RetryPolicy = RetryPolicy(),
    ):
        # The Gemini API's generateContent lives under v1beta; naming it keeps a custom
        # base URL (a proxy or a test server) on the same path as Google's endpoint.
        options = types.HttpOptions(api_version="v1beta", timeout=int(retry.timeout_seconds * 1000))
        if base_url:
            options.base_url = base_url
        self.client = genai.Client(api_key=api_key, http_options=options)
        self.model = model
        self.retry = retry

    def propose(
        self,
        analysis: TranscriptAnalysis,
        options: ClipOptions,
        count: int,
        language: str,
        progress: ProgressFn = no_progress,
    ) -> GeminiAnswer:
        """Ask for clips chunk by chunk; raise :class:`GeminiFailure` if no chunk succeeds."""
        chunks = chunk_ranges(analysis, CHUNK_SECONDS, overlap_seconds=options.max_length)
        total = max(1.0, analysis.duration)
        answer = GeminiAnswer(clips=[], tokens_used=0, failed_chunks=[], failures=[])
        for number, (first, last) in enumerate(chunks):
            progress(number / len(chunks), f"asking Gemini ({number + 1}/{len(chunks)})")
            span = analysis.last_word[last] - analysis.first_word[first]
            wanted = min(count, max(2, math.ceil(count * span / total) + 1))
            prompt = _prompt(analysis, first, last, options, wanted, language)
            try:
                answer.clips.extend(self._ask(prompt, first, last, answer))
            except GeminiFailure as failure:
                answer.failed_chunks.append((first, last))
                answer.failures.append(str(failure))
        progress(1.0, "Gemini answered")
        if len(answer.failed_chunks) == len(chunks):
            raise GeminiFailure(answer.failures[-1], answer.tokens_used)
        return answer

    def _ask(self, prompt: str, first: int, last: int, answer: GeminiAnswer) -> list[RawClip]:
        config = types.GenerateContentConfig(
            system_instruction=_INSTRUCTION,
            response_mime_type="application/json",
            response_schema=RESPONSE_SCHEMA,
            temperature=0.3,
            # No tools are offered, so the SDK's automatic function calling has nothing to do.
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )
        problem = ""
        for attempt in range(self.retry.attempts):
            if attempt:
                time.sleep(self.retry.delay(attempt - 1))
            try:
                response = self.client.models.generate_content(
                    model=self.model, contents=prompt, config=config
                )
            except genai_errors.APIError as exc:
                problem = f"Gemini answered HTTP {exc.code} ({exc.status or exc.message or 'error'})"
                if exc.code not in _RETRYABLE:
                    raise GeminiFailure(problem) from exc
                continue
            except Exception as exc:
                # The SDK raises transport errors from whichever HTTP library it loaded
                # (httpx, httpx2, aiohttp); each of them means Gemini was not reached.
                problem = f"Gemini could not be reached ({type(exc).__name__})"
                continue
            usage = response.usage_metadata
            answer.tokens_used += (usage.total_token_count or 0) if usage else 0
            try:
                clips, repaired = parse_clips(response.text or "", first, last)
            except ValueError as exc:
                problem = f"Gemini's answer was not valid clip JSON ({exc})"
                continue
            answer.repaired += repaired
            return clips
        raise GeminiFailure(f"{problem} after {self.retry.attempts} attempts")


def chunk_ranges(
    analysis: TranscriptAnalysis, chunk_seconds: float, overlap_seconds: float
) -> list[tuple[int, int]]:
    """Sentence ranges of at most ``chunk_seconds`` that overlap by ``overlap_seconds``.

    The overlap is one longest clip, so a moment straddling a chunk border lies whole
    inside one of the two chunks.
    """
    count = len(analysis.sentences)
    chunks: list[tuple[int, int]] = []
    first = 0
    while first < count:
        last = first
        while last + 1 < count and analysis.last_word[last + 1] - analysis.first_word[first] <= chunk_seconds:
            last += 1
        chunks.append((first, last))
        if last == count - 1:
            break
        restart = last
        while (
            restart > first + 1
            and analysis.first_word[last] - analysis.first_word[restart - 1] <= overlap_seconds
        ):
            restart -= 1
        first = max(first + 1, restart)
    return chunks


def _prompt(
    analysis: TranscriptAnalysis, first: int, last: int, options: ClipOptions, wanted: int, language: str
) -> str:
    lines = [
        f"Genre: {options.genre}.",
        f"Language for all text you write: {language or 'the transcript language'}.",
        f"Each clip must last between {options.min_length:g} and {options.max_length:g} seconds.",
        f"Return up to {wanted} clips, best first.",
    ]
    if options.keywords:
        lines.append(f"Prefer moments about: {', '.join(options.keywords)}.")
    lines.append("")
    lines.append("Sentences ([number] start-end seconds: text):")
    for index in range(first, last + 1):
        sentence = analysis.sentences[index]
        lines.append(f"[{index}] {sentence.start:.1f}-{sentence.end:.1f}: {sentence.sentence.strip()}")
    return "\n".join(lines)
