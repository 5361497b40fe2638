"""Platform captions: real YouTube json3 and WebVTT files parsed into timed words, and fetched.

The caption files are real (``tests/pipeline/recorded/README.md`` says where each comes
from). Fetching runs against a loopback server standing in for YouTube's timedtext
endpoint, with the recorded video's caption addresses pointed at it.
"""

from __future__ import annotations

import itertools

import pytest

from pipeline.config import PipelineConfig
from pipeline.trends.captions import caption_transcript, parse_captions, rank_tracks
from pipeline.trends.platforms import CaptionTrack, PlatformRefused, get_provider, parse_video_link
from tests.pipeline.http_server import LocalHTTPServer
from tests.pipeline.platform_fakes import Paces, answering, recorded, recorded_text

RICK = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
AUTO_JSON3_TEXT = ("hello and welcome back to Scarlet Hollow we are about to begin episode two would you like to "
                   "see a no I just did it")  # fmt: skip
# The uploaded captions write "I\u2019m" with a typographic apostrophe.
JOHN = "Hi I\u2019m John Green"
AUTO_VTT_TEXT = ("lost another colony to Raiders let's make sure the next one doesn't suffer the same fate shall we "
                 "today we're going")  # fmt: skip


def texts(words) -> str:
    return " ".join(w.text for w in words)


def assert_ordered(words) -> None:
    assert all(w.start <= w.end for w in words)
    assert all(a.end <= b.start for a, b in itertools.pairwise(words))


def test_it_reads_automatic_json3_captions_word_by_word():
    words = parse_captions(recorded_text("youtube_auto_captions.json3"), "json3")

    assert texts(words) == AUTO_JSON3_TEXT
    # Each word starts at its event's tStartMs plus its own tOffsetMs.
    assert [(w.text, w.start) for w in words[:3]] == [("hello", 0.919), ("and", 1.36), ("welcome", 1.52)]
    assert [(w.text, w.start) for w in words[7:9]] == [("we", 3.04), ("are", 3.12)]
    assert words[-1].text == "it" and words[-1].start == 8.76
    assert_ordered(words)


def test_it_takes_each_word_of_rolling_automatic_webvtt_once_at_its_own_time():
    words = parse_captions(recorded_text("youtube_auto_captions.vtt"), "vtt")

    assert texts(words) == AUTO_VTT_TEXT
    assert [(w.text, w.start, w.end) for w in words[:2]] == [("lost", 0.16, 0.52), ("another", 0.52, 0.88)]
    assert [(w.text, w.start) for w in words if w.text in ("make", "today")] == [("make", 2.36), ("today", 6.04)]
    assert_ordered(words)


def test_it_spreads_uploaded_webvtt_cues_over_their_words_and_drops_sound_annotations():
    words = parse_captions(recorded_text("youtube_uploaded_captions.vtt"), "vtt")

    text = texts(words)
    assert text.startswith(f"{JOHN} and this is Crash Course European History. Last time,")
    assert "[Intro]" not in text
    assert "town. So, population was rising" in text  # the two lines of a cue are joined
    cue = [w for w in words if 0.16 <= w.start < 3.54]
    assert texts(cue) == f"{JOHN} and this is Crash Course European History."
    assert cue[0].start == 0.16 and cue[-1].end == pytest.approx(3.54)
    assert_ordered(words)


def test_it_reads_subrip_as_well():
    vtt = recorded_text("youtube_uploaded_captions.vtt").split("\n\n")[1:4]
    srt = "\n\n".join(f"{i}\n{block.replace('.', ',', 2)}" for i, block in enumerate(vtt, start=1))

    words = parse_captions(srt, "srt")

    assert texts(words).startswith(JOHN)
    assert words[0].start == 0.16 and words[-1].end == pytest.approx(11.269)


def test_it_cuts_captions_at_the_hook_and_builds_sentences():
    words = parse_captions(recorded_text("youtube_auto_captions.json3"), "json3")

    hook = caption_transcript(words, language="en-orig", until=3.05, duration=None, model="youtube captions")

    assert hook.duration == 3.05
    assert hook.text == "hello and welcome back to Scarlet Hollow we"
    assert hook.words[-1].end <= 3.05
    assert hook.language == "en"
    assert [s.index for s in hook.sentences] == list(range(len(hook.sentences)))
    whole = caption_transcript(words, language="en", until=None, duration=8.5, model="youtube captions")
    assert whole.duration == 8.5 and all(w.end <= 8.5 for w in whole.words)


