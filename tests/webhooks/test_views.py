"""The dashboard's Webhooks pages through Django's test client: list, create, detail and log, actions."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from videos.models import Video
from webhooks import actions, jobs
from webhooks.models import Delivery, Endpoint, Event

SECRET = re.compile(r"whsec_[A-Za-z0-9+/]{43}=")


@pytest.fixture
def endpoint(subscribe, receiver):
    return subscribe(receiver.url(), description="alice's app")[0]


def log_rows(endpoint: Endpoint, *statuses: str, days_ago: float = 0) -> None:
    """Delivery rows in the given statuses, as the log keeps them."""
    event = Event.objects.create(workspace=endpoint.workspace, type="clip.ready", payload={})
    created = timezone.now() - datetime.timedelta(days=days_ago)
    for status in statuses:
        delivery = Delivery.objects.create(event=event, endpoint=endpoint, status=status, attempts=1)
        Delivery.objects.filter(pk=delivery.pk).update(created_at=created)


def test_it_replaces_the_empty_section_with_the_webhooks_page(as_alice):
    page = as_alice.get("/webhooks/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nothing here yet" in html and 'href="/webhooks/new"' in html
    assert 'href="/webhooks/" aria-current="page"' in html  # the navigation's link, current


def test_it_lists_endpoints_with_their_state_and_success_rate(as_alice, subscribe, receiver):
    healthy = subscribe(receiver.url("/healthy"))[0]
    log_rows(healthy, *["succeeded"] * 24, "dead", "pending")
    log_rows(healthy, "dead", days_ago=8)  # outside the 7 days
    failing = subscribe(receiver.url("/failing"))[0]
    Endpoint.objects.filter(pk=failing.pk).update(enabled=False, disabled_reason="failing")
    paused = subscribe(receiver.url("/paused"))[0]
    actions.update_endpoint(paused, enabled=False)
    html = as_alice.get("/webhooks/").content.decode()
    row = html.split(f'id="endpoint-{healthy.pk}"')[1].split("</tr>")[0]
    assert "Enabled" in row and "96% of 25 deliveries succeeded in 7 days." in row
    # A failing endpoint is called out above the list, not only in its row.
    alert = html.split(f'id="broken-{failing.pk}"')[1].split("</div>")[0]
    assert receiver.url("/failing") in alert and "every delivery failed for 3 days" in alert
    assert "Disabled: every delivery failed for 3 days" in html.split(f'id="endpoint-{failing.pk}"')[1]
    paused_row = html.split(f'id="endpoint-{paused.pk}"')[1].split("</tr>")[0]
    assert 'data-state="disabled"' in paused_row and f'id="broken-{paused.pk}"' not in html
    assert "No deliveries in the last 7 days." in paused_row


def test_it_creates_an_endpoint_and_shows_its_secret_exactly_once(as_alice, receiver, workspace):
    response = as_alice.post("/webhooks/new", {"url": receiver.url(), "description": "CI",
                                               "event_types": ["video.completed", "clip.failed"]})  # fmt: skip
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/webhooks/{endpoint.pk}/"
    assert endpoint.workspace == workspace and endpoint.event_types == ["video.completed", "clip.failed"]
    # The secret waits in the session encrypted, never in clear.
    stored = str(dict(as_alice.session.items()))
    shown = as_alice.get(response["Location"])
    secret = re.search(r'value="(whsec_[^"]+)"', shown.content.decode()).group(1)
    assert SECRET.fullmatch(secret) and secret not in stored
    assert "no-store" in shown["Cache-Control"]
    assert endpoint.signing_secrets(timezone.now()) == [secret]
    # A reload shows it no more, and creates nothing.
    again = as_alice.get(response["Location"])
    assert secret not in again.content.decode() and "Signing secret" not in again.content.decode()
    assert secret not in as_alice.get("/webhooks/").content.decode()
    assert Endpoint.objects.count() == 1


def test_it_takes_all_events_over_single_ones_and_a_video_scope(as_alice, receiver, alice, workspace):
    video = Video.objects.create(workspace=workspace, submitted_by=alice, source_kind="url", title="Money talk",
                                 source_url="https://example.com/talk.mp4")  # fmt: skip
    as_alice.post("/webhooks/new", {"url": receiver.url(), "event_types": ["*", "clip.ready"], "video": video.pk})
    endpoint = Endpoint.objects.get()
    assert endpoint.event_types == ["*"] and endpoint.video == video
    detail = as_alice.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "All events" in detail and "only Money talk" in detail


def test_it_shows_why_it_refused_an_endpoint(as_alice, strict, charlie):
    other = Video.objects.create(workspace=charlie.memberships.get().workspace, submitted_by=charlie,
                                 source_kind="url", source_url="https://example.com/x.mp4")  # fmt: skip
    cases = [
        ({"url": "https://127.0.0.1/hook", "event_types": ["*"]}, "points to a private or local address"),
        ({"url": "http://hooks.example/in", "event_types": ["*"]}, "Only https:// links are accepted"),
        ({"url": "https://hooks.example/in", "event_types": []}, "Choose at least one event"),
        ({"url": "https://hooks.example/in", "event_types": ["*"], "video": other.pk}, "Select a valid choice"),
    ]
    for data, expected in cases:
        response = as_alice.post("/webhooks/new", data)
        assert response.status_code == 422, data
        errors = re.findall(r'<p class="error" role="alert">([^<]+)</p>', response.content.decode())
        assert len(errors) == 1 and expected in errors[0], (data, errors)
    refused = as_alice.post("/webhooks/new", cases[0][0]).content.decode()
    assert 'value="https://127.0.0.1/hook"' in refused  # the form keeps what was typed
    assert not Endpoint.objects.exists()


def test_it_shows_the_delivery_log_after_a_test_event(as_alice, endpoint, receiver):
    receiver.answer(500, b"Internal trouble: the database is down")
    response = as_alice.post(f"/webhooks/{endpoint.pk}/test")
    assert response.status_code == 302 and response["Location"] == f"/webhooks/{endpoint.pk}/"
    delivery = Delivery.objects.get()
    assert jobs.deliver(delivery.pk) == "pending"
    html = as_alice.get(f"/webhooks/{endpoint.pk}/").content.decode()
    row = html.split(f'id="delivery-{delivery.pk}"')[1].split("</tr>")[0]
    assert "webhook.test" in row and "Pending" in row and "<strong>500</strong>" in row
    assert "Internal trouble: the database is down" in row and " ms" in row and "HTTP 500" in row
    assert re.search(r"in [12]\xa0minute", row), row  # the next attempt, 2 minutes after the first
    assert f"/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver" in row and "Send again" in row
    assert "0% of 0" not in html and "No deliveries in the last 7 days." in html  # not finished yet


def test_it_polls_the_log_only_while_a_delivery_is_under_way(as_alice, endpoint, receiver):
    as_alice.post(f"/webhooks/{endpoint.pk}/test")
    polling = as_alice.get(f"/webhooks/{endpoint.pk}/deliveries").content.decode()
    assert 'hx-trigger="every 2s"' in polling and "webhook.test" in polling and "<html" not in polling
    jobs.deliver(Delivery.objects.get().pk)
    done = as_alice.get(f"/webhooks/{endpoint.pk}/deliveries").content.decode()
    assert "hx-trigger" not in done and "Succeeded" in done


def test_it_sends_a_delivery_again_with_the_same_event(as_alice, endpoint, receiver):
    as_alice.post(f"/webhooks/{endpoint.pk}/test")
    first = Delivery.objects.get()
    jobs.deliver(first.pk)
    response = as_alice.post(f"/webhooks/{endpoint.pk}/deliveries/{first.pk}/redeliver", follow=True)
    assert "queued to be sent again" in response.content.decode()
    second = Delivery.objects.exclude(pk=first.pk).get()
    assert second.event_id == first.event_id and second.status == "pending"
    jobs.deliver(second.pk)
    received = receiver.wait_for(2)
    assert received[0].headers["webhook-id"] == received[1].headers["webhook-id"] == str(first.event_id)


def test_it_disables_and_enables_and_says_why_it_cannot_send(as_alice, endpoint):
    response = as_alice.post(f"/webhooks/{endpoint.pk}/enabled", {"enabled": "0"}, follow=True)
    endpoint.refresh_from_db()
    assert not endpoint.enabled and endpoint.disabled_reason == "user"
    assert "no events are delivered until you enable it" in response.content.decode()
    refused = as_alice.post(f"/webhooks/{endpoint.pk}/test", follow=True).content.decode()
    assert "This endpoint is disabled" in refused and not Delivery.objects.exists()
    Endpoint.objects.filter(pk=endpoint.pk).update(disabled_reason="gone")
    page = as_alice.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "Disabled: the endpoint answered 410 gone." in page and 'value="1"' in page
    as_alice.post(f"/webhooks/{endpoint.pk}/enabled", {"enabled": "1"})
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_reason == ""


def test_it_rotates_the_secret_and_shows_the_new_one_once(as_alice, subscribe, receiver):
    endpoint, old = subscribe(receiver.url())
    page = as_alice.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert 'data-confirm="Make a new signing secret?' in page
    response = as_alice.post(f"/webhooks/{endpoint.pk}/rotate", follow=True)
    new = re.search(r'value="(whsec_[^"]+)"', response.content.decode()).group(1)
    assert new != old and "The previous secret also signs deliveries for 24 hours" in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.signing_secrets(timezone.now()) == [new, old]
    assert new not in as_alice.get(f"/webhooks/{endpoint.pk}/").content.decode()


def test_it_deletes_after_confirmation(as_alice, endpoint):
    page = as_alice.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert f'hx-post="/webhooks/{endpoint.pk}/delete" hx-target="closest .confirm-slot"' in page
    question = as_alice.post(f"/webhooks/{endpoint.pk}/delete", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in question and "Delete this endpoint?" in question and 'value="yes"' in question
    assert Endpoint.objects.exists()
    response = as_alice.post(f"/webhooks/{endpoint.pk}/delete", {"confirm": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == "/webhooks/" and "Deleted the endpoint" in response.content.decode()
    assert not Endpoint.objects.exists()


def _routes(endpoint: Endpoint, delivery: Delivery) -> list[tuple[str, str, dict]]:
    base = f"/webhooks/{endpoint.pk}"
    return [
        ("get", f"{base}/", {}), ("get", f"{base}/deliveries", {}), ("post", f"{base}/enabled", {"enabled": "0"}),
        ("post", f"{base}/rotate", {}), ("post", f"{base}/test", {}), ("post", f"{base}/delete", {}),
        ("post", f"{base}/deliveries/{delivery.pk}/redeliver", {}),
    ]  # fmt: skip


def test_it_answers_404_to_an_outsider_on_every_page_and_changes_nothing(client, charlie, endpoint):
    delivery = actions.send_test_event(endpoint)
    client.force_login(charlie)
    for method, path, data in _routes(endpoint, delivery):
        assert getattr(client, method)(path, data).status_code == 404, (method, path)
    assert f"/webhooks/{endpoint.pk}/" not in client.get("/webhooks/").content.decode()
    endpoint_after = Endpoint.objects.get(pk=endpoint.pk)
    assert endpoint_after.enabled and endpoint_after.previous_secret is None
    assert Delivery.objects.count() == 1


def test_it_lets_a_member_read_but_not_change(client, bob, endpoint, workspace):
    from accounts.middleware import SESSION_KEY

    delivery = actions.send_test_event(endpoint)
    client.force_login(bob)
    session = client.session
    session[SESSION_KEY] = workspace.pk
    session.save()
    listing = client.get("/webhooks/").content.decode()
    assert endpoint.url in listing and "+ New endpoint" not in listing
    detail = client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "webhook.test" in detail and "Send test event" not in detail and "Send again" not in detail
    for method, path, data in _routes(endpoint, delivery):
        expected = 200 if method == "get" else 403
        assert getattr(client, method)(path, data).status_code == expected, (method, path)
    assert client.get("/webhooks/new").status_code == 403
    assert client.post("/webhooks/new", {"url": "http://127.0.0.1:9/x", "event_types": ["*"]}).status_code == 403
    assert Endpoint.objects.count() == 1 and Delivery.objects.count() == 1


@pytest.mark.parametrize("path", ["/webhooks/", "/webhooks/new", "/webhooks/1/"])
def test_it_sends_anonymous_visitors_to_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login")
