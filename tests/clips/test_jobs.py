"""Rules of the render job that do not need a worker."""

from __future__ import annotations

import pytest
from django.conf import settings

from clips.jobs import pipeline_config
from clips.models import Clip
from pipeline.render import LATER_CLIP_NICENESS
from videos.models import Video

RENDERING = Video.Status.GENERATING_CLIPS


@pytest.mark.parametrize(
    ("rank", "version", "status", "niceness"),
    [
        (1, 1, RENDERING, 0),
        (2, 1, RENDERING, LATER_CLIP_NICENESS),
        (9, 1, RENDERING, LATER_CLIP_NICENESS),
        (2, 2, RENDERING, 0),
        # A clip made from the transcript once the video is done: the user waits for it.
        (9, 1, Video.Status.COMPLETED, 0),
    ],
)
def test_it_lets_the_best_clip_of_a_first_batch_render_at_full_priority(rank, version, status, niceness):
    config = pipeline_config(Clip(rank=rank, render_version=version, video=Video(status=status)))

    assert config.render_niceness == niceness
    # A render sharing the cores with the best clip's decodes on one thread.
    assert config.ffmpeg_decode_threads == (1 if niceness else 0)
    assert config.render_preset == settings.PIPELINE.render_preset
