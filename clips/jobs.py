"""RQ job: render one clip. Many workers render one video's clips in parallel.

Safe to run twice: a render is claimed by ``(clip, render_version)`` and written back
only if the clip still wants that version (see :mod:`clips.actions`).
"""

from __future__ import annotations

import logging
import socket

from django.conf import settings
from rq import get_current_job

from clips import actions
from pipeline.config import PipelineConfig
from pipeline.render import ranked_config
from pipeline.render import render_clip as render
from pipeline.types import MediaInfo, Transcript
from videos import storage
from videos.config import render_options
from videos.jobs import heartbeat

logger = logging.getLogger(__name__)

def pipeline_config(clip) -> PipelineConfig:
    """The engine settings for rendering ``clip``. A video's first renders are queued best
    first, but two workers on two cores would split the CPU evenly between the best clip
    and the next: a later-ranked clip's first render runs at lower priority. A user's
    re-render, or the best clip, runs at full priority."""
    return ranked_config(settings.PIPELINE, clip.rank) if clip.render_version == 1 else settings.PIPELINE


def _worker_name() -> str:
    job = get_current_job()
    name = getattr(job, "worker_name", None) if job is not None else None
    return name or socket.gethostname()


def render_clip(clip_id: str, version: int) -> str:
    clip = actions.claim_render(clip_id, version)
    if clip is None:
        return "stale"
    video = clip.video
    prefix = storage.video_prefix(video.pk)
    # The render's scratch folder lives with the video's work, where the sweep finds it if
    # this job is killed before the ``finally`` below runs.
    tmp = storage.render_dir(video.pk, clip.pk, version)
    try:
        with heartbeat(lambda: actions.touch_render(clip)):
            source = storage.local_path(video.source_file.name)
            words = Transcript.from_dict(video.transcript).words
            out, thumb = tmp / f"{clip.pk}.mp4", tmp / f"{clip.pk}.jpg"
            result = render(
                source,
                MediaInfo.from_dict(video.media_info),
                clip.start,
                clip.end,
                words,
                render_options(clip),
                out,
                thumb,
                pipeline_config(clip),
            )
            if result.error:
                actions.finish_render(clip, error_message=result.error_message, worker=_worker_name())
                return "failed"
            base = f"{prefix}/clips/{clip.pk}-v{version}"
            file_name = storage.save_file(f"{base}.mp4", out)
            thumbnail_name = storage.save_file(f"{base}.jpg", thumb)
    except Exception:
        logger.exception("rendering clip %s failed", clip_id)
        actions.finish_render(
            clip,
            error_message="Rendering failed because of an error on our side; try re-rendering this clip.",
            worker=_worker_name(),
        )
        return "failed"
    finally:
        storage.remove_work(tmp)
    actions.finish_render(
        clip,
        file_name=file_name,
        thumbnail_name=thumbnail_name,
        width=result.width,
        height=result.height,
        layout=result.layout,
        shots=result.shots,
        speakers=result.speakers,
        worker=_worker_name(),
    )
    return "completed"
