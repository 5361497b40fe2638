"""The periodic sweep: work whose job vanished (Redis restarted, worker gone) is never stuck."""

import os
from datetime import timedelta

import django_rq
import pytest
from django.utils import timezone

from clips import actions as clip_actions
from clips.models import Clip
from videos import actions, jobs, storage
from videos.models import Video

pytestmark = pytest.mark.django_db(transaction=True)


def queued_job_ids(queue: str) -> list[str]:
    return django_rq.get_queue(queue).get_job_ids()


def test_it_re_enqueues_a_queued_video_whose_job_was_lost(alice, workspace, clean_redis):
    video = Video.objects.create(workspace=workspace, submitted_by=alice, source_kind="url",
                                 source_url="https://a.example/v.mp4",
                                 created_at=timezone.now() - timedelta(minutes=10))  # fmt: skip
    assert queued_job_ids("default") == []  # as after a Redis restart without persistence
    assert jobs.sweep()["dispatched"] == 1
    assert queued_job_ids("default") == [actions.process_job_id(video.pk)]
    # While the job waits in Redis, the sweep leaves it alone.
    assert jobs.sweep()["dispatched"] == 0


def test_it_re_enqueues_a_queued_video_whose_worker_died_as_it_took_the_job(alice, workspace, clean_redis):
    from rq.job import JobStatus

    from clipsite.queues import STARTED_JOB_STALE_SECONDS

    video = Video.objects.create(workspace=workspace, submitted_by=alice, source_kind="url",
                                 source_url="https://a.example/v.mp4",
                                 created_at=timezone.now() - timedelta(minutes=10))  # fmt: skip
    assert jobs.sweep()["dispatched"] == 1
    job = django_rq.get_queue("default").fetch_job(actions.process_job_id(video.pk))
    # A worker took it (started, stamped) and was killed before the job wrote anything.
    job.set_status(JobStatus.STARTED)
    job.heartbeat(timezone.now(), 600)
    assert jobs.sweep()["dispatched"] == 0, "a job its worker still stamps is left alone"

    job.heartbeat(timezone.now() - timedelta(seconds=STARTED_JOB_STALE_SECONDS + 30), 600)
    assert jobs.sweep()["dispatched"] == 1
    assert django_rq.get_queue("default").fetch_job(job.id).get_status() == JobStatus.QUEUED


def test_it_re_enqueues_a_queued_video_whose_job_left_the_queue_without_starting(alice, workspace, clean_redis):
    from clipsite.queues import STARTED_JOB_STALE_SECONDS

    video = Video.objects.create(workspace=workspace, submitted_by=alice, source_kind="url",
                                 source_url="https://a.example/v.mp4",
                                 created_at=timezone.now() - timedelta(minutes=10))  # fmt: skip
    assert jobs.sweep()["dispatched"] == 1
    queue = django_rq.get_queue("default")
    job = queue.fetch_job(actions.process_job_id(video.pk))
    # A worker moved the id off the queue, then died (or Redis came back from an append-only
    # file without the "started" mark): the job still reads "queued" but no worker will see it.
    queue.connection.lrem(queue.key, 0, job.id)
    assert jobs.sweep()["dispatched"] == 0, "just enqueued: a worker may be between taking and starting it"

    job.enqueued_at = timezone.now() - timedelta(seconds=STARTED_JOB_STALE_SECONDS + 30)
    job.save()
    assert jobs.sweep()["dispatched"] == 1
    assert queued_job_ids("default") == [job.id]
    assert jobs.sweep()["dispatched"] == 0, "back in its queue, it is left alone however old"


