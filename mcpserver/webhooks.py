"""Webhook tools: list, create and delete the workspace's event subscriptions.

As viralcli's /v1/webhooks (``viralcli/views.py``): the API key's workspace, the same
serializers, :func:`webhooks.actions.create_endpoint` (which judges the URL with the SSRF
guard) and only owners and admins may change subscriptions. A secret is shown once.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field
from rest_framework import exceptions

from accounts.models import ApiKey
from mcpserver.caller import authorize
from viralcli.serializers import WebhookCreatedSerializer, WebhookCreateSerializer, WebhookSerializer
from webhooks import actions
from webhooks.models import ALL_EVENTS, SUBSCRIBABLE, Endpoint

EVENT_TYPES_HELP = f'Any of: {", ".join(SUBSCRIBABLE)}; or ["{ALL_EVENTS}"] (the default) for every event.'


def list_webhooks() -> dict[str, Any]:
    """The workspace's webhook subscriptions (their secrets are never shown again)."""
    key = authorize()
    endpoints = list(Endpoint.objects.filter(workspace=key.workspace))
    return {"count": len(endpoints), "webhooks": WebhookSerializer(endpoints, many=True).data}


def create_webhook(
    url: Annotated[str, Field(description="A public https URL to POST events to (checked again at each delivery).")],
    event_types: Annotated[
        list[str] | None,
        Field(description=EVENT_TYPES_HELP),
    ] = None,
    tracked_item_id: Annotated[str | None, Field(description="Only this tracked item's events.")] = None,
) -> dict[str, Any]:
    """Subscribe a URL to the workspace's events, signed with a secret that is returned this once. Owners and
    admins only."""
    key = authorize()
    data = {"url": url, "event_types": event_types, "tracked_item_id": tracked_item_id}
    body = WebhookCreateSerializer(data={name: value for name, value in data.items() if value is not None})
    body.is_valid(raise_exception=True)
    _check_manager(key)
    valid = body.validated_data
    endpoint, secret = actions.create_endpoint(key.workspace, key.user, url=valid["url"],
                                               event_types=valid["event_types"],
                                               tracked_item_id=valid.get("tracked_item_id") or "")  # fmt: skip
    return WebhookCreatedSerializer(endpoint, context={"secret": secret}).data


def delete_webhook(webhook_id: Annotated[int, Field(description="The subscription's id.")]) -> dict[str, Any]:
    """Delete a webhook subscription and its delivery log. Owners and admins only."""
    key = authorize()
    endpoint = Endpoint.objects.filter(workspace=key.workspace, pk=webhook_id).first()
    if endpoint is None:
        raise exceptions.NotFound(f"Webhook {webhook_id} was not found in this workspace.")
    _check_manager(key)
    actions.delete_endpoint(endpoint)
    return {"id": webhook_id, "deleted": True}


def _check_manager(key: ApiKey) -> None:
    if not key.workspace.can_manage(key.user):
        raise exceptions.PermissionDenied(f"Only owners and admins of {key.workspace.name} can change its webhooks.")
