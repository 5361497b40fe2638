from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from clips import actions as clip_actions
from videos import actions
from videos.models import Video


def test_it_deletes_sources_after_retention_but_keeps_clips(finished_video, settings):
    settings.SOURCE_RETENTION_HOURS = 24
    source = finished_video.source_file.name
    Video.objects.filter(pk=finished_video.pk).update(finished_at=timezone.now() - timedelta(hours=23))
    assert actions.delete_expired_sources() == 0 and default_storage.exists(source)

    Video.objects.filter(pk=finished_video.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    assert actions.delete_expired_sources() == 1
    finished_video.refresh_from_db()
    assert not default_storage.exists(source) and finished_video.source_deleted_at is not None
    assert all(default_storage.exists(c.file.name) for c in finished_video.clips.all())
    with pytest.raises(clip_actions.ClipEditError, match="deleted after its retention"):
        clip_actions.rerender(finished_video.clips.get(rank=1), end=20.0)


def test_it_keeps_a_source_while_a_clip_is_re_rendering(finished_video):
    finished_video.clips.filter(rank=2).update(status="generating")
    Video.objects.filter(pk=finished_video.pk).update(finished_at=timezone.now() - timedelta(days=30))
    assert actions.delete_expired_sources() == 0
    assert default_storage.exists(finished_video.source_file.name)
