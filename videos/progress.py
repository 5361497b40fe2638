"""What the dashboard shows of a video's progress: its steps, their labels, and whether Retry can help.

The job's statuses are the API's and stay as they are; only the dashboard's words for them
depend on the source. An upload is already on the server when its job starts, so it has
no download: its first working step reads and checks the file, which covers the job's
``downloading`` (bringing the file into the job's folder and reading it) and ``uploading``
(recording what was read) statuses. A link is downloaded, then stored, as the statuses say.

A failed video offers Retry only when running the job again can end differently. Its
``error_code`` (the domain code the job failed with, :mod:`videos.jobs`) says which: an
upload that cannot be read is the same bytes on every retry, and no video has more speech
the second time; a download that broke off, a lost worker or a missing minute can succeed.
"""

from __future__ import annotations

import dataclasses

from videos.models import Video

Status = Video.Status
CHECKING_THE_FILE = "Checking the file"

# Failures a retry repeats whatever the source: the same file has no more speech, and a
# playlist or concat script is refused again.
FINAL_CODES = frozenset({"no_moments", "unsupported_media"})
# Failures a retry repeats for an upload (the same bytes read the same way): a link's file
# may come out whole on a second download.
FINAL_UPLOAD_CODES = frozenset({"unreadable_media", "media_error"})


@dataclasses.dataclass(frozen=True)
class Step:
    """One step of the timeline: its label and the job statuses it covers, in order."""

    label: str
    statuses: tuple[str, ...]

    @property
    def starts_at(self) -> int:
        """The progress (percent) at which the step begins."""
        return Video.STAGE_PROGRESS[self.statuses[0]]


def _step(status: Status) -> Step:
    return Step(status.label, (status,))


LINK_STEPS = tuple(
    _step(s)
    for s in (
        Status.QUEUED, Status.DOWNLOADING, Status.UPLOADING, Status.TRANSCRIBING, Status.ANALYZING,
        Status.GENERATING_CLIPS, Status.COMPLETED,
    )
)
UPLOAD_STEPS = (
    _step(Status.QUEUED),
    Step(CHECKING_THE_FILE, (Status.DOWNLOADING, Status.UPLOADING)),
    *(_step(s) for s in (Status.TRANSCRIBING, Status.ANALYZING, Status.GENERATING_CLIPS, Status.COMPLETED)),
)


def steps(video: Video) -> tuple[Step, ...]:
    """The timeline's steps for ``video``'s kind of source."""
    return UPLOAD_STEPS if video.source_kind == Video.SourceKind.UPLOAD else LINK_STEPS


def stage_label(video: Video) -> str:
    """What the video is doing, in the words of its timeline ("Failed" once failed)."""
    for step in steps(video):
        if video.status in step.statuses:
            return step.label
    return video.get_status_display()


def timeline(video: Video) -> list[dict]:
    """Each step's ``label`` and ``state``: ``done``, ``current``, ``failed`` or ``todo``.

    A failed video's progress tells how far it got: the last step begun is where it failed.
    """
    all_steps = steps(video)
    states: dict[str, str] = {}
    if video.status == Status.FAILED:
        begun = [s for s in all_steps[:-1] if s.starts_at <= video.progress] or [all_steps[0]]
        states = {step.label: "done" for step in begun}
        states[begun[-1].label] = "failed"
    else:
        reached = Video.STAGE_PROGRESS[video.status]
        for step in all_steps:
            if video.status in step.statuses and video.status != Status.COMPLETED:
                states[step.label] = "current"
            elif step.starts_at <= reached:
                states[step.label] = "done"
    return [{"label": step.label, "state": states.get(step.label, "todo")} for step in all_steps]


def can_retry(video: Video) -> bool:
    """Whether Retry on a failed video can end differently (see the module docstring)."""
    if video.status != Status.FAILED:
        return False
    if video.error_code in FINAL_CODES:
        return False
    return not (video.source_kind == Video.SourceKind.UPLOAD and video.error_code in FINAL_UPLOAD_CODES)
