"""The API's clip objects: ScaleReach's clip fields plus Ssemble's short fields, camelCase."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clips import actions
from clips.actions import MAX_PINS
from clips.models import Clip
from clips.words import clean_hashtags
from clipsite.api import StrictFieldsMixin
from clipsite.signed_media import signed_url
from pipeline.reframe import LAYOUTS
from pipeline.words import WordEditError
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


class ReportCheckSerializer(serializers.Serializer):
    # Plain strings, not enums: generic enum names (name, status, platform) would collide in the schema.
    name = serializers.CharField(help_text="faces, captions, cuts, loudness or resolution.")
    title = serializers.CharField(help_text="The check in a few words, as the dashboard shows it.")
    status = serializers.CharField(help_text="pass, fail or skip (it does not apply, or could not be measured).")
    summary = serializers.CharField(help_text="What was found, in plain words.")
    fix = serializers.CharField(allow_blank=True, help_text="What to do about a failure; empty otherwise.")


class FaceMeasureSerializer(serializers.Serializer):
    sampled = serializers.IntegerField(help_text="Output frames sampled.")
    withFace = serializers.IntegerField(source="with_face", help_text="Sampled frames showing a whole face.")
    share = serializers.FloatField(allow_null=True)
    missingAt = serializers.ListField(
        source="missing_at", child=serializers.FloatField(), help_text="Seconds into the clip of frames without one."
    )


class ZoneOverlapSerializer(serializers.Serializer):
    platform = serializers.CharField(help_text="tiktok, reels or shorts.")
    zone = serializers.CharField(help_text="top, buttons (on the right) or bottom.")
    label = serializers.CharField(help_text="The interface area in words.")
    text = serializers.CharField(help_text="captions, or title (the hook title card).")
    firstAt = serializers.FloatField(source="first_at", help_text="Seconds into the clip of the first overlap.")
    count = serializers.IntegerField(help_text="How many caption events overlap.")


class CaptionMeasureSerializer(serializers.Serializer):
    events = serializers.IntegerField(help_text="Burned-in text events (captions and the title card).")
    overlaps = ZoneOverlapSerializer(many=True)


class CutMeasureSerializer(serializers.Serializer):
    words = serializers.IntegerField(help_text="Words spoken in the clip.")
    lead = serializers.FloatField(allow_null=True, help_text="Seconds from the start to the first word.")
    tail = serializers.FloatField(allow_null=True, help_text="Seconds from the last word to the end.")
    cutAtStart = serializers.CharField(source="cut_at_start", allow_blank=True, help_text="The word the start cuts.")
    cutAtEnd = serializers.CharField(source="cut_at_end", allow_blank=True, help_text="The word the end cuts.")


class LoudnessMeasureSerializer(serializers.Serializer):
    integratedLufs = serializers.FloatField(source="integrated_lufs", allow_null=True)
    truePeakDbtp = serializers.FloatField(source="true_peak_dbtp", allow_null=True, help_text="null for silence.")
    targetLufs = serializers.FloatField(source="target_lufs")


class ResolutionMeasureSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    sourceWidth = serializers.IntegerField(source="source_width")
    sourceHeight = serializers.IntegerField(source="source_height")
    shownWidth = serializers.IntegerField(source="shown_width", help_text="The most enlarged part of the source.")
    shownHeight = serializers.IntegerField(source="shown_height")
    upscale = serializers.FloatField(help_text="How many times that part is enlarged (below 1: reduced).")
    upscaled = serializers.BooleanField()


class MeasuresSerializer(serializers.Serializer):
    faces = FaceMeasureSerializer()
    captions = CaptionMeasureSerializer()
    cuts = CutMeasureSerializer()
    loudness = LoudnessMeasureSerializer()
    resolution = ResolutionMeasureSerializer()


class ClipReportSerializer(serializers.Serializer):
    """The clip report of the last render (``pipeline.report``; docs/report.md)."""

    verdict = serializers.CharField(help_text="ready, or fix (see fixes).")
    fixes = serializers.ListField(child=serializers.CharField(), help_text="What to fix, in plain words.")
    checks = ReportCheckSerializer(many=True)
    measures = MeasuresSerializer()


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
    brandKit = serializers.CharField(
        source="brand_kit", help_text='The brand kit chosen for this clip, or "none"; empty: the video\'s kit.'
    )
    requestedLayout = serializers.CharField(
        source="requested_layout", help_text="auto, or the layout forced on every shot: crop, split or fit."
    )
    pins = PinSerializer(many=True, help_text="Saved for every re-render.")
    shots = ShotSerializer(many=True, help_text="The last render's shots and the layout of each.")
    speakers = SpeakerSerializer(many=True, help_text="The people the last render found, and when each speaks.")
    errorMessage = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField()
    editedFields = serializers.ListField(
        source="user_edited", child=serializers.CharField(),
        help_text="The words the user wrote (title, hooks, description, hashtags, hook_text), kept when the clip is "
                  "re-rendered with new times; the others are written again for the new span.",
    )  # fmt: skip
    createdAt = serializers.DateTimeField(source="created_at")
    renderedAt = serializers.DateTimeField(source="rendered_at", allow_null=True)

    class Meta:
        model = Clip
        fields = [
            "id", "videoId", "rank", "title", "startTime", "endTime", "duration", "score", "scores",
            "viralityReason", "transcript", "sentenceIndexes", "hooks", "description", "hashtags", "emotions",
            "keywords", "downloadUrl", "thumbnailUrl", "status", "aspectRatio", "width", "height", "layout",
            "requestedLayout", "shots", "speakers", "pins", "captions", "captionTemplate", "autoHook", "hookText",
            "brandKit", "editedFields", "favorited", "recompiling", "error", "errorMessage", "createdAt", "renderedAt",
            "report",
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

    @extend_schema_field(ClipReportSerializer(allow_null=True))
    def get_report(self, clip) -> dict | None:
        """The last render's report; null before a render has made one."""
        return ClipReportSerializer(clip.report).data if clip.report else None


