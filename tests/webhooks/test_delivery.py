"""Delivering webhooks to a real receiver: both signatures (through a secret rotation too),
the retry schedule on a controllable clock, dead letters, 410, Retry-After, timeouts,
redirects, the claim, failing endpoints, and a Redis restart between attempts."""

from __future__ import annotations

import email.utils
import time
from datetime import timedelta

import django_rq
import pytest
from rq import SimpleWorker
from standardwebhooks import Webhook, WebhookVerificationError

from tests.fake_network import FakeNetwork
from tests.plugins.services import free_port
from tests.webhooks import assert_signed
from tests.webhooks.viralcli import verify
from webhooks import actions, jobs, signing
from webhooks.models import Delivery, Endpoint, EventType

TRANSACTIONAL = pytest.mark.django_db(transaction=True)


def emit_one(workspace, data: dict | None = None) -> Delivery:
    """A video.completed event of alice's workspace; its one delivery (alice has one endpoint)."""
    event = actions.emit(workspace.pk, EventType.VIDEO_COMPLETED, data or {"video_id": "vid_1", "title": "Café ☕"})
    return event.deliveries.get()


def run_queue() -> None:
    """Run the default queue's jobs in this process (so they see the test's clock), until it is empty."""
    django_rq.get_worker("default", worker_class=SimpleWorker).work(burst=True)


def fail_until_dead(delivery: Delivery, clock) -> list[timedelta]:
    """Send each attempt when it falls due; return the waits between attempts."""
    waits = []
    while True:
        jobs.deliver(delivery.pk)
        delivery.refresh_from_db()
        if delivery.status == Delivery.Status.DEAD:
            return waits
        waits.append(delivery.next_attempt_at - clock.now)
        clock.advance(seconds=waits[-1].total_seconds() - 1)
        assert jobs.deliver(delivery.pk) == "not claimed"  # a second early: nothing is sent
        clock.advance(seconds=1)


@TRANSACTIONAL
def test_it_delivers_a_signed_event_that_both_verifiers_accept_byte_for_byte(workspace, subscribe, receiver,
                                                                              clean_redis):  # fmt: skip
    _, secret = subscribe(receiver.url())
    delivery = emit_one(workspace)
    assert django_rq.get_queue("default").get_job_ids() == [f"webhook-{delivery.pk}-1"]

    run_queue()

    [received] = receiver.received
    body = assert_signed(received, secret)
    assert body == {"id": str(delivery.event_id), "type": "video.completed",
                    "created_at": delivery.event.created_at.isoformat(),
                    "data": {"video_id": "vid_1", "title": "Café ☕"}}  # fmt: skip
    assert received.headers["webhook-id"] == str(delivery.event_id)
    assert abs(int(received.headers["webhook-timestamp"]) - time.time()) < 60
    assert received.headers["X-Socialdata-Event"] == "video.completed"
    assert received.headers["X-Socialdata-Delivery"] == str(delivery.pk)
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["User-Agent"] == "Clipsite-Webhooks/1"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status, delivery.response_body, delivery.error) == (
        "succeeded", 1, 200, "ok", "")  # fmt: skip
    # A byte changed in transit fails both checks, and another secret verifies nothing.
    tampered = received.body.replace(b"vid_1", b"vid_2")
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered, dict(received.headers.items()))
    assert not verify(secret, tampered, received.headers["X-Socialdata-Signature"])
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(received.body, dict(received.headers.items()))


@pytest.mark.django_db
def test_it_signs_with_both_secrets_for_a_day_after_a_rotation(workspace, subscribe, receiver, clock):
    endpoint, old = subscribe(receiver.url())
    new = actions.rotate_secret(endpoint)
    assert new != old and new.startswith("whsec_")

    jobs.deliver(emit_one(workspace).pk)
    clock.advance(hours=23, minutes=59)
    jobs.deliver(emit_one(workspace).pk)
    clock.advance(minutes=2)  # the old secret has expired
    jobs.deliver(emit_one(workspace).pk)

    first, last_day, after = receiver.wait_for(3)
    assert_signed(first, new, previous=old)
    assert_signed(last_day, new, previous=old)
    assert_signed(after, new)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.body, dict(after.headers.items()))
    assert not verify(old, after.body, after.headers["X-Socialdata-Signature"])


