"""Commands on videos and clips: submit, status, clips, download, render (Clipsite's /api/)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import click

from clipsite_cli.app import App, shared_options
from clipsite_cli.download import Downloader
from clipsite_cli.errors import CliError, ExitCode
from clipsite_cli.output import size_text

VIDEO_DONE = ("completed", "failed")
CLIP_DONE = ("completed", "failed")
# A link whose path ends so is a media file, fetched as is; any other goes through the site importer.
MEDIA_SUFFIXES = (".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".mp3", ".m4a", ".wav", ".aac", ".flac", ".ogg")
INTERVAL_HELP = "Seconds between two checks while waiting."


def _video_missing(video_id: str) -> str:
    return f"No video {video_id} in this key's workspace."


def _clip_missing(clip_id: str) -> str:
    return f"No clip {clip_id} in this key's workspace."


def _segment(value: str) -> str:
    """An id as one URL path segment, whatever the user typed."""
    return quote(value, safe="")


@click.command()
@click.argument("source")
@click.option("--clips", "clip_count", type=int, help="How many clips to make, 1-30 (numberOfClips).")
@click.option("--aspect", help="Aspect ratio of the clips: 9:16 (default), 1:1, 4:5 or 16:9 (aspectRatio).")
@click.option("--template", help="Caption template: hormozi (default), clean, karaoke or minimal (captionTemplate).")
@click.option("--layout", help="auto (default: chosen per shot), crop, split or fit on every shot (layout).")
@click.option("--language", help="The language spoken, e.g. en or es; left out, it is detected (language).")
@click.option("--min-length", type=float, help="Shortest clip in seconds, 5-600 (clipDurationMin).")
@click.option("--max-length", type=float, help="Longest clip in seconds, 5-600 (clipDurationMax).")
@click.option("--preferred-length", help="under30sec, under60sec, under90sec, under3min, under5min or under10min "
                                         "(preferredLength).")  # fmt: skip
@click.option("--genre", help="Auto (default), Podcast, Talk, Interview, Education, ... (genre).")
@click.option("--model", help="ClipBasic (default) or ClipAnything, which needs --gemini-key (clipModel).")
@click.option("--keyword", "keywords", multiple=True, help="A topic to favour; repeat for up to 10 (topicKeywords).")
@click.option("--captions/--no-captions", default=None, help="Burn captions in (enableCaptions; default: on).")
@click.option("--auto-hook/--no-auto-hook", default=None, help="Add a hook title (enableAutoHook; default: on).")
@click.option("--start", type=float, help="Process the source from this second (start).")
@click.option("--end", type=float, help="Process the source up to this second (end).")
@click.option("--workspace", metavar="ID", help="Submit to this workspace instead of the key's own (workspaceId).")
@click.option("--gemini-key", envvar="CLIPSITE_GEMINI_KEY", metavar="KEY",
              help="A Gemini API key for ClipAnything (default: $CLIPSITE_GEMINI_KEY); stored encrypted, wiped after "
                   "use.")  # fmt: skip
@click.option("--direct", is_flag=True, help="Fetch the link as a media file (/api/videos/url) whatever its name.")
@shared_options
def submit(app: App, source: str, workspace: str | None, gemini_key: str | None, direct: bool, **options: Any) -> None:
    """Submit a video for clipping: SOURCE is a link or a local file.

    A file is uploaded (POST /api/videos/upload, streamed from disk) with a bar of the
    bytes sent. A link is fetched by the server: one to a media file (its path ends in
    .mp4, .mov, .mp3, ... or --direct) through /api/videos/url, any other (YouTube and
    other video sites) through /api/videos/youtube. The options are the API's config;
    left out, the server's defaults apply. Prints the new video; follow it with
    `clipsite status VIDEO --wait`.
    """
    settings = _config(**options)
    headers = {"X-Gemini-Key": gemini_key} if gemini_key else {}
    path = Path(source).expanduser()
    scheme = urlsplit(source).scheme.lower()
    if scheme in ("http", "https"):
        body: dict[str, Any] = {"config": settings, **({"workspaceId": workspace} if workspace else {})}
        if direct or urlsplit(source).path.lower().endswith(MEDIA_SUFFIXES):
            answer = app.client.post("/api/videos/url", {**body, "url": source}, headers=headers)
        else:
            answer = app.client.post("/api/videos/youtube", {**body, "youtubeUrl": source}, headers=headers)
    elif path.is_file():
        answer = _upload(app, path, settings, workspace, headers)
    else:
        raise CliError(f"{source} is neither an http(s) link nor a file that exists.", ExitCode.USAGE, "usage")
    video = answer["video"]
    app.out.emit(answer)
    name = video.get("title") or video.get("fileName") or source
    app.out.line(f"Submitted {video['id']} ({name}): {video['stage']}.")
    app.out.line(f"Follow it with: clipsite status {video['id']} --wait")


def _config(**options: Any) -> dict[str, Any]:
    """The API's ``config`` object from the options given (the others are left to the server)."""
    names = {"clip_count": "numberOfClips", "aspect": "aspectRatio", "template": "captionTemplate",
             "layout": "layout", "language": "language", "min_length": "clipDurationMin",
             "max_length": "clipDurationMax", "preferred_length": "preferredLength", "genre": "genre",
             "model": "clipModel", "captions": "enableCaptions", "auto_hook": "enableAutoHook", "start": "start",
             "end": "end"}  # fmt: skip
    config = {names[name]: value for name, value in options.items() if name in names and value is not None}
    if options.get("keywords"):
        config["topicKeywords"] = list(options["keywords"])
    return config


