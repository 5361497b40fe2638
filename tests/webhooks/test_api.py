"""The ScaleReach-style webhook API under /api/webhooks: shapes, secrets, errors, ownership.

Deliveries are sent by calling the real job function in the test's process (its RQ
enqueue happens on commit, which the test's transaction never reaches), to a real
receiver on loopback; the session's ALLOW_PRIVATE_URLS lets that receiver be http.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from tests.webhooks import assert_signed
from videos.models import Video
from webhooks import jobs
from webhooks.models import Delivery, Endpoint

SECRET = re.compile(r"whsec_[A-Za-z0-9+/]{43}=")


@pytest.fixture
def endpoint(subscribe, receiver):
    """Alice's endpoint on the receiver, every event; (endpoint, secret)."""
    return subscribe(receiver.url(), description="alice's app")


def deliver_all() -> list[str]:
    """Send every due delivery once, in this process."""
    return [jobs.deliver(pk) for pk in Delivery.objects.filter(status="pending").values_list("pk", flat=True)]


def video_of(user, **fields) -> Video:
    workspace = user.memberships.order_by("created_at").first().workspace
    return Video.objects.create(workspace=workspace, submitted_by=user, source_kind=Video.SourceKind.URL,
                                source_url="https://example.com/talk.mp4", **fields)  # fmt: skip


