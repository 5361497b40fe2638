"""Hook transcripts and enrichment: a real talk's sound served like YouTube's DASH audio.

The recorded YouTube answer (``recorded/youtube_video.info.json``) has its smallest
audio format pointed at a loopback server serving real English speech as fragmented
MP4, the way YouTube serves format 140. The server records every request, so the tests
see that only a prefix was asked for. Transcription uses the packaged tiny.en model.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.audio import decode_audio, duration_of
from pipeline.config import PipelineConfig
from pipeline.errors import IngestError
from pipeline.transcribe import transcribe
from pipeline.trends.enrich import Enrichment, enrich
from pipeline.trends.platforms import (
    PlatformRefused,
    PlatformUnavailable,
    VideoUnavailable,
    get_provider,
    parse_video_link,
)
from tests.media import build_speech_audio, cached
from tests.pipeline.http_server import LocalHTTPServer
from tests.pipeline.platform_fakes import Paces, answering, recorded, recorded_text, speech_m4a

RICK = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
HOOK = 20.0
AUDIO_PATH = "/videoplayback/audio.m4a"


@pytest.fixture
def config() -> PipelineConfig:
    return PipelineConfig(allow_private_urls=True)


@pytest.fixture
def server():
    with LocalHTTPServer() as running:
        yield running


@pytest.fixture(scope="module")
def talk() -> Path:
    return speech_m4a(90)


def answer_serving(server: LocalHTTPServer, media: Path, *, captions: bool = False, **route: object) -> dict:
    """The recorded Rick Astley answer with its audio (format 249) served from ``media``,
    described by the file's real size and bitrate, and captions only when asked for."""
    info = recorded("youtube_video.info.json")
    info["subtitles"], info["automatic_captions"] = {}, {}
    if captions:
        server.add_bytes("/api/timedtext/en.json3", recorded_text("youtube_auto_captions.json3").encode(),
                         content_type="application/json")  # fmt: skip
        info["subtitles"] = {"en": [{"ext": "json3", "url": server.url("/api/timedtext/en.json3"), "name": "English"}]}
    size = media.stat().st_size
    audio = next(f for f in info["formats"] if f["format_id"] == "249")
    audio.update(url=server.add_file(AUDIO_PATH, media, "audio/mp4", **route), ext="m4a", acodec="mp4a.40.2",
                 filesize=size, tbr=size * 8 / 1000 / _duration(media), abr=None)  # fmt: skip
    return info


def _duration(media: Path) -> float:
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                            str(media)], capture_output=True, text=True, check=True)  # fmt: skip
    return float(probe.stdout)


def audio_hits(server: LocalHTTPServer) -> list[str]:
    """The Range headers of the audio requests ("" for a request without one)."""
    return [hit.headers.get("Range", "") for hit in server.hits if hit.path == AUDIO_PATH]


def requested_bytes(ranges: list[str]) -> int:
    total = 0
    for header in ranges:
        first, last = header.removeprefix("bytes=").split("-")
        total += int(last) - int(first) + 1
    return total


def video_and_provider(info: dict, config: PipelineConfig, paces: Paces | None = None):
    with answering("youtube", info):
        provider = get_provider("youtube", config, pace=paces or Paces())
        return provider.video(parse_video_link(RICK)), provider


def test_it_downloads_only_a_prefix_of_the_sound_for_the_hook(server, talk, config, tmp_path):
    paces = Paces()
    video, provider = video_and_provider(answer_serving(server, talk), config, paces)

    path = provider.fetch_audio(video, tmp_path, HOOK)

    ranges = audio_hits(server)
    assert ranges and all(r.startswith("bytes=") for r in ranges)
    assert requested_bytes(ranges) < talk.stat().st_size / 2
    assert path.stat().st_size < talk.stat().st_size
    assert path.read_bytes() == talk.read_bytes()[: path.stat().st_size]
    assert duration_of(decode_audio(path, config, end=HOOK)) >= HOOK - 0.05
    assert paces.calls == ["youtube"] * (1 + len(ranges))
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_it_reads_only_as_far_as_asked_from_a_server_that_ignores_ranges(server, talk, config, tmp_path):
    video, provider = video_and_provider(answer_serving(server, talk, send_length=False), config)

    path = provider.fetch_audio(video, tmp_path, HOOK)

    assert path.stat().st_size < talk.stat().st_size / 2
    assert duration_of(decode_audio(path, config, end=HOOK)) >= HOOK - 0.05


def test_it_asks_for_more_until_the_prefix_decodes(server, config, tmp_path):
    # A plain MP4 written with its index at the end: no prefix decodes until the whole file is there.
    def build(out: Path) -> None:
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(build_speech_audio(40)),
                        "-c:a", "aac", "-b:a", "64k", "-f", "mp4", str(out)], check=True)  # fmt: skip

    index_last = cached("speech-40s-index-last", ".m4a", build)
    video, provider = video_and_provider(answer_serving(server, index_last), config)

    path = provider.fetch_audio(video, tmp_path, 5.0)

    ranges = audio_hits(server)
    ends = [int(r.rsplit("-", 1)[1]) for r in ranges]
    assert len(ranges) >= 2 and ends == sorted(ends)
    assert path.read_bytes() == index_last.read_bytes()


