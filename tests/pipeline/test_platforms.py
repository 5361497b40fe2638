"""Platform links, providers on recorded yt-dlp answers, yt-dlp's failures, pacing.

The providers read real yt-dlp answers (``tests/pipeline/recorded``, README there) given
at their one network edge, each platform module's ``extract_info``; everything after it
runs for real. yt-dlp's failures are raised with yt-dlp's own classes and messages, and
the last tests run yt-dlp itself against a loopback server that answers 429 or nothing.
"""

from __future__ import annotations

import itertools
import json
import pickle
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.config import PipelineConfig
from pipeline.trends.discovery import discover, rank_breakouts
from pipeline.trends.instagram import InstagramProvider
from pipeline.trends.platforms import (
    DEFAULT_PACER,
    DEFAULT_RETRY_AFTER,
    NotAPlatformLink,
    Pacer,
    PlatformRefused,
    PlatformUnavailable,
    PlatformVideo,
    VideoRef,
    VideoUnavailable,
    canonical_url,
    get_provider,
    parse_video_link,
)
from pipeline.trends.tiktok import TikTokProvider
from pipeline.trends.youtube import YouTubeProvider
from tests.pipeline.http_server import LocalHTTPServer
from tests.pipeline.platform_fakes import (
    Paces,
    answering,
    http_error,
    recorded,
    youtube_login_hint,
    ytdlp_failure,
)

RICK = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
TIKTOK = "https://www.tiktok.com/@emojibattery/video/7496800151642721543"
REEL = "https://www.instagram.com/reel/Cgb-UsrA37l/"


@pytest.fixture
def config() -> PipelineConfig:
    return PipelineConfig()


@pytest.fixture
def paces() -> Paces:
    return Paces()


def fmt(info: dict, format_id: str) -> dict:
    return next(f for f in info["formats"] if f["format_id"] == format_id)


