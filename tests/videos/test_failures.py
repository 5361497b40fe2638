"""Failures users understand: a file the media reader cannot open fails with a plain message
(its own domain code, no path, no ffmpeg words) on the step that read it, with Retry only
where running the job again can end differently; uploads have no "Downloading" step; a
malformed link gets one message; a finished video's status folds so its clips come first.

The job runs here, in the test's process (``videos.jobs.process_video``), as a worker runs it.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from pipeline.errors import UnreadableMediaError
from pipeline.probe import probe
from tests.pipeline.http_server import LocalHTTPServer
from tests.videos.test_views import completed_video, make_clip, make_video, post_video
from videos import actions, jobs, progress
from videos.config import validate_config
from videos.models import Video

UNREADABLE = "The file is not a readable video or audio file: it is damaged, incomplete or not a video at all."
# Text whose first bytes pass the container check: "The " is read as a box size and "free"
# as an MP4 box (ffprobe then says "moov atom not found").
TEXT_LIKE_MP4 = b"The free trial notes: call Sam on Monday about the launch.\n" * 40
# What a message shown to users never contains: the server's folders and ffmpeg's words.
INTERNALS = ("attempt-", "source.mp4", "moov", "ffprobe", "ffmpeg", "/tmp", "Invalid data")


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


def assert_plain(message: str) -> None:
    for internal in (*INTERNALS, str(settings.MEDIA_ROOT), str(settings.BASE_DIR)):
        assert internal not in message, (internal, message)


def step_states(page: str) -> list[tuple[str, str]]:
    return re.findall(r'class="step step-(\w+)".*?class="step-label">([^<]+)<', page, re.S)


def process_upload(workspace, user, name: str, data: bytes) -> Video:
    upload = SimpleUploadedFile(name, data, content_type="video/mp4")
    video = actions.submit_video(workspace, user, config=validate_config({}), upload=upload)
    jobs.process_video(video.pk)
    video.refresh_from_db()
    return video


def test_it_fails_an_unreadable_upload_plainly_on_checking_the_file_without_retry(
    as_alice, alice, workspace, clean_redis
):
    video = process_upload(workspace, alice, "notes.mp4", TEXT_LIKE_MP4)
    assert (video.status, video.error_code) == ("failed", "unreadable_media")
    assert video.error_message == f"{UNREADABLE} Choose the original video file and submit it again."
    assert_plain(video.error_message)
    assert not progress.can_retry(video)

    page = as_alice.get(f"/videos/{video.pk}/").content.decode()
    assert step_states(page) == [
        ("done", "Queued"), ("failed", "Checking the file"), ("todo", "Transcribing"), ("todo", "Finding moments"),
        ("todo", "Rendering clips"), ("todo", "Completed"),
    ]  # fmt: skip
    assert "Downloading" not in page and ">Retry<" not in page
    assert 'href="/videos/new" id="submit-another">Submit another video</a>' in page
    api = as_alice.get(f"/videos/{video.pk}/row").content.decode()
    assert "Downloading" not in api and video.error_message[:100] in api

    # A hand-made retry is refused too: it would fail the same way.
    refused = as_alice.post(f"/videos/{video.pk}/retry", follow=True).content.decode()
    assert "Running this video again would fail the same way, so it was not queued." in refused
    video.refresh_from_db()
    assert video.status == "failed"


def test_it_names_the_unreadable_file_in_the_engine_with_its_own_code(tmp_path):
    notes = tmp_path / "notes.mp4"
    notes.write_bytes(TEXT_LIKE_MP4)
    with pytest.raises(UnreadableMediaError) as caught:
        probe(notes, settings.PIPELINE)
    assert caught.value.code == "unreadable_media" and caught.value.message == UNREADABLE
    assert "moov atom not found" in caught.value.detail  # ffprobe's words stay in the log's detail


def test_it_offers_retry_after_a_download_that_failed(as_alice, alice, workspace, clean_redis):
    with LocalHTTPServer() as server:
        text = server.add_bytes("/notes.mp4", TEXT_LIKE_MP4, content_type="video/mp4")
        missing = server.url("/gone.mp4")
        videos = []
        for url in (missing, text):
            video = actions.submit_video(workspace, alice, config=validate_config({}), url=url)
            jobs.process_video(video.pk)
            video.refresh_from_db()
            videos.append(video)
    gone, unreadable = videos
    assert (gone.status, gone.error_code) == ("failed", "ingest_error")
    assert_plain(gone.error_message)
    assert (unreadable.error_code, unreadable.error_message) == (
        "unreadable_media", f"{UNREADABLE} Check that the link leads to the video file itself, then retry."
    )
    for video in videos:
        page = as_alice.get(f"/videos/{video.pk}/").content.decode()
        assert ("failed", "Downloading") in step_states(page) and ">Retry<" in page, video.error_message


@pytest.mark.parametrize(
    ("code", "kind", "retry"),
    [("unreadable_media", "upload", False), ("media_error", "upload", False), ("unsupported_media", "url", False),
     ("no_moments", "url", False), ("media_error", "url", True), ("ingest_error", "url", True),
     ("insufficient_minutes", "upload", True), ("worker_lost", "upload", True), ("internal_error", "upload", True),
     ("too_long_for_plan", "upload", True), ("", "upload", True)],
)  # fmt: skip
def test_it_offers_retry_only_where_running_again_can_end_differently(code, kind, retry):
    assert progress.can_retry(Video(status="failed", error_code=code, source_kind=kind)) is retry


def test_it_never_says_downloading_for_an_upload(as_alice, alice, workspace):
    upload = make_video(workspace, alice, status="downloading", progress=2)
    link = make_video(workspace, alice, status="downloading", progress=2, source_kind="url",
                      source_url="https://cdn.example.com/talk.mp4")  # fmt: skip
    page = as_alice.get(f"/videos/{upload.pk}/").content.decode()
    assert "Downloading" not in page and "Checking the file · 2%" in page
    assert ("current", "Checking the file") in step_states(page) and len(step_states(page)) == 6
    listing = as_alice.get("/videos/").content.decode()
    upload_row = listing.split(f'id="video-{upload.pk}"')[1].split("</li>")[0]
    link_row = listing.split(f'id="video-{link.pk}"')[1].split("</li>")[0]
    assert "Downloading" not in upload_row and "Checking the file · 2%" in upload_row
    assert "Downloading · 2%" in link_row


# Each malformed link and the one message it gets.
NOT_A_LINK = "This is not a link Clipsite can open. Paste the video's full address, such as https://www.youtube.com/watch?v=…"
MALFORMED = {
    "not a link": NOT_A_LINK,
    "https://exa mple.com/talk.mp4": NOT_A_LINK,
    "ftp://example.com/talk.mp4": "Only http:// and https:// links can be fetched.",
    "javascript:alert(1)": "Only http:// and https:// links can be fetched.",
}


def test_it_gives_a_malformed_link_exactly_one_message(as_alice):
    for url, message in MALFORMED.items():
        response = post_video(as_alice, htmx=True, url=url)
        page = response.content.decode()
        assert response.status_code == 422, url
        shown = re.findall(r'role="alert"[^>]*>(.*?)</', page, re.S)
        assert [m.replace("&#x27;", "'") for m in shown] == [message], url
    assert not Video.objects.exists()


def test_it_folds_a_finished_videos_status_so_its_clips_come_first(as_alice, alice, workspace):
    video = completed_video(workspace, alice)
    make_clip(video, 1)
    page = as_alice.get(f"/videos/{video.pk}/").content.decode()
    panel = page.split('id="video-status"')[1].split("</section>")[0]
    assert '<details class="status-fold"><summary class="status-head">' in panel
    assert "All steps done" in panel and 'class="timeline"' in panel.split("</summary>")[1]
    assert page.index('id="video-status"') < page.index('id="clip-gallery"')