class ClipEnvelopeSerializer(serializers.Serializer):
    clip = ClipSerializer()


class ClipFiltersSerializer(serializers.Serializer):
    minScore = serializers.IntegerField(required=False, min_value=0, max_value=100)
    maxScore = serializers.IntegerField(required=False, min_value=0, max_value=100)
    status = serializers.ChoiceField(choices=Clip.Status.choices, required=False)
    favorited = serializers.BooleanField(required=False, allow_null=True, default=None)
    sortBy = serializers.ChoiceField(choices=["score", "duration"], default="score")
    sortOrder = serializers.ChoiceField(choices=["asc", "desc"], default="desc")

    def clips_of(self, video):
        """``video``'s clips filtered and sorted as the validated filters say (call ``is_valid`` first)."""
        filters = self.validated_data
        return video.clips.select_related("video").filtered(
            min_score=filters.get("minScore"), max_score=filters.get("maxScore"), status=filters.get("status"),
            favorited=filters.get("favorited"), sort_by=filters["sortBy"], sort_order=filters["sortOrder"],
        )  # fmt: skip


class ClipListSerializer(serializers.Serializer):
    videoId = serializers.CharField()
    clips = ClipSerializer(many=True)
    count = serializers.IntegerField()
    filters = serializers.DictField()


class HooksUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    question = serializers.CharField(required=False, allow_blank=True, max_length=300)
    statement = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ClipUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    """Title, hooks, description and hashtags set here are the user's: a re-render with new
    times keeps them and writes only the others again for the new span."""

    favorited = serializers.BooleanField(required=False)
    title = serializers.CharField(required=False, max_length=300, allow_blank=False)
    hooks = HooksUpdateSerializer(required=False, help_text="Either or both; one left out is kept.")
    description = serializers.CharField(required=False, allow_blank=True, max_length=2200)
    hashtags = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=10,
        help_text="Words of letters, digits and underscores; the leading # is optional.",
    )  # fmt: skip

    def validate_hashtags(self, value: list[str]) -> list[str]:
        try:
            return clean_hashtags(value)
        except WordEditError as exc:
            raise serializers.ValidationError(str(exc)) from None


class ClipRenderSerializer(StrictFieldsMixin, serializers.Serializer):
    """A new ``startTime`` or ``endTime`` has the render write the clip's words again for the
    new span (title, hooks, description, hashtags, score), except those in ``editedFields``."""

    startTime = serializers.FloatField(required=False, min_value=0)
    endTime = serializers.FloatField(required=False, min_value=0)
    captionTemplate = serializers.CharField(required=False, max_length=40)
    enableCaptions = serializers.BooleanField(required=False)
    aspectRatio = serializers.CharField(required=False, max_length=6)
    hookText = serializers.CharField(required=False, allow_blank=True, max_length=200)
    enableAutoHook = serializers.BooleanField(required=False)
    brandKit = serializers.CharField(
        required=False, allow_blank=True, max_length=32,
        help_text='A brand kit of the video\'s workspace (GET /api/brand-kits), "none" for no kit, or "" for the '
                  "video's kit.",
    )  # fmt: skip
    layout = ChoiceField(
        choices=LAYOUTS, required=False, help_text="auto (chosen per shot), or crop, split or fit on every shot."
    )
    pins = PinSerializer(
        many=True, required=False, max_length=MAX_PINS,
        help_text="Replaces the saved pins; left out, they are kept (moved with a new startTime).",
    )  # fmt: skip

    def rerender(self, clip: Clip) -> Clip:
        """Re-render ``clip`` with the validated settings (times on the source's timeline, as
        the API gives them); raises :class:`clips.actions.ClipEditError` as the action does."""
        data, offset = self.validated_data, clip.video.source_offset
        return actions.rerender(
            clip,
            start=data["startTime"] - offset if "startTime" in data else None,
            end=data["endTime"] - offset if "endTime" in data else None,
            caption_template=data.get("captionTemplate"), captions=data.get("enableCaptions"),
            aspect_ratio=data.get("aspectRatio"), hook_text=data.get("hookText"),
            auto_hook=data.get("enableAutoHook"), layout=data.get("layout"), pins=data.get("pins"),
            brand_kit=data.get("brandKit"),
        )  # fmt: skip
