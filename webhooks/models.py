"""Webhook endpoints, the events they subscribe to, and each delivery of an event.

An :class:`Event` is written in the same transaction as the state change that causes it
(a video completing, a clip failing) and fans out to one :class:`Delivery` per matching
enabled :class:`Endpoint` of the workspace. Deliveries are sent by RQ jobs and retried
from the database, so a lost queue loses nothing.

Delivery status transitions (each a conditional UPDATE in :mod:`webhooks.actions`)::

    pending --claim--> sending --2xx--> succeeded
                          |--fail, attempts left--> pending (next_attempt_at later)
                          |--fail, attempts spent / 410 / endpoint disabled--> dead
    sending --(worker lost, sweep)--> pending
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from accounts.models import Workspace
from clipsite.crypto import decrypt


class EventType(models.TextChoices):
    VIDEO_COMPLETED = "video.completed", "Video completed"
    VIDEO_FAILED = "video.failed", "Video failed"
    CLIP_READY = "clip.ready", "Clip ready"
    CLIP_FAILED = "clip.failed", "Clip failed"
    BREAKOUT = "breakout", "Breakout"
    PEAKING = "peaking", "Peaking"
    ACCELERATING = "accelerating", "Accelerating"
    FORMAT_HEATING = "format_heating", "Format heating"
    # Sent only by "send test event"; an endpoint never subscribes to it.
    TEST = "webhook.test", "Test event"


ALL_EVENTS = "*"
SUBSCRIBABLE = tuple(t.value for t in EventType if t != EventType.TEST)


class EndpointQuerySet(models.QuerySet):
    def for_user(self, user) -> EndpointQuerySet:
        """Endpoints of every workspace ``user`` belongs to."""
        return self.filter(workspace__in=Workspace.objects.for_user(user))

    def subscribed(self, workspace_id: str, event_type: str, *, video_id: str | None = None,
                   tracked_item_id: str = "") -> EndpointQuerySet:  # fmt: skip
        """Enabled endpoints of a workspace that want ``event_type`` for this video or tracked item.

        An endpoint scoped to a video (or tracked item) hears only that one's events; an
        unscoped one hears all of the workspace's. ``event_types`` is matched in Python by
        :meth:`Endpoint.wants`, since JSON containment is not portable to SQLite.
        """
        scoped = self.filter(workspace_id=workspace_id, enabled=True)
        scoped = scoped.filter(models.Q(video__isnull=True) | models.Q(video_id=video_id))
        return scoped.filter(models.Q(tracked_item_id="") | models.Q(tracked_item_id=tracked_item_id))


class Endpoint(models.Model):
    """An HTTPS URL a workspace subscribed to some events, with its signing secret."""

    class DisabledReason(models.TextChoices):
        NONE = "", "Enabled"
        USER = "user", "Disabled by a member"
        GONE = "gone", "The endpoint answered 410 Gone"
        FAILING = "failing", "Every delivery failed for 3 days"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, help_text='["*"] for every event, or a list of event types.')
    video = models.ForeignKey(
        "videos.Video", null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_endpoints",
        help_text="Only this video's events, when set.",
    )  # fmt: skip
    # The tracking app's item id; a plain value until tracked items exist (issue 14).
    tracked_item_id = models.CharField(max_length=64, blank=True, default="")
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=10, choices=DisabledReason.choices, blank=True, default="")
    secret = models.BinaryField(editable=False, help_text="Encrypted at rest.")
    previous_secret = models.BinaryField(null=True, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # When the current run of failed deliveries began; None after any success.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return ALL_EVENTS in self.event_types or event_type in self.event_types

    def signing_secrets(self, now) -> list[str]:
        """The secrets to sign with now: the current one, and the previous one for 24 h after a rotation."""
        secrets = [decrypt(self.secret)]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            secrets.append(decrypt(self.previous_secret))
        return [s for s in secrets if s]


class Event(models.Model):
    """Something that happened, with its small JSON payload; its id is stable across retries."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="webhook_events")
    type = models.CharField(max_length=32, choices=EventType.choices)
    payload = models.JSONField(default=dict)
    video = models.ForeignKey("videos.Video", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tracked_item_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class DeliveryQuerySet(models.QuerySet):
    def for_user(self, user) -> DeliveryQuerySet:
        return self.filter(endpoint__workspace__in=Workspace.objects.for_user(user))


class Delivery(models.Model):
    """One event sent (and retried) to one endpoint; "send again" makes a new delivery of the same event."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SUCCEEDED = "succeeded", "Succeeded"
        DEAD = "dead", "Failed"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text="The first bytes of the last response.")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, help_text="Why the last attempt failed, for people.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"delivery {self.pk} of {self.event_id}"
