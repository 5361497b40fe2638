"""The time left of a running video, from the speeds finished videos measured (videos.estimate)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clips.models import Clip
from tests.videos.test_views import completed_video, make_clip, make_video
from videos import estimate
from videos.models import Video

pytestmark = pytest.mark.django_db

# A finished 600 s video's stages: 0.1 s of transcription per second of source, and so on.
TIMINGS = {"download": 6.0, "upload": 3.0, "transcribe": 60.0, "analyze": 12.0}


def finished(workspace, user, *, render_seconds: float = 120.0, clip_seconds: float = 60.0, **timings) -> Video:
    """A completed 600 s video whose clips (``clip_seconds`` in all) took ``render_seconds``."""
    done_at = timezone.now()
    video = completed_video(workspace, user, duration=600.0, timings={**TIMINGS, **timings}, finished_at=done_at)
    for rank, part in enumerate((clip_seconds / 2, clip_seconds / 2), start=1):
        make_clip(video, rank, start=rank * 100.0, end=rank * 100.0 + part,
                  created_at=done_at - timedelta(seconds=render_seconds))  # fmt: skip
    return video


def test_it_has_no_estimate_before_any_video_finished(alice, workspace):
    video = make_video(workspace, alice, status=Video.Status.TRANSCRIBING, progress=20, duration=300.0)

    assert estimate.measured_speeds() == estimate.Speeds(per_source_second={}, render_per_clip_second=None)
    assert estimate.seconds_left(video) is None
    assert estimate.describe(None) == ""


def test_it_measures_each_stage_per_second_of_source(alice, workspace):
    finished(workspace, alice)
    finished(workspace, alice, transcribe=90.0, render_seconds=180.0)
    finished(workspace, alice, transcribe=600.0, render_seconds=240.0)  # one odd run moves no median far

    speeds = estimate.measured_speeds()

    assert speeds.per_source_second == pytest.approx(
        {"download": 0.01, "upload": 0.005, "transcribe": 0.15, "analyze": 0.02, "render": 0.3}
    )
    assert speeds.render_per_clip_second == pytest.approx(3.0)


def test_it_sums_the_stages_left_with_the_current_one_by_its_progress(alice, workspace):
    finished(workspace, alice)
    at_start = make_video(workspace, alice, status=Video.Status.TRANSCRIBING, progress=20, duration=300.0)
    # Transcription spans 20-55 % of the bar: at 41 % three fifths of it are done.
    further = make_video(workspace, alice, status=Video.Status.TRANSCRIBING, progress=41, duration=300.0)
    analysing = make_video(workspace, alice, status=Video.Status.ANALYZING, progress=55, duration=300.0)

    # 300 s at 0.1 (transcribe) + 0.02 (analyze) + 0.2 (render) seconds per second of source.
    assert estimate.seconds_left(at_start) == pytest.approx(96.0)
    assert estimate.seconds_left(further) == pytest.approx(0.4 * 30 + 6 + 60)
    assert estimate.seconds_left(analysing) == pytest.approx(66.0)
    assert estimate.describe(estimate.seconds_left(at_start)) == "About 2 min left"


def test_it_has_no_estimate_while_the_length_is_unknown(alice, workspace):
    finished(workspace, alice)
    queued = make_video(workspace, alice, status=Video.Status.QUEUED)
    downloading = make_video(workspace, alice, status=Video.Status.DOWNLOADING, progress=5,
                             source_kind="youtube", source_url="https://www.youtube.com/watch?v=abc")  # fmt: skip
    retried = make_video(workspace, alice, status=Video.Status.QUEUED, duration=300.0)

    assert estimate.seconds_left(queued) is None
    assert estimate.seconds_left(downloading) is None
    # A queued retry knows its length: the whole processing, from when a worker takes it.
    assert estimate.seconds_left(retried) == pytest.approx(300 * (0.01 + 0.005 + 0.1 + 0.02 + 0.2))


def test_it_renders_at_the_machines_pace_until_a_clip_finishes_then_at_the_videos_own(alice, workspace):
    finished(workspace, alice)  # 120 s for 60 s of clips: 2 s a clip second
    video = make_video(workspace, alice, status=Video.Status.GENERATING_CLIPS, progress=60, duration=300.0)
    began = timezone.now() - timedelta(seconds=50)
    pending = {"status": Clip.Status.GENERATING, "file": "", "thumbnail": "", "created_at": began}
    first = make_clip(video, 1, start=0.0, end=20.0, **pending)
    make_clip(video, 2, start=30.0, end=40.0, **pending)

    assert estimate.seconds_left(video) == pytest.approx(60.0)

    Clip.objects.filter(pk=first.pk).update(status=Clip.Status.COMPLETED)
    # 20 s of clip in the 50 s since rendering began: the 10 s left take about 25 s more.
    assert estimate.seconds_left(video, now=began + timedelta(seconds=50)) == pytest.approx(25.0)


def test_it_leaves_out_clips_made_after_the_video_finished(alice, workspace):
    video = finished(workspace, alice)
    make_clip(video, 3, start=300.0, end=360.0, created_at=video.finished_at + timedelta(hours=1))

    assert estimate.measured_speeds().render_per_clip_second == pytest.approx(2.0)


def test_it_words_the_time_left():
    assert [estimate.describe(s) for s in (12, 59.9, 61, 150, 3599, 3600, 4500)] == [
        "Less than a minute left", "Less than a minute left", "About 1 min left", "About 2 min left",
        "About 1 h left", "About 1 h left", "About 1 h 15 min left",
    ]  # fmt: skip


def test_it_shows_the_time_left_on_the_status_panel_while_the_video_runs(client, alice, workspace):
    finished(workspace, alice)
    running = make_video(workspace, alice, status=Video.Status.TRANSCRIBING, progress=20, duration=300.0)
    client.force_login(alice)

    panel = client.get(reverse("videos:status", args=[running.pk]), HTTP_HX_REQUEST="true").content.decode()
    page = client.get(reverse("videos:detail", args=[running.pk])).content.decode()
    done = client.get(reverse("videos:status", args=[completed_video(workspace, alice).pk])).content.decode()

    assert 'id="time-left"' in panel and "About 2 min left" in panel
    assert "About 2 min left" in page
    assert 'id="time-left"' not in done


def test_it_shows_no_time_left_to_an_outsider(client, alice, charlie, workspace):
    finished(workspace, alice)
    running = make_video(workspace, alice, status=Video.Status.TRANSCRIBING, progress=20, duration=300.0)
    client.force_login(charlie)

    response = client.get(reverse("videos:status", args=[running.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 404
    assert b"time-left" not in response.content and b"min left" not in response.content
