"""Tracked items and the watcher: the actions that create, claim, poll and record them.

Like :mod:`tracking.actions`, this module owns its transactions; views, the API and the
watcher job call it. A poll of a video stores a snapshot, recomputes the trajectory
(:mod:`pipeline.trends.trajectory`) and fires each trend event once per crossing; a
poll of a seed stores a signal, fires ``format_heating`` when the seed turns HEATING
with fresh breakouts, and submits fresh breakouts for clipping when the item asks.
The next poll is set adaptively; a platform's refusal backs off exponentially.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Workspace
from clipsite.ids import new_id
from pipeline.trends import trajectory
from pipeline.trends.platforms import (
    VIDEO_ID_PATTERNS,
    PlatformError,
    PlatformRefused,
    VideoUnavailable,
    canonical_url,
)
from tracking import actions
from tracking.errors import TrendError
from tracking.models import Platform, PlatformVideo, Signal, Snapshot, TrackedItem, history_start
from videos.errors import SubmitRefused
from webhooks import actions as webhooks
from webhooks.models import EventType

logger = logging.getLogger(__name__)

MIN_INTERVAL = 60
MAX_INTERVAL = 86_400
# How long a watcher may hold an item before another may take it over.
CLAIM_SECONDS = 10 * 60
CLAIM_ROUNDS = 3
# The readings a trajectory is computed from: enough for a velocity curve, bounded in cost.
TRAJECTORY_READINGS = 200
# A breakout younger than this is "fresh": auto-clipping never submits old videos.
FRESH_DAYS = 30
AUTO_CLIPS_PER_POLL = 1


def _utcnow() -> datetime:
    return timezone.now()


# Creating and deleting ---------------------------------------------------------------


def create_tracked_item(workspace: Workspace, user, *, kind: str, ref: str, platform: str, interval_sec: int,
                        auto_clip: bool = False, auto_clip_creator: str = "") -> TrackedItem:  # fmt: skip
    """Start tracking a video (``ref``: its link or id) or a seed (``ref``: the topic).

    Raises :class:`TrendError`: a link that is not a video of ``platform`` (``url_refused``),
    a platform outside the plan (403), a seed on a platform that cannot be searched, the
    same video or seed already tracked (``already_tracked``), or the plan's tracked-item
    limit reached (``tracked_limit``). The first poll is queued at once.
    """
    ref = ref.strip()
    item = TrackedItem(workspace=workspace, created_by=user, kind=kind, ref=ref[:500], platform=platform,
                       interval_sec=interval_sec, auto_clip=auto_clip and kind == TrackedItem.Kind.SEED,
                       auto_clip_creator=auto_clip_creator.strip()[:200])  # fmt: skip
    if kind == TrackedItem.Kind.VIDEO:
        video_ref = _video_ref(ref, platform)
        actions.check_platform(workspace, platform)
        same = {"video__platform": video_ref.platform, "video__video_id": video_ref.video_id}
    else:
        actions.check_searchable(platform)
        actions.check_platform(workspace, platform)
        item.seed = " ".join(ref.split())[:200]
        same = {"seed__iexact": item.seed, "platform": platform}
    now = _utcnow()
    with transaction.atomic():
        # The workspace's row lock first: two creates cannot both take the last slot.
        Workspace.objects.filter(pk=workspace.pk).update(enrichment_used=F("enrichment_used"))
        existing = TrackedItem.objects.filter(workspace=workspace, kind=kind, **same).first()
        if existing is not None:
            raise TrendError(TrendError.ALREADY_TRACKED, f"This {kind} is already tracked as {existing.pk}.")
        limit = workspace.plan.tracked_items
        if limit is not None and TrackedItem.objects.filter(workspace=workspace).count() >= limit:
            raise TrendError(
                TrendError.TRACKED_LIMIT,
                f"The {workspace.plan.name} plan tracks up to {limit} items; delete one or move to a larger plan.",
            )
        if kind == TrackedItem.Kind.VIDEO:
            item.video = actions.video_row(video_ref)
            actions.see(workspace, item.video, now)  # its trajectory is readable from now on
        item.next_poll_at = now
        item.save()
    return item


def _video_ref(ref: str, platform: str):
    """The video a tracked item's ``ref`` names: a link, or a bare id on ``platform``."""
    if "/" not in ref and VIDEO_ID_PATTERNS[platform].fullmatch(ref):
        ref = canonical_url(platform, ref)
    video_ref = actions.parse_link(ref)
    if video_ref.platform != platform:
        raise TrendError(TrendError.URL_REFUSED, f"The link is a {Platform(video_ref.platform).label} video, "
                         f"not a {Platform(platform).label} one.")  # fmt: skip
    return video_ref


