"""``clipsite`` (its entry point, in this process) against a live server, on a finished
video made directly (no workers): config and login, exit codes, ownership, clips,
download and resume, render, discover and track."""

from __future__ import annotations

import stat
import threading
import time
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connections

from clips.actions import finish_render
from clips.models import Clip
from clipsite_cli.download import part_path
from tests.cli.conftest import media_requests
from tests.pipeline.http_server import LocalHTTPServer
from tests.trends import recorded_youtube
from tracking.models import TrackedItem
from videos.models import Video

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alice_key(alice, key_for):
    return key_for(alice)


def stored(clip: Clip) -> bytes:
    with default_storage.open(clip.file.name, "rb") as handle:
        return handle.read()


def test_it_logs_in_to_a_private_config_file_and_uses_it(cli, live_server, finished_video, alice_key,
                                                         cli_home):  # fmt: skip
    config = cli_home / "config.toml"
    refused = cli("login", "--url", live_server.url, "--key", "cs_live_nope", "--json")
    assert refused.code == 3
    assert refused.json() == {"error": "unauthorized", "detail": "The API key is missing, invalid or revoked.",
                              "exitCode": 3}  # fmt: skip
    assert not config.exists()

    run = cli("login", "--url", live_server.url + "/", "--key", alice_key)
    assert run.code == 0, run.err
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert config.read_text() == f'url = "{live_server.url}"\nkey = "{alice_key}"\n'
    assert "(free plan)" in run.out and f"Saved to {config}." in run.out

    status = cli("status", finished_video.pk)  # no flags, no environment: the file
    assert status.code == 0, status.err
    assert status.out.splitlines() == [f"{finished_video.pk}  Money talk", "Stage: Completed (100%)", "Clips: 3"]


def test_it_shows_the_time_left_of_a_running_video(cli, live_server, alice, workspace, alice_key):
    from tests.videos.test_estimate import finished

    finished(workspace, alice)
    running = Video.objects.create(workspace=workspace, submitted_by=alice, source_kind="upload", title="Long talk",
                                   status="transcribing", progress=20, duration=300.0)  # fmt: skip

    run = cli("status", running.pk, url=live_server.url, key=alice_key)

    assert run.code == 0, run.err
    assert run.out.splitlines() == [f"{running.pk}  Long talk", "Stage: Transcribing (20%)",
                                    "Time left: About 2 min left", "Clips: 0"]  # fmt: skip


def test_it_exits_with_the_documented_codes_and_plain_messages(cli, live_server, finished_video, alice_key,
                                                               charlie, key_for):  # fmt: skip
    video = finished_video.pk
    clip = finished_video.clips.first().pk
    assert cli("status", video).code == 2  # no server configured
    no_key = cli("status", video, url=live_server.url)
    assert no_key.code == 3 and "No API key given" in no_key.err

    bad_key = cli("status", video, url=live_server.url, key="cs_live_wrong")
    assert (bad_key.code, bad_key.err.strip()) == (3, "Error: The API key is missing, invalid or revoked.")

    unknown = cli("clips", "vid_nope", "--json", url=live_server.url, key=alice_key)
    assert unknown.code == 4
    assert unknown.json()["detail"] == "No video vid_nope in this key's workspace."

    charlies = key_for(charlie)
    for args in (["status", video], ["clips", video], ["download", video], ["render", clip, "--start", "1"]):
        run = cli(*args, url=live_server.url, key=charlies)
        assert run.code == 4, (args, run.err)
        assert "in this key's workspace" in run.err and video not in run.out

    unreachable = cli("status", video, url="http://127.0.0.1:9", key=alice_key)
    assert unreachable.code == 5 and "Could not reach the Clipsite server" in unreachable.err
    assert cli("status", video, url="ftp://example.com", key=alice_key).code == 2
    assert cli("status", "--no-such-flag").code == 2

    Video.objects.filter(pk=video).update(status=Video.Status.FAILED, error_message="The source has no audio.")
    failed = cli("status", video, "--json", url=live_server.url, key=alice_key)
    assert failed.code == 1 and failed.err.strip() == f"Error: Video {video} failed: The source has no audio."
    assert failed.json()["video"]["status"] == "failed"  # the result, one JSON document


