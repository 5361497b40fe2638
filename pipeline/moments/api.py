"""``find_moments``: choose the analyser, run it, fall back when a language model fails, rank the result."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import numpy as np

from pipeline.config import PipelineConfig
from pipeline.moments.boundaries import SceneCutsNear
from pipeline.moments.features import analyse_transcript
from pipeline.moments.llm import ChunkedAnalyser, LLMFailure, RetryPolicy
from pipeline.moments.local import LocalAnalyser, rank_moments
from pipeline.moments.models import ANALYSER_LOCAL, Hooks, Moment, MomentsResult, SubScores
from pipeline.moments.options import MODEL_GEMINI, ClipOptions
from pipeline.moments.repair import RawClip, repair_clips
from pipeline.types import ProgressFn, Transcript, no_progress, scaled_progress

LOCAL_MODEL_NAME = "clipsite-local-1"


def find_moments(
    transcript: Transcript,
    options: ClipOptions,
    config: PipelineConfig,
    *,
    audio: np.ndarray | None = None,
    scene_cuts_near: SceneCutsNear | None = None,
    gemini_api_key: str | None = None,
    replays: Sequence[tuple[float, float, float]] = (),
    progress: ProgressFn = no_progress,
    llm_retry: RetryPolicy | None = None,
) -> MomentsResult:
    """Find, describe and rank the moments of ``transcript`` worth clipping.

    ``audio`` (16 kHz mono, aligned with the transcript's times) adds loudness to the
    pacing score and, in a conversation, the speaker turns the local analyser's clip edges
    follow. ``scene_cuts_near(t0, t1)`` is asked only around chosen clip edges,
    two at a time from separate threads.
    ``replays`` (the platform's "most replayed" graph as (start, end, value 0-1) on the
    transcript's timeline) lifts the parts viewers watch again.
    ``ClipAnything`` uses Gemini with ``gemini_api_key`` (or ``config.gemini_api_key``);
    without a key, the OpenAI-compatible server of ``config.llm_base_url`` and
    ``config.llm_model``; without either, or when the model fails, the local analyser
    answers and the result's ``warnings`` say so. ``llm_retry`` overrides the backoff,
    mainly so tests need not wait; the OpenAI-compatible server's timeout per request is
    always ``config.llm_timeout_seconds``.
    """
    options.validate()
    language = options.language or transcript.language
    warnings: list[str] = []
    if not transcript.sentences:
        warnings.append("The transcript has no sentences, so there were no moments to find.")
        return MomentsResult(moments=[], analyser=ANALYSER_LOCAL, model=LOCAL_MODEL_NAME, warnings=warnings)
    analysis = analyse_transcript(transcript)
    local = LocalAnalyser(analysis, options, audio, replays)
    count = options.count_for(transcript.duration)
    tokens_used = 0
    if options.model == MODEL_GEMINI:
        analyser = _llm_analyser(config, gemini_api_key, llm_retry)
        if analyser is None:
            warnings.append(
                "No Gemini API key was given and no local LLM is configured (LLM_BASE_URL and LLM_MODEL), "
                "so the local analyser chose the clips instead."
            )
        else:
            try:
                return _with_llm(analyser, local, options, count, language, scene_cuts_near, progress)
            except LLMFailure as failure:
                warnings.append(f"{failure}; the local analyser chose the clips instead.")
                tokens_used = failure.tokens_used
    found, left_out = local.find(count, progress=scaled_progress(progress, 0.0, 0.9))
    spans = local.fit_scenes(found, scene_cuts_near)
    moments = rank_moments([local.describe(span) for span in spans])
    if not moments:
        warnings.append(
            f"No stretch of speech fits clips of {options.min_length:g}-{options.max_length:g} seconds."
        )
    if left_out:
        warnings.append(_left_out(len(moments), count))
    progress(1.0, "moments found")
    return MomentsResult(
        moments=moments,
        analyser=ANALYSER_LOCAL,
        model=LOCAL_MODEL_NAME,
        warnings=warnings,
        tokens_used=tokens_used,
    )


def _llm_analyser(
    config: PipelineConfig, gemini_api_key: str | None, retry: RetryPolicy | None
) -> ChunkedAnalyser | None:
    """Gemini when a key is given, else the configured OpenAI-compatible server, else None.

    Each SDK is imported only here, so the local path never pays for loading it.
    """
    key = gemini_api_key or config.gemini_api_key
    if key:
        from pipeline.moments.gemini import GeminiAnalyser

        return GeminiAnalyser(key, config.gemini_model, base_url=config.gemini_base_url, retry=retry or RetryPolicy())
    if config.llm_base_url and config.llm_model:
        from pipeline.moments.openai_compat import OpenAICompatibleAnalyser

        return OpenAICompatibleAnalyser(
            config.llm_base_url,
            config.llm_model,
            api_key=config.llm_api_key,
            retry=dataclasses.replace(retry or RetryPolicy(), timeout_seconds=config.llm_timeout_seconds),
        )
    return None


def _with_llm(
    analyser: ChunkedAnalyser,
    local: LocalAnalyser,
    options: ClipOptions,
    count: int,
    language: str,
    scene_cuts_near: SceneCutsNear | None,
    progress: ProgressFn,
) -> MomentsResult:
    """The model's clips, repaired, topped up locally if too few; raises LLMFailure if none."""
    answer = analyser.propose(local.analysis, options, count, language, scaled_progress(progress, 0.0, 0.8))
    repaired, changed = repair_clips(
        answer.clips, local.analysis, local.edges, options.min_length, options.max_length
    )
    if not repaired:
        raise LLMFailure(
            f"{analyser.title} proposed no clip that fits the transcript and the length limits", answer.tokens_used
        )
    warnings = []
    if answer.failures:
        warnings.append(
            f"Part of the transcript could not be analysed ({answer.failures[0]}); the local analyser filled in."
        )
    changed += answer.repaired
    if changed:
        warnings.append(
            f"{changed} of the clips proposed by {analyser.name} were fitted to sentence and length limits "
            "or dropped as overlaps."
        )
    spans = [local.edges.span(first, last) for first, last in list(repaired)[:count]]
    if len(spans) < count:
        extra, left_out = local.find(count - len(spans), taken=spans)
        if extra:
            warnings.append(
                f"{analyser.title} proposed {len(spans)} usable clips; the local analyser added {len(extra)}."
            )
        spans += extra
        if left_out:
            warnings.append(_left_out(len(spans), count))
    moments = []
    for chosen, fitted in zip(spans, local.fit_scenes(spans, scene_cuts_near), strict=True):
        moment = local.describe(fitted)
        clip = repaired.get((chosen.first, chosen.last))
        if clip is not None:
            _overlay(moment, clip)
        moments.append(moment)
    progress(1.0, "moments found")
    return MomentsResult(
        moments=rank_moments(moments),
        analyser=analyser.kind,
        model=analyser.model,
        warnings=warnings,
        tokens_used=answer.tokens_used,
    )


def _left_out(kept: int, asked: int) -> str:
    """The warning for clips left out because the rest of the transcript holds no moment."""
    return (
        f"Only {kept} of the {asked} clips asked for were made: the rest of the video reads as greetings, "
        "housekeeping or filler rather than a moment worth posting."
    )


def _overlay(moment: Moment, clip: RawClip) -> None:
    """Replace the locally written fields with the model's where it gave usable ones."""
    fields = clip.fields
    moment.score = clip.score
    moment.scores = SubScores(
        **{
            name: fields[name] if fields[name] is not None else getattr(moment.scores, name)
            for name in ("hook", "pacing", "completeness", "shareability")
        }
    )
    moment.title = fields["title"] or moment.title
    moment.reason = fields["reason"] or moment.reason
    moment.hooks = Hooks(
        question=fields["hook_question"] or moment.hooks.question,
        statement=fields["hook_statement"] or moment.hooks.statement,
    )
    moment.description = fields["description"] or moment.description
    tags = [f"#{tag}" for tag in (re.sub(r"[^\w]", "", t.lower()) for t in fields["hashtags"]) if tag]
    moment.hashtags = list(dict.fromkeys(tags + moment.hashtags))[: max(3, min(5, len(tags)))]
    moment.emotions = [e.lower() for e in fields["emotions"]][:3] or moment.emotions
    moment.keywords = fields["keywords"][:5] or moment.keywords
