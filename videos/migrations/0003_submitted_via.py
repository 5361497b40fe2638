"""The surface a video was submitted through: the process API's videos have rules of their own."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("videos", "0002_public_ids")]

    operations = [
        migrations.AddField(
            "video", "submitted_via",
            models.CharField(blank=True, choices=[("", "Clipsite"), ("process", "Process API")], db_index=True,
                             default="", max_length=10),
        ),  # fmt: skip
    ]
