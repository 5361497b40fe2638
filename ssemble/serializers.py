"""Ssemble's shapes (camelCase, with its snake_case ``viral_score`` and ``video_url``), for /api/v1/.

The request body of ``POST /shorts/create`` becomes a Clipsite config here
(:func:`config_from`); the read shapes are built from a :class:`videos.models.Video` and
its clips. Every component's ``ref_name`` starts with "Ssemble".
"""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clips.models import Clip
from clipsite.api import StrictFieldsMixin
from clipsite.signed_media import signed_url
from pipeline.moments.options import PREFERRED_LENGTHS
from videos.config import ChoiceField, VideoConfigSerializer, validate_config
from videos.models import Video
from videos.serializers import SentenceSerializer as NativeSentenceSerializer
from videos.serializers import VideoDetailSerializer

# Ssemble's default clip length, applied when a request gives no length at all.
DEFAULT_LENGTH = "under60sec"
# Ssemble's layouts as Clipsite's aspect ratio and layout: "auto" frames each shot itself
# (a crop on whoever speaks, both people stacked, or the whole frame over a blur), "fill"
# always crops to fill the vertical frame, "fit" always shows the whole frame.
LAYOUTS = {"auto": ("9:16", "auto"), "fill": ("9:16", "crop"), "fit": ("9:16", "fit"), "square": ("1:1", "auto")}
# Ssemble's add-ons Clipsite does not make; each may be sent as false (or left out).
NOT_OFFERED = {
    "noClipping": "Clipsite always finds moments; noClipping is not offered.",
    "memeHook": "Meme hooks are not offered.",
    "gameVideo": "Gameplay overlays are not offered.",
    "ctaEnabled": "Call-to-action overlays are not offered.",
    "music": "Background music is not offered.",
}
# Clipsite's own options a create request may add to Ssemble's fields, as the native API
# spells them in ``config``.
EXTENSIONS = ("numberOfClips", "clipDurationMin", "clipDurationMax", "genre", "clipModel", "topicKeywords")
# Clipsite's option names as Ssemble's request spells them, to name the field in errors.
_SSEMBLE_NAMES = {"captionTemplate": "template", "enableAutoHook": "hookTitle", "aspectRatio": "layout"}
STATUS_FIELD = serializers.CharField(help_text="queued, processing, completed, failed or cancelled.")
# Clipsite's running stages are all Ssemble's "processing".
_STATUSES = {Video.Status.QUEUED: "queued", Video.Status.COMPLETED: "completed", Video.Status.FAILED: "failed"}


class CreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """``POST /shorts/create``: Ssemble's request fields, plus :data:`EXTENSIONS`."""

    url = serializers.URLField(
        max_length=2000, required=False, allow_blank=True,
        help_text="A video page (YouTube and other video sites) or a direct link to a media file.",
    )  # fmt: skip
    fileUrl = serializers.URLField(
        max_length=2000, required=False, allow_blank=True,
        help_text="A direct link to a media file. Give url or fileUrl, not both.",
    )  # fmt: skip
    start = serializers.FloatField(min_value=0, required=False, allow_null=True, help_text="Seconds; default 0.")
    end = serializers.FloatField(
        min_value=0, required=False, allow_null=True, help_text="Seconds, after start; default the source's end."
    )
    preferredLength = ChoiceField(
        choices=tuple(PREFERRED_LENGTHS), required=False, allow_null=True,
        help_text=f"The clips' length; {DEFAULT_LENGTH} unless clipDurationMin/Max are given.",
    )  # fmt: skip
    language = serializers.CharField(
        max_length=16, required=False, allow_blank=True, allow_null=True,
        help_text='The spoken language, e.g. "en"; detected when left out.',
    )  # fmt: skip
    captionLanguage = serializers.CharField(
        max_length=16, required=False, allow_blank=True, allow_null=True,
        help_text='"" or the spoken language: captions are not translated.',
    )  # fmt: skip
    template = serializers.CharField(
        max_length=40, required=False, allow_null=True,
        help_text='A caption template by name: Ssemble\'s "hormozi1" or "hormozi2", or one of Clipsite\'s.',
    )  # fmt: skip
    templateId = serializers.CharField(
        max_length=40, required=False, allow_null=True, help_text="Not offered: give the template's name in template."
    )
    layout = ChoiceField(
        choices=tuple(LAYOUTS), required=False, default="auto",
        help_text="auto (9:16, framed per shot), fill (9:16, always cropped), fit (9:16, the whole frame over a "
                  "blur) or square (1:1, framed per shot).",
    )  # fmt: skip
    hookTitle = serializers.BooleanField(
        required=False, default=False, help_text="A hook title over each clip's start."
    )
    noClipping = serializers.BooleanField(required=False, default=False)
    memeHook = serializers.BooleanField(required=False, default=False)
    memeHookName = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=200)
    gameVideo = serializers.BooleanField(required=False, default=False)
    gameVideoName = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=200)
    ctaEnabled = serializers.BooleanField(required=False, default=False)
    ctaText = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=200)
    music = serializers.BooleanField(required=False, default=False)
    musicName = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=200)
    musicVolume = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=100)
    webhookUrl = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=2000,
        help_text="Not offered per request: subscribe to video.completed at /api/webhooks instead.",
    )  # fmt: skip
    projectId = serializers.CharField(
        required=False, allow_null=True, max_length=40, help_text="Only null: Clipsite has no projects."
    )

    class Meta:
        ref_name = "SsembleCreate"

    def get_fields(self):
        fields = super().get_fields()
        # The same fields (types, bounds, choices) as the native API's config.
        for name in EXTENSIONS:
            fields[name] = copy.deepcopy(VideoConfigSerializer._declared_fields[name])
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("url")) == bool(attrs.get("fileUrl")):
            message = "Give url or fileUrl, not both." if attrs.get("url") else "Give url: a link to a video."
            raise serializers.ValidationError({"fileUrl" if attrs.get("url") else "url": [message]})
        for field, message in NOT_OFFERED.items():
            if attrs.get(field):
                raise serializers.ValidationError({field: [message]})
        if attrs.get("templateId"):
            raise serializers.ValidationError({"templateId": [
                "Template ids name templates in Ssemble's library. Give the template's name in template instead."
            ]})  # fmt: skip
        if attrs.get("webhookUrl"):
            raise serializers.ValidationError({"webhookUrl": [
                "Webhooks are not set per request. Subscribe to video.completed at /api/webhooks instead."
            ]})  # fmt: skip
        if attrs.get("projectId") is not None:
            raise serializers.ValidationError({"projectId": ["Clipsite has no projects: give null or leave it out."]})
        caption_language = (attrs.get("captionLanguage") or "").strip().lower()
        if caption_language and caption_language != (attrs.get("language") or "").strip().lower():
            raise serializers.ValidationError({"captionLanguage": [
                "Captions are not translated: give \"\" or the same language as language."
            ]})  # fmt: skip
        return attrs


