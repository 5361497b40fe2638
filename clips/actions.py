"""State changes of clips: create from moments, render, re-render, pin, favorite, delete.

A render is identified by ``(clip, render_version)``: every (re-)render bumps the
version, and a job only writes its result while the clip still has its version, so a
late job from an earlier render can never overwrite a newer file.

Pins (:func:`clean_pins`) are stretches of a clip, in seconds into it, where the crop
follows one person. They are saved on the clip, so every later re-render keeps them; a
re-render that moves the clip's start moves them with the footage they were set on.
"""

from __future__ import annotations

import itertools
import math

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from brands import actions as brand_actions
from clips.models import Clip
from clipsite.queues import cancel_job, enqueue_on_commit
from pipeline.render import render_order
from videos import actions as video_actions
from videos import storage
from videos.models import Video
from webhooks import events as webhook_events

RENDER_TIMEOUT = 3600
MAX_RENDER_ATTEMPTS = 2
MIN_CLIP_SECONDS = 1.0
MAX_CLIP_SECONDS = 600.0
VIDEO_FAILED = "The video failed, so this clip was not rendered."
MAX_PINS = 20
MIN_PIN_SECONDS = 0.5


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

    ``moments`` come best first, as :func:`pipeline.moments.find_moments` ranks them: the
    first is queued first, the others longest first (:func:`pipeline.render.render_order`).

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
                requested_layout=config.get("layout", "auto"),
                hook_text=moment.hooks.statement[:200],
                render_version=1,
            )
            for moment in moments
        ]
        Clip.objects.bulk_create(clips)
        video_actions.advance(video, Video.Status.GENERATING_CLIPS)
        # The best clip first, then longest first, so two workers finish together.
        for i in render_order([clip.end - clip.start for clip in clips]):
            enqueue_render(clips[i])
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
    shots: list[dict] | None = None,
    speakers: list[dict] | None = None,
    report: dict | None = None,
    error_message: str = "",
    worker: str = "",
) -> bool:
    """Record a render's outcome if the clip still wants this version; then try the fan-in.

    ``shots``, ``speakers`` and ``report`` (the clip report, as
    :meth:`pipeline.report.ClipReport.to_dict` gives it) are the engine's (seconds into the
    clip); a success replaces the previous render's, a failure keeps them with the file
    they describe.

    On success the new files replace the old ones, which are deleted. On failure a clip
    that had a file keeps it (a failed re-render loses nothing). Returns False when the
    render was stale, in which case the caller's new files are deleted here.
    """
    old = Clip.objects.filter(pk=clip.pk).values("file", "thumbnail").first() or {}
    fields = {"status": Clip.Status.FAILED if error_message else Clip.Status.COMPLETED, "recompiling": False,
              "error": bool(error_message), "error_message": error_message, "rendered_by": worker,
              "rendered_at": timezone.now(), "heartbeat_at": None}  # fmt: skip
    if not error_message:
        fields.update(file=file_name, thumbnail=thumbnail_name, width=width, height=height, layout=layout,
                      shots=shots or [], speakers=speakers or [], report=report or {})  # fmt: skip
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
    layout: str | None = None,
    pins: list[dict] | None = None,
    brand_kit: str | None = None,
) -> Clip:
    """Render a clip again with changed settings; it shows ``recompiling`` until done.

    ``None`` keeps a setting. ``pins`` replaces the saved pins (seconds into the clip as
    it will be, see :func:`clean_pins`); left out, the saved ones are kept, moved with a
    new start. A new start or end marks the clip's words stale: its render job writes
    them again for the new span (:func:`clips.words.follow_cut`), except those the user
    wrote; a ``hook_text`` that differs from the clip's counts as written by the user.
    ``brand_kit`` is a kit of the video's workspace, ``none``, or ``""`` (the video's kit).
    Raises :class:`ClipEditError` naming the setting that cannot be used.
    """
    from pipeline.captions import TEMPLATES
    from pipeline.reframe import ASPECT_RATIOS, LAYOUTS

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
    if layout is not None and layout not in LAYOUTS:
        raise ClipEditError("layout", f"layout must be one of {', '.join(LAYOUTS)}.")
    if brand_kit is not None and (kit_error := brand_actions.choice_error(video.workspace_id, brand_kit)):
        raise ClipEditError("brandKit", kit_error)
    new_end = min(new_end, duration)
    if pins is None:
        pins = _moved_pins(clip.pins, clip.start - new_start, new_end - new_start)
    else:
        pins = clean_pins(pins, new_end - new_start, clip.speakers)
    changes = {
        "start": round(new_start, 3),
        "end": round(new_end, 3),
        "pins": pins,
        "status": Clip.Status.GENERATING,
        "recompiling": True,
        "error": False,
        "error_message": "",
        "render_version": clip.render_version + 1,
        "render_attempts": 0,
        "heartbeat_at": None,
    }
    if changes["start"] != clip.start or changes["end"] != clip.end:
        changes["words_stale"] = True
    if hook_text is not None and hook_text != clip.hook_text:
        changes["user_edited"] = sorted({*clip.user_edited, "hook_text"})
    for name, value in (
        ("caption_template", caption_template),
        ("captions", captions),
        ("aspect_ratio", aspect_ratio),
        ("hook_text", hook_text),
        ("auto_hook", auto_hook),
        ("requested_layout", layout),
        ("brand_kit", brand_kit),
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


def clean_pins(pins, duration: float, speakers: list[dict]) -> list[dict]:
    """``pins`` checked for a clip of ``duration`` seconds, as saved: sorted, rounded, labelled.

    Each pin is ``{"start", "end"}`` (seconds into the clip, at least
    :data:`MIN_PIN_SECONDS` long, none overlapping) with ``x``, the person's centre as a
    fraction of the source's width (0 to 1), or ``speaker``, the id of one of the last
    render's ``speakers``, whose ``x`` is taken. Given both, the crop follows ``x`` and
    the speaker is only its label (a later render may number people differently).
    Raises :class:`ClipEditError` for ``pins``.
    """
    if not isinstance(pins, list):
        raise ClipEditError("pins", "pins must be a list of {start, end, x} objects.")
    if len(pins) > MAX_PINS:
        raise ClipEditError("pins", f"A clip takes at most {MAX_PINS} pins.")
    where = {speaker["id"]: speaker["x"] for speaker in speakers}
    cleaned = sorted(
        (_clean_pin(pin, f"Pin {number}", duration, where) for number, pin in enumerate(pins, 1)),
        key=lambda pin: pin["start"],
    )
    for before, after in itertools.pairwise(cleaned):
        if after["start"] < before["end"]:
            raise ClipEditError(
                "pins", f"Pins overlap at {after['start']:.1f} s; each stretch of the clip takes one pin."
            )
    return cleaned


def _number(value) -> float | None:
    """``value`` as a finite float; None for anything else (booleans and text included)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _clean_pin(pin, name: str, duration: float, speakers: dict[int, float]) -> dict:
    if not isinstance(pin, dict):
        raise ClipEditError("pins", f"{name} must be an object with start, end and x.")
    start, end = _number(pin.get("start")), _number(pin.get("end"))
    if start is None or end is None:
        raise ClipEditError("pins", f"{name} needs start and end, in seconds into the clip.")
    if not 0 <= start < end <= duration + 0.01:
        raise ClipEditError(
            "pins", f"{name} must start before it ends, within the clip (0 to {duration:.1f} s)."
        )
    if end - start < MIN_PIN_SECONDS:
        raise ClipEditError("pins", f"{name} must last at least {MIN_PIN_SECONDS:g} s.")
    speaker = pin.get("speaker")
    if speaker is not None and (isinstance(speaker, bool) or not isinstance(speaker, int)):
        raise ClipEditError("pins", f"{name}: speaker must be a speaker's id, a whole number.")
    if pin.get("x") is not None:
        x = _number(pin["x"])
    elif speaker in speakers:
        x = speakers[speaker]
    elif speaker is not None:
        known = ", ".join(str(id_) for id_ in speakers) or "none yet"
        raise ClipEditError("pins", f"{name} names speaker {speaker}, which the clip has not got (it has {known}).")
    else:
        x = None
    if x is None or not 0 <= x <= 1:
        raise ClipEditError("pins", f"{name} needs x (0 to 1, a fraction of the source's width) or a speaker.")
    return {"start": round(start, 3), "end": round(min(end, duration), 3), "x": x, "speaker": speaker}


def _moved_pins(pins: list[dict], shift: float, duration: float) -> list[dict]:
    """Saved ``pins`` for a clip whose start moved: ``shift`` seconds later into the clip,
    cut to its new ``duration``; those left shorter than :data:`MIN_PIN_SECONDS` go."""
    moved = []
    for pin in pins:
        start, end = max(0.0, pin["start"] + shift), min(duration, pin["end"] + shift)
        if end - start >= MIN_PIN_SECONDS:
            moved.append({**pin, "start": round(start, 3), "end": round(end, 3)})
    return moved


def add_pin(clip: Clip, start: float, end: float, speaker: int) -> None:
    """Pin the crop to one of the last render's speakers from ``start`` to ``end`` (seconds
    into the clip), for the next render. Raises :class:`ClipEditError` for ``pins``."""
    with transaction.atomic():
        locked = Clip.objects.select_for_update().get(pk=clip.pk)
        pins = [*locked.pins, {"start": start, "end": end, "speaker": speaker}]
        clip.pins = clean_pins(pins, locked.duration, locked.speakers)
        Clip.objects.filter(pk=clip.pk).update(pins=clip.pins)


def remove_pin(clip: Clip, start: float) -> None:
    """Remove the clip's pin that starts at ``start``; one already gone is ignored."""
    with transaction.atomic():
        locked = Clip.objects.select_for_update().get(pk=clip.pk)
        clip.pins = [pin for pin in locked.pins if pin["start"] != start]
        Clip.objects.filter(pk=clip.pk).update(pins=clip.pins)


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