def test_it_submits_links_to_the_right_endpoint_with_the_options_as_config(cli, live_server, alice_key, talk_path,
                                                                            clean_redis):  # fmt: skip
    server = {"url": live_server.url, "key": alice_key}
    with LocalHTTPServer() as media:
        direct = cli("submit", media.add_file("/files/talk.mp4", talk_path), "--aspect", "1:1", "--no-captions",
                     "--keyword", "money", "--keyword", "habits", "--clips", "3", "--json", **server)  # fmt: skip
        site = cli("submit", media.add_file("/watch/team-talk", talk_path), "--genre", "talk", **server)
        refused = cli("submit", media.url("/files/other.mp4"), "--aspect", "2:3", **server)
    assert direct.code == 0, direct.err
    video = Video.objects.get(pk=direct.json()["video"]["id"])
    assert video.source_kind == "url" and video.config["aspectRatio"] == "1:1"
    assert video.config["enableCaptions"] is False and video.config["topicKeywords"] == ["money", "habits"]
    assert video.config["numberOfClips"] == 3
    assert site.code == 0, site.err
    other = Video.objects.exclude(pk=video.pk).get()
    assert other.source_kind == "youtube" and other.config["genre"] == "Talk"
    assert site.out.splitlines()[0].startswith(f"Submitted {other.pk} (")
    assert refused.code == 1 and refused.err.startswith("Error: config.aspectRatio: '2:3' is not a valid choice.")
    missing = cli("submit", "no-such-file.mp4", **server)
    assert missing.code == 2 and "neither an http(s) link nor a file that exists" in missing.err


def test_it_lists_clips_with_the_apis_filters(cli, live_server, finished_video, alice_key):
    def listed(*args):
        run = cli("clips", finished_video.pk, "--json", *args, url=live_server.url, key=alice_key)
        assert run.code == 0, run.err
        return run.json()

    everything = listed()
    assert set(everything) == {"videoId", "clips", "count", "filters"} and everything["count"] == 3
    assert [c["score"] for c in everything["clips"]] == [91, 74, 45]
    assert all(c["downloadUrl"].startswith(live_server.url + "/media/signed/") for c in everything["clips"])
    assert [c["score"] for c in listed("--min-score", "50", "--max-score", "80")["clips"]] == [74]
    assert [c["score"] for c in listed("--favorited")["clips"]] == [74]
    assert [c["score"] for c in listed("--not-favorited", "--sort-by", "duration", "--sort-order", "asc")
            ["clips"]] == [91, 45]  # fmt: skip
    assert listed("--status", "failed")["count"] == 0

    Clip.objects.filter(video=finished_video, rank=1).update(title="Money\x1b]0;owned\x07 \x1b[2Jtalk")
    table = cli("clips", finished_video.pk, url=live_server.url, key=alice_key)
    assert table.code == 0 and "3 clips" in table.out
    assert "\x1b" not in table.out and "Money\ufffd]0;owned\ufffd \ufffd[2Jtalk" in table.out
    assert [line.split()[0] for line in table.out.splitlines()[1:4]] == ["1", "2", "3"]

    refused = cli("clips", finished_video.pk, "--min-score", "101", url=live_server.url, key=alice_key)
    assert refused.code == 1 and "minScore" in refused.err


def test_it_downloads_resumes_and_never_fetches_a_file_twice(cli, live_server, finished_video, alice_key,
                                                             tmp_path, served):  # fmt: skip
    clips = {clip.pk: clip for clip in finished_video.clips.all()}
    folder = tmp_path / "out"
    first = cli("download", finished_video.pk, "-d", str(folder), "--json", url=live_server.url, key=alice_key)
    assert first.code == 0, first.err
    report = first.json()
    assert report["videoId"] == finished_video.pk and len(report["clips"]) == 3
    assert {c["status"] for c in report["clips"]} == {"downloaded"}
    for clip_id, clip in clips.items():
        assert (folder / f"{clip_id}.mp4").read_bytes() == stored(clip)
    assert not list(folder.glob("*.part"))
    assert len(media_requests(served)) == 3

    served.clear()
    again = cli("download", finished_video.pk, "-d", str(folder), url=live_server.url, key=alice_key)
    assert again.code == 0, again.err
    assert again.out.count("already here") == 3
    assert media_requests(served) == []

    # An interrupted download: the first 4000 bytes are there, as a part of the current render.
    clip = finished_video.clips.get(rank=2)
    whole = stored(clip)
    (folder / f"{clip.pk}.mp4").unlink()
    listing = cli("clips", finished_video.pk, "--json", url=live_server.url, key=alice_key).json()
    part = part_path(folder, next(c for c in listing["clips"] if c["id"] == clip.pk))
    part.write_bytes(whole[:4000])
    served.clear()
    resumed = cli("download", finished_video.pk, clip.pk, "-d", str(folder), "--json", url=live_server.url,
                       key=alice_key)  # fmt: skip
    assert resumed.code == 0, resumed.err
    assert resumed.json()["clips"] == [{"id": clip.pk, "status": "resumed", "path": str(folder / f"{clip.pk}.mp4"),
                                        "size": len(whole), "fetched": len(whole) - 4000, "message": None}]  # fmt: skip
    assert media_requests(served)[0][1] == "bytes=4000-"
    assert (folder / f"{clip.pk}.mp4").read_bytes() == whole and not part.exists()

    # Re-rendered since: the file on disk is an older render and is fetched again.
    Clip.objects.filter(pk=clip.pk).update(rendered_at=clip.created_at + timedelta(minutes=5))
    served.clear()
    rerendered = cli("download", finished_video.pk, "-d", str(folder), url=live_server.url, key=alice_key)
    assert rerendered.code == 0 and rerendered.out.count("already here") == 2
    assert [byte_range for _, byte_range in media_requests(served)] == [None]

    # A clip being rendered is named, the others are saved, and the run says it fell short.
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.GENERATING)
    short = cli("download", finished_video.pk, "-d", str(tmp_path / "more"), "--json", url=live_server.url,
                key=alice_key)  # fmt: skip
    assert short.code == 1 and "1 of 3 clips were not downloaded" in short.err and "not rendered yet" in short.err
    assert sorted(c["status"] for c in short.json()["clips"]) == ["downloaded", "downloaded", "not_ready"]
    assert len(list((tmp_path / "more").glob("*.mp4"))) == 2
    unknown = cli("download", finished_video.pk, "clip_nope", url=live_server.url, key=alice_key)
    assert unknown.code == 4 and "clip_nope: not among video" in unknown.err


