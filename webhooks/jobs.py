"""RQ jobs of webhooks: send one delivery attempt, and the sweep that finds due and lost ones.

An attempt (:func:`deliver`) claims the delivery (:func:`webhooks.actions.claim`), POSTs
the signed event through a session guarded by :mod:`pipeline.netguard` (it connects
only to an address it judged then, so a DNS answer that changed since the URL was
accepted is judged again), follows no redirect, gives up after :data:`TIMEOUT_SECONDS`
per connect or read, keeps the first :data:`RESPONSE_BYTES` of the answer and records
the outcome (:func:`webhooks.actions.record`) with an error worded for people.

Retries are not scheduled in Redis: a failed attempt sets the delivery's
``next_attempt_at``, and :func:`sweep`, every minute, enqueues the due ones and puts
back those whose worker died mid-send, so neither a Redis restart nor a lost worker
loses a delivery.
"""

from __future__ import annotations

import datetime
import email.utils
import logging
import time

import requests
from django.conf import settings
from django.utils import timezone

from clipsite import outage
from clipsite.queues import job_is_pending
from pipeline import netguard
from pipeline.errors import IngestError
from webhooks import actions, signing
from webhooks.models import Delivery

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
RESPONSE_BYTES = 1024
# A delivery sending for longer than this lost its worker (an attempt's job is killed
# after actions.DELIVER_JOB_TIMEOUT).
STALE_SENDING = datetime.timedelta(seconds=60)
SWEEP_BATCH = 1000
# requests' ``verify``: True trusts the usual certificate authorities (certifi); tests
# that serve https on loopback point it at their own certificate.
TLS_VERIFY: bool | str = True


def deliver(delivery_id: int, *, now: datetime.datetime | None = None) -> str:
    """Make the next attempt of a due delivery; return its status afterwards, or why nothing was sent."""
    now = now or timezone.now()
    delivery = actions.claim(delivery_id, now)
    if delivery is None:
        return "not claimed"
    status = actions.record(delivery, attempt(delivery, now), now)
    return status or "superseded"


def attempt(delivery: Delivery, now: datetime.datetime) -> actions.Outcome:
    """POST the delivery's event to its endpoint once; never raises for what the network or the receiver does."""
    endpoint, event = delivery.endpoint, delivery.event
    secrets = endpoint.signing_secrets(now)
    if not secrets:
        return actions.Outcome(error="The signing secret can no longer be read (the server's key changed); "
                                     "rotate the secret.")  # fmt: skip
    body = signing.body(str(event.id), event.type, event.created_at, event.payload)
    headers = signing.headers(event_id=str(event.id), event_type=event.type, delivery_id=delivery.pk, body=body,
                              timestamp=int(time.time()), secrets=secrets)  # fmt: skip
    allow_private = settings.PIPELINE.allow_private_urls
    started = time.monotonic()
    try:
        netguard.parse_link(endpoint.url, require_https=not allow_private)
        with requests.Session() as session:
            session.trust_env = False  # no proxy: the guard must judge the target itself
            netguard.guard_session(session, allow_private=allow_private)
            response = session.post(endpoint.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS,
                                    allow_redirects=False, stream=True, verify=TLS_VERIFY)  # fmt: skip
            with response:
                text = _first_bytes(response)
    except netguard.AddressRefused as exc:
        return actions.Outcome(error=f"Refused: {exc.reason}", duration_ms=_since(started))
    except IngestError as exc:
        return actions.Outcome(error=exc.message, duration_ms=_since(started))
    except requests.Timeout:
        return actions.Outcome(error=f"Timed out after {TIMEOUT_SECONDS:g} s", duration_ms=_since(started))
    except requests.exceptions.SSLError:
        return actions.Outcome(error="The TLS handshake failed; check the certificate", duration_ms=_since(started))
    except requests.RequestException as exc:
        return actions.Outcome(error=_reason(exc), duration_ms=_since(started))
    outcome = actions.Outcome(status=response.status_code, body=text, duration_ms=_since(started))
    if not outcome.succeeded:
        outcome.error = f"HTTP {response.status_code}"
        if 300 <= response.status_code < 400:
            outcome.error += ": redirects are not followed"
        outcome.retry_after = retry_after(response.headers.get("Retry-After", ""), now)
    return outcome


def _first_bytes(response: requests.Response) -> str:
    """Up to RESPONSE_BYTES of the body, as text; "" when reading it fails (the status is the answer)."""
    data = b""
    try:
        for chunk in response.iter_content(256):
            data += chunk
            if len(data) >= RESPONSE_BYTES:
                break
    except requests.RequestException:
        pass
    return data[:RESPONSE_BYTES].decode("utf-8", "replace").replace("\x00", "")


def retry_after(value: str, now: datetime.datetime) -> datetime.timedelta | None:
    """The wait a ``Retry-After`` header asks for, in seconds or as an HTTP date; None without a readable one."""
    value = value.strip()
    if value.isdigit():
        return datetime.timedelta(seconds=min(int(value), 7 * 86400))
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return max(moment - now, datetime.timedelta(0))


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _reason(exc: requests.RequestException) -> str:
    """Why a request failed, for people: the operating system's reason when there is one."""
    reason = netguard.os_reason(exc)
    if reason:
        return reason
    if isinstance(exc, requests.ConnectionError):
        return "The connection failed"
    return f"The request failed ({type(exc).__name__})"


def sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Put back deliveries whose worker died while sending, and enqueue every due one whose job is not in RQ.

    Runs every minute (``clipsite.cron``); idempotent. While Redis is unreachable the due
    deliveries stay as they are for the next sweep.
    """
    now = now or timezone.now()
    counts = {"recovered": 0, "dead": 0, "enqueued": 0}
    lost = Delivery.objects.filter(status=Delivery.Status.SENDING, last_attempt_at__lt=now - STALE_SENDING)
    for delivery in lost[:SWEEP_BATCH]:
        status = actions.requeue_lost(delivery, now)
        if status == Delivery.Status.PENDING:
            counts["recovered"] += 1
        elif status == Delivery.Status.DEAD:
            counts["dead"] += 1
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at")
    try:
        for delivery in due[:SWEEP_BATCH]:
            if not job_is_pending("default", actions.deliver_job_id(delivery)):
                actions.enqueue_delivery(delivery)
                counts["enqueued"] += 1
    except outage.ERRORS as exc:
        logger.warning("webhook sweep: Redis is unreachable; due deliveries are enqueued on the next sweep: %s", exc)
    return counts
