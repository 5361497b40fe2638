"""Encryption at rest for secrets users give us (Gemini keys), keyed from SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(f"clipsite-secrets:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str) -> bytes:
    return _fernet().encrypt(value.encode())


def decrypt(token: bytes | memoryview | None) -> str:
    """The secret, or "" when there is none or it no longer decrypts (SECRET_KEY changed)."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(bytes(token)).decode()
    except InvalidToken:
        return ""
