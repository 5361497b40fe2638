"""The API's clip objects: ScaleReach's clip fields plus Ssemble's short fields, camelCase."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clips.models import Clip
from clipsite.api import StrictFieldsMixin
from clipsite.signed_media import signed_url


class ScoresSerializer(serializers.Serializer):
    hook = serializers.IntegerField()
    pacing = serializers.IntegerField()
    completeness = serializers.IntegerField()
    shareability = serializers.IntegerField()


class HooksSerializer(serializers.Serializer):
    question = serializers.CharField(allow_blank=True)
    statement = serializers.CharField(allow_blank=True)


class EmotionsSerializer(serializers.Serializer):
    labels = serializers.ListField(
        child=serializers.CharField(), help_text="Dominant emotions, strongest first."
    )


class ClipSerializer(serializers.ModelSerializer):
    """Signed ``downloadUrl``/``thumbnailUrl`` expire after an hour; ask again for fresh ones."""

    videoId = serializers.CharField(source="video_id")
    startTime = serializers.FloatField(source="source_start")
    endTime = serializers.FloatField(source="source_end")
    duration = serializers.FloatField()
    scores = ScoresSerializer()
    viralityReason = serializers.CharField(source="virality_reason")
    sentenceIndexes = serializers.ListField(source="sentence_indexes", child=serializers.IntegerField())
    hooks = HooksSerializer()
    hashtags = serializers.ListField(child=serializers.CharField())
    emotions = serializers.SerializerMethodField()
    keywords = serializers.ListField(child=serializers.CharField())
    downloadUrl = serializers.SerializerMethodField()
    thumbnailUrl = serializers.SerializerMethodField()
    aspectRatio = serializers.CharField(source="aspect_ratio")
    captionTemplate = serializers.CharField(source="caption_template")
    autoHook = serializers.BooleanField(source="auto_hook")
    hookText = serializers.CharField(source="hook_text")
    errorMessage = serializers.SerializerMethodField()
    createdAt = serializers.DateTimeField(source="created_at")
    renderedAt = serializers.DateTimeField(source="rendered_at", allow_null=True)

    class Meta:
        model = Clip
        fields = [
            "id", "videoId", "rank", "title", "startTime", "endTime", "duration", "score", "scores",
            "viralityReason", "transcript", "sentenceIndexes", "hooks", "description", "hashtags", "emotions",
            "keywords", "downloadUrl", "thumbnailUrl", "status", "aspectRatio", "width", "height", "layout",
            "captions", "captionTemplate", "autoHook", "hookText", "favorited", "recompiling", "error",
            "errorMessage", "createdAt", "renderedAt",
        ]  # fmt: skip

    @extend_schema_field(EmotionsSerializer)
    def get_emotions(self, clip) -> dict:
        return {"labels": list(clip.emotions)}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_downloadUrl(self, clip) -> str | None:
        if not clip.file:
            return None
        return signed_url(clip.file.name, download_name=clip.download_name, request=self.context.get("request"))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_thumbnailUrl(self, clip) -> str | None:
        if not clip.thumbnail:
            return None
        return signed_url(clip.thumbnail.name, request=self.context.get("request"))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_errorMessage(self, clip) -> str | None:
        return clip.error_message or None


class ClipEnvelopeSerializer(serializers.Serializer):
    clip = ClipSerializer()


class ClipFiltersSerializer(serializers.Serializer):
    minScore = serializers.IntegerField(required=False, min_value=0, max_value=100)
    maxScore = serializers.IntegerField(required=False, min_value=0, max_value=100)
    status = serializers.ChoiceField(choices=Clip.Status.choices, required=False)
    favorited = serializers.BooleanField(required=False, allow_null=True, default=None)
    sortBy = serializers.ChoiceField(choices=["score", "duration"], default="score")
    sortOrder = serializers.ChoiceField(choices=["asc", "desc"], default="desc")


class ClipListSerializer(serializers.Serializer):
    videoId = serializers.CharField()
    clips = ClipSerializer(many=True)
    count = serializers.IntegerField()
    filters = serializers.DictField()


class ClipUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    favorited = serializers.BooleanField(required=False)
    title = serializers.CharField(required=False, max_length=300, allow_blank=False)


class ClipRenderSerializer(StrictFieldsMixin, serializers.Serializer):
    startTime = serializers.FloatField(required=False, min_value=0)
    endTime = serializers.FloatField(required=False, min_value=0)
    captionTemplate = serializers.CharField(required=False, max_length=40)
    enableCaptions = serializers.BooleanField(required=False)
    aspectRatio = serializers.CharField(required=False, max_length=6)
    hookText = serializers.CharField(required=False, allow_blank=True, max_length=200)
    enableAutoHook = serializers.BooleanField(required=False)
