"""Fixtures for the video service: a short real talk, submitted, and a clean Redis."""

from __future__ import annotations

import django_rq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.media import build_talk_video

TALK_SECONDS = 45
# Two short clips keep each end-to-end run within a minute on two cores.
TALK_CONFIG = {"numberOfClips": 2, "clipDurationMin": 8, "clipDurationMax": 20, "captionTemplate": "hormozi"}


@pytest.fixture
def clean_redis():
    django_rq.get_connection("default").flushdb()
    yield
    django_rq.get_connection("default").flushdb()


@pytest.fixture(scope="session")
def talk_path():
    """A 45 s talking-head MP4 (640x360): a real face over real speech from the corpus."""
    return build_talk_video(TALK_SECONDS, 640, 360, 25)


@pytest.fixture
def submit_talk(talk_path, clean_redis):
    """Submit the talk as an upload through the real action; return the queued Video."""
    from videos import actions
    from videos.config import validate_config

    def submit(workspace, user, **config):
        upload = SimpleUploadedFile("team-talk.mp4", talk_path.read_bytes(), content_type="video/mp4")
        return actions.submit_video(
            workspace, user, kind="upload", upload=upload, config=validate_config({**TALK_CONFIG, **config})
        )

    return submit