def _upload(app: App, path: Path, settings: dict[str, Any], workspace: str | None,
            headers: dict[str, str]) -> dict[str, Any]:  # fmt: skip
    fields = {"config": json.dumps(settings)}
    query = f"?workspaceId={quote(workspace)}" if workspace else ""
    with app.out.transfer() as bars:
        task = bars.add_task(f"Uploading {path.name}", total=path.stat().st_size)

        def sent(done: int, total: int) -> None:
            bars.update(task, completed=done, total=total)

        return app.client.upload(f"/api/videos/upload{query}", path, fields, sent, headers=headers)


@click.command()
@click.argument("video")
@click.option("--wait", is_flag=True, help="Follow the video with a live bar through its stages until it has "
                                           "completed or failed.")  # fmt: skip
@click.option("--interval", type=click.FloatRange(min=0.5), default=3.0, show_default=True, help=INTERVAL_HELP)
@shared_options
def status(app: App, video: str, wait: bool, interval: float) -> None:
    """Show a video's stage and progress, or follow it with --wait.

    GET /api/videos/VIDEO/status. With --wait, follow it until it has completed or
    failed: a bar of its progress and the time left, a line as each stage begins. Exits 1 when the video
    has failed (with or without --wait), printing why; Ctrl-C stops waiting but not the
    video.
    """
    path = f"/api/videos/{_segment(video)}/status"
    payload = app.client.get(path, not_found=_video_missing(video))
    if wait and payload["video"]["status"] not in VIDEO_DONE:
        payload = _follow(app, path, payload, interval)
    app.out.emit(payload)
    info = payload["video"]
    app.out.line(f"{info['id']}  {info.get('title') or ''}".rstrip())
    app.out.line(f"Stage: {payload['job']['stage']} ({info['progress']}%)")
    if payload["job"].get("timeLeft"):
        app.out.line(f"Time left: {payload['job']['timeLeft']}")
    app.out.line(f"Clips: {info.get('clipCount', 0)}")
    if info["status"] == "failed":
        raise CliError(f"Video {info['id']} failed: {info.get('errorMessage') or 'no reason given'}",
                       ExitCode.REFUSED, "video_failed", result_shown=True)  # fmt: skip


