"""Uploads that try to make the worker read other tenants' files, through the API and real workers.

Alice has a clip in storage; charlie, who has learnt its path (it used to be readable
from any signed link), uploads media that names it. The API refuses it before storing
anything (415); and should such a file reach storage by another way, the worker's own
check fails the video with a plain message: it reads nothing of alice's, makes no
transcript or clip and costs no minutes.
"""

from __future__ import annotations

import json
import shutil

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from clips.models import Clip
from tests import hostile_media
from tests.workers import run_workers
from videos import storage
from videos.models import Video

pytestmark = pytest.mark.django_db(transaction=True)

PLAYLIST_REFUSAL = (
    "This file is not a video file Clipsite can read (it looks like a playlist that refers to other files). "
    "Upload the video file itself."
)


@pytest.fixture
def alices_clip(workspace, alice, media_dir):
    """A completed video of alice's with a real rendered clip in storage; its local path."""
    from tests.pipeline.test_probe import HAMILTON

    video = Video.objects.create(
        workspace=workspace, submitted_by=alice, source_kind=Video.SourceKind.URL,
        source_url="https://example.com/talk.mp4", title="Alice's talk", duration=10.0,
        status=Video.Status.COMPLETED, progress=100, minutes_charged=1,
    )  # fmt: skip
    name = default_storage.save(
        f"{storage.video_prefix(video.pk)}/clips/clip-v1.mp4", ContentFile((media_dir / HAMILTON).read_bytes())
    )
    return storage.local_path(name)


@pytest.fixture
def charlie_api(charlie, key_for, clean_redis):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(charlie)}")
    return client


def post_upload(client, name: str, content: bytes):
    file = SimpleUploadedFile(name, content, content_type="video/mp4")
    return client.post(
        "/api/videos/upload", {"file": file, "config": json.dumps({"numberOfClips": 1})}, format="multipart"
    )


def upload(client, name: str, content: bytes) -> Video:
    response = post_upload(client, name, content)
    assert response.status_code == 201, response.content
    return Video.objects.get(pk=response.json()["video"]["id"])


def stored_folders() -> set[str]:
    return set(default_storage.listdir("videos")[0]) if default_storage.exists("videos") else set()


def assert_refused_at_submit(response, before: set[str], message: str, *secrets: str) -> None:
    assert response.status_code == 415, response.content
    assert response.json() == {"error": "unsupported_media", "detail": message}
    for secret in (*secrets, str(settings.VAR_DIR)):
        assert secret not in message
    assert Video.objects.count() == 1  # alice's only
    assert stored_folders() == before  # nothing of charlie's was stored


def smuggle(video: Video, content: bytes) -> None:
    """Replace a submitted upload's stored file, as a file reaching storage by another way would."""
    with default_storage.open(video.source_file.name, "wb") as handle:
        handle.write(content)


def assert_refused_without_cost(video: Video, message: str, *secrets: str) -> None:
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED
    assert (video.error_code, video.error_message) == ("unsupported_media", message)
    for secret in (*secrets, str(settings.VAR_DIR), "ffmpeg", "ffprobe"):
        assert secret not in video.error_message
    assert video.transcript in ({}, None) and not video.media_info
    assert not Clip.objects.filter(video__workspace=video.workspace).exists()
    assert video.minutes_charged == 0
    workspace = video.workspace
    workspace.refresh_from_db()
    assert list(workspace.minute_entries.values_list("kind", flat=True)) == ["monthly_reset"]
    assert workspace.minutes_balance == 60


@pytest.mark.parametrize("name", ["holiday.mp4", "holiday.m3u8"])
def test_it_refuses_an_uploaded_playlist_of_another_tenants_clip_before_storing_it(
    alices_clip, charlie_api, name
):
    playlist = f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n{alices_clip}\n#EXT-X-ENDLIST\n".encode()

    before = stored_folders()
    response = post_upload(charlie_api, name, playlist)

    assert_refused_at_submit(response, before, PLAYLIST_REFUSAL, str(alices_clip), alices_clip.parent.parent.name)


def test_it_refuses_an_uploaded_avi_with_a_gab2_playlist_before_storing_it(alices_clip, charlie_api, tmp_path):
    inner = hostile_media.hls_playlist(tmp_path / "inner.m3u8", str(alices_clip), 10.0).read_text()
    avi = hostile_media.gab2_avi(tmp_path / "film.avi", inner)

    before = stored_folders()
    response = post_upload(charlie_api, "film.avi", avi.read_bytes())

    assert response.json()["detail"].startswith("This AVI file has a subtitle or data stream")
    assert_refused_at_submit(response, before, response.json()["detail"], str(alices_clip))


@pytest.mark.parametrize("name", ["holiday.mp4", "holiday.m3u8"])
def test_it_fails_a_stored_playlist_of_another_tenants_clip_at_no_cost(
    alices_clip, charlie_api, talk_path, name
):
    playlist = f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n{alices_clip}\n#EXT-X-ENDLIST\n".encode()
    video = upload(charlie_api, name, talk_path.read_bytes())
    smuggle(video, playlist)

    run_workers(1, queues=("default", "render"), prefix="charlie")

    assert_refused_without_cost(video, PLAYLIST_REFUSAL, str(alices_clip), alices_clip.parent.parent.name)
    assert alices_clip.is_file()


def test_it_fails_a_stored_avi_with_a_gab2_playlist_at_no_cost(alices_clip, charlie_api, talk_path, tmp_path):
    inner = hostile_media.hls_playlist(tmp_path / "inner.m3u8", str(alices_clip), 10.0).read_text()
    avi = hostile_media.gab2_avi(tmp_path / "film.avi", inner)
    video = upload(charlie_api, "film.avi", talk_path.read_bytes())
    smuggle(video, avi.read_bytes())

    run_workers(1, queues=("default", "render"), prefix="charlie")

    video.refresh_from_db()
    assert video.error_message.startswith("This AVI file has a subtitle or data stream"), video.error_message
    assert_refused_without_cost(video, video.error_message, str(alices_clip))


def test_it_still_processes_a_real_upload_named_like_a_playlist(talk_path, charlie_api, tmp_path):
    # The bytes decide, not the name: a real video called .m3u8 goes through.
    renamed = tmp_path / "talk.m3u8"
    shutil.copyfile(talk_path, renamed)

    video = upload(charlie_api, renamed.name, renamed.read_bytes())
    run_workers(1, queues=("default",), prefix="charlie")

    video.refresh_from_db()
    assert video.status == Video.Status.GENERATING_CLIPS, video.error_message
    assert video.media_info["has_video"] and video.minutes_charged == 1
