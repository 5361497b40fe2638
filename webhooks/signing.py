"""The wire format of a webhook request: its body, and its signatures two ways.

Every request carries both:

* Standard Webhooks (https://www.standardwebhooks.com), made with the maintained
  ``standardwebhooks`` package: ``webhook-id`` (the event id, the same on every retry),
  ``webhook-timestamp`` (unix seconds) and ``webhook-signature``, ``v1,<base64 HMAC-SHA256
  of "id.timestamp.body">`` for each secret in use, separated by spaces;
* viralcli's headers: ``X-Socialdata-Event``, ``X-Socialdata-Delivery`` and
  ``X-Socialdata-Signature: sha256=<hex HMAC-SHA256 of the body>`` keyed with the whole
  secret string. viralcli's documented ``verify`` compares the whole header, so one
  header can hold one signature only: for 24 h after a rotation the previous secret's
  signature goes in ``X-Socialdata-Signature-Previous``.

A secret is ``whsec_`` and the standard base64 of 32 random bytes, the Standard
Webhooks format (its HMAC key is those bytes).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import secrets as random

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32
USER_AGENT = "Clipsite-Webhooks/1"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(random.token_bytes(SECRET_BYTES)).decode()


def body(event_id: str, event_type: str, created_at: datetime.datetime, data: dict) -> bytes:
    """The JSON body: ``{"id", "type", "created_at", "data"}``, ASCII only, the same bytes on every retry."""
    envelope = {"id": event_id, "type": event_type, "created_at": created_at.isoformat(), "data": data}
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=True).encode()


def headers(
    *, event_id: str, event_type: str, delivery_id: int, body: bytes, timestamp: int, secrets: list[str]
) -> dict[str, str]:
    """The request's headers, signed with ``secrets`` (the current one first, then the previous one).

    ``timestamp`` is the moment of sending in unix seconds: receivers compare it with
    their own clock to refuse replays, so it is always the real time.
    """
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
    text = body.decode("ascii")
    signed = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(Webhook(secret).sign(event_id, moment, text) for secret in secrets),
        "X-Socialdata-Event": event_type,
        "X-Socialdata-Delivery": str(delivery_id),
        "X-Socialdata-Signature": socialdata_signature(secrets[0], body),
    }
    if len(secrets) > 1:
        signed["X-Socialdata-Signature-Previous"] = socialdata_signature(secrets[1], body)
    return signed


def socialdata_signature(secret: str, body: bytes) -> str:
    """viralcli's signature: ``sha256=`` and the hex HMAC-SHA256 of the raw body, keyed with the secret string."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
