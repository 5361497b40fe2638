"""Ssemble's error bodies, mapped here for every /api/v1/ route.

Every error is ``{"error": {"code": "<code>", "message": "<plain words>", "details": ...}}``
with ``details`` null, except for a bad body, where it maps each field at fault to its
messages. The codes by status: 400 ``invalid_request`` (a malformed request id, a bad
body, a source given twice or not at all), 400 ``url_validation_failed`` (a link the
server may not fetch), 401 ``invalid_api_key`` (missing, unknown or revoked), 402
``insufficient_credits`` (no minutes left), 403 ``forbidden`` (a video site the plan
does not include), 404 ``resource_not_found`` (no such request, or another account's),
413 ``payload_too_large``, 415 ``unsupported_media``, 429 ``rate_limited``, 503
``service_unavailable``, 500 ``internal_error`` (logged; the body says nothing of why).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import set_rollback

from clipsite import api
from videos.errors import SubmitRefused

# Ssemble's code for each status the API answers with.
CODES = {
    400: "invalid_request",
    401: "invalid_api_key",
    402: "insufficient_credits",
    403: "forbidden",
    404: "resource_not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    411: "length_required",
    413: "payload_too_large",
    415: "unsupported_media",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}
# The answer to each refused submission: (status, code).
SUBMIT_ERRORS = {
    SubmitRefused.PLATFORM_NOT_IN_PLAN: (403, "forbidden"),
    SubmitRefused.UPLOAD_TOO_LARGE: (413, "payload_too_large"),
    SubmitRefused.INSUFFICIENT_MINUTES: (402, "insufficient_credits"),
    SubmitRefused.URL_REFUSED: (400, "url_validation_failed"),
    SubmitRefused.UNSUPPORTED_MEDIA: (415, "unsupported_media"),
    SubmitRefused.INVALID_SOURCE: (400, "invalid_request"),
}
MISSING_KEY = "Send your API key in the X-API-Key header."
NOT_FOUND = "No request with this id was found in your account."


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    """Ssemble's error body; ``message`` passes through :func:`clipsite.api.safe_text`."""
    return {"error": {"code": code, "message": api.safe_text(message), "details": details}}


def guard_body(status: int, message: str) -> dict:
    """The body of an error the request guards answer before any view (see clipsite.middleware)."""
    return error_body(CODES.get(status, "error"), message)


def exception_handler(exc, context):
    if isinstance(exc, SubmitRefused):
        set_rollback()
        status, code = SUBMIT_ERRORS.get(exc.code, (400, "invalid_request"))
        details = {exc.field: [api.safe_text(exc.message)]} if exc.field else None
        return Response(error_body(code, exc.message, details), status=status)
    if isinstance(exc, exceptions.ValidationError):
        set_rollback()
        detail = exc.detail if isinstance(exc.detail, dict) else {"request": exc.detail}
        messages = list(_messages(detail, ""))
        fields: dict[str, list[str]] = {}
        for field, message in messages:
            fields.setdefault(field or "request", []).append(message)
        field, message = messages[0] if messages else ("", "The request is not valid.")
        return Response(error_body("invalid_request", f"{field}: {message}" if field else message, fields),
                        status=400)  # fmt: skip
    if isinstance(exc, exceptions.NotAuthenticated):
        exc = exceptions.NotAuthenticated(MISSING_KEY)
    # Everything else (authentication, throttling, outages, unexpected errors: logged
    # there, answered without internals) is decided by the API's own handler; only the
    # body is Ssemble's.
    response = api.exception_handler(exc, context)
    if response is not None:
        body = response.data
        response.data = error_body(CODES.get(response.status_code, body["error"]), body["detail"])
    return response


def _messages(detail, path: str):
    """``(field, message)`` for every message in a DRF error detail, fields as ``a.b[0]``."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "request") else api.safe_text(key, 100)
            yield from _messages(value, f"{path}.{name}" if path and name else path or name)
    elif isinstance(detail, list):
        for value in detail:
            yield from _messages(value, path)
    else:
        yield path, api.safe_text(detail)


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/: Ssemble's 404, whatever the method."""
    return JsonResponse(error_body("resource_not_found", "There is no such endpoint in this API."), status=404)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable machine-readable code, e.g. resource_not_found.")
    message = serializers.CharField(help_text="What went wrong, for a person.")
    details = serializers.DictField(
        allow_null=True, help_text="For a bad body: each field at fault -> its messages; otherwise null."
    )

    class Meta:
        ref_name = "SsembleErrorDetail"


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()

    class Meta:
        ref_name = "SsembleError"


def error_responses(*statuses: int) -> dict:
    """Schema entries for Ssemble's error statuses."""
    return {status: OpenApiResponse(ErrorSerializer, description=CODES[status]) for status in statuses}