def test_it_ranks_uploaded_over_automatic_then_the_video_language_then_english():
    def track(language: str, ext: str, automatic: bool) -> CaptionTrack:
        return CaptionTrack(language, f"https://example.com/{language}.{ext}", ext, automatic)

    tracks = [
        track("en", "vtt", True), track("de-orig", "json3", True), track("de", "json3", True),
        track("en", "vtt", False), track("de-DE", "vtt", False), track("de-DE", "json3", False),
        track("fr", "json3", False), track("en", "ttml", False),
    ]  # fmt: skip

    ranked = [(t.language, t.ext, t.automatic) for t in rank_tracks(tracks, "de")]

    assert ranked == [("de-DE", "json3", False), ("de-DE", "vtt", False), ("en", "vtt", False),
                      ("de-orig", "json3", True), ("de", "json3", True), ("en", "vtt", True)]  # fmt: skip
    assert [t.language for t in rank_tracks(tracks, "")][:1] == ["en"]


@pytest.fixture
def server():
    with LocalHTTPServer() as running:
        yield running


def rick_with_captions(server: LocalHTTPServer, paths: dict[tuple[str, str], str]) -> dict:
    """The recorded Rick Astley answer with the listed ``(language, ext)`` uploaded tracks
    pointed at ``server`` and every other caption address at a path it answers 404 for."""
    info = recorded("youtube_video.info.json")
    for kind in ("subtitles", "automatic_captions"):
        for language, tracks in info[kind].items():
            for entry in tracks:
                key = (language, entry["ext"])
                path = paths.get(key) if kind == "subtitles" else None
                entry["url"] = server.url(path or f"/missing/{kind}/{language}.{entry['ext']}")
    return info


def test_it_fetches_the_best_track_and_cuts_it_at_the_hook(server):
    server.add_bytes("/timedtext/en.json3", recorded_text("youtube_auto_captions.json3").encode(),
                     content_type="application/json")  # fmt: skip
    info = rick_with_captions(server, {("en", "json3"): "/timedtext/en.json3"})
    paces = Paces()
    config = PipelineConfig(allow_private_urls=True)
    with answering("youtube", info):
        provider = get_provider("youtube", config, pace=paces)
        video = provider.video(parse_video_link(RICK))
        transcript = provider.fetch_captions(video, 5.0)

    assert transcript.text == "hello and welcome back to Scarlet Hollow we are about to begin episode two"
    assert (transcript.model, transcript.language, transcript.duration) == ("youtube captions", "en", 5.0)
    assert server.paths_requested() == ["/timedtext/en.json3"]
    assert paces.calls == ["youtube", "youtube"]  # the page, then the caption file


def test_it_falls_back_to_the_next_track_and_to_none(server):
    server.add_bytes("/timedtext/en.vtt", recorded_text("youtube_uploaded_captions.vtt").encode(),
                     content_type="text/vtt")  # fmt: skip
    info = rick_with_captions(server, {("en", "json3"): "/timedtext/gone.json3", ("en", "vtt"): "/timedtext/en.vtt"})
    config = PipelineConfig(allow_private_urls=True)
    with answering("youtube", info):
        provider = get_provider("youtube", config, pace=Paces())
        video = provider.video(parse_video_link(RICK))
        transcript = provider.fetch_captions(video, None)
        assert server.paths_requested() == ["/timedtext/gone.json3", "/timedtext/en.vtt"]
        assert transcript.text.startswith(JOHN)
        assert transcript.duration == 213.0  # the whole video

        server.routes.pop("/timedtext/en.vtt")
        assert provider.fetch_captions(video, 30.0) is None


def test_it_reports_a_caption_server_that_says_too_many_requests(server):
    server.add_bytes("/timedtext/en.json3", b"", status=429, headers={"Retry-After": "300"})
    info = rick_with_captions(server, {("en", "json3"): "/timedtext/en.json3"})
    with answering("youtube", info):
        provider = get_provider("youtube", PipelineConfig(allow_private_urls=True), pace=Paces())
        video = provider.video(parse_video_link(RICK))
        with pytest.raises(PlatformRefused) as refused:
            provider.fetch_captions(video, 30.0)

    assert refused.value.retry_after == 300
    assert "YouTube" in refused.value.message
