"""Plan a clip with two or more people shot by shot, from who is speaking.

Part of :func:`pipeline.reframe.plan_reframe`: the people come from its face pass, who
speaks when from :mod:`pipeline.speakers`; this module turns the turns into
:class:`~pipeline.framing.Shot` objects with their windows (a crop following the speaker,
or the two stacked split windows).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from pipeline import speakers
from pipeline.config import PipelineConfig
from pipeline.faces import Face
from pipeline.framing import (
    PROXY_FPS,
    ReframePlan,
    Shot,
    Window,
    clamp,
    decode_proxy,
    largest_window,
    simplify_path,
    smooth_path,
)


class FollowSpeakers:
    """Plans a clip with two or more people shot by shot from who is speaking (see :mod:`pipeline.speakers`)."""

    def __init__(
        self,
        plan: ReframePlan,
        persons: list[dict[int, Face]],
        times: np.ndarray,
        target: float,
        duration: float,
        split: list[Window],
    ):
        self.result, self.persons, self.times, self.target = plan, persons, times, target
        self.duration, self.split = duration, split

    def plan(
        self,
        source: Path,
        start: float,
        end: float,
        config: PipelineConfig,
        pins: Sequence[dict],
    ) -> bool:
        """Fill in the plan; False (plan untouched but for ``speakers``) when nobody was seen speaking."""
        plan, fps = self.result, speakers.MOUTH_FPS
        width, height = plan.source_width, plan.source_height
        frames, times = decode_proxy(source, start, end, width, height, config, fps=fps)
        factor = width / frames.shape[2] if len(frames) else 1.0
        openings = speakers.mouth_openings(frames, times, self.persons, PROXY_FPS, factor)
        active = speakers.active_speakers(openings, speakers.decode_voice(source, start, end, times, fps, config), fps)
        moving = speakers.activity(openings, fps)
        plan.speakers = [
            {
                "id": k,
                "x": round(float(np.median([f.cx for f in person.values()])) / width, 3),
                "speaking": speakers.speaking_spans(active, times, fps, k),
            }
            for k, person in enumerate(self.persons)
        ]
        if not pins and all(who is None for who in active):
            return False
        main = max(range(len(self.persons)), key=lambda k: len(self.persons[k]))
        turns = speakers.turns(active, times, fps, self.duration, stacked=bool(self.split), first=main, moving=moving)
        turns = _pinned(turns, pins, plan.speakers, self.duration)
        plan.shots = [
            Shot(
                turn.start,
                turn.end,
                turn.layout,
                turn.speaker,
                self.split if turn.layout == "split" else [self._window(turn.speaker, turn.start, turn.end)],
            )
            for turn in turns
        ]
        spent: dict[str, float] = {}
        for shot in plan.shots:
            spent[shot.layout] = spent.get(shot.layout, 0.0) + shot.end - shot.start
        plan.layout = max(spent, key=spent.__getitem__)
        if not plan.mixed:
            plan.windows = self.split if plan.layout == "split" else [_joined(s.windows[0] for s in plan.shots)]
        return True

    def _window(self, speaker: int, a: float, b: float) -> Window:
        """A window following ``speaker``'s face from ``a`` to ``b`` (clip seconds), held at both ends."""
        width, height = self.result.source_width, self.result.source_height
        w, h = largest_window(width, height, self.target)
        person = self.persons[speaker]
        idx = [i for i, t in enumerate(self.times) if a <= t < b]
        targets = [person.get(i) for i in idx]
        if any(targets):
            xs = smooth_path([f.cx if f else math.nan for f in targets], w, 1 / PROXY_FPS)
            ys = smooth_path([f.cy + 0.1 * h if f else math.nan for f in targets], w, 1 / PROXY_FPS)
            points = [[float(self.times[i]), x, y] for i, x, y in zip(idx, xs, ys, strict=True)]
        else:
            # The person is not seen in this stretch (or it lies between two proxy frames):
            # hold where they usually are.
            cy = float(np.median([f.cy for f in person.values()])) + 0.1 * h
            points = [[a, float(np.median([f.cx for f in person.values()])), cy]]
        points = [[a, *points[0][1:]], *points, [b, *points[-1][1:]]]
        path = [
            [round(t, 3), round(clamp(x - w / 2, 0, width - w), 2), round(clamp(y - h / 2, 0, height - h), 2)]
            for t, x, y in points
        ]
        return Window(w, h, simplify_path(path))


def _joined(windows: Iterable[Window]) -> Window:
    """One window through consecutive windows' paths: it jumps where one ends and the next starts."""
    windows = list(windows)
    return Window(windows[0].w, windows[0].h, [point for window in windows for point in window.path])


def _pinned(
    turns: list[speakers.Turn], pins: Sequence[dict], people: list[dict], duration: float
) -> list[speakers.Turn]:
    """``turns`` with each pin's stretch given, as a crop, to the person nearest its ``x``."""
    for pin in sorted(pins, key=lambda p: float(p["start"])):
        a, b = round(max(0.0, float(pin["start"])), 2), round(min(duration, float(pin["end"])), 2)
        if a >= b:
            continue
        who = min(people, key=lambda p: abs(p["x"] - float(pin["x"])))["id"]
        out = []
        for turn in turns:
            if turn.start < a:
                out.append(dataclasses.replace(turn, end=min(turn.end, a)))
            if turn.end > b:
                out.append(dataclasses.replace(turn, start=max(turn.start, b)))
        out.append(speakers.Turn(a, b, who, "crop"))
        turns = sorted(out, key=lambda t: t.start)
    return turns
