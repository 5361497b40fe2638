"""The process API's request and response bodies, snake_case as its FastAPI server writes them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clips.models import Clip
from clipsite.api import StrictFieldsMixin
from clipsite.signed_media import signed_url
from videos.models import Video

# The process API's four job states, from Clipsite's stages.
JOB_STATUS = {
    Video.Status.QUEUED: "queued",
    **{stage: "processing" for stage in Video.RUNNING},
    Video.Status.COMPLETED: "completed",
    Video.Status.FAILED: "failed",
}


class ProcessJsonSerializer(StrictFieldsMixin, serializers.Serializer):
    url = serializers.URLField(max_length=2000, required=False, allow_blank=True, allow_null=True,
                               help_text="YouTube URL or direct video link to process.")  # fmt: skip

    class Meta:
        ref_name = "Process"


class ProcessFormSerializer(StrictFieldsMixin, serializers.Serializer):
    file = serializers.FileField(required=False, help_text="Video file to upload (max MAX_FILE_SIZE_MB).")
    url = serializers.URLField(max_length=2000, required=False, allow_blank=True,
                               help_text="Alternative to file upload: a YouTube URL.")  # fmt: skip

    class Meta:
        ref_name = "ProcessUpload"


class JobCreatedSerializer(serializers.Serializer):
    job_id = serializers.UUIDField(help_text="Unique identifier for tracking this processing job.")
    status = serializers.ChoiceField(choices=["queued"], help_text='Always "queued" for new jobs.')

    class Meta:
        ref_name = "ProcessJobCreated"


class JobClipSerializer(serializers.ModelSerializer):
    """A rendered clip; its links are signed and expire after ``SIGNED_URL_TTL_SECONDS``."""

    id = serializers.UUIDField(source="public_uuid")
    start = serializers.FloatField(source="source_start", help_text="Seconds into the source video.")
    end = serializers.FloatField(source="source_end")
    duration = serializers.FloatField()
    score = serializers.IntegerField(help_text="Viral score, 0-100.")
    video_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Clip
        fields = ["id", "title", "start", "end", "duration", "score", "description", "video_url", "thumbnail_url"]
        ref_name = "ProcessClip"

    def get_video_url(self, clip: Clip) -> str:
        return signed_url(clip.file.name, download_name=clip.download_name, request=self.context["request"])

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_thumbnail_url(self, clip: Clip) -> str | None:
        if not clip.thumbnail:
            return None
        return signed_url(clip.thumbnail.name, request=self.context["request"])


class JobStatusSerializer(serializers.Serializer):
    job_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=sorted(set(JOB_STATUS.values())))
    progress = serializers.IntegerField(min_value=0, max_value=100)
    stage = serializers.ChoiceField(choices=Video.Status.choices, help_text="Clipsite's stage: what the job does now.")
    error = serializers.CharField(allow_null=True, help_text="Why the job failed, in plain words; null otherwise.")
    clips = JobClipSerializer(many=True, help_text="The rendered clips, best first, once the job is completed.")

    class Meta:
        ref_name = "ProcessJobStatus"


def status_payload(video: Video, request) -> dict:
    """``GET /api/status/{job_id}``'s body for ``video``."""
    completed, failed = video.status == Video.Status.COMPLETED, video.status == Video.Status.FAILED
    clips = video.clips.exclude(file="").order_by("rank") if completed else []
    return {
        "job_id": str(video.public_uuid),
        "status": JOB_STATUS[video.status],
        "progress": video.progress,
        "stage": video.status,
        "error": video.error_message if failed else None,
        "clips": JobClipSerializer(clips, many=True, context={"request": request}).data,
    }
