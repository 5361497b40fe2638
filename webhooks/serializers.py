"""The API's webhook objects (ScaleReach-style camelCase) and the documented event bodies.

Secrets appear only in :class:`WebhookWithSecretSerializer`, the answer to creating an
endpoint and to rotating its secret; every other answer uses :class:`WebhookSerializer`.
The event bodies of :mod:`webhooks.schema` are what a receiver gets; a delivery in the
log carries the body it sent, so the schema of the log and of the wire are the same.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clipsite.api import PageFieldsSerializer, PageParams, StrictFieldsMixin
from webhooks import actions
from webhooks.models import ALL_EVENTS, SUBSCRIBABLE, Delivery, Endpoint
from webhooks.schema import EVENT_BODY, event_body

EVENT_TYPE_CHOICES = [ALL_EVENTS, *SUBSCRIBABLE]
DISABLED_REASONS = [reason for reason in Endpoint.DisabledReason.values if reason]


class StatsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Deliveries made in the last 7 days.")
    succeeded = serializers.IntegerField(help_text="Of those, how many the endpoint acknowledged with a 2xx.")
    rate = serializers.FloatField(allow_null=True, help_text="succeeded / total (0 to 1); null with no deliveries.")


class WebhookSerializer(serializers.ModelSerializer):
    workspaceId = serializers.CharField(source="workspace_id")
    eventTypes = serializers.ListField(child=serializers.CharField(), source="event_types")
    videoId = serializers.CharField(source="video_id", allow_null=True)
    trackedItemId = serializers.SerializerMethodField()
    disabledReason = serializers.SerializerMethodField()
    failingSince = serializers.DateTimeField(source="failing_since", allow_null=True)
    previousSecretExpiresAt = serializers.SerializerMethodField()
    createdAt = serializers.DateTimeField(source="created_at")
    stats = serializers.SerializerMethodField()

    class Meta:
        model = Endpoint
        fields = [
            "id", "workspaceId", "url", "description", "eventTypes", "videoId", "trackedItemId", "enabled",
            "disabledReason", "failingSince", "previousSecretExpiresAt", "createdAt", "stats",
        ]  # fmt: skip
        ref_name = "Webhook"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_trackedItemId(self, endpoint) -> str | None:
        return endpoint.tracked_item_id or None

    @extend_schema_field(
        serializers.ChoiceField(
            choices=DISABLED_REASONS, allow_null=True,
            help_text="Why a disabled endpoint is off: user (a member turned it off), gone (it answered 410), "
            "failing (every delivery failed for 3 days). Null while enabled.",
        )
    )  # fmt: skip
    def get_disabledReason(self, endpoint) -> str | None:
        return endpoint.disabled_reason or None

    @extend_schema_field(
        serializers.DateTimeField(
            allow_null=True, help_text="Until then, after a rotation, deliveries are signed with the old secret too."
        )
    )
    def get_previousSecretExpiresAt(self, endpoint):
        expires = endpoint.previous_secret_expires_at
        return serializers.DateTimeField().to_representation(expires) if endpoint.previous_secret and expires else None

    @extend_schema_field(StatsSerializer)
    def get_stats(self, endpoint) -> dict:
        stats = actions.endpoint_stats(endpoint)
        return {"total": stats["total"], "succeeded": stats["succeeded"], "rate": stats["rate"]}


class WebhookWithSecretSerializer(WebhookSerializer):
    """An endpoint with its signing secret: only when it is created or its secret rotated."""

    secret = serializers.SerializerMethodField()

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        ref_name = "WebhookWithSecret"

    @extend_schema_field(
        serializers.CharField(help_text="whsec_ + base64 random bytes. Shown this once; store it now.")
    )
    def get_secret(self, endpoint) -> str:
        return self.context["secret"]


class WebhookEnvelopeSerializer(serializers.Serializer):
    webhook = WebhookSerializer()


class WebhookSecretEnvelopeSerializer(serializers.Serializer):
    webhook = WebhookWithSecretSerializer()


class WebhookPageSerializer(PageFieldsSerializer):
    webhooks = WebhookSerializer(many=True)


class WebhookCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    url = serializers.URLField(max_length=2000, help_text="A public https URL (checked again at each delivery).")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    eventTypes = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES), min_length=1, max_length=len(EVENT_TYPE_CHOICES),
        required=False, default=[ALL_EVENTS], help_text='["*"] (the default) for every event, or a list of types.',
    )  # fmt: skip
    videoId = serializers.CharField(
        max_length=32, required=False, allow_null=True, help_text="Only this video's events."
    )
    trackedItemId = serializers.CharField(
        max_length=64, required=False, allow_null=True, help_text="Only this tracked item's events."
    )
    workspaceId = serializers.CharField(required=False, help_text="Default: the key's workspace.")


class WebhookUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    url = serializers.URLField(max_length=2000, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    eventTypes = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES), min_length=1, max_length=len(EVENT_TYPE_CHOICES),
        required=False,
    )  # fmt: skip
    enabled = serializers.BooleanField(
        required=False, help_text="Turning an endpoint back on clears why it was disabled."
    )


class DeliverySerializer(serializers.ModelSerializer):
    webhookId = serializers.IntegerField(source="endpoint_id")
    eventId = serializers.UUIDField(source="event_id")
    eventType = serializers.CharField(source="event.type")
    responseStatus = serializers.IntegerField(source="response_status", allow_null=True)
    responseBody = serializers.CharField(source="response_body", help_text="The first bytes of the last response.")
    durationMs = serializers.IntegerField(source="duration_ms", allow_null=True)
    error = serializers.CharField(help_text="Why the last attempt failed, for people; empty after a success.")
    nextAttemptAt = serializers.DateTimeField(source="next_attempt_at", allow_null=True)
    lastAttemptAt = serializers.DateTimeField(source="last_attempt_at", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    event = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = [
            "id", "webhookId", "eventId", "eventType", "status", "attempts", "responseStatus", "responseBody",
            "durationMs", "error", "nextAttemptAt", "lastAttemptAt", "createdAt", "event",
        ]  # fmt: skip
        ref_name = "WebhookDelivery"

    @extend_schema_field(EVENT_BODY)
    def get_event(self, delivery) -> dict:
        return event_body(delivery.event)


class DeliveryEnvelopeSerializer(serializers.Serializer):
    delivery = DeliverySerializer()


class DeliveryPageSerializer(PageFieldsSerializer):
    deliveries = DeliverySerializer(many=True)


class WebhookListParams(PageParams):
    workspaceId = serializers.CharField(required=False)


class DeliveryListParams(PageParams):
    status = serializers.ChoiceField(choices=Delivery.Status.choices, required=False)
