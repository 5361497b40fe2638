"""Checking and repairing what a language model says about clips.

:func:`parse_clips` turns the model's JSON text into :class:`RawClip` objects, dropping
clips whose sentence numbers fall outside the transcript part it was shown and
clamping those that stick out of it. :func:`repair_clips` then fits each clip to the
length bounds by whole sentences, drops overlaps and repeats (the higher score wins) and
keeps every field within its type and range. Nothing a model says is trusted as is.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from pipeline.moments.boundaries import Edges, WindowWords, pick_non_overlapping
from pipeline.moments.features import TranscriptAnalysis

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)
_TEXT_LIMITS = {"title": 100, "reason": 300, "hook_question": 150, "hook_statement": 150, "description": 600}
_SUB_SCORES = ("hook", "pacing", "completeness", "shareability")


@dataclasses.dataclass
class RawClip:
    """A clip as the model proposed it: a sentence range, its 0-100 score and its other fields."""

    first: int
    last: int
    score: int
    fields: dict[str, Any]
    adjusted: bool = False


def parse_clips(text: str, first: int, last: int) -> tuple[list[RawClip], int]:
    """Parse one answer for sentences ``first..last``; raise ValueError if it is not clip JSON.

    Returns the usable clips and how many proposals were dropped or clamped to the range.
    """
    try:
        data = json.loads(_FENCE.sub("", text.strip()))
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON at character {exc.pos}") from None
    items = data.get("clips") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError("no list of clips")
    clips, repaired = [], 0
    for item in items:
        clip = _raw_clip(item, first, last)
        if clip is None or clip.adjusted:
            repaired += 1
        if clip is not None:
            clips.append(clip)
    return clips, repaired


def _raw_clip(item: Any, first: int, last: int) -> RawClip | None:
    if not isinstance(item, dict):
        return None
    start, end = _int(item.get("start_index")), _int(item.get("end_index"))
    if start is None:
        return None
    if end is None:
        end = start
    adjusted = start > end or start < first or end > last
    start, end = min(start, end), max(start, end)
    if end < first or start > last:
        return None
    fields = {key: _text(item.get(key), limit) for key, limit in _TEXT_LIMITS.items()}
    fields.update({key: _score(item.get(key)) for key in _SUB_SCORES})
    fields.update({key: _words(item.get(key)) for key in ("hashtags", "emotions", "keywords")})
    return RawClip(max(first, start), min(last, end), _score(item.get("score")) or 0, fields, adjusted)


def repair_clips(
    clips: list[RawClip], analysis: TranscriptAnalysis, edges: Edges, min_length: float, max_length: float
) -> tuple[dict[tuple[int, int], RawClip], int]:
    """Fit clips to the bounds and to each other; return them by sentence range, best first.

    The count says how many proposals were changed or dropped on the way.
    """
    fitted: dict[tuple[int, int], RawClip] = {}
    changed = 0
    for clip in sorted(clips, key=lambda c: (-c.score, c.first)):
        bounds = fit_length(clip.first, clip.last, edges, min_length, max_length)
        if bounds != (clip.first, clip.last):
            changed += 1
        if bounds is not None and bounds not in fitted:
            fitted[bounds] = clip
    kept = pick_non_overlapping(list(fitted), len(fitted), WindowWords(analysis))
    changed += len(fitted) - len(kept)
    return {bounds: fitted[bounds] for bounds in kept}, changed


def fit_length(
    first: int, last: int, edges: Edges, min_length: float, max_length: float
) -> tuple[int, int] | None:
    """Grow or shrink ``first..last`` by whole sentences until its length fits, or None."""
    count = len(edges.starts)

    def length(a: int, b: int) -> float:
        return float(edges.ends[b] - edges.starts[a])

    while length(first, last) > max_length and last > first:
        last -= 1
    while length(first, last) < min_length:
        # Grow forward first: a model's range usually starts on the hook it chose.
        if last + 1 < count and length(first, last + 1) <= max_length:
            last += 1
        elif first > 0 and length(first - 1, last) <= max_length:
            first -= 1
        else:
            return None
    return (first, last) if length(first, last) <= max_length else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | str):
        try:
            return int(float(value))
        except ValueError:
            return None
    return None


def _score(value: Any) -> int | None:
    number = _int(value)
    return None if number is None else max(0, min(100, number))


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "\u2026"


def _words(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [" ".join(v.split()) for v in value if isinstance(v, str) and v.strip()][:8]
