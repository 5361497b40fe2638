"""viralcli's shapes (snake_case), for the /v1/ routes."""

from __future__ import annotations

from urllib.parse import urlencode

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clipsite.api import StrictFieldsMixin
from pipeline.trends.storyboard import MAX_TILES
from tracking.models import EnrichmentJob, Platform, TrackedItem
from webhooks.models import ALL_EVENTS, SUBSCRIBABLE, Endpoint

EVENT_TYPE_CHOICES = [ALL_EVENTS, *SUBSCRIBABLE]


class WebhookCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    url = serializers.URLField(max_length=2000, help_text="A public https URL (checked again at each delivery).")
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES), min_length=1, max_length=len(EVENT_TYPE_CHOICES),
        required=False, default=[ALL_EVENTS],
        help_text='["*"] (the default) for all, or any of the event types.',
    )  # fmt: skip
    tracked_item_id = serializers.CharField(
        max_length=64, required=False, allow_null=True, help_text="Scope to one tracked item; null for account-wide."
    )

    class Meta:
        ref_name = "V1WebhookCreate"


class WebhookSerializer(serializers.ModelSerializer):
    """A subscription as viralcli lists it: never its secret."""

    tracked_item_id = serializers.SerializerMethodField()

    class Meta:
        model = Endpoint
        fields = ["id", "url", "event_types", "tracked_item_id"]
        ref_name = "V1Webhook"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_tracked_item_id(self, endpoint) -> str | None:
        return endpoint.tracked_item_id or None


class WebhookCreatedSerializer(WebhookSerializer):
    """The answer to creating a subscription: the only time its secret is returned."""

    secret = serializers.SerializerMethodField()

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        ref_name = "V1WebhookCreated"

    @extend_schema_field(serializers.CharField(help_text="whsec_...: shown once; store it now."))
    def get_secret(self, endpoint) -> str:
        return self.context["secret"]


SEED_HELP = "A seed topic, e.g. a format or a niche (1-200 characters)."
PLATFORM_HELP = "Where to search: youtube (default), tiktok or instagram; availability varies by plan."


class SeedField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=200, min_length=1, trim_whitespace=True, help_text=SEED_HELP, **kwargs)


class DiscoveryRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    seed = SeedField()
    platform = serializers.ChoiceField(choices=Platform.choices, default=Platform.YOUTUBE, help_text=PLATFORM_HELP)

    class Meta:
        ref_name = "V1DiscoveryRequest"


class PipelineRequestSerializer(DiscoveryRequestSerializer):
    class Meta:
        ref_name = "V1PipelineRequest"


class AnalyzeRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="A YouTube, TikTok or Instagram video link.")
    density = serializers.IntegerField(min_value=1, max_value=MAX_TILES, default=9,
                                       help_text="Storyboard frame count (1-25).")  # fmt: skip
    full = serializers.BooleanField(default=False, help_text="Whole-video transcript (default: the hook window only).")

    class Meta:
        ref_name = "V1AnalyzeRequest"


class StoryboardQuerySerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="A YouTube, TikTok or Instagram video link.")
    density = serializers.IntegerField(min_value=1, max_value=MAX_TILES, default=9, help_text="Tiles (1-25).")


class SignalsQuerySerializer(serializers.Serializer):
    seed = serializers.CharField(max_length=200, required=False, help_text="Only this seed (case and spaces folded).")
    limit = serializers.IntegerField(min_value=1, max_value=500, default=100, help_text="Most recent signals kept.")


class JobCreatedSerializer(serializers.Serializer):
    job_id = serializers.CharField()
    status = serializers.ChoiceField(choices=EnrichmentJob.Status.choices)

    class Meta:
        ref_name = "V1JobCreated"


