"""``/mcp``: the MCP server over streamable HTTP, on the web deployment, behind the API's keys.

The SDK's transport is an ASGI application and the deployment is WSGI (gunicorn gthread,
and Django's live server in tests), so this Django view bridges one request at a time:
it authenticates the key as the REST API does (``Authorization: Bearer <key>`` or
``X-API-Key``; a missing or unusable key is a 401 with the API's JSON error body), then
runs the SDK's streamable HTTP app, stateless and answering with JSON, on an event loop
of the request's own thread (``anyio.run``), and returns its answer whole. Stateless
mode keeps nothing between requests, so nothing is shared between threads or workers;
see docs/decisions.md for why this, not a2wsgi's shared loop.

With JSON responses nothing streams: a tool's progress notifications have no wire here
(the waits still wait, and answer with the final state). GET (a server-sent event
stream) and DELETE (ending a session) are refused with 405, as the protocol allows a
stateless server to.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.actions import touch_api_key
from accounts.authentication import raw_key_from
from accounts.models import ApiKey
from clipsite import ratelimit
from clipsite.api import json_error
from clipsite.middleware import MAX_JSON_BODY, client_ip
from mcpserver.caller import UNAUTHORIZED, Caller, acting_as

logger = logging.getLogger(__name__)

PATH = "/mcp"
# Headers the SDK has no use for: the key stays with Django.
_WITHHELD = {"authorization", "x-api-key", "cookie"}
# Hop-by-hop or recomputed by the WSGI server.
_NOT_COPIED = {"content-length", "connection", "transfer-encoding"}


@csrf_exempt
def endpoint(request: HttpRequest) -> HttpResponse:
    """One MCP message (a JSON-RPC request or notification) POSTed by an authenticated client."""
    response = _answer(request)
    response["Cache-Control"] = "no-store"
    return response


def _answer(request: HttpRequest) -> HttpResponse:
    # The per-address limit comes before the key is looked up, as on the API's paths, so
    # key-guessing is capped whatever key it presents.
    decision = ratelimit.hit(f"ip:{client_ip(request)}", settings.IP_RATE_PER_MIN)
    if not decision.allowed:
        response = json_error(429, "Too many requests from this address. Slow down.")
        response["Retry-After"] = str(decision.retry_after)
        return response
    raw = raw_key_from(request) or ""
    key = ApiKey.objects.for_key(raw)
    if key is None:
        response = json_error(401, UNAUTHORIZED)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if request.method != "POST":
        response = json_error(405, "This MCP endpoint is stateless: POST each message; it offers no event stream.")
        response["Allow"] = "POST"
        return response
    if _declared_length(request) > MAX_JSON_BODY:
        return json_error(413, f"The request body is larger than {MAX_JSON_BODY // 1024} KB.")
    touch_api_key(key)
    return _serve(request, Caller(raw_key=raw, base_url=request.build_absolute_uri("/")))


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return MAX_JSON_BODY + 1  # unreadable: refused as too large, as the API's guard does


def _serve(request: HttpRequest, caller: Caller) -> HttpResponse:
    # The SDK takes 1.3 s to import. Imported on the first MCP request, it is not paid by
    # every process that loads the URLconf and never serves MCP: RQ workers (their system
    # checks load it), management commands, each test's worker.
    from mcpserver.transport import Exchange

    exchange = Exchange(_scope(request), request.body)
    try:
        with acting_as(caller):
            anyio.run(exchange.run)
    except Exception:
        logger.exception("The MCP transport failed")
        return json_error(500, "Something went wrong on our side. Try again later.")
    response = HttpResponse(b"".join(exchange.chunks), status=exchange.status)
    for name, value in exchange.headers:
        if name.lower() not in _NOT_COPIED:
            response[name] = value
    return response


def _scope(request: HttpRequest) -> dict[str, Any]:
    """The ASGI scope of ``request``, as the SDK's app would get it from an ASGI server."""
    headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in request.headers.items()
        if name.lower() not in _WITHHELD
    ]
    meta = request.META
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": request.method,
        "scheme": request.scheme, "path": PATH, "raw_path": PATH.encode(), "root_path": "",
        "query_string": meta.get("QUERY_STRING", "").encode("latin-1"), "headers": headers,
        "server": (meta.get("SERVER_NAME", ""), int(meta.get("SERVER_PORT") or 0)),
        "client": (meta.get("REMOTE_ADDR", ""), int(meta.get("REMOTE_PORT") or 0)),
    }  # fmt: skip