@pytest.mark.django_db
def test_it_retries_after_2_4_8_16_32_minutes_then_dead_letters_the_sixth_failure(workspace, subscribe, receiver,
                                                                                  clock):  # fmt: skip
    _, secret = subscribe(receiver.url())
    receiver.answer(500, b"database down")
    delivery = emit_one(workspace)

    waits = fail_until_dead(delivery, clock)

    assert waits == [timedelta(minutes=m) for m in (2, 4, 8, 16, 32)]
    assert (delivery.attempts, delivery.error, delivery.response_status, delivery.response_body) == (
        6, "HTTP 500", 500, "database down")  # fmt: skip
    assert delivery.next_attempt_at is None
    # Six requests of one event: the same ids on each, each signed.
    assert len(receiver.received) == 6
    assert {r.headers["webhook-id"] for r in receiver.received} == {str(delivery.event_id)}
    assert {r.headers["X-Socialdata-Delivery"] for r in receiver.received} == {str(delivery.pk)}
    assert len({r.body for r in receiver.received}) == 1
    for received in receiver.received:
        assert_signed(received, secret)
    # A dead letter is never sent again, by the sweep or a stray job.
    clock.advance(hours=2)
    assert jobs.sweep() == {"recovered": 0, "dead": 0, "enqueued": 0}
    assert jobs.deliver(delivery.pk) == "not claimed"
    assert len(receiver.received) == 6


@pytest.mark.django_db
def test_it_caps_the_wait_between_attempts_at_an_hour(workspace, subscribe, receiver, clock, monkeypatch):
    monkeypatch.setattr(actions, "MAX_ATTEMPTS", 9)
    subscribe(receiver.url())
    receiver.answer(503)

    waits = fail_until_dead(emit_one(workspace), clock)

    assert waits == [timedelta(minutes=m) for m in (2, 4, 8, 16, 32, 60, 60, 60)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("retry_after", "minutes"),
    [("600", 10), ("7200", 60), ("30", 2), ("in 20 minutes", 20), ("in 3 hours", 60), ("soon", 2)],
)
def test_it_honours_retry_after_in_seconds_or_as_a_date_up_to_an_hour(workspace, subscribe, receiver, clock,
                                                                    retry_after, minutes):  # fmt: skip
    if retry_after.startswith("in "):
        amount, unit = retry_after.split()[1:]
        retry_after = email.utils.format_datetime(clock.now + timedelta(**{unit: int(amount)}), usegmt=True)
    subscribe(receiver.url())
    receiver.answer(429, b"slow down", headers={"Retry-After": retry_after})
    delivery = emit_one(workspace)

    assert jobs.deliver(delivery.pk) == "pending"

    delivery.refresh_from_db()
    assert delivery.next_attempt_at - clock.now == timedelta(minutes=minutes)
    assert delivery.error == "HTTP 429"


@pytest.mark.django_db
def test_it_dead_letters_on_410_and_disables_the_endpoint(workspace, subscribe, receiver, clock):
    endpoint, _ = subscribe(receiver.url())
    receiver.answer(410, b"gone")
    delivery = emit_one(workspace)

    assert jobs.deliver(delivery.pk) == "dead"

    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.error == "HTTP 410: the endpoint is gone, so it was disabled."
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, Endpoint.DisabledReason.GONE)
    # A disabled endpoint is sent nothing more.
    assert actions.emit(workspace.pk, EventType.VIDEO_FAILED, {"video_id": "vid_2"}) is None
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_it_gives_up_on_a_receiver_slower_than_the_timeout(workspace, subscribe, receiver, clock, monkeypatch):
    monkeypatch.setattr(jobs, "TIMEOUT_SECONDS", 0.5)
    subscribe(receiver.url())
    receiver.answer(200, delay=3)
    delivery = emit_one(workspace)

    started = time.monotonic()
    assert jobs.deliver(delivery.pk) == "pending"

    assert time.monotonic() - started < 2.5
    delivery.refresh_from_db()
    assert (delivery.error, delivery.response_status) == ("Timed out after 0.5 s", None)
    assert delivery.next_attempt_at == clock.now + timedelta(minutes=2)


@pytest.mark.django_db
def test_it_takes_a_redirect_for_a_failure_and_never_requests_its_location(workspace, subscribe, receiver, clock):
    subscribe(receiver.url())
    receiver.answer(302, b"", headers={"Location": receiver.url("/elsewhere")})
    delivery = emit_one(workspace)

    with FakeNetwork() as network:
        assert jobs.deliver(delivery.pk) == "pending"

    delivery.refresh_from_db()
    assert (delivery.error, delivery.response_status) == ("HTTP 302: redirects are not followed", 302)
    assert receiver.paths() == ["/hook"]
    assert network.connects == [("127.0.0.1", receiver.port)]


