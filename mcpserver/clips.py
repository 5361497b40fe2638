"""Clip tools: list and filter a video's clips, read one with its signed link, re-render, wait.

Filters and re-render settings are validated by the REST API's serializers
(``ClipFiltersSerializer``, ``ClipRenderSerializer``) and re-renders go through
:func:`clips.actions.rerender`; times are on the source's timeline, as the API takes
them. Lookups go through ``Clip.objects.for_user``: another workspace's clip is "not
found", like a missing one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import Field
from rest_framework import exceptions

from accounts.models import ApiKey
from clips.models import Clip
from clips.serializers import ClipFiltersSerializer, ClipRenderSerializer
from mcpserver.caller import authorize, current
from mcpserver.results import clip_result
from mcpserver.runtime import Waited, in_thread, wait_until
from mcpserver.videos import DEFAULT_WAIT, VideoId, WaitSeconds, user_video
from pipeline.captions import TEMPLATES
from pipeline.reframe import ASPECT_RATIOS, LAYOUTS

ClipId = Annotated[str, Field(description="The clip's id (clip_...), as list_clips gave it.")]
ClipStatus = Literal[tuple(Clip.Status.values)]  # type: ignore[valid-type]
Score = Annotated[int | None, Field(ge=0, le=100)]
TEMPLATE_HELP = f"The caption style: {', '.join(TEMPLATES)}."
ASPECT_HELP = f"The shape: {', '.join(ASPECT_RATIOS)}."
LAYOUT_HELP = f"{', '.join(LAYOUTS)}: auto chooses per shot; the others apply to every shot."


def list_clips(
    video_id: VideoId,
    min_score: Annotated[Score, Field(description="Only clips scoring at least this (0-100).")] = None,
    max_score: Annotated[Score, Field(description="Only clips scoring at most this (0-100).")] = None,
    status: Annotated[ClipStatus | None, Field(description="Only clips in this status.")] = None,
    favorited: Annotated[bool | None, Field(description="Only favorited (true) or other (false) clips.")] = None,
    sort_by: Annotated[Literal["score", "duration"], Field(description="Order by virality score or length.")] = "score",
    sort_order: Literal["asc", "desc"] = "desc",
) -> dict[str, Any]:
    """A video's clips, best first by default, each with its score, times and signed download link."""
    key = authorize()
    video = user_video(key, video_id)
    query = {"minScore": min_score, "maxScore": max_score, "status": status, "favorited": favorited,
             "sortBy": sort_by, "sortOrder": sort_order}  # fmt: skip
    params = ClipFiltersSerializer(data={name: value for name, value in query.items() if value is not None})
    params.is_valid(raise_exception=True)
    caller = current()
    results = [clip_result(clip, caller) for clip in params.clips_of(video)]
    return {"video_id": video.pk, "count": len(results), "clips": results}


def get_clip(clip_id: ClipId) -> dict[str, Any]:
    """One clip with its signed download and thumbnail links (valid for an hour), copy and transcript."""
    key = authorize()
    return clip_result(user_clip(key, clip_id), current(), detail=True)


def rerender_clip(
    clip_id: ClipId,
    start_time: Annotated[float | None, Field(ge=0, description="New start, in seconds of the source video.")] = None,
    end_time: Annotated[float | None, Field(ge=0, description="New end, in seconds of the source video.")] = None,
    caption_template: Annotated[str | None, Field(description=TEMPLATE_HELP)] = None,
    enable_captions: Annotated[bool | None, Field(description="Burn captions in (true) or not (false).")] = None,
    aspect_ratio: Annotated[str | None, Field(description=ASPECT_HELP)] = None,
    layout: Annotated[str | None, Field(description=LAYOUT_HELP)] = None,
    hook_text: Annotated[str | None, Field(description="The hook line shown at the start; empty for none.")] = None,
    enable_auto_hook: Annotated[bool | None, Field(description="Show the hook line (true) or not (false).")] = None,
) -> dict[str, Any]:
    """Render a clip again with new times, caption template, aspect ratio, layout or hook.

    Settings left out are kept. Its video must have finished and the clip must not be
    rendering already. Answers at once (status generating, a new render_version);
    follow it with wait_for_clip.
    """
    key = authorize()
    clip = user_clip(key, clip_id)
    given = {"startTime": start_time, "endTime": end_time, "captionTemplate": caption_template,
             "enableCaptions": enable_captions, "aspectRatio": aspect_ratio, "layout": layout,
             "hookText": hook_text, "enableAutoHook": enable_auto_hook}  # fmt: skip
    body = ClipRenderSerializer(data={name: value for name, value in given.items() if value is not None})
    body.is_valid(raise_exception=True)
    clip = body.rerender(clip)
    return clip_result(clip, current())


async def wait_for_clip(ctx: Context, clip_id: ClipId, timeout_seconds: WaitSeconds = DEFAULT_WAIT) -> dict[str, Any]:
    """Wait until a clip's render has finished (completed or failed), or the timeout passes.

    Answers like list_clips does for one clip, with timed_out true if it was still rendering.
    """
    key = await in_thread(authorize)
    caller = current()

    def look() -> Waited:
        clip = user_clip(key, clip_id)
        return Waited(clip_result(clip, caller), clip.status not in Clip.PENDING, message=clip.get_status_display())

    return await wait_until(ctx, key, look, timeout_seconds)


def user_clip(key: ApiKey, clip_id: str) -> Clip:
    """The clip if its video is in one of the key's user's workspaces, else ``NotFound``."""
    clip = Clip.objects.for_user(key.user).select_related("video").filter(pk=clip_id).first()
    if clip is None:
        raise exceptions.NotFound(f"Clip {clip_id} was not found in your workspaces.")
    return clip
