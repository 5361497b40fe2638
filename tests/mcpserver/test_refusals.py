"""What the MCP server refuses, and how: keys, bad requests, plan limits, quotas and other people's things.

The checks go through the official MCP client over streamable HTTP (or, for the
transport's own answers, a plain HTTP request) against the live server. The stdio
transport's own refusals (paths, a key revoked mid-session) are in test_flow.py, where
its server runs.
"""

from __future__ import annotations

import anyio
import pytest
import requests
from mcp import MCPError

from accounts.actions import revoke_api_key
from accounts.models import ApiKey, Plan, Workspace
from tests.mcpserver.clients import call, http_session, refusal, run
from tests.trends import youtube  # noqa: F401 - a fixture
from tracking.models import EnrichmentJob
from videos.models import Video

pytestmark = pytest.mark.django_db(transaction=True)

ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}  # fmt: skip
UNAUTHORIZED = {"error": "unauthorized", "detail": "The API key is missing, invalid or revoked."}


def test_it_refuses_a_missing_wrong_or_revoked_key_with_a_json_401(live_server, alice, key_for, clean_redis):
    endpoint = f"{live_server.url}/mcp"
    key, revoked = key_for(alice), key_for(alice)
    revoke_api_key(ApiKey.objects.for_key(revoked))
    for headers in ({}, {"Authorization": "Bearer cs_live_guessed"}, {"Authorization": f"Basic {key}"},
                    {"Authorization": f"Bearer {revoked}"}, {"X-API-Key": revoked}):  # fmt: skip
        response = requests.post(endpoint, json=INITIALIZE, headers={**ACCEPT, **headers}, timeout=30)
        assert response.status_code == 401, headers
        assert response.json() == UNAUTHORIZED and response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    with pytest.raises(ExceptionGroup) as refused:  # the client's task group wraps its error
        run(_initialize, endpoint, revoked)
    assert refused.group_contains(MCPError, match="Server returned an error response")

    # Either of the API's headers opens a session; a stateless server has no stream to GET.
    opened = requests.post(endpoint, json=INITIALIZE, headers={**ACCEPT, "X-API-Key": key}, timeout=30)
    assert opened.status_code == 200 and opened.json()["result"]["serverInfo"]["name"] == "clipsite"
    streamed = requests.get(endpoint, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert streamed.status_code == 405 and streamed.headers["Allow"] == "POST"
    assert streamed.json()["error"] == "method_not_allowed"


async def _initialize(endpoint: str, key: str) -> None:
    async with http_session(endpoint, key):
        pass


def test_it_answers_bad_requests_as_tool_errors_that_name_the_problem(
    live_server, alice, key_for, finished_video, clean_redis
):
    clip = finished_video.clips.get(rank=1)
    errors = run(_bad_requests, f"{live_server.url}/mcp", key_for(alice), clip)
    prefix = "Error executing tool"
    assert errors["not a link"] == f"{prefix} submit_video: [validation_error] url: Enter a valid URL."
    assert errors["unresolvable"].startswith(f"{prefix} submit_video: [url_refused] ")
    assert errors["too many clips"] == (
        f"{prefix} submit_video: [validation_error] config.numberOfClips: "
        "Ensure this value is less than or equal to 30."
    )
    assert errors["unknown option"].startswith(f"{prefix} submit_video: [validation_error] config.clipCount: Unknown")
    assert errors["no minutes"].startswith(f"{prefix} submit_video: [insufficient_minutes] ")
    assert "has 0 minutes left" in errors["no minutes"]
    assert errors["unknown clip"] == f"{prefix} get_clip: [not_found] Clip clip_nope was not found in your workspaces."
    assert errors["past the end"] == (
        f"{prefix} rerender_clip: [validation_error] end_time: "
        "end must be after start and within the video (up to 120.0 s)."
    )
    assert errors["bad template"].startswith(f"{prefix} rerender_clip: [validation_error] caption_template: ")
    assert errors["rendering"] == (
        f"{prefix} rerender_clip: [conflict] This clip is already being rendered; wait for it to finish."
    )
    assert "min_score" in errors["score out of range"] and "less than or equal to 100" in errors["score out of range"]
    assert errors["local file"] == "Unknown tool: submit_video_file"  # never offered over HTTP
    assert errors["finished"] == (
        f"{prefix} cancel_video: [conflict] The video has already finished; there is nothing to cancel."
    )
    assert errors["waited"]["timed_out"] and errors["waited"]["status"] == "generating"
    assert errors["second wait"].startswith(
        f"{prefix} wait_for_clip: [rate_limited] The Free plan allows 1 wait at a time; check with get_video"
    )
    assert Video.objects.count() == 1  # nothing refused was stored


async def _bad_requests(endpoint: str, key: str, clip) -> dict:
    clip_id = clip.pk
    async with http_session(endpoint, key) as session:
        errors = {
            "finished": await refusal(session, "cancel_video", video_id=clip.video_id),
            "not a link": await refusal(session, "submit_video", url="not a link"),
            "unresolvable": await refusal(session, "submit_video", url="https://nowhere.invalid/talk.mp4"),
            "too many clips": await refusal(session, "submit_video", url="https://example.com/talk.mp4",
                                            config={"numberOfClips": 99}),
            "unknown option": await refusal(session, "submit_video", url="https://example.com/talk.mp4",
                                            config={"clipCount": 2}),
            "unknown clip": await refusal(session, "get_clip", clip_id="clip_nope"),
            "past the end": await refusal(session, "rerender_clip", clip_id=clip_id, end_time=500),
            "bad template": await refusal(session, "rerender_clip", clip_id=clip_id, caption_template="comic"),
            "score out of range": await refusal(session, "list_clips", video_id="vid_x", min_score=101),
            "local file": await refusal(session, "submit_video_file", path="/etc/passwd"),
        }  # fmt: skip
        rendering = await call(session, "rerender_clip", clip_id=clip_id, start_time=12, end_time=30)
        assert rendering["status"] == "generating" and rendering["start_time"] == 12
        errors["rendering"] = await refusal(session, "rerender_clip", clip_id=clip_id, start_time=13)
        # The Free plan runs one job at a time, and a caller may hold one wait at a time.
        async with anyio.create_task_group() as waits:
            waits.start_soon(_wait_for_clip, session, clip_id, errors)
            await anyio.sleep(2)
            errors["second wait"] = await refusal(session, "wait_for_clip", clip_id=clip_id, timeout_seconds=1)
        await anyio.to_thread.run_sync(_spend_all_minutes)
        errors["no minutes"] = await refusal(session, "submit_video", url="https://example.com/talk.mp4")
    return errors


async def _wait_for_clip(session, clip_id: str, errors: dict) -> None:
    errors["waited"] = await call(session, "wait_for_clip", clip_id=clip_id, timeout_seconds=4)


def _spend_all_minutes() -> None:
    Workspace.objects.update(minutes_balance=0)


def test_it_shows_each_caller_only_their_own_workspaces_things(
    live_server, alice, bob, charlie, workspace, key_for, finished_video, clean_redis
):
    job = EnrichmentJob.objects.create(workspace=workspace, submitted_by=alice, kind="analyze", platform="youtube",
                                       url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")  # fmt: skip
    keys = {"alice": key_for(alice), "bob": key_for(bob, workspace), "charlie": key_for(charlie)}
    seen = run(_owners_and_outsiders, f"{live_server.url}/mcp", keys, workspace.pk, job.pk)

    assert seen["alice videos"]["count"] == 1 and seen["alice videos"]["videos"][0]["id"] == finished_video.pk
    assert seen["charlie videos"]["count"] == 0
    assert seen["created"]["secret"].startswith("whsec_") and seen["created"]["event_types"] == ["video.completed"]
    assert "secret" not in seen["listed"]["webhooks"][0]
    assert seen["tracked"]["kind"] == "seed" and seen["tracked"]["seed"] == "sourdough"
    assert seen["job"]["job_id"] == job.pk and seen["job"]["status"] == "queued"
    assert seen["bob"].endswith(f"[forbidden] Only owners and admins of {workspace.name} can change its webhooks.")
    for text in seen["charlie"]:
        assert "[not_found]" in text and "was not found" in text, text
    assert seen["deleted"] == [{"id": seen["created"]["id"], "deleted": True},
                               {"id": seen["tracked"]["id"], "deleted": True}]  # fmt: skip


async def _owners_and_outsiders(endpoint: str, keys: dict, workspace_id: str, job_id: str) -> dict:
    seen: dict = {}
    async with http_session(endpoint, keys["alice"]) as alice:
        seen["alice videos"] = await call(alice, "list_videos")
        seen["created"] = hook = await call(alice, "create_webhook", url="https://example.com/hooks",
                                            event_types=["video.completed"])  # fmt: skip
        seen["listed"] = await call(alice, "list_webhooks")
        seen["tracked"] = item = await call(alice, "track_item", kind="seed", ref="sourdough")
        seen["job"] = await call(alice, "get_analysis", job_id=job_id)
        async with http_session(endpoint, keys["bob"]) as bob:
            seen["bob"] = await refusal(bob, "delete_webhook", webhook_id=hook["id"])
        async with http_session(endpoint, keys["charlie"]) as charlie:
            seen["charlie videos"] = await call(charlie, "list_videos")
            seen["charlie"] = [
                await refusal(charlie, "list_videos", workspace_id=workspace_id),
                await refusal(charlie, "submit_video", url="https://example.com/talk.mp4", workspace_id=workspace_id),
                await refusal(charlie, "delete_webhook", webhook_id=hook["id"]),
                await refusal(charlie, "untrack_item", item_id=item["id"]),
                await refusal(charlie, "get_analysis", job_id=job_id),
            ]
        seen["deleted"] = [await call(alice, "delete_webhook", webhook_id=hook["id"]),
                           await call(alice, "untrack_item", item_id=item["id"])]  # fmt: skip
    return seen


def test_it_runs_discovery_and_analysis_within_the_plans_quotas_and_rate(
    live_server,
    alice,
    workspace,
    key_for,
    youtube,  # noqa: F811 - the fixture imported above
):
    seen = run(_research, f"{live_server.url}/mcp", key_for(alice), workspace.pk)

    found = seen["discovery"]
    assert found["seed"] == "blind test" and found["n"] == 20 and len(found["breakouts"]) == 5
    assert found["verdict"] in {"HEATING", "STEADY", "SATURATING", "INSUFFICIENT_DATA"}
    assert {"id", "title", "url", "views_per_day"} <= set(found["breakouts"][0])
    assert seen["analysis"]["status"] == "queued" and seen["analysis"]["kind"] == "analyze"
    assert seen["tiktok"].startswith("Error executing tool run_discovery: [search_unsupported] TikTok cannot")
    assert seen["quota"].startswith("Error executing tool run_discovery: [quota_exceeded] This workspace has used 25")
    assert seen["rate"].startswith("Error executing tool get_video: [rate_limited] The Free plan allows 0 API")
    workspace.refresh_from_db()
    assert workspace.discovery_used == 25 and workspace.enrichment_used == 1


async def _research(endpoint: str, key: str, workspace_id: str) -> dict:
    seen: dict = {}
    async with http_session(endpoint, key) as session:
        seen["discovery"] = await call(session, "run_discovery", seed="blind test", limit=5)
        seen["analysis"] = await call(session, "analyze_video", url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")
        seen["tiktok"] = await refusal(session, "run_discovery", seed="blind test", platform="tiktok")
        await anyio.to_thread.run_sync(_spend_discovery_quota, workspace_id)
        seen["quota"] = await refusal(session, "run_discovery", seed="blind test")
        # A rate of 0 refuses the next call whichever minute's window it falls in.
        await anyio.to_thread.run_sync(_stop_calls)
        seen["rate"] = await refusal(session, "get_video", video_id="vid_any")
    return seen


def _spend_discovery_quota(workspace_id: str) -> None:
    Workspace.objects.filter(pk=workspace_id).update(discovery_used=25)


def _stop_calls() -> None:
    Plan.objects.filter(slug="free").update(api_requests_per_minute=0)
