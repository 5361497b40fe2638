"""``Idempotency-Key`` on POSTs: a repeat returns the first response and creates nothing.

The first request with a key takes a lock in Redis (SET NX); when it succeeds its
response is stored for 24 hours under the key, scoped to the caller's account. A repeat
replays that response with ``Idempotent-Replayed: true``; a repeat while the first is
still running gets 409; the same key with a different request (any byte of the body or
of an uploaded file) gets 422. A request that fails releases the key, so the client can
fix it and try again with the same key.
"""

from __future__ import annotations

import functools
import hashlib
import json

import django_rq
from rest_framework.response import Response

from clipsite.api import error_body

HEADER = "Idempotency-Key"
TTL_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 255


def _fingerprint(request) -> str:
    """A hash of everything that makes the request what it is: method, path and query,
    the Gemini key header, and the body; for a multipart body, its fields and the
    contents of its files (read in chunks from where the upload handler stored them)."""
    digest = hashlib.sha256(_framed(request.method, request.get_full_path()))
    digest.update(hashlib.sha256(request.headers.get("X-Gemini-Key", "").encode()).digest())
    if not request.content_type.startswith("multipart/"):
        digest.update(request.body)
        return digest.hexdigest()
    # The parsed form, not the raw body: a client's retry carries a new multipart boundary.
    for name, values in sorted(request.POST.lists()):
        digest.update(_framed("field", name, values))
    for name, uploads in sorted(request.FILES.lists()):
        for upload in uploads:
            digest.update(_framed("file", name, upload.name, upload.size))
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def _framed(*parts) -> bytes:
    # JSON framing keeps ("ab", "c") and ("a", "bc") apart.
    return json.dumps(parts).encode() + b"\n"


def _owner(request) -> str | None:
    """Whose keys these are: the API key's, else the signed-in user's; None for an anonymous caller,
    whose keys would share one space with every other anonymous caller's."""
    key_id = getattr(request.auth, "pk", None)
    if key_id is not None:
        return f"key-{key_id}"
    user = getattr(request, "user", None)
    return f"user-{user.pk}" if getattr(user, "is_authenticated", False) else None


def idempotent(handler):
    """Decorate a DRF view method so that POSTs honour ``Idempotency-Key``."""

    @functools.wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if not key:
            return handler(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return Response(
                error_body(400, f"{HEADER} must be at most {MAX_KEY_LENGTH} characters."), status=400
            )
        owner = _owner(request)
        if owner is None:
            return Response(error_body(400, f"{HEADER} needs an API key or a signed-in user: without one, "
                                            "a repeat could not be told apart from someone else's request."),
                            status=400)  # fmt: skip
        redis = django_rq.get_connection("default")
        slot = f"clipsite:idem:{owner}:{hashlib.sha256(key.encode()).hexdigest()}"
        fingerprint = _fingerprint(request)
        if not redis.set(
            slot, json.dumps({"state": "pending", "fingerprint": fingerprint}), nx=True, ex=TTL_SECONDS
        ):
            return _replay(json.loads(redis.get(slot) or "{}"), fingerprint)
        try:
            response = handler(self, request, *args, **kwargs)
        except Exception:
            redis.delete(slot)
            raise
        if 200 <= response.status_code < 300:
            stored = {"state": "done", "fingerprint": fingerprint, "status": response.status_code,
                      "data": response.data}  # fmt: skip
            redis.set(slot, json.dumps(stored, default=str), ex=TTL_SECONDS)
        else:
            redis.delete(slot)
        return response

    return wrapper


def _replay(stored: dict, fingerprint: str) -> Response:
    if stored.get("fingerprint") != fingerprint:
        return Response(
            error_body(
                422, f"This {HEADER} was used for a different request. Use a new key for a new request."
            ),
            status=422,
        )
    if stored.get("state") != "done":
        return Response(
            error_body(409, f"A request with this {HEADER} is still being processed."), status=409
        )
    response = Response(stored["data"], status=stored["status"])
    response["Idempotent-Replayed"] = "true"
    return response
