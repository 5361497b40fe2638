"""Actions on a selection of one video's clips: pick them, re-render them alike, delete them.

A selection is all or nothing: an id the video has not got, or a clip that cannot be
re-rendered now, refuses the whole action before anything changes.
"""

from __future__ import annotations

from django.db import transaction

from clips.actions import ClipEditError, render_job_id, rerender
from clips.models import Clip
from clipsite.queues import cancel_job
from videos import storage
from videos.models import Video

# The most clips one bulk action takes: more than a video has (numberOfClips is at most 30,
# plus the ones made by hand), few enough to name in one message.
MAX_SELECTION = 100


class UnknownClips(ValueError):
    """A selection names clips the video has not got (unknown, or another video's); ``ids`` lists them."""

    def __init__(self, ids: list[str]):
        super().__init__(f"These clips are not clips of this video: {', '.join(ids)}. Nothing was done.")
        self.ids = ids


def select_clips(video: Video, clip_ids: list[str]) -> list[Clip]:
    """The video's clips that ``clip_ids`` names, in that order, each once.

    Raises :class:`UnknownClips` when any id is not one of the video's clips, so a bulk
    action does all of its selection or nothing, and :class:`ClipEditError` (``clipIds``)
    for an empty or oversized selection.
    """
    wanted = list(dict.fromkeys(clip_ids))
    if not wanted:
        raise ClipEditError("clipIds", "Select at least one clip.")
    if len(wanted) > MAX_SELECTION:
        raise ClipEditError("clipIds", f"Select at most {MAX_SELECTION} clips at a time.")
    found = {clip.pk: clip for clip in video.clips.select_related("video").filter(pk__in=wanted)}
    unknown = [clip_id for clip_id in wanted if clip_id not in found]
    if unknown:
        raise UnknownClips(unknown)
    return [found[clip_id] for clip_id in wanted]


def _named(clips: list[Clip]) -> str:
    return ", ".join(f"“{clip.title}”" for clip in clips)


def rerender_selection(
    clips: list[Clip],
    *,
    aspect_ratio: str | None = None,
    caption_template: str | None = None,
    brand_kit: str | None = None,
) -> list[Clip]:
    """Re-render each of ``clips`` (from :func:`select_clips`) with the same changes; ``None``
    keeps each clip's own. All or none: when one cannot be re-rendered, :class:`ClipEditError`
    says why (naming the clips still rendering) and no render is queued."""
    busy = [clip for clip in clips if clip.status == Clip.Status.GENERATING]
    if busy:
        raise ClipEditError(
            "status", f"Still rendering: {_named(busy)}. Wait for it to finish, or leave it out of the selection."
        )
    # Every render is queued once the transaction commits, so a refusal part-way queues none.
    with transaction.atomic():
        return [
            rerender(clip, aspect_ratio=aspect_ratio, caption_template=caption_template, brand_kit=brand_kit)
            for clip in clips
        ]


def delete_selection(video: Video, clips: list[Clip]) -> list[str]:
    """Delete ``clips`` (from :func:`select_clips`) and, once that commits, their files; their ids.

    Minutes are not refunded: they paid for processing the video. A clip's render job is
    dropped; one already running finds its clip gone and deletes what it wrote
    (:func:`finish_render`). Refused (``status``) while the video still makes its clips,
    whose count decides how it ends.
    """
    if video.status == Video.Status.GENERATING_CLIPS:
        raise ClipEditError("status", "Clips can be deleted once their video has finished processing.")
    ids = [clip.pk for clip in clips]
    jobs = [render_job_id(clip) for clip in clips if clip.status == Clip.Status.GENERATING]
    names = [name for clip in clips for name in (clip.file.name, clip.thumbnail.name) if name]
    with transaction.atomic():
        Clip.objects.filter(video=video, pk__in=ids).delete()

        def after():
            for job_id in jobs:
                cancel_job("render", job_id)
            storage.delete_names(*names)

        transaction.on_commit(after)
    return ids