@pytest.mark.django_db
def test_it_keeps_only_the_first_kilobyte_of_an_answer(workspace, subscribe, receiver, clock):
    subscribe(receiver.url())
    receiver.answer(200, b"x" * 1_000_000)
    delivery = emit_one(workspace)

    assert jobs.deliver(delivery.pk) == "succeeded"

    delivery.refresh_from_db()
    assert delivery.response_body == "x" * 1024


@pytest.mark.django_db
def test_it_says_connection_refused_in_words(workspace, subscribe, clock):
    subscribe(f"http://127.0.0.1:{free_port()}/hook")
    delivery = emit_one(workspace)

    assert jobs.deliver(delivery.pk) == "pending"

    delivery.refresh_from_db()
    assert (delivery.error, delivery.response_status, delivery.attempts) == ("Connection refused", None, 1)


@pytest.mark.django_db
def test_it_disables_an_endpoint_whose_deliveries_failed_for_three_days(workspace, subscribe, receiver, clock):
    endpoint, _ = subscribe(receiver.url())
    receiver.answer(500).answer(200).answer(500)
    first = emit_one(workspace)
    jobs.deliver(first.pk)
    endpoint.refresh_from_db()
    assert endpoint.failing_since == clock.now
    clock.advance(minutes=2)
    assert jobs.deliver(first.pk) == "succeeded"
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None  # a success ends the streak

    second = emit_one(workspace)
    assert jobs.deliver(second.pk) == "pending"
    streak_began = clock.now
    clock.advance(days=3, minutes=1)
    third = emit_one(workspace)
    assert jobs.deliver(third.pk) == "dead"

    endpoint.refresh_from_db()
    third.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason, endpoint.failing_since) == (
        False, Endpoint.DisabledReason.FAILING, streak_began)  # fmt: skip
    assert third.error == "HTTP 500; every delivery failed for 3 days, so the endpoint was disabled."
    # What was still due for the endpoint is dead-lettered, not sent.
    assert jobs.deliver(second.pk) == "not claimed"
    second.refresh_from_db()
    assert (second.status, second.error) == ("dead", "Not sent: the endpoint is disabled.")
    assert len(receiver.received) == 4


@TRANSACTIONAL
def test_it_claims_a_delivery_once_and_ignores_a_superseded_attempt(workspace, subscribe, receiver, clock,
                                                                    clean_redis):  # fmt: skip
    subscribe(receiver.url())
    delivery = emit_one(workspace)
    first = actions.claim(delivery.pk, clock.now)
    assert first is not None and first.attempts == 1
    assert actions.claim(delivery.pk, clock.now) is None
    assert jobs.deliver(delivery.pk) == "not claimed"  # a second worker finds it taken
    assert receiver.received == []

    # The first worker is taken for lost: the sweep sends the delivery again as attempt 2.
    clock.advance(seconds=61)
    assert jobs.sweep() == {"recovered": 1, "dead": 0, "enqueued": 0}
    assert f"webhook-{delivery.pk}-2" in django_rq.get_queue("default").get_job_ids()
    run_queue()
    # The lost worker's late outcome changes nothing.
    assert actions.record(first, actions.Outcome(status=500, error="HTTP 500"), clock.now) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(receiver.received)) == ("succeeded", 2, 1)


@TRANSACTIONAL
def test_it_loses_no_delivery_when_redis_restarts_between_attempts(workspace, subscribe, receiver, clock,
                                                                   redis_outage):  # fmt: skip
    _, secret = subscribe(receiver.url())
    receiver.answer(500).answer(200)
    delivery = emit_one(workspace)
    run_queue()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)

    redis_outage.kill()
    clock.advance(minutes=2)
    assert jobs.sweep()["enqueued"] == 0  # nobody can enqueue now; the delivery waits in the database
    redis_outage.start()  # without persistence: the queue comes back empty
    assert django_rq.get_queue("default").get_job_ids() == []
    assert jobs.sweep()["enqueued"] == 1
    run_queue()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == str(delivery.event_id)
    assert_signed(second, secret)


@TRANSACTIONAL
def test_it_sends_an_event_written_while_redis_was_down_once_it_is_back(workspace, subscribe, receiver, clock,
                                                                         redis_outage):  # fmt: skip
    subscribe(receiver.url())
    redis_outage.kill()
    delivery = emit_one(workspace)  # the state change commits; only the enqueue is skipped
    redis_outage.start()

    assert jobs.sweep()["enqueued"] == 1
    assert jobs.sweep()["enqueued"] == 0  # its job waits in the queue now
    run_queue()

    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert [r.headers["webhook-id"] for r in receiver.received] == [str(delivery.event_id)]
