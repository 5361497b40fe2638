"""Ssemble's name for a clip: a UUID, filled row by row for existing clips, then unique."""

import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    Clip = apps.get_model("clips", "Clip")
    for clip in Clip.objects.filter(public_uuid__isnull=True).only("pk").iterator():
        Clip.objects.filter(pk=clip.pk).update(public_uuid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("clips", "0002_initial")]

    operations = [
        migrations.AddField("clip", "public_uuid", models.UUIDField(null=True, editable=False)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            "clip", "public_uuid",
            models.UUIDField(default=uuid.uuid4, editable=False, help_text="Ssemble's short id.", unique=True),
        ),  # fmt: skip
    ]
