"""Ssemble's and the process API's names for a video, and the source's heatmap.

The unique ids are added empty, filled row by row (a callable default would give every
existing row the same value), then made unique and required.
"""

import uuid

from django.db import migrations, models

import videos.models


def fill(apps, schema_editor):
    Video = apps.get_model("videos", "Video")
    for video in Video.objects.filter(public_hex__isnull=True).only("pk").iterator():
        Video.objects.filter(pk=video.pk).update(public_hex=videos.models.new_public_hex(), public_uuid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("videos", "0001_initial")]

    operations = [
        migrations.AddField("video", "public_hex", models.CharField(max_length=24, null=True, editable=False)),
        migrations.AddField("video", "public_uuid", models.UUIDField(null=True, editable=False)),
        migrations.AddField(
            "video", "heatmap",
            models.JSONField(blank=True, default=list,
                             help_text="The source platform's 'most replayed' points: start_time, end_time, value."),
        ),  # fmt: skip
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            "video", "public_hex",
            models.CharField(default=videos.models.new_public_hex, editable=False, max_length=24, unique=True),
        ),  # fmt: skip
        migrations.AlterField("video", "public_uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
    ]