class JobSerializer(serializers.Serializer):
    """A job as viralcli polls it, plus its progress."""

    job_id = serializers.CharField(source="pk")
    kind = serializers.CharField()
    status = serializers.CharField()
    result = serializers.SerializerMethodField(
        help_text="viralcli's analyze result (pipeline: the discovery + `enriched`), with `storyboard_url` added."
    )
    error = serializers.SerializerMethodField()
    error_code = serializers.SerializerMethodField()
    progress = serializers.IntegerField()
    stage = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "V1Job"

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_result(self, job) -> dict | None:
        """The stored result, with a link to the enriched video's storyboard at the job's density
        (storyboards are made on demand and cost an enrichment, so only the link is given)."""
        if job.result is None:
            return None
        enriched = job.result.get("enriched") if job.kind == EnrichmentJob.Kind.PIPELINE else job.result
        if not enriched or not enriched.get("url"):
            return job.result
        query = urlencode({"url": enriched["url"], "density": job.density})
        link = self.context["request"].build_absolute_uri(f"/v1/storyboard?{query}")
        enriched = {**enriched, "storyboard_url": link}
        return {**job.result, "enriched": enriched} if job.kind == EnrichmentJob.Kind.PIPELINE else enriched

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_error(self, job) -> str | None:
        return job.error or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_error_code(self, job) -> str | None:
        return job.error_code or None


class LimitsSerializer(serializers.Serializer):
    discovery = serializers.IntegerField(allow_null=True)
    enrich = serializers.IntegerField(allow_null=True)
    tracked = serializers.IntegerField(allow_null=True)
    concurrency = serializers.IntegerField()
    rate_per_min = serializers.IntegerField()
    platforms = serializers.ListField(child=serializers.CharField())
    history_days = serializers.IntegerField(allow_null=True)

    class Meta:
        ref_name = "V1Limits"


class UsageSerializer(serializers.Serializer):
    discovery_used = serializers.IntegerField()
    enrich_used = serializers.IntegerField()

    class Meta:
        ref_name = "V1Usage"


class AccountSerializer(serializers.Serializer):
    account_id = serializers.CharField()
    plan = serializers.CharField()
    limits = LimitsSerializer()
    usage = UsageSerializer()
    period_start = serializers.DateTimeField(allow_null=True, help_text="When the monthly quotas were last reset.")

    class Meta:
        ref_name = "V1Account"


class SnapshotSerializer(serializers.Serializer):
    captured_at = serializers.DateTimeField()
    views = serializers.IntegerField()
    likes = serializers.IntegerField(allow_null=True)
    comments = serializers.IntegerField(allow_null=True)
    views_per_day = serializers.SerializerMethodField()

    class Meta:
        ref_name = "V1Snapshot"

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_views_per_day(self, snapshot) -> int | None:
        return snapshot.views_per_day(snapshot.video.uploaded_at)


class VideoSerializer(serializers.Serializer):
    platform = serializers.CharField()
    video_id = serializers.CharField()
    url = serializers.CharField()
    title = serializers.CharField()
    creator = serializers.CharField()
    caption = serializers.CharField()
    thumbnail = serializers.CharField()
    duration_sec = serializers.FloatField(allow_null=True)
    uploaded_at = serializers.DateTimeField(allow_null=True)
    views = serializers.IntegerField()
    likes = serializers.IntegerField(allow_null=True)
    comments = serializers.IntegerField(allow_null=True)
    transcript = serializers.CharField()
    transcript_kind = serializers.SerializerMethodField()
    enriched_at = serializers.DateTimeField(allow_null=True)
    heatmap = serializers.JSONField()
    snapshots = serializers.SerializerMethodField()

    class Meta:
        ref_name = "V1Video"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_transcript_kind(self, video) -> str | None:
        return video.transcript_kind or None

    @extend_schema_field(SnapshotSerializer(many=True))
    def get_snapshots(self, video) -> list:
        return SnapshotSerializer(self.context["snapshots"], many=True).data


