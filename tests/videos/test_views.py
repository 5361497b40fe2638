"""The dashboard's video pages through Django's test client: list, submit, status, detail, actions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import actions as accounts
from clips.models import Clip
from videos.models import Video

WORDS = [
    {"text": text, "start": i * 0.5, "end": i * 0.5 + 0.4}
    for i, text in enumerate(
        ["So", "here", "is", "the", "thing", "nobody", "tells", "you", "about", "starting", "a", "company"]
    )
]
TRANSCRIPT = {
    "language": "en",
    "duration": 45.0,
    "words": WORDS,
    "sentences": [
        {"index": 0, "sentence": "So here is the thing nobody tells you.", "start": 0.0, "end": 3.4},
        {"index": 1, "sentence": "About starting a company.", "start": 3.5, "end": 5.9},
    ],
}


def make_video(workspace, user, **fields) -> Video:
    """A video row in any state, without running the pipeline."""
    values = {"source_kind": "upload", "source_name": "talk.mp4", "title": "Team talk", "config": {}}
    values.update(fields)
    return Video.objects.create(workspace=workspace, submitted_by=user, **values)


def completed_video(workspace, user, **fields) -> Video:
    """A processed 45 s video with its transcript and a stored source."""
    values = {"status": Video.Status.COMPLETED, "progress": 100, "duration": 45.0, "transcript": TRANSCRIPT,
              "source_file": "videos/x/upload.mp4", "finished_at": timezone.now()}  # fmt: skip
    return make_video(workspace, user, **{**values, **fields})


def make_clip(video, rank: int, **fields) -> Clip:
    values = {
        "title": f"Clip number {rank}", "start": 1.0, "end": 4.5, "score": 70, "score_hook": 81, "score_pacing": 62,
        "score_completeness": 55, "score_shareability": 77, "virality_reason": "A strong opening line.",
        "hooks": {"question": "Why do founders fail?", "statement": "Nobody tells you this."},
        "description": "The truth about startups.", "hashtags": ["#startup", "#founder"],
        "status": Clip.Status.COMPLETED, "file": f"videos/{video.pk}/clips/{rank}.mp4",
        "thumbnail": f"videos/{video.pk}/clips/{rank}.jpg",
    }  # fmt: skip
    values.update(fields)
    return Clip.objects.create(video=video, rank=rank, **values)


@pytest.fixture
def done(alice, workspace):
    """Alice's completed video with three clips: scores 90, 70 and 30, the second favorited."""
    video = completed_video(workspace, alice)
    make_clip(video, 1, score=90, start=0.0, end=12.0)
    make_clip(video, 2, score=70, start=14.0, end=20.0, favorited=True)
    make_clip(video, 3, score=30, start=22.0, end=40.0)
    return video


def post_video(client, *, htmx: bool = False, **data):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    form = {"aspectRatio": "9:16", "captionTemplate": "hormozi", "genre": "Auto", "clipModel": "ClipBasic",
            "enableCaptions": "on", **data}  # fmt: skip
    return client.post("/videos/new", form, **headers)


def mp4(size: int = 2048) -> SimpleUploadedFile:
    return SimpleUploadedFile("my talk.mp4", b"\0" * size, content_type="video/mp4")


def test_it_explains_how_to_start_when_there_are_no_videos(as_alice):
    page = as_alice.get("/videos/").content.decode()
    assert "Nothing here yet" in page and "Paste a YouTube link or upload" in page
    assert 'href="/videos/new"' in page


def test_it_lists_videos_and_polls_only_the_running_ones(as_alice, alice, workspace, done):
    running = make_video(workspace, alice, title="Still going", status=Video.Status.TRANSCRIBING, progress=31)
    page = as_alice.get("/videos/").content.decode()
    assert "Team talk" in page and "Still going" in page and "Transcribing · 31%" in page
    running_row = page.split(f'id="video-{running.pk}"')[1].split("</li>")[0]
    done_row = page.split(f'id="video-{done.pk}"')[1].split("</li>")[0]
    assert 'hx-trigger="every 2s"' in running_row and f"/videos/{running.pk}/row" in running_row
    assert "hx-trigger" not in done_row
    # The finished video shows its best clip's thumbnail through a signed link.
    assert "/media/signed/" in done_row and "0:45" in done_row

    Video.objects.filter(pk=running.pk).update(status=Video.Status.COMPLETED, progress=100)
    row = as_alice.get(f"/videos/{running.pk}/row").content.decode()
    assert "Completed" in row and "hx-trigger" not in row


def test_it_filters_the_list_by_status_and_paginates(as_alice, alice, workspace):
    for i in range(13):
        make_video(workspace, alice, title=f"Done {i}", status=Video.Status.COMPLETED)
    make_video(workspace, alice, title="Broken one", status=Video.Status.FAILED, error_message="Not a video.")
    failed = as_alice.get("/videos/?status=failed").content.decode()
    assert "Broken one" in failed and "Not a video." in failed and "Done 1" not in failed
    first = as_alice.get("/videos/").content.decode()
    assert "Page 1 of 2" in first and first.count('class="video-row"') == 12
    second = as_alice.get("/videos/?page=2").content.decode()
    assert second.count('class="video-row"') == 2
    assert "No video matches this filter" in as_alice.get("/videos/?status=active").content.decode()