# Links -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "platform", "video_id"),
    [
        (RICK, "youtube", "dQw4w9WgXcQ"),
        ("http://youtube.com/watch?v=dQw4w9WgXcQ&t=42s&list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI", "youtube",
         "dQw4w9WgXcQ"),
        ("https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://music.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ?si=Ab12Cd34", "youtube", "dQw4w9WgXcQ"),
        ("https://www.youtube.com/shorts/Z8KYabgkMbw/", "youtube", "Z8KYabgkMbw"),
        ("https://www.youtube.com/live/jNQXAC9IVRw?feature=share", "youtube", "jNQXAC9IVRw"),
        ("https://www.youtube.com/embed/jNQXAC9IVRw", "youtube", "jNQXAC9IVRw"),
        ("  HTTPS://WWW.YouTube.COM./watch?v=dQw4w9WgXcQ  ", "youtube", "dQw4w9WgXcQ"),
        (TIKTOK, "tiktok", "7496800151642721543"),
        ("https://m.tiktok.com/@emoji.battery_1/video/7496800151642721543?is_from_webapp=1", "tiktok",
         "7496800151642721543"),
        ("https://tiktok.com/@/video/7496800151642721543", "tiktok", "7496800151642721543"),
        (REEL, "instagram", "Cgb-UsrA37l"),
        ("https://instagram.com/reels/Cgb-UsrA37l", "instagram", "Cgb-UsrA37l"),
        ("https://www.instagram.com/p/Cgb-UsrA37l/?img_index=1", "instagram", "Cgb-UsrA37l"),
    ],
)  # fmt: skip
def test_it_accepts_single_video_links_on_the_platforms_own_hosts(link, platform, video_id):
    ref = parse_video_link(link)

    assert (ref.platform, ref.video_id) == (platform, video_id)
    assert ref.url == canonical_url(platform, video_id)
    assert parse_video_link(ref.url) == ref


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("https://youtube.com.evil.net/watch?v=dQw4w9WgXcQ", "not on YouTube, TikTok or Instagram"),
        ("https://evil.net/www.youtube.com/watch?v=dQw4w9WgXcQ", "not on YouTube, TikTok or Instagram"),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "not on YouTube, TikTok or Instagram"),
        ("https://vm.tiktok.com/ZMhvqKDuv/", "copy the full address"),
        ("https://user:secret@www.youtube.com/watch?v=dQw4w9WgXcQ", "user name or password"),
        ("https://www.youtube.com@evil.net/watch?v=dQw4w9WgXcQ", "user name or password"),
        ("https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ", "names a port"),
        ("https://www.youtube.com:/watch?v=dQw4w9WgXcQ", "names a port"),
        ("https://127.0.0.1/watch?v=dQw4w9WgXcQ", "IP address"),
        ("http://[::1]/watch?v=dQw4w9WgXcQ", "IP address"),
        ("http://2130706433/watch?v=dQw4w9WgXcQ", "IP address"),
        ("ftp://www.youtube.com/watch?v=dQw4w9WgXcQ", "not a web link"),
        ("javascript:alert(1)//www.youtube.com/watch?v=dQw4w9WgXcQ", "not a web link"),
        ("", "not a web link"),
        (f"{RICK}\nhttps://evil.net/", "paste the video's link alone"),
        ("https://www.youtube.com/@MrBeast", "not a single video"),
        ("https://www.youtube.com/playlist?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI", "not a single video"),
        ("https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw", "not a single video"),
        ("https://www.youtube.com/results?search_query=test", "not a single video"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXc", "valid YouTube video id"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&v=jNQXAC9IVRw", "valid YouTube video id"),
        ("https://youtu.be/dQw4w9WgXcQ%2F..", "valid YouTube video id"),
        ("https://www.tiktok.com/@emojibattery", "not a single video"),
        ("https://www.tiktok.com/@emojibattery/photo/7496800151642721543", "not a single video"),
        ("https://www.tiktok.com/@emojibattery/video/12ab", "valid TikTok video id"),
        ("https://www.instagram.com/mikewilliams/", "not a single video"),
        ("https://www.instagram.com/stories/mikewilliams/2890177687127817957/", "not a single video"),
        ("https://www.instagram.com/p/a/", "valid Instagram video id"),
    ],
)
def test_it_refuses_every_other_link_and_names_why(link, reason):
    with pytest.raises(NotAPlatformLink) as refused:
        parse_video_link(link)

    assert refused.value.code == "url_refused"
    assert reason in refused.value.message


def test_it_builds_canonical_urls_and_refuses_unknown_platforms_and_ids():
    assert canonical_url("youtube", "dQw4w9WgXcQ") == RICK
    assert canonical_url("tiktok", "7496800151642721543") == "https://www.tiktok.com/@_/video/7496800151642721543"
    assert canonical_url("instagram", "Cgb-UsrA37l") == "https://www.instagram.com/p/Cgb-UsrA37l/"
    with pytest.raises(NotAPlatformLink, match="not a supported platform"):
        canonical_url("vimeo", "76979871")
    with pytest.raises(NotAPlatformLink, match="valid YouTube video id"):
        canonical_url("youtube", "../../etc/pa")


def test_it_gives_each_platform_its_provider_and_refuses_others(config):
    assert isinstance(get_provider("youtube", config), YouTubeProvider)
    assert isinstance(get_provider("tiktok", config), TikTokProvider)
    assert isinstance(get_provider("instagram", config), InstagramProvider)
    assert get_provider("youtube", config).pace is DEFAULT_PACER
    with pytest.raises(NotAPlatformLink):
        get_provider("vimeo", config)


# Providers on recorded answers ----------------------------------------------------------


