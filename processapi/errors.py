"""The process API's error bodies, mapped here for both of its routes.

The process API runs on FastAPI, so every error is ``{"detail": "<plain words>"}``, and a
body that is not what a route takes is FastAPI's 422: ``{"detail": [{"loc": ["body",
"<field>"], "msg": "...", "type": "value_error"}]}``. The statuses: 400 (no
``X-Gemini-Key``, no source or both, a link the server may not fetch), 401 (no key or a
bad one, where the server has no ``PROCESS_API_WORKSPACE``), 402 (no minutes left), 403 (a
video site the plan does not include), 404 (``Job not found``: malformed, unknown or
another workspace's), 413 (a file past ``MAX_FILE_SIZE_MB`` or the plan's limit), 415
(not a video file), 422, 429, 503 and 500 (logged; the body says nothing of why).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import set_rollback

from clipsite import api
from videos.errors import SubmitRefused
from viralcli.errors import ValidationErrorSerializer, validation_body

VALIDATION_STATUS = 422
# The status of each refused submission.
SUBMIT_STATUS = {
    SubmitRefused.PLATFORM_NOT_IN_PLAN: 403,
    SubmitRefused.UPLOAD_TOO_LARGE: 413,
    SubmitRefused.INSUFFICIENT_MINUTES: 402,
    SubmitRefused.URL_REFUSED: 400,
    SubmitRefused.UNSUPPORTED_MEDIA: 415,
    SubmitRefused.INVALID_SOURCE: 400,
}
NOT_FOUND = "Job not found"
MISSING_KEY = "Send an API key in the Authorization (Bearer) or X-API-Key header: jobs run in its workspace."


class MissingGeminiKey(exceptions.APIException):
    status_code = 400
    default_detail = "Missing X-Gemini-Key header: send your Google Gemini API key in it."


def guard_body(status: int, message: str) -> dict:
    """The body of an error the request guards answer before any view (see clipsite.middleware)."""
    return {"detail": api.safe_text(message)}


def exception_handler(exc, context):
    if isinstance(exc, SubmitRefused):
        set_rollback()
        status = SUBMIT_STATUS.get(exc.code, 400)
        return Response({"detail": api.safe_text(exc.message)}, status=status)
    if isinstance(exc, exceptions.ParseError):
        exc = exceptions.ValidationError({"request": [str(exc.detail)]})
    if isinstance(exc, exceptions.ValidationError):
        set_rollback()
        detail = exc.detail if isinstance(exc.detail, dict) else {"request": exc.detail}
        return Response(validation_body(detail), status=VALIDATION_STATUS)
    if isinstance(exc, exceptions.NotAuthenticated):
        exc = exceptions.NotAuthenticated(MISSING_KEY)
    # Everything else (authentication, throttling, outages, unexpected errors: logged
    # there, answered without internals) is decided by the API's own handler, headers
    # included; only the body is FastAPI's.
    response = api.exception_handler(exc, context)
    if response is not None:
        response.data = {"detail": response.data["detail"]}
    return response


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in plain words.")

    class Meta:
        ref_name = "ProcessError"


DESCRIPTIONS = {
    400: "missing X-Gemini-Key header, neither url nor file, both, or a link the server may not fetch",
    401: "no API key, or an unknown or revoked one",
    402: "no minutes left",
    403: "the plan does not include this video site",
    404: "Job not found",
    413: "file exceeds MAX_FILE_SIZE_MB (or the plan's upload limit)",
    415: "not a video file",
    429: "too many requests",
}


def error_responses(*statuses: int) -> dict:
    """Schema entries for the process API's error statuses: FastAPI's body for 422, ``{detail}`` otherwise."""
    responses = {
        status: OpenApiResponse(ErrorSerializer, description=DESCRIPTIONS.get(status, "error"))
        for status in statuses
        if status != VALIDATION_STATUS
    }
    if VALIDATION_STATUS in statuses:
        responses[VALIDATION_STATUS] = OpenApiResponse(ValidationErrorSerializer, description="validation error")
    return responses
