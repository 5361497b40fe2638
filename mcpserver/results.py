"""What tools answer with: small JSON objects of ids, statuses and links, never file bytes.

Times are on the source video's timeline (as the REST API reports them); file links are
signed and absolute, and expire after ``SIGNED_URL_TTL_SECONDS`` (ask again for fresh
ones). Keys are snake_case, like the tools' parameters.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse

from clips.models import Clip
from clipsite.signed_media import signed_url
from mcpserver.caller import Caller
from videos.models import Video


def video_result(video: Video, caller: Caller) -> dict[str, Any]:
    """A video's state; a list annotates ``clip_count`` to spare a count per video."""
    clip_count = getattr(video, "clip_count", None)
    return {
        "id": video.pk,
        "workspace_id": video.workspace_id,
        "status": video.status,
        "stage": video.get_status_display(),
        "progress": video.progress,
        "finished": video.is_terminal,
        "title": video.display_title,
        "source_type": video.source_kind,
        "duration": video.duration,
        "clip_count": video.clips.count() if clip_count is None else clip_count,
        "error_code": video.error_code or None,
        "error_message": video.error_message or None,
        "minutes_charged": video.minutes_charged,
        "created_at": _iso(video.created_at),
        "completed_at": _iso(video.finished_at),
        "page_url": caller.build_absolute_uri(reverse("videos:detail", args=[video.pk])),
    }


def clip_result(clip: Clip, caller: Caller, *, detail: bool = False) -> dict[str, Any]:
    """A clip with its signed links; ``detail`` adds what a post needs (copy, transcript, size)."""
    result = {
        "id": clip.pk,
        "video_id": clip.video_id,
        "rank": clip.rank,
        "title": clip.title,
        "start_time": clip.source_start,
        "end_time": clip.source_end,
        "duration": clip.duration,
        "score": clip.score,
        "status": clip.status,
        "finished": clip.status not in Clip.PENDING,
        "recompiling": clip.recompiling,
        "render_version": clip.render_version,
        "favorited": clip.favorited,
        "aspect_ratio": clip.aspect_ratio,
        "layout": clip.requested_layout,  # what rerender_clip's layout sets: auto, crop, split or fit
        "caption_template": clip.caption_template,
        "error_message": clip.error_message or None,
        "rendered_at": _iso(clip.rendered_at),
        "download_url": signed_url(clip.file.name, download_name=clip.download_name, request=caller)
        if clip.file
        else None,
    }
    if detail:
        result.update(
            width=clip.width, height=clip.height, rendered_layout=clip.layout, hook_text=clip.hook_text,
            description=clip.description, hashtags=list(clip.hashtags), virality_reason=clip.virality_reason,
            transcript=clip.transcript,
            thumbnail_url=signed_url(clip.thumbnail.name, request=caller) if clip.thumbnail else None,
        )  # fmt: skip
    return result


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