def test_it_prefills_the_form_from_the_workspace_defaults(as_alice, workspace):
    workspace.default_config = {"numberOfClips": 4, "aspectRatio": "1:1", "captionTemplate": "karaoke"}
    workspace.save()
    page = as_alice.get("/videos/new").content.decode()
    assert 'name="numberOfClips" value="4"' in page
    checked = [part.rsplit("<input", 1)[1] for part in page.split(" checked>")[:-1]]
    assert any('name="aspectRatio" value="1:1"' in tag for tag in checked)
    assert any('name="captionTemplate" value="karaoke"' in tag for tag in checked)
    assert f'data-max-bytes="{workspace.plan.max_upload_bytes}"' in page and 'data-balance="60"' in page


def test_it_submits_an_upload_with_its_options_and_opens_the_video(as_alice, workspace, talk_path):
    response = post_video(
        as_alice,
        file=SimpleUploadedFile("my talk.mp4", talk_path.read_bytes(), content_type="video/mp4"),
        numberOfClips="2",
        clipDurationMin="8",
        clipDurationMax="20",
        captionTemplate="karaoke",
        enableAutoHook="",
        start="5",
        layout="split",
        geminiKey="gem-secret",
    )
    video = Video.objects.get()
    assert response.status_code == 302 and response.url == f"/videos/{video.pk}/"
    assert (
        video.source_kind == "upload" and video.source_name == "my talk.mp4" and video.workspace == workspace
    )
    config = video.config
    assert (config["numberOfClips"], config["clipDurationMin"], config["clipDurationMax"]) == (2, 8, 20)
    assert (
        config["captionTemplate"] == "karaoke" and config["enableAutoHook"] is False and config["start"] == 5
    )
    assert config["layout"] == "split"
    assert video.gemini_key and b"gem-secret" not in bytes(video.gemini_key)


def test_it_refuses_a_text_file_named_mp4_on_the_form_before_storing_it(as_alice, workspace):
    fake = SimpleUploadedFile("my talk.mp4", b"just some notes, not a video\n" * 50, content_type="video/mp4")
    response = post_video(as_alice, file=fake, numberOfClips="2")
    assert response.status_code == 415 and not Video.objects.exists()
    page = response.content.decode()
    assert "not a video file Clipsite can read (it is a text file)" in page


@pytest.mark.parametrize(
    ("url", "kind"),
    [("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube"), ("https://cdn.example.com/talk.mp4", "url")],
)
def test_it_tells_a_video_site_from_a_direct_media_link(as_alice, url, kind):
    response = post_video(as_alice, htmx=True, url=url)
    video = Video.objects.get()
    assert response.status_code == 200 and response["HX-Redirect"] == f"/videos/{video.pk}/"
    assert (video.source_kind, video.source_url) == (kind, url)


def test_it_shows_option_errors_on_their_fields(as_alice):
    response = post_video(
        as_alice, htmx=True, url="https://cdn.example.com/a.mp4", clipDurationMin="30", clipDurationMax="10"
    )
    assert response.status_code == 422 and not Video.objects.exists()
    page = response.content.decode()
    assert page.lstrip().startswith("<form") and 'id="new-video-form"' in page  # the partial, for the script
    max_field = page.split('id="id_clipDurationMax"')[1].split("</div>")[0]
    assert "must be at least 5 s longer than min_length" in max_field


def test_it_needs_a_link_or_a_file(as_alice):
    response = post_video(as_alice)
    assert response.status_code == 422 and "Paste a link or choose a file" in response.content.decode()


def test_it_refuses_an_upload_over_the_plans_limit(as_alice, workspace):
    workspace.plan.max_upload_mb = 1
    workspace.plan.save()
    response = post_video(as_alice, file=mp4(1024 * 1024 + 1))
    assert response.status_code == 413 and not Video.objects.exists()
    assert "accepts uploads up to 1 MB" in response.content.decode()


def test_it_says_how_many_minutes_are_left(as_alice, workspace):
    accounts.debit_minutes(workspace, 60)
    response = post_video(as_alice, url="https://cdn.example.com/a.mp4")
    assert response.status_code == 402 and not Video.objects.exists()
    assert "has 0 minutes left" in response.content.decode()
    # The page's script gets the form back with 422, the status it shows forms for.
    assert post_video(as_alice, htmx=True, url="https://cdn.example.com/a.mp4").status_code == 422


def test_it_stops_polling_the_status_once_the_video_is_finished(as_alice, alice, workspace):
    video = make_video(workspace, alice, status=Video.Status.ANALYZING, progress=57, source_kind="url",
                       source_url="https://cdn.example.com/talk.mp4")  # fmt: skip
    running = as_alice.get(f"/videos/{video.pk}/status")
    panel = running.content.decode()
    assert 'hx-trigger="every 2s"' in panel and "HX-Trigger" not in running
    assert 'class="step step-current" aria-current="step"' in panel and "Finding moments" in panel
    assert panel.count("step step-done") == 4 and ">Cancel<" in panel

    Video.objects.filter(pk=video.pk).update(status=Video.Status.COMPLETED, progress=100)
    finished = as_alice.get(f"/videos/{video.pk}/status")
    assert "hx-trigger" not in finished.content.decode() and finished["HX-Trigger"] == "video-finished"
    assert finished.content.decode().count("step step-done") == 7


