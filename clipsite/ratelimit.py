"""Atomic counters in Redis: fixed-window rate limits and in-flight semaphores.

A rate window opens at its bucket's first request and lasts its length from there, not
from the clock's minute: a client allowed ``limit`` requests gets them all, however near
a minute's end it began, and ``Retry-After`` is the time left in its own window.

Each check is one Lua script, so concurrent requests on many web processes can never
both take the last slot.

Every check fails open: while Redis is unreachable a request is allowed (and the outage
logged), so that an outage stops no request that does not itself need Redis. The limits
are fairness caps; a plan's hard limits (minutes, upload size) are enforced elsewhere,
from the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import django_rq

from clipsite import outage

# INCR the window's counter, set its expiry on first use, and report count and TTL.
_WINDOW = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('TTL', KEYS[1])}
"""
# Take a slot if fewer than ARGV[1] are held; the key expires so a crashed holder frees it.
_ACQUIRE = """
local held = tonumber(redis.call('GET', KEYS[1]) or '0')
if held >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""
_RELEASE = """
local held = tonumber(redis.call('GET', KEYS[1]) or '0')
if held > 0 then redis.call('DECR', KEYS[1]) end
return 1
"""


def _redis():
    return django_rq.get_connection("default")


@dataclass
class Decision:
    allowed: bool
    retry_after: int = 0


def hit(bucket: str, limit: int, window_seconds: int = 60) -> Decision:
    """Count one request in ``bucket``'s current window; refuse past ``limit``. A window
    opens at the first request after the last one closed."""
    key = f"clipsite:rate:{bucket}"
    try:
        count, ttl = _redis().eval(_WINDOW, 1, key, window_seconds)
    except outage.ERRORS as exc:
        outage.warn_quietly("rate limits are not applied", exc)
        return Decision(True)
    if int(count) > limit:
        return Decision(False, max(1, int(ttl)))
    return Decision(True)


def acquire(name: str, limit: int, ttl_seconds: int = 3600) -> bool:
    """Take one of ``limit`` slots of ``name``; False when all are held."""
    try:
        return bool(_redis().eval(_ACQUIRE, 1, f"clipsite:inflight:{name}", limit, ttl_seconds))
    except outage.ERRORS as exc:
        outage.warn_quietly("in-flight limits are not applied", exc)
        return True


def release(name: str) -> None:
    """Give a slot of ``name`` back; when Redis is unreachable the slot frees itself at its expiry."""
    try:
        _redis().eval(_RELEASE, 1, f"clipsite:inflight:{name}")
    except outage.ERRORS as exc:
        outage.warn_quietly("in-flight slots are not released", exc)


def pace(name: str, interval_seconds: float, *, max_wait: float = 30.0) -> None:
    """Block until ``interval_seconds`` have passed since the last call for ``name`` in any
    process, then claim the next turn; give up waiting after ``max_wait`` seconds.

    Each turn is a key set with ``NX`` that expires after the interval: whoever sets it
    goes now, the others wait for its expiry. Fails open while Redis is unreachable.
    """
    if interval_seconds <= 0:
        return
    key = f"clipsite:pace:{name}"
    milliseconds = max(1, int(interval_seconds * 1000))
    deadline = time.monotonic() + max_wait
    try:
        redis = _redis()
        while not redis.set(key, 1, nx=True, px=milliseconds):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            wait = redis.pttl(key)
            time.sleep(min(remaining, max(wait, 1) / 1000))
    except outage.ERRORS as exc:
        outage.warn_quietly("platform requests are not paced", exc)
