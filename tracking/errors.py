"""The trend features' domain errors: each carries a code that every surface maps to its own response."""

from __future__ import annotations


class TrendError(Exception):
    """A request the trend features cannot serve, with a code and a message for the user.

    ``retry_after`` (seconds) is set when trying again later can succeed: a full
    concurrency slot, or a platform that refused for now.
    """

    URL_REFUSED = "url_refused"
    PLATFORM_NOT_IN_PLAN = "platform_not_in_plan"
    SEARCH_UNSUPPORTED = "search_unsupported"
    ALREADY_TRACKED = "already_tracked"
    TRACKED_LIMIT = "tracked_limit"
    TOO_MANY_JOBS = "too_many_jobs"
    BUSY = "busy"
    PLATFORM_REFUSED = "platform_refused"
    PLATFORM_UNAVAILABLE = "platform_unavailable"
    VIDEO_UNAVAILABLE = "video_unavailable"
    MEDIA_UNREADABLE = "media_unreadable"

    def __init__(self, code: str, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after

    @classmethod
    def from_platform(cls, exc) -> TrendError:
        """The engine's :class:`pipeline.trends.platforms.PlatformError` as a domain error."""
        return cls(exc.code, exc.message, retry_after=getattr(exc, "retry_after", None))


# The status each code answers with on the HTTP surfaces (viralcli's /v1 API, the
# dashboard): the request's fault is 4xx; the platform's, a gateway's 502 or 503.
HTTP_STATUS = {
    TrendError.URL_REFUSED: 400,
    TrendError.VIDEO_UNAVAILABLE: 400,
    TrendError.PLATFORM_NOT_IN_PLAN: 403,
    TrendError.SEARCH_UNSUPPORTED: 400,
    TrendError.ALREADY_TRACKED: 409,
    TrendError.TRACKED_LIMIT: 402,
    TrendError.TOO_MANY_JOBS: 429,
    TrendError.BUSY: 429,
    TrendError.MEDIA_UNREADABLE: 502,
    TrendError.PLATFORM_REFUSED: 503,
    TrendError.PLATFORM_UNAVAILABLE: 503,
}
