"""Webhooks in a real browser: create an endpoint, see its secret once, send a test event
to a real receiver on loopback through a real RQ worker, and read it in the log."""

from __future__ import annotations

import re

import django_rq
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORTS, sign_up, snap
from tests.webhooks import assert_signed
from tests.webhooks.receiver import Receiver
from tests.workers import run_workers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver():
    django_rq.get_connection("default").flushdb()
    with Receiver() as running:
        yield running
    django_rq.get_connection("default").flushdb()


def fits_a_phone(page) -> bool:
    page.set_viewport_size(VIEWPORTS["phone"])
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(VIEWPORTS["desktop"])
    return width <= VIEWPORTS["phone"]["width"]


def test_it_creates_an_endpoint_shows_the_secret_once_and_logs_a_test_event(page, live_server, receiver):
    sign_up(page, "hooks@example.com", name="Hook")
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Nothing here yet")).to_be_visible()
    page.get_by_role("link", name="Add your first endpoint").click()

    page.get_by_label("Endpoint URL").fill(receiver.url("/clipsite"))
    page.get_by_label("Description").fill("my agent")
    expect(page.get_by_label("All events")).to_be_checked()
    snap(page, "webhooks-new")
    page.get_by_role("button", name="Create endpoint").click()

    secret_box = page.get_by_label("Signing secret")
    expect(secret_box).to_be_visible()
    secret = secret_box.input_value()
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", secret)
    expect(page.get_by_role("heading", name=receiver.url("/clipsite"))).to_be_visible()
    snap(page, "webhooks-secret")
    # Shown once: a reload has no secret, and no second endpoint appears.
    page.reload()
    expect(page.get_by_label("Signing secret")).to_have_count(0)
    assert secret not in page.content()

    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text("Test event queued")).to_be_visible()
    row = page.locator("#deliveries tbody tr").first
    expect(row).to_contain_text("webhook.test")
    expect(row).to_contain_text("Pending")
    run_workers(1, ("default",))
    # The log polls while a delivery is under way: no reload needed.
    expect(row).to_contain_text("Succeeded", timeout=20_000)
    expect(row).to_contain_text("200")
    expect(row.locator("td").nth(2)).to_have_text("1")
    received = assert_signed(receiver.wait_for(1)[0], secret)
    assert received["type"] == "webhook.test" and receiver.paths() == ["/clipsite"]
    expect(row).to_contain_text(received["id"][:12])
    expect(page.locator("#success-rate")).to_have_text("No deliveries in the last 7 days.")
    page.reload()
    expect(page.locator("#success-rate")).to_have_text("100% of 1 delivery succeeded in 7 days.")
    snap(page, "webhooks-log")
    assert fits_a_phone(page)

    page.get_by_role("button", name="Send webhook.test again").click()
    expect(page.get_by_text("queued to be sent again")).to_be_visible()
    run_workers(1, ("default",))
    expect(page.locator("#deliveries tbody tr[data-status=succeeded]")).to_have_count(2, timeout=20_000)
    again = receiver.wait_for(2)[1]
    assert assert_signed(again, secret)["id"] == received["id"]

    page.get_by_role("link", name="← Webhooks").click()
    endpoint_row = page.locator("#endpoints tbody tr")
    expect(endpoint_row).to_have_count(1)
    expect(endpoint_row).to_contain_text("Enabled")
    expect(endpoint_row).to_contain_text("100% of 2 deliveries succeeded in 7 days.")
    snap(page, "webhooks-list")
    assert fits_a_phone(page)
