"""ingest() and the SSRF guard: local files, direct links and yt-dlp, all over real loopback HTTP.

The only things patched are at the socket layer (:class:`tests.fake_network.FakeNetwork`):
DNS, to make a loopback server look like a public host so that a redirect from it to a
blocked address can be tested, and connect(), which delivers that public address to
loopback and records every connection attempt.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from unittest import mock

import pytest
import requests
from yt_dlp.extractor.youtube import YoutubeIE

from pipeline import netguard
from pipeline.errors import IngestError, MediaError
from pipeline.ingest import IngestResult, cut_range, ingest, source_kind
from pipeline.netguard import check_url
from pipeline.probe import probe
from tests.fake_network import FakeNetwork
from tests.pipeline.http_server import LocalHTTPServer
from tests.pipeline.test_probe import HAMILTON, LANDSCAPE, SPEECH_MP3, ffmpeg, first_frame, make_config
from tests.trends import video_page as youtube_page

CLOSEUP = "vid_face_closeup_liveportrait_d6.mp4"  # 33.6 s, H.264 + AAC
PUBLIC_ADDRESS = "93.184.215.14"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def config():
    return make_config()


@pytest.fixture
def server():
    with LocalHTTPServer() as running:
        yield running


@pytest.fixture
def workdir(tmp_path) -> Path:
    return tmp_path / "work"


class Progress:
    """Records progress reports so a test can check they move forward to 1."""

    def __init__(self) -> None:
        self.fractions: list[float] = []

    def __call__(self, fraction: float, message: str = "") -> None:
        self.fractions.append(fraction)

    def finished_in_order(self) -> bool:
        return bool(self.fractions) and self.fractions == sorted(self.fractions) and self.fractions[-1] == 1.0


# Local files ---------------------------------------------------------------------------


def test_it_ingests_a_local_file_into_the_workdir(media_dir, workdir, config):
    result = ingest(str(media_dir / HAMILTON), workdir, config)

    assert result.source_kind == "file"
    assert Path(result.path).parent == workdir.resolve()
    assert sha256(Path(result.path)) == sha256(media_dir / HAMILTON)
    assert (result.media.width, result.media.height) == (640, 360)
    assert result.duration == pytest.approx(10.0, abs=0.1)
    assert result.title == Path(HAMILTON).stem
    assert (result.start, result.end) == (None, None)


def test_it_refuses_a_missing_local_file_and_other_schemes(tmp_path, workdir, config):
    with pytest.raises(IngestError, match=r"^The file to process does not exist"):
        ingest(str(tmp_path / "gone.mp4"), workdir, config)
    with pytest.raises(IngestError, match="Only local files and http"):
        ingest("ftp://example.com/video.mp4", workdir, config)
    with pytest.raises(IngestError, match="Only local files and http"):
        ingest("file:///etc/passwd", workdir, config)


def test_it_passes_media_refusals_through(media_dir, workdir, config):
    with pytest.raises(MediaError, match="has no video stream"):
        ingest(str(media_dir / SPEECH_MP3), workdir, config)

    audio = ingest(str(media_dir / SPEECH_MP3), workdir, config, require_video=False)
    assert audio.media.has_audio and not audio.media.has_video


# Start/end ranges ----------------------------------------------------------------------


def test_it_keeps_only_the_range_with_times_on_the_original_timeline(media_dir, workdir, config):
    result = ingest(str(media_dir / CLOSEUP), workdir, config, start=12.3, end=20.0)

    assert (result.start, result.end) == (12.3, 20.0)
    assert result.duration == pytest.approx(33.6, abs=0.1)  # the original's
    assert result.media.duration == pytest.approx(7.7, abs=0.15)  # the range's
    assert result.source_time(0.0) == pytest.approx(12.3) and result.source_time(2.0) == pytest.approx(14.3)
    # Only the cut is in the workdir, and its first frame is the original's frame at 12.3 s.
    assert files_in(workdir) == [Path(result.path).name]
    assert (first_frame(Path(result.path)) == first_frame(media_dir / CLOSEUP, 12.3)).all()


def test_it_re_encodes_a_range_of_codecs_mp4_cannot_carry(tmp_path, workdir, config):
    odd = tmp_path / "odd.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=6", "-f", "lavfi", "-i", "sine=f=440:d=6",
           "-c:v", "mpeg2video", "-c:a", "pcm_s16le", odd)

    result = ingest(str(odd), workdir, config, start=2.0, end=4.0)

    assert (result.media.video_codec, result.media.audio_codec) == ("h264", "aac")
    assert result.media.duration == pytest.approx(2.0, abs=0.1)
    assert abs(first_frame(Path(result.path)) - first_frame(odd, 2.0)).mean() < 3  # same picture, re-encoded


@pytest.mark.parametrize("force_encode", [False, True], ids=["stream-copy", "re-encode"])
def test_it_keeps_a_rotated_phone_video_upright_through_a_cut(media_dir, tmp_path, config, force_encode):
    rotated = tmp_path / "phone.mp4"
    ffmpeg("-i", media_dir / LANDSCAPE, "-c", "copy", "-metadata:s:v", "rotate=90", rotated)

    cut = cut_range(rotated, probe(rotated, config), tmp_path, 2.0, 3.0, config, force_encode=force_encode)

    info = probe(cut, config)
    assert (info.width, info.height) == (720, 1280)
    assert info.duration == pytest.approx(1.0, abs=0.2)


def test_it_clamps_the_end_and_checks_the_length_limit_against_the_range(media_dir, workdir, config):
    short_limit = config.replace(max_duration_seconds=5)

    result = ingest(str(media_dir / HAMILTON), workdir, short_limit, start=6.0, end=60.0)

    assert result.end == pytest.approx(10.0, abs=0.1)
    assert result.media.duration == pytest.approx(4.0, abs=0.15)
    with pytest.raises(MediaError, match="over the limit"):
        ingest(str(media_dir / HAMILTON), workdir, short_limit, start=1.0)


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        (-1.0, None, "must be 0 or more"),
        (5.0, 5.0, "must be after the start"),
        (30.0, None, "past the end"),
        (float("nan"), None, "must be a number of seconds"),
        (None, float("inf"), "must be a number of seconds"),
    ],
)
def test_it_refuses_a_range_that_makes_no_sense(media_dir, workdir, config, start, end, problem):
    with pytest.raises(IngestError, match=problem):
        ingest(str(media_dir / HAMILTON), workdir, config, start=start, end=end)


# Direct links --------------------------------------------------------------------------


def test_it_downloads_a_direct_link_with_progress(media_dir, server, workdir, config):
    url = server.add_file("/media/talk.mp4", media_dir / HAMILTON)
    progress = Progress()

    result = ingest(url, workdir, config, progress=progress)

    assert result.source_kind == "url"
    assert sha256(Path(result.path)) == sha256(media_dir / HAMILTON)
    assert (result.title, result.webpage_url) == ("talk", url)
    assert progress.finished_in_order() and len(progress.fractions) > 2
    assert files_in(workdir) == ["source.mp4"]


def test_it_follows_redirects_and_streams_bodies_of_unknown_length(media_dir, server, workdir, config):
    server.add_file("/chunked.mp4", media_dir / HAMILTON, send_length=False)
    server.add_redirect("/b", "/chunked.mp4", status=307)
    start = server.add_redirect("/a", server.url("/b", host="localhost"))

    result = ingest(start, workdir, config)

    assert server.paths_requested() == ["/a", "/b", "/chunked.mp4"]
    assert sha256(Path(result.path)) == sha256(media_dir / HAMILTON)


def test_it_refuses_web_pages_missing_files_and_endless_redirects(server, workdir, config):
    page = server.add_bytes("/watch", b"<html><body>a video page</body></html>")
    loop = server.add_redirect("/loop", "/loop")

    with pytest.raises(IngestError, match="is a web page, not a video file"):
        ingest(page, workdir, config)
    with pytest.raises(IngestError, match="HTTP 404"):
        ingest(server.url("/missing.mp4"), workdir, config)
    with pytest.raises(IngestError, match="redirects more than 10 times"):
        ingest(loop, workdir, config)
    assert files_in(workdir) == []


def test_it_reports_a_server_that_is_not_there(workdir, config):
    with LocalHTTPServer() as gone:
        url = gone.url("/video.mp4")

    with pytest.raises(IngestError, match=r"Could not connect to 127\.0\.0\.1:\d+: Connection refused"):
        ingest(url, workdir, config)


@pytest.mark.parametrize("send_length", [True, False], ids=["declared-size", "unknown-size"])
def test_it_stops_at_the_size_cap_and_deletes_the_partial_file(media_dir, server, workdir, config,
                                                                send_length):
    url = server.add_file("/big.mp4", media_dir / CLOSEUP, send_length=send_length)

    with pytest.raises(IngestError, match=r"larger than the download limit of 1 MB"):
        ingest(url, workdir, config.replace(max_download_bytes=1024**2))

    assert files_in(workdir) == []


def test_it_cuts_a_range_of_a_download_and_keeps_only_the_cut(media_dir, server, workdir, config):
    url = server.add_file("/talk.mp4", media_dir / HAMILTON)

    result = ingest(url, workdir, config, start=2.0, end=5.0)

    assert result.duration == pytest.approx(10.0, abs=0.1)
    assert result.media.duration == pytest.approx(3.0, abs=0.15)
    assert files_in(workdir) == [Path(result.path).name]


# The SSRF guard ------------------------------------------------------------------------


def test_it_refuses_a_loopback_link_without_contacting_it(media_dir, server, workdir, config):
    url = server.add_file("/talk.mp4", media_dir / HAMILTON)

    with pytest.raises(IngestError, match=r"private or local address \(127\.0\.0\.1\)"):
        ingest(url, workdir, config.replace(allow_private_urls=False))

    assert server.hits == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://10.1.2.3/video.mp4",
        "http://[::1]:8000/video.mp4",
        "http://[::ffff:127.0.0.1]/video.mp4",
        "http://0.0.0.0/video.mp4",
        "https://224.0.0.1/video.mp4",
    ],
)
def test_it_refuses_private_and_metadata_addresses_without_any_network_access(url, config):
    with (
        mock.patch("pipeline.netguard.resolve", autospec=True) as resolve,
        mock.patch("socket.socket.connect", autospec=True) as connect,
        pytest.raises(IngestError, match=r"private or local address|metadata service"),
    ):
        check_url(url, config.replace(allow_private_urls=False))

    resolve.assert_not_called()
    connect.assert_not_called()


def test_it_refuses_a_host_name_with_any_private_address(config):
    strict = config.replace(allow_private_urls=False)
    with (
        mock.patch("pipeline.netguard.resolve", autospec=True, return_value=[PUBLIC_ADDRESS, "192.168.1.10"]),
        pytest.raises(IngestError, match=r"\(192\.168\.1\.10\)"),
    ):
        check_url("https://videos.example/talk.mp4", strict)
    with mock.patch("pipeline.netguard.resolve", autospec=True, return_value=[PUBLIC_ADDRESS]):
        assert check_url("https://videos.example/a.mp4", strict) == "https://videos.example/a.mp4"


def public_network() -> FakeNetwork:
    """videos.example resolves to a public address, which is delivered to the loopback server."""
    return FakeNetwork().answer("videos.example", [PUBLIC_ADDRESS]).route(PUBLIC_ADDRESS)


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:{port}/secret"])
def test_it_refuses_a_redirect_to_a_blocked_address(media_dir, server, workdir, config, target):
    server.add_file("/secret", media_dir / HAMILTON)
    start = server.add_redirect("/start", target.format(port=server.port))

    # The first hop is "public", so it passes the guard and the redirect is checked.
    with public_network() as network, pytest.raises(IngestError, match="private or local address"):
        ingest(start.replace("127.0.0.1", "videos.example"), workdir, config.replace(allow_private_urls=False))

    assert network.lookups == ["videos.example"]
    assert network.connects == [(PUBLIC_ADDRESS, server.port)]
    assert server.paths_requested() == ["/start"]
    assert files_in(workdir) == []


# yt-dlp ---------------------------------------------------------------------------------


def video_page(clip_path: str) -> bytes:
    return (
        "<html><head><title>Hamilton</title>"
        '<meta property="og:title" content="Hamilton at the White House">'
        '<meta property="og:image" content="/poster.jpg"></head>'
        f'<body><video controls><source src="{clip_path}" type="video/mp4"></video></body></html>'
    ).encode()


def test_it_ingests_a_video_page_with_yt_dlp(media_dir, server, workdir, config):
    server.add_file("/media/hamilton.mp4", media_dir / HAMILTON)
    page = server.add_bytes("/watch/42", video_page("/media/hamilton.mp4"))
    progress = Progress()

    result = ingest(page, workdir, config, force_ytdlp=True, progress=progress)

    assert result.source_kind == "ytdlp"
    assert result.title.startswith("Hamilton at the White House")
    assert result.thumbnail_url == server.url("/poster.jpg")
    assert result.webpage_url == page
    assert result.duration == pytest.approx(10.0, abs=0.1)
    assert sha256(Path(result.path)) == sha256(media_dir / HAMILTON)
    assert files_in(workdir) == [Path(result.path).name]  # no .part files or download folder left
    assert progress.finished_in_order()


def test_it_ingests_a_direct_file_link_with_yt_dlp_and_cuts_a_range(media_dir, server, workdir, config):
    url = server.add_file("/hamilton.mp4", media_dir / HAMILTON)

    result = ingest(url, workdir, config, force_ytdlp=True, start=1.0, end=4.0)

    assert result.source_kind == "ytdlp"
    assert result.media.duration == pytest.approx(3.0, abs=0.15)
    assert (result.start, result.end) == (1.0, 4.0)


def test_it_refuses_a_yt_dlp_playlist_before_downloading(media_dir, server, workdir, config):
    server.add_file("/one.mp4", media_dir / HAMILTON)
    two_videos = b'<html><body><video src="/one.mp4"></video><video src="/two.mp4"></video></body></html>'
    page = server.add_bytes("/list", two_videos)

    with pytest.raises(IngestError, match="playlist"):
        ingest(page, workdir, config, force_ytdlp=True)

    assert server.paths_requested() == ["/list"]


def test_it_guards_every_request_yt_dlp_makes(media_dir, server, workdir, config):
    server.add_file("/media/hamilton.mp4", media_dir / HAMILTON)
    page = server.add_bytes("/watch/42", video_page(server.url("/media/hamilton.mp4")))
    page_on_public_name = page.replace("127.0.0.1", "videos.example")

    # The page's host passes as public; the video it embeds is on 127.0.0.1 and must not be fetched.
    with (
        public_network() as network,
        pytest.raises(IngestError, match=r"private or local address \(127\.0\.0\.1\)"),
    ):
        ingest(page_on_public_name, workdir, config.replace(allow_private_urls=False), force_ytdlp=True)

    assert server.paths_requested() == ["/watch/42"]
    assert {address for address, _ in network.connects} == {PUBLIC_ADDRESS}
    assert files_in(workdir) == []


def test_it_refuses_what_a_yt_dlp_download_was_redirected_to(media_dir, server, workdir, config):
    # Everything is on "videos.example" (public, by the fake DNS) except the redirect target.
    server.add_file("/media/hamilton.mp4", media_dir / HAMILTON)
    server.add_redirect("/media/latest.mp4", server.url("/media/hamilton.mp4"))
    page = server.add_bytes("/watch/42", video_page(server.url("/media/latest.mp4", host="videos.example")))

    with (
        public_network() as network,
        pytest.raises(IngestError, match=r"private or local address \(127\.0\.0\.1\)"),
    ):
        ingest(page.replace("127.0.0.1", "videos.example"), workdir, config.replace(allow_private_urls=False),
               force_ytdlp=True)

    # yt-dlp follows redirects itself, inside one request; the guard refuses the hop's
    # connection, so the target is never even asked.
    assert "/media/latest.mp4" in server.paths_requested()
    assert "/media/hamilton.mp4" not in server.paths_requested()
    assert ("127.0.0.1", server.port) not in network.connects
    assert files_in(workdir) == []


@pytest.mark.parametrize("send_length", [True, False], ids=["declared-size", "unknown-size"])
def test_it_applies_the_size_cap_to_yt_dlp_downloads(media_dir, server, workdir, config, send_length):
    url = server.add_file("/big.mp4", media_dir / CLOSEUP, send_length=send_length)

    with pytest.raises(IngestError, match="larger than the download limit"):
        ingest(url, workdir, config.replace(max_download_bytes=1024**2), force_ytdlp=True)

    assert files_in(workdir) == []


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube"),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube"),
        ("https://vimeo.com/76979871", "ytdlp"),
        ("https://cdn.example.com/media/talk.mp4", "url"),
        ("/srv/uploads/talk.mp4", "file"),
        ("C:\\Users\\me\\talk.mp4", "file"),
    ],
)
def test_it_tells_site_links_from_direct_links_without_network_access(source, kind):
    with mock.patch.object(requests.Session, "send", autospec=True) as send:
        assert source_kind(source) == kind
    send.assert_not_called()


def test_it_lets_the_api_send_any_link_to_yt_dlp_but_not_a_local_path():
    assert source_kind("https://cdn.example.com/media/talk.mp4", force_ytdlp=True) == "ytdlp"
    with pytest.raises(IngestError, match="Only http"):
        source_kind("/srv/uploads/talk.mp4", force_ytdlp=True)


def test_it_round_trips_the_result_through_json(media_dir, workdir, config):
    result = ingest(str(media_dir / HAMILTON), workdir, config, start=1.0, end=3.0)

    again = IngestResult.from_dict(result.to_dict())

    assert again == result and again.media.width == 640


def test_it_resolves_names_through_the_system_resolver():
    # A sanity check on the guard's DNS boundary itself: localhost really is loopback.
    assert "127.0.0.1" in netguard.resolve("localhost", 80)


def test_it_uses_an_upload_already_in_the_workdir_in_place(media_dir, workdir, config):
    workdir.mkdir()
    upload = workdir / "upload.mp4"
    upload.write_bytes((media_dir / HAMILTON).read_bytes())

    result = ingest(str(upload), workdir, config)

    assert Path(result.path) == upload.resolve()
    assert files_in(workdir) == ["upload.mp4"]


def test_it_serves_byte_ranges_from_the_test_server(media_dir, server):
    # yt-dlp and players resume and seek with Range requests; the helper must answer them.
    url = server.add_file("/talk.mp4", media_dir / HAMILTON)
    data = (media_dir / HAMILTON).read_bytes()

    middle = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=10)
    tail = requests.get(url, headers={"Range": "bytes=-50"}, timeout=10)
    beyond = requests.get(url, headers={"Range": f"bytes={len(data)}-"}, timeout=10)

    assert (middle.status_code, middle.content) == (206, data[100:200])
    assert middle.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert (tail.status_code, tail.content) == (206, data[-50:])
    assert beyond.status_code == 416


def test_it_gives_yt_dlp_a_supported_javascript_runtime_and_its_solver_scripts():
    """YouTube's player challenges need both; neither may be fetched at run time."""
    import yt_dlp
    import yt_dlp_ejs  # noqa: F401 - the solver scripts must be installed, not downloaded

    from pipeline.ingest import js_runtimes

    runtimes = js_runtimes()
    with yt_dlp.YoutubeDL({"js_runtimes": runtimes, "quiet": True}) as ydl:
        deno = ydl._js_runtimes["deno"]
        assert deno is not None and deno.info is not None and deno.info.supported, deno.info