def test_it_shows_a_failure_with_its_message_and_a_retry_button(as_alice, alice, workspace):
    video = make_video(
        workspace,
        alice,
        status=Video.Status.FAILED,
        progress=2,
        error_message="This file is not a video or audio file.",
    )
    page = as_alice.get(f"/videos/{video.pk}/").content.decode()
    assert "This file is not a video or audio file." in page and ">Retry<" in page
    assert "step step-failed" in page and "hx-trigger" not in page.split('id="video-status"')[1].split(">")[0]


def test_it_shows_the_transcript_and_the_clips_with_scores_and_links(as_alice, done):
    page = as_alice.get(f"/videos/{done.pk}/").content.decode()
    assert 'data-seek="3.5"' in page and "0:03" in page and "About starting a company." in page
    assert page.count('class="clip-card"') == 3
    assert "90 · Excellent" in page and "70 · Good" in page and "30 · Below average" in page
    assert "Hook 81 · Pacing 62 · Completeness 55 · Shareability 77" in page
    assert "Why do founders fail?" in page and "The truth about startups. #startup #founder" in page
    assert (
        '<video controls preload="metadata"' in page
        and 'download aria-label="Download Clip number 1"' in page
    )
    # Sorted by score, best first, as the API does by default.
    assert page.index("Clip number 1") < page.index("Clip number 2") < page.index("Clip number 3")


def test_it_filters_and_sorts_clips_by_the_apis_parameters(as_alice, done):
    def titles(query: str) -> list[str]:
        page = as_alice.get(f"/videos/{done.pk}/?{query}").content.decode()
        return [part.split("</h3>")[0] for part in page.split('<h3 id="clip-title-')[1:]]

    assert [t.split(">")[1] for t in titles("favorited=true")] == ["Clip number 2"]
    assert [t.split(">")[1] for t in titles("minScore=60")] == ["Clip number 1", "Clip number 2"]
    assert [t.split(">")[1] for t in titles("sortBy=duration&sortOrder=asc")] == [
        "Clip number 2", "Clip number 1", "Clip number 3",
    ]  # fmt: skip
    # htmx (the filter form) gets the results partial, from which it keeps #clip-list.
    partial = as_alice.get(f"/videos/{done.pk}/?favorited=true", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="clip-list"' in partial and partial.count('class="clip-card"') == 1


def test_it_cancels_a_running_video_and_retries_it(as_alice, alice, workspace):
    video = make_video(workspace, alice, status=Video.Status.TRANSCRIBING, progress=30)
    response = as_alice.post(f"/videos/{video.pk}/cancel", {"confirm": "yes"})
    video.refresh_from_db()
    assert (
        response.status_code == 302
        and video.status == Video.Status.FAILED
        and video.error_code == "cancelled"
    )
    as_alice.post(f"/videos/{video.pk}/retry")
    video.refresh_from_db()
    assert video.status == Video.Status.QUEUED and video.error_message == ""


def test_it_deletes_a_video_for_its_submitter_but_not_for_another_member(client, alice, bob, workspace, done):
    client.force_login(bob)
    assert client.post(f"/videos/{done.pk}/delete").status_code == 403
    assert "Delete</button>" not in client.get(f"/videos/{done.pk}/").content.decode()
    client.force_login(alice)
    response = client.post(f"/videos/{done.pk}/delete", {"confirm": "yes"})
    assert response.status_code == 302 and response.url == "/videos/"
    assert not Video.objects.filter(pk=done.pk).exists() and not Clip.objects.exists()


def video_urls(video) -> list[tuple[str, str]]:
    return [("get", f"/videos/{video.pk}/"), ("get", f"/videos/{video.pk}/status"),
            ("get", f"/videos/{video.pk}/row"), ("post", f"/videos/{video.pk}/cancel"),
            ("post", f"/videos/{video.pk}/retry"), ("post", f"/videos/{video.pk}/delete")]  # fmt: skip


def test_it_hides_a_workspaces_videos_from_outsiders(client, charlie, done):
    client.force_login(charlie)
    for method, url in video_urls(done):
        assert getattr(client, method)(url).status_code == 404, url
    assert "Team talk" not in client.get("/videos/").content.decode()
    done.refresh_from_db()
    assert done.status == Video.Status.COMPLETED


def test_it_shows_a_workspaces_videos_to_its_members(client, bob, done):
    client.force_login(bob)
    for method, url in video_urls(done)[:3]:
        assert getattr(client, method)(url).status_code == 200, url
    assert "Team talk" in client.get("/videos/").content.decode()


def test_it_sends_anonymous_visitors_to_sign_in(client, done):
    for _method, url in [("get", "/videos/"), ("get", "/videos/new"), *video_urls(done)[:3]]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login"), url