def delete_tracked_item(item: TrackedItem) -> None:
    item.delete()


# The watcher ---------------------------------------------------------------------------


def claim_due(limit: int, now: datetime | None = None) -> tuple[str, list[TrackedItem]]:
    """Claim up to ``limit`` due items for this watcher: ``(token, items)``.

    One conditional UPDATE per batch: an item another watcher claimed meanwhile no longer
    matches, so no item is ever polled twice in a tick.
    """
    now = now or _utcnow()
    token = new_id("claim", 12)
    claimed = 0
    # Another watcher may take some of the items read here first: read again for the rest.
    for _ in range(CLAIM_ROUNDS):
        due = TrackedItem.objects.due(now).order_by("next_poll_at").values_list("pk", flat=True)
        due = list(due[: limit - claimed])
        if not due:
            break
        claimed += TrackedItem.objects.due(now).filter(pk__in=due).update(
            claim_token=token, claimed_until=now + timedelta(seconds=CLAIM_SECONDS)
        )
        if claimed >= limit:
            break
    items = TrackedItem.objects.filter(claim_token=token).select_related("workspace__plan", "video", "created_by")
    return token, list(items.order_by("next_poll_at"))


@dataclass
class Outcome:
    """What one poll found: the fields to record and the events to fire with it."""

    fields: dict = field(default_factory=dict)
    events: list[tuple[str, dict]] = field(default_factory=list)


def poll(item: TrackedItem, token: str, now: datetime | None = None) -> bool:
    """Poll one claimed item and record the result; False when the claim was lost meanwhile.

    A platform's refusal or failure backs the item off; a video that is gone stops it.
    """
    now = now or _utcnow()
    try:
        outcome = _poll_video(item, now) if item.kind == TrackedItem.Kind.VIDEO else _poll_seed(item, now)
    except VideoUnavailable as exc:
        outcome = Outcome({"status": TrackedItem.Status.STOPPED, "next_poll_at": None, "last_error": exc.message,
                           "last_error_code": exc.code})  # fmt: skip
    except PlatformError as exc:
        failures = item.failures + 1
        retry_after = exc.retry_after if isinstance(exc, PlatformRefused) else None
        delay = trajectory.backoff_seconds(failures, item.interval_sec, retry_after)
        outcome = Outcome({"status": TrackedItem.Status.BACKING_OFF, "failures": failures, "last_error": exc.message,
                           "last_error_code": exc.code, "next_poll_at": now + timedelta(seconds=delay)})  # fmt: skip
    return _record(item, token, now, outcome)


def _record(item: TrackedItem, token: str, now: datetime, outcome: Outcome) -> bool:
    fields = {"status": TrackedItem.Status.ACTIVE, "failures": 0, "last_error": "", "last_error_code": "",
              **outcome.fields, "last_polled_at": now, "polls": F("polls") + 1, "claim_token": "",
              "claimed_until": None}  # fmt: skip
    with transaction.atomic():
        if not TrackedItem.objects.filter(pk=item.pk, claim_token=token).update(**fields):
            return False
        for event_type, data in outcome.events:
            webhooks.emit(item.workspace_id, event_type, data, tracked_item_id=item.pk)
    return True


def _poll_video(item: TrackedItem, now: datetime) -> Outcome:
    source = actions.provider(item.platform)
    found = source.video(actions.parse_link(item.video.url))
    video = actions.remember(item.workspace, found, now)
    metrics = trajectory.metrics(readings_of(latest_snapshots(video)), video.uploaded_at)
    state = trajectory.EventState.from_dict(item.event_state) if item.event_state else trajectory.EventState()
    thresholds = trajectory.Thresholds(vpd_breakout=settings.VPD_BREAKOUT, accel_hot=settings.ACCEL_HOT)
    fired, state = trajectory.crossings(state, metrics, now, thresholds)
    delay = trajectory.next_poll_seconds(metrics, item.interval_sec)
    data = {
        "tracked_item_id": item.pk, "platform": video.platform, "video_id": video.video_id, "url": video.url,
        "title": video.title, "views": video.views, "true_vpd": _whole(metrics.true_vpd),
        "accel": _whole(metrics.accel), "lifetime_vpd": _whole(metrics.lifetime_vpd), "snapshots": metrics.n,
    }  # fmt: skip
    return Outcome(
        {"metrics": metrics.to_dict(), "event_state": state.to_dict(), "next_poll_at": now + timedelta(seconds=delay)},
        [(event_type, data) for event_type in fired],
    )


def _poll_seed(item: TrackedItem, now: datetime) -> Outcome:
    candidates = actions.provider(item.platform).search(item.seed, settings.DISCOVERY_RESULTS)
    signal = actions.store_signal(item.workspace, item.seed, item.platform, candidates)
    previous = item.last_signal
    breakouts = signal.result["breakouts"]
    events = []
    before = {b["id"] for b in previous.result["breakouts"]} if previous else set()
    # Only young breakouts are news: an old video ranking again is no sign of the format heating.
    ids = [b["id"] for b in breakouts if b["age_days"] <= FRESH_DAYS]
    if trajectory.seed_heating(previous.verdict if previous else None, signal.verdict, before, ids):
        fresh = [i for i in ids if i not in before]
        events.append((EventType.FORMAT_HEATING, {
            "tracked_item_id": item.pk, "seed": item.seed, "verdict": signal.verdict, "breakouts": len(fresh),
            "fresh_breakouts": fresh, "signal_id": signal.pk,
        }))  # fmt: skip
    fields = {"last_signal": signal, "next_poll_at": now + timedelta(seconds=item.interval_sec)}
    if item.auto_clip:
        fields.update(_auto_clip(item, breakouts))
    return Outcome(fields, events)


def _auto_clip(item: TrackedItem, breakouts: list[dict]) -> dict:
    """Submit the best fresh breakouts not yet clipped (by the item's creator, when set)."""
    from videos import actions as videos
    from videos.config import validate_config

    creator = item.auto_clip_creator.casefold()
    wanted = [b for b in breakouts if b["id"] not in item.clipped and b["age_days"] <= FRESH_DAYS
              and (not creator or b.get("creator", "").casefold() == creator)]  # fmt: skip
    clipped, note = list(item.clipped), ""
    for breakout in wanted[:AUTO_CLIPS_PER_POLL]:
        try:
            videos.submit_video(item.workspace, item.created_by, url=breakout["url"],
                                config=validate_config(item.workspace.default_config))  # fmt: skip
        except SubmitRefused as exc:
            if exc.code == SubmitRefused.INSUFFICIENT_MINUTES:
                note = "Auto-clip is waiting: the workspace has no minutes left."
                break
            note = f"Could not submit {breakout['title'][:80]!r}: {exc.message}"
        clipped.append(breakout["id"])
    return {"clipped": clipped, "auto_clip_note": note}


def latest_snapshots(video: PlatformVideo, since: datetime | None = None,
                     limit: int = TRAJECTORY_READINGS) -> list[Snapshot]:  # fmt: skip
    """The video's latest ``limit`` snapshots since ``since``, oldest first, each knowing its video."""
    snapshots = video.snapshots.all()
    if since is not None:
        snapshots = snapshots.filter(captured_at__gte=since)
    rows = list(snapshots.order_by("-captured_at")[:limit])[::-1]
    for row in rows:
        row.video = video  # a snapshot's views per day needs its video's upload time
    return rows


def readings_of(snapshots: list[Snapshot]) -> list[trajectory.Reading]:
    return [trajectory.Reading(s.captured_at, s.views, s.likes, s.comments) for s in snapshots]


def trajectory_of(workspace: Workspace, video: PlatformVideo) -> tuple[list[Snapshot], trajectory.Metrics]:
    """The snapshots the workspace's history window lets it read, and their metrics."""
    rows = latest_snapshots(video, history_start(workspace))
    return rows, trajectory.metrics(readings_of(rows), video.uploaded_at)


def watch(budget_seconds: float = 240, batch: int = 25) -> dict[str, int]:
    """Poll due items in claimed batches until none is due or the time budget is spent."""
    started = _utcnow()
    counts = {"polled": 0, "lost": 0}
    while (_utcnow() - started).total_seconds() < budget_seconds:
        token, items = claim_due(batch)
        if not items:
            break
        for item in items:
            try:
                counts["polled" if poll(item, token) else "lost"] += 1
            except Exception:
                # One broken item must not starve the others; its claim expires and it is retried.
                logger.exception("watcher: polling %s failed", item.pk)
    return counts


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


def signal_history(item: TrackedItem, limit: int = 50) -> list[Signal]:
    """A tracked seed's stored signals, oldest first, within the workspace's history window."""
    signals = Signal.objects.filter(workspace=item.workspace).for_seed(item.seed)
    since = history_start(item.workspace)
    if since is not None:
        signals = signals.filter(created_at__gte=since)
    return list(signals.order_by("-created_at")[:limit])[::-1]
