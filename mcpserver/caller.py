"""Who is calling a tool: the API key a transport authenticated, and where links point.

A transport binds a :class:`Caller` with :func:`acting_as` around everything it serves
(the HTTP view around one request, ``manage.py mcp`` around the whole session); the
binding is a context variable, so it follows the SDK's tasks and the worker threads its
synchronous tools run on. Every tool starts with :func:`authorize`, which looks the key
up again (a key revoked while a stdio session runs stops working at once) and counts
the call against the workspace's API rate, the bucket the REST API's throttle uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urljoin

from rest_framework import exceptions

from accounts.actions import touch_api_key
from accounts.models import ApiKey, Workspace
from clipsite import ratelimit

UNAUTHORIZED = "The API key is missing, invalid or revoked."


@dataclass(frozen=True)
class Caller:
    """An authenticated transport's identity: the raw key and the site's base URL.

    ``build_absolute_uri`` makes it stand in for a request where links are made
    absolute (:func:`clipsite.signed_media.signed_url`, viralcli's job serializer).
    """

    raw_key: str
    base_url: str

    def build_absolute_uri(self, location: str) -> str:
        return urljoin(self.base_url, location)


_current: ContextVar[Caller] = ContextVar("mcp_caller")


@contextmanager
def acting_as(caller: Caller) -> Iterator[Caller]:
    """Serve tools as ``caller`` inside the block."""
    token = _current.set(caller)
    try:
        yield caller
    finally:
        _current.reset(token)


def current() -> Caller:
    try:
        return _current.get()
    except LookupError:
        raise exceptions.NotAuthenticated(UNAUTHORIZED) from None


def authorize() -> ApiKey:
    """The caller's active key (with its user and workspace), its call counted.

    Raises ``NotAuthenticated`` for a key that no longer works and ``Throttled`` past
    the workspace's requests per minute; both reach the client as tool errors.
    """
    key = ApiKey.objects.for_key(current().raw_key)
    if key is None:
        raise exceptions.NotAuthenticated(UNAUTHORIZED)
    touch_api_key(key)
    plan = key.workspace.plan
    decision = ratelimit.hit(f"ws:{key.workspace_id}", plan.api_requests_per_minute)
    if not decision.allowed:
        raise exceptions.Throttled(
            wait=decision.retry_after,
            detail=f"The {plan.name} plan allows {plan.api_requests_per_minute} API requests a minute.",
        )
    return key


def workspace_for(key: ApiKey, workspace_id: str | None) -> Workspace:
    """The workspace a call acts in: the one named (any of the user's), else the key's."""
    if not workspace_id:
        return key.workspace
    workspace = Workspace.objects.for_user(key.user).select_related("plan").filter(pk=workspace_id).first()
    if workspace is None:
        raise exceptions.NotFound(f"Workspace {workspace_id} was not found among yours.")
    return workspace
