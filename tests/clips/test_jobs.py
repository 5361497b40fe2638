"""Rules of the render job that do not need a worker: its priority and the queue's order."""

from __future__ import annotations

import django_rq
import pytest
from django.conf import settings

from clips import actions
from clips.jobs import pipeline_config
from clips.models import Clip
from pipeline.moments.models import Hooks, Moment, SubScores
from pipeline.render import LATER_CLIP_NICENESS
from tests.videos.test_views import make_video
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


@pytest.mark.django_db
def test_it_queues_the_best_clip_first_then_the_longest(alice, workspace, clean_redis,
                                                         django_capture_on_commit_callbacks):  # fmt: skip
    video = make_video(workspace, alice, status=Video.Status.ANALYZING, duration=300.0)
    lengths = {1: 20.0, 2: 15.0, 3: 50.0, 4: 30.0}
    moments = [Moment(id=f"m{rank}", rank=rank, title=f"Moment {rank}", start=rank * 60.0,
                      end=rank * 60.0 + length, duration=length, score=90 - rank, scores=SubScores(), reason="",
                      transcript="", sentence_indexes=[], hooks=Hooks(), description="", hashtags=[], emotions=[],
                      keywords=[])
               for rank, length in lengths.items()]  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        clips = actions.create_clips(video, moments, video.config)

    by_rank = {clip.rank: clip for clip in clips}
    # Two workers take the queue in order: the best clip, then 50 s, 30 s and 15 s.
    assert django_rq.get_queue("render").job_ids == [f"render-{by_rank[rank].pk}-v1" for rank in (1, 3, 4, 2)]
