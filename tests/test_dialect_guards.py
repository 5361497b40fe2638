"""The request guards answer in the error shape of each API dialect, before any view runs."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/shorts/create", lambda b: b["error"]["code"] == "payload_too_large" and "64 KB" in b["error"]["message"]),
    ("/v1/discovery", lambda b: b["error"] == "payload_too_large" and "64 KB" in b["detail"]),
    ("/api/videos/url", lambda b: b["error"] == "payload_too_large" and "64 KB" in b["detail"]),
])  # fmt: skip
def test_the_body_cap_answers_in_each_dialects_shape(  # the process API takes uploads: its cap is its own
api_client, db, clean_redis, path, body):
    response = api_client.post(path, {"padding": "x" * 70_000}, format="json")
    assert response.status_code == 413 and body(response.json())


def test_the_per_ip_limit_answers_in_each_dialects_shape(api_client, db, clean_redis, settings):
    settings.IP_RATE_PER_MIN = 1
    api_client.get("/api/status/00000000-0000-0000-0000-000000000000")
    limited = api_client.get("/api/status/00000000-0000-0000-0000-000000000000")
    assert limited.status_code == 429 and set(limited.json()) == {"detail"} and limited.has_header("Retry-After")
    ssemble = api_client.get("/api/v1/shorts/665a1b2c3d4e5f6a7b8c9d0e")
    assert ssemble.status_code == 429 and ssemble.json()["error"]["code"] == "rate_limited"