def test_it_reads_a_youtube_video_page(config, paces):
    info = recorded("youtube_video.info.json")
    with answering("youtube", info) as edge:
        video = get_provider("youtube", config, pace=paces).video(parse_video_link("https://youtu.be/dQw4w9WgXcQ"))

    assert edge.calls == [(RICK, False)]
    assert paces.calls == ["youtube"]
    assert (video.platform, video.video_id, video.url) == ("youtube", "dQw4w9WgXcQ", RICK)
    assert video.title == "Rick Astley - Never Gonna Give You Up (Official Video) (4K Remaster)"
    assert video.creator == "Rick Astley"
    assert video.caption.startswith(info["description"][:40])
    assert (video.views, video.likes, video.comments) == (1715079915, 18643045, 2400000)
    assert video.uploaded_at == datetime(2009, 10, 25, 6, 57, 33, tzinfo=UTC)
    assert (video.duration_sec, video.language) == (213.0, "en")
    assert len(video.heatmap) == 100
    assert (video.heatmap[0].start, video.heatmap[0].end, video.heatmap[0].value) == (0.0, 2.14, 1.0)
    assert all(0.0 <= point.value <= 1.0 for point in video.heatmap)
    # The smallest audio-only file: 249 (webm/opus, 46 kb/s), not 139 (m4a, 49 kb/s).
    assert video.audio.url == fmt(info, "249")["url"]
    assert video.audio.headers["User-Agent"] == fmt(info, "249")["http_headers"]["User-Agent"]
    assert (video.audio.bitrate_kbps, video.audio.filesize) == (46.234, 1231340)
    # 144p in H.264 (160) rather than the smaller AV1 (394): cheaper to seek and decode.
    assert video.preview.url == fmt(info, "160")["url"]
    assert video.preview.height == 144


def test_it_keeps_uploaded_captions_and_only_the_useful_automatic_ones(config):
    info = recorded("youtube_video.info.json")
    with answering("youtube", info):
        video = get_provider("youtube", config, pace=Paces()).video(parse_video_link(RICK))

    uploaded = {(t.language, t.ext) for t in video.captions if not t.automatic}
    automatic = {(t.language, t.ext) for t in video.captions if t.automatic}
    assert uploaded == {(lang, ext) for lang in ("en", "de-DE", "ja") for ext in ("json3", "vtt", "srt")}
    # Only English (the video's language) and the original recognition: the Japanese and
    # German machine translations are dropped, and so is the HLS playlist of WebVTT segments.
    assert automatic == {(lang, ext) for lang in ("en", "en-orig") for ext in ("json3", "vtt", "srt")}
    assert all(t.url.startswith("https://www.youtube.com/api/timedtext") for t in video.captions)


def test_it_serialises_a_video_with_its_upload_time_as_iso_text(config):
    with answering("youtube", recorded("youtube_short_video.info.json")):
        video = get_provider("youtube", config, pace=Paces()).video(parse_video_link("https://youtu.be/jNQXAC9IVRw"))

    data = json.loads(video.to_json())
    assert data["uploaded_at"] == "2005-04-24T03:31:52+00:00"
    assert PlatformVideo.from_dict(data) == video
    assert (video.video_id, video.title, video.creator) == ("jNQXAC9IVRw", "Me at the zoo", "jawed")
    # A video's page is a search result with more in it: the discovery maths take it as is.
    [breakout] = rank_breakouts([video], video.uploaded_at + timedelta(days=10))
    assert (breakout.id, breakout.views, breakout.views_per_day) == ("jNQXAC9IVRw", 375826400, 37582640)


def test_it_searches_youtube_flat_with_approximate_upload_dates(config, paces):
    answer = recorded("youtube_search.info.json")
    with answering("youtube", answer) as edge:
        candidates = get_provider("youtube", config, pace=paces).search("  tiktok   made me buy it ", 20)

    assert edge.calls == [("ytsearch20:tiktok made me buy it", True)]
    assert paces.calls == ["youtube"]
    assert [c.video_id for c in candidates] == [e["id"] for e in answer["entries"]]
    first = candidates[0]
    assert (first.title, first.creator, first.views) == ("Blind Test TOUT GENRE | 140 extraits", "Blind Test & Chill",
                                                         390201)  # fmt: skip
    assert first.url == "https://www.youtube.com/watch?v=Z8KYabgkMbw"
    assert first.duration_sec == 2840.0
    # "9 months ago" on the page, fetched on 26 January 2026.
    assert first.uploaded_at == datetime(2025, 4, 27, tzinfo=UTC)
    assert all(c.uploaded_at is not None and c.thumbnail.startswith("https://i.ytimg.com/") for c in candidates)
    scraped = datetime.fromtimestamp(answer["epoch"], UTC)
    discovery = discover(candidates, scraped, seed="test")
    assert (discovery.n, discovery.undated) == (20, 0)
    # "1 day ago" and 124,139 views: the F1 testing stream leads on views per day.
    assert (discovery.breakouts[0].id, discovery.breakouts[0].views_per_day) == ("Mqvkv2k8Xfo", 124139)


