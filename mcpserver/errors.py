"""Domain errors as MCP tool errors: the one mapping, for every tool and both transports.

A refusal the REST API answers with a 4xx reaches an agent as a tool result with
``isError`` set, whose text is ``[<code>] <what was wrong>``: the domain error's own code
(``url_refused``, ``insufficient_minutes``, ``quota_exceeded``, ...) or, for the API's
generic refusals, the code its error body carries (``not_found``, ``validation_error``,
``rate_limited``, ...). Messages pass through :func:`clipsite.api.safe_text`, as the
API's do. Anything else is a bug: it is left to the SDK, which logs it and answers with
a generic error that names nothing of the server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from mcp.server.mcpserver.exceptions import ToolError
from rest_framework import exceptions

from accounts.actions import QuotaExceeded
from clips.actions import ClipEditError
from clipsite import outage
from clipsite.api import error_body, flatten, safe_text
from tracking.errors import TrendError
from videos.errors import SubmitRefused
from webhooks.errors import WebhookError

# ClipEditError's fields, as rerender_clip's parameters are named.
CLIP_EDIT_PARAMS = {"start": "start_time", "end": "end_time", "captionTemplate": "caption_template",
                    "aspectRatio": "aspect_ratio", "hookText": "hook_text", "layout": "layout"}  # fmt: skip
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def tool_error(exc: BaseException) -> ToolError | None:
    """The tool error that answers ``exc``, or None when ``exc`` is not a refusal but a bug."""
    described = _describe(exc)
    if described is None:
        return None
    code, detail = described
    return ToolError(f"[{code}] {safe_text(detail)}")


def _describe(exc: BaseException) -> tuple[str, str] | None:
    """``(code, message)`` for a refusal; None for anything else."""
    if isinstance(exc, SubmitRefused | TrendError | WebhookError):
        retry = getattr(exc, "retry_after", None)
        return exc.code, exc.message + (f" Try again in {retry} s." if retry else "")
    if isinstance(exc, QuotaExceeded):
        return exc.code, str(exc)
    if isinstance(exc, ClipEditError):
        if exc.field in ("status", "source"):
            return "conflict", str(exc)
        return "validation_error", f"{CLIP_EDIT_PARAMS.get(exc.field, exc.field)}: {exc}"
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"request": exc.detail}
        field, messages = next(iter(detail.items()))
        return "validation_error", f"{param_name(str(field))}: {flatten(messages, param_name)}"
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, outage.ERRORS):
        exc = outage.unavailable(exc)
    if isinstance(exc, exceptions.APIException):
        body = error_body(exc.status_code, flatten(exc.detail, param_name))  # the REST API's code for its status
        return body["error"], body["detail"]
    return None


@contextmanager
def as_tool_errors() -> Iterator[None]:
    """Inside the block, a refusal leaves as the :class:`ToolError` that describes it."""
    try:
        yield
    except ToolError:
        raise
    except Exception as exc:
        error = tool_error(exc)
        if error is None:
            raise
        raise error from exc


def param_name(field: str) -> str:
    """A serializer's field name (``minScore``, ``config.numberOfClips``) as the tools spell
    their parameters (``min_score``, ``config.numberOfClips``: the options keep the API's keys)."""
    head, dot, rest = field.partition(".")
    return _CAMEL.sub(r"_\1", head).lower() + dot + rest

