"""Trend commands: discover and track, in viralcli's dialect under /v1/ (same API key)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import click

from clipsite_cli.app import App, shared_options

PLATFORMS = click.Choice(["youtube", "tiktok", "instagram"])


@click.command()
@click.argument("topic")
@click.option("--platform", type=PLATFORMS, default="youtube", show_default=True,
              help="Where to search; which platforms you may use depends on your plan.")  # fmt: skip
@shared_options
def discover(app: App, topic: str, platform: str) -> None:
    """Find what is breaking out for TOPIC (POST /v1/discovery).

    Prints the format's verdict (HEATING, STEADY, SATURATING or INSUFFICIENT_DATA) with
    its reason, and the breakouts ranked by views per day. Costs one discovery call of
    the plan's monthly quota.
    """
    answer = app.client.post("/v1/discovery", {"seed": topic, "platform": platform})
    app.out.emit(answer)
    detail = answer.get("verdict_detail") or {}
    reason = f": {detail['reason']}" if detail.get("reason") else ""
    app.out.line(f"{answer.get('seed', topic)} on {answer.get('platform', platform)}: {answer['verdict']}{reason}")
    app.out.line(f"{answer.get('n', 0)} videos found, {len(answer.get('breakouts', []))} breakouts")
    app.out.table(
        ["#", "views/day", "age (d)", "views", "title", "link"],
        [(rank, f"{b['views_per_day']:,}", f"{b['age_days']:.1f}", f"{b['views']:,}", b.get("title"), b.get("url"))
         for rank, b in enumerate(answer.get("breakouts", []), start=1)],
    )  # fmt: skip


@click.group()
def track() -> None:
    """Track videos or seed topics: add, list, remove.

    The server polls what you track and records its trajectory (/v1/tracked-items).
    """


@track.command("add")
@click.argument("ref")
@click.option("--kind", type=click.Choice(["video", "seed"]), default="video", show_default=True,
              help="REF is a video (its link or id) or a seed topic.")  # fmt: skip
@click.option("--platform", type=PLATFORMS, default="youtube", show_default=True, help="Where REF is.")
@click.option("--interval-sec", type=int, help="Fastest polling interval, 60-86400 seconds (server default: 900).")
@click.option("--auto-clip", is_flag=True, help="Seeds: submit fresh breakouts for clipping, within your minutes.")
@click.option("--auto-clip-creator", metavar="NAME", help="Seeds: auto-clip only this creator's breakouts.")
@shared_options
def track_add(app: App, ref: str, kind: str, platform: str, interval_sec: int | None, auto_clip: bool,
              auto_clip_creator: str | None) -> None:  # fmt: skip
    """Start tracking REF, a video link or id, or (--kind seed) a topic."""
    body: dict[str, Any] = {"kind": kind, "ref": ref, "platform": platform}
    if interval_sec is not None:
        body["interval_sec"] = interval_sec
    if auto_clip:
        body["auto_clip"] = True
    if auto_clip_creator:
        body["auto_clip_creator"] = auto_clip_creator
    item = app.client.post("/v1/tracked-items", body)
    app.out.emit(item)
    app.out.line(f"Tracking {item['id']}: {item['kind']} {item['ref']} on {item['platform']}, "
                 f"every {item['interval_sec']} s at most.")  # fmt: skip


@track.command("list")
@shared_options
def track_list(app: App) -> None:
    """List your tracked items and the watcher's state of each."""
    items = app.client.get("/v1/tracked-items")
    app.out.emit(items)
    app.out.table(
        ["id", "kind", "ref", "platform", "status", "polls", "next poll", "verdict"],
        [(i["id"], i["kind"], i["ref"], i["platform"], i["status"], i["polls"], i.get("next_poll_at"),
          i.get("verdict")) for i in items],
    )  # fmt: skip
    app.out.line(f"{len(items)} tracked item{'s' if len(items) != 1 else ''}")


@track.command("remove")
@click.argument("item_id", metavar="ID")
@shared_options
def track_remove(app: App, item_id: str) -> None:
    """Stop tracking the item ID (as `track list` shows it)."""
    app.client.delete(f"/v1/tracked-items/{quote(item_id, safe='')}",
                      not_found=f"No tracked item {item_id} in this key's workspace.")  # fmt: skip
    app.out.emit({"id": item_id, "removed": True})
    app.out.line(f"Stopped tracking {item_id}.")


COMMANDS = [discover, track]
