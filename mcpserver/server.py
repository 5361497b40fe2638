"""The MCP server: Clipsite's tools, registered once per process for each transport.

:func:`http_server` serves ``/mcp``; :func:`stdio_server` serves ``manage.py mcp`` and
adds ``submit_video_file``, which reads a path on the machine the server runs on (the
caller's own machine over stdio; over HTTP it would be the web server's disk, so HTTP
never offers it). A server object holds no per-connection state, so one serves every
request of the process, each on its own event loop.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp_types import ToolAnnotations

from mcpserver import clips, trends, videos, webhooks
from mcpserver.runtime import sync_tool

INSTRUCTIONS = """\
Clipsite turns long videos into ranked, captioned vertical clips.
A typical run: submit_video (a link) -> wait_for_video -> list_clips -> get_clip (a signed download
link, valid for an hour) -> rerender_clip with new times or settings -> wait_for_clip.
Times are seconds on the source video's timeline. A refusal comes back as a tool error that starts
with its code in brackets, e.g. [insufficient_minutes], followed by what to change.
run_discovery and analyze_video research what is trending on YouTube, TikTok and Instagram;
track_item follows a video or topic over time; create_webhook sends events to your own URL."""

READ = ToolAnnotations(read_only_hint=True, open_world_hint=False)
CHANGE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)
# Submitting a link or running a search reaches outside Clipsite (the video site, the platform).
FETCH = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)
STOP = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False)
DELETE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False)

TOOLS: list[tuple[Callable[..., Any], ToolAnnotations]] = [
    (videos.submit_video, FETCH),
    (videos.get_video, READ),
    (videos.list_videos, READ),
    (videos.wait_for_video, READ),
    (videos.cancel_video, STOP),
    (clips.list_clips, READ),
    (clips.get_clip, READ),
    (clips.rerender_clip, CHANGE),
    (clips.wait_for_clip, READ),
    (trends.run_discovery, FETCH),
    (trends.analyze_video, FETCH),
    (trends.get_analysis, READ),
    (trends.list_tracked_items, READ),
    (trends.track_item, FETCH),
    (trends.untrack_item, DELETE),
    (webhooks.list_webhooks, READ),
    (webhooks.create_webhook, CHANGE),
    (webhooks.delete_webhook, DELETE),
]
LOCAL_TOOLS = [(videos.submit_video_file, CHANGE)]


@functools.cache
def http_server() -> MCPServer:
    return build_server(local_files=False)


@functools.cache
def stdio_server() -> MCPServer:
    return build_server(local_files=True)


def build_server(*, local_files: bool) -> MCPServer:
    """A server with every tool; ``local_files`` adds the upload of a file by its path."""
    # No subscriptions/listen: its answer is a stream that never ends, which a request
    # answered whole (HTTP with JSON responses) could never return.
    server = MCPServer("clipsite", title="Clipsite", instructions=INSTRUCTIONS, subscriptions=False)
    for fn, hints in TOOLS + (LOCAL_TOOLS if local_files else []):
        body = fn if inspect.iscoroutinefunction(fn) else sync_tool(fn)
        server.add_tool(body, name=fn.__name__, description=inspect.getdoc(fn), annotations=hints)
    return server
