"""A job from an earlier processing attempt can no longer write to the video."""

import pytest

from videos import actions, storage
from videos.models import Video


def test_it_refuses_writes_from_a_stale_attempt(alice, workspace):
    video = Video.objects.create(workspace=workspace, submitted_by=alice, source_kind="url")
    first = actions.claim(video.pk)
    assert first.attempts == 1
    actions.requeue_lost(first, first.status)  # the sweep: its worker was lost
    second = actions.claim(video.pk)
    assert second.attempts == 2

    with pytest.raises(actions.VideoStopped):
        actions.record(first, title="from the stale attempt")
    with pytest.raises(actions.VideoStopped):
        actions.advance(first, Video.Status.TRANSCRIBING)
    with pytest.raises(actions.VideoStopped):
        actions.charge_minutes(first, 60)
    actions.advance(second, Video.Status.UPLOADING, title="current")
    video.refresh_from_db()
    assert (video.status, video.title, video.minutes_charged) == (Video.Status.UPLOADING, "current", 0)


def test_it_gives_each_attempt_its_own_work_folder(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first, second = storage.work_dir("vid_x", 1), storage.work_dir("vid_x", 2)
    assert first != second and first.parent == second.parent == storage.work_root("vid_x")
