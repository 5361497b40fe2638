"""API-key authentication for DRF: ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``."""

from __future__ import annotations

from rest_framework import authentication, exceptions

from accounts.actions import touch_api_key
from accounts.models import ApiKey


def raw_key_from(request) -> str | None:
    """The key the request presents, or None when it presents none."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return value.strip()
        return None
    key = request.META.get("HTTP_X_API_KEY")
    return key.strip() if key is not None else None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Sets ``request.user`` to the key's user and ``request.auth`` to the ApiKey.

    A request with no key falls through to the next scheme (the browser session); a
    request with a missing-value, unknown or revoked key is refused with 401 at once.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        raw = raw_key_from(request)
        if raw is None:
            return None
        key = ApiKey.objects.for_key(raw)
        if key is None:
            raise exceptions.AuthenticationFailed("The API key is missing, invalid or revoked.")
        touch_api_key(key)
        return key.user, key

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
