"""Trend intelligence (issue 13): what is working right now on the video platforms.

:mod:`pipeline.trends.discovery` turns one search's results into viralcli's discovery
object: breakouts ranked by views per day, the adoption histogram and the format verdict.
The rule behind the verdict is written down in ``docs/trends.md``.
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

__all__ = [
    "BANDS",
    "HEATING",
    "INSUFFICIENT_DATA",
    "SATURATING",
    "STEADY",
    "AdoptionBand",
    "Breakout",
    "Candidate",
    "Discovery",
    "Verdict",
    "adoption_histogram",
    "age_days",
    "discover",
    "rank_breakouts",
    "verdict",
    "views_per_day",
]
