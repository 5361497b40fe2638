"""No input answers 5xx: deep JSON, lone surrogates, huge numbers and page numbers.

Each case reproduces one of the 500s an attack on a running instance found: JSON nested
1,000+ deep (RecursionError), a lone surrogate (``"\\ud800"``) echoed into an error
message or stored, and ``?page=4611686018427387904`` (SQLite datatype mismatch).
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from rest_framework import exceptions

from clips.models import Clip
from clipsite.api import error_body, exception_handler
from clipsite.parsers import MAX_DEPTH
from videos.models import Video

DEEP = "[" * 5000 + "]" * 5000
URL = "https://cdn.example.com/a.mp4"


def with_config(config: str) -> str:
    """A body submitting URL with ``config``, JSON text spliced in as written."""
    return '{"url": "' + URL + '", "config": ' + config + "}"


def send(client, method: str, path: str, text: str):
    """Send ``text`` as the JSON body, byte for byte (json.dumps would escape nothing away)."""
    return getattr(client, method)(path, text.encode("utf-8", "surrogatepass"), content_type="application/json")


def upload(client, config: str):
    data = {"file": SimpleUploadedFile("talk.mp4", b"\0" * 1024), "config": config}
    return client.post("/api/videos/upload", data, format="multipart")


def body_of(response) -> dict:
    # The body is valid UTF-8 JSON; a lone surrogate in it would make the render fail first.
    return json.loads(response.content.decode("utf-8"))


@pytest.mark.parametrize(
    ("method", "path", "text"),
    [
        ("post", "/api/videos/youtube", DEEP),
        ("post", "/api/videos/url", with_config('{"topicKeywords": ' + DEEP + "}")),
        ("post", "/api/videos/url", with_config('{"a":' * 3000 + "1" + "}" * 3000)),
        ("patch", "/api/clips/{clip}", '{"title": ' + DEEP + "}"),
        ("post", "/api/clips/{clip}/render", DEEP),
    ],
)
def test_it_answers_json_nested_thousands_deep_with_400(alice_api, finished_video, method, path, text):
    clip = finished_video.clips.get(rank=1)
    response = send(alice_api, method, path.format(clip=clip.pk), text)
    assert response.status_code == 400, response.content
    assert body_of(response)["detail"] == f"The JSON is nested deeper than {MAX_DEPTH} levels."
    assert Video.objects.count() == 1
    clip.refresh_from_db()
    assert clip.title == "Clip 1" and clip.render_version == 1


def test_it_still_reads_json_nested_up_to_the_limit(alice_api):
    nested = "[" * (MAX_DEPTH - 2) + '"x"' + "]" * (MAX_DEPTH - 2)
    response = send(alice_api, "post", "/api/videos/url", with_config('{"a": ' + nested + "}"))
    # Read, then refused for what it says: an unknown option.
    assert response.status_code == 422 and "config.a" in body_of(response)["fields"]


def test_it_answers_deep_json_in_an_uploads_config_with_422(alice_api):
    response = upload(alice_api, DEEP)
    assert response.status_code == 422
    assert body_of(response)["fields"] == {"config": [f"The JSON is nested deeper than {MAX_DEPTH} levels."]}
    assert not Video.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "text", "field"),
    [
        ("post", "/api/videos/url", with_config('{"\\ud800": 1}'), "config.\\ud800"),
        ("post", "/api/videos/url", with_config('{"aspectRatio": "\\ud800"}'), "config.aspectRatio"),
        ("post", "/api/videos/url", with_config('{"genre": "a\\udfffb"}'), "config.genre"),
        ("post", "/api/videos/url", with_config('{"topicKeywords": ["ok", "\\ud800"]}'), "config.topicKeywords[1]"),
        ("post", "/api/videos/url", '{"url": "' + URL + '", "\\udc80x": 1}', "\\udc80x"),
        ("post", "/api/videos/youtube", '{"youtubeUrl": "https://youtu.be/a\\ud800"}', "youtubeUrl"),
        ("patch", "/api/clips/{clip}", '{"title": "Hi \\ud800"}', "title"),
        ("post", "/api/clips/{clip}/render", '{"aspectRatio": "\\ud800"}', "aspectRatio"),
        ("post", "/api/clips/{clip}/render", '{"\\ud800": true}', "\\ud800"),
    ],
)  # fmt: skip
def test_it_refuses_lone_surrogates_with_422_naming_the_field(alice_api, finished_video, method, path, text, field):
    clip = finished_video.clips.get(rank=1)
    response = send(alice_api, method, path.format(clip=clip.pk), text)
    assert response.status_code == 422, response.content
    body = body_of(response)
    assert list(body["fields"]) == [field] and body["detail"].startswith(f"{field}: Not valid text")
    assert Video.objects.count() == 1
    clip.refresh_from_db()
    assert clip.title == "Clip 1" and clip.render_version == 1


def test_it_refuses_a_lone_surrogate_in_an_uploads_config(alice_api):
    response = upload(alice_api, '{"language": "en", "\\ud800": 1}')
    assert response.status_code == 422 and list(body_of(response)["fields"]) == ["config.\\ud800"]
    assert not Video.objects.exists()


def test_it_quotes_what_it_echoes_short_and_lists_the_choices(alice_api):
    response = send(alice_api, "post", "/api/videos/url", with_config(json.dumps({"aspectRatio": "9" * 50_000})))
    assert response.status_code == 422
    message = body_of(response)["fields"]["config.aspectRatio"][0]
    assert len(message) < 200 and message.endswith("Choose one of: 9:16, 1:1, 4:5, 16:9.")
    long_key = "k" * 50_000
    response = send(alice_api, "post", "/api/videos/url", with_config(json.dumps({long_key: 1})))
    body = body_of(response)
    assert response.status_code == 422 and len(response.content) < 2000
    assert all(len(name) <= 100 for name in body["fields"]) and body["detail"].startswith("config.kkk")


def test_it_escapes_lone_surrogates_and_server_paths_in_any_error_it_answers(settings):
    request = RequestFactory().post("/api/videos/url")
    source = f"{settings.MEDIA_ROOT}/videos/vid_1/upload.mp4"
    error = exceptions.ValidationError({"\ud800": [f"Cannot read {source}: \udfff"]})
    response = exception_handler(error, {"request": request})
    assert response.data["fields"] == {"\\ud800": ["Cannot read upload.mp4: \\udfff"]}
    assert response.data["detail"] == "\\ud800: Cannot read upload.mp4: \\udfff"
    failed = exception_handler(exceptions.ParseError(f"{source} is gone"), {"request": request})
    assert failed.data["detail"] == "upload.mp4 is gone"
    # Bodies views build themselves go through the same escaping.
    assert error_body(415, f"'{source}' is a playlist")["detail"] == "'upload.mp4' is a playlist"
    assert error_body(400, "see https://cdn.example.com/tmp/a.mp4")["detail"].endswith("/tmp/a.mp4")


@pytest.mark.parametrize(
    ("text", "status", "field"),
    [
        (with_config('{"numberOfClips": ' + "9" * 400 + "}"), 422, "config.numberOfClips"),
        (with_config('{"clipDurationMin": ' + "9" * 400 + "}"), 422, "config.clipDurationMin"),
        (with_config('{"start": ' + "9" * 400 + "}"), 422, "config.start"),
        (with_config('{"start": 1e999}'), 400, None),
        (with_config('{"start": NaN}'), 400, None),
        (with_config('{"numberOfClips": ' + "9" * 5000 + "}"), 400, None),
    ],
)
def test_it_answers_huge_and_non_finite_numbers_with_4xx(alice_api, text, status, field):
    response = send(alice_api, "post", "/api/videos/url", text)
    assert response.status_code == status, response.content
    if field:
        assert field in body_of(response)["fields"]
    assert not Video.objects.exists()


def test_it_answers_huge_numbers_in_a_render_with_422(alice_api, finished_video):
    clip = finished_video.clips.get(rank=1)
    response = send(alice_api, "post", f"/api/clips/{clip.pk}/render", '{"startTime": ' + "9" * 400 + "}")
    assert response.status_code == 422 and "startTime" in body_of(response)["fields"]
    assert Clip.objects.get(pk=clip.pk).render_version == 1


@pytest.mark.parametrize("query", ["page=4611686018427387904", "page=10001", "pageSize=4611686018427387904",
                                   "page=0", "page=-9223372036854775809"])  # fmt: skip
def test_it_bounds_page_numbers_with_422_naming_the_parameter(alice_api, finished_video, query):
    response = alice_api.get(f"/api/videos?{query}")
    assert response.status_code == 422, response.content
    assert list(body_of(response)["fields"]) == [query.split("=")[0]]


def test_it_answers_the_last_allowed_page_with_an_empty_list(alice_api, finished_video):
    body = alice_api.get("/api/videos?page=10000&pageSize=100").json()
    assert body["videos"] == [] and body["count"] == 1 and body["hasMore"] is False


@pytest.mark.parametrize("query", ["minScore=4611686018427387904", "maxScore=-4611686018427387904"])
def test_it_bounds_clip_filters_with_422(alice_api, finished_video, query):
    response = alice_api.get(f"/api/videos/{finished_video.pk}/clips?{query}")
    assert response.status_code == 422 and list(body_of(response)["fields"]) == [query.split("=")[0]]
