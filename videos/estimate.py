"""The time left of a running video, estimated from this machine's measured speeds.

Every finished video measured its stages (``Video.timings``: wall seconds per stage, and
the render from its clips' creation to its completion). Divided by the seconds of source
(or, for the render, of clips) they are speeds of this deployment's own hardware, network
and worker count; the median of the recent ones is the speed used. The speeds are pooled
across workspaces because they describe the machine, and only their medians leave here.

A running video's estimate is the sum of its remaining stages at those speeds, with the
current stage counted by the share of it its progress says is left. While clips render,
the video's own pace (wall seconds per second of finished clip since rendering began) is
used once a clip has finished, because it already counts the workers at hand and the
load of the moment. Without a measured speed for a stage still to come there is no
estimate (``None``): a fresh install shows one from its first finished video on, or from
the first finished clip of the one running.
"""

from __future__ import annotations

import dataclasses
import statistics
from datetime import datetime

from django.db.models import F, Min, Sum
from django.utils import timezone

from clips.models import Clip
from videos.models import Video

Status = Video.Status
# The stages after the queue, in order, with the ``Video.timings`` key each is measured by.
STAGES = (
    (Status.DOWNLOADING, "download"),
    (Status.UPLOADING, "upload"),
    (Status.TRANSCRIBING, "transcribe"),
    (Status.ANALYZING, "analyze"),
    (Status.GENERATING_CLIPS, "render"),
)
# How many recent finished videos the speeds are the median of: enough to ride out one
# odd run, few enough to follow a change of hardware or workers within a day's work.
RECENT = 20


@dataclasses.dataclass(frozen=True)
class Speeds:
    """Wall seconds per second of source for each stage (``render`` too, for a video whose
    clips are not made yet), and ``render_per_clip_second``: wall seconds of the render
    stage per second of clips. A stage never measured is missing."""

    per_source_second: dict[str, float]
    render_per_clip_second: float | None


def measured_speeds(recent: int = RECENT) -> Speeds:
    """The medians of the last ``recent`` completed videos' speeds on this deployment."""
    finished = (
        Video.objects.filter(status=Status.COMPLETED, duration__gt=0, finished_at__isnull=False)
        .exclude(timings={})
        .annotate(render_from=Min("clips__created_at"))
        .order_by("-finished_at")[:recent]
    )
    rows = list(finished.values("pk", "duration", "timings", "finished_at", "render_from"))
    # Seconds of the clips each video rendered in that stage (clips made later are not).
    clip_seconds = dict(
        Clip.objects.filter(video__in=[row["pk"] for row in rows], created_at__lte=F("video__finished_at"))
        .order_by()
        .values("video")
        .annotate(seconds=Sum(F("end") - F("start")))
        .values_list("video", "seconds")
    )
    per_stage: dict[str, list[float]] = {key: [] for _, key in STAGES}
    per_clip_second: list[float] = []
    for row in rows:
        for key, seconds in row["timings"].items():
            if key in per_stage and isinstance(seconds, int | float) and seconds >= 0:
                per_stage[key].append(seconds / row["duration"])
        if row["render_from"] is None:
            continue
        render = max(0.0, (row["finished_at"] - row["render_from"]).total_seconds())
        per_stage["render"].append(render / row["duration"])
        if clip_seconds.get(row["pk"]):
            per_clip_second.append(render / clip_seconds[row["pk"]])
    return Speeds(
        per_source_second={key: statistics.median(values) for key, values in per_stage.items() if values},
        render_per_clip_second=statistics.median(per_clip_second) if per_clip_second else None,
    )


def _stage_share_left(video: Video, index: int) -> float:
    """The share of the current stage its progress says is left (1.0 at its start)."""
    low = Video.STAGE_PROGRESS[STAGES[index][0]]
    high = Video.STAGE_PROGRESS[STAGES[index + 1][0]] if index + 1 < len(STAGES) else 100
    return 1.0 - min(1.0, max(0.0, (video.progress - low) / max(1, high - low)))


def _render_left(video: Video, speeds: Speeds, now: datetime) -> float | None:
    """Seconds until the video's pending clips are rendered, at its own pace once a clip has
    finished, else at the machine's."""
    clips = list(video.clips.values("status", "start", "end", "created_at"))
    if not clips:
        return None
    pending = sum(c["end"] - c["start"] for c in clips if c["status"] in Clip.PENDING)
    done = sum(c["end"] - c["start"] for c in clips if c["status"] == Clip.Status.COMPLETED)
    if done > 0:
        elapsed = (now - min(c["created_at"] for c in clips)).total_seconds()
        return pending * max(0.0, elapsed) / done
    if speeds.render_per_clip_second is None:
        return None
    return pending * speeds.render_per_clip_second


def seconds_left(video: Video, speeds: Speeds | None = None, now: datetime | None = None) -> float | None:
    """Seconds until ``video`` is done, or ``None`` when it is finished or cannot be told.

    A video's length is known once its source is read, so a queued video and a link
    still downloading have none. An upload's ``download`` stage is checking the file; the
    median mixes it with links' downloads, both a small share of the whole.
    """
    if video.is_terminal:
        return None
    speeds = speeds if speeds is not None else measured_speeds()
    now = now or timezone.now()
    if video.status == Status.GENERATING_CLIPS:
        return _render_left(video, speeds, now)
    if not video.duration:  # queued, or a link still downloading: its length is not known yet
        return None
    current = next((i for i, (status, _) in enumerate(STAGES) if status == video.status), -1)
    total = 0.0
    for index, (_, key) in enumerate(STAGES):
        if index < current:
            continue
        speed = speeds.per_source_second.get(key)
        if speed is None:
            return None
        share = _stage_share_left(video, index) if index == current else 1.0
        total += speed * video.duration * share
    return total


def describe(seconds: float | None) -> str:
    """``seconds`` in the words the status panel shows: "About 4 min left"."""
    if seconds is None:
        return ""
    if seconds < 60:
        return "Less than a minute left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"About {minutes} min left"
    hours, minutes = divmod(minutes, 60)
    return f"About {hours} h {minutes} min left" if minutes else f"About {hours} h left"
