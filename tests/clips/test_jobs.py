"""Rules of the render job that do not need a worker."""

from __future__ import annotations

import pytest
from django.conf import settings

from clips.jobs import pipeline_config
from clips.models import Clip
from pipeline.render import LATER_CLIP_NICENESS


@pytest.mark.parametrize(
    ("rank", "version", "niceness"),
    [(1, 1, 0), (2, 1, LATER_CLIP_NICENESS), (9, 1, LATER_CLIP_NICENESS), (2, 2, 0)],
)
def test_it_lets_the_best_clip_of_a_first_batch_render_at_full_priority(rank, version, niceness):
    config = pipeline_config(Clip(rank=rank, render_version=version))

    assert config.ffmpeg_niceness == niceness
    assert config.render_preset == settings.PIPELINE.render_preset
