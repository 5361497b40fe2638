"""``manage.py clip SOURCE --workspace SLUG``: run one source through the service from a terminal.

The video is submitted like any other (minutes, plan limits, storage, ledger), then
processed. When RQ workers are running they do the work and this command only watches;
otherwise it runs the same jobs in this process. A progress bar follows the stages on
stderr and the clips are printed when the video finishes.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import django_rq
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from rest_framework.exceptions import ValidationError
from rq import Worker
from tqdm import tqdm

from accounts.models import Workspace
from clips.jobs import render_clip
from clips.models import Clip
from clipsite.signed_media import signed_url
from videos import actions
from videos.config import validate_config
from videos.errors import SubmitRefused
from videos.jobs import process_video
from videos.models import Video


class Command(BaseCommand):
    help = "Turn a video file or link into clips through the service, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("source", help="A video file, a direct media link, or a YouTube (or other site) link.")
        parser.add_argument("--workspace", required=True, help="Slug of the workspace to charge.")
        parser.add_argument("--user", help="Email of the member submitting it (default: an owner).")
        parser.add_argument("--clips", type=int, dest="numberOfClips", help="How many clips (default: by length).")
        parser.add_argument("--min", type=float, dest="clipDurationMin", help="Shortest clip, in seconds.")
        parser.add_argument("--max", type=float, dest="clipDurationMax", help="Longest clip, in seconds.")
        parser.add_argument("--aspect", dest="aspectRatio", help="9:16 (default), 1:1, 4:5 or 16:9.")
        parser.add_argument("--layout", help="auto (default: per shot), crop, split or fit.")
        parser.add_argument("--template", dest="captionTemplate", help="Caption template.")
        parser.add_argument("--no-captions", action="store_false", dest="enableCaptions", default=None)
        parser.add_argument("--model", dest="clipModel", help="ClipBasic (local, default) or ClipAnything (Gemini).")
        parser.add_argument("--start", type=float, help="Process from this second.")
        parser.add_argument("--end", type=float, help="Process up to this second.")

    def handle(self, *args, source, workspace, user, **options):
        ws = Workspace.objects.filter(slug=workspace).select_related("plan").first()
        if ws is None:
            raise CommandError(f"No workspace with the slug {workspace!r}.")
        member = ws.memberships.select_related("user")
        member = member.filter(user__email__iexact=user).first() if user else member.order_by("created_at").first()
        if member is None:
            raise CommandError(f"{user} is not a member of {workspace}.")
        names = ("numberOfClips", "clipDurationMin", "clipDurationMax", "aspectRatio", "layout", "captionTemplate",
                 "enableCaptions", "clipModel", "start", "end")  # fmt: skip
        try:
            config = validate_config({name: options[name] for name in names if options.get(name) is not None})
        except ValidationError as exc:
            field, messages = next(iter(exc.detail.items()))
            raise CommandError(f"{field}: {' '.join(str(m) for m in messages)}") from None
        video = self._submit(ws, member.user, source, config)
        self.stderr.write(f"Submitted {video.pk} to {ws.slug}.")
        self._follow(video)
        video.refresh_from_db()
        if video.status == Video.Status.FAILED:
            raise CommandError(f"The video failed: {video.error_message}")
        self._print_clips(video)

    def _submit(self, workspace, user, source: str, config: dict) -> Video:
        try:
            if Path(source).is_file():
                with open(source, "rb") as handle:
                    return actions.submit_video(workspace, user, config=config,
                                                upload=File(handle, name=Path(source).name))  # fmt: skip
            if not source.startswith(("http://", "https://")):
                raise CommandError(f"{source} is neither a file nor an http(s) link.")
            return actions.submit_video(workspace, user, config=config, url=source)
        except SubmitRefused as exc:  # the command's one mapping: the reason, as its error
            raise CommandError(exc.message) from None

    def _follow(self, video: Video) -> None:
        """Show progress until the video finishes, doing the work here if no worker is running."""
        workers = Worker.all(connection=django_rq.get_connection("default"))
        runner = None
        if not workers:
            runner = threading.Thread(target=self._run_inline, args=(video.pk,), daemon=True)
            runner.start()
        # The bar draws on the command's own stderr stream (Django's wrapper adds newlines).
        stream = getattr(self.stderr, "_out", sys.stderr)
        bar = tqdm(total=100, file=stream, bar_format="{desc:<18}{percentage:3.0f}%|{bar}| {elapsed}")
        while True:
            video.refresh_from_db(fields=["status", "progress"])
            bar.set_description_str(video.get_status_display())
            bar.update(video.progress - bar.n)
            if video.is_terminal and (runner is None or not runner.is_alive()):
                break
            time.sleep(0.5)
        bar.close()

    @staticmethod
    def _run_inline(video_id: str) -> None:
        process_video(video_id)
        for clip in Clip.objects.filter(video_id=video_id, status=Clip.Status.GENERATING):
            render_clip(clip.pk, clip.render_version)

    def _print_clips(self, video: Video) -> None:
        for clip in video.clips.order_by("rank"):
            line = f"#{clip.rank} [{clip.score:3d}] {clip.source_start:8.1f}-{clip.source_end:8.1f}s  {clip.title}"
            if clip.file:
                line += f"\n    {signed_url(clip.file.name)}"
            elif clip.error:
                line += f"\n    error: {clip.error_message}"
            self.stdout.write(line)
        self.stdout.write(f"{video.clips.count()} clips; {video.minutes_charged} minutes charged.")