class SignalSerializer(serializers.Serializer):
    signal_id = serializers.CharField(source="pk")
    seed = serializers.CharField()
    platform = serializers.CharField()
    captured_at = serializers.DateTimeField(source="created_at")
    verdict = serializers.CharField()
    n = serializers.IntegerField()
    adoption_histogram = serializers.SerializerMethodField()
    breakouts = serializers.SerializerMethodField()
    verdict_detail = serializers.SerializerMethodField()

    class Meta:
        ref_name = "V1Signal"

    @extend_schema_field(serializers.JSONField())
    def get_adoption_histogram(self, signal) -> list:
        return signal.result.get("adoption_histogram", [])

    @extend_schema_field(serializers.JSONField())
    def get_breakouts(self, signal) -> list:
        return signal.result.get("breakouts", [])

    @extend_schema_field(serializers.JSONField())
    def get_verdict_detail(self, signal) -> dict | None:
        return signal.result.get("verdict_detail")


class SignalsSerializer(serializers.Serializer):
    seed = serializers.CharField(allow_null=True)
    signals = SignalSerializer(many=True)

    class Meta:
        ref_name = "V1Signals"


class TrackedItemCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=TrackedItem.Kind.choices, help_text="video or seed.")
    ref = serializers.CharField(max_length=500, help_text="A video's link or id, or a seed topic.")
    platform = serializers.ChoiceField(choices=Platform.choices, default=Platform.YOUTUBE)
    interval_sec = serializers.IntegerField(min_value=60, max_value=86400, default=900,
                                            help_text="The fastest polling interval, 60-86400 seconds.")  # fmt: skip
    auto_clip = serializers.BooleanField(default=False, help_text="Seeds: submit fresh breakouts for clipping.")
    auto_clip_creator = serializers.CharField(max_length=200, required=False, default="", allow_blank=True,
                                              help_text="Seeds: auto-clip only this creator's breakouts.")  # fmt: skip

    class Meta:
        ref_name = "V1TrackedItemCreate"


class TrackedItemSerializer(serializers.Serializer):
    """A tracked item with viralcli's fields (id, kind, ref, platform, interval_sec) and the watcher's state."""

    id = serializers.CharField()
    kind = serializers.CharField()
    ref = serializers.CharField()
    platform = serializers.CharField()
    interval_sec = serializers.IntegerField()
    status = serializers.CharField()
    video_id = serializers.CharField(source="video.video_id", allow_null=True, default=None)
    seed = serializers.CharField(allow_null=True, default=None)
    next_poll_at = serializers.DateTimeField(allow_null=True)
    last_polled_at = serializers.DateTimeField(allow_null=True)
    polls = serializers.IntegerField()
    failures = serializers.IntegerField()
    last_error = serializers.CharField(allow_blank=True)
    metrics = serializers.JSONField(allow_null=True, help_text="The trajectory metrics at the last poll (videos).")
    verdict = serializers.CharField(source="last_signal.verdict", allow_null=True, default=None)
    auto_clip = serializers.BooleanField()
    auto_clip_creator = serializers.CharField(allow_blank=True)
    auto_clip_note = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "V1TrackedItem"

    def to_representation(self, item):
        data = super().to_representation(item)
        data["seed"] = item.seed or None
        return data


class TrajectoryMetricsSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    true_vpd = serializers.FloatField(allow_null=True)
    accel = serializers.FloatField(allow_null=True)
    peaking = serializers.BooleanField()
    lifetime_vpd = serializers.FloatField(allow_null=True)
    peak_vpd = serializers.FloatField(allow_null=True)

    class Meta:
        ref_name = "V1TrajectoryMetrics"


class TrajectorySerializer(serializers.Serializer):
    platform = serializers.CharField()
    video_id = serializers.CharField()
    snapshots = SnapshotSerializer(many=True)
    metrics = TrajectoryMetricsSerializer()

    class Meta:
        ref_name = "V1Trajectory"
