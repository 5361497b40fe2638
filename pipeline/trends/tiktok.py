"""TikTok through yt-dlp's TikTokIE: one video page at a time.

yt-dlp has no TikTok search (its hashtag, sound and effect lists are marked broken), so
:meth:`search` raises :class:`~pipeline.trends.platforms.PlatformUnavailable`. A post's
audio-only format is its *sound*, which for a post set to a song is the song rather than
what the video says, so the hook's audio is taken from the smallest video file.
"""

from __future__ import annotations

from typing import Any

from pipeline.config import PipelineConfig
from pipeline.trends.extraction import YtdlpProvider, run_ytdlp


def extract_info(url: str, config: PipelineConfig, *, flat: bool) -> dict[str, Any]:
    """yt-dlp's answer for a TikTok video page: the network edge."""
    return run_ytdlp(url, config, flat=flat)


class TikTokProvider(YtdlpProvider):
    platform = "tiktok"
    # yt-dlp puts TikTok's handle in ``uploader`` and the display name in ``channel``.
    creator_fields = ("uploader", "channel")
    separate_soundtrack = True

    def extract_info(self, url: str, *, flat: bool) -> dict[str, Any]:
        return extract_info(url, self.config, flat=flat)
