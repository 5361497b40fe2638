"""Request guards that run before any view: per-IP limits, the API body cap, API headers."""

from __future__ import annotations

from django.conf import settings

from clipsite import ratelimit
from clipsite.api import json_error

API_PREFIX = "/api/"
MAX_JSON_BODY = 64 * 1024
# Paths whose bodies are files: the plan's upload limit applies there, in the view.
UPLOAD_PATHS = ("/api/videos/upload",)


class ApiGuardMiddleware:
    """Guards for /api/: a per-IP rate limit applied before authentication (so floods and
    key-guessing are capped whatever key they present), the 64 KB body cap checked before
    any work, and ``Cache-Control: no-store`` on every API response.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        decision = ratelimit.hit(f"ip:{client_ip(request)}", settings.IP_RATE_PER_MIN)
        if not decision.allowed:
            response = json_error(429, "Too many requests from this address. Slow down.")
            response["Retry-After"] = str(decision.retry_after)
        elif self._too_large(request):
            response = json_error(413, f"The request body is larger than {MAX_JSON_BODY // 1024} KB.")
        else:
            response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _too_large(request) -> bool:
        if request.path in UPLOAD_PATHS or request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return True
        return length > MAX_JSON_BODY


def client_ip(request) -> str:
    """The client's address as the server saw it.

    X-Forwarded-For is not trusted, because any client can send it to dodge the limit;
    behind a reverse proxy, configure the proxy's address as the one the server sees.
    """
    return request.META.get("REMOTE_ADDR", "unknown")
