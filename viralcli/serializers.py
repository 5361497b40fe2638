"""viralcli's shapes (snake_case), for the /v1/ routes."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clipsite.api import StrictFieldsMixin
from webhooks.models import ALL_EVENTS, SUBSCRIBABLE, Endpoint

EVENT_TYPE_CHOICES = [ALL_EVENTS, *SUBSCRIBABLE]


class WebhookCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    url = serializers.URLField(max_length=2000, help_text="A public https URL (checked again at each delivery).")
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES), min_length=1, max_length=len(EVENT_TYPE_CHOICES),
        required=False, default=[ALL_EVENTS],
        help_text='["*"] (the default) for all, or any of the event types.',
    )  # fmt: skip
    tracked_item_id = serializers.CharField(
        max_length=64, required=False, allow_null=True, help_text="Scope to one tracked item; null for account-wide."
    )

    class Meta:
        ref_name = "V1WebhookCreate"


class WebhookSerializer(serializers.ModelSerializer):
    """A subscription as viralcli lists it: never its secret."""

    tracked_item_id = serializers.SerializerMethodField()

    class Meta:
        model = Endpoint
        fields = ["id", "url", "event_types", "tracked_item_id"]
        ref_name = "V1Webhook"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_tracked_item_id(self, endpoint) -> str | None:
        return endpoint.tracked_item_id or None


class WebhookCreatedSerializer(WebhookSerializer):
    """The answer to creating a subscription: the only time its secret is returned."""

    secret = serializers.SerializerMethodField()

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        ref_name = "V1WebhookCreated"

    @extend_schema_field(serializers.CharField(help_text="whsec_...: shown once; store it now."))
    def get_secret(self, endpoint) -> str:
        return self.context["secret"]
