"""Trend intelligence (issue 13): what is working right now on the video platforms.

:mod:`pipeline.trends.discovery` turns one search's results into viralcli's discovery
object: breakouts ranked by views per day, the adoption histogram and the format verdict.
The rule behind the verdict is written down in ``docs/trends.md``.

:mod:`pipeline.trends.platforms` admits video links and gives each platform's provider
(search, a video's details, captions, audio and preview files, through yt-dlp);
:mod:`pipeline.trends.enrich` analyses one video (metrics and hook transcript) and
:mod:`pipeline.trends.storyboard` makes contact sheets. Only the light names are
exported here; the modules that load yt-dlp, Whisper and OpenCV are imported by name.

:mod:`pipeline.trends.trajectory` (issue 14) turns a tracked video's snapshots into its
velocity, acceleration and peaking, sets the watcher's poll cadence and backoff, and says
which trend events a reading fires (once per crossing).
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
from pipeline.trends.trajectory import (
    ACCELERATING,
    BREAKOUT,
    FORMAT_HEATING,
    PEAKING,
    EventState,
    Metrics,
    Reading,
    Thresholds,
    backoff_seconds,
    clean_readings,
    crossings,
    metrics,
    next_poll_seconds,
    seed_heating,
    velocities,
)

__all__ = [
    "ACCELERATING",
    "BANDS",
    "BREAKOUT",
    "FORMAT_HEATING",
    "HEATING",
    "INSUFFICIENT_DATA",
    "PEAKING",
    "PLATFORMS",
    "SATURATING",
    "STEADY",
    "AdoptionBand",
    "Breakout",
    "Candidate",
    "CaptionTrack",
    "Discovery",
    "EventState",
    "HeatPoint",
    "MediaFormat",
    "Metrics",
    "NotAPlatformLink",
    "PlatformError",
    "PlatformRefused",
    "PlatformUnavailable",
    "PlatformVideo",
    "Provider",
    "Reading",
    "Thresholds",
    "Verdict",
    "VideoRef",
    "VideoUnavailable",
    "adoption_histogram",
    "age_days",
    "backoff_seconds",
    "canonical_url",
    "clean_readings",
    "crossings",
    "discover",
    "get_provider",
    "metrics",
    "next_poll_seconds",
    "parse_video_link",
    "rank_breakouts",
    "seed_heating",
    "velocities",
    "verdict",
    "views_per_day",
]
