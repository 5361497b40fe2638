"""What every language-model analyser (``ClipAnything``) shares, whoever serves the model.

Numbered sentences with their times go to the model in overlapping chunks
(:func:`chunk_ranges`, :func:`build_prompt`); it answers JSON shaped by
:data:`RESPONSE_SCHEMA` naming clips as sentence-number ranges with their metadata. Every
answer is checked and repaired (see :mod:`pipeline.moments.repair`). Rate limits, server
errors and unusable answers are asked again with exponential backoff (:class:`RetryPolicy`);
when a chunk still fails, or an answer never parses, :class:`LLMFailure` says why so the
caller can fall back to the local analyser.

A provider module (:mod:`~pipeline.moments.gemini`, :mod:`~pipeline.moments.openai_compat`)
is only its request/response edge: a :class:`ChunkedAnalyser` whose :meth:`~ChunkedAnalyser.complete`
sends one prompt and returns the model's text, raising :class:`ProviderError` when it cannot.
"""

from __future__ import annotations

import abc
import dataclasses
import math
import time

from pipeline.moments.features import TranscriptAnalysis
from pipeline.moments.options import ClipOptions
from pipeline.moments.repair import RawClip, parse_clips
from pipeline.types import ProgressFn, no_progress

# Sentences per request are bounded by time: 20 minutes of speech is about 3,500 words,
# which leaves the model room to compare moments without losing detail.
CHUNK_SECONDS = 1200.0
# HTTP statuses that say "not now" rather than "never": timeouts, rate limits, overload.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

INSTRUCTION = """\
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

_TEXT = {"type": "string"}
_INT = {"type": "integer"}
_WORDS = {"type": "array", "items": _TEXT}
# A plain JSON Schema: google-genai converts it to its own Schema, and OpenAI-compatible
# servers take it as is in ``response_format``.
CLIP_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "start_index": _INT,
        "end_index": _INT,
        "title": _TEXT,
        "reason": _TEXT,
        "hook_question": _TEXT,
        "hook_statement": _TEXT,
        "description": _TEXT,
        "hashtags": _WORDS,
        "emotions": _WORDS,
        "keywords": _WORDS,
        "score": _INT,
        "hook": _INT,
        "pacing": _INT,
        "completeness": _INT,
        "shareability": _INT,
    },
    "required": ["start_index", "end_index", "title", "reason", "score"],
}
RESPONSE_SCHEMA: dict = {
    "type": "object",
    "properties": {"clips": {"type": "array", "items": CLIP_SCHEMA}},
    "required": ["clips"],
}


class LLMFailure(Exception):
    """The model gave no usable answer; the message says why, in words for the user.

    ``tokens_used`` counts what the failed requests still cost.
    """

    def __init__(self, message: str, tokens_used: int = 0):
        super().__init__(message)
        self.tokens_used = tokens_used


class ProviderError(Exception):
    """One request failed; the message says how in plain words (``HTTP 503 (Service Unavailable)``).

    ``retryable`` is whether asking again later may help (a rate limit, an overloaded or
    unreachable server) rather than never (a bad key, a refused request).
    """

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to ask again after a rate limit, server error or bad answer."""

    attempts: int = 4
    initial_delay: float = 2.0
    max_delay: float = 30.0
    timeout_seconds: float = 180.0

    def delay(self, attempt: int) -> float:
        return min(self.max_delay, self.initial_delay * 2**attempt)


DEFAULT_RETRY = RetryPolicy()


@dataclasses.dataclass
class Completion:
    """The model's answer to one prompt and the tokens it cost."""

    text: str
    tokens_used: int


@dataclasses.dataclass
class LLMAnswer:
    """Clips proposed across all chunks (not yet repaired against each other) and tokens used."""

    clips: list[RawClip]
    tokens_used: int
    failed_chunks: list[tuple[int, int]]
    failures: list[str]
    repaired: int = 0


class ChunkedAnalyser(abc.ABC):
    """Asks one model for clips of one transcript, chunk by chunk, with backoff.

    Subclasses set ``name`` (how warnings name the model, mid-sentence: ``Gemini``, ``the
    local LLM at localhost:11434``), ``kind`` (``MomentsResult.analyser``) and ``model``,
    and implement :meth:`complete`.
    """

    name: str
    kind: str
    model: str

    def __init__(self, retry: RetryPolicy):
        self.retry = retry

    @property
    def title(self) -> str:
        """``name`` as it starts a sentence."""
        return self.name[:1].upper() + self.name[1:]

    @abc.abstractmethod
    def complete(self, prompt: str) -> Completion:
        """Send one prompt (with :data:`INSTRUCTION` and :data:`RESPONSE_SCHEMA`); return the answer.

        Raises :class:`ProviderError` when the request fails; the text is not checked here.
        """

    def propose(
        self,
        analysis: TranscriptAnalysis,
        options: ClipOptions,
        count: int,
        language: str,
        progress: ProgressFn = no_progress,
    ) -> LLMAnswer:
        """Ask for clips chunk by chunk; raise :class:`LLMFailure` if no chunk succeeds."""
        chunks = chunk_ranges(analysis, CHUNK_SECONDS, overlap_seconds=options.max_length)
        total = max(1.0, analysis.duration)
        answer = LLMAnswer(clips=[], tokens_used=0, failed_chunks=[], failures=[])
        for number, (first, last) in enumerate(chunks):
            progress(number / len(chunks), f"asking {self.name} ({number + 1}/{len(chunks)})")
            span = analysis.last_word[last] - analysis.first_word[first]
            wanted = min(count, max(2, math.ceil(count * span / total) + 1))
            prompt = build_prompt(analysis, first, last, options, wanted, language)
            try:
                answer.clips.extend(self._ask(prompt, first, last, answer))
            except LLMFailure as failure:
                answer.failed_chunks.append((first, last))
                answer.failures.append(str(failure))
        progress(1.0, f"{self.title} answered")
        if len(answer.failed_chunks) == len(chunks):
            raise LLMFailure(answer.failures[-1], answer.tokens_used)
        return answer

    def _ask(self, prompt: str, first: int, last: int, answer: LLMAnswer) -> list[RawClip]:
        problem = ""
        for attempt in range(self.retry.attempts):
            if attempt:
                time.sleep(self.retry.delay(attempt - 1))
            try:
                completion = self.complete(prompt)
            except ProviderError as error:
                problem = str(error)
                if not error.retryable:
                    raise LLMFailure(f"{self.title} failed: {problem}") from error
                continue
            answer.tokens_used += completion.tokens_used
            try:
                clips, repaired = parse_clips(completion.text, first, last)
            except ValueError as exc:
                problem = f"its answer was not valid clip JSON ({exc})"
                continue
            answer.repaired += repaired
            return clips
        raise LLMFailure(f"{self.title} failed: {problem} after {self.retry.attempts} attempts")


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


def build_prompt(
    analysis: TranscriptAnalysis, first: int, last: int, options: ClipOptions, wanted: int, language: str
) -> str:
    """The user prompt for sentences ``first..last``: the options, then one numbered line per sentence."""
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
