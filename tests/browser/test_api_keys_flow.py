import re

import pytest
from playwright.sync_api import expect

from accounts.models import ApiKey
from tests.browser.conftest import sign_up, snap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_up_creates_a_key_shows_it_once_and_revokes_it(page, live_server, api_client):
    page.goto("/signup")
    snap(page, "signup")
    sign_up(page, "hana@example.com", name="Hana")
    expect(page.get_by_text("Your workspace is ready")).to_be_visible()

    page.get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    page.get_by_label("Key name").fill("my agent")
    page.get_by_role("button", name="Create key").click()
    secret = page.get_by_label("New API key")
    expect(secret).to_be_visible()
    raw = secret.input_value()
    assert re.fullmatch(r"cs_live_[A-Za-z0-9_-]{32,}", raw)
    snap(page, "api-keys-new")
    assert api_client.get("/api/workspaces", HTTP_X_API_KEY=raw).status_code == 200

    # Shown once: a fresh visit lists the key by its prefix only.
    page.goto("/api-keys")
    expect(page.get_by_label("New API key")).to_have_count(0)
    assert raw not in page.content()
    row = page.locator("#keys tbody tr", has_text="my agent")
    expect(row).to_contain_text(raw[:12])
    expect(row.get_by_text("active")).to_be_visible()

    row.get_by_role("button", name="Revoke my agent").click()
    row.get_by_role("button", name="Yes, revoke").click()  # it asks first (tests/browser/test_paper_cuts.py)
    expect(page.get_by_text("Requests using it are refused")).to_be_visible()
    expect(page.locator("#keys tbody tr", has_text="my agent").get_by_text("revoked")).to_be_visible()
    snap(page, "api-keys-revoked")
    assert ApiKey.objects.get(name="my agent").revoked_at is not None
    assert api_client.get("/api/workspaces", HTTP_X_API_KEY=raw).status_code == 401


def test_it_renders_team_and_minutes_pages(page, live_server):
    sign_up(page, "ivy@example.com")
    page.get_by_role("link", name="Team").click()
    page.get_by_role("button", name="Create invitation link").click()
    expect(page.get_by_label("Invitation link")).to_have_value(re.compile(r"/invite/"))
    snap(page, "team")
    page.get_by_role("link", name="Minutes", exact=True).click()
    expect(page.locator("#balance")).to_have_text("60")
    snap(page, "minutes")
    page.get_by_role("link", name="Videos").click()
    expect(page.get_by_text("Nothing here yet")).to_be_visible()
    snap(page, "videos-empty")
