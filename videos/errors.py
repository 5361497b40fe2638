"""Why a video submission was refused: one domain error with a code, for every surface.

Each surface maps the codes to its own answer in one place: the ScaleReach API
(:mod:`clipsite.api`), the dashboard (:func:`videos.views._submit`), ``manage.py clip``,
and each API dialect's own error handler. Nothing is stored, queued or charged when a
submission is refused.
"""

from __future__ import annotations


class SubmitRefused(Exception):
    """A video that may not be submitted; ``field`` names the input at fault ("url", "file"
    or "" for the request as a whole)."""

    PLATFORM_NOT_IN_PLAN = "platform_not_in_plan"
    UPLOAD_TOO_LARGE = "upload_too_large"
    INSUFFICIENT_MINUTES = "insufficient_minutes"
    URL_REFUSED = "url_refused"
    UNSUPPORTED_MEDIA = "unsupported_media"
    INVALID_SOURCE = "invalid_source"

    def __init__(self, code: str, message: str, field: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
