"""The SSRF guard on webhook URLs, through the real paths: at creation and at every delivery.

DNS and connect() are faked at the socket layer (:class:`tests.fake_network.FakeNetwork`),
which records every lookup and connection attempt: a refused delivery must not have
connected anywhere. ``strict`` turns ALLOW_PRIVATE_URLS off, as in production.
"""

from __future__ import annotations

import pytest

from clipsite import crypto
from tests.fake_network import FakeNetwork
from tests.pipeline.test_ingest import PUBLIC_ADDRESS
from tests.pipeline.test_netguard import self_signed_certificate
from tests.webhooks import assert_signed
from tests.webhooks.receiver import Receiver
from webhooks import actions, jobs, signing
from webhooks.errors import WebhookError
from webhooks.models import Endpoint, EventType

pytestmark = pytest.mark.django_db

# (url, DNS answers for hooks.example, what the refusal names: the refused address, or why)
REFUSED = {
    "decimal": ("https://2130706433/hook", None, "(127.0.0.1)"),
    "hex": ("https://0x7f.0.0.1/hook", None, "(127.0.0.1)"),
    "octal": ("https://017700000001/hook", None, "(127.0.0.1)"),
    "short": ("https://127.1/hook", None, "(127.0.0.1)"),
    "ipv4-mapped": ("https://[::ffff:127.0.0.1]/hook", None, "(::ffff:127.0.0.1)"),
    "nat64": ("https://[64:ff9b::a9fe:a9fe]/hook", None, "(64:ff9b::a9fe:a9fe, which carries 169.254.169.254)"),
    "metadata": ("https://169.254.169.254/latest/meta-data/", None, "(169.254.169.254)"),
    "metadata-name": ("https://metadata.google.internal/computeMetadata/v1/", None, "cloud metadata service"),
    "unspecified": ("https://0.0.0.0/hook", None, "(0.0.0.0)"),
    "loopback": ("https://127.0.0.1/hook", None, "(127.0.0.1)"),
    "rfc1918": ("https://10.0.0.7/hook", None, "(10.0.0.7)"),
    "cgnat": ("https://100.64.0.1/hook", None, "(100.64.0.1)"),
    "one-private-record": ("https://hooks.example/hook", [PUBLIC_ADDRESS, "10.0.0.7"], "(10.0.0.7)"),
    "plain-http": ("http://hooks.example/hook", [PUBLIC_ADDRESS], "only https:// links are accepted"),
    "unresolvable": ("https://nowhere.example/hook", None, "could not be found"),
}  # fmt: skip
CASES = pytest.mark.parametrize(("url", "answers", "reason"), list(REFUSED.values()), ids=list(REFUSED))


def network_for(answers: list[str] | None) -> FakeNetwork:
    network = FakeNetwork()
    return network.answer("hooks.example", answers) if answers else network


def endpoint_at(workspace, url: str) -> Endpoint:
    """An endpoint row with ``url``, as if accepted earlier (in development mode, or before its DNS changed)."""
    return Endpoint.objects.create(workspace=workspace, url=url, event_types=["*"],
                                   secret=crypto.encrypt(signing.new_secret()))  # fmt: skip


def deliver_one(workspace, *, answered: bool = False) -> str:
    """Emit an event, make its delivery's first attempt, which fails; return the error recorded."""
    event = actions.emit(workspace.pk, EventType.VIDEO_COMPLETED, {"video_id": "vid_1"})
    delivery = event.deliveries.get()
    jobs.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status is not None) == ("pending", 1, answered)
    return delivery.error


@CASES
def test_it_refuses_the_url_at_creation(strict, workspace, alice, url, answers, reason):
    with network_for(answers) as network, pytest.raises(WebhookError) as refused:
        actions.create_endpoint(workspace, alice, url=url, event_types=["*"])

    assert (refused.value.code, refused.value.field) == ("url_refused", "url")
    if reason.startswith("("):
        assert f"points to a private or local address {reason[:-1]}" in refused.value.message
    else:
        assert reason in refused.value.message.lower()
    assert network.connects == []
    assert not Endpoint.objects.exists()