def clip_from_span(video: Video, start: float, end: float) -> Clip:
    """A new clip of the video's words spoken from ``start`` to ``end`` (seconds on the
    processed range's timeline), queued to render once the transaction commits.

    The edges snap to the first and last word inside and are padded as found clips'
    are; the local analyser writes its title, hooks, description, hashtags and score
    (:mod:`pipeline.moments.span`); its look follows the video's options. Raises
    :class:`ClipEditError` naming the setting that cannot be used.
    """
    from pipeline.moments.span import describe_words, words_between
    from pipeline.types import Transcript
    from videos.config import clip_options

    if video.status != Video.Status.COMPLETED:
        raise ClipEditError("status", "Clips can be made once the video has finished processing.")
    if not video.source_file:
        raise ClipEditError("source", "The source of this video has been deleted after its retention period, "
                                      "so no clip can be made from it. Submit the video again.")  # fmt: skip
    duration = video.duration or 0.0
    if not (math.isfinite(start) and math.isfinite(end) and 0 <= start < end <= duration + 0.01):
        raise ClipEditError("end", f"Choose a start before the end, both within the video (0 to {duration:.1f} s).")
    transcript = Transcript.from_dict(video.transcript or {})
    words = words_between(transcript, start, end)
    if words is None:
        raise ClipEditError("start", "No words are spoken there. Select words in the transcript.")
    offset, config = video.source_offset, video.config or {}
    replays = [(p["start"] - offset, p["end"] - offset, p["value"]) for p in video.heatmap if p["end"] > offset]
    moment = describe_words(transcript, *words, clip_options(config), replays=replays)
    if not MIN_CLIP_SECONDS <= moment.duration <= MAX_CLIP_SECONDS:
        raise ClipEditError(
            "end", f"A clip must last between {MIN_CLIP_SECONDS:g} and {MAX_CLIP_SECONDS:g} seconds; "
                   f"the words selected last {moment.duration:.1f} s.",
        )  # fmt: skip
    with transaction.atomic():
        # The video's row is locked so two clips made at once get different ranks.
        Video.objects.select_for_update().filter(pk=video.pk).first()
        rank = (video.clips.aggregate(top=Max("rank"))["top"] or 0) + 1
        clip = Clip.objects.create(
            video=video, rank=rank, title=moment.title[:300], start=moment.start, end=moment.end,
            score=moment.score, score_hook=moment.scores.hook, score_pacing=moment.scores.pacing,
            score_completeness=moment.scores.completeness, score_shareability=moment.scores.shareability,
            virality_reason=moment.reason, transcript=moment.transcript, sentence_indexes=moment.sentence_indexes,
            hooks=moment.hooks.to_dict(), description=moment.description, hashtags=moment.hashtags,
            emotions=moment.emotions, keywords=moment.keywords, status=Clip.Status.GENERATING,
            aspect_ratio=config.get("aspectRatio", "9:16"), captions=config.get("enableCaptions", True),
            caption_template=config.get("captionTemplate", ""), auto_hook=config.get("enableAutoHook", True),
            requested_layout=config.get("layout", "auto"), hook_text=moment.hooks.statement[:200], render_version=1,
        )  # fmt: skip
        enqueue_render(clip)
    return clip
