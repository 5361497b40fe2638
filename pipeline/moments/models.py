"""The moments the analysers return, in a shape covering ScaleReach's and Ssemble's clip objects."""

from __future__ import annotations

import dataclasses
import uuid

from pipeline.types import JsonMixin

ANALYSER_LOCAL = "local"
ANALYSER_GEMINI = "gemini"
ANALYSER_OPENAI = "openai-compatible"

# A fixed namespace makes moment ids stable: the same clip of the same source text gets
# the same id on every run, which keeps re-analysis idempotent for the Django side.
_ID_NAMESPACE = uuid.UUID("5b0f6c1e-3f7a-4d8e-9a43-1c2d7e9b6a10")


@dataclasses.dataclass
class SubScores(JsonMixin):
    """The four criteria behind a viral score, each 0-100 (Ssemble's "understanding the score")."""

    hook: int = 0
    pacing: int = 0
    completeness: int = 0
    shareability: int = 0


@dataclasses.dataclass
class Hooks(JsonMixin):
    """Two opening lines for the clip: ScaleReach's ``hooks {question, statement}``."""

    question: str = ""
    statement: str = ""


@dataclasses.dataclass
class Moment(JsonMixin):
    """One ranked clip. ``start``/``end`` are seconds in the source, padded and never inside a word.

    ``score`` is the viral score (ScaleReach ``score``, Ssemble ``viral_score``); ``reason``
    is ScaleReach's ``viralityReason``/Ssemble's ``reason``; ``sentence_indexes`` are
    indexes into the transcript's sentences (Ssemble ``sentenceIndexes``).
    """

    id: str
    rank: int
    title: str
    start: float
    end: float
    duration: float
    score: int
    scores: SubScores
    reason: str
    transcript: str
    sentence_indexes: list[int]
    hooks: Hooks
    description: str
    hashtags: list[str]
    emotions: list[str]
    keywords: list[str]


@dataclasses.dataclass
class MomentsResult(JsonMixin):
    """The ranked moments and how they were found.

    ``analyser`` is the one that produced the moments (``local``, ``gemini`` or
    ``openai-compatible``), which is ``local`` after a language model failed; ``warnings``
    then says why, in words for the user. ``model`` names the model that analyser used.
    """

    moments: list[Moment]
    analyser: str
    model: str
    warnings: list[str] = dataclasses.field(default_factory=list)
    tokens_used: int = 0


def moment_id(start: float, end: float, transcript: str) -> str:
    """A deterministic UUID for a clip span and its words."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"{start:.3f}|{end:.3f}|{transcript}"))
