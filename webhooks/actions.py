"""State changes of webhooks: endpoints and their secrets, events, and each delivery's transitions.

Endpoints: a URL is judged by the SSRF guard (:mod:`pipeline.netguard`, https only
unless ``ALLOW_PRIVATE_URLS``) when it is set, and again at every delivery. The signing
secret is shown once, stored encrypted, and after a rotation the previous one keeps
signing for :data:`SECRET_OVERLAP`.

Events are written by :func:`emit` inside the transaction of the state change that
causes them, with one delivery per endpoint that wants them; each delivery's job is
enqueued on commit. The database, not Redis, says which delivery is due
(``next_attempt_at``), so the sweep (:func:`webhooks.jobs.sweep`) re-enqueues what a
Redis outage lost.

Delivery transitions are conditional UPDATEs (see :mod:`webhooks.models`): a claim
moves a due pending delivery to sending and counts the attempt, so two workers never
send it twice; an outcome is recorded only for the attempt that was claimed (a fencing
token, as with videos), so a worker taken for lost cannot overwrite a later attempt.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from accounts.models import Workspace
from clipsite import crypto
from clipsite.queues import enqueue_on_commit
from pipeline import netguard
from pipeline.errors import IngestError
from tracking.models import TrackedItem
from webhooks import signing
from webhooks.errors import WebhookError
from webhooks.models import ALL_EVENTS, SUBSCRIBABLE, Delivery, Endpoint, Event, EventType

SECRET_OVERLAP = datetime.timedelta(hours=24)
MAX_ATTEMPTS = 6
# After failed attempt n the next waits 2**n minutes (2, 4, 8, ...), at most this long.
MAX_BACKOFF = datetime.timedelta(hours=1)
# An endpoint whose deliveries all failed for this long is disabled.
FAILING_LIMIT = datetime.timedelta(days=3)
# Longer than one attempt can take (DNS and connect and read timeouts), shorter than
# webhooks.jobs.STALE_SENDING, so a running attempt is never taken for lost.
DELIVER_JOB_TIMEOUT = 45
MAX_URL_LENGTH = 2000
MAX_DESCRIPTION_LENGTH = 200

Status = Delivery.Status


# Endpoints --------------------------------------------------------------------------


def check_url(url: str) -> str:
    """The URL, stripped, if the SSRF guard admits it as a webhook target; else :class:`WebhookError`."""
    url = (url or "").strip()
    if not url:
        raise WebhookError(WebhookError.URL_REFUSED, "Enter the URL to send events to.", "url")
    if len(url) > MAX_URL_LENGTH:
        raise WebhookError(WebhookError.URL_REFUSED, f"The URL is longer than {MAX_URL_LENGTH} characters.", "url")
    config = settings.PIPELINE
    try:
        netguard.check_url(url, config, require_https=not config.allow_private_urls)
    except IngestError as exc:
        raise WebhookError(WebhookError.URL_REFUSED, exc.message, "url") from None
    return url


def _event_types(value) -> list[str]:
    """``["*"]`` or the distinct known event types of ``value``; ``"*"`` among others means all."""
    choices = ", ".join(SUBSCRIBABLE)
    if not isinstance(value, list | tuple) or not value or not all(isinstance(t, str) for t in value):
        raise WebhookError(
            WebhookError.INVALID_EVENT_TYPE,
            f'event_types must be ["*"] for every event or a non-empty list of: {choices}.',
            "event_types",
        )
    if ALL_EVENTS in value:
        return [ALL_EVENTS]
    unknown = [t for t in value if t not in SUBSCRIBABLE]
    if unknown:
        raise WebhookError(
            WebhookError.INVALID_EVENT_TYPE,
            f"Unknown event type {unknown[0][:40]!r}; choose among {choices}, or * for all.",
            "event_types",
        )
    return list(dict.fromkeys(value))


def _description(value: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_DESCRIPTION_LENGTH:
        raise WebhookError(
            WebhookError.INVALID_DESCRIPTION,
            f"The description is longer than {MAX_DESCRIPTION_LENGTH} characters.",
            "description",
        )
    return value


def create_endpoint(
    workspace: Workspace,
    user,
    *,
    url: str,
    event_types: list[str],
    description: str = "",
    video=None,
    tracked_item_id: str = "",
) -> tuple[Endpoint, str]:
    """Subscribe ``url`` to ``event_types`` of the workspace (or of one video or tracked item).

    Returns the endpoint and its signing secret, which is never shown again. Raises
    :class:`WebhookError` for a refused URL, an unknown event type, a video or tracked
    item that is not the workspace's, or two scopes at once.
    """
    url = check_url(url)
    types = _event_types(event_types)
    description = _description(description)
    tracked_item_id = (tracked_item_id or "").strip()
    if video is not None and video.workspace_id != workspace.pk:
        raise WebhookError(WebhookError.INVALID_SCOPE, "That video is not in this workspace.", "video")
    if video is not None and tracked_item_id:
        raise WebhookError(
            WebhookError.INVALID_SCOPE, "Scope an endpoint to one video or one tracked item, not both.", "video"
        )
    if len(tracked_item_id) > 64:
        raise WebhookError(WebhookError.INVALID_SCOPE, "tracked_item_id is longer than 64 characters.",
                           "tracked_item_id")  # fmt: skip
    # A scope that names no item of this workspace would never fire: say so now.
    if tracked_item_id and not TrackedItem.objects.filter(workspace=workspace, pk=tracked_item_id).exists():
        raise WebhookError(WebhookError.INVALID_SCOPE, f"No tracked item {tracked_item_id} in this workspace.",
                           "tracked_item_id")  # fmt: skip
    secret = signing.new_secret()
    endpoint = Endpoint.objects.create(
        workspace=workspace, url=url, event_types=types, description=description, video=video,
        tracked_item_id=tracked_item_id, secret=crypto.encrypt(secret), created_by=user,
    )  # fmt: skip
    return endpoint, secret


def update_endpoint(endpoint: Endpoint, *, url=None, event_types=None, description=None, enabled=None) -> Endpoint:
    """Change what is given. Enabling clears why it was disabled and its failing streak;
    disabling marks it disabled by a member. Raises :class:`WebhookError` as create does."""
    changes: dict = {}
    if url is not None and url.strip() != endpoint.url:
        changes["url"] = check_url(url)
    if event_types is not None:
        changes["event_types"] = _event_types(event_types)
    if description is not None:
        changes["description"] = _description(description)
    if enabled is True and not endpoint.enabled:
        changes.update(enabled=True, disabled_reason=Endpoint.DisabledReason.NONE, failing_since=None)
    elif enabled is False and endpoint.enabled:
        changes.update(enabled=False, disabled_reason=Endpoint.DisabledReason.USER)
    if changes:
        Endpoint.objects.filter(pk=endpoint.pk).update(**changes)
        for name, value in changes.items():
            setattr(endpoint, name, value)
    return endpoint


def rotate_secret(endpoint: Endpoint, *, now: datetime.datetime | None = None) -> str:
    """Give the endpoint a new secret and return it (shown once); the current one keeps
    signing beside it for :data:`SECRET_OVERLAP`."""
    now = now or timezone.now()
    secret = signing.new_secret()
    with transaction.atomic():
        current = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        Endpoint.objects.filter(pk=endpoint.pk).update(
            secret=crypto.encrypt(secret), previous_secret=current.secret,
            previous_secret_expires_at=now + SECRET_OVERLAP,
        )  # fmt: skip
    endpoint.refresh_from_db(fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return secret


def delete_endpoint(endpoint: Endpoint) -> None:
    """Delete the endpoint with its delivery log; a job already claimed for it finds nothing to record."""
    endpoint.delete()


# Events ------------------------------------------------------------------------------


def emit(workspace_id: str, event_type: str, payload, *, video_id: str | None = None,
         tracked_item_id: str = "") -> Event | None:  # fmt: skip
    """Record an event and one delivery per enabled endpoint that wants it; send them on commit.

    Call it inside the transaction of the state change, so the event exists exactly
    when the change does. ``payload`` is the event's ``data``, or a function returning
    it, called only when some endpoint wants the event. Returns None (and writes
    nothing) when no endpoint does.
    """
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.subscribed(
            workspace_id, event_type, video_id=video_id, tracked_item_id=tracked_item_id
        )
        if endpoint.wants(event_type)
    ]
    if not endpoints:
        return None
    data = payload() if callable(payload) else payload
    with transaction.atomic():
        event = Event.objects.create(workspace_id=workspace_id, type=event_type, payload=data, video_id=video_id,
                                     tracked_item_id=tracked_item_id)  # fmt: skip
        for endpoint in endpoints:
            _send(event, endpoint)
    return event


def send_test_event(endpoint: Endpoint) -> Delivery:
    """Send a ``webhook.test`` event to this endpoint alone; it must be enabled."""
    _check_enabled(endpoint)
    with transaction.atomic():
        event = Event.objects.create(
            workspace_id=endpoint.workspace_id,
            type=EventType.TEST,
            payload={"message": "A test event from Clipsite: your endpoint is reachable.", "endpoint_id": endpoint.pk},
        )
        return _send(event, endpoint)


def redeliver(delivery: Delivery) -> Delivery:
    """Send the delivery's event again to its endpoint, now, as a new delivery with the same event id."""
    _check_enabled(delivery.endpoint)
    with transaction.atomic():
        return _send(delivery.event, delivery.endpoint)


