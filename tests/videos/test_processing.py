"""A real video through real RQ workers: queued -> completed, parallel renders, dead workers."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import requests
from django.core.files.storage import default_storage
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from accounts.models import MinuteEntry
from clips import actions as clip_actions
from clips.models import Clip
from clipsite.signed_media import signed_url
from tests.media import REPO_ROOT
from tests.workers import kill_worker, run_workers, start_worker
from videos import jobs, storage
from videos.models import Video

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def ledger(workspace) -> list[tuple[str, int]]:
    return list(workspace.minute_entries.order_by("created_at", "id").values_list("kind", "amount"))


def assert_ledger_matches_balance(workspace):
    workspace.refresh_from_db()
    total = MinuteEntry.objects.filter(workspace=workspace).aggregate(t=Sum("amount"))["t"]
    assert total == workspace.minutes_balance


def fetch(url: str) -> bytes:
    if url.startswith("http"):
        response = requests.get(url, timeout=30)
        assert response.status_code == 200, response.text[:300]
        return response.content
    response = Client().get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_it_takes_a_talk_from_queued_to_completed_with_two_render_workers(alice, workspace, submit_talk):
    video = submit_talk(workspace, alice)
    assert video.status == Video.Status.QUEUED and video.progress == 0

    run_workers(1, queues=("default",), prefix="ingest")
    video.refresh_from_db()
    assert video.status == Video.Status.GENERATING_CLIPS, video.error_message
    assert video.minutes_charged == 1 and video.duration == pytest.approx(45, abs=0.5)
    assert video.transcript["sentences"] and video.transcript["words"]
    assert set(video.timings) == {"download", "upload", "transcribe", "analyze"}

    workers = run_workers(2, queues=("render",), prefix="render")
    video.refresh_from_db()
    assert video.status == Video.Status.COMPLETED and video.progress == 100, video.error_message
    clips = list(video.clips.order_by("rank"))
    assert len(clips) == 2 and [c.rank for c in clips] == [1, 2]
    # Both workers took a clip: the video's renders ran in parallel.
    assert {c.rendered_by for c in clips} == set(workers)
    for clip in clips:
        assert clip.status == Clip.Status.COMPLETED and not clip.error
        assert (clip.width, clip.height) == (360, 640)
        assert 8 - 0.5 <= clip.duration <= 20 + 0.5
        data = fetch(signed_url(clip.file.name, download_name="clip.mp4"))
        assert data[4:8] == b"ftyp" and data == default_storage.open(clip.file.name).read()
        assert fetch(signed_url(clip.thumbnail.name))[:3] == b"\xff\xd8\xff"
        # The render's shots, saved with the clip, cover it; the talk's one person was found.
        assert clip.shots[0]["start"] == 0 and clip.shots[-1]["end"] == pytest.approx(clip.duration, abs=0.1)
        assert clip.layout == "crop" and len(clip.speakers) == 1

    assert ledger(workspace) == [("monthly_reset", 60), ("debit", -1)]
    assert_ledger_matches_balance(workspace)
    assert workspace.minutes_balance == 59

    # Re-render the first clip 2 s shorter with another template, forced to fit, with a pin
    # the next re-render keeps: a new file replaces the old.
    first = clips[0]
    old_names = (first.file.name, first.thumbnail.name)
    pins = [{"start": 0.0, "end": 2.0, "x": first.speakers[0]["x"], "speaker": first.speakers[0]["id"]}]
    clip_actions.rerender(first, end=first.end - 2.0, caption_template="minimal", layout="fit", pins=pins)
    first.refresh_from_db()
    assert first.recompiling and first.status == Clip.Status.GENERATING
    run_workers(1, queues=("render",), prefix="rerender")
    first.refresh_from_db()
    assert first.status == Clip.Status.COMPLETED and not first.recompiling and first.render_version == 2
    assert first.file.name.endswith("-v2.mp4") and not any(default_storage.exists(n) for n in old_names)
    assert probe_duration(first.file.name) == pytest.approx(first.duration, abs=0.15)
    assert (first.layout, {shot["layout"] for shot in first.shots}, first.pins) == ("fit", {"fit"}, pins)
    video.refresh_from_db()
    assert video.status == Video.Status.COMPLETED and video.minutes_charged == 1  # re-rendering is free


def probe_duration(name: str) -> float:
    import json
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".mp4") as handle:
        handle.write(default_storage.open(name).read())
        handle.flush()
        result = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json",
                                 handle.name], capture_output=True, text=True, check=True)  # fmt: skip
    return float(json.loads(result.stdout)["format"]["duration"])


def test_it_charges_nothing_and_says_how_many_minutes_are_missing(alice, workspace, submit_talk):
    from accounts import actions as accounts

    accounts.debit_minutes(workspace, 59)
    video = submit_talk(workspace, alice)
    accounts.debit_minutes(workspace, 1)  # spent elsewhere between submit and processing
    run_workers(1, queues=("default",))
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED
    assert "needs 1 minutes but the workspace has 0" in video.error_message
    assert video.minutes_charged == 0
    assert_ledger_matches_balance(workspace)


def test_it_retries_a_video_whose_worker_was_killed_without_charging_twice(alice, workspace, submit_talk):
    video = submit_talk(workspace, alice)
    worker = start_worker("doomed", ("default",))
    wait_for_status(video, Video.Status.TRANSCRIBING)
    assert video.minutes_charged == 1
    kill_worker(worker)

    # Time passes with no heartbeat: the sweep sees the job is dead and queues it again.
    Video.objects.filter(pk=video.pk).update(heartbeat_at=video.heartbeat_at - jobs_stale())
    assert jobs.sweep()["retried"] == 1
    video.refresh_from_db()
    assert video.status == Video.Status.QUEUED and video.attempts == 1

    # The dead attempt's folder, with its hard link to the upload, went with the sweep.
    assert not (storage.work_root(video.pk) / "attempt-1").exists()
    assert os.stat(storage.local_path(video.source_file.name)).st_nlink == 1

    run_workers(1, queues=("default",))
    run_workers(1, queues=("render",))
    video.refresh_from_db()
    assert video.status == Video.Status.COMPLETED, video.error_message
    assert video.attempts == 2
    assert not storage.work_root(video.pk).exists()  # no scratch, not even an empty folder
    assert video.clips.count() == 2 and sorted(video.clips.values_list("rank", flat=True)) == [1, 2]
    assert ledger(workspace) == [("monthly_reset", 60), ("debit", -1)]
    assert_ledger_matches_balance(workspace)


def test_it_keeps_a_killed_renders_files_in_the_work_folder_and_sweeps_them(
    alice, workspace, submit_talk, tmp_path
):
    video = submit_talk(workspace, alice)
    run_workers(1, queues=("default",), prefix="ingest")
    video.refresh_from_db()
    assert video.status == Video.Status.GENERATING_CLIPS, video.error_message
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    worker = start_worker("doomed-render", ("render",), env={"TMPDIR": str(system_temp)})
    deadline = time.monotonic() + 120
    while not any(storage.work_root(video.pk).glob("render-*/*")) and not any(system_temp.iterdir()):
        assert time.monotonic() < deadline, "the render never wrote a scratch file"
        time.sleep(0.05)
    kill_worker(worker)
    assert list(system_temp.iterdir()) == []  # nothing of the render lands in the system temp folder
    [scratch] = storage.work_root(video.pk).glob("render-*")
    killed = Clip.objects.get(pk=scratch.name.removeprefix("render-").rpartition("-v")[0])

    # The killed render is given up (its attempts spent): its scratch folder is no one's any more.
    Clip.objects.filter(pk=killed.pk).update(render_attempts=9, heartbeat_at=timezone.now() - jobs_stale())
    counts = jobs.sweep()
    assert counts["renders"] == 1 and counts["work"] == 1
    assert not scratch.exists()
    run_workers(1, queues=("render",))
    video.refresh_from_db()
    assert video.status == Video.Status.COMPLETED  # with the killed clip failed
    assert not storage.work_root(video.pk).exists()


def test_it_fails_and_refunds_when_the_worker_dies_on_the_last_attempt(alice, workspace, submit_talk):
    video = submit_talk(workspace, alice)
    Video.objects.filter(pk=video.pk).update(attempts=1)  # one attempt already lost
    worker = start_worker("doomed-again", ("default",))
    wait_for_status(video, Video.Status.TRANSCRIBING)
    kill_worker(worker)
    Video.objects.filter(pk=video.pk).update(heartbeat_at=video.heartbeat_at - jobs_stale())
    assert jobs.sweep()["failed"] == 1
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED and video.error_code == "worker_lost"
    assert "stopped unexpectedly 2 times" in video.error_message
    assert video.minutes_refunded == video.minutes_charged == 1
    assert ledger(workspace) == [("monthly_reset", 60), ("debit", -1), ("refund", 1)]
    assert_ledger_matches_balance(workspace)
    assert video.clips.count() == 0


def test_it_waits_in_queue_beyond_the_plans_concurrent_jobs(alice, workspace, submit_talk):
    first, second = submit_talk(workspace, alice), submit_talk(workspace, alice)
    from videos import actions

    claimed = actions.claim(first.pk)
    assert claimed is not None and claimed.status == Video.Status.DOWNLOADING
    # The Free plan runs one video at a time: the second stays queued.
    assert actions.claim(second.pk) is None
    second.refresh_from_db()
    assert second.status == Video.Status.QUEUED
    actions.fail(claimed, "stopped for the test")
    assert actions.claim(second.pk) is not None


def wait_for_status(video: Video, status: str, timeout: float = 120) -> None:
    """Poll until the video reaches ``status`` (a worker in another process moves it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        video.refresh_from_db()
        if video.status == status:
            return
        time.sleep(0.05)
    raise AssertionError(f"video stayed {video.status!r}, never reached {status!r}")


def jobs_stale():
    from datetime import timedelta

    return timedelta(seconds=jobs.STALE_SECONDS + 60)


@pytest.mark.skipif(os.environ.get("CLIPSITE_INNER_E2E") == "1", reason="already the PostgreSQL + S3 run")
def test_it_runs_end_to_end_on_postgresql_with_s3_storage(postgres_url, moto_endpoint):
    """The multi-machine configuration on one machine: the first test again, on PostgreSQL and S3."""
    import boto3

    bucket = "clipsite-e2e"
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1", aws_access_key_id="test",
                      aws_secret_access_key="test")  # fmt: skip
    s3.create_bucket(Bucket=bucket)
    env = {**os.environ, "CLIPSITE_INNER_E2E": "1", "DATABASE_URL": postgres_url, "STORAGE_BACKEND": "s3",
           "AWS_STORAGE_BUCKET_NAME": bucket, "AWS_S3_ENDPOINT_URL": moto_endpoint, "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_S3_REGION_NAME": "us-east-1"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--no-header",
         "tests/videos/test_processing.py::test_it_takes_a_talk_from_queued_to_completed_with_two_render_workers"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
    stored = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert sum(key.endswith(".mp4") and "/clips/" in key for key in stored) == 2
    assert any(key.endswith("/upload.mp4") for key in stored)
