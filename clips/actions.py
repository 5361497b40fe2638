"""State changes of clips: create from moments, render, re-render, favorite, delete.

A render is identified by ``(clip, render_version)``: every (re-)render bumps the
version, and a job only writes its result while the clip still has its version, so a
late job from an earlier render can never overwrite a newer file.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clips.models import Clip
from clipsite.queues import cancel_job, enqueue_on_commit
from videos import actions as video_actions
from videos import storage
from videos.models import Video
from webhooks import events as webhook_events

RENDER_TIMEOUT = 3600
MAX_RENDER_ATTEMPTS = 2
MIN_CLIP_SECONDS = 1.0
MAX_CLIP_SECONDS = 600.0
VIDEO_FAILED = "The video failed, so this clip was not rendered."


class ClipEditError(ValueError):
    """A re-render request the clip cannot take; ``field`` names the offending setting."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def render_job_id(clip: Clip) -> str:
    return f"render-{clip.pk}-v{clip.render_version}"


def enqueue_render(clip: Clip) -> None:
    enqueue_on_commit(
        "render", "clips.jobs.render_clip", clip.pk, clip.render_version,
        job_id=render_job_id(clip), job_timeout=RENDER_TIMEOUT,
    )  # fmt: skip


def create_clips(video: Video, moments, config: dict) -> list[Clip]:
    """Replace the video's clips with one per moment and queue their renders.

    Runs in one transaction with the move to ``generating_clips``, so a job that runs
    twice, or a retry, never leaves duplicate clips.
    """
    with transaction.atomic():
        delete_clips(video)
        clips = [
            Clip(
                video=video,
                rank=moment.rank,
                title=moment.title[:300],
                start=moment.start,
                end=moment.end,
                score=moment.score,
                score_hook=moment.scores.hook,
                score_pacing=moment.scores.pacing,
                score_completeness=moment.scores.completeness,
                score_shareability=moment.scores.shareability,
                virality_reason=moment.reason,
                transcript=moment.transcript,
                sentence_indexes=moment.sentence_indexes,
                hooks=moment.hooks.to_dict(),
                description=moment.description,
                hashtags=moment.hashtags,
                emotions=moment.emotions,
                keywords=moment.keywords,
                status=Clip.Status.GENERATING,
                aspect_ratio=config.get("aspectRatio", "9:16"),
                captions=config.get("enableCaptions", True),
                caption_template=config.get("captionTemplate", ""),
                auto_hook=config.get("enableAutoHook", True),
                hook_text=moment.hooks.statement[:200],
                render_version=1,
            )
            for moment in moments
        ]
        Clip.objects.bulk_create(clips)
        video_actions.advance(video, Video.Status.GENERATING_CLIPS)
        for clip in clips:
            enqueue_render(clip)
    return clips


def claim_render(clip_id: str, version: int) -> Clip | None:
    """Start rendering ``version`` of a clip; None when that render is stale or finished,
    or when the clip's video has failed (a failed, refunded video never gets clips)."""
    claimed = (
        Clip.objects.filter(pk=clip_id, render_version=version, status=Clip.Status.GENERATING)
        .exclude(video__status=Video.Status.FAILED)
        .update(heartbeat_at=timezone.now(), render_attempts=F("render_attempts") + 1)
    )
    if not claimed:
        return None
    return Clip.objects.select_related("video__workspace").get(pk=clip_id)


def touch_render(clip: Clip) -> None:
    Clip.objects.filter(pk=clip.pk, render_version=clip.render_version).update(heartbeat_at=timezone.now())


def finish_render(
    clip: Clip,
    *,
    file_name: str = "",
    thumbnail_name: str = "",
    width: int = 0,
    height: int = 0,
    layout: str = "",
    error_message: str = "",
    worker: str = "",
) -> bool:
    """Record a render's outcome if the clip still wants this version; then try the fan-in.

    On success the new files replace the old ones, which are deleted. On failure a clip
    that had a file keeps it (a failed re-render loses nothing). Returns False when the
    render was stale, in which case the caller's new files are deleted here.
    """
    old = Clip.objects.filter(pk=clip.pk).values("file", "thumbnail").first() or {}
    fields = {"status": Clip.Status.FAILED if error_message else Clip.Status.COMPLETED, "recompiling": False,
              "error": bool(error_message), "error_message": error_message, "rendered_by": worker,
              "rendered_at": timezone.now(), "heartbeat_at": None}  # fmt: skip
    if not error_message:
        fields.update(file=file_name, thumbnail=thumbnail_name, width=width, height=height, layout=layout)
    with transaction.atomic():
        updated = Clip.objects.filter(
            pk=clip.pk, render_version=clip.render_version, status=Clip.Status.GENERATING
        ).update(**fields)
        if updated:  # clip.ready or clip.failed, once per render
            webhook_events.clip_finished(clip.pk)
    if not updated:
        storage.delete_names(file_name, thumbnail_name)
        return False
    if not error_message:
        storage.delete_names(*(name for name in (old.get("file"), old.get("thumbnail")) if name))
    finish_video_if_done(clip.video)
    return True


def finish_video_if_done(video: Video) -> None:
    """The fan-in: once no clip is pending, complete the video, or fail it if nothing rendered."""
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video.pk)
        if video.status != Video.Status.GENERATING_CLIPS:
            return
        counts = video.clip_status_counts()
        pending = sum(counts.get(status, 0) for status in Clip.PENDING)
        total = sum(counts.values())
        if pending:
            done = total - pending
            progress = Video.STAGE_PROGRESS[Video.Status.GENERATING_CLIPS] + int(40 * done / max(1, total))
            Video.objects.filter(pk=video.pk, progress__lt=progress).update(progress=progress)
            return
    if counts.get(Clip.Status.COMPLETED):
        video_actions.complete(video)
    else:
        message = video.clips.exclude(error_message="").values_list("error_message", flat=True).first()
        video_actions.fail(
            video, f"No clip could be rendered: {message or 'unknown error'}", code="render_failed"
        )


