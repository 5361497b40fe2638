"""Ssemble's shorts API under /api/v1/: the document's shapes, its errors, its ownership rules."""

from __future__ import annotations

import re

from django.test import Client

from accounts.models import Plan, Workspace
from clips.models import Clip
from tests.ssemble import reference
from videos.models import Video

YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
# The document's create example: Ssemble's fields, with a caption template by its name.
CREATE = {"url": YOUTUBE, "start": 0, "end": 600, "preferredLength": "under60sec", "language": "en",
          "template": "hormozi1", "captionLanguage": ""}  # fmt: skip


def create(client, body: dict, **headers):
    return client.post("/api/v1/shorts/create", body, format="json", **headers)


def error_of(response) -> tuple[int, str, str]:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    return response.status_code, body["error"]["code"], body["error"]["message"]


def shape(value):
    """The value with every leaf replaced by its JSON type; a list by its first item's shape."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return reference.json_type(value)


def test_it_creates_a_request_from_the_documents_fields(ssemble_api, alice):
    response = create(ssemble_api, CREATE)
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert re.fullmatch(r"[0-9a-f]{24}", data["requestId"]) and data == {
        "requestId": data["requestId"], "_id": data["requestId"], "status": "queued"}  # fmt: skip
    video = Video.objects.get(public_hex=data["requestId"])
    assert (video.source_kind, video.source_url, video.submitted_by) == ("youtube", YOUTUBE, alice)
    config = video.config
    assert (config["start"], config["end"], config["language"]) == (0, 600, "en")
    assert (config["captionTemplate"], config["preferredLength"]) == ("hormozi", "under60sec")
    assert (config["clipDurationMin"], config["clipDurationMax"]) == (15.0, 60.0)
    assert (config["aspectRatio"], config["enableAutoHook"]) == ("9:16", False)


def test_it_fetches_a_file_url_directly_and_applies_clipsites_own_options(ssemble_api):
    body = {"fileUrl": "https://cdn.example.com/talk.mp4", "numberOfClips": 2, "clipDurationMin": 8,
            "clipDurationMax": 20, "layout": "square", "hookTitle": True}  # fmt: skip
    data = create(ssemble_api, body).json()["data"]
    video = Video.objects.get(public_hex=data["_id"])
    assert video.source_kind == "url" and "preferredLength" not in video.config
    assert (video.config["numberOfClips"], video.config["clipDurationMin"], video.config["clipDurationMax"]) == (
        2, 8, 20)  # fmt: skip
    config = video.config
    assert (config["aspectRatio"], config["layout"], config["enableAutoHook"]) == ("1:1", "auto", True)


def test_it_forces_the_framing_ssembles_fill_and_fit_ask_for(ssemble_api):
    for layout, forced in (("fill", "crop"), ("fit", "fit")):
        data = create(ssemble_api, {**CREATE, "layout": layout}).json()["data"]
        config = Video.objects.get(public_hex=data["requestId"]).config
        assert (config["aspectRatio"], config["layout"]) == ("9:16", forced), layout


def test_it_answers_the_documents_response_with_the_same_fields_and_types(ssemble_api, finished_video):
    finished_video.heatmap = [{"start": 0.0, "end": 2.14, "value": 1.0}, {"start": 2.14, "end": 4.28, "value": 0.4}]
    finished_video.save(update_fields=["heatmap"])
    response = ssemble_api.get(f"/api/v1/shorts/{finished_video.public_hex}")
    assert response.status_code == 200
    documented, answered = reference.response_example(), response.json()
    assert shape(answered) == shape(documented) | {"data": {**shape(documented["data"]),
                                                             "heatmap": [{"start": "number", "end": "number",
                                                                          "value": "number"}]}}  # fmt: skip
    data = answered["data"]
    assert (data["_id"], data["status"], data["progress"], data["userEmail"]) == (
        finished_video.public_hex, "completed", 100, "alice@example.com")  # fmt: skip
    # The processed range, on the source's timeline (processed from 10 s, 120 s long).
    assert (data["url"], data["start"], data["end"], data["title"]) == (
        "https://example.com/talk.mp4", 10.0, 130.0, "Money talk")  # fmt: skip
    assert (data["language"], data["template"], data["captionLanguage"], data["projectId"]) == (
        "en", "hormozi", "", None)  # fmt: skip
    assert data["heatmap"][1] == {"start": 2.14, "end": 4.28, "value": 0.4}
    assert data["sentences"] == [
        {"index": 0, "sentence": "Here is the one thing nobody tells you about money.", "start": 10.0, "end": 15.4},
        {"index": 1, "sentence": "It compounds.", "start": 15.5, "end": 16.4},
    ]  # fmt: skip


def test_it_answers_each_clip_as_a_short(ssemble_api, finished_video):
    shorts = ssemble_api.get(f"/api/v1/shorts/{finished_video.public_hex}").json()["data"]["shorts"]
    clips = list(finished_video.clips.order_by("rank"))
    assert [short["id"] for short in shorts] == [str(clip.public_uuid) for clip in clips]
    first = shorts[0]
    assert (first["title"], first["viral_score"], first["reason"]) == ("Clip 1", 91, "A bold claim with a payoff.")
    assert first["description"] == "Money advice. #money #finance #tips"
    assert (first["startTimestamp"], first["endTimestamp"], first["duration"]) == (10.0, 40.0, 30.0)
    assert (first["width"], first["height"], first["recompiling"], first["error"]) == (1080, 1920, False, False)
    assert "errorMessage" not in first
    # The sentences each clip's range overlaps: the first clip holds both, the others none.
    assert [short["sentenceIndexes"] for short in shorts] == [[0, 1], [], []]
    assert first["video_url"].startswith("http://testserver/media/signed/")
    download = Client().get(first["video_url"].removeprefix("http://testserver"))
    assert download.status_code == 200 and b"ftypmp42" in b"".join(download.streaming_content)


def test_it_reports_a_clip_that_failed_with_its_message(ssemble_api, finished_video):
    Clip.objects.filter(video=finished_video, rank=2).update(status=Clip.Status.FAILED, error=True,
                                                             error_message="The render ran out of time.")  # fmt: skip
    Clip.objects.filter(video=finished_video, rank=3).update(status=Clip.Status.GENERATING, recompiling=True)
    shorts = ssemble_api.get(f"/api/v1/shorts/{finished_video.public_hex}").json()["data"]["shorts"]
    assert (shorts[1]["error"], shorts[1]["errorMessage"]) == (True, "The render ran out of time.")
    assert shorts[2]["recompiling"] is True and "errorMessage" not in shorts[2]


def test_it_answers_a_request_before_its_source_is_read(ssemble_api):
    data = create(ssemble_api, {"url": YOUTUBE, "start": 30}).json()["data"]
    detail = ssemble_api.get(f"/api/v1/shorts/{data['_id']}").json()["data"]
    assert (detail["status"], detail["start"], detail["end"], detail["shorts"], detail["sentences"]) == (
        "queued", 30, None, [], [])  # fmt: skip
    assert detail["preferredLength"] == "under60sec" and detail["language"] == ""


# Clipsite's stage (and error code) -> Ssemble's status.
STATUSES = [
    ("queued", "", "queued"), ("downloading", "", "processing"), ("transcribing", "", "processing"),
    ("generating_clips", "", "processing"), ("completed", "", "completed"), ("failed", "processing_failed", "failed"),
    ("failed", "cancelled", "cancelled"),
]  # fmt: skip


def test_it_maps_clipsites_stages_to_ssembles_statuses(ssemble_api, finished_video):
    for status, error_code, expected in STATUSES:
        Video.objects.filter(pk=finished_video.pk).update(status=status, error_code=error_code, progress=40,
                                                          error_message="Stopped." if error_code else "")  # fmt: skip
        data = ssemble_api.get(f"/api/v1/shorts/{finished_video.public_hex}/status").json()["data"]
        assert (data["_id"], data["status"], data["step"], data["progress"]) == (
            finished_video.public_hex, expected, status, 40)  # fmt: skip
        assert (data["userEmail"], data["isDemo"]) == ("alice@example.com", False)
        assert ("failureReason" in data) == (expected == "failed"), status
        assert ssemble_api.get(f"/api/v1/shorts/{finished_video.public_hex}").json()["data"]["status"] == expected


def test_it_explains_why_a_request_failed(ssemble_api, finished_video):
    Video.objects.filter(pk=finished_video.pk).update(
        status="failed", error_code="processing_failed", error_message="No moments worth clipping were found."
    )
    data = ssemble_api.get(f"/api/v1/shorts/{finished_video.public_hex}/status").json()["data"]
    assert (data["status"], data["stepMessage"], data["failureReason"]) == (
        "failed", "Failed", "No moments worth clipping were found.")  # fmt: skip


def test_it_answers_the_documents_error_table(ssemble_api, api_client, finished_video, charlie, key_for):
    table = dict(reference.error_table())
    assert table == {400: "invalid_request", 401: "invalid_api_key", 404: "resource_not_found"}
    for path in ("/api/v1/shorts/665a1b2c3d4e5f6a7b8c9d0", "/api/v1/shorts/not-hex-not-hex-not-hex-xx/status"):
        status, code, message = error_of(ssemble_api.get(path))
        assert (status, code) == (400, table[400]) and "24 hexadecimal characters" in message
    anonymous = Client()
    for headers in ({}, {"HTTP_X_API_KEY": "sk_ssemble_your_key"}):
        response = anonymous.get(f"/api/v1/shorts/{finished_video.public_hex}", **headers)
        assert error_of(response)[:2] == (401, table[401])
    # Another account's request is a 404, exactly like one that does not exist.
    charlies = Client(HTTP_X_API_KEY=key_for(charlie))
    for request_id in (finished_video.public_hex, "665a1b2c3d4e5f6a7b8c9d0e"):
        for suffix in ("", "/status"):
            assert error_of(charlies.get(f"/api/v1/shorts/{request_id}{suffix}"))[:2] == (404, table[404])
    # Ids are hex: the upper-case spelling names the same request.
    assert ssemble_api.get(f"/api/v1/shorts/{finished_video.public_hex.upper()}").status_code == 200


def test_it_refuses_a_video_site_outside_the_plan(ssemble_api, workspace):
    assert workspace.plan.slug == "free" and not workspace.plan.allows_platform("tiktok")
    response = create(ssemble_api, {"url": "https://www.tiktok.com/@team/video/7301234567890123456"})
    status, code, message = error_of(response)
    assert (status, code) == (403, "forbidden") and "does not include TikTok" in message
    # And a plan without YouTube gets the same for a YouTube link.
    workspace.plan = Plan.objects.create(slug="tiktok-only", name="TikTok only", monthly_minutes=60,
                                         max_video_minutes=30, max_upload_mb=500, concurrent_jobs=1,
                                         api_requests_per_minute=30, platforms=["tiktok"], discovery_per_month=1)
    workspace.save()
    status, code, message = error_of(create(ssemble_api, CREATE))
    assert (status, code) == (403, "forbidden") and "does not include YouTube" in message
    assert not Video.objects.exists()


def test_it_refuses_a_request_when_no_minutes_are_left(ssemble_api, workspace):
    Workspace.objects.filter(pk=workspace.pk).update(minutes_balance=0)
    status, code, message = error_of(create(ssemble_api, CREATE))
    assert (status, code) == (402, "insufficient_credits") and "0 minutes left" in message


# A bad body, the field its error names, and words the message holds.
BAD_BODIES = [
    ({**CREATE, "template": "sparkles"}, "template", "Unknown caption template"),
    ({**CREATE, "captionLanguage": "fr"}, "captionLanguage", "not translated"),
    ({**CREATE, "preferredLength": "under2min"}, "preferredLength", "under60sec"),
    ({**CREATE, "start": 600, "end": 60}, "end", "after start"),
    ({**CREATE, "language": "english please"}, "language", "language"),
    ({**CREATE, "fileUrl": "https://cdn.example.com/a.mp4"}, "fileUrl", "not both"),
    ({"start": 0}, "url", "Give url"),
    ({**CREATE, "projectId": "665a1b2c3d4e5f6a7b8c9d0e"}, "projectId", "no projects"),
    ({**CREATE, "templateId": "660b8531aedb346bbe26eb43"}, "templateId", "name in template"),
    ({**CREATE, "music": True, "musicName": "Energetic Beat"}, "music", "not offered"),
    ({**CREATE, "layout": "wide"}, "layout", "auto, fill, fit, square"),
    ({**CREATE, "webhookUrl": "https://example.com/hook"}, "webhookUrl", "/api/webhooks"),
    ({**CREATE, "numberOfClips": 99}, "numberOfClips", "30"),
    ({**CREATE, "colour": "red"}, "colour", "Unknown field"),
]  # fmt: skip


def test_it_refuses_a_bad_body_naming_the_field(ssemble_api):
    for body, field, words in BAD_BODIES:
        response = create(ssemble_api, body)
        status, code, message = error_of(response)
        assert (status, code) == (400, "invalid_request"), body
        assert message.startswith(f"{field}: ") and words in message, message
        assert field in response.json()["error"]["details"]
    assert not Video.objects.exists()


def test_it_accepts_ssembles_optional_fields_at_their_defaults(ssemble_api):
    body = {**CREATE, "projectId": None, "templateId": None, "music": False, "musicName": "", "musicVolume": 10,
            "memeHook": False, "gameVideo": False, "ctaEnabled": False, "noClipping": False, "layout": "auto",
            "captionLanguage": "en"}  # fmt: skip
    assert create(ssemble_api, body).status_code == 201


def test_it_refuses_what_is_not_a_json_object(ssemble_api):
    malformed = ssemble_api.post("/api/v1/shorts/create", '{"url": ', content_type="application/json")
    assert error_of(malformed)[:2] == (400, "invalid_request")
    text = ssemble_api.post("/api/v1/shorts/create", "url=x", content_type="text/plain")
    assert error_of(text)[:2] == (415, "unsupported_media")
    assert error_of(ssemble_api.get("/api/v1/shorts/create"))[:2] == (405, "method_not_allowed")


def test_it_refuses_a_link_the_server_may_not_fetch(ssemble_api):
    status, code, message = error_of(create(ssemble_api, {"fileUrl": "https://nowhere.invalid/talk.mp4"}))
    assert (status, code) == (400, "url_validation_failed") and "nowhere.invalid" in message


def test_it_answers_other_paths_with_its_own_404(ssemble_api):
    for path in ("/api/v1/templates", "/api/v1/shorts/665a1b2c3d4e5f6a7b8c9d0e/extra"):
        assert error_of(ssemble_api.get(path))[:2] == (404, "resource_not_found")
    assert error_of(ssemble_api.post("/api/v1/shorts", {}, format="json"))[:2] == (404, "resource_not_found")


def test_it_rate_limits_with_its_own_code(ssemble_api, workspace, finished_video):
    workspace.plan = Plan.objects.create(slug="tiny", name="Tiny", monthly_minutes=60, max_video_minutes=30,
                                         max_upload_mb=500, concurrent_jobs=1, api_requests_per_minute=1,
                                         platforms=["youtube"], discovery_per_month=1)  # fmt: skip
    workspace.save()
    assert ssemble_api.get(f"/api/v1/shorts/{finished_video.public_hex}/status").status_code == 200
    limited = ssemble_api.get(f"/api/v1/shorts/{finished_video.public_hex}/status")
    assert error_of(limited)[:2] == (429, "rate_limited") and int(limited["Retry-After"]) >= 1


def test_it_answers_an_unexpected_error_without_internals(ssemble_api, monkeypatch):
    def broken(video_id):
        raise RuntimeError("redis at /srv/clipsite/var/redis.sock said no")

    monkeypatch.setattr("videos.actions.enqueue_process", broken)
    client = ssemble_api
    client.raise_request_exception = False
    status, code, message = error_of(create(client, CREATE))
    assert (status, code) == (500, "internal_error") and "redis" not in message and "/srv" not in message
    assert not Video.objects.exists()


def test_it_accepts_the_key_as_a_bearer_token_too(api_client, ssemble_key, finished_video):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {ssemble_key}")
    assert api_client.get(f"/api/v1/shorts/{finished_video.public_hex}").status_code == 200


def test_a_request_is_the_same_video_and_clips_in_the_native_api_and_the_dashboard(
    ssemble_api, finished_video, as_alice
):
    shorts = ssemble_api.get(f"/api/v1/shorts/{finished_video.public_hex}").json()["data"]["shorts"]
    native = ssemble_api.get(f"/api/videos/{finished_video.pk}").json()["video"]
    clips = ssemble_api.get(f"/api/videos/{finished_video.pk}/clips?sortBy=score").json()["clips"]
    assert native["title"] == "Money talk" and native["clipCount"] == len(shorts) == 3
    assert [(c["title"], c["score"], c["startTime"], c["endTime"]) for c in clips] == [
        (s["title"], s["viral_score"], s["startTimestamp"], s["endTimestamp"]) for s in shorts]  # fmt: skip
    page = as_alice.get(f"/videos/{finished_video.pk}/").content.decode()
    assert all(short["title"] in page for short in shorts)


def test_a_video_created_through_ssemble_is_in_the_native_list(ssemble_api):
    data = create(ssemble_api, CREATE).json()["data"]
    video = Video.objects.get(public_hex=data["_id"])
    listed = ssemble_api.get("/api/videos").json()["videos"]
    assert [v["id"] for v in listed] == [video.pk] and listed[0]["sourceUrl"] == YOUTUBE


def test_it_is_described_in_the_schema_under_its_own_tag(ssemble_api):
    schema = Client().get("/api/schema?format=json").json()
    operations = {path: item for path, item in schema["paths"].items() if path.startswith("/api/v1/")}
    assert set(operations) == {"/api/v1/shorts/create", "/api/v1/shorts/{request_id}",
                               "/api/v1/shorts/{request_id}/status"}  # fmt: skip
    for item in operations.values():
        for operation in item.values():
            assert operation["tags"] == ["Ssemble (api/v1)"] and operation["operationId"].startswith("ssemble_")
    detail = operations["/api/v1/shorts/{request_id}"]["get"]
    example = detail["responses"]["200"]["content"]["application/json"]["examples"]["Completed"]["value"]
    assert shape(example) == shape(reference.response_example())
    assert detail["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/SsembleRequestEnvelope")  # fmt: skip
    assert {"400", "401", "404"} <= set(detail["responses"])
    ours = [name for name in schema["components"]["schemas"] if name.startswith("Ssemble")]
    assert {"SsembleRequest", "SsembleShort", "SsembleSentence", "SsembleError", "SsembleCreate"} <= {
        name.removesuffix("Request") if name == "SsembleCreateRequest" else name for name in ours}  # fmt: skip
