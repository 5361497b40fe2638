"""What the person asking for clips can choose, validated field by field.

:class:`ClipOptions` mirrors ScaleReach's ``config`` (``clipDurationMin``/``clipDurationMax``,
``genre``, ``clipModel``) and Ssemble's ``preferredLength``. Every refusal raises
:class:`ClipOptionsError`, whose ``field`` names the offending option so the REST layer
can answer 422 pointing at it.
"""

from __future__ import annotations

import dataclasses
import math
import re

from pipeline.errors import AnalysisError
from pipeline.types import JsonMixin

MODEL_LOCAL = "ClipBasic"
MODEL_GEMINI = "ClipAnything"
MODELS = (MODEL_LOCAL, MODEL_GEMINI)

GENRES = (
    "Auto",
    "Podcast",
    "Talk",
    "Interview",
    "Education",
    "Comedy",
    "Gaming",
    "Vlog",
    "News",
    "Sports",
    "Tutorial",
    "Business",
    "Motivation",
    "Review",
)

# Ssemble's ``preferredLength`` values as (minimum, maximum) seconds. Each range's lower
# bound leaves room for a complete thought while staying clearly inside its label.
PREFERRED_LENGTHS: dict[str, tuple[float, float]] = {
    "under30sec": (10.0, 30.0),
    "under60sec": (15.0, 60.0),
    "under90sec": (20.0, 90.0),
    "under3min": (45.0, 180.0),
    "under5min": (90.0, 300.0),
    "under10min": (180.0, 600.0),
}

MIN_CLIP_SECONDS = 5.0
MAX_CLIP_SECONDS = 600.0
MIN_CLIP_COUNT = 1
MAX_CLIP_COUNT = 30
MAX_KEYWORDS = 10
MAX_KEYWORD_CHARS = 50

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


class ClipOptionsError(AnalysisError):
    """An option has a value the analysers cannot use; ``field`` names the option."""

    code = "invalid_clip_options"

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclasses.dataclass
class ClipOptions(JsonMixin):
    """The choices that steer moment finding; the constructor validates and normalises them.

    ``preferred_length``, when given, replaces ``min_length``/``max_length`` with its range.
    ``clip_count`` of ``None`` means "choose from the video's length" (see :meth:`count_for`).
    ``language`` empty means the transcript's own language. Genre and model names are
    matched case-insensitively and stored in their canonical spelling.
    """

    min_length: float = 15.0
    max_length: float = 90.0
    clip_count: int | None = None
    genre: str = "Auto"
    language: str = ""
    keywords: list[str] = dataclasses.field(default_factory=list)
    model: str = MODEL_LOCAL
    preferred_length: str = ""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Normalise every field in place or raise :class:`ClipOptionsError` naming it."""
        if self.preferred_length:
            key = _choice("preferred_length", self.preferred_length, tuple(PREFERRED_LENGTHS))
            self.preferred_length = key
            self.min_length, self.max_length = PREFERRED_LENGTHS[key]
        self.min_length = _seconds("min_length", self.min_length)
        self.max_length = _seconds("max_length", self.max_length)
        if self.max_length < self.min_length + MIN_CLIP_SECONDS:
            raise ClipOptionsError(
                "max_length",
                f"max_length ({self.max_length:g} s) must be at least {MIN_CLIP_SECONDS:g} s longer than "
                f"min_length ({self.min_length:g} s).",
            )
        if self.clip_count is not None:
            self.clip_count = _whole("clip_count", self.clip_count, MIN_CLIP_COUNT, MAX_CLIP_COUNT)
        self.genre = _choice("genre", self.genre, GENRES)
        self.model = _choice("model", self.model, MODELS)
        self.language = _language(self.language)
        self.keywords = _keywords(self.keywords)

    def count_for(self, duration: float) -> int:
        """How many clips to return for a source of ``duration`` seconds.

        The explicit ``clip_count`` wins; otherwise one clip per two minutes of source,
        kept within 3-15 as ScaleReach and the self-hosted API do.
        """
        if self.clip_count is not None:
            return self.clip_count
        return int(min(15, max(3, round(duration / 120.0))))


def _seconds(field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ClipOptionsError(field, f"{field} must be a number of seconds; got {value!r}.")
    try:
        seconds = float(value)
    except ValueError:
        raise ClipOptionsError(field, f"{field} must be a number of seconds; got {value!r}.") from None
    if not math.isfinite(seconds) or not MIN_CLIP_SECONDS <= seconds <= MAX_CLIP_SECONDS:
        raise ClipOptionsError(
            field,
            f"{field} must be between {MIN_CLIP_SECONDS:g} and {MAX_CLIP_SECONDS:g} seconds; got {value!r}.",
        )
    return seconds


def _whole(field: str, value: object, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ClipOptionsError(field, f"{field} must be a whole number; got {value!r}.")
    try:
        number = float(value)
    except ValueError:
        raise ClipOptionsError(field, f"{field} must be a whole number; got {value!r}.") from None
    if not number.is_integer():
        raise ClipOptionsError(field, f"{field} must be a whole number; got {value!r}.")
    if not minimum <= number <= maximum:
        raise ClipOptionsError(field, f"{field} must be between {minimum} and {maximum}; got {value!r}.")
    return int(number)


def _choice(field: str, value: object, choices: tuple[str, ...]) -> str:
    if isinstance(value, str):
        wanted = value.strip().lower()
        for choice in choices:
            if choice.lower() == wanted:
                return choice
    raise ClipOptionsError(field, f"{field} must be one of {', '.join(choices)}; got {value!r}.")


def _language(value: object) -> str:
    if not isinstance(value, str) or (value.strip() and not _LANGUAGE.match(value.strip())):
        raise ClipOptionsError(
            "language", f"language must be a language code such as 'en' or 'pt-BR'; got {value!r}."
        )
    return value.strip()


def _keywords(value: object) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple):
        raise ClipOptionsError("keywords", f"keywords must be a list of words or phrases; got {value!r}.")
    keywords = []
    for item in value:
        if not isinstance(item, str):
            raise ClipOptionsError("keywords", f"keywords must be text; got {item!r}.")
        word = " ".join(item.split())
        if len(word) > MAX_KEYWORD_CHARS:
            raise ClipOptionsError(
                "keywords", f"keywords must each be at most {MAX_KEYWORD_CHARS} characters."
            )
        if word and word.lower() not in (k.lower() for k in keywords):
            keywords.append(word)
    if len(keywords) > MAX_KEYWORDS:
        raise ClipOptionsError("keywords", f"keywords must be at most {MAX_KEYWORDS}; got {len(keywords)}.")
    return keywords