def test_its_hook_transcript_is_the_engines_transcript_of_the_same_seconds(server, talk, config, tmp_path):
    work = tmp_path / "work"
    with answering("youtube", answer_serving(server, talk)):
        enrichment = enrich(parse_video_link(RICK), config, work, hook_seconds=HOOK, pace=Paces())

    direct = transcribe(decode_audio(talk, config, end=HOOK), config)
    assert enrichment.transcript_kind == "hook"
    assert [w.text for w in enrichment.words.words] == [w.text for w in direct.words]
    assert enrichment.transcript == direct.text
    assert len(enrichment.transcript.split()) > 30
    assert all(w.end <= HOOK for w in enrichment.words.words)
    assert list(work.iterdir()) == []  # the downloaded sound is deleted
    assert enrichment.video.video_id == "dQw4w9WgXcQ"


def test_it_uses_the_platforms_captions_without_fetching_sound(server, talk, config, tmp_path):
    with answering("youtube", answer_serving(server, talk, captions=True)):
        enrichment = enrich(parse_video_link(RICK), config, tmp_path, hook_seconds=HOOK, pace=Paces())

    assert enrichment.transcript_kind == "captions"
    assert enrichment.transcript.startswith("hello and welcome back to Scarlet Hollow")
    assert enrichment.words.model == "youtube captions"
    assert audio_hits(server) == []


def test_it_transcribes_the_whole_video_when_asked(server, config, tmp_path):
    short_talk = speech_m4a(12)
    with answering("youtube", answer_serving(server, short_talk)):
        enrichment = enrich(parse_video_link(RICK), config, tmp_path, full=True, pace=Paces())

    assert enrichment.transcript_kind == "full"
    assert audio_hits(server) == [""]  # one plain request for the whole file
    assert enrichment.words.words[-1].end > 8.0


def test_its_result_is_viralclis_analyze_shape_and_survives_json(server, talk, config):
    video, _ = video_and_provider(answer_serving(server, talk), config)
    enrichment = Enrichment(video=video, transcript="never gonna give you up", transcript_kind="hook")
    # 16 years after the upload, 4 of them leap years: 5,844 days.
    now = datetime(2025, 10, 25, 6, 57, 33, tzinfo=UTC)

    result = enrichment.result(now)

    viralcli = ["platform", "video_id", "creator", "caption", "views", "likes", "comments", "age_days",
                "views_per_day", "duration_sec", "transcript", "transcript_kind"]  # fmt: skip
    assert list(result) == [*viralcli, "title", "url", "thumbnail", "uploaded_at", "heatmap", "language"]
    assert {k: result[k] for k in ("platform", "video_id", "creator", "views", "likes", "comments")} == {
        "platform": "youtube", "video_id": "dQw4w9WgXcQ", "creator": "Rick Astley", "views": 1715079915,
        "likes": 18643045, "comments": 2400000,
    }  # fmt: skip
    assert (result["age_days"], result["views_per_day"]) == (5844.0, 293477)  # 1,715,079,915 / 5,844
    assert (result["duration_sec"], result["transcript_kind"]) == (213.0, "hook")
    assert (result["uploaded_at"], result["language"], result["url"]) == ("2009-10-25T06:57:33+00:00", "en", RICK)
    assert len(result["heatmap"]) == 100 and set(result["heatmap"][0]) == {"start", "end", "value"}
    json.dumps(result)
    assert Enrichment.from_dict(json.loads(enrichment.to_json())) == enrichment


@pytest.mark.parametrize(
    ("status", "error", "retry_after"),
    [(429, PlatformRefused, 45), (403, PlatformRefused, 60), (404, VideoUnavailable, None),
     (503, PlatformUnavailable, None)],
)  # fmt: skip
def test_it_reports_what_the_media_server_answers_and_leaves_no_partial_file(server, config, tmp_path, status, error,
                                                                             retry_after):  # fmt: skip
    info = answer_serving(server, speech_m4a(12))
    headers = {"Retry-After": "45"} if status == 429 else {}
    # Without a length the test server ignores Range, so the error status is what it sends.
    server.add_bytes(AUDIO_PATH, b"no", status=status, headers=headers, send_length=False)
    video, provider = video_and_provider(info, config)

    with pytest.raises(error) as failed:
        provider.fetch_audio(video, tmp_path, HOOK)

    assert "YouTube" in failed.value.message
    if retry_after is not None:
        assert failed.value.retry_after == retry_after
    assert list(tmp_path.iterdir()) == []


def test_it_caps_a_whole_download_at_the_size_limit(server, talk, config, tmp_path):
    video, provider = video_and_provider(answer_serving(server, talk), config.replace(max_download_bytes=100_000))

    with pytest.raises(IngestError, match="larger than the download limit"):
        provider.fetch_audio(video, tmp_path, None)

    assert list(tmp_path.iterdir()) == []
