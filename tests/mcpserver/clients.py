"""The official MCP client over both transports, for the MCP server's tests.

Sessions are async context managers; a test runs its scenario with :func:`run` and
checks the database outside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from tests.media import REPO_ROOT
from tests.workers import worker_env

# One short clip from the talk's first 25 s keeps a video's processing to seconds.
TALK_OPTIONS = {"numberOfClips": 1, "clipDurationMin": 8, "clipDurationMax": 15, "captionTemplate": "hormozi",
                "end": 25}  # fmt: skip
# The client's read timeout stays above the longest wait a test asks for.
WAIT_SECONDS = 240
CLIENT_TIMEOUT = httpx2.Timeout(30, read=WAIT_SECONDS + 60)


def run(scenario: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """``anyio.run(scenario, *args)`` on a thread of its own: the browser tests' Playwright
    keeps an event loop running on the main thread for the whole session."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, scenario, *args).result()


@asynccontextmanager
async def http_session(endpoint: str, key: str | None) -> AsyncIterator[ClientSession]:
    """An initialized MCP session with the server at ``endpoint``, presenting ``key``."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=CLIENT_TIMEOUT) as client,
        streamable_http_client(endpoint, http_client=client) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def stdio_parameters(key: str, site_url: str) -> StdioServerParameters:
    """``manage.py mcp`` with the test's database, Redis and media, its links on ``site_url``.

    Django's async-safety guard is left on (the test session lifts it), so a database
    call made on the event loop's thread would fail the test.
    """
    env = worker_env(CLIPSITE_API_KEY=key, SITE_URL=site_url)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return StdioServerParameters(command=sys.executable, args=["manage.py", "mcp"], env=env, cwd=str(REPO_ROOT))


@asynccontextmanager
async def stdio_session(parameters: StdioServerParameters) -> AsyncIterator[ClientSession]:
    async with stdio_client(parameters) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


async def call(session: ClientSession, tool: str, progress: list | None = None, **arguments: Any) -> dict[str, Any]:
    """A tool's structured result; fails the test on a tool error. ``progress`` collects
    the progress notifications the call receives."""

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    result = await session.call_tool(tool, arguments, progress_callback=on_progress if progress is not None else None)
    assert not result.is_error, result.content[0].text
    assert json.loads(result.content[0].text) == result.structured_content
    return result.structured_content


async def refusal(session: ClientSession, tool: str, **arguments: Any) -> str:
    """The text of the tool error ``tool`` answers with; fails the test if it succeeds."""
    result = await session.call_tool(tool, arguments)
    assert result.is_error, f"{tool} succeeded: {result.structured_content}"
    return result.content[0].text


def probe_mp4(data: bytes, tmp_path) -> dict[str, Any]:
    """ffprobe's view of an MP4's video stream (it must have one)."""
    assert data[4:8] == b"ftyp", data[:16]
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    found = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,codec_name",
         "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    probed = json.loads(found.stdout)
    return {**probed["streams"][0], "duration": float(probed["format"]["duration"])}
