"""The API's error contract: every error is ``{"error": "<code>", "detail": "<message>"}``.

Validation errors add ``fields`` (field name -> messages) and use 422. Unexpected
exceptions are logged with their traceback and answered with a generic 500 that leaks
nothing about the server. Every message and field name passes through :func:`safe_text`
on its way out, since many echo what the client sent.
"""

from __future__ import annotations

import functools
import logging
import re
import tempfile
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from clipsite import outage
from videos.errors import SubmitRefused

logger = logging.getLogger("clipsite.api")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    411: "length_required",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
    503: "service_unavailable",
}


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def error_body(status_code: int, detail: str, code: str | None = None, **extra) -> dict:
    """The error body; ``detail`` passes through :func:`safe_text`, whoever wrote it."""
    return {"error": code or _CODES.get(status_code, "error"), "detail": safe_text(detail), **extra}


def json_error(status_code: int, detail: str, code: str | None = None, **extra) -> JsonResponse:
    return JsonResponse(error_body(status_code, detail, code, **extra), status=status_code)


def safe_text(text, limit: int = 500) -> str:
    """``text`` as it can be shown to the person who sent it: lone surrogates (which no
    encoder accepts, so one echoed would break the response) written as ``\\ud800``
    escapes, a path inside the server's own folders reduced to its last name, and cut at
    ``limit`` characters so an echoed 60 KB value stays short."""
    text = str(text).encode("utf-8", "backslashreplace").decode("utf-8")
    text = _server_paths().sub(lambda found: found.group(0).rstrip("/").rsplit("/", 1)[-1], text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@functools.cache
def _server_paths() -> re.Pattern:
    """Paths under the folders this server keeps code, data and temporary files in."""
    folders = {settings.BASE_DIR, settings.VAR_DIR, settings.MEDIA_ROOT, tempfile.gettempdir()}
    roots = "|".join(re.escape(str(folder).rstrip("/")) for folder in sorted(folders, key=str, reverse=True))
    # Not inside a URL or a longer name: only a path that starts where a word could.
    return re.compile(rf"(?<![\w.:/-])(?:{roots})(?:/[^\s'\"]*|(?![\w.-]))")


def _safe_detail(detail):
    """An exception's detail with every key and message passed through :func:`safe_text`."""
    if isinstance(detail, list):
        return [_safe_detail(d) for d in detail]
    if isinstance(detail, dict):
        return {safe_text(k, 100): _safe_detail(v) for k, v in detail.items()}
    return safe_text(detail)


def flatten(detail, name: Callable[[str], str] = str) -> str:
    """A DRF error ``detail`` (lists and dicts of messages) as one line; ``name`` spells each
    field's name (each surface has its own spelling of a parameter)."""
    if isinstance(detail, list):
        return " ".join(flatten(d, name) for d in detail)
    if isinstance(detail, dict):
        return " ".join(f"{name(str(k))}: {flatten(v, name)}" for k, v in detail.items())
    return str(detail)


# The ScaleReach API's answer to each refused submission: (status, error code).
SUBMIT_ERRORS = {
    SubmitRefused.PLATFORM_NOT_IN_PLAN: (403, "forbidden"),
    SubmitRefused.UPLOAD_TOO_LARGE: (413, "payload_too_large"),
    SubmitRefused.INSUFFICIENT_MINUTES: (402, "payment_required"),
    SubmitRefused.URL_REFUSED: (400, "url_refused"),
    SubmitRefused.UNSUPPORTED_MEDIA: (415, "unsupported_media"),
    SubmitRefused.INVALID_SOURCE: (400, "bad_request"),
}


def exception_handler(exc, context):
    if isinstance(exc, SubmitRefused):
        set_rollback()
        status_code, code = SUBMIT_ERRORS.get(exc.code, (400, exc.code))
        return Response(error_body(status_code, exc.message, code), status=status_code)
    if isinstance(exc, outage.ERRORS):
        exc = outage.unavailable(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.ValidationError):
        set_rollback()
        fields = _safe_detail(exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail})
        first_field = next(iter(fields), "request")
        detail = f"{first_field}: {flatten(fields[first_field])}"
        return Response(error_body(422, detail, fields=fields), status=status.HTTP_422_UNPROCESSABLE_ENTITY)

    if isinstance(exc, exceptions.APIException):
        set_rollback()
        headers = {}
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            view = context.get("view")
            request = context.get("request")
            if view is not None and request is not None:
                header = view.get_authenticate_header(request)
                if header:
                    headers["WWW-Authenticate"] = header
            exc.status_code = status.HTTP_401_UNAUTHORIZED
        wait = getattr(exc, "wait", None)
        if wait is not None:
            headers["Retry-After"] = str(max(1, int(wait + 0.999)))
        code = _CODES.get(exc.status_code) or (exc.get_codes() if isinstance(exc.get_codes(), str) else None)
        return Response(
            error_body(exc.status_code, flatten(_safe_detail(exc.detail)), code),
            status=exc.status_code,
            headers=headers,
        )

    logger.exception("Unhandled API error", exc_info=exc)
    set_rollback()
    return Response(error_body(500, "Something went wrong on our side. Try again later."), status=500)


class StrictFieldsMixin:
    """For serializers: refuse keys the serializer does not know, naming the first one."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"request": ["Expected a JSON object."]})
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            known = ", ".join(self.fields)
            raise exceptions.ValidationError(
                {unknown[0]: [f"Unknown field {safe_text(repr(unknown[0]), 60)}. Known fields: {known}."]}
            )
        return super().to_internal_value(data)


PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Bounds the offset the database is asked for: past it, page * size overflows SQLite's
# 64-bit integers. A million rows at the largest page size is still within reach.
MAX_PAGE = 10_000


class PageParams(serializers.Serializer):
    """The ``page`` and ``pageSize`` query parameters of every paged list."""

    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)
    pageSize = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=PAGE_SIZE)


class PageFieldsSerializer(serializers.Serializer):
    """The fields every page envelope has beside its list (``videos``, ``webhooks``, ...)."""

    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pageSize = serializers.IntegerField()
    hasMore = serializers.BooleanField()


def page_of(queryset, params: dict, key: str, serializer) -> dict:
    """One page of ``queryset`` as ``{key: [...], count, page, pageSize, hasMore}``;
    ``params`` are a :class:`PageParams`' validated data."""
    page, size = params["page"], params["pageSize"]
    total = queryset.count()
    rows = queryset[(page - 1) * size : page * size]
    return {key: serializer(rows, many=True).data, "count": total, "page": page, "pageSize": size,
            "hasMore": page * size < total}  # fmt: skip


class Conflict(exceptions.APIException):
    """The resource is in a state that does not allow the request (already finished, busy)."""

    status_code = 409
    default_detail = "The resource is not in a state that allows this."
    default_code = "conflict"


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="A stable machine-readable code, e.g. not_found.")
    detail = serializers.CharField(help_text="What went wrong, for a person.")
    fields = serializers.DictField(required=False, help_text="On 422: field name -> messages.")


def error_responses(*codes: int) -> dict:
    """Schema entries for error statuses, all with the shared error body."""
    return {code: OpenApiResponse(ErrorSerializer, description=_CODES.get(code, "error")) for code in codes}


# The errors any authenticated endpoint can answer with.
ERRORS = error_responses(400, 401, 402, 403, 404, 413, 422, 429)
