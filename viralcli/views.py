"""viralcli's routes under /v1/: a key is required and acts in its own workspace.

Another workspace's resource is a 404, like one that does not exist. As in the rest of
Clipsite, only owners and admins of the workspace may change its subscriptions (403).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ApiKeyAuthentication
from viralcli import errors
from viralcli.serializers import WebhookCreatedSerializer, WebhookCreateSerializer, WebhookSerializer
from webhooks import actions
from webhooks.models import Endpoint
from webhooks.schema import SIGNING_DOC

TAGS = ["viralcli (v1)"]


class V1View(APIView):
    """Key-only authentication and viralcli's error bodies."""

    authentication_classes = [ApiKeyAuthentication]

    def get_exception_handler(self):
        return errors.exception_handler

    @property
    def workspace(self):
        return self.request.auth.workspace

    def check_manager(self) -> None:
        if not self.workspace.can_manage(self.request.user):
            raise exceptions.PermissionDenied(
                f"Only owners and admins of {self.workspace.name} can change its webhooks."
            )


class Webhooks(V1View):
    @extend_schema(
        tags=TAGS, operation_id="v1_webhooks_list", responses={200: WebhookSerializer(many=True), **errors.ERRORS},
        summary="List your subscriptions (a JSON array; secrets are never returned again)",
    )  # fmt: skip
    def get(self, request):
        return Response(WebhookSerializer(Endpoint.objects.filter(workspace=self.workspace), many=True).data)

    @extend_schema(
        tags=TAGS, operation_id="v1_webhooks_create", request=WebhookCreateSerializer,
        responses={201: WebhookCreatedSerializer, **errors.error_responses(400, 401, 403, 413, 422, 429)},
        summary="Subscribe an https endpoint to events; the secret is returned this once", description=SIGNING_DOC,
    )  # fmt: skip
    def post(self, request):
        body = WebhookCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.check_manager()
        data = body.validated_data
        endpoint, secret = actions.create_endpoint(
            self.workspace, request.user, url=data["url"], event_types=data["event_types"],
            tracked_item_id=data.get("tracked_item_id") or "",
        )  # fmt: skip
        return Response(WebhookCreatedSerializer(endpoint, context={"secret": secret}).data,
                        status=status.HTTP_201_CREATED)  # fmt: skip


class WebhookDetail(V1View):
    @extend_schema(
        tags=TAGS, operation_id="v1_webhooks_delete", responses={204: None, **errors.ERRORS},
        parameters=[OpenApiParameter("endpoint_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        summary="Delete a subscription",
    )  # fmt: skip
    def delete(self, request, endpoint_id: int):
        endpoint = get_object_or_404(Endpoint.objects.filter(workspace=self.workspace), pk=endpoint_id)
        self.check_manager()
        actions.delete_endpoint(endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)
