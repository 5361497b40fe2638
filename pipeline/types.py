"""Dataclasses shared by the pipeline steps.

Every step takes paths and these dataclasses and returns them. They serialise to
plain JSON through :meth:`JsonMixin.to_dict` so the Django side can store them and the
CLI can print them without knowing their shape.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T", bound="JsonMixin")
R = TypeVar("R")


def per_thread(factory: Callable[[], R]) -> Callable[[], R]:
    """``factory()``'s result made once per thread, like ``functools.cache`` per thread.

    For models whose objects keep per-call state (OpenCV's DNN nets): each thread that
    renders gets its own, so clips can render side by side in threads.
    """
    local = threading.local()

    @functools.wraps(factory)
    def get() -> R:
        if not hasattr(local, "value"):
            local.value = factory()
        return local.value

    return get


class ProgressFn(Protocol):
    """Progress callback: ``fraction`` in [0, 1] of the current step, and a short label."""

    def __call__(self, fraction: float, message: str = "") -> None: ...


def no_progress(fraction: float, message: str = "") -> None:
    """The default progress callback: ignores every report."""


def scaled_progress(progress: ProgressFn, start: float, end: float) -> ProgressFn:
    """Return a callback that maps a sub-step's [0, 1] onto ``[start, end]`` of ``progress``."""

    def report(fraction: float, message: str = "") -> None:
        fraction = min(1.0, max(0.0, fraction))
        progress(start + (end - start) * fraction, message)

    return report


class JsonMixin:
    """Adds JSON round-tripping to a dataclass whose fields are JSON-friendly."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_dict(cls: type[T], data: dict[str, Any]) -> T:
        """Build the dataclass from :meth:`to_dict` output, recursing into nested dataclasses."""
        return _build(cls, data)


def _build(cls: Any, data: Any) -> Any:
    if not dataclasses.is_dataclass(cls) or not isinstance(data, dict):
        return data
    hints = _field_types(cls)
    kwargs = {}
    for field in dataclasses.fields(cls):
        if field.name not in data:
            continue
        kwargs[field.name] = _convert(hints.get(field.name), data[field.name])
    return cls(**kwargs)


def _convert(hint: Any, value: Any) -> Any:
    origin = getattr(hint, "__origin__", None)
    if origin is list and isinstance(value, list):
        (item,) = hint.__args__
        return [_convert(item, v) for v in value]
    if dataclasses.is_dataclass(hint):
        return _build(hint, value)
    args = getattr(hint, "__args__", ())
    for arg in args:  # Optional[Dataclass]
        if dataclasses.is_dataclass(arg) and isinstance(value, dict):
            return _build(arg, value)
    return value


def _field_types(cls: Any) -> dict[str, Any]:
    import typing

    return typing.get_type_hints(cls)


@dataclasses.dataclass
class Word(JsonMixin):
    """One recognised word with its time span in seconds from the start of the source."""

    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclasses.dataclass
class Sentence(JsonMixin):
    """A sentence in Ssemble's shape (``index``, ``sentence``, ``start``, ``end``) plus its words."""

    index: int
    sentence: str
    start: float
    end: float
    words: list[Word] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Transcript(JsonMixin):
    """The transcription of a media file.

    Invariants: word times are monotonic and lie within ``[0, duration]``; every
    sentence's span covers its words; sentences are indexed from 0 in order.
    """

    language: str
    duration: float
    words: list[Word] = dataclasses.field(default_factory=list)
    sentences: list[Sentence] = dataclasses.field(default_factory=list)
    model: str = ""

    @property
    def text(self) -> str:
        return " ".join(s.sentence for s in self.sentences)


@dataclasses.dataclass
class MediaInfo(JsonMixin):
    """What ffprobe says about a validated media file.

    ``width``/``height`` are the displayed size, i.e. already swapped for a rotation of
    90 or 270 degrees, so callers never need to think about rotation again.
    """

    path: str
    duration: float
    size_bytes: int
    format_name: str
    has_video: bool
    has_audio: bool
    width: int = 0
    height: int = 0
    rotation: int = 0
    fps: float = 0.0
    video_codec: str = ""
    audio_codec: str = ""
    audio_sample_rate: int = 0
    audio_channels: int = 0
    start_time: float = 0.0

    @property
    def is_vertical(self) -> bool:
        return self.height > self.width
