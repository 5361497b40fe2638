"""Active-speaker reframing: a clip's forced layout and pins, and its last render's shots and speakers."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("clips", "0003_public_uuid")]

    operations = [
        migrations.AddField(
            "clip", "pins",
            models.JSONField(
                blank=True, default=list,
                help_text="[{start, end, x, speaker}]: stretches (seconds into the clip) where the crop follows the "
                          "person at x (a fraction of the source's width); kept for every re-render.",
            ),
        ),
        migrations.AddField(
            "clip", "requested_layout",
            models.CharField(
                default="auto", max_length=10, help_text="auto (chosen per shot) or the layout forced on every shot."
            ),
        ),
        migrations.AddField(
            "clip", "shots",
            models.JSONField(
                blank=True, default=list,
                help_text="The last render's shots, in clip seconds: [{start, end, layout, speaker}].",
            ),
        ),
        migrations.AddField(
            "clip", "speakers",
            models.JSONField(
                blank=True, default=list, help_text="The last render's speakers: [{id, x, speaking: [[t0, t1], ...]}]."
            ),
        ),
        migrations.AlterField(
            "clip", "layout",
            models.CharField(blank=True, max_length=20, help_text="The layout the last render used."),
        ),
    ]  # fmt: skip
