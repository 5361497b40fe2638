"""Media in = one self-contained file: the container check, and every decoder behind it.

Each hostile case of :mod:`tests.hostile_media` is refused before any decoder opens it,
by every way in (probe, audio decoding, scene detection with PyAV, ffmpeg itself, and
ingest of an upload, a direct link and a yt-dlp download); each admitted container
passes. The refusals name the problem plainly: no path, no ffmpeg words.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.audio import decode_audio
from pipeline.container import identify
from pipeline.errors import MediaError, UnsupportedMediaError
from pipeline.ffmpeg import run_ffmpeg, run_ffprobe
from pipeline.ingest import ingest
from pipeline.probe import probe
from pipeline.scenes import detect_scenes
from tests import hostile_media
from tests.pipeline.http_server import LocalHTTPServer
from tests.pipeline.test_probe import HAMILTON, make_config

PLAYLIST = r"^This file is not a video file Clipsite can read \(it looks like a playlist that refers to other files\)\."


@pytest.fixture
def config():
    return make_config()


@pytest.fixture
def victim(tmp_path, media_dir) -> Path:
    """Another tenant's 10 s clip, at a path an attacker has learnt."""
    folder = tmp_path / "media" / "videos" / "other-tenant" / "clips"
    folder.mkdir(parents=True)
    shutil.copyfile(media_dir / HAMILTON, folder / "clip-v1.mp4")
    return folder / "clip-v1.mp4"


@pytest.fixture
def upload_dir(tmp_path) -> Path:
    folder = tmp_path / "uploads"
    folder.mkdir()
    return folder


def assert_plain(error: MediaError, *paths: Path) -> None:
    """The message shows no path and no ffmpeg output."""
    for path in paths:
        assert str(path) not in error.message and path.name not in error.message
    for word in ("ffmpeg", "ffprobe", "Invalid data", "demuxer", " @ 0x"):
        assert word not in error.message


def test_it_judges_a_file_again_once_its_bytes_change_at_the_same_path(victim, upload_dir):
    video = upload_dir / "holiday.mp4"
    shutil.copyfile(victim, video)
    assert identify(video) == "mov"
    hostile_media.hls_playlist(video, str(victim), 10.0)  # the same name, now a playlist

    with pytest.raises(UnsupportedMediaError, match=PLAYLIST):
        identify(video)


@pytest.mark.parametrize("name", ["playlist.m3u8", "holiday.mp4"])
def test_it_refuses_an_hls_playlist_of_a_local_file_whatever_its_name(victim, upload_dir, config, name):
    playlist = hostile_media.hls_playlist(upload_dir / name, str(victim), 10.0)

    with pytest.raises(UnsupportedMediaError, match=PLAYLIST) as caught:
        probe(playlist, config)

    assert caught.value.code == "unsupported_media"
    assert_plain(caught.value, victim, playlist)


def test_it_refuses_a_playlist_of_a_url_without_requesting_it(upload_dir, config):
    with LocalHTTPServer() as server:
        segment = server.add_file("/segment.mp4", Path(hostile_media.small_video(upload_dir / "seg.mp4")))
        playlist = hostile_media.hls_playlist(upload_dir / "stream.mp4", segment, 1.0)

        with pytest.raises(UnsupportedMediaError, match=PLAYLIST):
            probe(playlist, config)

    assert server.hits == []


def test_it_refuses_a_concat_script_even_for_a_file_beside_it(upload_dir, config):
    hostile_media.small_video(upload_dir / "neighbour.mp4")
    script = hostile_media.ffconcat_script(upload_dir / "joined.mp4", "neighbour.mp4", 1.0)

    with pytest.raises(UnsupportedMediaError, match=r"\(it looks like a list of other files to join\)") as caught:
        probe(script, config)
    assert_plain(caught.value, script)


def test_it_refuses_an_sdp_description(upload_dir, config):
    sdp = hostile_media.sdp_description(upload_dir / "talk.mp4", 5004)

    with pytest.raises(UnsupportedMediaError, match="stream description that refers to other files or addresses"):
        probe(sdp, config)


def test_it_refuses_an_avi_with_a_gab2_subtitle_carrying_a_playlist(victim, upload_dir, config):
    playlist = hostile_media.hls_playlist(upload_dir / "inner.m3u8", str(victim), 10.0).read_text()
    avi = hostile_media.gab2_avi(upload_dir / "film.avi", playlist)
    # Apart from its subtitle stream it is a plain AVI with picture and sound.
    streams = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", str(avi)],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert streams == ["video", "audio", "subtitle"]

    with pytest.raises(UnsupportedMediaError, match=r"^This AVI file has a subtitle or data stream") as caught:
        probe(avi, config)
    assert_plain(caught.value, avi, victim)


def test_it_refuses_an_mp4_whose_data_lives_in_another_file(media_dir, upload_dir, config):
    external = hostile_media.mp4_with_external_data(media_dir / HAMILTON, upload_dir / "talk.mp4")

    with pytest.raises(UnsupportedMediaError, match=r"\(it refers to media stored in other files\)"):
        probe(external, config)


@pytest.mark.parametrize(
    "attempt",
    [
        lambda path, config: decode_audio(path, config),
        lambda path, config: detect_scenes(path, config),
        lambda path, config: run_ffmpeg(["-i", path, "-f", "null", "-"], config),
        lambda path, config: run_ffprobe(path, config),
    ],
    ids=["audio", "scenes-pyav", "ffmpeg", "ffprobe"],
)
def test_it_refuses_a_playlist_in_every_decoder(victim, upload_dir, config, attempt):
    playlist = hostile_media.hls_playlist(upload_dir / "source.mp4", str(victim), 10.0)

    with pytest.raises(UnsupportedMediaError, match=PLAYLIST):
        attempt(playlist, config)


