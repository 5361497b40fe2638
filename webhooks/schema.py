"""OpenAPI description of the event bodies a receiver gets, one component per event type.

Each ``WebhookEvent_<type>`` component is the whole body (``id``, ``type``,
``created_at``, ``data``), with an example built from :data:`webhooks.events.EXAMPLES`.
The delivery log's ``event`` field is their ``oneOf`` (discriminated by ``type``), so the
schema of what the log shows and of what the wire carries is the same.
"""

from __future__ import annotations

import datetime
import json
import uuid

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from webhooks import signing
from webhooks.events import EXAMPLES
from webhooks.models import Event, EventType

SIGNING_DOC = """\
Clipsite POSTs each event to the endpoint as JSON: `{"id", "type", "created_at", "data"}` (the
`WebhookEvent_<type>` components describe each type). `id` is the event's id, the same on every
retry and on "send again": use it to ignore a repeat. Answer 2xx within 10 seconds; anything else
(a redirect too, which is never followed) is retried after 2, 4, 8, ... minutes, at most an hour
apart, 6 attempts in all, honouring `Retry-After`. 410 Gone disables the endpoint, and so do
3 days of failures.

Every request is signed two ways, with the secret returned here (`whsec_...`, shown once):

- Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`, the
  HMAC-SHA256 of `id.timestamp.body` keyed with the base64-decoded part of the secret after
  `whsec_`; verify it with any Standard Webhooks library (`standardwebhooks` for Python).
- viralcli's: `X-Socialdata-Event: <type>`, `X-Socialdata-Delivery: <delivery id>`,
  `X-Socialdata-Signature: sha256=<hex HMAC-SHA256 of the raw body keyed with the whole secret
  string>`.

For 24 hours after a secret is rotated, both secrets sign: `webhook-signature` carries two
space-separated signatures, and the old secret's viralcli signature comes in
`X-Socialdata-Signature-Previous` (viralcli's verify compares the whole header, so one header
holds one signature)."""


class LinksSerializer(serializers.Serializer):
    api = serializers.URLField(help_text="This resource in the API.")


class VideoLinksSerializer(LinksSerializer):
    clips = serializers.URLField(help_text="The video's clips, with fresh signed download links.")
    dashboard = serializers.URLField()


class ClipLinksSerializer(LinksSerializer):
    video = serializers.URLField()
    download = serializers.URLField(required=False, help_text="Signed; valid until links_expire_at.")
    thumbnail = serializers.URLField(required=False, help_text="Signed; valid until links_expire_at.")


class VideoClipSerializer(serializers.Serializer):
    clip_id = serializers.CharField()
    rank = serializers.IntegerField()
    title = serializers.CharField()
    score = serializers.IntegerField(help_text="Virality score, 0 to 100.")
    status = serializers.CharField()


class VideoDataSerializer(serializers.Serializer):
    video_id = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    duration = serializers.FloatField(allow_null=True, help_text="Seconds processed.")
    finished_at = serializers.DateTimeField(allow_null=True)
    links = VideoLinksSerializer()


class VideoCompletedDataSerializer(VideoDataSerializer):
    clip_count = serializers.IntegerField()
    clips = VideoClipSerializer(many=True, help_text="Ranked best first; fetch links.clips for downloads.")


class ErrorDataSerializer(serializers.Serializer):
    code = serializers.CharField(required=False)
    message = serializers.CharField()


class VideoFailedDataSerializer(VideoDataSerializer):
    error = ErrorDataSerializer(help_text="code is cancelled when a member cancelled the video.")


class ClipDataSerializer(serializers.Serializer):
    clip_id = serializers.CharField()
    video_id = serializers.CharField()
    rank = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    render_version = serializers.IntegerField()
    links = ClipLinksSerializer()


class ClipReadyDataSerializer(ClipDataSerializer):
    score = serializers.IntegerField()
    scores = serializers.DictField(child=serializers.IntegerField(), help_text="hook, pacing, completeness, "
                                   "shareability, each 0 to 100.")  # fmt: skip
    start = serializers.FloatField(help_text="Seconds into the source video.")
    end = serializers.FloatField()
    duration = serializers.FloatField()
    aspect_ratio = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    links_expire_at = serializers.DateTimeField()


class ClipFailedDataSerializer(ClipDataSerializer):
    error = ErrorDataSerializer()


class TrackingDataSerializer(serializers.Serializer):
    """viralcli's tracking signals; more fields may come with the tracking app."""

    tracked_item_id = serializers.CharField(required=False)
    true_vpd = serializers.FloatField(required=False, help_text="Instantaneous views per day.")
    accel = serializers.FloatField(required=False, help_text="Change of views per day, per day.")
    snapshots = serializers.IntegerField(required=False, help_text="Readings behind the numbers.")


class FormatHeatingDataSerializer(serializers.Serializer):
    tracked_item_id = serializers.CharField(required=False)
    seed = serializers.CharField(required=False)
    verdict = serializers.CharField(required=False, help_text="HEATING.")
    breakouts = serializers.IntegerField(required=False, help_text="Fresh breakouts behind the verdict.")


class TestDataSerializer(serializers.Serializer):
    message = serializers.CharField()
    endpoint_id = serializers.IntegerField()


DATA = {
    EventType.VIDEO_COMPLETED: VideoCompletedDataSerializer,
    EventType.VIDEO_FAILED: VideoFailedDataSerializer,
    EventType.CLIP_READY: ClipReadyDataSerializer,
    EventType.CLIP_FAILED: ClipFailedDataSerializer,
    EventType.BREAKOUT: TrackingDataSerializer,
    EventType.PEAKING: TrackingDataSerializer,
    EventType.ACCELERATING: TrackingDataSerializer,
    EventType.FORMAT_HEATING: FormatHeatingDataSerializer,
    EventType.TEST: TestDataSerializer,
}


class EventBodySerializer(serializers.Serializer):
    """A request body; subclasses (one per type) name their component and their data."""

    event_type = ""
    id = serializers.UUIDField(help_text="The event's id: the same on every retry; dedupe with it.")
    created_at = serializers.DateTimeField()


def _body_serializer(event_type: EventType) -> type[EventBodySerializer]:
    name = event_type.value.replace(".", "_")
    fields = {
        "type": serializers.ChoiceField(choices=[event_type.value], help_text=event_type.label),
        "data": DATA[event_type](),
        "event_type": event_type.value,
        "Meta": type("Meta", (), {"ref_name": f"WebhookEvent_{name}"}),
    }
    return type(f"WebhookEvent_{name}Serializer", (EventBodySerializer,), fields)


BODIES = {event_type.value: _body_serializer(event_type) for event_type in EventType}
EVENT_BODY = PolymorphicProxySerializer(
    component_name="WebhookEvent", serializers=BODIES, resource_type_field_name="type", many=False
)


def example_body(event_type: str) -> dict:
    """A body as sent, with :data:`webhooks.events.EXAMPLES`'s data."""
    moment = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=datetime.UTC)
    event = Event(id=uuid.UUID("0b7f5c1e-8d2a-4c3e-9f10-5a6b7c8d9e0f"), type=event_type, created_at=moment,
                  payload=EXAMPLES[event_type])  # fmt: skip
    return event_body(event)


def event_body(event: Event) -> dict:
    """The body of ``event`` exactly as :mod:`webhooks.signing` sends it, parsed."""
    return json.loads(signing.body(str(event.id), event.type, event.created_at, event.payload))


class EventBodyExample(OpenApiSerializerExtension):
    """Adds each event body's example to its component."""

    target_class = EventBodySerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "example": example_body(self.target.event_type)}
