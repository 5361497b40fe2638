"""Request guards that run before any view: per-IP limits, the API body cap, API headers,
and request bodies that cannot be read (refused, and their connection closed)."""

from __future__ import annotations

import io
from wsgiref.headers import Headers as WsgirefHeaders

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.module_loading import import_string

from clipsite import outage, ratelimit
from clipsite.api import json_error

# The API, and viralcli's dialect of it (viralcli/).
API_PREFIXES = ("/api/", "/v1/")
MAX_JSON_BODY = 64 * 1024
HSTS_SECONDS = 31536000
# The dialects whose errors are not the native ``{"error", "detail"}``: a path prefix and a
# function of (status, message) giving the body. viralcli's /v1/ uses the native shape.
DIALECT_ERROR_BODIES = (
    ("/api/v1/", "ssemble.errors.guard_body"),
    ("/api/process", "processapi.errors.guard_body"),
    ("/api/status/", "processapi.errors.guard_body"),
)


class ApiGuardMiddleware:
    """Guards for /api/ and /v1/: a per-IP rate limit applied before authentication (so floods and
    key-guessing are capped whatever key they present), the 64 KB body cap checked before
    the view runs, and ``Cache-Control: no-store`` and HSTS on every API response.

    A view whose bodies are files declares it with a class attribute ``accepts_uploads =
    True``; the body cap is then the view's (the plan's upload limit), not this one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIXES):
            return self.get_response(request)
        decision = ratelimit.hit(f"ip:{client_ip(request)}", settings.IP_RATE_PER_MIN)
        if not decision.allowed:
            response = api_error(request, 429, "Too many requests from this address. Slow down.")
            response["Retry-After"] = str(decision.retry_after)
        else:
            response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        # viralcli's clients expect HSTS on every API answer, plain HTTP included (where
        # browsers ignore it). nosniff and Referrer-Policy come from SecurityMiddleware,
        # which wraps this one; X-Frame-Options is set here too, because the answers this
        # guard makes itself never reach the clickjacking middleware inside it.
        response.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}; includeSubDomains")
        response.setdefault("X-Frame-Options", "DENY")
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Refuse an API body over the cap once the view is known, before it reads a byte."""
        if not request.path.startswith(API_PREFIXES) or accepts_uploads(view_func) or not self._too_large(request):
            return None
        return api_error(request, 413, f"The request body is larger than {MAX_JSON_BODY // 1024} KB.")

    @staticmethod
    def _too_large(request) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return True
        return length > MAX_JSON_BODY


def api_error(request, status: int, detail: str) -> JsonResponse:
    """An error these guards answer on an API path, in the error shape of the path's dialect."""
    for prefix, dotted in DIALECT_ERROR_BODIES:
        if request.path.startswith(prefix):
            return JsonResponse(import_string(dotted)(status, detail), status=status)
    return json_error(status, detail)


def accepts_uploads(view_func) -> bool:
    """Whether the view behind ``view_func`` (a DRF or Django class-based view) takes file bodies."""
    view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    return bool(getattr(view_class, "accepts_uploads", False))


def client_ip(request) -> str:
    """The client's address as the server saw it.

    X-Forwarded-For is not trusted, because any client can send it to dodge the limit;
    behind a reverse proxy, configure the proxy's address as the one the server sees.
    """
    return request.META.get("REMOTE_ADDR", "unknown")


class RedisOutageMiddleware:
    """A view that meets a Redis outage answers 503 with ``Retry-After``, never 500.

    DRF views get the same answer from the API's exception handler; this covers every
    other view, the dashboard and the admin's queue pages (see :mod:`clipsite.outage`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, outage.ERRORS):
            return None
        outage.unavailable(exception)
        if request.path.startswith(API_PREFIXES):
            response = api_error(request, 503, outage.DETAIL)
        else:
            response = render(request, "errors/503.html", {"detail": outage.DETAIL}, status=503)
        response["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
        return response


class LengthRequiredMiddleware:
    """Refuse a body sent without Content-Length (``Transfer-Encoding: chunked``) with 411.

    WSGI hands such a body to Django with no length, and Django then reads it as empty:
    a chunked JSON body or upload would be processed as if nothing had been sent.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_TRANSFER_ENCODING" not in request.META or request.META.get("CONTENT_LENGTH"):
            return self.get_response(request)
        detail = "Send the body with a Content-Length header; chunked request bodies are not accepted."
        if request.path.startswith(API_PREFIXES):
            return api_error(request, 411, detail)
        return HttpResponse(detail, status=411, content_type="text/plain; charset=utf-8")


def close_unread_bodies(application):
    """Wrap a WSGI application: answer with ``Connection: close``, and close, whenever the
    request's body was not read to its end (a 413 or 411 refusing it, a 401 before an upload).

    Unread bytes left on a kept-alive connection would be taken for the next request;
    gunicorn drains at most 64 KB of them and otherwise drops the connection after
    having announced keep-alive, leaving the client's next request unanswered. The
    application cannot say ``Connection`` itself (a hop-by-hop header that WSGI servers
    drop or refuse), so this asks the server: gunicorn through its response's
    ``force_close``, Django's ``runserver`` (wsgiref) through the header it checks
    before sending.
    """

    def wrapped(environ, start_response):
        body = environ["wsgi.input"] = _CountingInput(environ["wsgi.input"])

        def start(status, headers, exc_info=None):
            write = start_response(status, headers, exc_info)
            if _unread(environ, body.consumed):
                server = getattr(start_response, "__self__", None)
                if hasattr(server, "force_close"):  # gunicorn
                    server.force_close()
                elif isinstance(getattr(server, "headers", None), WsgirefHeaders):  # runserver
                    server.headers["Connection"] = "close"
                    # Django's handler would otherwise read the rest of the declared body
                    # before closing: waiting on a client that waits for the close.
                    server.stdin = io.BytesIO()
            return write

        return application(environ, start)

    return wrapped


def _unread(environ, consumed: int) -> bool:
    if "HTTP_TRANSFER_ENCODING" in environ and not environ.get("CONTENT_LENGTH"):
        return True
    try:
        return consumed < int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True


class _CountingInput:
    """``wsgi.input`` that counts the bytes the application reads from it."""

    def __init__(self, stream):
        self._stream = stream
        self.consumed = 0

    def read(self, *args):
        data = self._stream.read(*args)
        self.consumed += len(data)
        return data

    def readline(self, *args):
        line = self._stream.readline(*args)
        self.consumed += len(line)
        return line

    def readlines(self, *args):
        lines = self._stream.readlines(*args)
        self.consumed += sum(len(line) for line in lines)
        return lines

    def __iter__(self):
        return iter(self.readline, b"")