def fail_render_when_it_starts(clip_id: str, message: str) -> threading.Thread:
    """Play the render worker: once the clip is rendering, record that its render failed."""

    def play() -> None:
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                clip = Clip.objects.get(pk=clip_id)
                if clip.status == Clip.Status.GENERATING:
                    finish_render(clip, error_message=message)
                    return
                time.sleep(0.1)
        finally:
            connections.close_all()

    thread = threading.Thread(target=play)
    thread.start()
    return thread


def test_it_renders_waits_and_relays_the_servers_refusals(cli, live_server, finished_video, alice_key, clean_redis):
    clip = finished_video.clips.get(rank=1)
    server = {"url": live_server.url, "key": alice_key}
    refused = cli("render", clip.pk, "--start", "20", "--end", "15", **server)
    assert refused.code == 1
    assert refused.err.strip().startswith("Error: endTime: end must be after start")

    worker = fail_render_when_it_starts(clip.pk, "The encoder ran out of memory.")
    failed = cli("render", clip.pk, "--end", "25", "--wait", "--interval", "0.5", **server)
    worker.join()
    assert failed.code == 1
    assert failed.err.strip() == f"Error: The render of {clip.pk} failed: The encoder ran out of memory."
    assert failed.out == f"{clip.pk}: failed, 10.0-25.0 s, 9:16\n"

    run = cli("render", clip.pk, "--start", "12", "--end", "30", "--template", "karaoke", "--json", **server)
    assert run.code == 0, run.err
    answer = run.json()["clip"]
    assert answer["status"] == "generating" and answer["recompiling"] is True
    assert (answer["startTime"], answer["endTime"], answer["captionTemplate"]) == (12.0, 30.0, "karaoke")
    busy = cli("render", clip.pk, "--aspect", "1:1", **server)
    assert (busy.code, busy.err.strip()) == (1, "Error: This clip is already being rendered; wait for it to finish.")


def test_it_discovers_and_tracks_in_viralclis_dialect(cli, live_server, alice_key, charlie, key_for, settings):
    settings.PLATFORM_MIN_INTERVAL = 0
    with recorded_youtube():
        as_json = cli("discover", "blind test", "--json", url=live_server.url, key=alice_key)
        human = cli("discover", "blind test", url=live_server.url, key=alice_key)
    assert as_json.code == 0, as_json.err
    body = as_json.json()
    assert body["seed"] == "blind test" and body["verdict"] in {"HEATING", "STEADY", "SATURATING", "INSUFFICIENT_DATA"}
    assert human.code == 0 and human.out.startswith(f"blind test on youtube: {body['verdict']}")
    assert body["breakouts"][0]["url"] in human.out

    server = {"url": live_server.url, "key": alice_key}
    added = cli("track", "add", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "--interval-sec", "600", "--json",
                **server)  # fmt: skip
    assert added.code == 0, added.err
    item = added.json()
    assert item["kind"] == "video" and item["video_id"] == "dQw4w9WgXcQ" and item["interval_sec"] == 600
    seed = cli("track", "add", "cold plunge", "--kind", "seed", **server)
    assert seed.code == 0 and seed.out.startswith("Tracking ti_")

    listed = cli("track", "list", "--json", **server).json()
    assert {i["ref"] for i in listed} == {"https://www.youtube.com/watch?v=dQw4w9WgXcQ", "cold plunge"}
    assert "2 tracked items" in cli("track", "list", **server).out

    invalid = cli("track", "add", "x", "--interval-sec", "5", **server)
    assert invalid.code == 1
    assert invalid.err.strip() == "Error: interval_sec: Ensure this value is greater than or equal to 60."
    assert cli("track", "remove", item["id"], url=live_server.url, key=key_for(charlie)).code == 4
    removed = cli("track", "remove", item["id"], "--json", **server)
    assert removed.code == 0 and removed.json() == {"id": item["id"], "removed": True}
    assert not TrackedItem.objects.filter(pk=item["id"]).exists()
    assert cli("track", "remove", item["id"], **server).code == 4