def config_from(data: dict[str, Any]) -> dict[str, Any]:
    """The validated Clipsite config for a validated create request.

    Raises ``ValidationError`` naming the field as the request spells it.
    """
    config = {name: data[name] for name in EXTENSIONS if name in data}
    aspect_ratio, layout = LAYOUTS[data["layout"]]
    config.update(aspectRatio=aspect_ratio, layout=layout, enableAutoHook=data["hookTitle"])
    for name in ("start", "end", "language", "preferredLength"):
        if data.get(name) is not None:
            config[name] = data[name]
    if data.get("template") is not None:
        config["captionTemplate"] = data["template"]
    if not config.get("preferredLength") and "clipDurationMin" not in config and "clipDurationMax" not in config:
        config["preferredLength"] = DEFAULT_LENGTH
    try:
        return validate_config(config)
    except serializers.ValidationError as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {"request": exc.detail}
        raise serializers.ValidationError({_SSEMBLE_NAMES.get(k, k): v for k, v in detail.items()}) from None


def status_of(video: Video) -> str:
    """Ssemble's status: queued, processing, completed, failed, or cancelled (a failed video
    that was cancelled)."""
    if video.status == Video.Status.FAILED and video.error_code == "cancelled":
        return "cancelled"
    return _STATUSES.get(video.status, "processing")


class CreatedSerializer(serializers.Serializer):
    requestId = serializers.CharField(source="public_hex", help_text="The request's id: 24 hex characters.")
    _id = serializers.CharField(source="public_hex", help_text="The same id, as GET /shorts/{id} names it.")
    status = serializers.SerializerMethodField()

    class Meta:
        ref_name = "SsembleCreated"

    def get_status(self, video) -> str:
        return status_of(video)


class StatusSerializer(serializers.Serializer):
    """``GET /shorts/{id}/status``; ``failureReason`` only when the status is failed (not cancelled)."""

    _id = serializers.CharField(source="public_hex")
    status = serializers.SerializerMethodField()
    step = serializers.CharField(source="status", help_text="Clipsite's stage: queued, downloading, ... completed.")
    stepMessage = serializers.CharField(source="get_status_display", help_text="The stage in words.")
    progress = serializers.IntegerField()
    userEmail = serializers.SerializerMethodField()
    failureReason = serializers.CharField(source="error_message", required=False, help_text="Only when failed.")
    isDemo = serializers.SerializerMethodField()

    class Meta:
        ref_name = "SsembleStatus"

    @extend_schema_field(STATUS_FIELD)
    def get_status(self, video) -> str:
        return status_of(video)

    def get_userEmail(self, video) -> str:
        return video.submitted_by.email if video.submitted_by else ""

    def get_isDemo(self, video) -> bool:
        return False

    def to_representation(self, video):
        data = super().to_representation(video)
        if data["status"] != "failed":
            del data["failureReason"]
        return data


