"""The API's clip objects: ScaleReach's clip fields plus Ssemble's short fields, camelCase."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clips.actions import MAX_PINS
from clips.models import Clip
from clipsite.api import StrictFieldsMixin
from clipsite.signed_media import signed_url
from pipeline.reframe import LAYOUTS
from videos.config import ChoiceField


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


class PinSerializer(StrictFieldsMixin, serializers.Serializer):
    """A stretch of the clip where the crop follows one person. ``clips.actions.clean_pins``
    checks it against the clip (its length, its speakers, overlaps)."""

    start = serializers.FloatField(help_text="Seconds into the clip.")
    end = serializers.FloatField(help_text="Seconds into the clip, after start.")
    x = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=1,
        help_text="The person's centre as a fraction of the source's width; leave out to take the speaker's.",
    )  # fmt: skip
    speaker = serializers.IntegerField(
        required=False, allow_null=True, help_text="The id of one of the clip's speakers (from its last render)."
    )


class ShotSerializer(serializers.Serializer):
    start = serializers.FloatField(help_text="Seconds into the clip.")
    end = serializers.FloatField()
    layout = serializers.CharField(help_text="crop, split, fit or scale (the source already has the clip's shape).")
    speaker = serializers.IntegerField(allow_null=True, help_text="The speaker the shot is on; null for none.")


class SpeakerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    x = serializers.FloatField(help_text="Where the person sits: their centre as a fraction of the source's width.")
    speaking = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        help_text="[start, end] stretches (seconds into the clip) in which they speak.",
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
    requestedLayout = serializers.CharField(
        source="requested_layout", help_text="auto, or the layout forced on every shot: crop, split or fit."
    )
    pins = PinSerializer(many=True, help_text="Saved for every re-render.")
    shots = ShotSerializer(many=True, help_text="The last render's shots and the layout of each.")
    speakers = SpeakerSerializer(many=True, help_text="The people the last render found, and when each speaks.")
    errorMessage = serializers.SerializerMethodField()
    createdAt = serializers.DateTimeField(source="created_at")
    renderedAt = serializers.DateTimeField(source="rendered_at", allow_null=True)

    class Meta:
        model = Clip
        fields = [
            "id", "videoId", "rank", "title", "startTime", "endTime", "duration", "score", "scores",
            "viralityReason", "transcript", "sentenceIndexes", "hooks", "description", "hashtags", "emotions",
            "keywords", "downloadUrl", "thumbnailUrl", "status", "aspectRatio", "width", "height", "layout",
            "requestedLayout", "shots", "speakers", "pins", "captions", "captionTemplate", "autoHook", "hookText",
            "favorited", "recompiling", "error", "errorMessage", "createdAt", "renderedAt",
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
    layout = ChoiceField(
        choices=LAYOUTS, required=False, help_text="auto (chosen per shot), or crop, split or fit on every shot."
    )
    pins = PinSerializer(
        many=True, required=False, max_length=MAX_PINS,
        help_text="Replaces the saved pins; left out, they are kept (moved with a new startTime).",
    )  # fmt: skip
