"""The API's video objects, shaped like ScaleReach's (camelCase) with Ssemble's extra fields."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clipsite.api import PageFieldsSerializer, StrictFieldsMixin
from videos import estimate
from videos.config import VideoConfigSerializer
from videos.models import Video


class SentenceSerializer(serializers.Serializer):
    """Ssemble's sentence object, on the source video's timeline."""

    index = serializers.IntegerField()
    sentence = serializers.CharField()
    start = serializers.FloatField()
    end = serializers.FloatField()


class VideoSerializer(serializers.ModelSerializer):
    workspaceId = serializers.CharField(source="workspace_id")
    sourceType = serializers.CharField(source="source_kind")
    sourceUrl = serializers.CharField(source="source_url")
    fileName = serializers.CharField(source="source_name")
    stage = serializers.CharField(source="get_status_display")
    duration = serializers.FloatField(allow_null=True)
    start = serializers.FloatField(source="source_offset")
    thumbnailUrl = serializers.CharField(source="thumbnail_url")
    errorMessage = serializers.SerializerMethodField()
    errorCode = serializers.CharField(source="error_code")
    config = VideoConfigSerializer()
    language = serializers.CharField()
    analyser = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())
    minutesCharged = serializers.IntegerField(source="minutes_charged")
    minutesRefunded = serializers.IntegerField(source="minutes_refunded")
    clipCount = serializers.SerializerMethodField()
    timings = serializers.DictField(child=serializers.FloatField())
    createdAt = serializers.DateTimeField(source="created_at")
    startedAt = serializers.DateTimeField(source="started_at", allow_null=True)
    completedAt = serializers.DateTimeField(source="finished_at", allow_null=True)

    class Meta:
        model = Video
        fields = [
            "id", "workspaceId", "status", "stage", "progress", "title", "sourceType", "sourceUrl", "fileName",
            "duration", "start", "thumbnailUrl", "errorMessage", "errorCode", "config", "language", "analyser",
            "warnings", "minutesCharged", "minutesRefunded", "clipCount", "timings", "createdAt", "startedAt",
            "completedAt",
        ]  # fmt: skip

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_errorMessage(self, video) -> str | None:
        return video.error_message or None

    def get_clipCount(self, video) -> int:
        annotated = getattr(video, "clip_count", None)
        return annotated if annotated is not None else video.clips.count()


class VideoDetailSerializer(VideoSerializer):
    """A video with its transcript's sentences (Ssemble's ``sentences`` array)."""

    sentences = serializers.SerializerMethodField()

    class Meta(VideoSerializer.Meta):
        fields = [*VideoSerializer.Meta.fields, "sentences"]

    @extend_schema_field(SentenceSerializer(many=True))
    def get_sentences(self, video) -> list[dict]:
        offset = video.source_offset
        return [
            {"index": s["index"], "sentence": s["sentence"], "start": round(s["start"] + offset, 3),
             "end": round(s["end"] + offset, 3)}
            for s in (video.transcript or {}).get("sentences", [])
        ]  # fmt: skip


class VideoEnvelopeSerializer(serializers.Serializer):
    video = VideoSerializer()


class VideoDetailEnvelopeSerializer(serializers.Serializer):
    video = VideoDetailSerializer()


class JobSerializer(serializers.Serializer):
    progress = serializers.IntegerField()
    stage = serializers.CharField()
    secondsLeft = serializers.IntegerField(
        allow_null=True, help_text="Seconds until the video is done, estimated from this server's measured speeds "
                                   "(videos.estimate); null when finished or not yet known.",
    )  # fmt: skip
    timeLeft = serializers.CharField(help_text='The same in words ("About 4 min left"); empty when null.')


class StatusVideoSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=Video.Status.choices)
    progress = serializers.IntegerField()
    title = serializers.CharField()
    errorMessage = serializers.CharField(allow_null=True)
    clipCount = serializers.IntegerField()


class StatusSerializer(serializers.Serializer):
    video = StatusVideoSerializer()
    job = JobSerializer()


def status_payload(video: Video) -> dict:
    left = estimate.seconds_left(video)
    return {
        "video": {"id": video.pk, "status": video.status, "progress": video.progress, "title": video.title,
                  "errorMessage": video.error_message or None, "clipCount": video.clips.count()},
        "job": {"progress": video.progress, "stage": video.get_status_display(),
                "secondsLeft": None if left is None else round(left), "timeLeft": estimate.describe(left)},
    }  # fmt: skip


class VideoPageSerializer(PageFieldsSerializer):
    videos = VideoSerializer(many=True)


class SubmitBaseSerializer(StrictFieldsMixin, serializers.Serializer):
    workspaceId = serializers.CharField(required=False)
    config = serializers.JSONField(required=False)


class SubmitYoutubeSerializer(SubmitBaseSerializer):
    youtubeUrl = serializers.URLField(max_length=2000)


class SubmitUrlSerializer(SubmitBaseSerializer):
    url = serializers.URLField(max_length=2000)


class SubmitUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    file = serializers.FileField()
    workspaceId = serializers.CharField(required=False)
    config = serializers.CharField(required=False, help_text="The options as a JSON object in a string.")
