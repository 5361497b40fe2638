"""``manage.py mcp`` refuses to serve without a key that could work, saying what to do."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command


def test_it_refuses_to_serve_stdio_without_a_valid_key(monkeypatch):
    monkeypatch.delenv("CLIPSITE_API_KEY", raising=False)
    with pytest.raises(CommandError, match=r"^No API key: set CLIPSITE_API_KEY or pass --key\. Create one"):
        call_command("mcp")
    with pytest.raises(CommandError, match=r"^The API key is invalid or revoked; create a new one"):
        call_command("mcp", key="not-a-key")
