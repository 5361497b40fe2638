"""REST endpoints for a selection of a video's clips (a streamed ZIP, a re-render, a delete),
and the bodies of those and of making a clip from a span of the transcript.

A selection is all or nothing: an id that is not one of the video's clips (unknown, or
another video's) answers 400 naming it, and nothing is done to the others.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from clips import actions, archive, selection
from clips.models import Clip
from clips.serializers import ClipSerializer
from clipsite.api import ERRORS, Conflict, StrictFieldsMixin, error_responses
from clipsite.idempotency import idempotent
from pipeline.captions import TEMPLATES
from pipeline.reframe import ASPECT_RATIOS
from videos.api import user_video
from videos.config import ChoiceField
from videos.models import Video

CLIP_IDS_HELP = f"The clips to act on: ids of this video's clips, at most {selection.MAX_SELECTION}."


class BadSelection(exceptions.APIException):
    status_code = 400
    default_code = "bad_request"


def edit_error(exc: actions.ClipEditError, names: dict[str, str] | None = None) -> exceptions.APIException:
    """The API's answer to a refused edit: 409 when the clip or video is not in a state for it,
    else 422 on the field (renamed through ``names``)."""
    if exc.field in ("status", "source"):
        return Conflict(str(exc))
    field = (names or {}).get(exc.field, exc.field)
    return serializers.ValidationError({field: [str(exc)]})


def selected(video: Video, clip_ids: list[str]) -> list[Clip]:
    """:func:`clips.selection.select_clips`, refusals answered as the API does."""
    try:
        return selection.select_clips(video, clip_ids)
    except selection.UnknownClips as exc:
        raise BadSelection(str(exc)) from None
    except actions.ClipEditError as exc:
        raise edit_error(exc) from None


class ClipSpanSerializer(StrictFieldsMixin, serializers.Serializer):
    """``POST /api/videos/<id>/clips``: the words spoken from ``start`` to ``end`` become a clip."""

    start = serializers.FloatField(help_text="Seconds on the source's timeline, as clips' startTime.")
    end = serializers.FloatField(
        help_text="Seconds on the source's timeline, after start. Both edges snap to the nearest word boundary "
                  "and are padded into the silence around the words."
    )  # fmt: skip


class ClipSelectionSerializer(StrictFieldsMixin, serializers.Serializer):
    clipIds = serializers.ListField(
        child=serializers.CharField(max_length=64), max_length=selection.MAX_SELECTION, help_text=CLIP_IDS_HELP
    )


class BulkSerializer(ClipSelectionSerializer):
    action = ChoiceField(
        choices=["rerender", "delete"], help_text="rerender, or delete (files too; minutes stay spent)."
    )
    aspectRatio = ChoiceField(
        choices=list(ASPECT_RATIOS), required=False,
        help_text="rerender: the new aspect ratio; left out, each clip keeps its own.",
    )  # fmt: skip
    captionTemplate = ChoiceField(
        choices=list(TEMPLATES), required=False,
        help_text="rerender: the new caption style; left out, each clip keeps its own.",
    )  # fmt: skip
    brandKit = serializers.CharField(
        required=False, allow_blank=True, max_length=32,
        help_text='rerender: a brand kit of the video\'s workspace (GET /api/brand-kits), "none" for no kit, or '
                  '"" for the video\'s kit; left out, each clip keeps its own.',
    )  # fmt: skip

    def validate(self, data):
        if data["action"] == "delete":
            for name in ("aspectRatio", "captionTemplate"):
                if name in data:
                    raise serializers.ValidationError({name: [f"{name} applies to rerender only, not to delete."]})
        return data


class BulkResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    clipIds = serializers.ListField(child=serializers.CharField(), help_text="The clips acted on.")
    clips = ClipSerializer(many=True, help_text="rerender: the clips, now rendering again; delete: empty.")


class AnyAccept(DefaultContentNegotiation):
    """Answers in JSON whatever ``Accept`` says: a ZIP is not one of REST framework's
    renderers, so ``Accept: application/zip`` would otherwise be refused with 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class VideoClipsZip(APIView):
    content_negotiation_class = AnyAccept

    zip_responses = {
        (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The clips' MP4s, streamed"),
        **ERRORS, **error_responses(409),
    }  # fmt: skip

    @extend_schema(
        parameters=[OpenApiParameter("clipIds", OpenApiTypes.STR, many=True, required=True,
                                     description=f"{CLIP_IDS_HELP} Repeated, or separated by commas.")],
        responses=zip_responses, summary="Download clips as one ZIP (streamed)",
    )  # fmt: skip
    def get(self, request, video_id: str):
        video = user_video(request, video_id)
        ids = [part.strip() for value in request.query_params.getlist("clipIds") for part in value.split(",")]
        return self._zip(video, [clip_id for clip_id in ids if clip_id])

    @extend_schema(request=ClipSelectionSerializer, responses=zip_responses,
                   summary="Download clips as one ZIP (streamed)")  # fmt: skip
    def post(self, request, video_id: str):
        video = user_video(request, video_id)
        body = ClipSelectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._zip(video, body.validated_data["clipIds"])

    @staticmethod
    def _zip(video: Video, clip_ids: list[str]):
        try:
            files = archive.entries(selected(video, clip_ids))
        except archive.NotRendered as exc:
            raise Conflict(str(exc)) from None
        return archive.zip_response(video, files)


class VideoClipsBulk(APIView):
    @extend_schema(request=BulkSerializer,
                   responses={200: BulkResultSerializer, 202: BulkResultSerializer, **ERRORS, **error_responses(409)},
                   summary="Re-render (202) or delete (200) a selection of a video's clips")  # fmt: skip
    @idempotent
    def post(self, request, video_id: str):
        video = user_video(request, video_id)
        body = BulkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        clips = selected(video, data["clipIds"])
        try:
            if data["action"] == "delete":
                ids = selection.delete_selection(video, clips)
                return Response({"action": "delete", "clipIds": ids, "clips": []})
            clips = selection.rerender_selection(
                clips, aspect_ratio=data.get("aspectRatio"), caption_template=data.get("captionTemplate"),
                brand_kit=data.get("brandKit"),
            )  # fmt: skip
        except actions.ClipEditError as exc:
            raise edit_error(exc) from None
        body = ClipSerializer(clips, many=True, context={"request": request}).data
        return Response({"action": "rerender", "clipIds": [clip.pk for clip in clips], "clips": body},
                        status=status.HTTP_202_ACCEPTED)  # fmt: skip
