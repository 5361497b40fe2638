"""One submit path: every rule about what may be submitted holds on every surface.

The rules live in :func:`videos.actions.submit_video`; the ScaleReach API, the dashboard
and ``manage.py clip`` each map its refusal to their own answer.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import resolve
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from accounts.models import Plan
from clipsite.idempotency import idempotent
from clipsite.middleware import accepts_uploads
from videos import actions
from videos.config import validate_config
from videos.errors import SubmitRefused
from videos.models import Video

YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


@pytest.fixture
def tiktok_only(workspace):
    """A plan that sells TikTok but not YouTube."""
    free = workspace.plan
    plan = Plan.objects.create(slug="tiktok-only", name="TikTok only", monthly_minutes=60, max_video_minutes=30,
                               max_upload_mb=500, concurrent_jobs=1, api_requests_per_minute=30,
                               platforms=["tiktok"], discovery_per_month=free.discovery_per_month)  # fmt: skip
    workspace.plan = plan
    workspace.save()
    return plan


def test_the_action_refuses_a_platform_outside_the_plan(workspace, alice, tiktok_only):
    with pytest.raises(SubmitRefused) as refused:
        actions.submit_video(workspace, alice, config=validate_config({}), url=YOUTUBE)
    assert refused.value.code == "platform_not_in_plan" and refused.value.field == "url"
    assert "TikTok only plan does not include YouTube" in refused.value.message
    assert not Video.objects.exists()


def test_the_api_answers_403(alice_api, tiktok_only):
    response = alice_api.post("/api/videos/youtube", {"youtubeUrl": YOUTUBE}, format="json")
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert "does not include YouTube" in response.json()["detail"] and not Video.objects.exists()


def test_the_dashboard_answers_403_on_the_link_field(as_alice, tiktok_only):
    response = as_alice.post("/videos/new", {"url": YOUTUBE, "aspectRatio": "9:16", "captionTemplate": "hormozi",
                                             "genre": "Auto", "clipModel": "ClipBasic"})  # fmt: skip
    assert response.status_code == 403 and not Video.objects.exists()
    assert "does not include YouTube" in response.content.decode()


def test_the_command_refuses_with_the_same_reason(workspace, tiktok_only):
    with pytest.raises(CommandError, match="does not include YouTube"):
        call_command("clip", YOUTUBE, "--workspace", workspace.slug)
    assert not Video.objects.exists()


@pytest.mark.parametrize(("url", "upload", "message"), [
    ("", None, "Give a link to a video, or a file to upload."),
    (YOUTUBE, SimpleUploadedFile("a.mp4", b"\0" * 10), "Give a link or a file, not both."),
])  # fmt: skip
def test_the_action_needs_exactly_one_source(workspace, alice, url, upload, message):
    with pytest.raises(SubmitRefused, match=message) as refused:
        actions.submit_video(workspace, alice, config=validate_config({}), url=url, upload=upload)
    assert refused.value.code == "invalid_source"


@pytest.mark.parametrize(("url", "kind"), [(YOUTUBE, "youtube"), ("https://cdn.example.com/talk.mp4", "url")])
def test_the_action_tells_a_video_site_from_a_media_file(workspace, alice, clean_redis, url, kind):
    assert actions.submit_video(workspace, alice, config=validate_config({}), url=url).source_kind == kind


def test_upload_views_declare_themselves_to_the_body_cap(alice_api):
    assert accepts_uploads(resolve("/api/videos/upload").func)
    assert not accepts_uploads(resolve("/api/videos/url").func)
    big = {"url": "https://cdn.example.com/talk.mp4", "padding": "x" * 70_000}
    assert alice_api.post("/api/videos/url", big, format="json").status_code == 413


class AnonymousSubmit(APIView):
    """A view open to anonymous callers, as a dialect's may be."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @idempotent
    def post(self, request):
        return Response({"ok": True}, status=201)


def test_an_idempotency_key_from_an_anonymous_caller_is_refused(clean_redis):
    factory = APIRequestFactory()
    request = factory.post("/anything", {}, format="json", HTTP_IDEMPOTENCY_KEY="same-key")
    response = AnonymousSubmit.as_view()(request)
    assert response.status_code == 400 and "needs an API key or a signed-in user" in response.data["detail"]
    # Without the key the request is served as usual.
    assert AnonymousSubmit.as_view()(factory.post("/anything", {}, format="json")).status_code == 201