def test_it_creates_an_endpoint_and_returns_its_secret_in_the_201_only(alice_api, receiver, workspace):
    response = alice_api.post(
        "/api/webhooks", {"url": receiver.url(), "eventTypes": ["video.completed", "clip.ready"],
                          "description": "my agent"}, format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    webhook = response.json()["webhook"]
    secret = webhook.pop("secret")
    assert SECRET.fullmatch(secret)
    assert webhook | {"id": 0, "createdAt": ""} == {
        "id": 0, "workspaceId": workspace.pk, "url": receiver.url(), "description": "my agent",
        "eventTypes": ["video.completed", "clip.ready"], "videoId": None, "trackedItemId": None, "enabled": True,
        "disabledReason": None, "failingSince": None, "previousSecretExpiresAt": None, "createdAt": "",
        "stats": {"total": 0, "succeeded": 0, "rate": None},
    }  # fmt: skip
    # Never again: not in the endpoint, the list, nor stored in clear.
    one = alice_api.get(f"/api/webhooks/{webhook['id']}")
    listed = alice_api.get("/api/webhooks")
    assert one.status_code == 200 and "secret" not in one.json()["webhook"]
    assert secret not in one.content.decode() and secret not in listed.content.decode()
    assert secret.encode() not in bytes(Endpoint.objects.get(pk=webhook["id"]).secret)


def test_it_subscribes_to_every_event_by_default_and_pages_the_list(alice_api, subscribe, receiver, workspace):
    created = alice_api.post("/api/webhooks", {"url": receiver.url("/a")}, format="json").json()["webhook"]
    assert created["eventTypes"] == ["*"]
    for path in ("/b", "/c"):
        subscribe(receiver.url(path))
    page = alice_api.get("/api/webhooks?page=2&pageSize=2").json()
    assert page["count"] == 3 and page["page"] == 2 and page["pageSize"] == 2 and page["hasMore"] is False
    assert [w["url"] for w in page["webhooks"]] == [receiver.url("/a")]  # newest first: /c, /b, then /a
    assert alice_api.get("/api/webhooks?pageSize=0").status_code == 422


@pytest.mark.parametrize(
    "url",
    ["https://127.0.0.1/hook", "https://[::ffff:127.0.0.1]/hook", "https://169.254.169.254/latest",
     "https://10.0.0.8/hook", "http://hooks.example/plain-http"],
)  # fmt: skip
def test_it_refuses_a_private_or_plain_http_url_with_400_url_refused(alice_api, strict, url):
    response = alice_api.post("/api/webhooks", {"url": url}, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["error"] == "url_refused" and response.json()["detail"]
    assert not Endpoint.objects.exists()


def test_it_refuses_a_private_url_on_update_too(alice_api, strict, workspace, alice):
    from tests.fake_network import FakeNetwork

    with FakeNetwork().answer("hooks.example", ["93.184.216.34"]):
        created = alice_api.post("/api/webhooks", {"url": "https://hooks.example/in"}, format="json")
    assert created.status_code == 201, created.json()
    webhook_id = created.json()["webhook"]["id"]
    response = alice_api.patch(f"/api/webhooks/{webhook_id}", {"url": "https://127.0.0.1/x"}, format="json")
    assert response.status_code == 400 and response.json()["error"] == "url_refused"
    assert Endpoint.objects.get(pk=webhook_id).url == "https://hooks.example/in"


def test_it_names_the_field_of_a_bad_event_type_or_scope_with_422(alice_api, receiver, alice, charlie):
    own_video, other_video = video_of(alice), video_of(charlie)
    cases = [
        ({"eventTypes": ["video.exploded"]}, "eventTypes"),
        ({"eventTypes": []}, "eventTypes"),
        ({"videoId": other_video.pk}, "videoId"),
        # Refused by the action (two scopes at once), mapped to the API's field name.
        ({"videoId": own_video.pk, "trackedItemId": "ti_1"}, "videoId"),
        ({"secret": "whsec_mine"}, "secret"),
    ]
    for extra, field in cases:
        response = alice_api.post("/api/webhooks", {"url": receiver.url(), **extra}, format="json")
        assert response.status_code == 422, (extra, response.json())
        assert response.json()["error"] == "validation_error" and field in response.json()["fields"], extra
        assert response.json()["detail"].startswith(f"{field}: ")
    assert not Endpoint.objects.exists()
    scoped = alice_api.post("/api/webhooks", {"url": receiver.url(), "videoId": own_video.pk}, format="json")
    assert scoped.status_code == 201 and scoped.json()["webhook"]["videoId"] == own_video.pk


def test_it_turns_an_endpoint_off_and_on_and_changes_what_it_hears(alice_api, endpoint):
    path = f"/api/webhooks/{endpoint[0].pk}"
    off = alice_api.patch(path, {"enabled": False}, format="json").json()["webhook"]
    assert off["enabled"] is False and off["disabledReason"] == "user"
    Endpoint.objects.filter(pk=endpoint[0].pk).update(disabled_reason="failing", failing_since=timezone.now())
    assert alice_api.get(path).json()["webhook"]["disabledReason"] == "failing"
    on = alice_api.patch(path, {"enabled": True, "eventTypes": ["clip.failed"], "description": "renders"},
                         format="json").json()["webhook"]  # fmt: skip
    assert on["enabled"] is True and on["disabledReason"] is None and on["failingSince"] is None
    assert on["eventTypes"] == ["clip.failed"] and on["description"] == "renders"


def test_it_sends_a_test_event_and_logs_exactly_what_it_sent(alice_api, endpoint, receiver):
    webhook, secret = endpoint
    receiver.answer(200, b'{"thanks": true}')
    queued = alice_api.post(f"/api/webhooks/{webhook.pk}/test")
    assert queued.status_code == 202
    delivery = queued.json()["delivery"]
    assert delivery["status"] == "pending" and delivery["attempts"] == 0 and delivery["eventType"] == "webhook.test"
    assert deliver_all() == ["succeeded"]
    received = assert_signed(receiver.received[0], secret)
    log = alice_api.get(f"/api/webhooks/{webhook.pk}/deliveries").json()
    assert log["count"] == 1
    logged = log["deliveries"][0]
    assert logged["status"] == "succeeded" and logged["attempts"] == 1 and logged["responseStatus"] == 200
    assert logged["responseBody"] == '{"thanks": true}' and isinstance(logged["durationMs"], int)
    assert logged["nextAttemptAt"] is None and logged["error"] == ""
    # The log's event is the body the receiver got, field for field.
    assert logged["event"] == received and received["type"] == "webhook.test"
    assert logged["eventId"] == received["id"] == receiver.received[0].headers["webhook-id"]
    stats = alice_api.get(f"/api/webhooks/{webhook.pk}").json()["webhook"]["stats"]
    assert stats == {"total": 1, "succeeded": 1, "rate": 1.0}


def test_it_records_a_failed_attempt_and_filters_the_log_by_status(alice_api, endpoint, receiver):
    webhook, _ = endpoint
    receiver.answer(503, b"down for maintenance")
    alice_api.post(f"/api/webhooks/{webhook.pk}/test")
    assert deliver_all() == ["pending"]
    pending = alice_api.get(f"/api/webhooks/{webhook.pk}/deliveries?status=pending").json()["deliveries"]
    assert len(pending) == 1 and pending[0]["responseStatus"] == 503 and pending[0]["attempts"] == 1
    assert pending[0]["responseBody"] == "down for maintenance" and pending[0]["error"] == "HTTP 503"
    next_at = datetime.datetime.fromisoformat(pending[0]["nextAttemptAt"])
    assert timezone.now() + datetime.timedelta(minutes=1) < next_at < timezone.now() + datetime.timedelta(minutes=3)
    assert alice_api.get(f"/api/webhooks/{webhook.pk}/deliveries?status=succeeded").json()["count"] == 0
    assert alice_api.get(f"/api/webhooks/{webhook.pk}/deliveries?status=lost").status_code == 422


def test_it_redelivers_an_event_as_a_new_delivery_with_the_same_id(alice_api, endpoint, receiver):
    webhook, secret = endpoint
    first = alice_api.post(f"/api/webhooks/{webhook.pk}/test").json()["delivery"]
    deliver_all()
    again = alice_api.post(f"/api/webhooks/{webhook.pk}/deliveries/{first['id']}/redeliver")
    assert again.status_code == 202
    second = again.json()["delivery"]
    assert second["id"] != first["id"] and second["eventId"] == first["eventId"] and second["status"] == "pending"
    assert deliver_all() == ["succeeded"]
    bodies = [assert_signed(r, secret) for r in receiver.wait_for(2)]
    assert bodies[0] == bodies[1] and bodies[0]["id"] == first["eventId"]


def test_it_refuses_to_send_to_a_disabled_endpoint_with_409(alice_api, endpoint):
    webhook, _ = endpoint
    first = alice_api.post(f"/api/webhooks/{webhook.pk}/test").json()["delivery"]
    alice_api.patch(f"/api/webhooks/{webhook.pk}", {"enabled": False}, format="json")
    for path in (f"/api/webhooks/{webhook.pk}/test", f"/api/webhooks/{webhook.pk}/deliveries/{first['id']}/redeliver"):
        response = alice_api.post(path)
        assert response.status_code == 409 and response.json()["error"] == "not_allowed", path
        assert "disabled" in response.json()["detail"]
    assert Delivery.objects.count() == 1


def test_it_rotates_the_secret_and_signs_with_both_for_24_hours(alice_api, endpoint, receiver):
    webhook, old = endpoint
    response = alice_api.post(f"/api/webhooks/{webhook.pk}/rotate-secret")
    assert response.status_code == 200
    rotated = response.json()["webhook"]
    new = rotated["secret"]
    assert SECRET.fullmatch(new) and new != old
    expires = datetime.datetime.fromisoformat(rotated["previousSecretExpiresAt"])
    assert abs(expires - (timezone.now() + datetime.timedelta(hours=24))) < datetime.timedelta(minutes=1)
    assert new not in alice_api.get(f"/api/webhooks/{webhook.pk}").content.decode()
    alice_api.post(f"/api/webhooks/{webhook.pk}/test")
    deliver_all()
    assert_signed(receiver.received[0], new, previous=old)


def test_it_deletes_an_endpoint_with_its_log(alice_api, endpoint):
    webhook, _ = endpoint
    alice_api.post(f"/api/webhooks/{webhook.pk}/test")
    assert alice_api.delete(f"/api/webhooks/{webhook.pk}").status_code == 204
    assert alice_api.get(f"/api/webhooks/{webhook.pk}").status_code == 404
    assert not Delivery.objects.exists()


def _routes(endpoint_id: int, delivery_id: int) -> list[tuple[str, str, dict | None]]:
    """Every /api/webhooks route that names an endpoint or a delivery, with a valid body."""
    base = f"/api/webhooks/{endpoint_id}"
    return [
        ("get", base, None), ("patch", base, {"enabled": False}), ("delete", base, None),
        ("post", f"{base}/rotate-secret", None), ("post", f"{base}/test", None), ("get", f"{base}/deliveries", None),
        ("post", f"{base}/deliveries/{delivery_id}/redeliver", None),
    ]  # fmt: skip


def test_it_answers_404_to_an_outsider_on_every_route_and_changes_nothing(api_client, key_for, charlie, endpoint,
                                                                            clean_redis, workspace):  # fmt: skip
    webhook, _ = endpoint
    from webhooks import actions

    delivery = actions.send_test_event(webhook)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(charlie)}")
    missing = api_client.get("/api/webhooks/999999").json()
    for method, path, body in _routes(webhook.pk, delivery.pk):
        response = getattr(api_client, method)(path, body, format="json")
        assert response.status_code == 404 and response.json() == missing, (method, path)
    # Charlie's own endpoint does not reach alice's delivery either.
    own = actions.create_endpoint(charlie.memberships.get().workspace, charlie, url="http://127.0.0.1:9/x",
                                  event_types=["*"])[0]  # fmt: skip
    response = api_client.post(f"/api/webhooks/{own.pk}/deliveries/{delivery.pk}/redeliver")
    assert response.status_code == 404
    assert api_client.get(f"/api/webhooks?workspaceId={workspace.pk}").status_code == 404
    assert [w["id"] for w in api_client.get("/api/webhooks").json()["webhooks"]] == [own.pk]
    webhook_after = Endpoint.objects.get(pk=webhook.pk)
    assert webhook_after.enabled and webhook_after.secret == webhook.secret and webhook_after.previous_secret is None
    assert Delivery.objects.filter(endpoint=webhook).count() == 1


def test_it_lets_a_member_read_but_only_owners_and_admins_change(api_client, key_for, bob, endpoint, workspace):
    webhook, _ = endpoint
    from webhooks import actions

    delivery = actions.send_test_event(webhook)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(bob, workspace)}")
    for method, path, body in _routes(webhook.pk, delivery.pk):
        response = getattr(api_client, method)(path, body, format="json")
        expected = 200 if method == "get" else 403
        assert response.status_code == expected, (method, path, response.json())
        if expected == 403:
            assert "owners and admins" in response.json()["detail"]
    created = api_client.post("/api/webhooks", {"url": "http://127.0.0.1:9/bob"}, format="json")
    assert created.status_code == 403 and Endpoint.objects.count() == 1
    assert Endpoint.objects.get(pk=webhook.pk).enabled


