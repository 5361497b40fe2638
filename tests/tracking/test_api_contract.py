"""The contract of viralcli's document (shared/reference/viralcli-api.txt) for the trend routes.

Every request/response example of the document for these routes is replayed: the
example's fields must all be there with the example's types (Clipsite may add fields,
never drop or retype one), and every failure status of its tables is provoked.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.actions import charge_usage, revoke_api_key
from accounts.models import ApiKey, UsageEntry
from tests.pipeline.http_server import LocalHTTPServer
from tests.pipeline.platform_fakes import answering, recorded_text
from tests.trends import recorded_youtube
from tracking import jobs

# The examples, as the document prints them ("…" stands for any text).
ACCOUNT = {
    "account_id": "…", "plan": "pro",
    "limits": {"discovery": 2500, "enrich": 6000, "tracked": 100, "concurrency": 5, "rate_per_min": 300,
               "platforms": ["*"], "history_days": 365},
    "usage": {"discovery_used": 12, "enrich_used": 340},
}  # fmt: skip
DISCOVERY_REQUEST = {"seed": "tiktok made me buy it gadget"}
DISCOVERY = {
    "seed": "…", "n": 45, "verdict": "HEATING",
    "adoption_histogram": [{"band": "0-7d", "n": 1, "median_vpd": 12633}],
    "breakouts": [{"id": "0qnmNFoe7AY", "title": "…", "views_per_day": 51789, "age_days": 365, "views": 18902807}],
}  # fmt: skip
ANALYZE_REQUEST = {"url": "https://www.youtube.com/watch?v=abc", "density": 9, "full": False}
JOB_CREATED = {"job_id": "…", "status": "queued"}
JOB = {
    "job_id": "…", "kind": "analyze", "status": "done",
    "result": {"platform": "youtube", "video_id": "abc", "creator": "…", "caption": "…", "views": 1000, "likes": 1,
               "comments": 1, "age_days": 2.0, "views_per_day": 500, "duration_sec": 30,
               "transcript": "hook text…", "transcript_kind": "hook"},
    "error": None,
}  # fmt: skip
PIPELINE_REQUEST = {"seed": "tiktok made me buy it gadget"}
HEALTH = {"status": "ok"}
SECURITY_HEADERS = ("Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")
# A real video id: the document's "abc" is a placeholder that no YouTube link can carry.
VIDEO_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def assert_shape(example, actual, where="body"):
    """``actual`` has every field of ``example`` with a value of the same JSON type (numbers
    match numbers; null in the example matches anything; a list's first item is the pattern)."""
    if isinstance(example, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in example.items():
            assert key in actual, f"{where}: missing {key!r}"
            assert_shape(value, actual[key], f"{where}.{key}")
    elif isinstance(example, list):
        assert isinstance(actual, list), f"{where}: expected a list"
        if example and actual:
            assert_shape(example[0], actual[0], f"{where}[0]")
    elif isinstance(example, bool):
        assert isinstance(actual, bool), f"{where}: expected a boolean, got {actual!r}"
    elif isinstance(example, int | float):
        assert isinstance(actual, int | float) and not isinstance(actual, bool), f"{where}: expected a number"
    elif isinstance(example, str):
        assert isinstance(actual, str), f"{where}: expected a string, got {actual!r}"


def assert_error(response, status: int):
    assert response.status_code == status, response.content
    body = response.json()
    if status == 422:
        assert set(body) == {"detail"} and all({"loc", "msg", "type"} <= set(d) for d in body["detail"])
    else:
        assert set(body) >= {"error", "detail"} and isinstance(body["error"], str) and body["detail"]
    for header in SECURITY_HEADERS:
        assert response.has_header(header), header
    assert response["Cache-Control"] == "no-store"


@pytest.fixture
def key(alice, key_for, clean_redis, settings):
    settings.PLATFORM_MIN_INTERVAL = 0
    return key_for(alice)


@pytest.fixture
def v1(api_client, key):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api_client


@pytest.fixture
def pro(workspace):
    from accounts.models import Plan

    workspace.plan = Plan.objects.get(slug="pro")
    workspace.save()
    return workspace


def test_health_needs_no_key(client, db, clean_redis):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert_shape(HEALTH, response.json())


def test_the_openapi_document_is_at_docs_and_has_every_v1_route(client, db):
    response = client.get("/docs")
    assert response.status_code == 302 and response["Location"] == "/api/docs"
    paths = client.get("/api/schema?format=json").json()["paths"]
    for route in ("/v1/account", "/v1/discovery", "/v1/signals", "/v1/analyze", "/v1/pipeline", "/v1/jobs/{job_id}",
                  "/v1/storyboard", "/v1/videos/{platform}/{video_id}", "/v1/webhooks"):
        assert route in paths, route


def test_account_example_with_either_auth_header(api_client, key, pro):
    for credentials in ({"HTTP_AUTHORIZATION": f"Bearer {key}"}, {"HTTP_X_API_KEY": key}):
        api_client.credentials(**credentials)
        response = api_client.get("/v1/account")
        assert response.status_code == 200
        assert_shape(ACCOUNT, response.json())
        assert response.json()["limits"] == ACCOUNT["limits"]
        for header in SECURITY_HEADERS:
            assert response.has_header(header)


def test_discovery_example(v1, youtube):
    response = v1.post("/v1/discovery", DISCOVERY_REQUEST, format="json")
    assert response.status_code == 200
    assert_shape(DISCOVERY, response.json())


def test_analyze_job_and_pipeline_examples(v1, pro, settings):
    settings.PIPELINE = settings.PIPELINE.replace(allow_private_urls=True)
    with LocalHTTPServer() as server, recorded_youtube(captions_url=server.add_bytes(
            "/cc.vtt", recorded_text("youtube_uploaded_captions.vtt").encode(), content_type="text/vtt")):
        created = v1.post("/v1/analyze", {**ANALYZE_REQUEST, "url": VIDEO_URL}, format="json")
        assert created.status_code == 202
        assert_shape(JOB_CREATED, created.json())
        assert created.json()["status"] == "queued"
        jobs.run_enrichment(created.json()["job_id"])
    job = v1.get(f"/v1/jobs/{created.json()['job_id']}")
    assert job.status_code == 200
    assert_shape(JOB, job.json())
    pipeline = v1.post("/v1/pipeline", PIPELINE_REQUEST, format="json")
    assert pipeline.status_code == 202
    assert_shape(JOB_CREATED, pipeline.json())


# The failure tables ("Authentication", "Errors", "Rate limits & quotas", "Storyboard", "Videos").


def test_400_for_a_url_the_ssrf_guard_blocks(v1, youtube):
    assert_error(v1.post("/v1/analyze", {"url": "http://169.254.169.254/latest/meta-data"}, format="json"), 400)
    assert_error(v1.get("/v1/storyboard", {"url": "https://example.com/video.mp4"}), 400)


@pytest.mark.parametrize("credentials", [{}, {"HTTP_AUTHORIZATION": "Bearer sk_live_nope"}, {"HTTP_X_API_KEY": ""}])
def test_401_for_a_missing_or_invalid_key(api_client, clean_redis, credentials):
    api_client.credentials(**credentials)
    for response in (api_client.get("/v1/account"), api_client.post("/v1/discovery", DISCOVERY_REQUEST, format="json")):
        assert_error(response, 401)


def test_401_at_once_for_a_revoked_key(v1, alice):
    assert v1.get("/v1/account").status_code == 200
    revoke_api_key(ApiKey.objects.get(user=alice))
    assert_error(v1.get("/v1/account"), 401)


def test_402_for_an_exhausted_quota(v1, youtube, workspace):
    charge_usage(workspace, UsageEntry.Kind.DISCOVERY, 25, reference="spent")
    charge_usage(workspace, UsageEntry.Kind.ENRICHMENT, 50, reference="spent")
    assert_error(v1.post("/v1/discovery", DISCOVERY_REQUEST, format="json"), 402)
    assert_error(v1.post("/v1/analyze", {"url": VIDEO_URL}, format="json"), 402)
    assert_error(v1.post("/v1/pipeline", PIPELINE_REQUEST, format="json"), 402)
    assert_error(v1.get("/v1/storyboard", {"url": VIDEO_URL}), 402)


def test_403_for_a_platform_outside_the_plan(v1, youtube):
    assert_error(v1.post("/v1/analyze", {"url": "https://www.tiktok.com/@someone/video/7301234567890123456"},
                         format="json"), 403)  # fmt: skip
    assert_error(v1.get("/v1/storyboard", {"url": "https://www.instagram.com/reel/C1a2b3c4d5E/"}), 403)


def test_404_for_what_is_not_yours_or_not_seen(v1, youtube, charlie, key_for):
    job_id = v1.post("/v1/analyze", {"url": VIDEO_URL}, format="json").json()["job_id"]
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(charlie)}")
    assert_error(other.get(f"/v1/jobs/{job_id}"), 404)
    assert_error(other.get("/v1/videos/youtube/dQw4w9WgXcQ"), 404)
    assert_error(v1.get("/v1/videos/youtube/neverseen11"), 404)


def test_413_for_a_body_over_64_kb(v1, youtube):
    big = {"seed": "a", "padding": "x" * (65 * 1024)}
    assert_error(v1.post("/v1/discovery", big, format="json"), 413)
    assert not UsageEntry.objects.exists()


def test_422_for_field_constraints_before_any_quota(v1, youtube):
    assert_error(v1.post("/v1/analyze", {**ANALYZE_REQUEST, "density": 26}, format="json"), 422)
    assert_error(v1.get("/v1/storyboard", {"url": VIDEO_URL, "density": 0}), 422)
    assert_error(v1.post("/v1/discovery", {"seed": ""}, format="json"), 422)
    assert not UsageEntry.objects.exists()


def test_429_for_the_plans_rate_limit_with_retry_after(v1):
    statuses = [v1.get("/v1/account").status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    response = v1.get("/v1/account")
    assert_error(response, 429)
    assert int(response["Retry-After"]) > 0


def test_429_from_the_per_ip_throttle_before_auth(api_client, db, clean_redis, settings):
    settings.IP_RATE_PER_MIN = 5
    api_client.credentials(HTTP_AUTHORIZATION="Bearer sk_live_guess")
    assert [api_client.get("/v1/account").status_code for _ in range(5)] == [401] * 5
    assert_error(api_client.get("/v1/account"), 429)
    assert api_client.get("/healthz").status_code == 200


def test_429_for_the_accounts_concurrency(v1, youtube):
    assert v1.post("/v1/analyze", {"url": VIDEO_URL}, format="json").status_code == 202
    response = v1.post("/v1/pipeline", PIPELINE_REQUEST, format="json")
    assert_error(response, 429)
    assert response.has_header("Retry-After")


def test_5xx_leaks_no_internals(v1, workspace, settings):
    with answering("youtube", RuntimeError(f"boom in {settings.BASE_DIR}/pipeline/trends/youtube.py")):
        response = v1.post("/v1/discovery", DISCOVERY_REQUEST, format="json")
    assert_error(response, 500)
    assert "boom" not in response.content.decode() and str(settings.BASE_DIR) not in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.discovery_used == 0
