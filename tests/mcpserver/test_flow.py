"""A real talk through the MCP server over both transports, side by side, with the official client.

alice works over streamable HTTP at /mcp and submits the talk as a link (served from a
loopback HTTP server); charlie works over stdio (``manage.py mcp`` as a subprocess),
submits the same link and cancels it, then uploads the talk by its path. Each then
waits, lists the clips, downloads one through its signed link, re-renders it with new
times and waits for the new version. Real RQ workers do the work, both videos at once;
the live server serves both servers' links.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import ClientSession

from accounts.actions import revoke_api_key
from accounts.models import ApiKey
from clips.models import Clip
from tests.mcpserver.clients import (
    TALK_OPTIONS,
    WAIT_SECONDS,
    call,
    http_session,
    probe_mp4,
    refusal,
    run,
    stdio_parameters,
    stdio_session,
)
from tests.pipeline.http_server import LocalHTTPServer
from tests.workers import kill_worker, start_worker
from videos.models import Video

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CORE_TOOLS = {"submit_video", "wait_for_video", "list_clips", "get_clip", "rerender_clip", "wait_for_clip"}


def test_it_clips_downloads_and_rerenders_a_talk_over_http_and_stdio(
    live_server, alice, charlie, key_for, talk_path, clean_redis, tmp_path
):
    endpoint, alice_key, charlie_key = f"{live_server.url}/mcp", key_for(alice), key_for(charlie)
    stdio = stdio_parameters(charlie_key, live_server.url)
    workers = [start_worker(f"mcp-{i}", burst=False) for i in range(2)]
    try:
        with LocalHTTPServer() as media:
            link = media.add_file("/talks/team-talk.mp4", talk_path)
            http, local = run(_side_by_side, endpoint, alice_key, link, stdio, str(talk_path), charlie_key)
    finally:
        for worker in workers:
            kill_worker(worker)

    for seen in (http, local):
        assert seen["tools"] >= CORE_TOOLS
        assert seen["submitted"]["status"] == "queued"
        assert seen["finished"]["status"] == "completed" and not seen["finished"]["timed_out"]
        assert seen["finished"]["page_url"] == f"{live_server.url}/videos/{seen['submitted']['id']}/"
        clip, done = seen["clip"], seen["rerender_done"]
        assert clip["download_url"].startswith(f"{live_server.url}/media/signed/")
        first = probe_mp4(seen["first_file"], tmp_path)
        assert first["codec_name"] == "h264" and first["height"] > first["width"]
        assert first["duration"] == pytest.approx(clip["duration"], abs=0.5)
        assert seen["rerendered"]["status"] == "generating"
        assert done["status"] == "completed" and not done["timed_out"]
        assert done["render_version"] == clip["render_version"] + 1 and done["caption_template"] == "karaoke"
        assert done["start_time"] == pytest.approx(clip["start_time"] + 1)
        assert done["download_url"] != clip["download_url"]
        assert probe_mp4(seen["second_file"], tmp_path)["duration"] == pytest.approx(clip["duration"] - 2, abs=0.5)
        assert Clip.objects.get(pk=clip["id"]).render_version == 2
        # Neither can reach the other's video or clip, and learns nothing but "not found".
        for text in seen["outsider"]:
            assert "[not_found]" in text and "was not found in your workspaces" in text, text

    assert "submit_video_file" not in http["tools"]  # HTTP never reads the web server's own files
    assert http["submitted"]["source_type"] == "url" and local["submitted"]["source_type"] == "upload"
    assert local["submitted"]["title"] == talk_path.stem
    cancelled = local["cancelled"]  # charlie's link, submitted over stdio and cancelled at once
    assert cancelled["status"] == "failed" and cancelled["error_code"] == "cancelled" and cancelled["finished"]
    refunded = Video.objects.get(pk=cancelled["id"])
    assert refunded.minutes_charged == refunded.minutes_refunded
    assert {video.submitted_by for video in Video.objects.all()} == {alice, charlie}

    # Over stdio the wait reported the stages as they passed, forward only, up to done.
    progress = local["progress"]
    values = [value for value, _, _ in progress]
    assert values == sorted(values) and values[-1] == 100 and len(progress) >= 3
    assert {total for _, total, _ in progress} == {100}
    assert progress[-1][2] == "Completed" and "Transcribing" in {message for _, _, message in progress}

    relative, missing, revoked = local["refusals"]
    assert relative == "Error executing tool submit_video_file: [validation_error] path: Give the file's absolute path."
    assert missing.endswith("[validation_error] path: There is no file 'gone.mp4' at that path.")
    # A key revoked while a stdio session runs stops working at the next call.
    assert revoked.endswith("get_video: [unauthorized] The API key is missing, invalid or revoked.")


async def _side_by_side(endpoint: str, key: str, link: str, stdio, talk: str, stdio_key: str) -> tuple[dict, dict]:
    """Both flows at once; then each caller tries the other's video and clip, and the stdio
    server is asked for files it cannot take and then used with its key revoked."""
    http: dict = {"progress": []}
    local: dict = {"progress": []}
    async with http_session(endpoint, key) as alice, stdio_session(stdio) as charlie:
        async with anyio.create_task_group() as flows:
            flows.start_soon(_clip_a_talk, alice, http, "submit_video", {"url": link})
            flows.start_soon(_cancel_a_link_then_clip_the_file, charlie, local, link, talk)
        http["outsider"] = await _trespass(alice, local)
        local["outsider"] = await _trespass(charlie, http)
        local["refusals"] = [
            await refusal(charlie, "submit_video_file", path="talk.mp4"),
            await refusal(charlie, "submit_video_file", path=str(Path(talk).with_name("gone.mp4"))),
        ]
        await anyio.to_thread.run_sync(lambda: revoke_api_key(ApiKey.objects.for_key(stdio_key)))
        local["refusals"].append(await refusal(charlie, "get_video", video_id=local["submitted"]["id"]))
    return http, local


async def _cancel_a_link_then_clip_the_file(session: ClientSession, seen: dict, link: str, talk: str) -> None:
    queued = await call(session, "submit_video", url=link, config=TALK_OPTIONS)
    seen["cancelled"] = await call(session, "cancel_video", video_id=queued["id"])
    await _clip_a_talk(session, seen, "submit_video_file", {"path": talk})


async def _clip_a_talk(session: ClientSession, seen: dict, submit: str, source: dict[str, Any]) -> None:
    seen["tools"] = {tool.name for tool in (await session.list_tools()).tools}
    seen["submitted"] = video = await call(session, submit, **source, config=TALK_OPTIONS)
    seen["finished"] = await call(session, "wait_for_video", seen["progress"], video_id=video["id"],
                                  timeout_seconds=WAIT_SECONDS)  # fmt: skip
    listed = await call(session, "list_clips", video_id=video["id"], status="completed")
    seen["clip"] = clip = await call(session, "get_clip", clip_id=listed["clips"][0]["id"])
    async with httpx2.AsyncClient(timeout=60) as client:
        seen["first_file"] = (await client.get(clip["download_url"])).raise_for_status().content
        seen["rerendered"] = await call(
            session, "rerender_clip", clip_id=clip["id"], start_time=clip["start_time"] + 1,
            end_time=clip["end_time"] - 1, caption_template="karaoke",
        )  # fmt: skip
        seen["rerender_done"] = done = await call(session, "wait_for_clip", clip_id=clip["id"],
                                                  timeout_seconds=WAIT_SECONDS)  # fmt: skip
        seen["second_file"] = (await client.get(done["download_url"])).raise_for_status().content


async def _trespass(session: ClientSession, other: dict) -> list[str]:
    video_id, clip_id = other["submitted"]["id"], other["clip"]["id"]
    return [
        await refusal(session, "get_video", video_id=video_id),
        await refusal(session, "wait_for_video", video_id=video_id, timeout_seconds=1),
        await refusal(session, "cancel_video", video_id=video_id),
        await refusal(session, "list_clips", video_id=video_id),
        await refusal(session, "get_clip", clip_id=clip_id),
        await refusal(session, "rerender_clip", clip_id=clip_id, start_time=0),
        await refusal(session, "wait_for_clip", clip_id=clip_id, timeout_seconds=1),
    ]
