"""The process API's two routes: submitting, its error table, polling, and whose workspace acts."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts import actions as accounts
from accounts.models import Plan
from clipsite import crypto
from processapi.errors import NOT_FOUND
from tests.pipeline.http_server import LocalHTTPServer
from videos import jobs
from videos.models import Video

GEMINI = "AIzaSy-test-key"
YOUTUBE = "https://youtube.com/watch?v=dQw4w9WgXcQ"


def process(client, body=None, *, gemini: str | None = GEMINI, **extra):
    """POST /api/process with a JSON body (a dict) or a multipart one (``multipart=...``)."""
    headers = {"HTTP_X_GEMINI_KEY": gemini} if gemini is not None else {}
    if "multipart" in extra:
        return client.post("/api/process", extra.pop("multipart"), format="multipart", **headers, **extra)
    return client.post("/api/process", json.dumps(body or {}), content_type="application/json", **headers, **extra)


def talk_upload(talk_path, name: str = "talk.mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, talk_path.read_bytes(), content_type="video/mp4")


@pytest.fixture
def charlie_api(charlie, key_for, clean_redis):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key_for(charlie))
    return client


def test_it_queues_a_youtube_link_as_a_job_of_the_keys_workspace(alice_api, workspace, alice, caplog):
    caplog.set_level(logging.DEBUG)
    response = process(alice_api, {"url": YOUTUBE})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"job_id", "status"} and body["status"] == "queued"
    video = Video.objects.get(public_uuid=uuid.UUID(body["job_id"]))
    assert (video.workspace, video.submitted_by, video.source_kind) == (workspace, alice, "youtube")
    assert video.submitted_via == Video.Via.PROCESS_API and video.config["clipModel"] == "ClipAnything"
    # The Gemini key is kept encrypted for the job's analysis, and never written anywhere else.
    assert crypto.decrypt(video.gemini_key) == GEMINI and GEMINI.encode() not in bytes(video.gemini_key)
    assert GEMINI not in response.content.decode() and GEMINI not in caplog.text


def test_it_takes_an_upload_with_the_workspaces_default_settings(alice_api, workspace, talk_path):
    workspace.default_config = {"numberOfClips": 2, "clipDurationMax": 20, "aspectRatio": "1:1"}
    workspace.save()
    response = process(alice_api, multipart={"file": talk_upload(talk_path)})
    assert response.status_code == 200, response.content
    video = Video.objects.get(public_uuid=response.json()["job_id"])
    assert video.source_kind == "upload" and video.source_name == "talk.mp4"
    assert (video.config["numberOfClips"], video.config["aspectRatio"], video.config["clipModel"]) == (
        2, "1:1", "ClipAnything")  # fmt: skip


@pytest.mark.parametrize(
    "send, status, detail",
    [
        (lambda c, t: process(c, {"url": YOUTUBE}, gemini=None), 400, "Missing X-Gemini-Key header"),
        (lambda c, t: process(c, {"url": YOUTUBE}, gemini="  "), 400, "Missing X-Gemini-Key header"),
        (lambda c, t: process(c, {}), 400, "Give a link to a video, or a file to upload."),
        (lambda c, t: process(c, {"url": None}), 400, "Give a link to a video, or a file to upload."),
        (lambda c, t: process(c, multipart={"url": ""}), 400, "Give a link to a video, or a file to upload."),
        (lambda c, t: process(c, multipart={"file": talk_upload(t), "url": YOUTUBE}), 400,
         "Give a link or a file, not both."),
        (lambda c, t: process(c, {"url": "https://www.tiktok.com/@a/video/1"}), 403,
         "The Free plan does not include TikTok"),
        (lambda c, t: process(c, multipart={"file": SimpleUploadedFile("notes.mp4", b"just some text " * 100)}),
         415, ""),
        (lambda c, t: c.post("/api/process", "url=x", content_type="text/plain", HTTP_X_GEMINI_KEY=GEMINI), 415,
         'Unsupported media type "text/plain"'),
    ],
    ids=["no-gemini-key", "blank-gemini-key", "neither", "null-url", "empty-form", "both", "platform", "not-media",
         "not-json"],
)  # fmt: skip
def test_it_answers_the_error_table_with_a_plain_detail(alice_api, talk_path, send, status, detail):
    response = send(alice_api, talk_path)
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail"} and isinstance(body["detail"], str) and body["detail"].startswith(detail)
    assert not Video.objects.exists()


def test_it_answers_402_without_minutes(alice_api, workspace):
    accounts.debit_minutes(workspace, workspace.minutes_balance)
    response = process(alice_api, {"url": YOUTUBE})
    assert response.status_code == 402 and "minutes left" in response.json()["detail"]


def test_it_refuses_a_file_over_max_file_size_mb_before_reading_it(alice_api, settings):
    settings.MAX_FILE_SIZE_MB = 1
    response = process(alice_api, multipart={"file": SimpleUploadedFile("big.mp4", b"\0" * (2 * 1024 * 1024))})
    assert response.status_code == 413 and response.json() == {"detail": "File exceeds 1 MB limit"}
    assert not Video.objects.exists()


def test_it_stops_a_file_that_grows_past_the_limit_while_streaming(alice_api, settings):
    settings.MAX_FILE_SIZE_MB = 1
    # Within the slack the declared length gets, so only counting the bytes catches it.
    big = SimpleUploadedFile("big.mp4", b"\0" * (1024 * 1024 + 32 * 1024))
    response = process(alice_api, multipart={"file": big})
    assert response.status_code == 413 and response.json() == {"detail": "File exceeds 1 MB limit"}
    assert not Video.objects.exists()


def test_it_names_the_plans_limit_when_it_is_the_lower(alice_api, workspace, settings):
    settings.MAX_FILE_SIZE_MB = 2048
    Plan.objects.filter(pk=workspace.plan_id).update(max_upload_mb=1)
    response = process(alice_api, multipart={"file": SimpleUploadedFile("big.mp4", b"\0" * (2 * 1024 * 1024))})
    assert response.status_code == 413
    assert response.json() == {"detail": "File exceeds the Free plan's 1 MB limit"}


def test_it_caps_json_bodies_at_64_kb(alice_api):
    response = process(alice_api, {"url": YOUTUBE, "pad": "x" * 70_000})
    assert response.status_code == 413 and "64 KB" in response.json()["detail"]


@pytest.mark.parametrize(
    "body, loc, message",
    [
        ({"url": YOUTUBE, "webhook": "x"}, ["body", "webhook"], "Unknown field 'webhook'"),
        ({"url": "not a link"}, ["body", "url"], "Enter a valid URL."),
        (["https://youtube.com/watch?v=1"], ["body"], "Expected a JSON object."),
        ('{"url": ', ["body"], "The JSON is malformed"),
    ],
    ids=["unknown-field", "bad-url", "not-an-object", "malformed"],
)
def test_it_answers_a_body_it_cannot_take_with_fastapis_422(alice_api, body, loc, message):
    text = body if isinstance(body, str) else json.dumps(body)
    response = alice_api.post("/api/process", text, content_type="application/json", HTTP_X_GEMINI_KEY=GEMINI)
    assert response.status_code == 422, response.content
    (error,) = response.json()["detail"]
    assert error["loc"] == loc and error["msg"].startswith(message) and error["type"] == "value_error"


def test_it_reports_a_finished_job_with_its_clips_and_signed_links(alice_api, finished_video):
    response = alice_api.get(f"/api/status/{finished_video.public_uuid}")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("job_id", "status", "progress", "stage", "error")} == {
        "job_id": str(finished_video.public_uuid), "status": "completed", "progress": 100, "stage": "completed",
        "error": None,
    }  # fmt: skip
    clips = list(finished_video.clips.order_by("rank"))
    assert [c["id"] for c in body["clips"]] == [str(clip.public_uuid) for clip in clips]
    first, clip = body["clips"][0], clips[0]
    assert set(first) == {"id", "title", "start", "end", "duration", "score", "description", "video_url",
                          "thumbnail_url"}  # fmt: skip
    # On the source's timeline (the processed range started 10 s in), like the native API.
    assert (first["title"], first["start"], first["end"], first["duration"], first["score"]) == (
        "Clip 1", 10.0, 40.0, 30.0, 91)  # fmt: skip
    assert first["description"] == clip.description
    for link in (first["video_url"], first["thumbnail_url"]):
        assert link.startswith("http://testserver/media/signed/")
    video = alice_api.get(first["video_url"])
    assert video.status_code == 200 and b"".join(video.streaming_content)[4:8] == b"ftyp"


@pytest.mark.parametrize(
    "status, progress, job_status",
    [("queued", 0, "queued"), ("downloading", 2, "processing"), ("analyzing", 55, "processing"),
     ("generating_clips", 80, "processing")],
)  # fmt: skip
def test_it_reports_clipsites_stages_as_the_four_job_states(alice_api, finished_video, status, progress, job_status):
    Video.objects.filter(pk=finished_video.pk).update(status=status, progress=progress)
    body = alice_api.get(f"/api/status/{finished_video.public_uuid}").json()
    assert (body["status"], body["progress"], body["stage"], body["error"], body["clips"]) == (
        job_status, progress, status, None, [])  # fmt: skip


def test_it_shows_why_processing_failed_in_plain_words(alice_api):
    with LocalHTTPServer() as server:
        response = process(alice_api, {"url": server.url("/gone/talk.mp4")})  # nothing is served there
        assert response.status_code == 200, response.content
        video = Video.objects.get(public_uuid=response.json()["job_id"])
        jobs.process_video(video.pk)  # the worker's job, run here
    body = alice_api.get(f"/api/status/{video.public_uuid}").json()
    assert body["status"] == "failed" and body["stage"] == "failed" and body["clips"] == []
    assert body["error"].startswith("The server answered HTTP 404") and body["error"].endswith("check the link.")
    video.refresh_from_db()
    assert video.gemini_key is None  # wiped with the failure


# Fixed ids: parallel test sessions must collect the same tests.
@pytest.mark.parametrize(
    "job_id", ["not-a-uuid", "9b2f7c1e-4d3a-4f5b-8c6d-2e1f0a9b8c7d", "550e8400-e29b-41d4-a716-44665544000"]
)
def test_it_answers_job_not_found_for_malformed_and_unknown_ids(alice_api, finished_video, job_id):
    response = alice_api.get(f"/api/status/{job_id}")
    assert response.status_code == 404 and response.json() == {"detail": NOT_FOUND}


def test_it_hides_another_workspaces_job_behind_job_not_found(charlie_api, finished_video):
    response = charlie_api.get(f"/api/status/{finished_video.public_uuid}")
    assert response.status_code == 404 and response.json() == {"detail": "Job not found"}