def test_it_refuses_an_uploaded_playlist_at_ingest(victim, upload_dir, tmp_path, config):
    playlist = hostile_media.hls_playlist(upload_dir / "upload.mp4", str(victim), 10.0)

    with pytest.raises(UnsupportedMediaError, match=PLAYLIST):
        ingest(str(playlist), tmp_path / "work", config)


def test_it_refuses_a_downloaded_playlist_at_ingest(victim, tmp_path, config):
    with LocalHTTPServer() as server:
        text = hostile_media.hls_playlist(tmp_path / "p.m3u8", str(victim), 10.0).read_bytes()
        url = server.add_bytes("/video.mp4", text, content_type="video/mp4")

        with pytest.raises(UnsupportedMediaError, match=PLAYLIST):
            ingest(url, tmp_path / "work", config)


def test_it_refuses_a_playlist_yt_dlp_downloads_before_its_ffmpeg_merges_it(victim, tmp_path, config):
    # A DASH manifest offering video and audio apart: yt-dlp downloads both and has
    # ffmpeg merge them, letting ffmpeg guess each part's format. The "audio" is a playlist.
    video_only = tmp_path / "video-only.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(victim), "-an", "-c", "copy",
                    str(video_only)], check=True)  # fmt: skip
    playlist = hostile_media.hls_playlist(tmp_path / "p.m3u8", str(victim), 10.0).read_bytes()
    with LocalHTTPServer() as server:
        server.add_file("/dash/video.mp4", video_only)
        server.add_bytes("/dash/audio.m4a", playlist, content_type="audio/mp4")
        manifest = server.add_bytes("/dash/talk.mpd", DASH_MANIFEST, content_type="application/dash+xml")

        with pytest.raises(UnsupportedMediaError, match=PLAYLIST):
            ingest(manifest, tmp_path / "work", config, force_ytdlp=True)

        assert "/dash/audio.m4a" in server.paths_requested()  # refused once downloaded, before the merge
    assert not list((tmp_path / "work").glob("source*"))


DASH_MANIFEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT10S" minBufferTime="PT1S"
     profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">
  <Period>
    <AdaptationSet mimeType="video/mp4" contentType="video">
      <Representation id="v" bandwidth="100000" width="640" height="360" codecs="avc1.64001e">
        <BaseURL>video.mp4</BaseURL>
      </Representation>
    </AdaptationSet>
    <AdaptationSet mimeType="audio/mp4" contentType="audio" lang="en">
      <Representation id="a" bandwidth="64000" codecs="mp4a.40.2" audioSamplingRate="44100">
        <BaseURL>audio.m4a</BaseURL>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
"""


@pytest.mark.parametrize("name", sorted(hostile_media.ALLOWED))
def test_it_admits_each_self_contained_format_whatever_its_name(name, tmp_path, config):
    _suffix, demuxer, has_video, _options = hostile_media.ALLOWED[name]
    sample = hostile_media.build_allowed(name, tmp_path)
    renamed = sample.rename(tmp_path / "upload.m3u8")  # the name says playlist; the bytes decide

    assert identify(renamed) == demuxer
    info = probe(renamed, config, require_video=has_video)
    assert info.has_audio and info.has_video == has_video
    assert info.duration == pytest.approx(1.0, abs=0.15)
    assert decode_audio(renamed, config).size > 0


def test_it_admits_every_file_of_the_shared_corpus(media_dir):
    media = sorted(p for p in media_dir.iterdir() if p.suffix in (".mp4", ".mp3", ".wav", ".flac"))

    assert {p.suffix: identify(p) for p in media} == {".mp4": "mov", ".mp3": "mp3", ".wav": "wav", ".flac": "flac"}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\x00\x00\x00\x04ftyp", "its MP4 structure is invalid"),  # a box smaller than its header
        (b"\x00\x00\x00\x10ftypisom\x00\x00\x02\x00\x00\x00\x00\x08\xff\xfe\x00\x01", "its MP4 structure"),
        (b"RIFF\x10\x00\x00\x00AVI JUNK\x00\x00\x00\x00", "its AVI structure is invalid"),  # no stream at all
        (bytes(range(256)) * 8, "not a video or audio file Clipsite can read"),
        (b"Sitzungsprotokoll: nichts Wichtiges.\n" * 10, r"\(it is a text file\)"),
    ],
    ids=["tiny-box", "binary-box-name", "avi-without-streams", "binary-noise", "text"],
)
def test_it_refuses_what_is_damaged_or_not_media_at_all(tmp_path, content, problem):
    path = tmp_path / "upload.mp4"
    path.write_bytes(content)

    with pytest.raises(MediaError, match=problem):
        identify(path)


def test_it_walks_an_mp4_box_bomb_quickly_and_refuses_it(tmp_path):
    # 200,000 empty "free" boxes before any moov: a bounded walk, then a refusal.
    path = tmp_path / "bomb.mp4"
    path.write_bytes(b"\x00\x00\x00\x10ftypisom\x00\x00\x02\x00" + b"\x00\x00\x00\x08free" * 200_000)

    with pytest.raises(MediaError, match="its MP4 structure is invalid"):
        identify(path)
