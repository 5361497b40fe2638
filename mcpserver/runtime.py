"""How tool bodies run: on a worker thread, refusals as tool errors, connections closed after.

The SDK runs a synchronous tool on one of anyio's worker threads, and the ORM may only
be used off the event loop's thread, so every database call happens there: synchronous
tools are wrapped with :func:`sync_tool`, and asynchronous ones (the waits, see
:func:`wait_until`) reach the database through :func:`in_thread`. A worker thread
outlives the call (and, on HTTP, the event loop is made per request), so the connection
the call opened is closed when it returns rather than left to a thread nobody will use.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from django.db import connections
from mcp.server.mcpserver import Context
from rest_framework import exceptions

from accounts.models import ApiKey
from clipsite import ratelimit
from mcpserver.errors import as_tool_errors

T = TypeVar("T")


def call_closing(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` with refusals as tool errors; this thread's connections closed after."""
    try:
        with as_tool_errors():
            return fn(*args, **kwargs)
    finally:
        connections.close_all()


def sync_tool(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` as a tool body (the SDK reads the signature and docstring through the wrapper)."""

    @functools.wraps(fn)
    def run(**kwargs: Any) -> T:
        return call_closing(fn, **kwargs)

    return run


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` from an asynchronous tool as :func:`call_closing` does, on a worker thread."""
    return await anyio.to_thread.run_sync(functools.partial(call_closing, fn, *args))


# How often a wait reads the row again: a stage lasts seconds to minutes.
POLL_SECONDS = 1.0
# A wait's slot frees itself after this long should its holder die without releasing it.
WAIT_SLOT_SECONDS = 15 * 60
# What a caller refused a wait slot is told to wait: a poll or two of the other wait.
WAIT_SLOT_RETRY = 10


async def wait_until(ctx: Context, key: ApiKey, load: Callable[[], Waited], timeout: float) -> dict[str, Any]:
    """Poll ``load`` (on a worker thread) until it says finished or ``timeout`` seconds pass.

    Each change of progress is sent as an MCP progress notification when the client
    asked for them (a progress token); the answer is the last result with ``timed_out``.
    A wait holds one of the workspace's wait slots (as many as its plan runs jobs at
    once): over HTTP it holds a web server thread, which must not be had for the asking.
    """
    slot = await in_thread(_take_wait_slot, key)
    try:
        deadline = anyio.current_time() + timeout
        reported = None
        while True:
            waited = await in_thread(load)
            if waited.progress is not None and (waited.progress, waited.message) != reported:
                reported = (waited.progress, waited.message)
                await ctx.report_progress(waited.progress, 100, waited.message)
            remaining = deadline - anyio.current_time()
            if waited.finished or remaining <= 0:
                return {**waited.result, "timed_out": not waited.finished}
            await anyio.sleep(min(POLL_SECONDS, remaining))
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(ratelimit.release, slot)


def _take_wait_slot(key: ApiKey) -> str:
    plan = key.workspace.plan
    slot = f"mcp-wait:{key.workspace_id}"
    if not ratelimit.acquire(slot, plan.concurrent_jobs, WAIT_SLOT_SECONDS):
        waits = f"{plan.concurrent_jobs} wait{'s' if plan.concurrent_jobs != 1 else ''}"
        raise exceptions.Throttled(
            wait=WAIT_SLOT_RETRY,
            detail=f"The {plan.name} plan allows {waits} at a time; check with get_video or get_clip meanwhile.",
        )
    return slot


@dataclasses.dataclass
class Waited:
    """One look at what a wait follows: the tool's result, whether it is over, and its
    progress (0-100, None when it has none) with a word on the stage."""

    result: dict[str, Any]
    finished: bool
    progress: int | None = None
    message: str = ""
