"""What Clipsite does while Redis is unreachable.

Redis holds the job queues, rate-limit counters and idempotency keys; the database holds
every record that matters. So a Redis outage degrades the service instead of breaking it:

- enqueueing is skipped and logged (:mod:`clipsite.queues`): the row's state, a queued
  video or a generating clip, is the record that work is due, and the sweep enqueues it
  once Redis answers again;
- rate limits and upload slots fail open (:mod:`clipsite.ratelimit`), so requests that
  do not need Redis keep being served;
- what cannot be done without Redis (an ``Idempotency-Key`` request) answers 503 with
  ``Retry-After``: the API's exception handler and :class:`clipsite.middleware.RedisOutageMiddleware`
  turn :data:`ERRORS` into that answer, never into a 500.
"""

from __future__ import annotations

import logging
import time

import redis
from rest_framework import exceptions

logger = logging.getLogger("clipsite.outage")

# A Redis that cannot be reached or does not answer in time (settings give every client
# short connect and read timeouts). Errors Redis itself answers with are bugs, not outages.
ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

# Long enough for a supervised Redis to restart, short enough for a client to retry soon.
RETRY_AFTER_SECONDS = 10
DETAIL = "A service Clipsite depends on is briefly unavailable. Try again in a few seconds."
# One warning per this many seconds and process for outages that are handled quietly
# (a skipped rate limit), so an outage does not write a line per request.
_QUIET_SECONDS = 30.0
_last_warned: dict[str, float] = {}


class ServiceUnavailable(exceptions.APIException):
    """The request needs Redis and Redis is unreachable: 503 with ``Retry-After``."""

    status_code = 503
    default_detail = DETAIL
    default_code = "service_unavailable"

    def __init__(self, detail: str | None = None):
        super().__init__(detail)
        # The API's exception handler turns ``wait`` into the Retry-After header.
        self.wait = RETRY_AFTER_SECONDS


def unavailable(exc: Exception) -> ServiceUnavailable:
    """Log a Redis outage met while answering a request, and the 503 to answer with."""
    logger.warning("Redis is unreachable; answering 503: %s", exc)
    return ServiceUnavailable()


def warn_quietly(what: str, exc: Exception) -> None:
    """Log that ``what`` went ahead without Redis, at most once per 30 s per kind."""
    now = time.monotonic()
    if now - _last_warned.get(what, -_QUIET_SECONDS) >= _QUIET_SECONDS:
        _last_warned[what] = now
        logger.warning("Redis is unreachable; %s (repeats are not logged for %.0f s): %s", what, _QUIET_SECONDS, exc)
