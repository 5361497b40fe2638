"""RQ job: render one clip. Many workers render one video's clips in parallel.

Safe to run twice: a render is claimed by ``(clip, render_version)`` and written back
only if the clip still wants that version (see :mod:`clips.actions`).
"""

from __future__ import annotations

import logging
import socket

from django.conf import settings
from rq import get_current_job

from brands.actions import with_brand_kit
from clips import actions
from clips import words as clip_words
from pipeline.config import PipelineConfig
from pipeline.render import ranked_config
from pipeline.render import render_clip as render
from pipeline.types import MediaInfo, Transcript
from pipeline.words import styled
from videos import storage
from videos.config import render_options
from videos.jobs import heartbeat
from videos.models import Video

logger = logging.getLogger(__name__)

def pipeline_config(clip) -> PipelineConfig:
    """The engine settings for rendering ``clip``. A video's first renders are queued best
    first, but two workers on two cores would split the CPU evenly between the best clip
    and the next: while the video renders its clips, a later-ranked clip's first render
    runs at lower priority. A user's re-render, a clip made by hand once the video is done,
    or the best clip, runs at full priority."""
    first_batch = clip.render_version == 1 and clip.video.status == Video.Status.GENERATING_CLIPS
    return ranked_config(settings.PIPELINE, clip.rank) if first_batch else settings.PIPELINE


def _worker_name() -> str:
    job = get_current_job()
    name = getattr(job, "worker_name", None) if job is not None else None
    return name or socket.gethostname()


def _follow_cut(clip) -> None:
    """Write the clip's words again for a new span before it renders (its hook line among
    them); a failure keeps the old words and the render goes on."""
    try:
        clip_words.follow_cut(clip)
    except Exception:
        logger.exception("writing the words of clip %s for its new span failed", clip.pk)


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
            _follow_cut(clip)
            words = styled(Transcript.from_dict(video.transcript).words, clip.word_styles)
            out, thumb = tmp / f"{clip.pk}.mp4", tmp / f"{clip.pk}.jpg"
            result = render(
                source,
                MediaInfo.from_dict(video.media_info),
                clip.start,
                clip.end,
                words,
                with_brand_kit(render_options(clip), clip),
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
        report=result.report.to_dict() if result.report else {},
        worker=_worker_name(),
    )
    return "completed"
