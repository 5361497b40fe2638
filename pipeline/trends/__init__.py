"""Trend intelligence (issue 13): what is working right now on the video platforms.

:mod:`pipeline.trends.discovery` turns one search's results into viralcli's discovery
object: breakouts ranked by views per day, the adoption histogram and the format verdict.
The rule behind the verdict is written down in ``docs/trends.md``.

:mod:`pipeline.trends.platforms` admits video links and gives each platform's provider
(search, a video's details, captions, audio and preview files, through yt-dlp);
:mod:`pipeline.trends.enrich` analyses one video (metrics and hook transcript) and
:mod:`pipeline.trends.storyboard` makes contact sheets. Only the light names are
exported here; the modules that load yt-dlp, Whisper and OpenCV are imported by name.
"""

from pipeline.trends.discovery import (
    BANDS,
    HEATING,
    INSUFFICIENT_DATA,
    SATURATING,
    STEADY,
    AdoptionBand,
    Breakout,
    Candidate,
    Discovery,
    Verdict,
    adoption_histogram,
    age_days,
    discover,
    rank_breakouts,
    verdict,
    views_per_day,
)
from pipeline.trends.platforms import (
    PLATFORMS,
    CaptionTrack,
    HeatPoint,
    MediaFormat,
    NotAPlatformLink,
    PlatformError,
    PlatformRefused,
    PlatformUnavailable,
    PlatformVideo,
    Provider,
    VideoRef,
    VideoUnavailable,
    canonical_url,
    get_provider,
    parse_video_link,
)

__all__ = [
    "BANDS",
    "HEATING",
    "INSUFFICIENT_DATA",
    "PLATFORMS",
    "SATURATING",
    "STEADY",
    "AdoptionBand",
    "Breakout",
    "Candidate",
    "CaptionTrack",
    "Discovery",
    "HeatPoint",
    "MediaFormat",
    "NotAPlatformLink",
    "PlatformError",
    "PlatformRefused",
    "PlatformUnavailable",
    "PlatformVideo",
    "Provider",
    "Verdict",
    "VideoRef",
    "VideoUnavailable",
    "adoption_histogram",
    "age_days",
    "canonical_url",
    "discover",
    "get_provider",
    "parse_video_link",
    "rank_breakouts",
    "verdict",
    "views_per_day",
]