class SentenceSerializer(NativeSentenceSerializer):
    class Meta:
        ref_name = "SsembleSentence"


class HeatPointSerializer(serializers.Serializer):
    start = serializers.FloatField(help_text="Seconds into the source.")
    end = serializers.FloatField()
    value = serializers.FloatField(help_text="How often this span is replayed, 0 to 1.")

    class Meta:
        ref_name = "SsembleHeatPoint"


class ShortSerializer(serializers.ModelSerializer):
    """A clip as Ssemble's short; ``errorMessage`` only when ``error`` is true."""

    id = serializers.UUIDField(source="public_uuid")
    sentenceIndexes = serializers.SerializerMethodField()
    reason = serializers.CharField(source="virality_reason")
    viral_score = serializers.IntegerField(source="score", help_text="0 (low potential) to 100 (high).")
    video_url = serializers.SerializerMethodField()
    startTimestamp = serializers.FloatField(source="source_start")
    endTimestamp = serializers.FloatField(source="source_end")
    duration = serializers.FloatField()
    errorMessage = serializers.CharField(source="error_message", required=False)

    class Meta:
        model = Clip
        fields = ["id", "title", "sentenceIndexes", "reason", "description", "viral_score", "video_url",
                  "startTimestamp", "endTimestamp", "duration", "width", "height", "recompiling", "error",
                  "errorMessage"]  # fmt: skip
        ref_name = "SsembleShort"

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_sentenceIndexes(self, clip) -> list[int]:
        """The transcript sentences the clip's range overlaps (it may have been re-cut since it was found)."""
        sentences = (clip.video.transcript or {}).get("sentences", [])
        return [s["index"] for s in sentences if s["end"] > clip.start and s["start"] < clip.end]

    @extend_schema_field(serializers.URLField(allow_null=True, help_text="Expires after an hour; null until rendered."))
    def get_video_url(self, clip) -> str | None:
        if not clip.file:
            return None
        return signed_url(clip.file.name, download_name=clip.download_name, request=self.context.get("request"))

    def to_representation(self, clip):
        data = super().to_representation(clip)
        if not clip.error:
            del data["errorMessage"]
        return data


class RequestSerializer(serializers.Serializer):
    """``GET /shorts/{id}``: the request's fields, its sentences and its shorts."""

    _id = serializers.CharField(source="public_hex")
    status = serializers.SerializerMethodField()
    progress = serializers.IntegerField()
    userEmail = serializers.SerializerMethodField()
    url = serializers.CharField(source="source_url", help_text='The link submitted; "" for an upload.')
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    title = serializers.CharField()
    language = serializers.SerializerMethodField()
    template = serializers.SerializerMethodField()
    captionLanguage = serializers.SerializerMethodField()
    heatmap = HeatPointSerializer(many=True)
    sentences = serializers.SerializerMethodField()
    preferredLength = serializers.SerializerMethodField()
    projectId = serializers.SerializerMethodField()
    shorts = serializers.SerializerMethodField()

    class Meta:
        ref_name = "SsembleRequest"

    @extend_schema_field(STATUS_FIELD)
    def get_status(self, video) -> str:
        return status_of(video)

    def get_userEmail(self, video) -> str:
        return video.submitted_by.email if video.submitted_by else ""

    @extend_schema_field(serializers.FloatField())
    def get_start(self, video) -> float:
        if video.duration is not None:
            return video.source_offset
        return video.config.get("start") or 0.0

    @extend_schema_field(serializers.FloatField(allow_null=True, help_text="null until the source's length is known."))
    def get_end(self, video) -> float | None:
        if video.duration is not None:
            return round(video.source_offset + video.duration, 3)
        return video.config.get("end")

    def get_language(self, video) -> str:
        return video.language or (video.transcript or {}).get("language") or video.config.get("language") or ""

    def get_template(self, video) -> str:
        return video.config.get("captionTemplate", "")

    def get_captionLanguage(self, video) -> str:
        return ""

    @extend_schema_field(SentenceSerializer(many=True))
    def get_sentences(self, video) -> list[dict]:
        return VideoDetailSerializer().get_sentences(video)

    def get_preferredLength(self, video) -> str:
        return video.config.get("preferredLength") or ""

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_projectId(self, video) -> None:
        return None

    @extend_schema_field(ShortSerializer(many=True))
    def get_shorts(self, video) -> list[dict]:
        clips = video.clips.order_by("rank")
        return ShortSerializer(clips, many=True, context=self.context).data


class CreatedEnvelopeSerializer(serializers.Serializer):
    data = CreatedSerializer()

    class Meta:
        ref_name = "SsembleCreatedEnvelope"


class StatusEnvelopeSerializer(serializers.Serializer):
    data = StatusSerializer()

    class Meta:
        ref_name = "SsembleStatusEnvelope"


class RequestEnvelopeSerializer(serializers.Serializer):
    data = RequestSerializer()

    class Meta:
        ref_name = "SsembleRequestEnvelope"
