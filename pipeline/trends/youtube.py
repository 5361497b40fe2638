"""YouTube through yt-dlp: flat search with approximate upload dates, and full video pages.

A flat search (``ytsearchN:seed``) lists results without visiting each video. Search
pages only say "3 weeks ago", so yt-dlp's ``approximate_date`` option of its
``youtubetab`` extractor is turned on: it converts that text into a ``timestamp``
(to the unit the text gives), which is what ranks breakouts by views per day. Without
it flat entries carry no date at all.
"""

from __future__ import annotations

from typing import Any

from pipeline.config import PipelineConfig
from pipeline.trends.discovery import Candidate
from pipeline.trends.extraction import YtdlpProvider, run_ytdlp
from pipeline.trends.info import candidates_from_search
from pipeline.trends.platforms import VIDEO_ID_PATTERNS

# The most results one search asks YouTube for; each 20 more costs another page request.
MAX_RESULTS = 100
EXTRACTOR_ARGS = {"youtubetab": {"approximate_date": [""]}}


def extract_info(url: str, config: PipelineConfig, *, flat: bool) -> dict[str, Any]:
    """yt-dlp's answer for ``url`` (a video page or ``ytsearchN:`` query): the network edge."""
    return run_ytdlp(url, config, flat=flat, extractor_args=EXTRACTOR_ARGS)


class YouTubeProvider(YtdlpProvider):
    platform = "youtube"
    creator_fields = ("channel", "uploader", "uploader_id")

    def extract_info(self, url: str, *, flat: bool) -> dict[str, Any]:
        return extract_info(url, self.config, flat=flat)

    def search(self, seed: str, limit: int) -> list[Candidate]:
        """Up to ``limit`` (at most :data:`MAX_RESULTS`) videos for ``seed``, in YouTube's order."""
        query = " ".join(seed.split())
        limit = max(1, min(int(limit), MAX_RESULTS))
        if not query:
            return []
        info = self.extract(f"ytsearch{limit}:{query}", flat=True)
        return candidates_from_search(self.platform, info, creator_fields=self.creator_fields,
                                      valid_id=VIDEO_ID_PATTERNS[self.platform])[:limit]  # fmt: skip
