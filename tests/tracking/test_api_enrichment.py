"""viralcli's enrichment half under /v1/: analyze, jobs, pipeline and storyboards.

YouTube's pages are answered from recordings at the provider's edge (tests/trends.py);
the caption and media files those pages link to are served by a real local HTTP server,
and jobs run in a real RQ worker (in this process, so the edge stays replaced).
"""

from __future__ import annotations

import cv2
import django_rq
import numpy as np
import pytest
from rq import SimpleWorker

from accounts.models import UsageEntry
from pipeline.audio import decode_audio
from pipeline.transcribe import transcribe
from pipeline.trends.storyboard import grid, tile_size
from tests.media import build_talk_video
from tests.pipeline.http_server import LocalHTTPServer
from tests.pipeline.platform_fakes import answering, recorded_text, ytdlp_failure
from tests.trends import recorded_youtube
from tracking import jobs
from tracking.models import EnrichmentJob, PlatformVideo

# Jobs are enqueued when their transaction commits, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

VIDEO_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
TALK_SECONDS = 45.0


@pytest.fixture
def v1(api_client, alice, key_for, clean_redis, settings):
    settings.PLATFORM_MIN_INTERVAL = 0
    # The caption and media files are on a loopback server standing in for YouTube's.
    settings.PIPELINE = settings.PIPELINE.replace(allow_private_urls=True)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(alice)}")
    return api_client


@pytest.fixture
def server():
    with LocalHTTPServer() as running:
        yield running


@pytest.fixture
def talk(server):
    path = build_talk_video(TALK_SECONDS, 640, 360, 25)
    return path, server.add_file("/videoplayback/talk.mp4", path, content_type="video/mp4")


def work() -> None:
    """Run every queued job with a real RQ worker, in this process."""
    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def analyze(v1, url=VIDEO_URL, **extra):
    return v1.post("/v1/analyze", {"url": url, **extra}, format="json")


def used(workspace, kind=UsageEntry.Kind.ENRICHMENT) -> int:
    workspace.refresh_from_db()
    return workspace.usage_used(kind)


def test_it_enriches_from_the_platforms_captions_and_caches_the_result(v1, server, workspace):
    captions = server.add_bytes("/api/timedtext.vtt", recorded_text("youtube_uploaded_captions.vtt").encode(),
                                content_type="text/vtt")  # fmt: skip
    with recorded_youtube(captions_url=captions) as edge:
        created = analyze(v1, density=4)
        assert created.status_code == 202
        assert created.json() == {"job_id": created.json()["job_id"], "status": "queued"}
        assert used(workspace) == 1
        work()
        job = v1.get(f"/v1/jobs/{created.json()['job_id']}").json()
        assert job["status"] == "done" and job["kind"] == "analyze" and job["error"] is None, job
        result = job["result"]
        assert {"platform", "video_id", "creator", "caption", "views", "likes", "comments", "age_days",
                "views_per_day", "duration_sec", "transcript", "transcript_kind"} <= set(result)  # fmt: skip
        assert result["platform"] == "youtube" and result["video_id"] == "dQw4w9WgXcQ"
        assert result["transcript_kind"] == "captions"
        assert "crash course european history" in result["transcript"].lower()
        link = "/v1/storyboard?url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3DdQw4w9WgXcQ&density=4"
        assert result["storyboard_url"].endswith(link)
        assert len(result["heatmap"]) == 100
        assert server.paths_requested() == ["/api/timedtext.vtt"]  # no audio fetched for a captioned video

        # The repeat is answered from the cache at once, for free.
        again = analyze(v1)
        assert again.status_code == 202 and again.json()["status"] == "done"
        assert v1.get(f"/v1/jobs/{again.json()['job_id']}").json()["result"]["transcript"] == result["transcript"]
        assert used(workspace) == 1 and len(edge.calls) == 1
    video = v1.get("/v1/videos/youtube/dQw4w9WgXcQ").json()
    assert video["transcript"] == result["transcript"] and video["transcript_kind"] == "captions"


