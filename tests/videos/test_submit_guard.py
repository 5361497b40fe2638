"""The SSRF guard at submit time: a link the worker would refuse is refused before anything is kept.

Through the API (400 with the error contract) and the dashboard (a form error): no Video
row, no RQ job, no minutes taken, and no connection attempted. DNS and connect() are
faked at the socket layer (:class:`tests.fake_network.FakeNetwork`), which records them.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import django_rq
import pytest
from django.conf import settings as django_settings

from tests.fake_network import FakeNetwork
from tests.pipeline.test_netguard import CARRYING_IPV4
from videos.models import Video

FORMS = pytest.mark.parametrize("address", list(CARRYING_IPV4.values()), ids=list(CARRYING_IPV4))
BY_NAME = pytest.mark.parametrize("by_name", [False, True], ids=["literal", "name"])


@pytest.fixture
def as_alice(client, alice, clean_redis):
    client.force_login(alice)
    return client


def link(address: str, by_name: bool) -> str:
    return "https://videos.example/talk.mp4" if by_name else f"https://[{address}]/talk.mp4"


def post(client, path: str, data: dict):
    return client.post(path, json.dumps(data), content_type="application/json")


def fetches(network: FakeNetwork) -> list[tuple[str, int]]:
    """The connections attempted, other than the test Redis's (rate limits, queues)."""
    redis = urlsplit(django_settings.REDIS_URL)
    return [c for c in network.connects if c != (redis.hostname, redis.port)]


def assert_nothing_kept(workspace, minutes_before: int) -> None:
    workspace.refresh_from_db()
    assert not Video.objects.exists()
    assert django_rq.get_queue("default").count == 0
    assert workspace.minutes_balance == minutes_before


@FORMS
@BY_NAME
@pytest.mark.parametrize(("path", "field"), [("/api/videos/url", "url"), ("/api/videos/youtube", "youtubeUrl")])
def test_it_refuses_each_ipv6_form_at_submit_with_400(alice_api, workspace, address, by_name, path, field,
                                                      django_capture_on_commit_callbacks):  # fmt: skip
    minutes = workspace.minutes_balance

    with (
        FakeNetwork().answer("videos.example", [address]) as network,
        django_capture_on_commit_callbacks(execute=True) as on_commit,
    ):
        response = post(alice_api, path, {field: link(address, by_name)})

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "url_refused"
    assert "private or local address" in body["detail"] and address in body["detail"]
    assert fetches(network) == [] and on_commit == []
    assert_nothing_kept(workspace, minutes)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://0.0.0.0:6379/",
        "https://nowhere.example/talk.mp4",  # does not resolve
    ],
)
def test_it_refuses_what_the_development_flag_never_admits_at_submit(alice_api, workspace, url, settings,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    assert settings.PIPELINE.allow_private_urls  # the test session's development mode
    minutes = workspace.minutes_balance

    with FakeNetwork() as network, django_capture_on_commit_callbacks(execute=True) as on_commit:
        response = post(alice_api, "/api/videos/url", {"url": url})

    assert response.status_code == 400 and response.json()["error"] == "url_refused"
    assert fetches(network) == [] and on_commit == []
    assert_nothing_kept(workspace, minutes)


def test_it_refuses_a_loopback_link_at_submit_in_production(alice_api, workspace, settings):
    settings.PIPELINE = settings.PIPELINE.replace(allow_private_urls=False)

    response = post(alice_api, "/api/videos/url", {"url": "http://127.0.0.1:6379/"})

    assert response.status_code == 400
    assert response.json() == {
        "error": "url_refused",
        "detail": "The link http://127.0.0.1:6379/ points to a private or local address (127.0.0.1); "
        "only public internet addresses can be fetched.",
    }
    assert not Video.objects.exists()


def test_it_accepts_a_public_link_and_queues_it(alice_api, workspace, django_capture_on_commit_callbacks):
    with (
        FakeNetwork().answer("videos.example", ["93.184.215.14"]) as network,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post(alice_api, "/api/videos/url", {"url": "https://videos.example/talk.mp4"})

    assert response.status_code == 201
    assert network.lookups.count("videos.example") == 1 and fetches(network) == []
    assert Video.objects.get().source_url == "https://videos.example/talk.mp4"
    assert django_rq.get_queue("default").count == 1


@FORMS
def test_it_shows_the_refusal_on_the_dashboard_form(as_alice, workspace, address, django_capture_on_commit_callbacks):
    minutes = workspace.minutes_balance
    form = {"aspectRatio": "9:16", "captionTemplate": "hormozi", "genre": "Auto", "clipModel": "ClipBasic",
            "url": link(address, by_name=False)}  # fmt: skip

    with FakeNetwork() as network, django_capture_on_commit_callbacks(execute=True) as on_commit:
        response = as_alice.post("/videos/new", form, HTTP_HX_REQUEST="true")

    assert response.status_code == 422
    url_field = response.content.decode().split('id="id_url"')[1].split("</div>")[0]
    assert "private or local address" in url_field
    assert fetches(network) == [] and on_commit == []
    assert_nothing_kept(workspace, minutes)


def test_it_shows_a_link_of_another_scheme_as_a_form_error(as_alice):
    form = {"aspectRatio": "9:16", "captionTemplate": "hormozi", "genre": "Auto", "clipModel": "ClipBasic",
            "url": "ftp://videos.example/talk.mp4"}  # fmt: skip

    response = as_alice.post("/videos/new", form, HTTP_HX_REQUEST="true")

    assert response.status_code == 422
    url_field = response.content.decode().split('id="id_url"')[1].split("</div>")[0]
    # The form's own message, once: the engine's words about local files are not for this form.
    assert re.findall(r'class="error" role="alert">([^<]+)<', url_field) == [
        "Only http:// and https:// links can be fetched."
    ]
    assert not Video.objects.exists()
