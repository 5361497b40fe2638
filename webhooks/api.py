"""REST endpoints for webhooks, in the API's ScaleReach dialect (camelCase, ``{"error", "detail"}``).

Ownership: every lookup goes through ``for_user``, so another workspace's endpoint or
delivery is a 404, exactly like one that does not exist. Members of a workspace read its
endpoints and their logs; owners and admins (like for API keys) change them.
Domain errors of :mod:`webhooks.actions` are mapped to responses in
:meth:`WebhookView.handle_exception`, and nowhere else.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback

from accounts.models import Workspace
from clipsite.api import ERRORS, error_body, error_responses, page_of
from clipsite.idempotency import idempotent
from videos.api import resolve_workspace
from videos.models import Video
from webhooks import actions
from webhooks.errors import WebhookError
from webhooks.models import Delivery, Endpoint
from webhooks.schema import SIGNING_DOC
from webhooks.serializers import (
    DeliveryEnvelopeSerializer,
    DeliveryListParams,
    DeliveryPageSerializer,
    DeliverySerializer,
    WebhookCreateSerializer,
    WebhookEnvelopeSerializer,
    WebhookListParams,
    WebhookPageSerializer,
    WebhookSecretEnvelopeSerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
    WebhookWithSecretSerializer,
)

# The actions name fields as the models spell them; the API spells them in camelCase.
FIELD_NAMES = {"event_types": "eventTypes", "video": "videoId", "video_id": "videoId",
               "tracked_item_id": "trackedItemId"}  # fmt: skip
# Which field a domain error is about when the action did not say.
CODE_FIELDS = {"url_refused": "url", "invalid_event_type": "eventTypes", "invalid_scope": "videoId",
               "invalid_description": "description"}  # fmt: skip
# A refused URL and a forbidden action keep their code; the rest are validation errors (422).
STATUS_OF = {"url_refused": 400, "not_allowed": 409}
MANAGERS_ONLY = "Only owners and admins of {workspace} can change its webhooks."
ENDPOINT_ID = OpenApiParameter("endpoint_id", OpenApiTypes.INT, OpenApiParameter.PATH)
DELIVERY_ID = OpenApiParameter("delivery_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def domain_error_response(exc: WebhookError) -> Response | None:
    """The response for a refused action: 400 ``url_refused``, 422 naming the field, 409 ``not_allowed``.

    Returns None for a 422, which the caller raises as a validation error so that it gets
    the API's usual ``fields`` body.
    """
    code = STATUS_OF.get(exc.code)
    if code is None:
        return None
    set_rollback()
    return Response(error_body(code, exc.message, exc.code), status=code)


def field_of(exc: WebhookError) -> str:
    """The API name of the field ``exc`` is about."""
    return FIELD_NAMES.get(exc.field, exc.field) or CODE_FIELDS.get(exc.code, "request")


class WebhookView(APIView):
    """Shared by the webhook endpoints: the mapping of domain errors and the lookups."""

    def handle_exception(self, exc):
        if isinstance(exc, WebhookError):
            response = domain_error_response(exc)
            if response is not None:
                return response
            exc = serializers.ValidationError({field_of(exc): [exc.message]})
        return super().handle_exception(exc)

    def endpoint(self, endpoint_id: int, *, manage: bool = False) -> Endpoint:
        """The caller's endpoint ``endpoint_id`` (404 otherwise); with ``manage``, 403 unless
        the caller is an owner or admin of its workspace."""
        found = get_object_or_404(Endpoint.objects.for_user(self.request.user).select_related("workspace"),
                                  pk=endpoint_id)  # fmt: skip
        if manage:
            self.check_manager(found.workspace)
        return found

    def check_manager(self, workspace: Workspace) -> None:
        if not workspace.can_manage(self.request.user):
            raise exceptions.PermissionDenied(MANAGERS_ONLY.format(workspace=workspace.name))


class WebhookList(WebhookView):
    @extend_schema(
        parameters=[WebhookListParams], responses={200: WebhookPageSerializer, **ERRORS},
        summary="List a workspace's webhook endpoints, newest first", operation_id="webhooks_list",
    )  # fmt: skip
    def get(self, request):
        params = WebhookListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        workspace = resolve_workspace(request, params.validated_data.get("workspaceId"))
        return Response(page_of(Endpoint.objects.filter(workspace=workspace), params.validated_data, "webhooks",
                              WebhookSerializer))  # fmt: skip

    @extend_schema(
        request=WebhookCreateSerializer, responses={201: WebhookSecretEnvelopeSerializer, **ERRORS},
        summary="Subscribe an https endpoint to events; the signing secret is in this answer only",
        description=SIGNING_DOC,
    )  # fmt: skip
    # No Idempotency-Key here: a replay would have to keep the secret, in clear, for a day.
    def post(self, request):
        body = WebhookCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        workspace = resolve_workspace(request, data.get("workspaceId"))
        self.check_manager(workspace)
        video = None
        if data.get("videoId"):
            video = Video.objects.filter(workspace=workspace, pk=data["videoId"]).first()
            if video is None:
                raise serializers.ValidationError({"videoId": ["No video with this id in the workspace."]})
        endpoint, secret = actions.create_endpoint(
            workspace, request.user, url=data["url"], event_types=data["eventTypes"],
            description=data["description"], video=video, tracked_item_id=data.get("trackedItemId") or "",
        )  # fmt: skip
        return Response({"webhook": WebhookWithSecretSerializer(endpoint, context={"secret": secret}).data},
                        status=status.HTTP_201_CREATED)  # fmt: skip


class WebhookDetail(WebhookView):
    @extend_schema(parameters=[ENDPOINT_ID], responses={200: WebhookEnvelopeSerializer, **ERRORS},
                   summary="One webhook endpoint, with its 7-day success rate")  # fmt: skip
    def get(self, request, endpoint_id: int):
        return Response({"webhook": WebhookSerializer(self.endpoint(endpoint_id)).data})

    @extend_schema(parameters=[ENDPOINT_ID], request=WebhookUpdateSerializer,
                   responses={200: WebhookEnvelopeSerializer, **ERRORS},
                   summary="Change an endpoint's URL, description or event types, or turn it on or off")  # fmt: skip
    def patch(self, request, endpoint_id: int):
        endpoint = self.endpoint(endpoint_id, manage=True)
        body = WebhookUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        endpoint = actions.update_endpoint(
            endpoint, url=data.get("url"), event_types=data.get("eventTypes"), description=data.get("description"),
            enabled=data.get("enabled"),
        )  # fmt: skip
        return Response({"webhook": WebhookSerializer(endpoint).data})

    @extend_schema(parameters=[ENDPOINT_ID], responses={204: None, **ERRORS},
                   summary="Delete an endpoint and its delivery log")  # fmt: skip
    def delete(self, request, endpoint_id: int):
        actions.delete_endpoint(self.endpoint(endpoint_id, manage=True))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateSecret(WebhookView):
    @extend_schema(
        parameters=[ENDPOINT_ID], request=None, responses={200: WebhookSecretEnvelopeSerializer, **ERRORS},
        summary="Make a new signing secret, shown in this answer only; the old one also signs for 24 hours",
    )  # fmt: skip
    def post(self, request, endpoint_id: int):
        endpoint = self.endpoint(endpoint_id, manage=True)
        secret = actions.rotate_secret(endpoint)
        endpoint.refresh_from_db()
        return Response({"webhook": WebhookWithSecretSerializer(endpoint, context={"secret": secret}).data})


class WebhookTest(WebhookView):
    @extend_schema(
        parameters=[ENDPOINT_ID], request=None,
        responses={202: DeliveryEnvelopeSerializer, **ERRORS, **error_responses(409)},
        summary="Send a webhook.test event to this endpoint now",
    )  # fmt: skip
    @idempotent
    def post(self, request, endpoint_id: int):
        delivery = actions.send_test_event(self.endpoint(endpoint_id, manage=True))
        return Response({"delivery": DeliverySerializer(delivery).data}, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveries(WebhookView):
    @extend_schema(
        parameters=[ENDPOINT_ID, DeliveryListParams], responses={200: DeliveryPageSerializer, **ERRORS},
        summary="An endpoint's delivery log, newest first", operation_id="webhooks_deliveries_list",
    )  # fmt: skip
    def get(self, request, endpoint_id: int):
        endpoint = self.endpoint(endpoint_id)
        params = DeliveryListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        deliveries = endpoint.deliveries.select_related("event")
        if params.validated_data.get("status"):
            deliveries = deliveries.filter(status=params.validated_data["status"])
        return Response(page_of(deliveries, params.validated_data, "deliveries", DeliverySerializer))


class WebhookRedeliver(WebhookView):
    @extend_schema(
        parameters=[ENDPOINT_ID, DELIVERY_ID], request=None,
        responses={202: DeliveryEnvelopeSerializer, **ERRORS, **error_responses(409)},
        summary="Send a delivery's event again, as a new delivery with the same event id",
    )  # fmt: skip
    @idempotent
    def post(self, request, endpoint_id: int, delivery_id: int):
        endpoint = self.endpoint(endpoint_id, manage=True)
        delivery = get_object_or_404(Delivery.objects.select_related("event"), pk=delivery_id, endpoint=endpoint)
        return Response({"delivery": DeliverySerializer(actions.redeliver(delivery)).data},
                        status=status.HTTP_202_ACCEPTED)  # fmt: skip