def test_it_transcribes_the_hook_of_a_real_talk_from_a_prefix_only(v1, talk, server, workspace, settings):
    path, media = talk
    settings.HOOK_SECONDS = 10.0
    with recorded_youtube(media_url=media, duration=TALK_SECONDS):
        job_id = analyze(v1).json()["job_id"]
        work()
    job = v1.get(f"/v1/jobs/{job_id}").json()
    assert job["status"] == "done", job
    assert job["result"]["transcript_kind"] == "hook" and job["result"]["duration_sec"] == TALK_SECONDS
    # The engine's own transcript of the same seconds of the same file.
    expected = transcribe(decode_audio(path, settings.PIPELINE, end=10.0), settings.PIPELINE)
    assert _words(job["result"]["transcript"]) == _words(expected.text)
    # Only a prefix of the file was asked for: closed ranges that stop well before its end.
    ranges = [hit.headers.get("Range", "") for hit in server.hits]
    assert ranges and all(r.startswith("bytes=") for r in ranges), ranges
    assert max(int(r.partition("-")[2]) for r in ranges) < path.stat().st_size * 0.6, ranges
    stored = PlatformVideo.objects.get(video_id="dQw4w9WgXcQ")
    assert stored.transcript_kind == "hook" and stored.transcript_words["words"]

    # A hook in the cache does not answer a request for the whole video: that is new work, charged.
    with recorded_youtube(media_url=media, duration=TALK_SECONDS):
        full = analyze(v1, full=True).json()
        assert full["status"] == "queued" and used(workspace) == 2
        work()
    result = v1.get(f"/v1/jobs/{full['job_id']}").json()["result"]
    assert result["transcript_kind"] == "full" and len(_words(result["transcript"])) > len(_words(expected.text))


def _words(text: str) -> list[str]:
    return [word.strip(".,!?;:\"'").lower() for word in text.split()]


@pytest.mark.parametrize("density", [1, 9])
def test_it_makes_a_storyboard_with_n_tiles_charged_and_never_stored(v1, talk, workspace, density):
    _, media = talk
    with recorded_youtube(media_url=media, duration=TALK_SECONDS):
        response = v1.get("/v1/storyboard", {"url": "https://youtu.be/dQw4w9WgXcQ", "density": density})
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response.content[:3] == b"\xff\xd8\xff"
    image = cv2.imdecode(np.frombuffer(response.content, np.uint8), cv2.IMREAD_COLOR)
    columns, rows = grid(density)
    width, height = tile_size(640, 360)
    assert image.shape[:2] == (rows * height, columns * width)
    assert used(workspace) == 1
    assert not list((django_settings_var() / "work").glob("*/storyboard"))


def django_settings_var():
    from django.conf import settings

    return settings.VAR_DIR


@pytest.mark.parametrize(
    "url",
    ["https://vimeo.com/76979871", "http://127.0.0.1:8000/watch?v=dQw4w9WgXcQ", "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
     "https://www.youtube.com/@channel", "file:///etc/passwd"],
)  # fmt: skip
def test_it_refuses_links_that_are_not_platform_videos_with_400_and_no_charge(v1, youtube, workspace, url):
    for response in (analyze(v1, url), v1.get("/v1/storyboard", {"url": url})):
        assert response.status_code == 400, response.content
        assert response.json()["error"] == "url_refused"
    assert youtube.calls == [] and used(workspace) == 0 and not EnrichmentJob.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"url": VIDEO_URL, "density": 26}, "density"), ({"url": VIDEO_URL, "density": 0}, "density"),
     ({"density": 3}, "url"), ({"url": VIDEO_URL, "full": "maybe"}, "full")],
)  # fmt: skip
def test_it_validates_analyze_bodies_with_422(v1, youtube, workspace, body, field):
    response = v1.post("/v1/analyze", body, format="json")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", field]
    assert used(workspace) == 0


def test_it_caps_jobs_in_flight_per_account_with_429(v1, youtube, workspace):
    assert analyze(v1).status_code == 202
    busy = analyze(v1, "https://youtu.be/aaaaaaaaaaa")
    assert busy.status_code == 429 and busy.json()["error"] == "too_many_jobs" and int(busy["Retry-After"]) > 0
    assert used(workspace) == 1 and EnrichmentJob.objects.count() == 1