def _follow(app: App, path: str, payload: dict[str, Any], interval: float) -> dict[str, Any]:
    video_id = payload["video"]["id"]
    with app.out.stages() as bars:
        task = bars.add_task("", total=100)
        stage = None
        try:
            while True:
                info = payload["video"]
                if payload["job"]["stage"] != stage:
                    stage = payload["job"]["stage"]
                    app.out.note(f"{video_id}: {stage}")
                left = payload["job"].get("timeLeft")  # a server older than the estimate has none
                bars.update(task, completed=info["progress"], description=f"{stage} · {left}" if left else stage)
                if info["status"] in VIDEO_DONE:
                    return payload
                time.sleep(interval)
                payload = app.client.get(path, not_found=_video_missing(video_id))
        except KeyboardInterrupt:
            raise CliError(f"Stopped waiting; {video_id} goes on on the server (clipsite status {video_id}).",
                           ExitCode.INTERRUPTED, "interrupted") from None  # fmt: skip


def clip_filters(func: Callable[..., Any]) -> Callable[..., Any]:
    """The API's clip filters and sort, as options (shared by clips and download)."""
    options = [
        click.option("--min-score", type=int, help="Only clips scoring at least this (0-100)."),
        click.option("--max-score", type=int, help="Only clips scoring at most this (0-100)."),
        click.option("--status", "clip_status", type=click.Choice(["detected", "generating", "completed", "failed"]),
                     help="Only clips in this state."),
        click.option("--favorited/--not-favorited", default=None, help="Only favourites, or only the others."),
        click.option("--sort-by", type=click.Choice(["score", "duration"]), help="Sort by (server default: score)."),
        click.option("--sort-order", type=click.Choice(["asc", "desc"]), help="Sort order (server default: desc)."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def _list_clips(app: App, video: str, filters: dict[str, Any]) -> dict[str, Any]:
    names = {"min_score": "minScore", "max_score": "maxScore", "clip_status": "status", "favorited": "favorited",
             "sort_by": "sortBy", "sort_order": "sortOrder"}  # fmt: skip
    params = {names[name]: value for name, value in filters.items() if value is not None}
    if "favorited" in params:
        params["favorited"] = "true" if params["favorited"] else "false"
    return app.client.get(f"/api/videos/{_segment(video)}/clips", params, not_found=_video_missing(video))


@click.command()
@click.argument("video")
@clip_filters
@shared_options
def clips(app: App, video: str, **filters: Any) -> None:
    """List a video's clips as a table, best first.

    GET /api/videos/VIDEO/clips, with the filters as its query. With --json, the
    server's answer: videoId, clips (each with a signed downloadUrl valid for an hour),
    count and the filters applied.
    """
    answer = _list_clips(app, video, filters)
    app.out.emit(answer)
    app.out.table(
        ["#", "clip", "score", "seconds", "status", "fav", "title"],
        [(c["rank"], c["id"], c["score"], f"{c['startTime']:.1f}-{c['endTime']:.1f}", c["status"],
          "*" if c.get("favorited") else "", c.get("title")) for c in answer["clips"]],
    )  # fmt: skip
    app.out.line(f"{answer['count']} clip{'s' if answer['count'] != 1 else ''}")


@click.command()
@click.argument("video")
@click.argument("clip_ids", metavar="[CLIP]...", nargs=-1)
@click.option("-d", "--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="The folder to save into (default: ./VIDEO); made if missing.")  # fmt: skip
@clip_filters
@shared_options
def download(app: App, video: str, clip_ids: tuple[str, ...], directory: Path | None, **filters: Any) -> None:
    """Download a video's rendered clips into a folder.

    All of them, the CLIPs named, or those the filters keep. Each clip is saved as
    CLIP.mp4 with a bar of the bytes received. A file already there from the same render
    is not fetched again; an interrupted download is kept as CLIP-<render time>.part and
    resumed with an HTTP Range request. Exits 1 if some clip was not saved (not rendered
    yet, or its file is gone), after saving the others.
    """
    listed = _list_clips(app, video, filters)["clips"]
    if clip_ids:
        by_id = {clip["id"]: clip for clip in listed}
        unknown = [clip_id for clip_id in clip_ids if clip_id not in by_id]
        if unknown:
            kept = " kept by the filters" if any(value is not None for value in filters.values()) else ""
            raise CliError(f"{', '.join(unknown)}: not among video {video}'s clips{kept}.", ExitCode.NOT_FOUND)
        listed = [by_id[clip_id] for clip_id in dict.fromkeys(clip_ids)]
    directory = directory or Path(video)
    directory.mkdir(parents=True, exist_ok=True)
    with app.out.transfer() as bars:
        downloader = Downloader(app.client, directory, bars)
        outcomes = [downloader.save(clip) for clip in listed]
    app.out.emit({"videoId": video, "directory": str(directory), "clips": [o.to_dict() for o in outcomes]})
    words = {"downloaded": "downloaded", "resumed": "resumed", "present": "already here"}
    for outcome in outcomes:
        if outcome.ok:
            app.out.line(f"{outcome.id}: {words[outcome.status]}, {size_text(outcome.size)} -> {outcome.path}")
        else:
            app.out.line(f"{outcome.id}: {outcome.message}")
    missed = [outcome for outcome in outcomes if not outcome.ok]
    if missed:
        raise CliError(f"{len(missed)} of {len(outcomes)} clips were not downloaded: {missed[0].message}",
                       ExitCode.REFUSED, missed[0].status, result_shown=True)  # fmt: skip
    if not outcomes:
        app.out.line("No clips to download.")


@click.command()
@click.argument("clip")
@click.option("--start", type=float, help="New start, in seconds on the source video (startTime).")
@click.option("--end", type=float, help="New end, in seconds on the source video (endTime).")
@click.option("--template", help="Caption template: hormozi, clean, karaoke or minimal (captionTemplate).")
@click.option("--aspect", help="Aspect ratio: 9:16, 1:1, 4:5 or 16:9 (aspectRatio).")
@click.option("--layout", help="auto, crop, split or fit (layout).")
@click.option("--captions/--no-captions", default=None, help="Burn captions in or not (enableCaptions).")
@click.option("--hook-text", help="The hook title's text; empty for none (hookText).")
@click.option("--auto-hook/--no-auto-hook", default=None, help="Show the hook title (enableAutoHook).")
@click.option("--wait", is_flag=True, help="Wait until the new render has completed or failed.")
@click.option("--interval", type=click.FloatRange(min=0.5), default=3.0, show_default=True, help=INTERVAL_HELP)
@shared_options
def render(app: App, clip: str, wait: bool, interval: float, **options: Any) -> None:
    """Re-render a clip with new times, template, aspect or layout.

    POST /api/clips/CLIP/render. Settings left out are kept. Times are on the source video's timeline, as the clip's
    startTime and endTime are. With --wait, a spinner runs until the render ends; exits 1
    if it failed.
    """
    names = {"start": "startTime", "end": "endTime", "template": "captionTemplate", "aspect": "aspectRatio",
             "layout": "layout", "captions": "enableCaptions", "hook_text": "hookText",
             "auto_hook": "enableAutoHook"}  # fmt: skip
    body = {names[name]: value for name, value in options.items() if value is not None}
    path = f"/api/clips/{_segment(clip)}"
    answer = app.client.post(f"{path}/render", body, not_found=_clip_missing(clip))
    if wait:
        answer = _follow_render(app, path, clip, interval)
    app.out.emit(answer)
    info = answer["clip"]
    app.out.line(f"{info['id']}: {info['status']}{' (re-rendering)' if info.get('recompiling') else ''}, "
                 f"{info['startTime']:.1f}-{info['endTime']:.1f} s, {info['aspectRatio']}")  # fmt: skip
    if info["status"] == "failed":
        raise CliError(f"The render of {info['id']} failed: {info.get('errorMessage') or 'no reason given'}",
                       ExitCode.REFUSED, "render_failed", result_shown=True)  # fmt: skip


def _follow_render(app: App, path: str, clip: str, interval: float) -> dict[str, Any]:
    with app.out.spinner() as bars:
        bars.add_task(f"Rendering {clip}", total=None)
        try:
            while True:
                answer = app.client.get(path, not_found=_clip_missing(clip))
                if answer["clip"]["status"] in CLIP_DONE and not answer["clip"].get("recompiling"):
                    return answer
                time.sleep(interval)
        except KeyboardInterrupt:
            raise CliError(f"Stopped waiting; {clip} goes on rendering on the server.", ExitCode.INTERRUPTED,
                           "interrupted") from None  # fmt: skip


COMMANDS = [submit, status, clips, download, render]