def rerender(
    clip: Clip,
    *,
    start: float | None = None,
    end: float | None = None,
    caption_template: str | None = None,
    captions: bool | None = None,
    aspect_ratio: str | None = None,
    hook_text: str | None = None,
    auto_hook: bool | None = None,
) -> Clip:
    """Render a clip again with changed settings; it shows ``recompiling`` until done.

    Raises :class:`ClipEditError` naming the setting that cannot be used.
    """
    from pipeline.captions import TEMPLATES
    from pipeline.reframe import ASPECT_RATIOS

    video = clip.video
    if video.status != Video.Status.COMPLETED:
        raise ClipEditError("status", "Clips can be re-rendered once their video has finished processing.")
    if not video.source_file:
        raise ClipEditError(
            "source",
            "The source of this video has been deleted after its retention period, so it cannot be "
            "re-rendered. Submit the video again.",
        )
    if clip.status == Clip.Status.GENERATING:
        raise ClipEditError("status", "This clip is already being rendered; wait for it to finish.")
    new_start = clip.start if start is None else float(start)
    new_end = clip.end if end is None else float(end)
    duration = video.duration or 0.0
    if not 0 <= new_start < duration:
        raise ClipEditError("start", f"start must be within the video (0 to {duration:.1f} s).")
    if not new_start < new_end <= duration + 0.01:
        raise ClipEditError("end", f"end must be after start and within the video (up to {duration:.1f} s).")
    if not MIN_CLIP_SECONDS <= new_end - new_start <= MAX_CLIP_SECONDS:
        raise ClipEditError(
            "end", f"A clip must last between {MIN_CLIP_SECONDS:g} and {MAX_CLIP_SECONDS:g} seconds."
        )
    if caption_template is not None and caption_template not in TEMPLATES:
        raise ClipEditError("captionTemplate", f"captionTemplate must be one of {', '.join(TEMPLATES)}.")
    if aspect_ratio is not None and aspect_ratio not in ASPECT_RATIOS:
        raise ClipEditError("aspectRatio", f"aspectRatio must be one of {', '.join(ASPECT_RATIOS)}.")
    if hook_text is not None and len(hook_text) > 200:
        raise ClipEditError("hookText", "hookText must be at most 200 characters.")
    changes = {
        "start": round(new_start, 3),
        "end": round(min(new_end, duration), 3),
        "status": Clip.Status.GENERATING,
        "recompiling": True,
        "error": False,
        "error_message": "",
        "render_version": clip.render_version + 1,
        "render_attempts": 0,
        "heartbeat_at": None,
    }
    for name, value in (
        ("caption_template", caption_template),
        ("captions", captions),
        ("aspect_ratio", aspect_ratio),
        ("hook_text", hook_text),
        ("auto_hook", auto_hook),
    ):
        if value is not None:
            changes[name] = value
    with transaction.atomic():
        updated = (
            Clip.objects.filter(pk=clip.pk, render_version=clip.render_version)
            .exclude(status=Clip.Status.GENERATING)
            .update(**changes)
        )
        if not updated:
            raise ClipEditError("status", "This clip is already being rendered; wait for it to finish.")
        clip.refresh_from_db()
        enqueue_render(clip)
    return clip


def retry_lost_render(clip: Clip) -> None:
    """The sweep found this render's job gone: run it again, or give up after the limit.

    A clip whose video has failed is failed too, never rendered.
    """
    this_render = Clip.objects.filter(pk=clip.pk, render_version=clip.render_version, status=Clip.Status.GENERATING)
    if Video.objects.filter(pk=clip.video_id, status=Video.Status.FAILED).exists():
        this_render.update(
            status=Clip.Status.FAILED, error=True, error_message=VIDEO_FAILED, recompiling=False, heartbeat_at=None
        )
        return
    if clip.render_attempts < MAX_RENDER_ATTEMPTS:
        with transaction.atomic():
            if this_render.update(heartbeat_at=None):
                enqueue_render(clip)
        return
    finish_render(clip, error_message="Rendering stopped unexpectedly twice; try re-rendering this clip.")


def set_favorite(clip: Clip, favorited: bool) -> None:
    Clip.objects.filter(pk=clip.pk).update(favorited=favorited)
    clip.favorited = favorited


def rename(clip: Clip, title: str) -> None:
    Clip.objects.filter(pk=clip.pk).update(title=title[:300])
    clip.title = title[:300]


def cancel_renders(video: Video, message: str) -> None:
    """Fail the video's pending clips with ``message`` and drop their render jobs.

    Called in the transaction that fails the video; the jobs are dropped once it commits.
    A job that escapes (Redis unreachable, or already rendering) finds its clip no longer
    generating and writes nothing.
    """
    job_ids = [render_job_id(clip) for clip in video.clips.filter(status=Clip.Status.GENERATING)]
    video.clips.filter(status__in=Clip.PENDING).update(
        status=Clip.Status.FAILED, error=True, error_message=message, recompiling=False, heartbeat_at=None
    )

    def drop_jobs():
        for job_id in job_ids:
            cancel_job("render", job_id)

    transaction.on_commit(drop_jobs)


def delete_clips(video: Video) -> None:
    """Delete a video's clips and their files (before new ones replace them)."""
    names = []
    for file_name, thumbnail_name in video.clips.values_list("file", "thumbnail"):
        names += [file_name, thumbnail_name]
    video.clips.all().delete()
    storage.delete_names(*names)