def _check_enabled(endpoint: Endpoint) -> None:
    if not endpoint.enabled:
        raise WebhookError(WebhookError.NOT_ALLOWED, "This endpoint is disabled; enable it to send it events.")


def _send(event: Event, endpoint: Endpoint) -> Delivery:
    delivery = Delivery.objects.create(event=event, endpoint=endpoint, next_attempt_at=timezone.now())
    enqueue_delivery(delivery)
    return delivery


def deliver_job_id(delivery: Delivery) -> str:
    """The RQ job id of the delivery's next attempt: a retry is a new job, never a stale one's twin."""
    return f"webhook-{delivery.pk}-{delivery.attempts + 1}"


def enqueue_delivery(delivery: Delivery) -> None:
    enqueue_on_commit("default", "webhooks.jobs.deliver", delivery.pk, job_id=deliver_job_id(delivery),
                      job_timeout=DELIVER_JOB_TIMEOUT)  # fmt: skip


def endpoint_stats(endpoint: Endpoint, days: int = 7, *, now: datetime.datetime | None = None) -> dict:
    """The endpoint's deliveries of the last ``days``: ``total`` finished ones (succeeded or
    failed for good), ``succeeded``, ``pending`` (not finished yet), ``rate`` (succeeded /
    total, None without any) and ``last_delivery_at`` (its latest attempt, ever)."""
    since = (now or timezone.now()) - datetime.timedelta(days=days)
    deliveries = endpoint.deliveries.order_by()
    counts = deliveries.filter(created_at__gte=since).aggregate(
        succeeded=Count("id", filter=Q(status=Status.SUCCEEDED)),
        dead=Count("id", filter=Q(status=Status.DEAD)),
        pending=Count("id", filter=Q(status__in=(Status.PENDING, Status.SENDING))),
    )
    total = counts["succeeded"] + counts["dead"]
    return {
        "total": total,
        "succeeded": counts["succeeded"],
        "pending": counts["pending"],
        "rate": counts["succeeded"] / total if total else None,
        "last_delivery_at": deliveries.aggregate(last=Max("last_attempt_at"))["last"],
    }