def test_it_asks_youtube_for_at_most_the_limit_and_skips_what_is_not_a_video(config):
    answer = recorded("youtube_search.info.json")
    answer["entries"][1]["id"] = "UCuAXFkgsw1L7xaCfnd5JJOw"  # a channel among the results
    answer["entries"][2]["live_status"] = "is_live"
    with answering("youtube", answer) as edge:
        candidates = get_provider("youtube", config, pace=Paces()).search("test", 5)

    assert edge.calls == [("ytsearch5:test", True)]
    assert len(candidates) == 5
    assert "UCuAXFkgsw1L7xaCfnd5JJOw" not in [c.video_id for c in candidates]
    assert answer["entries"][2]["id"] not in [c.video_id for c in candidates]


def test_it_reads_a_tiktok_video_and_takes_its_sound_from_a_video_file(config, paces):
    info = recorded("tiktok_video.info.json")
    with answering("tiktok", info) as edge:
        video = get_provider("tiktok", config, pace=paces).video(parse_video_link(TIKTOK))

    assert edge.calls == [("https://www.tiktok.com/@_/video/7496800151642721543", False)]
    assert video.creator == "emojibattery"
    assert video.caption == "Add emojis to battery on Android phone 🩷✨🌸"
    assert (video.views, video.likes, video.comments) == (573400, 1981, 69)
    assert video.uploaded_at == datetime(2025, 4, 24, 8, 53, 28, tzinfo=UTC)
    assert (video.duration_sec, video.captions, video.heatmap) == (11.0, [], [])
    # The audio-only format is the post's sound track; the smallest video file is used instead.
    assert video.audio.url == fmt(info, "bytevc1_540p_331820-0")["url"]
    assert video.audio.headers["Referer"] == TIKTOK
    assert "Cookie" not in video.audio.headers
    assert video.preview.url == fmt(info, "h264_540p_866472-0")["url"]


def test_it_sends_the_cookies_yt_dlp_scoped_to_a_media_file(config):
    info = recorded("tiktok_video.info.json")
    # How yt-dlp writes the cookies its jar holds for a format's address.
    fmt(info, "bytevc1_540p_331820-0")["cookies"] = (
        "tt_chain_token=DEd3nYiSUJ+eBCV9SEaUIA==; Domain=.tiktok.com; Path=/; Secure; Expires=1779000000; "
        "ttwid=1%7CgqY2; Domain=.tiktok.com; Path=/; Secure"
    )
    with answering("tiktok", info):
        video = get_provider("tiktok", config, pace=Paces()).video(parse_video_link(TIKTOK))

    assert video.audio.headers["Cookie"] == "tt_chain_token=DEd3nYiSUJ+eBCV9SEaUIA==; ttwid=1%7CgqY2"


def test_it_reads_an_instagram_reel(config):
    info = recorded("instagram_reel.info.json")
    with answering("instagram", info):
        video = get_provider("instagram", config, pace=Paces()).video(parse_video_link(REEL))

    assert (video.video_id, video.creator) == ("Cgb-UsrA37l", "mikewilliams")
    assert video.caption.startswith("played 9 unreleased tracks at Tomorrowland")
    assert (video.views, video.likes, video.comments) == (0, 6784, 150)
    assert video.duration_sec == pytest.approx(14.806)
    assert video.audio.headers["Referer"] == "https://www.instagram.com/"
    assert (video.audio.height, video.preview.height) == (854, 854)


@pytest.mark.parametrize("provider_class", [TikTokProvider, InstagramProvider])
def test_it_says_tiktok_and_instagram_cannot_be_searched(config, provider_class):
    paces = Paces()
    with pytest.raises(PlatformUnavailable) as unavailable:
        provider_class(config, pace=paces).search("gadget", 10)

    assert unavailable.value.code == "platform_unavailable"
    assert "cannot be searched" in unavailable.value.message
    assert paces.calls == []


