"""Instagram through yt-dlp's InstagramIE: one reel or post at a time.

yt-dlp cannot search Instagram (its tag and profile lists are marked broken and need an
account), so :meth:`search` raises :class:`~pipeline.trends.platforms.PlatformUnavailable`.
Signed out, Instagram answers a limited number of post requests per address; past that
yt-dlp reports a login redirect "for exceeding the rate-limit", which becomes
:class:`~pipeline.trends.platforms.PlatformRefused`. yt-dlp gives no view count for
Instagram posts, so ``views`` is 0.
"""

from __future__ import annotations

from typing import Any

from pipeline.config import PipelineConfig
from pipeline.trends.extraction import YtdlpProvider, run_ytdlp


def extract_info(url: str, config: PipelineConfig, *, flat: bool) -> dict[str, Any]:
    """yt-dlp's answer for an Instagram post page: the network edge."""
    return run_ytdlp(url, config, flat=flat)


class InstagramProvider(YtdlpProvider):
    platform = "instagram"
    # yt-dlp puts the account name in ``channel`` and the display name in ``uploader``.
    creator_fields = ("channel", "uploader")

    def extract_info(self, url: str, *, flat: bool) -> dict[str, Any]:
        return extract_info(url, self.config, flat=flat)