def test_it_refuses_requests_without_a_key(api_client, endpoint):
    response = api_client.get("/api/webhooks")
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"
    assert api_client.post("/api/webhooks", {"url": "http://127.0.0.1:9/x"}, format="json").status_code == 401


def test_it_documents_every_route_and_each_event_body_in_openapi(client, db):
    from webhooks.models import EventType

    schema = client.get("/api/schema?format=json").json()
    routes = {
        "/api/webhooks": {"get", "post"}, "/api/webhooks/{endpoint_id}": {"get", "patch", "delete"},
        "/api/webhooks/{endpoint_id}/rotate-secret": {"post"}, "/api/webhooks/{endpoint_id}/test": {"post"},
        "/api/webhooks/{endpoint_id}/deliveries": {"get"},
        "/api/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver": {"post"},
        "/v1/webhooks": {"get", "post"}, "/v1/webhooks/{endpoint_id}": {"delete"},
    }  # fmt: skip
    for path, methods in routes.items():
        assert methods <= set(schema["paths"].get(path, {})), path
    assert "X-Socialdata-Signature-Previous" in schema["paths"]["/api/webhooks"]["post"]["description"]
    components = schema["components"]["schemas"]
    mapping = components["WebhookEvent"]["discriminator"]["mapping"]
    for event_type in EventType:
        name = "WebhookEvent_" + event_type.value.replace(".", "_")
        assert mapping[event_type.value] == f"#/components/schemas/{name}"
        body = components[name]
        assert {"id", "type", "created_at", "data"} <= set(body["required"])
        assert body["example"]["type"] == event_type.value and body["example"]["data"]
    data = components[components["WebhookEvent_clip_ready"]["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
    assert {"clip_id", "video_id", "score", "links", "links_expire_at"} <= set(data["required"])


def test_it_documents_the_payloads_the_events_really_carry(client, finished_video, subscribe, receiver):
    from openapi_schema_validator import OAS30Validator, validate

    from clips.models import Clip
    from webhooks import actions, events
    from webhooks.schema import event_body

    webhook, _ = subscribe(receiver.url())
    clip = finished_video.clips.get(rank=1)
    failed_clip = finished_video.clips.get(rank=2)
    Clip.objects.filter(pk=failed_clip.pk).update(status=Clip.Status.FAILED, error_message="The render stopped.")
    failed_video = video_of(finished_video.submitted_by, status=Video.Status.FAILED, error_code="no_speech",
                            error_message="No speech was found.")  # fmt: skip
    fired = [
        events.video_completed(finished_video.pk, finished_video.workspace_id), events.clip_finished(clip.pk),
        events.clip_finished(failed_clip.pk), events.video_failed(failed_video.pk, failed_video.workspace_id),
        actions.send_test_event(webhook).event,
    ]  # fmt: skip
    assert [e.type for e in fired] == ["video.completed", "clip.ready", "clip.failed", "video.failed", "webhook.test"]
    schema = client.get("/api/schema?format=json").json()
    for event in fired:
        name = "WebhookEvent_" + event.type.replace(".", "_")
        for ref in (name, "WebhookEvent"):
            document = {"$ref": f"#/components/schemas/{ref}", "components": schema["components"]}
            validate(event_body(event), document, cls=OAS30Validator)