def test_it_re_renders_a_lost_clip_then_fails_it_and_finishes_the_video(finished_video, clean_redis):
    Video.objects.filter(pk=finished_video.pk).update(status=Video.Status.GENERATING_CLIPS)
    clip = finished_video.clips.get(rank=3)
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.GENERATING, render_version=2, render_attempts=1)
    assert jobs.sweep()["renders"] == 1
    clip.refresh_from_db()
    assert queued_job_ids("render") == [clip_actions.render_job_id(clip)]

    # The render started, then its worker died: the heartbeat goes stale on the last attempt.
    django_rq.get_connection("default").flushdb()
    Clip.objects.filter(pk=clip.pk).update(render_attempts=2, heartbeat_at=timezone.now() - timedelta(hours=1))
    assert jobs.sweep()["renders"] == 1
    clip.refresh_from_db()
    assert clip.status == Clip.Status.FAILED and clip.error and "stopped unexpectedly" in clip.error_message
    # The other clips are done, so the video completes (with one failed clip) rather than hang.
    finished_video.refresh_from_db()
    assert finished_video.status == Video.Status.COMPLETED


def test_it_leaves_a_live_video_alone(alice, workspace, clean_redis):
    video = Video.objects.create(workspace=workspace, submitted_by=alice, source_kind="url",
                                 status=Video.Status.TRANSCRIBING, heartbeat_at=timezone.now(), attempts=1)  # fmt: skip
    assert jobs.sweep()["retried"] == 0
    video.refresh_from_db()
    assert video.status == Video.Status.TRANSCRIBING


def test_it_removes_scratch_folders_whose_job_is_gone_and_keeps_live_ones(
    alice, workspace, finished_video, settings, tmp_path, clean_redis
):
    settings.VAR_DIR = tmp_path
    running = Video.objects.create(
        workspace=workspace, submitted_by=alice, source_kind="url", status=Video.Status.TRANSCRIBING,
        heartbeat_at=timezone.now(), attempts=2,
    )  # fmt: skip
    source = tmp_path / "upload.mp4"
    source.write_bytes(b"media")
    dead_attempt = storage.work_dir(running.pk, 1)
    os.link(source, dead_attempt / "source.mp4")  # what ingest leaves for an upload
    live_attempt = storage.work_dir(running.pk, 2)
    (live_attempt / "source.mp4").write_bytes(b"media")
    done, rendering = finished_video.clips.order_by("rank")[:2]
    Clip.objects.filter(pk=rendering.pk).update(status=Clip.Status.GENERATING, render_version=3,
                                                heartbeat_at=timezone.now())  # fmt: skip
    finished_render = storage.render_dir(finished_video.pk, done.pk, done.render_version)
    (finished_render / "partial.mp4").write_bytes(b"half")
    old_render = storage.render_dir(finished_video.pk, rendering.pk, 2)
    live_render = storage.render_dir(finished_video.pk, rendering.pk, 3)
    (storage.work_root("vid_deleted") / "attempt-1").mkdir(parents=True)
    storage.work_root("vid_empty").mkdir(parents=True)

    assert jobs.sweep()["work"] == 4
    assert not dead_attempt.exists() and source.stat().st_nlink == 1
    assert live_attempt.is_dir() and live_render.is_dir()
    assert not finished_render.exists() and not old_render.exists()
    assert not storage.work_root("vid_deleted").exists() and not storage.work_root("vid_empty").exists()


def test_it_keeps_sweeping_while_redis_is_down_and_dispatches_once_it_is_back(alice, workspace, redis_outage):
    old = timezone.now() - timedelta(minutes=10)
    lost = Video.objects.create(workspace=workspace, submitted_by=alice, source_kind="url", created_at=old,
                                status=Video.Status.TRANSCRIBING, heartbeat_at=old, attempts=1)  # fmt: skip
    waiting = Video.objects.create(workspace=workspace, submitted_by=alice, source_kind="url", created_at=old)
    redis_outage.kill()
    counts = jobs.sweep()  # Redis cannot say which jobs are lost; the rest of the sweep goes on
    assert counts["retried"] == 1 and counts["dispatched"] == 0
    lost.refresh_from_db()
    assert lost.status == Video.Status.QUEUED

    redis_outage.start()
    assert jobs.sweep()["dispatched"] == 2
    assert sorted(queued_job_ids("default")) == sorted(actions.process_job_id(v.pk) for v in (lost, waiting))
