"""Trend tools: run a discovery, analyze a platform video, and manage tracked items.

As viralcli's /v1 routes (``viralcli/trends.py``, ``viralcli/tracked.py``) do, these act
in the API key's workspace: requests are validated by the same serializers before any
credit is spent, :mod:`tracking.actions` charges (a discovery costs 1 discovery call, an
analyze 1 enrichment, refunded when the platform fails) and refuses past the plan's
quotas, and another workspace's job or item is "not found".
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from pydantic import Field
from rest_framework import exceptions

from accounts.models import Workspace
from mcpserver.caller import authorize, current
from pipeline.trends.storyboard import MAX_TILES
from tracking import actions, watcher
from tracking.models import EnrichmentJob, Platform, TrackedItem
from viralcli.serializers import (
    AnalyzeRequestSerializer,
    DiscoveryRequestSerializer,
    JobSerializer,
    TrackedItemCreateSerializer,
    TrackedItemSerializer,
)

PlatformName = Annotated[
    Literal[tuple(Platform.values)],  # type: ignore[valid-type]
    Field(description="youtube, tiktok or instagram; availability varies by plan."),
]
BREAKOUT_FIELDS = ("id", "title", "url", "creator", "views", "views_per_day", "age_days", "platform")


def run_discovery(
    seed: Annotated[str, Field(description="A seed topic: a format or a niche (1-200 characters).")],
    platform: PlatformName = "youtube",
    limit: Annotated[int, Field(ge=1, le=actions.BREAKOUT_LIMIT, description="How many breakouts to list.")] = 10,
) -> dict[str, Any]:
    """Search a platform for a topic: breakout videos ranked by views per day, and whether the format is
    HEATING, STEADY, SATURATING or INSUFFICIENT_DATA. Costs 1 discovery call (refunded if the platform fails)."""
    key = authorize()
    body = DiscoveryRequestSerializer(data={"seed": seed, "platform": platform})
    body.is_valid(raise_exception=True)
    signal = actions.run_discovery(key.workspace, body.validated_data["seed"], platform=body.validated_data["platform"])
    result = signal.result
    breakouts = [{name: found.get(name) for name in BREAKOUT_FIELDS} for found in result.get("breakouts", [])]
    return {"signal_id": signal.pk, "seed": signal.seed, "platform": signal.platform,
            "captured_at": signal.created_at.isoformat(), "verdict": signal.verdict, "n": signal.n,
            "verdict_detail": result.get("verdict_detail"), "adoption_histogram": result.get("adoption_histogram"),
            "breakouts": breakouts[:limit]}  # fmt: skip


def analyze_video(
    url: Annotated[str, Field(description="A YouTube, TikTok or Instagram video link.")],
    density: Annotated[int, Field(ge=1, le=MAX_TILES, description="Storyboard frames (1-25).")] = 9,
    full: Annotated[bool, Field(description="Transcribe the whole video (default: the hook window).")] = False,
) -> dict[str, Any]:
    """Deep-analyze one platform video (hook transcript, metrics, storyboard link) as a background job.

    Costs 1 enrichment; a video already analyzed is answered from the cache at once and
    costs nothing. Follow the job with get_analysis.
    """
    key = authorize()
    body = AnalyzeRequestSerializer(data={"url": url, "density": density, "full": full})
    body.is_valid(raise_exception=True)
    data = body.validated_data
    job = actions.submit_analyze(key.workspace, key.user, data["url"], density=data["density"], full=data["full"])
    return _job(job)


def get_analysis(job_id: Annotated[str, Field(description="The job id analyze_video gave.")]) -> dict[str, Any]:
    """An analysis job: queued, running (with progress), done (with its result) or error."""
    key = authorize()
    job = EnrichmentJob.objects.filter(workspace=key.workspace, pk=job_id).first()
    if job is None:
        raise exceptions.NotFound(f"Analysis job {job_id} was not found in this workspace.")
    return _job(job)


def list_tracked_items() -> dict[str, Any]:
    """The videos and seed topics this workspace tracks, with the watcher's state of each."""
    key = authorize()
    items = list(_items(key.workspace))
    return {"count": len(items), "tracked_items": TrackedItemSerializer(items, many=True).data}


def track_item(
    kind: Annotated[Literal["video", "seed"], Field(description="video (a link or id) or seed (a topic).")],
    ref: Annotated[str, Field(description="The video's link or id, or the seed topic.")],
    platform: PlatformName = "youtube",
    interval_sec: Annotated[int, Field(ge=60, le=86400, description="The fastest polling interval.")] = 900,
    auto_clip: Annotated[bool, Field(description="Seeds: submit fresh breakouts for clipping.")] = False,
    auto_clip_creator: Annotated[str, Field(description="Seeds: auto-clip only this creator's breakouts.")] = "",
) -> dict[str, Any]:
    """Start tracking a video's trajectory, or a seed topic's breakouts, within the plan's tracked-item limit."""
    key = authorize()
    body = TrackedItemCreateSerializer(data={"kind": kind, "ref": ref, "platform": platform,
                                             "interval_sec": interval_sec, "auto_clip": auto_clip,
                                             "auto_clip_creator": auto_clip_creator})  # fmt: skip
    body.is_valid(raise_exception=True)
    item = watcher.create_tracked_item(key.workspace, key.user, **body.validated_data)
    return TrackedItemSerializer(_items(key.workspace).get(pk=item.pk)).data


def untrack_item(item_id: Annotated[str, Field(description="The tracked item's id.")]) -> dict[str, Any]:
    """Stop tracking an item."""
    key = authorize()
    item = _items(key.workspace).filter(pk=item_id).first()
    if item is None:
        raise exceptions.NotFound(f"Tracked item {item_id} was not found in this workspace.")
    watcher.delete_tracked_item(item)
    return {"id": item_id, "deleted": True}


def _items(workspace: Workspace) -> QuerySet[TrackedItem]:
    return TrackedItem.objects.filter(workspace=workspace).select_related("video", "last_signal")


def _job(job: EnrichmentJob) -> dict[str, Any]:
    return dict(JobSerializer(job, context={"request": current()}).data)
