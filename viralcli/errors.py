"""viralcli's error bodies, mapped here for every /v1/ route.

``{"error": "<code>", "detail": "<message>"}`` as the rest of the API, except validation
errors, which are FastAPI's (viralcli runs on it): 422 with ``{"detail": [{"loc": ["body",
"<field>"], "msg": "...", "type": "value_error"}]}``. Domain errors: a refused URL is 400
``url_refused``; a bad event type or scope a 422 naming the field; an action the
resource's state forbids 409.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import set_rollback

from accounts.actions import QuotaExceeded
from clipsite import api
from tracking.errors import HTTP_STATUS, TrendError
from webhooks.errors import WebhookError

VALIDATION_STATUS = 422
# The status of each domain error that is not about a field's value.
DOMAIN_STATUS = {WebhookError.URL_REFUSED: 400, WebhookError.NOT_ALLOWED: 409}


def validation_body(detail, location: str = "body") -> dict:
    """FastAPI's body for a DRF validation error's ``detail``: one entry per message."""
    return {"detail": [{"loc": [location, *path], "msg": api.safe_text(message), "type": "value_error"}
                       for path, message in _messages(detail, [])]}  # fmt: skip


def _messages(detail, path: list):
    if isinstance(detail, dict):
        for key, value in detail.items():
            where = [] if key in ("non_field_errors", "request") else [_part(key)]
            yield from _messages(value, [*path, *where])
    elif isinstance(detail, list):
        for value in detail:
            yield from _messages(value, path)
    else:
        yield path, str(detail)


def _part(key):
    return key if isinstance(key, int) else api.safe_text(key, 100)


def exception_handler(exc, context):
    if isinstance(exc, QuotaExceeded):
        set_rollback()
        return Response(api.error_body(402, str(exc), exc.code), status=402)
    if isinstance(exc, TrendError):
        set_rollback()
        status = HTTP_STATUS.get(exc.code, 400)
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
        return Response(api.error_body(status, exc.message, exc.code), status=status, headers=headers)
    if isinstance(exc, WebhookError):
        if exc.code in DOMAIN_STATUS:
            set_rollback()
            status = DOMAIN_STATUS[exc.code]
            return Response(api.error_body(status, exc.message, exc.code), status=status)
        exc = exceptions.ValidationError({exc.field or "request": [exc.message]})
    if isinstance(exc, exceptions.ValidationError):
        set_rollback()
        location = "query" if context["request"].method == "GET" else "body"
        detail = exc.detail if isinstance(exc.detail, dict) else {"request": exc.detail}
        return Response(validation_body(detail, location), status=VALIDATION_STATUS)
    return api.exception_handler(exc, context)


class LocationErrorSerializer(serializers.Serializer):
    loc = serializers.ListField(child=serializers.JSONField(), help_text='Where: ["body", "<field>", ...].')
    msg = serializers.CharField()
    type = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    detail = LocationErrorSerializer(many=True)

    class Meta:
        ref_name = "V1ValidationError"


def error_responses(*codes: int) -> dict:
    """Schema entries for /v1/ error statuses: FastAPI's body for 422, the shared one otherwise."""
    responses = api.error_responses(*(code for code in codes if code != VALIDATION_STATUS))
    if VALIDATION_STATUS in codes:
        responses[VALIDATION_STATUS] = OpenApiResponse(ValidationErrorSerializer, description="validation error")
    return responses


ERRORS = error_responses(401, 403, 404, 413, 422, 429)
