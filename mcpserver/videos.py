"""Video tools: submit a link (or, over stdio, a local file), read one, list them, wait for one.

Submissions go through :func:`videos.actions.submit_video`, the one way in for every
surface, after the REST API's own validation (the link as ``SubmitUrlSerializer`` checks
it, ``config`` through :func:`videos.config.validate_config`); an upload from a path
takes one of the plan's upload slots, as an HTTP upload does. Lookups go through
``Video.objects.for_user``: another workspace's video is "not found", like a missing one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Literal

from django.core.files import File
from django.db.models import Count
from mcp.server.mcpserver import Context
from pydantic import Field, WithJsonSchema
from rest_framework import exceptions, serializers

from accounts.models import ApiKey
from clipsite import ratelimit
from clipsite.api import MAX_PAGE_SIZE, PAGE_SIZE, Conflict
from mcpserver.caller import authorize, current, workspace_for
from mcpserver.results import video_result
from mcpserver.runtime import Waited, in_thread, wait_until
from mcpserver.schema import config_schema
from videos import actions
from videos.api import ListParams
from videos.config import validate_config
from videos.models import Video
from videos.serializers import SubmitUrlSerializer

DEFAULT_WAIT = 120.0
MAX_WAIT = 600.0

VideoId = Annotated[str, Field(description="The video's id (vid_...), as submit_video or list_videos gave it.")]
Config = Annotated[dict[str, Any] | None, WithJsonSchema(config_schema())]
WorkspaceId = Annotated[
    str | None,
    Field(description="Submit to (or list) this workspace of yours (ws_...); default: the API key's workspace."),
]
VideoStatus = Literal[tuple(Video.Status.values)]  # type: ignore[valid-type]
WaitSeconds = Annotated[
    float,
    Field(ge=1, le=MAX_WAIT, description="Give up after this many seconds and answer with the state reached then."),
]


def submit_video(
    url: Annotated[str, Field(description="A link to the video: a video site's page (YouTube, ...) or a media file.")],
    config: Config = None,
    workspace_id: WorkspaceId = None,
) -> dict[str, Any]:
    """Submit a video by link to be cut into ranked, captioned vertical clips.

    Costs the video's length in minutes from the workspace (charged when its length is
    known, refunded if it fails). Answers at once with the queued video; follow it with
    wait_for_video (or get_video), then list_clips.
    """
    key = authorize()
    SubmitUrlSerializer(data={"url": url}).is_valid(raise_exception=True)
    workspace = workspace_for(key, workspace_id)
    video = actions.submit_video(workspace, key.user, config=_config(config), url=url)
    return video_result(video, current())


def submit_video_file(
    path: Annotated[str, Field(description="The absolute path of a video file on the machine this server runs on.")],
    config: Config = None,
    workspace_id: WorkspaceId = None,
) -> dict[str, Any]:
    """Upload a local video file to be cut into clips (this local server only).

    The same rules as an upload through the API: the plan's upload size, one
    self-contained media file, minutes left. Answers at once with the queued video;
    follow it with wait_for_video, then list_clips.
    """
    key = authorize()
    file = Path(path).expanduser()
    if not file.is_absolute():
        raise exceptions.ValidationError({"path": ["Give the file's absolute path."]})
    if not file.is_file():
        raise exceptions.ValidationError({"path": [f"There is no file {file.name!r} at that path."]})
    workspace = workspace_for(key, workspace_id)
    config = _config(config)
    plan = workspace.plan
    # The slot an HTTP upload holds while its body arrives (videos.uploads.receiving_upload).
    slot = f"upload:{workspace.pk}"
    with _opened(file) as handle:
        if not ratelimit.acquire(slot, plan.concurrent_jobs):
            detail = f"The {plan.name} plan allows {plan.concurrent_jobs} uploads at once."
            raise exceptions.Throttled(wait=30, detail=detail)
        try:
            video = actions.submit_video(workspace, key.user, config=config, upload=File(handle, name=file.name))
        finally:
            ratelimit.release(slot)
    return video_result(video, current())


def get_video(video_id: VideoId) -> dict[str, Any]:
    """A video's status, stage, progress (0-100), clip count and error, with its dashboard page."""
    key = authorize()
    return video_result(user_video(key, video_id), current())


def list_videos(
    status: Annotated[VideoStatus | None, Field(description="Only videos in this status.")] = None,
    workspace_id: WorkspaceId = None,
    page: Annotated[int, Field(ge=1, description="The page, from 1.")] = 1,
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE, description="Videos per page.")] = PAGE_SIZE,
) -> dict[str, Any]:
    """A workspace's videos, newest first, a page at a time."""
    key = authorize()
    query = {"page": page, "pageSize": page_size, "status": status, "workspaceId": workspace_id}
    params = ListParams(data={name: value for name, value in query.items() if value is not None})
    params.is_valid(raise_exception=True)
    workspace = workspace_for(key, workspace_id)
    videos = Video.objects.filter(workspace=workspace).annotate(clip_count=Count("clips"))
    if status:
        videos = videos.filter(status=status)
    first = (page - 1) * page_size
    rows = list(videos[first : first + page_size])
    total = videos.count()
    caller = current()
    return {"videos": [video_result(video, caller) for video in rows], "count": total, "page": page,
            "page_size": page_size, "has_more": first + len(rows) < total}  # fmt: skip


def cancel_video(video_id: VideoId) -> dict[str, Any]:
    """Stop processing a video: it fails as cancelled and the minutes it was charged are refunded."""
    key = authorize()
    video = user_video(key, video_id)
    if not actions.cancel(video, key.user):
        raise Conflict("The video has already finished; there is nothing to cancel.")
    video.refresh_from_db()
    return video_result(video, current())


async def wait_for_video(
    ctx: Context, video_id: VideoId, timeout_seconds: WaitSeconds = DEFAULT_WAIT
) -> dict[str, Any]:
    """Wait until a video has finished processing (completed or failed), or the timeout passes.

    Sends progress notifications through the stages when the client asks for them.
    Answers like get_video, with timed_out true if it was still processing.
    """
    key = await in_thread(authorize)
    caller = current()

    def look() -> Waited:
        video = user_video(key, video_id)
        return Waited(video_result(video, caller), video.is_terminal, video.progress, video.get_status_display())

    return await wait_until(ctx, key, look, timeout_seconds)


def user_video(key: ApiKey, video_id: str) -> Video:
    """The video if it is in one of the key's user's workspaces, else ``NotFound``."""
    video = Video.objects.for_user(key.user).select_related("workspace__plan").filter(pk=video_id).first()
    if video is None:
        raise exceptions.NotFound(f"Video {video_id} was not found in your workspaces.")
    return video


@contextmanager
def _opened(file: Path) -> Iterator[BinaryIO]:
    """``file`` open for reading; a file that cannot be opened is the ``path``'s fault."""
    try:
        handle = file.open("rb")
    except OSError as exc:
        reason = exc.strerror.lower() if exc.strerror else "it cannot be opened"
        raise exceptions.ValidationError({"path": [f"{file.name} cannot be read: {reason}."]}) from None
    with handle:
        yield handle


def _config(config: dict[str, Any] | None) -> dict[str, Any]:
    """Validate the options as every surface does, naming a field as ``config.<name>`` (as the API does)."""
    try:
        return validate_config(config)
    except serializers.ValidationError as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {"": exc.detail}
        raise serializers.ValidationError({f"config.{k}".rstrip("."): v for k, v in detail.items()}) from None
