"""Seed the five plans with viralcli's limits (shared/reference/viralcli-api.txt).

Discovery, enrichment, tracked items, concurrency, rate and history come from that
table; "custom" and "unlimited" become NULL. Minute allowances, video length and upload
size are Clipsite's own; operators edit all of it in the admin.
"""

from django.db import migrations

PLANS = [
    # slug, name, minutes/mo, max video min, max upload MB, concurrency, rate/min,
    # tracked, discovery/mo, enrichment/mo, platforms, history days
    ("free", "Free", 60, 30, 500, 1, 30, 3, 25, 50, ["youtube"], 7),
    ("starter", "Starter", 300, 90, 2048, 2, 120, 25, 500, 1000, ["youtube", "tiktok"], 90),
    ("pro", "Pro", 1200, 180, 4096, 5, 300, 100, 2500, 6000, ["*"], 365),
    ("business", "Business", 6000, 240, 8192, 10, 1000, 500, 12000, 30000, ["*"], None),
    ("enterprise", "Enterprise", 30000, 240, 16384, 50, 5000, None, None, None, ["*"], None),
]


def seed(apps, schema_editor):
    Plan = apps.get_model("accounts", "Plan")
    for order, row in enumerate(PLANS):
        slug, name, minutes, video, upload, conc, rate, tracked, disc, enr, platforms, history = row
        Plan.objects.update_or_create(
            slug=slug,
            defaults=dict(
                name=name, sort_order=order, monthly_minutes=minutes, max_video_minutes=video,
                max_upload_mb=upload, concurrent_jobs=conc, api_requests_per_minute=rate,
                tracked_items=tracked, discovery_per_month=disc, enrichment_per_month=enr,
                platforms=platforms, history_days=history, is_default=(slug == "free"),
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
