"""REST endpoints for a video's editable exports, a clip's captions and edited timelines.

``?format=`` names the file format here, so these views answer it themselves rather
than let REST framework take it as a choice of renderer (which would answer 404).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from clips import exports
from clips.api import user_clip
from clips.serializers import ClipSerializer
from clipsite.api import ERRORS, Conflict, error_responses
from videos.api import user_video


class FileFormatNegotiation(DefaultContentNegotiation):
    """Ignores ``?format=``, which is the export's file format here."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class BadTimeline(exceptions.APIException):
    status_code = 400
    default_code = "bad_request"


def _format(request, choices) -> str:
    fmt = request.query_params.get("format", choices[0])
    if fmt not in choices:
        raise serializers.ValidationError({"format": [f"format must be one of {', '.join(choices)}."]})
    return fmt


def _files(formats) -> dict:
    """Schema entries for a 200 answered as a file of any of ``formats`` (an .otio is a JSON object)."""
    return {
        (200, exports.FORMATS[fmt][0]): OpenApiResponse(
            OpenApiTypes.OBJECT if fmt == "otio" else OpenApiTypes.BINARY, description=f"The .{fmt} file"
        )
        for fmt in formats
    }


def _format_parameter(choices) -> OpenApiParameter:
    return OpenApiParameter("format", OpenApiTypes.STR, enum=list(choices), default=choices[0],
                            description="The file format.")  # fmt: skip


VIDEO_FORMATS = tuple(exports.FORMATS)


class VideoExport(APIView):
    content_negotiation_class = FileFormatNegotiation

    @extend_schema(parameters=[_format_parameter(VIDEO_FORMATS)],
                   responses={**_files(VIDEO_FORMATS), **ERRORS, **error_responses(409)},
                   summary="The video's clips as an editable timeline (otio, fcpxml, edl) or captions")  # fmt: skip
    def get(self, request, video_id: str):
        video = user_video(request, video_id)
        fmt = _format(request, VIDEO_FORMATS)
        try:
            return exports.video_export(video, fmt, request).response()
        except LookupError as exc:
            raise Conflict(str(exc)) from None


class ClipCaptions(APIView):
    content_negotiation_class = FileFormatNegotiation

    @extend_schema(parameters=[_format_parameter(exports.CAPTION_FORMATS)],
                   responses={**_files(exports.CAPTION_FORMATS), **ERRORS},
                   summary="A clip's captions as SRT or WebVTT, timed from the clip's start")  # fmt: skip
    def get(self, request, clip_id: str):
        clip = user_clip(request, clip_id)
        return exports.clip_captions(clip, _format(request, exports.CAPTION_FORMATS)).response()


class TimelineUploadSerializer(serializers.Serializer):
    timeline = serializers.FileField(help_text="An edited .otio exported from this video.")


class TimelineResultSerializer(serializers.Serializer):
    videoId = serializers.CharField()
    queued = ClipSerializer(many=True, help_text="The clips whose times changed, now re-rendering.")
    unchanged = serializers.ListField(child=serializers.CharField(), help_text="Ids of the clips left as they were.")


class VideoTimeline(APIView):
    """Upload an edited .otio: the clips whose in/out points moved are re-rendered."""

    parser_classes = [MultiPartParser]
    # The body cap is this view's own (exports.MAX_TIMELINE_BYTES), not the API's 64 KB.
    accepts_uploads = True

    @extend_schema(request={"multipart/form-data": TimelineUploadSerializer},
                   responses={200: TimelineResultSerializer, 202: TimelineResultSerializer, **ERRORS,
                              **error_responses(409)},
                   summary="Re-render the clips whose in or out points an edited .otio moved")  # fmt: skip
    def post(self, request, video_id: str):
        video = user_video(request, video_id)
        data = _uploaded(request)
        try:
            queued, unchanged = exports.apply_timeline(video, data)
        except exports.TimelineRefused as exc:
            if exc.status == 409:
                raise Conflict(exc.message) from None
            raise BadTimeline(exc.message) from None
        body = {"videoId": video.pk, "queued": ClipSerializer(queued, many=True, context={"request": request}).data,
                "unchanged": [clip.pk for clip in unchanged]}  # fmt: skip
        return Response(body, status=status.HTTP_202_ACCEPTED if queued else status.HTTP_200_OK)


def _uploaded(request) -> bytes:
    """The uploaded ``timeline`` file's bytes; a body past the cap is refused unread."""
    if exports.body_too_large(request):
        raise BadTimeline(exports.TOO_LARGE)
    upload = request.data.get("timeline")
    if upload is None or not hasattr(upload, "read"):
        raise BadTimeline("Attach the edited timeline as the file field \u201ctimeline\u201d.")
    if upload.size > exports.MAX_TIMELINE_BYTES:
        raise BadTimeline(exports.TOO_LARGE)
    return upload.read()
