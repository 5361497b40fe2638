"""Encryption keyed from SECRET_KEY: secrets users give us (Gemini keys), at rest, and
the payloads of signed media links (:mod:`clipsite.signed_media`), one key per purpose."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def fernet(purpose: str = "secrets") -> Fernet:
    """A Fernet for one purpose: a token made for one purpose does not decrypt for another."""
    digest = hashlib.sha256(f"clipsite-{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str) -> bytes:
    return fernet().encrypt(value.encode())


def decrypt(token: bytes | memoryview | None) -> str:
    """The secret, or "" when there is none or it no longer decrypts (SECRET_KEY changed)."""
    if not token:
        return ""
    try:
        return fernet().decrypt(bytes(token)).decode()
    except InvalidToken:
        return ""
