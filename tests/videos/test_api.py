import json

import pytest
from django.core.files.storage import default_storage

from accounts import actions as accounts
from videos.models import Video


@pytest.fixture
def charlie_api(alice_api, charlie, key_for):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key_for(charlie))
    return client


def post(client, path, data, **headers):
    return client.post(path, json.dumps(data), content_type="application/json", **headers)


def test_it_submits_a_link_into_the_keys_workspace(alice_api, workspace):
    response = post(alice_api, "/api/videos/youtube", {
        "youtubeUrl": "https://www.youtube.com/watch?v=abc123",
        "config": {"clipType": "viral-clips", "clipDurationMin": 15, "clipDurationMax": 90, "aspectRatio": "9:16",
                   "enableCaptions": True, "enableAutoHook": True, "genre": "Auto", "clipModel": "ClipBasic",
                   "layout": "split"},
    })  # fmt: skip
    assert response.status_code == 201
    video = response.json()["video"]
    assert video["status"] == "queued" and video["workspaceId"] == workspace.pk
    assert video["sourceType"] == "youtube" and video["config"]["aspectRatio"] == "9:16"
    assert video["config"]["layout"] == "split"
    assert Video.objects.get(pk=video["id"]).submitted_by.email == "alice@example.com"


def test_it_submits_a_direct_url_to_a_named_workspace(alice_api, alice):
    team = accounts.create_workspace(alice, "Alice Media")
    response = post(
        alice_api, "/api/videos/url", {"url": "https://cdn.example.com/a.mp4", "workspaceId": team.pk}
    )
    assert response.status_code == 201 and response.json()["video"]["workspaceId"] == team.pk


def test_it_uploads_a_file_as_multipart(alice_api, talk_path):
    with open(talk_path, "rb") as handle:
        response = alice_api.post("/api/videos/upload", {"file": handle, "config": json.dumps({"numberOfClips": 3})},
                                  format="multipart")  # fmt: skip
    assert response.status_code == 201, response.content
    video = Video.objects.get(pk=response.json()["video"]["id"])
    assert video.source_kind == "upload" and video.config["numberOfClips"] == 3
    assert default_storage.size(video.source_file.name) == talk_path.stat().st_size


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"colour": "red"}, "config.colour"),
        ({"numberOfClips": 99}, "config.numberOfClips"),
        ({"aspectRatio": "3:2"}, "config.aspectRatio"),
        ({"clipDurationMin": 60, "clipDurationMax": 30}, "config.clipDurationMax"),
        ({"genre": "Opera"}, "config.genre"),
        ({"clipModel": "GPT"}, "config.clipModel"),
        ({"start": 50, "end": 10}, "config.end"),
        ({"captionTemplate": "comic-sans"}, "config.captionTemplate"),
        ({"layout": "zoom"}, "config.layout"),
        ("not an object", "config.request"),
    ],
)
def test_it_names_the_bad_option_with_422(alice_api, config, field):
    response = post(alice_api, "/api/videos/url", {"url": "https://cdn.example.com/a.mp4", "config": config})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error" and field in body["fields"]
    assert body["detail"].startswith(field)
    assert not Video.objects.exists()


def test_it_refuses_unknown_top_level_fields_and_bad_urls(alice_api):
    assert post(alice_api, "/api/videos/url", {"url": "ftp://x/y"}).json()["fields"].keys() == {"url"}
    response = post(alice_api, "/api/videos/url", {"url": "https://a.example/v.mp4", "colour": 1})
    assert response.status_code == 422 and "colour" in response.json()["fields"]


