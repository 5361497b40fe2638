"""The real ``clipsite`` executable through one real talk, on a live server with a real RQ
worker: upload with a bar, follow it with a live bar, list the clips, download them (and
not again), resume a cut download, and the exit codes scripts rely on."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from clipsite_cli.download import part_path
from tests.cli.conftest import media_requests
from tests.workers import kill_worker, start_worker
from videos.models import Video

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# What rich draws for a live bar in a terminal: frames redrawn in place, with colours.
INTERACTIVE = {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def probe_duration(path) -> float:
    done = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return float(done.stdout)


def test_it_takes_a_real_talk_from_upload_to_downloaded_clips(clipsite, live_server, alice, charlie, key_for,
                                                              talk_path, clean_redis, tmp_path, served):  # fmt: skip
    server = {"url": live_server.url, "key": key_for(alice)}
    worker = start_worker(f"cli-{os.getpid()}", burst=False)
    try:
        submitted = clipsite("submit", str(talk_path), "--clips", "1", "--min-length", "8", "--max-length", "20",
                             "--template", "hormozi", **server)  # fmt: skip
        assert submitted.code == 0, submitted.err
        video_id = re.search(r"^Submitted (vid_\w+) \(", submitted.out, re.M).group(1)
        size = talk_path.stat().st_size
        mb = f"{size / 1e6:.1f}"
        assert re.search(rf"Uploading {re.escape(talk_path.name)} .*100%.* {mb}/{mb} MB", submitted.err)
        video = Video.objects.get(pk=video_id)
        assert video.source_kind == "upload" and video.source_name == talk_path.name
        assert (video.config["numberOfClips"], video.config["clipDurationMax"]) == (1, 20)

        waited = clipsite("status", video_id, "--wait", "--interval", "2", env=INTERACTIVE, timeout=400, **server)
    finally:
        kill_worker(worker)
    assert waited.code == 0, waited.err
    assert waited.out.splitlines()[1:] == ["Stage: Completed (100%)", "Clips: 1"]
    drawn = ANSI.sub("", waited.err)
    stages = re.findall(rf"^{video_id}: (.+)$", drawn, re.M)
    assert stages[-1] == "Completed" and len(stages) >= 2 and len(set(stages)) == len(stages), stages
    shown = {int(p) for p in re.findall(r"(\d+)%", drawn)}
    assert len(shown) >= 2 and max(shown) == 100, shown  # the bar was redrawn as the video went on

    listed = clipsite("clips", video_id, "--json", **server)
    assert listed.code == 0
    clips = listed.json()["clips"]
    assert [c["status"] for c in clips] == ["completed"]
    assert {"id", "rank", "score", "startTime", "endTime", "downloadUrl", "title"} <= set(clips[0])

    folder = tmp_path / "clips"
    fetched = clipsite("download", video_id, "-d", str(folder), **server)
    assert fetched.code == 0, fetched.err
    for clip in clips:
        path = folder / f"{clip['id']}.mp4"
        assert path.read_bytes()[4:8] == b"ftyp"
        assert abs(probe_duration(path) - (clip["endTime"] - clip["startTime"])) < 1.0
        assert f"{clip['id']}: downloaded" in fetched.out
    assert "100%" in fetched.err

    served.clear()
    again = clipsite("download", video_id, "-d", str(folder), "--json", **server)
    assert [c["status"] for c in again.json()["clips"]] == ["present"]
    assert media_requests(served) == []

    # Cut short after half the bytes: the next run asks only for the rest.
    first = clips[0]
    whole = (folder / f"{first['id']}.mp4").read_bytes()
    (folder / f"{first['id']}.mp4").unlink()
    part_path(folder, first).write_bytes(whole[: len(whole) // 2])
    served.clear()
    resumed = clipsite("download", video_id, first["id"], "-d", str(folder), "--json", **server)
    assert resumed.code == 0, resumed.err
    assert resumed.json()["clips"][0]["status"] == "resumed"
    assert resumed.json()["clips"][0]["fetched"] == len(whole) - len(whole) // 2
    assert media_requests(served)[0][1] == f"bytes={len(whole) // 2}-"
    assert (folder / f"{first['id']}.mp4").read_bytes() == whole

    bad_key = clipsite("status", video_id, "--json", url=live_server.url, key="cs_live_not-a-key")
    assert bad_key.code == 3 and bad_key.json()["error"] == "unauthorized"
    unknown = clipsite("status", "vid_unknown", **server)
    assert (unknown.code, unknown.err.strip()) == (4, "Error: No video vid_unknown in this key's workspace.")
    charlies = key_for(charlie)
    for command in (["download", video_id, "-d", str(tmp_path / "c")], ["render", first["id"], "--start", "1"]):
        stolen = clipsite(*command, "--json", url=live_server.url, key=charlies)
        assert stolen.code == 4 and stolen.json()["error"] == "not_found", command
        assert "downloadUrl" not in stolen.out and "title" not in stolen.out
    assert not (tmp_path / "c").exists()