# Delivery transitions (called by webhooks.jobs) -------------------------------------------


@dataclasses.dataclass
class Outcome:
    """What one attempt got: an HTTP status (None when no answer came) or why it failed."""

    status: int | None = None
    body: str = ""
    duration_ms: int | None = None
    error: str = ""
    retry_after: datetime.timedelta | None = None

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def claim(delivery_id: int, now: datetime.datetime) -> Delivery | None:
    """Start the next attempt of a due pending delivery: pending to sending, one more attempt.

    Returns the delivery (with its endpoint and event), or None when it is gone, not
    pending, not due yet, or already claimed by another worker. A delivery whose endpoint
    was disabled meanwhile is dead-lettered instead.
    """
    delivery = Delivery.objects.select_related("endpoint", "event").filter(pk=delivery_id).first()
    if delivery is None:
        return None
    due = Delivery.objects.filter(pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now)
    if not delivery.endpoint.enabled:
        due.update(status=Status.DEAD, next_attempt_at=None, error="Not sent: the endpoint is disabled.")
        return None
    if not due.update(status=Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=None):
        return None
    delivery.refresh_from_db(fields=["status", "attempts", "last_attempt_at", "next_attempt_at"])
    return delivery


def record(delivery: Delivery, outcome: Outcome, now: datetime.datetime) -> str | None:
    """Record the outcome of the attempt ``delivery`` holds; return the delivery's new status.

    2xx: succeeded, and the endpoint's failing streak ends. Otherwise: pending again after
    :func:`retry_delay`, or dead after :data:`MAX_ATTEMPTS`; a 410 kills it and disables
    the endpoint, and so does a failing streak longer than :data:`FAILING_LIMIT`. Returns
    None when the attempt is no longer the delivery's current one (recorded nothing).
    """
    this_attempt = Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING, attempts=delivery.attempts)
    endpoints = Endpoint.objects.filter(pk=delivery.endpoint_id)
    error = outcome.error
    with transaction.atomic():
        # Locked, so that the sweep cannot take this attempt for lost while it is recorded.
        if this_attempt.select_for_update().first() is None:
            return None
        if outcome.succeeded:
            status, next_attempt_at = Status.SUCCEEDED, None
            endpoints.filter(failing_since__isnull=False).update(failing_since=None)
        else:
            endpoints.filter(failing_since__isnull=True).update(failing_since=now)
            if outcome.status == 410:
                disabled = endpoints.update(enabled=False, disabled_reason=Endpoint.DisabledReason.GONE)
                error = "HTTP 410: the endpoint is gone, so it was disabled."
            else:
                disabled = endpoints.filter(enabled=True, failing_since__lte=now - FAILING_LIMIT).update(
                    enabled=False, disabled_reason=Endpoint.DisabledReason.FAILING
                )
                if disabled:
                    error += "; every delivery failed for 3 days, so the endpoint was disabled."
            if disabled or delivery.attempts >= MAX_ATTEMPTS:
                status, next_attempt_at = Status.DEAD, None
            else:
                status, next_attempt_at = Status.PENDING, now + retry_delay(delivery.attempts, outcome.retry_after)
        this_attempt.update(
            status=status, next_attempt_at=next_attempt_at, response_status=outcome.status,
            response_body=outcome.body, duration_ms=outcome.duration_ms, error=error[:300],
        )  # fmt: skip
    return status


