"""The webhooks app's domain error; each surface (API, dashboard) maps its code to a response."""

from __future__ import annotations


class WebhookError(Exception):
    """A refused webhook request, with a message fit to show to the person who made it.

    Codes: ``url_refused`` (the SSRF guard refused the URL, or it is not https),
    ``invalid_event_type``, ``invalid_scope`` (a video of another workspace, both scopes
    at once), ``invalid_description``, ``not_allowed`` (the endpoint is disabled, so
    nothing can be sent to it). ``field`` names the offending input when there is one.
    """

    URL_REFUSED = "url_refused"
    INVALID_EVENT_TYPE = "invalid_event_type"
    INVALID_SCOPE = "invalid_scope"
    INVALID_DESCRIPTION = "invalid_description"
    NOT_ALLOWED = "not_allowed"

    def __init__(self, code: str, message: str, field: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