def test_it_answers_malformed_json_with_400(alice_api):
    response = alice_api.post("/api/videos/url", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"] == "bad_request"


def test_it_answers_402_when_the_workspace_has_no_minutes(alice_api, workspace):
    accounts.debit_minutes(workspace, 60)
    response = post(alice_api, "/api/videos/url", {"url": "https://cdn.example.com/a.mp4"})
    assert response.status_code == 402 and response.json()["error"] == "payment_required"
    assert not Video.objects.exists()


def test_it_refuses_a_platform_outside_the_plan_with_403(alice_api):
    response = post(alice_api, "/api/videos/youtube", {"youtubeUrl": "https://www.tiktok.com/@a/video/1"})
    assert response.status_code == 403 and "TikTok" in response.json()["detail"]


def test_it_refuses_an_upload_over_the_plan_before_reading_it(alice_api, workspace):
    huge = workspace.plan.max_upload_bytes + 10 * 1024 * 1024
    response = alice_api.post("/api/videos/upload", b"", content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(huge))  # fmt: skip
    assert response.status_code == 413 and "500 MB" in response.json()["detail"]


def test_it_stops_an_upload_that_grows_past_the_plan_while_streaming(alice_api, workspace):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import Plan

    Plan.objects.filter(pk=workspace.plan_id).update(max_upload_mb=1)
    # Within the slack the declared length gets, so only counting the bytes catches it.
    big = b"\0" * (1024 * 1024 + 32 * 1024)
    response = alice_api.post(
        "/api/videos/upload", {"file": SimpleUploadedFile("big.mp4", big)}, format="multipart"
    )
    assert response.status_code == 413
    assert not Video.objects.exists()


def test_it_caps_json_bodies_at_64_kb_before_any_work(api_client, db):
    body = json.dumps({"url": "https://a.example/v.mp4", "pad": "x" * 70_000})
    # No key at all: the cap answers before authentication would.
    response = api_client.post("/api/videos/url", body, content_type="application/json")
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"
    assert not Video.objects.exists()


def test_it_replays_an_idempotent_post_and_creates_nothing_more(alice_api):
    data = {"url": "https://cdn.example.com/a.mp4"}
    first = post(alice_api, "/api/videos/url", data, HTTP_IDEMPOTENCY_KEY="abc-1")
    second = post(alice_api, "/api/videos/url", data, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second["Idempotent-Replayed"] == "true"
    assert Video.objects.count() == 1
    other = post(
        alice_api, "/api/videos/url", {"url": "https://cdn.example.com/b.mp4"}, HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    assert post(alice_api, "/api/videos/url", data, HTTP_IDEMPOTENCY_KEY="abc-2").status_code == 201
    assert Video.objects.count() == 2


def test_it_lets_a_failed_request_be_retried_with_the_same_key(alice_api):
    bad = post(alice_api, "/api/videos/url", {"url": "nope"}, HTTP_IDEMPOTENCY_KEY="k")
    good = post(
        alice_api, "/api/videos/url", {"url": "https://cdn.example.com/a.mp4"}, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert (bad.status_code, good.status_code) == (422, 201)


def test_it_rate_limits_each_workspace_by_its_plan(alice_api, workspace):
    statuses = [
        alice_api.get("/api/workspaces").status_code
        for _ in range(workspace.plan.api_requests_per_minute + 1)
    ]
    assert statuses[:-1] == [200] * workspace.plan.api_requests_per_minute
    limited = alice_api.get("/api/workspaces")
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60


def test_it_limits_each_ip_before_authentication(api_client, db, settings, clean_redis):
    settings.IP_RATE_PER_MIN = 3
    codes = [api_client.get("/api/workspaces", HTTP_X_API_KEY="cs_live_guess").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert api_client.get("/healthz").status_code == 200


def test_it_lists_videos_with_status_filter_and_pages(alice_api, workspace, alice):
    for i in range(3):
        Video.objects.create(workspace=workspace, submitted_by=alice, source_kind="url", title=f"v{i}",
                             status="completed" if i else "failed")  # fmt: skip
    page = alice_api.get("/api/videos?pageSize=2").json()
    assert (page["count"], len(page["videos"]), page["hasMore"]) == (3, 2, True)
    assert alice_api.get("/api/videos?status=failed").json()["count"] == 1
    assert alice_api.get("/api/videos?status=bogus").status_code == 422


def test_it_shows_a_video_with_ssemble_sentences_on_the_source_timeline(alice_api, finished_video):
    video = alice_api.get(f"/api/videos/{finished_video.pk}").json()["video"]
    assert video["sentences"][1] == {"index": 1, "sentence": "It compounds.", "start": 15.5, "end": 16.4}
    assert video["clipCount"] == 3 and video["errorMessage"] is None


def test_it_reports_status_in_scalereachs_shape(alice_api, finished_video):
    body = alice_api.get(f"/api/videos/{finished_video.pk}/status").json()
    assert body["video"]["status"] == "completed" and body["job"]["progress"] == 100
    assert body["job"]["secondsLeft"] is None and body["job"]["timeLeft"] == ""


def test_it_reports_the_time_left_of_a_running_video(alice_api, workspace, alice):
    from tests.videos.test_estimate import finished

    finished(workspace, alice)
    running = Video.objects.create(workspace=workspace, submitted_by=alice, source_kind="upload",
                                   status="transcribing", progress=20, duration=300.0)  # fmt: skip

    job = alice_api.get(f"/api/videos/{running.pk}/status").json()["job"]

    assert job == {"progress": 20, "stage": "Transcribing", "secondsLeft": 96, "timeLeft": "About 2 min left"}


def test_it_cancels_a_running_video_and_refunds(alice_api, workspace, alice):
    video = Video.objects.create(
        workspace=workspace, submitted_by=alice, source_kind="url", status="transcribing"
    )
    from videos import actions

    actions.charge_minutes(video, 125)
    response = alice_api.post(f"/api/videos/{video.pk}/cancel")
    assert response.status_code == 200 and response.json()["video"]["status"] == "failed"
    assert "Cancelled by alice@example.com" in response.json()["video"]["errorMessage"]
    workspace.refresh_from_db()
    assert workspace.minutes_balance == 60
    assert alice_api.post(f"/api/videos/{video.pk}/cancel").status_code == 409


def test_it_deletes_a_video_and_its_files(alice_api, finished_video):
    names = [finished_video.source_file.name]
    for clip in finished_video.clips.all():
        names += [clip.file.name, clip.thumbnail.name]
    assert all(default_storage.exists(n) for n in names)
    assert alice_api.delete(f"/api/videos/{finished_video.pk}").status_code == 204
    assert not Video.objects.exists()
    assert not any(default_storage.exists(n) for n in names)


def test_it_lets_only_the_submitter_or_managers_delete(api_client, bob, finished_video, key_for):
    api_client.credentials(HTTP_X_API_KEY=key_for(bob))
    response = api_client.delete(f"/api/videos/{finished_video.pk}")
    assert response.status_code == 403 and Video.objects.filter(pk=finished_video.pk).exists()
    assert api_client.get(f"/api/videos/{finished_video.pk}").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("get", "/status"), ("post", "/cancel"), ("delete", ""), ("get", "/clips")],
)
def test_it_hides_other_workspaces_videos_behind_404(charlie_api, finished_video, method, path):
    response = getattr(charlie_api, method)(f"/api/videos/{finished_video.pk}{path}")
    assert response.status_code == 404 and response.json() == {"error": "not_found", "detail": "Not found."}
    finished_video.refresh_from_db()
    assert finished_video.status == "completed"


def test_it_refuses_to_submit_into_someone_elses_workspace(charlie_api, workspace):
    response = post(
        charlie_api, "/api/videos/url", {"url": "https://a.example/v.mp4", "workspaceId": workspace.pk}
    )
    assert response.status_code == 404 and not Video.objects.exists()


def test_it_reports_account_plan_limits_and_usage(alice_api, workspace, finished_video):
    body = alice_api.get("/api/account").json()
    assert body["accountId"] == workspace.pk and body["plan"] == "free" and body["minutesBalance"] == 60
    assert body["limits"]["requestsPerMinute"] == 30 and body["limits"]["platforms"] == ["youtube"]
    assert body["usage"]["videosSubmitted"] == 1


def test_it_sets_security_headers(alice_api, client, db):
    api = alice_api.get("/api/workspaces")
    page = client.get("/login")
    for response in (api, page):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
    assert api["Cache-Control"] == "no-store"


def test_it_sends_hsts_over_https(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/login", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_it_never_leaks_internals_on_500(alice_api, finished_video):
    from unittest import mock

    alice_api.raise_request_exception = False
    with mock.patch(
        "videos.api.status_payload", autospec=True, side_effect=RuntimeError("db password is hunter2")
    ):
        response = alice_api.get(f"/api/videos/{finished_video.pk}/status")
    assert response.status_code == 500
    assert response.json()["error"] == "server_error" and "hunter2" not in response.content.decode()


def test_it_describes_the_api_key_scheme_in_openapi(client, db):
    schema = client.get("/api/schema?format=json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["scheme"] == "bearer" and schemes["apiKeyHeader"]["name"] == "X-API-Key"
    assert {"/api/videos/youtube", "/api/videos/{video_id}/clips", "/api/clips/{clip_id}/download"} <= set(
        schema["paths"]
    )