@CASES
def test_it_refuses_the_url_again_at_delivery_without_connecting(strict, workspace, url, answers, reason):
    endpoint_at(workspace, url)

    with network_for(answers) as network:
        error = deliver_one(workspace)

    if reason.startswith("("):
        assert error == f"Refused: the address is private or local {reason}"
    else:
        assert reason in error.lower()
    assert network.connects == []


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/latest/meta-data/", "http://[64:ff9b::a9fe:a9fe]/", "http://0.0.0.0:8000/hook",
     "http://metadata.google.internal/", "http://[fe80::1]/hook", "http://100.100.100.200/"],
)  # fmt: skip
def test_it_refuses_link_local_and_metadata_targets_with_the_development_flag_too(workspace, alice, url):
    with FakeNetwork() as network:
        with pytest.raises(WebhookError, match=r"private or local|metadata"):
            actions.create_endpoint(workspace, alice, url=url, event_types=["*"])
        endpoint_at(workspace, url)
        assert deliver_one(workspace).startswith("Refused: ")

    assert network.connects == []


def test_it_refuses_at_delivery_a_name_that_rebound_to_a_private_address(strict, workspace, alice):
    # A rebinding DNS server: public when the endpoint is created, loopback when it is used.
    rebinding = FakeNetwork().answer("hooks.example", [PUBLIC_ADDRESS], ["127.0.0.1"]).route(PUBLIC_ADDRESS)

    with rebinding as network:
        actions.create_endpoint(workspace, alice, url="https://hooks.example/hook", event_types=["*"])
        error = deliver_one(workspace)

    assert error == "Refused: the address is private or local (127.0.0.1)"
    assert network.lookups == ["hooks.example", "hooks.example"]
    assert network.connects == []


def test_it_delivers_over_https_to_the_address_it_checked_and_never_follows_a_redirect_to_metadata(
    strict, workspace, alice, tmp_path, monkeypatch
):
    certificate = self_signed_certificate("hooks.example", tmp_path)
    monkeypatch.setattr(jobs, "TLS_VERIFY", str(certificate))
    # Public for the check at creation, then loopback: every later lookup is refused, and
    # the first delivery goes to the address its own lookup judged, not to another.
    network = FakeNetwork().answer("hooks.example", [PUBLIC_ADDRESS]).route(PUBLIC_ADDRESS)

    with Receiver(certificate=certificate) as receiver, network:
        receiver.answer(200).answer(302, b"", headers={"Location": "https://169.254.169.254/latest/meta-data/"})
        _, secret = actions.create_endpoint(workspace, alice, url=receiver.url(host="hooks.example"),
                                            event_types=["*"])  # fmt: skip
        event = actions.emit(workspace.pk, EventType.VIDEO_COMPLETED, {"video_id": "vid_1"})
        assert jobs.deliver(event.deliveries.get().pk) == "succeeded"
        redirected = deliver_one(workspace, answered=True)

    assert_signed(receiver.received[0], secret)
    assert redirected == "HTTP 302: redirects are not followed"
    assert receiver.paths() == ["/hook", "/hook"]
    assert network.connects == [(PUBLIC_ADDRESS, receiver.port)] * 2


def test_it_refuses_a_url_changed_to_a_private_address(strict, workspace, alice):
    with FakeNetwork().answer("hooks.example", [PUBLIC_ADDRESS]):
        endpoint, _ = actions.create_endpoint(workspace, alice, url="https://hooks.example/hook", event_types=["*"])
    with pytest.raises(WebhookError) as refused:
        actions.update_endpoint(endpoint, url="https://[::ffff:169.254.169.254]/")

    assert refused.value.code == "url_refused"
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example/hook"