def retry_delay(attempts: int, retry_after: datetime.timedelta | None = None) -> datetime.timedelta:
    """How long to wait after ``attempts`` failed attempts: 2**attempts minutes, or what the
    receiver's ``Retry-After`` asked when that is longer; never more than :data:`MAX_BACKOFF`."""
    backoff = datetime.timedelta(minutes=2 ** min(attempts, 10))
    if retry_after is not None:
        backoff = max(backoff, retry_after)
    return min(backoff, MAX_BACKOFF)


def requeue_lost(delivery: Delivery, now: datetime.datetime) -> str | None:
    """A delivery left sending by a worker that died: due again now (and enqueued), or dead
    when it had no attempt left. The receiver may have got the lost attempt; it sees the
    same event id again. Returns the new status, None when the delivery moved on meanwhile."""
    this_attempt = Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING, attempts=delivery.attempts)
    interrupted = "The attempt was interrupted (the worker sending it stopped)"
    if delivery.attempts >= MAX_ATTEMPTS:
        updated = this_attempt.update(status=Status.DEAD, error=f"{interrupted}; no attempts are left.")
        return Status.DEAD if updated else None
    with transaction.atomic():
        if not this_attempt.update(status=Status.PENDING, next_attempt_at=now, error=f"{interrupted}; sent again."):
            return None
        delivery.refresh_from_db(fields=["status", "attempts", "next_attempt_at"])
        enqueue_delivery(delivery)
    return Status.PENDING
