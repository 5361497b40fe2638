"""``Idempotency-Key`` fingerprints the whole request: the bytes of uploaded files, the
form's fields and the query, so the same key never replays a different request."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.actions import create_workspace
from videos.models import Video


def upload(client, content: bytes, key: str, name: str = "talk.mp4", config: dict | None = None, query: str = ""):
    data = {"file": SimpleUploadedFile(name, content, content_type="video/mp4")}
    if config is not None:
        data["config"] = json.dumps(config)
    return client.post(f"/api/videos/upload{query}", data, format="multipart", HTTP_IDEMPOTENCY_KEY=key)


def test_it_refuses_the_same_key_for_a_different_file_of_the_same_size(alice_api, talk_path):
    first_file = talk_path.read_bytes()
    # The same size, one byte different, in the middle where no header hides it.
    middle = len(first_file) // 2
    second_file = first_file[:middle] + bytes([first_file[middle] ^ 0xFF]) + first_file[middle + 1 :]
    first = upload(alice_api, first_file, "upload-1")
    second = upload(alice_api, second_file, "upload-1")
    assert first.status_code == 201, first.content
    assert second.status_code == 422 and "different request" in second.json()["detail"]
    assert "Idempotent-Replayed" not in second
    assert Video.objects.count() == 1


def test_it_replays_the_same_upload_and_stores_it_once(alice_api, talk_path):
    content = talk_path.read_bytes()
    first = upload(alice_api, content, "upload-2", config={"numberOfClips": 2})
    second = upload(alice_api, content, "upload-2", config={"numberOfClips": 2})
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true" and second.json() == first.json()
    assert Video.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [{"name": "other.mp4"}, {"config": {"numberOfClips": 3}}, {"query": "?workspaceId={team}"}],
    ids=["file name", "form field", "query"],
)
def test_it_refuses_the_same_key_when_any_other_part_of_the_upload_differs(alice_api, alice, talk_path, change):
    team = create_workspace(alice, "Alice Media")
    change = {k: v.format(team=team.pk) if k == "query" else v for k, v in change.items()}
    content = talk_path.read_bytes()
    assert upload(alice_api, content, "upload-3", config={"numberOfClips": 2}).status_code == 201
    changed = {"config": {"numberOfClips": 2}, **change}
    response = upload(alice_api, content, "upload-3", **changed)
    assert response.status_code == 422 and "different request" in response.json()["detail"]
    assert Video.objects.count() == 1


def test_it_releases_the_key_when_an_upload_is_refused(alice_api, talk_path):
    content = talk_path.read_bytes()
    refused = upload(alice_api, content, "upload-4", config={"numberOfClips": 99})
    assert refused.status_code == 422
    fixed = upload(alice_api, content, "upload-4", config={"numberOfClips": 2})
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed
