"""The events the product fires, and their payloads: small JSON, never files.

Each ``<event>(...)`` function is called by the action that changes the state, inside
its transaction and only when its conditional UPDATE matched a row, so an event fires
once per change however often a job runs. It hands :func:`webhooks.actions.emit` a
payload builder, which runs only when some endpoint wants the event, and reads the rows
as the transaction now sees them.

Payloads (the ``data`` of the request body; keys in snake_case, as viralcli's):

* ``video.completed``: the video's id, title, status, duration, clip count, finish time,
  its clips (id, rank, title, score, status) and links;
* ``video.failed``: the same without clips, with ``error: {code, message}``; a user's
  cancel is a failure with code ``cancelled``. The video's pending clips fail with it
  and fire no ``clip.failed`` of their own;
* ``clip.ready``: a rendered clip (each render, re-renders included): ids, rank, title,
  score and the four sub-scores, times, size, and links, among them signed
  ``download`` and ``thumbnail`` links valid until ``links_expire_at``
  (``SIGNED_URL_TTL_SECONDS`` after the event; the ``api`` link gives fresh ones);
* ``clip.failed``: a render that failed: ids, title, status and ``error: {message}``;
* ``breakout``, ``peaking``, ``accelerating``, ``format_heating``: fired by the tracking
  app with viralcli's data (``true_vpd``, ``accel``, ``snapshots``, ...);
* ``webhook.test``: sent by "send test event" to one endpoint.

:data:`EXAMPLES` holds one ``data`` object per event type, for the API documentation.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clips.models import Clip
from clipsite.signed_media import signed_url
from videos.models import Video
from webhooks import actions
from webhooks.models import Event, EventType


def video_completed(video_id: str, workspace_id: str) -> Event | None:
    return actions.emit(workspace_id, EventType.VIDEO_COMPLETED, lambda: video_data(video_id), video_id=video_id)


def video_failed(video_id: str, workspace_id: str) -> Event | None:
    return actions.emit(workspace_id, EventType.VIDEO_FAILED, lambda: video_data(video_id), video_id=video_id)


def clip_finished(clip_id: str) -> Event | None:
    """``clip.ready`` or ``clip.failed``, as the clip's row now says."""
    clip = Clip.objects.select_related("video").get(pk=clip_id)
    event_type = EventType.CLIP_FAILED if clip.status == Clip.Status.FAILED else EventType.CLIP_READY
    return actions.emit(clip.video.workspace_id, event_type, lambda: clip_data(clip), video_id=clip.video_id)


def video_data(video_id: str) -> dict:
    video = Video.objects.get(pk=video_id)
    data = {
        "video_id": video.pk,
        "title": video.display_title,
        "status": video.status,
        "duration": video.duration,
        "finished_at": _iso(video.finished_at),
        "links": {
            "api": absolute(reverse("api:video", args=[video.pk])),
            "clips": absolute(reverse("api:video_clips", args=[video.pk])),
            "dashboard": absolute(reverse("videos:detail", args=[video.pk])),
        },
    }
    if video.status == Video.Status.FAILED:
        data["error"] = {"code": video.error_code, "message": video.error_message}
    else:
        clips = video.clips.order_by("rank").values("id", "rank", "title", "score", "status")
        data["clip_count"] = len(clips)
        data["clips"] = [{"clip_id": c.pop("id"), **c} for c in clips]
    return data


def clip_data(clip: Clip) -> dict:
    data = {
        "clip_id": clip.pk,
        "video_id": clip.video_id,
        "rank": clip.rank,
        "title": clip.title,
        "status": clip.status,
        "render_version": clip.render_version,
        "links": {
            "api": absolute(reverse("api:clip", args=[clip.pk])),
            "video": absolute(reverse("api:video", args=[clip.video_id])),
        },
    }
    if clip.status == Clip.Status.FAILED:
        data["error"] = {"message": clip.error_message}
        return data
    data.update(
        score=clip.score, scores=clip.scores, start=clip.source_start, end=clip.source_end, duration=clip.duration,
        aspect_ratio=clip.aspect_ratio, width=clip.width, height=clip.height,
    )  # fmt: skip
    if clip.file:
        data["links"]["download"] = absolute(signed_url(clip.file.name, download_name=clip.download_name))
    if clip.thumbnail:
        data["links"]["thumbnail"] = absolute(signed_url(clip.thumbnail.name))
    expires = timezone.now() + datetime.timedelta(seconds=settings.SIGNED_URL_TTL_SECONDS)
    data["links_expire_at"] = _iso(expires)
    return data


def absolute(url: str) -> str:
    """``url`` on the public address (``SITE_URL``) when it is a path; S3's presigned links already are absolute."""
    return settings.SITE_URL + url if url.startswith("/") else url


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


_LINKS = "https://clipsite.example"
EXAMPLES: dict[str, dict] = {
    EventType.VIDEO_COMPLETED: {
        "video_id": "vid_8a1f", "title": "Money talk", "status": "completed", "duration": 120.0,
        "finished_at": "2026-11-30T10:00:00+00:00", "clip_count": 1,
        "clips": [{"clip_id": "clp_51c2", "rank": 1, "title": "Nobody tells you this", "score": 91,
                   "status": "completed"}],
        "links": {"api": f"{_LINKS}/api/videos/vid_8a1f", "clips": f"{_LINKS}/api/videos/vid_8a1f/clips",
                  "dashboard": f"{_LINKS}/videos/vid_8a1f/"},
    },
    EventType.VIDEO_FAILED: {
        "video_id": "vid_8a1f", "title": "Money talk", "status": "failed", "duration": None,
        "finished_at": "2026-11-30T10:00:00+00:00",
        "error": {"code": "render_failed", "message": "No clip could be rendered: ..."},
        "links": {"api": f"{_LINKS}/api/videos/vid_8a1f", "clips": f"{_LINKS}/api/videos/vid_8a1f/clips",
                  "dashboard": f"{_LINKS}/videos/vid_8a1f/"},
    },
    EventType.CLIP_READY: {
        "clip_id": "clp_51c2", "video_id": "vid_8a1f", "rank": 1, "title": "Nobody tells you this",
        "status": "completed", "render_version": 1, "score": 91,
        "scores": {"hook": 86, "pacing": 60, "completeness": 70, "shareability": 80},
        "start": 10.0, "end": 40.0, "duration": 30.0, "aspect_ratio": "9:16", "width": 1080, "height": 1920,
        "links": {"api": f"{_LINKS}/api/clips/clp_51c2", "video": f"{_LINKS}/api/videos/vid_8a1f",
                  "download": f"{_LINKS}/media/signed/gAAAA...", "thumbnail": f"{_LINKS}/media/signed/gAAAA..."},
        "links_expire_at": "2026-11-30T11:00:00+00:00",
    },
    EventType.CLIP_FAILED: {
        "clip_id": "clp_51c2", "video_id": "vid_8a1f", "rank": 1, "title": "Nobody tells you this",
        "status": "failed", "render_version": 2, "error": {"message": "Rendering stopped unexpectedly twice; ..."},
        "links": {"api": f"{_LINKS}/api/clips/clp_51c2", "video": f"{_LINKS}/api/videos/vid_8a1f"},
    },
    EventType.BREAKOUT: {
        "tracked_item_id": "ti_42", "platform": "youtube", "video_id": "dQw4w9WgXcQ",
        "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "title": "Cold plunge at dawn", "views": 1840000,
        "true_vpd": 120000, "accel": 40000, "lifetime_vpd": 90000, "snapshots": 3,
    },
    EventType.PEAKING: {
        "tracked_item_id": "ti_42", "platform": "youtube", "video_id": "dQw4w9WgXcQ",
        "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "title": "Cold plunge at dawn", "views": 2650000,
        "true_vpd": 95000, "accel": -12000, "lifetime_vpd": 88000, "snapshots": 9,
    },
    EventType.ACCELERATING: {
        "tracked_item_id": "ti_42", "platform": "youtube", "video_id": "dQw4w9WgXcQ",
        "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "title": "Cold plunge at dawn", "views": 410000,
        "true_vpd": 30000, "accel": 18000, "lifetime_vpd": 41000, "snapshots": 4,
    },
    EventType.FORMAT_HEATING: {
        "tracked_item_id": "ti_7", "seed": "cold plunge", "verdict": "HEATING", "breakouts": 3,
        "fresh_breakouts": ["0qnmNFoe7AY", "jNQXAC9IVRw", "dQw4w9WgXcQ"], "signal_id": "sig_2f8a",
    },
    EventType.TEST: {"message": "A test event from Clipsite: your endpoint is reachable.", "endpoint_id": 42},
}  # fmt: skip
