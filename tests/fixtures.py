"""Service fixtures shared by every test package (loaded from the root conftest).

- ``talk_path``: a 45 s talking-head MP4 (640x360) built from the corpus;
- ``submit_talk``: submits it as an upload through the real action;
- ``clean_redis``: an empty Redis around a test that runs workers;
- ``finished_video``: a completed video with three stored clips, made directly;
- ``key_for``: a new API key for a user;
- ``redis_outage``: a private Redis the test kills and starts again.
"""

from __future__ import annotations

import shutil
import subprocess

import django_rq
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.media import build_talk_video
from tests.plugins.services import free_port, wait_for_port

TALK_SECONDS = 45
# Two short clips keep each end-to-end run within a minute on two cores.
TALK_CONFIG = {"numberOfClips": 2, "clipDurationMin": 8, "clipDurationMax": 20, "captionTemplate": "hormozi"}


@pytest.fixture
def clean_redis():
    django_rq.get_connection("default").flushdb()
    yield
    django_rq.get_connection("default").flushdb()


@pytest.fixture
def as_alice(client, alice):
    """A dashboard client signed in as alice."""
    client.force_login(alice)
    return client


@pytest.fixture
def alice_api(api_client, alice, key_for, clean_redis):
    """An API client holding a key of alice's personal workspace."""
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(alice)}")
    return api_client


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


WORDS = [
    {"text": w, "start": i * 0.5, "end": i * 0.5 + 0.4, "probability": 0.9}
    for i, w in enumerate(
        ["Here", "is", "the", "one", "thing", "nobody", "tells", "you", "about", "money.", "It", "compounds."]
    )
]


@pytest.fixture
def finished_video(workspace, alice):
    from clips.models import Clip
    from videos.models import Video

    video = Video.objects.create(
        workspace=workspace, submitted_by=alice, source_kind=Video.SourceKind.URL,
        source_url="https://example.com/talk.mp4", title="Money talk", duration=120.0, source_offset=10.0,
        status=Video.Status.COMPLETED, progress=100, minutes_charged=2,
        config={"aspectRatio": "9:16", "enableCaptions": True, "captionTemplate": "hormozi"},
        transcript={"language": "en", "duration": 120.0, "words": WORDS, "sentences": [
            {"index": 0, "sentence": "Here is the one thing nobody tells you about money.", "start": 0.0,
             "end": 5.4, "words": WORDS[:10]},
            {"index": 1, "sentence": "It compounds.", "start": 5.5, "end": 6.4, "words": WORDS[10:]},
        ]},
    )  # fmt: skip
    video.source_file.name = default_storage.save(f"videos/{video.pk}/source.mp4", ContentFile(b"source"))
    video.save()
    for rank, (score, start, end, favorited) in enumerate(
        [(91, 0.0, 30.0, False), (74, 40.0, 55.0, True), (45, 60.0, 110.0, False)], start=1
    ):
        clip = Clip(video=video, rank=rank, title=f"Clip {rank}", start=start, end=end, score=score,
                    score_hook=score - 5, score_pacing=60, score_completeness=70, score_shareability=80,
                    virality_reason="A bold claim with a payoff.", transcript="Here is the one thing...",
                    sentence_indexes=[0, 1], hooks={"question": "Why?", "statement": "Nobody tells you this."},
                    description="Money advice. #money #finance #tips", hashtags=["#money", "#finance", "#tips"],
                    emotions=["surprise"], keywords=["money"], status=Clip.Status.COMPLETED, width=1080,
                    height=1920, favorited=favorited, render_version=1, caption_template="hormozi")  # fmt: skip
        clip.file.name = default_storage.save(
            f"videos/{video.pk}/clips/{clip.pk}-v1.mp4",
            ContentFile(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40),
        )
        clip.thumbnail.name = default_storage.save(
            f"videos/{video.pk}/clips/{clip.pk}-v1.jpg", ContentFile(b"\xff\xd8\xff\xe0thumb")
        )
        clip.save()
    return video


@pytest.fixture
def key_for():
    from accounts import actions

    def make(user, workspace=None):
        workspace = workspace or user.memberships.order_by("created_at").first().workspace
        return actions.create_api_key(user, workspace, "test").raw

    return make


class RedisServer:
    """A private ``redis-server`` on a fixed port, killed (as a crash) and started again."""

    def __init__(self, port: int, workdir):
        self.port = port
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, process=self.process)

    def kill(self) -> None:
        """SIGKILL the server; until :meth:`start`, connecting to its port is refused."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_outage(settings, tmp_path):
    """Point the queues, the rate limits and the health check at a private Redis that the
    test kills with :meth:`RedisServer.kill` and brings back with :meth:`RedisServer.start`.

    Worker processes the test starts (``tests.workers``) use it too.
    """
    server = RedisServer(free_port(), tmp_path)
    server.start()
    shared = settings.REDIS_URL
    settings.REDIS_URL = server.url
    settings.RQ_QUEUES = {
        name: {**config, "URL": config["URL"].replace(shared, server.url)}
        for name, config in settings.RQ_QUEUES.items()
    }
    yield server
    server.kill()