def test_it_keeps_a_youtube_pages_most_replayed_heatmap(media_dir, server, workdir, config):
    """YouTube's page answered at the extractor's edge with a recorded page (its heatmap
    included) whose one format is served locally: yt-dlp's own processing and download run."""
    page = youtube_page(media_url=server.add_file("/videoplayback.mp4", media_dir / HAMILTON), duration=10.0)
    with mock.patch.object(YoutubeIE, "_real_extract", lambda self, url: page):
        result = ingest("https://www.youtube.com/watch?v=dQw4w9WgXcQ", workdir, config)

    assert result.source_kind == "youtube" and result.title == page["title"]
    assert len(result.heatmap) == len(page["heatmap"]) == 100
    first = page["heatmap"][0]
    assert (result.heatmap[0].start, result.heatmap[0].end, result.heatmap[0].value) == (
        first["start_time"], first["end_time"], first["value"])  # fmt: skip
    assert sha256(Path(result.path)) == sha256(media_dir / HAMILTON)


def test_it_puts_the_replay_graph_on_the_processed_ranges_timeline():
    from pipeline.trends.platforms import HeatPoint
    from pipeline.types import MediaInfo

    heat = [HeatPoint(0.0, 10.0, 0.1), HeatPoint(10.0, 20.0, 0.9), HeatPoint(20.0, 30.0, 0.4), HeatPoint(30.0, 40.0, 1)]
    media = MediaInfo("x.mp4", 13.0, 1, "mp4", True, True)
    cut = IngestResult("x.mp4", media, "u", "youtube", start=12.0, end=25.0, heatmap=heat)

    assert cut.replay_curve() == [(-2.0, 8.0, 0.9), (8.0, 18.0, 0.4)]
    whole = IngestResult("x.mp4", media, "u", "youtube", heatmap=heat)
    assert whole.replay_curve()[0] == (0.0, 10.0, 0.1) and len(whole.replay_curve()) == 4