def test_it_refuses_a_live_stream_and_a_post_without_video(config):
    live = recorded("youtube_video.info.json")
    live["live_status"] = "is_live"
    with answering("youtube", live), pytest.raises(VideoUnavailable, match="live or scheduled stream"):
        get_provider("youtube", config, pace=Paces()).video(parse_video_link(RICK))
    photo = recorded("instagram_reel.info.json")
    photo["formats"] = []
    with answering("instagram", photo), pytest.raises(VideoUnavailable, match="no video"):
        get_provider("instagram", config, pace=Paces()).video(parse_video_link(REEL))


def test_it_refuses_a_video_of_another_platform(config):
    with pytest.raises(ValueError, match="tiktok video was given to the youtube provider"):
        get_provider("youtube", config).video(VideoRef("tiktok", "7496800151642721543", TIKTOK))


# yt-dlp failures --------------------------------------------------------------------


def failure_cases() -> list:
    hint = youtube_login_hint()
    return [
        ("youtube", f"dQw4w9WgXcQ: Sign in to confirm you\u2019re not a bot. {hint}", None, PlatformRefused),
        ("youtube", "dQw4w9WgXcQ: This content isn't available, try again later. The current session has been "
         "rate-limited by YouTube for up to an hour. It is recommended to use `-t sleep` to add a delay",
         None, PlatformRefused),
        ("youtube", "dQw4w9WgXcQ: Unable to download API page: HTTP Error 429: Too Many Requests",
         http_error(429), PlatformRefused),
        ("instagram", "Cgb-UsrA37l: The webpage request was redirected to the login page. You have exceeded the "
         "rate-limit for accessing posts anonymously. Use --cookies", None, PlatformRefused),
        ("tiktok", "7496800151642721543: Your IP address is blocked from accessing this post", None,
         PlatformRefused),
        ("youtube", f"dQw4w9WgXcQ: Private video. Sign in if you've been granted access to this video. {hint}",
         None, VideoUnavailable),
        ("youtube", f"dQw4w9WgXcQ: Sign in to confirm your age. This video may be inappropriate for some users. "
         f"{hint}", None, VideoUnavailable),
        ("youtube", "dQw4w9WgXcQ: The uploader has not made this video available in your country", None,
         VideoUnavailable),
        ("youtube", "dQw4w9WgXcQ: Video unavailable. This video has been removed by the uploader", None,
         VideoUnavailable),
        ("tiktok", "7496800151642721543: You do not have permission to view this post. Log into an account that "
         "has access", None, VideoUnavailable),
        ("tiktok", "7496800151642721543: Video not available, status code 10204", None, VideoUnavailable),
        ("instagram", "Cgb-UsrA37l: Unable to download webpage: HTTP Error 404: Not Found", http_error(404),
         VideoUnavailable),
        ("youtube", "dQw4w9WgXcQ: Unable to download API page: The read operation timed out",
         TimeoutError("The read operation timed out"), PlatformUnavailable),
        ("youtube", "dQw4w9WgXcQ: Unable to download API page: HTTP Error 503: Service Unavailable",
         http_error(503), PlatformUnavailable),
        ("youtube", "dQw4w9WgXcQ: Unable to extract yt initial data; please report this issue on "
         "https://github.com/yt-dlp/yt-dlp/issues", None, PlatformUnavailable),
    ]  # fmt: skip


@pytest.mark.parametrize(("platform", "message", "cause", "error"), failure_cases())
def test_it_turns_yt_dlp_failures_into_plain_platform_errors(config, platform, message, cause, error):
    link = {"youtube": RICK, "tiktok": TIKTOK, "instagram": REEL}[platform]
    with answering(platform, ytdlp_failure(platform, message, cause=cause)), pytest.raises(error) as failed:
        get_provider(platform, config, pace=Paces()).video(parse_video_link(link))

    shown = failed.value.message
    assert failed.value.code == error.code
    assert {"youtube": "YouTube", "tiktok": "TikTok", "instagram": "Instagram"}[platform] in shown
    for leak in ("yt-dlp", "--cookies", "ERROR", "http", "github"):
        assert leak not in shown
    assert message.split(": ", 1)[1][:40] in failed.value.detail


