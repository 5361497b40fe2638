"""Whose minutes a process-API request spends, and that its jobs are Clipsite's own videos."""

from __future__ import annotations

import json

import pytest

from accounts.models import Workspace
from processapi.errors import MISSING_KEY
from videos.models import Video

GEMINI = "AIzaSy-test-key"
YOUTUBE = "https://youtube.com/watch?v=dQw4w9WgXcQ"


def process(client, url: str = YOUTUBE, **headers):
    return client.post("/api/process", json.dumps({"url": url}), content_type="application/json",
                       HTTP_X_GEMINI_KEY=GEMINI, **headers)  # fmt: skip


def test_it_refuses_a_stranger_without_a_key_and_creates_nothing(api_client, alice, settings, clean_redis):
    settings.PROCESS_API_WORKSPACE = ""
    response = process(api_client)
    assert response.status_code == 401 and response.json() == {"detail": MISSING_KEY}
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert api_client.get("/api/status/550e8400-e29b-41d4-a716-446655440000").status_code == 401
    assert not Video.objects.exists()


def test_it_acts_in_the_configured_workspace_without_a_key_on_a_single_user_server(api_client, alice, workspace,
                                                                                   settings, clean_redis):  # fmt: skip
    settings.PROCESS_API_WORKSPACE = workspace.slug
    response = process(api_client)
    assert response.status_code == 200, response.content
    video = Video.objects.get()
    assert (video.workspace, video.submitted_by) == (workspace, alice)  # as the workspace's owner
    status = api_client.get(f"/api/status/{response.json()['job_id']}")
    assert status.status_code == 200 and status.json()["status"] == "queued"


def test_it_lets_a_key_act_in_its_own_workspace_on_such_a_server(api_client, alice, workspace, charlie, key_for,
                                                                 settings, clean_redis):  # fmt: skip
    settings.PROCESS_API_WORKSPACE = workspace.slug
    response = process(api_client, HTTP_AUTHORIZATION=f"Bearer {key_for(charlie)}")
    assert response.status_code == 200
    assert Video.objects.get().workspace == Workspace.objects.get(memberships__user=charlie)
    # A bad key is refused, never taken for no key at all.
    refused = process(api_client, HTTP_X_API_KEY="cs_live_not-a-key")
    assert refused.status_code == 401 and refused.json() == {"detail": "The API key is missing, invalid or revoked."}
    assert Video.objects.count() == 1


def test_it_answers_503_not_a_guess_when_the_setting_names_no_workspace(api_client, alice, settings, clean_redis):
    settings.PROCESS_API_WORKSPACE = "no-such-workspace"
    response = process(api_client)
    assert response.status_code == 503 and set(response.json()) == {"detail"}
    assert "PROCESS_API_WORKSPACE" not in response.json()["detail"]  # nothing of the server's settings shown
    assert not Video.objects.exists()


@pytest.fixture
def process_job(finished_video):
    """alice's finished video, as if it had come through the process API."""
    Video.objects.filter(pk=finished_video.pk).update(submitted_via=Video.Via.PROCESS_API)
    return finished_video


def test_it_shows_a_job_as_the_same_video_and_clips_on_the_native_api_and_dashboard(alice_api, as_alice,
                                                                                   process_job):  # fmt: skip
    status = alice_api.get(f"/api/status/{process_job.public_uuid}").json()
    native = alice_api.get(f"/api/videos/{process_job.pk}/clips").json()["clips"]
    by_rank = sorted(native, key=lambda clip: clip["rank"])
    assert [(c["title"], c["start"], c["end"], c["score"]) for c in status["clips"]] == [
        (c["title"], c["startTime"], c["endTime"], c["score"]) for c in by_rank
    ]
    page = as_alice.get(f"/videos/{process_job.pk}/").content.decode()
    assert all(clip["title"] in page for clip in status["clips"])