def test_it_caps_jobs_in_flight_across_accounts(v1, youtube, workspace, settings):
    from accounts.models import Plan

    workspace.plan = Plan.objects.get(slug="pro")
    workspace.save()
    settings.ENRICH_GLOBAL_MAX = 2
    assert analyze(v1).status_code == 202
    assert analyze(v1, "https://youtu.be/aaaaaaaaaaa").status_code == 202
    busy = analyze(v1, "https://youtu.be/bbbbbbbbbbb")
    assert busy.status_code == 429 and busy.json()["error"] == "busy"


def test_it_shows_a_job_only_to_its_account(v1, youtube, charlie, key_for):
    job_id = analyze(v1).json()["job_id"]
    from rest_framework.test import APIClient

    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(charlie)}")
    assert other.get(f"/v1/jobs/{job_id}").status_code == 404
    assert v1.get("/v1/jobs/job_doesnotexist").status_code == 404


def test_it_refunds_a_job_the_platform_refused_but_not_a_private_video(v1, workspace):
    refused = ytdlp_failure("youtube", "Sign in to confirm you're not a bot. This helps protect our community.")
    with answering("youtube", refused):
        job_id = analyze(v1).json()["job_id"]
        work()
    job = v1.get(f"/v1/jobs/{job_id}").json()
    assert job["status"] == "error" and job["error_code"] == "platform_refused" and "--cookies" not in job["error"]
    assert used(workspace) == 0

    private = ytdlp_failure("youtube", "Private video. Sign in if you've been granted access to this video")
    with answering("youtube", private):
        job_id = analyze(v1).json()["job_id"]
        work()
    job = v1.get(f"/v1/jobs/{job_id}").json()
    assert job["status"] == "error" and job["error_code"] == "video_unavailable" and "private" in job["error"]
    assert used(workspace) == 1


def test_it_runs_the_pipeline_discovery_then_the_top_breakout(v1, server, workspace):
    vtt = recorded_text("youtube_uploaded_captions.vtt").encode()
    captions = server.add_bytes("/cc.vtt", vtt, content_type="text/vtt")
    with recorded_youtube(captions_url=captions) as edge:
        created = v1.post("/v1/pipeline", {"seed": "blind test"}, format="json")
        assert created.status_code == 202 and created.json()["status"] == "queued"
        work()
    job = v1.get(f"/v1/jobs/{created.json()['job_id']}").json()
    assert job["status"] == "done" and job["kind"] == "pipeline", job
    result = job["result"]
    assert result["seed"] == "blind test" and result["verdict"] and result["breakouts"]
    assert result["enriched"]["transcript_kind"] == "captions"
    top = result["breakouts"][0]["id"]
    assert edge.calls[0] == ("ytsearch50:blind test", True) and top in edge.calls[1][0]
    assert used(workspace) == 1 and used(workspace, UsageEntry.Kind.DISCOVERY) == 0
    assert v1.get("/v1/signals", {"seed": "blind test"}).json()["signals"][0]["signal_id"] == result["signal_id"]


def test_the_sweep_retries_a_job_whose_worker_died_then_fails_it_with_a_refund(v1, youtube, workspace):
    from datetime import timedelta

    from django.utils import timezone

    from tracking import actions

    job = EnrichmentJob.objects.get(pk=analyze(v1).json()["job_id"])
    for attempt in range(1, actions.MAX_ATTEMPTS + 1):
        claimed = actions.claim_job(job.pk)
        assert claimed.attempt == attempt
        EnrichmentJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
        counts = jobs.sweep()
    assert counts["failed"] == 1
    job.refresh_from_db()
    assert job.status == "error" and job.error_code == "worker_lost" and used(workspace) == 0


def test_the_sweep_enqueues_a_job_redis_lost(v1, youtube, workspace):
    from datetime import timedelta

    from django.utils import timezone

    job_id = analyze(v1).json()["job_id"]
    django_rq.get_queue("default").empty()
    EnrichmentJob.objects.filter(pk=job_id).update(created_at=timezone.now() - timedelta(minutes=5))
    assert jobs.sweep()["dispatched"] == 1
    assert django_rq.get_queue("default").job_ids == [f"enrich-{job_id}"]
