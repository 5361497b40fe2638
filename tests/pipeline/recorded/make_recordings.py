"""Rebuild the recorded yt-dlp answers in this folder from real platform responses.

The tests never run this. It documents, as code, how each ``*.info.json`` here was made
(``README.md`` names the public source of every input), and rebuilds them after a yt-dlp
upgrade::

    .venv/bin/python -m tests.pipeline.recorded.make_recordings SOURCES_DIR

``SOURCES_DIR`` holds the raw inputs under the names in :data:`SOURCES`. Where the input
is a platform's own response (YouTube's search API, TikTok's page data, Instagram's media
item), it is fed to yt-dlp's real extractor with only the download call answered from the
file, so the output is exactly what yt-dlp makes of that response. Nothing here opens a
network connection.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import types
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import yt_dlp
from yt_dlp.extractor.instagram import InstagramIE
from yt_dlp.extractor.tiktok import TikTokIE
from yt_dlp.extractor.youtube import YoutubeSearchIE

HERE = Path(__file__).resolve().parent

SOURCES = {
    "youtube_video": "youtube_video_basic.json",  # TomzBench/peace video_basic.json
    "youtube_short_video": "youtube_video_with_subs.json",  # TomzBench/peace video_with_subs.json
    "search_page_1": "newpipe_search_videos_2.json",  # NewPipeExtractor mock, first search page
    "search_page_2": "newpipe_search_videos_3.json",  # NewPipeExtractor mock, continuation
    "tiktok": "sn_tools_mock.ts",  # ai-non-profit/sn-tools src/dashboard/pages/mock.ts
    "instagram": "elias_mock_data.ts",  # Elias85974/api-interaction-challenge MockData.ts
}

# Caption languages and thumbnails kept in the trimmed YouTube recordings.
KEEP_CAPTION_LANGUAGES = ("en", "en-orig", "de", "de-DE", "ja")
KEEP_THUMBNAILS = 3
SEARCH_ENTRIES = 20


def main(sources: Path) -> None:
    write("youtube_video.info.json", trimmed_video(load_json(sources / SOURCES["youtube_video"])))
    write("youtube_short_video.info.json", trimmed_video(load_json(sources / SOURCES["youtube_short_video"])))
    write("youtube_search.info.json", youtube_search(sources / SOURCES["search_page_1"],
                                                     sources / SOURCES["search_page_2"]))
    write("tiktok_video.info.json", tiktok_video(sources / SOURCES["tiktok"]))
    write("instagram_reel.info.json", instagram_reel(sources / SOURCES["instagram"]))


def trimmed_video(info: dict) -> dict:
    """A recorded ``extract_info`` answer cut to what the provider reads, smaller to store."""
    info = {k: v for k, v in info.items() if k not in ("requested_formats", "requested_subtitles", "_has_drm")}
    for key in ("subtitles", "automatic_captions"):
        info[key] = {lang: tracks for lang, tracks in (info.get(key) or {}).items() if lang in KEEP_CAPTION_LANGUAGES}
        for tracks in info[key].values():
            for track in tracks:
                track.pop("content", None)  # added by the source repository, not by yt-dlp
    info["thumbnails"] = (info.get("thumbnails") or [])[-KEEP_THUMBNAILS:]
    for fmt in info.get("formats") or []:
        fmt.pop("fragments", None)
    return info


def youtube_search(first_page: Path, second_page: Path) -> dict:
    """``ytsearch20:test`` flat, through YoutubeSearchIE, at the moment the pages were fetched."""
    pages = [mock_response(first_page), mock_response(second_page)]
    fetched_at = dt.datetime.strptime(pages[0]["date"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=dt.UTC)
    answers = iter(page["body"] for page in pages)

    def extract_response(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return next(answers)

    with frozen_clock(fetched_at), \
            mock.patch.object(YoutubeSearchIE, "_download_ytcfg", lambda self, *a, **k: {}), \
            mock.patch.object(YoutubeSearchIE, "_extract_response", extract_response):  # fmt: skip
        info = extract(f"ytsearch{SEARCH_ENTRIES}:test", flat=True,
                       extractor_args={"youtubetab": {"approximate_date": [""]}})  # fmt: skip
    info["epoch"] = int(fetched_at.timestamp())
    for entry in info["entries"]:
        entry["thumbnails"] = entry.get("thumbnails", [])[-1:]
    return info


def tiktok_video(source: Path) -> dict:
    """TikTokIE on the page data of the first video in the sn-tools mock."""
    universal = ts_exports(source)["mockVideoData"]
    item = universal["__DEFAULT_SCOPE__"]["webapp.video-detail"]["itemInfo"]["itemStruct"]
    url = f"https://www.tiktok.com/@{item['author']['uniqueId']}/video/{item['id']}"
    page = ('<html><body><script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">'
            + json.dumps(universal) + "</script></body></html>")  # fmt: skip
    handle = types.SimpleNamespace(url=url, extensions={})
    with mock.patch.object(TikTokIE, "_download_webpage_handle", lambda self, *a, **k: (page, handle)):
        return extract(url, flat=False)


def instagram_reel(source: Path) -> dict:
    """InstagramIE's logged-out path on the first reel in the Elias85974 mock.

    The mock came through a third-party API that renamed two keys and wrapped media URLs
    in a proxy; :func:`instagram_item` puts back Instagram's own names and URLs.
    """
    item = instagram_item(ts_exports(source)["mockData"]["data"]["items"][0])
    url = f"https://www.instagram.com/reel/{item['code']}/"

    def download_json(self, url_or_request, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "graphql" in str(url_or_request):
            return {"data": {"xig_polaris_media": {"if_not_gated_logged_out": item}}}
        return {}

    with mock.patch.object(InstagramIE, "_real_initialize", lambda self: None), \
            mock.patch.object(InstagramIE, "_can_impersonate", True), \
            mock.patch.object(InstagramIE, "_download_json", download_json):  # fmt: skip
        return extract(url, flat=False)


def instagram_item(item: dict) -> dict:
    item = unproxied(item)
    item["pk"] = item["id"].split("_")[0]
    item["image_versions2"] = {"candidates": item.pop("image_versions", {}).get("items", [])}
    return item


def unproxied(value):  # type: ignore[no-untyped-def]
    """``value`` with every proxy-wrapped URL replaced by the Instagram URL it wraps."""
    if isinstance(value, dict):
        return {k: unproxied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unproxied(v) for v in value]
    if isinstance(value, str) and value.startswith("https://phosphor."):
        return parse_qs(urlsplit(value).query)["url"][0]
    return value


def extract(url: str, *, flat: bool, extractor_args: dict | None = None) -> dict:
    params = {"quiet": True, "no_warnings": True, "skip_download": True, "cachedir": False,
              "extract_flat": "in_playlist" if flat else False, "extractor_args": extractor_args or {},
              "check_formats": False}  # fmt: skip
    with yt_dlp.YoutubeDL(params) as ydl, mock.patch.object(ydl, "urlopen", refuse_network):
        return ydl.sanitize_info(ydl.extract_info(url, download=False))


def refuse_network(request):  # type: ignore[no-untyped-def]
    raise yt_dlp.utils.DownloadError(f"recording tried to fetch {getattr(request, 'url', request)}")


def frozen_clock(moment: dt.datetime):  # type: ignore[no-untyped-def]
    """Make yt-dlp's relative dates ("3 weeks ago") count from ``moment``."""

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def]
            return moment if tz else moment.replace(tzinfo=None)

    clock = types.SimpleNamespace(**{name: getattr(dt, name) for name in dir(dt) if not name.startswith("__")})
    clock.datetime = Frozen
    return mock.patch("yt_dlp.utils._utils.dt", clock)


def mock_response(path: Path) -> dict:
    """The body and Date header of one NewPipeExtractor mock response."""
    response = load_json(path)["response"]
    return {"body": json.loads(response["responseBody"]), "date": response["responseHeaders"]["date"][0]}


def ts_exports(path: Path) -> dict:
    """The ``export const NAME = {...};`` JSON objects of a TypeScript mock file."""
    text = path.read_text(encoding="utf-8")
    starts = [(m.group(1), m.end()) for m in re.finditer(r"^export const (\w+) = ", text, re.MULTILINE)]
    exports = {}
    for index, (name, start) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else len(text)
        body = text[start:end]
        exports[name] = json.loads(body[: body.rindex("}") + 1])
    return exports


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write(name: str, info: dict) -> None:
    (HERE / name).write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