def test_it_keeps_how_long_to_wait_when_a_refusal_crosses_processes():
    sent = pickle.dumps(PlatformRefused("YouTube is refusing", retry_after=120, detail="HTTP 429"))
    refused = pickle.loads(sent)  # noqa: S301 - bytes this test just made

    assert (refused.message, refused.retry_after, refused.detail, refused.code) == (
        "YouTube is refusing", 120, "HTTP 429", "platform_refused")


def test_it_reads_how_long_to_wait_from_a_429s_retry_after(config):
    failure = ytdlp_failure("youtube", "dQw4w9WgXcQ: Unable to download API page: HTTP Error 429: Too Many Requests",
                            cause=http_error(429, {"Retry-After": "120"}))  # fmt: skip
    with answering("youtube", failure), pytest.raises(PlatformRefused) as refused:
        get_provider("youtube", config, pace=Paces()).video(parse_video_link(RICK))
    assert refused.value.retry_after == 120

    bot = ytdlp_failure("youtube", f"dQw4w9WgXcQ: Sign in to confirm you\u2019re not a bot. {youtube_login_hint()}")
    with answering("youtube", bot), pytest.raises(PlatformRefused) as refused:
        get_provider("youtube", config, pace=Paces()).video(parse_video_link(RICK))
    assert refused.value.retry_after == DEFAULT_RETRY_AFTER


# yt-dlp itself, against loopback servers ------------------------------------------------


def test_it_maps_a_real_429_that_yt_dlp_receives(config):
    with LocalHTTPServer() as server:
        url = server.add_bytes("/watch", b"slow down", status=429, headers={"Retry-After": "90"})
        provider = YouTubeProvider(config.replace(allow_private_urls=True), pace=Paces())
        with pytest.raises(PlatformRefused) as refused:
            provider.extract(url, flat=False)

    assert refused.value.retry_after == 90
    assert server.paths_requested() == ["/watch"]


def test_it_maps_a_server_that_never_answers_to_unavailable(config):
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    accepting = threading.Thread(target=lambda: held.append(listener.accept()[0]), daemon=True)
    accepting.start()
    port = listener.getsockname()[1]
    provider = YouTubeProvider(config.replace(allow_private_urls=True, socket_timeout_seconds=1.0), pace=Paces())
    try:
        with pytest.raises(PlatformUnavailable) as unavailable:
            provider.extract(f"http://127.0.0.1:{port}/watch", flat=False)
    finally:
        for connection in held:
            connection.close()
        listener.close()
    assert "did not answer in time" in unavailable.value.message


def test_it_lets_the_guard_refuse_what_yt_dlp_would_fetch(config):
    with LocalHTTPServer() as server:
        url = server.add_bytes("/watch", b"<html></html>")
        with pytest.raises(PlatformUnavailable) as refused:
            YouTubeProvider(config.replace(allow_private_urls=False), pace=Paces()).extract(url, flat=False)

    assert "could not be reached safely" in refused.value.message
    assert server.hits == []


# Pacing -----------------------------------------------------------------------------


def test_it_keeps_a_minimum_interval_between_bursts_to_one_platform():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        now[0] += seconds

    pacer = Pacer(1.0, clock=lambda: now[0], sleep=sleep)
    pacer("youtube")
    pacer("youtube")
    pacer("tiktok")
    now[0] += 0.25
    pacer("youtube")
    now[0] += 5
    pacer("youtube")

    assert slept == [1.0, 0.75]


def test_it_paces_threads_in_turn():
    pacer = Pacer(0.05)
    started: list[float] = []

    def burst() -> None:
        pacer("instagram")
        started.append(time.monotonic())

    threads = [threading.Thread(target=burst) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    started.sort()
    assert all(later - earlier >= 0.045 for earlier, later in itertools.pairwise(started))
