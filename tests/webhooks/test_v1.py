"""viralcli's webhook routes under /v1/ ("Managing webhooks" in shared/reference/viralcli-api.txt):
its exact request and response shapes, its error bodies, and account scoping."""

from __future__ import annotations

import re

import pytest

from tests.webhooks import assert_signed
from webhooks import jobs
from webhooks.models import Delivery, Endpoint

SECRET = re.compile(r"whsec_[A-Za-z0-9+/]{43}=")


@pytest.fixture
def alice_key(alice, key_for, clean_redis):
    return key_for(alice)


@pytest.fixture
def v1(api_client, alice_key):
    """A client holding alice's key the way viralcli's docs recommend."""
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {alice_key}")
    return api_client


def test_it_creates_a_subscription_with_viralclis_exact_shape(v1, receiver):
    response = v1.post("/v1/webhooks", {"url": receiver.url(), "event_types": ["*"], "tracked_item_id": None},
                       format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "url", "event_types", "tracked_item_id", "secret"}
    assert isinstance(body["id"], int) and body["url"] == receiver.url()
    assert body["event_types"] == ["*"] and body["tracked_item_id"] is None and SECRET.fullmatch(body["secret"])
    endpoint = Endpoint.objects.get(pk=body["id"])
    assert endpoint.workspace == endpoint.created_by.memberships.get().workspace and endpoint.enabled


def test_it_signs_deliveries_so_viralclis_verify_accepts_them(v1, receiver):
    created = v1.post("/v1/webhooks", {"url": receiver.url(), "event_types": ["breakout"]}, format="json").json()
    from webhooks import actions

    actions.send_test_event(Endpoint.objects.get(pk=created["id"]))
    jobs.deliver(Delivery.objects.get().pk)
    received = receiver.wait_for(1)[0]
    assert_signed(received, created["secret"])
    assert received.headers["X-Socialdata-Event"] == "webhook.test"
    assert received.headers["X-Socialdata-Delivery"] == str(Delivery.objects.get().pk)


def test_it_scopes_to_a_tracked_item_and_lists_without_secrets(v1, receiver, alice_key, api_client):
    item = v1.post("/v1/tracked-items", {"kind": "seed", "ref": "cold plunge"}, format="json").json()["id"]
    first = v1.post("/v1/webhooks", {"url": receiver.url("/a"), "event_types": ["breakout", "peaking"],
                                     "tracked_item_id": item}, format="json").json()  # fmt: skip
    second = v1.post("/v1/webhooks", {"url": receiver.url("/b")}, format="json").json()
    assert first["tracked_item_id"] == item and second["event_types"] == ["*"]
    # Either header works, as viralcli documents.
    api_client.credentials(HTTP_X_API_KEY=alice_key)
    listed = api_client.get("/v1/webhooks")
    assert listed.status_code == 200
    assert listed.json() == [
        {"id": second["id"], "url": receiver.url("/b"), "event_types": ["*"], "tracked_item_id": None},
        {"id": first["id"], "url": receiver.url("/a"), "event_types": ["breakout", "peaking"],
         "tracked_item_id": item},
    ]  # fmt: skip
    assert first["secret"] not in listed.content.decode() and second["secret"] not in listed.content.decode()


def test_it_deletes_with_204(v1, receiver):
    created = v1.post("/v1/webhooks", {"url": receiver.url()}, format="json").json()
    response = v1.delete(f"/v1/webhooks/{created['id']}")
    assert response.status_code == 204 and response.content == b""
    assert not Endpoint.objects.exists()
    assert v1.delete(f"/v1/webhooks/{created['id']}").status_code == 404


def test_it_refuses_a_private_url_with_400_and_its_error_body(v1, strict):
    for url in ("https://127.0.0.1/hooks", "https://169.254.169.254/latest/meta-data", "http://your-app.example/h"):
        response = v1.post("/v1/webhooks", {"url": url, "event_types": ["*"]}, format="json")
        assert response.status_code == 400, url
        assert response.json()["error"] == "url_refused" and set(response.json()) == {"error", "detail"}
    assert not Endpoint.objects.exists()


def test_it_answers_validation_errors_in_fastapis_shape(v1, receiver):
    cases = [
        ({"url": receiver.url(), "event_types": ["viral"]}, ["body", "event_types", 0]),
        ({"url": receiver.url(), "event_types": []}, ["body", "event_types"]),
        ({"url": "not a url"}, ["body", "url"]),
        ({"event_types": ["*"]}, ["body", "url"]),
        ({"url": receiver.url(), "tracked_item_id": "x" * 65}, ["body", "tracked_item_id"]),
        ({"url": receiver.url(), "tracked_item_id": "ti_notmine"}, ["body", "tracked_item_id"]),
        ({"url": receiver.url(), "secret": "whsec_x"}, ["body", "secret"]),
    ]
    for body, loc in cases:
        response = v1.post("/v1/webhooks", body, format="json")
        assert response.status_code == 422, body
        detail = response.json()["detail"]
        assert set(response.json()) == {"detail"} and detail[0]["loc"] == loc, (body, detail)
        assert detail[0]["msg"] and detail[0]["type"] == "value_error"
    assert not Endpoint.objects.exists()


def test_it_answers_401_without_a_valid_key_and_ignores_the_browser_session(api_client, alice, db):
    assert api_client.get("/v1/webhooks").status_code == 401
    response = api_client.get("/v1/webhooks", HTTP_AUTHORIZATION="Bearer sk_live_nope")
    assert response.status_code == 401 and set(response.json()) == {"error", "detail"}
    api_client.force_login(alice)
    assert api_client.get("/v1/webhooks").status_code == 401


def test_it_answers_404_for_another_accounts_subscription(v1, api_client, key_for, charlie, subscribe, receiver):
    alices, _ = subscribe(receiver.url())
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(charlie)}")
    assert api_client.get("/v1/webhooks").json() == []
    response = api_client.delete(f"/v1/webhooks/{alices.pk}")
    assert response.status_code == 404 and response.json() == {"error": "not_found", "detail": "Not found."}
    assert api_client.delete("/v1/webhooks/999999").json() == response.json()
    assert Endpoint.objects.filter(pk=alices.pk).exists()


def test_it_scopes_a_key_to_its_own_workspace(api_client, alice, key_for, subscribe, receiver, clean_redis):
    from accounts import actions

    alices, _ = subscribe(receiver.url())
    team = actions.create_workspace(alice, "Alice Media")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(alice, team)}")
    assert api_client.get("/v1/webhooks").json() == []
    assert api_client.delete(f"/v1/webhooks/{alices.pk}").status_code == 404


def test_it_lets_only_owners_and_admins_change_subscriptions(api_client, key_for, bob, workspace, subscribe,
                                                              receiver, clean_redis):  # fmt: skip
    alices, _ = subscribe(receiver.url())
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(bob, workspace)}")
    assert [w["id"] for w in api_client.get("/v1/webhooks").json()] == [alices.pk]
    created = api_client.post("/v1/webhooks", {"url": receiver.url("/bob")}, format="json")
    deleted = api_client.delete(f"/v1/webhooks/{alices.pk}")
    assert created.status_code == deleted.status_code == 403
    assert list(Endpoint.objects.values_list("pk", flat=True)) == [alices.pk]


def test_it_applies_the_api_guards_to_v1(v1):
    response = v1.generic("POST", "/v1/webhooks", b'{"url": "' + b"x" * 70_000 + b'"}',
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"
    assert response["Cache-Control"] == "no-store"
    missing = v1.get("/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
