"""YouTube for the trend features' Django tests (dashboard, API), answered at its one edge.

:func:`recorded_youtube` replaces ``pipeline.trends.youtube.extract_info`` (the YouTube
provider's only metadata edge, see :mod:`pipeline.trends.extraction`) with the recorded
yt-dlp answers under ``tests/pipeline/recorded``: the recorded search for a flat
``ytsearchN:`` query (replayed as if made now), the recorded video page for any video. Everything after the edge
(parsing, discovery maths, enrichment, storage) runs for real. Caption and media files
the recorded page names live on YouTube's servers, so a test that reads them serves its
own from :class:`tests.pipeline.http_server.LocalHTTPServer` and passes their links.
The :func:`youtube` fixture also turns platform pacing off, which would wait a second
between two requests.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest

from tests.pipeline.platform_fakes import Edge, recorded

SEARCH = "youtube_search.info.json"
VIDEO = "youtube_video.info.json"


def video_page(*, captions_url: str = "", media_url: str = "", duration: float | None = None) -> dict[str, Any]:
    """The recorded YouTube video page, with its only caption track (WebVTT, uploaded,
    English) at ``captions_url`` or no captions at all, and, with ``media_url``, one
    progressive MP4 format there instead of YouTube's (and ``duration`` seconds long)."""
    info = recorded(VIDEO)
    info["subtitles"] = {"en": [{"ext": "vtt", "url": captions_url, "name": "English"}]} if captions_url else {}
    info["automatic_captions"] = {}
    if media_url:
        info["formats"] = [{"format_id": "18", "url": media_url, "ext": "mp4", "protocol": "http",
                            "vcodec": "avc1.42001E", "acodec": "mp4a.40.2", "width": 640, "height": 360}]  # fmt: skip
    if duration is not None:
        info["duration"] = duration
    return info


def replayed_search() -> dict[str, Any]:
    """The recorded search as if made now: every time in it moved by the time since it was
    recorded, so its videos have the ages (and the verdict) they had then."""
    info = recorded(SEARCH)
    shift = int(time.time()) - info["epoch"]
    info["epoch"] += shift
    for entry in info["entries"]:
        for key in ("timestamp", "release_timestamp"):
            if entry.get(key) is not None:
                entry[key] += shift
    return info


@contextlib.contextmanager
def recorded_youtube(**page: Any) -> Iterator[Edge]:
    """Answer YouTube from the recordings; ``page`` goes to :func:`video_page`. The edge
    records each call as ``(url, flat)``."""
    edge = Edge()

    def extract_info(url: str, config: object, *, flat: bool) -> dict[str, Any]:
        edge.calls.append((url, flat))
        return replayed_search() if url.startswith("ytsearch") else video_page(**page)

    with mock.patch("pipeline.trends.youtube.extract_info", extract_info):
        yield edge


@pytest.fixture
def youtube(settings, clean_redis) -> Iterator[Edge]:
    """YouTube answered from the recordings (no captions, YouTube's own media links), unpaced."""
    settings.PLATFORM_MIN_INTERVAL = 0
    with recorded_youtube() as edge:
        yield edge
