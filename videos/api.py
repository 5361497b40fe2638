"""REST endpoints for videos, shaped after ScaleReach's API (``shared/reference``).

Ownership: every lookup goes through ``Video.objects.for_user``, so another workspace's
video is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiKey, Workspace
from clipsite import parsers
from clipsite.api import (
    ERRORS,
    Conflict,
    PageParams,
    error_responses,
    page_of,
)
from clipsite.idempotency import idempotent
from videos import actions
from videos.config import validate_config
from videos.models import Video
from videos.serializers import (
    StatusSerializer,
    SubmitUploadSerializer,
    SubmitUrlSerializer,
    SubmitYoutubeSerializer,
    VideoDetailEnvelopeSerializer,
    VideoDetailSerializer,
    VideoEnvelopeSerializer,
    VideoPageSerializer,
    VideoSerializer,
    status_payload,
)
from videos.uploads import receiving_upload


def resolve_workspace(request, workspace_id: str | None = None) -> Workspace:
    """The workspace a request acts in: the one named, else the key's, else the session's."""
    if workspace_id:
        return get_object_or_404(
            Workspace.objects.for_user(request.user).select_related("plan"), pk=workspace_id
        )
    if isinstance(request.auth, ApiKey):
        return request.auth.workspace
    workspace = getattr(request._request, "workspace", None)
    if workspace is None:
        raise exceptions.NotFound()
    return workspace


def user_video(request, video_id: str) -> Video:
    queryset = Video.objects.for_user(request.user).select_related("workspace__plan")
    return get_object_or_404(queryset, pk=video_id)


def _config(data, workspace: Workspace) -> dict:
    """Validate the ``config`` object for ``workspace``, naming its fields as ``config.<name>`` in errors."""
    try:
        return validate_config(data.get("config"), workspace)
    except serializers.ValidationError as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {"config": exc.detail}
        raise serializers.ValidationError({f"config.{k}": v for k, v in detail.items()}) from None


class SubmitView(APIView):
    """Shared by the three ways to submit a video."""

    kind: str = ""

    def submit(self, request, workspace: Workspace, config: dict, **source) -> Response:
        """Submit through the one action; its refusals are mapped by the API's exception handler."""
        video = actions.submit_video(
            workspace, request.user, kind=self.kind, config=config,
            gemini_key=request.headers.get("X-Gemini-Key", "").strip(), **source,
        )  # fmt: skip
        return Response({"video": VideoSerializer(video).data}, status=status.HTTP_201_CREATED)


class LinkSubmitView(SubmitView):
    """Submit a link: the body names it in ``url_field``."""

    body_serializer: type[serializers.Serializer]
    url_field: str

    @idempotent
    def post(self, request):
        body = self.body_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        workspace = resolve_workspace(request, body.validated_data.get("workspaceId"))
        return self.submit(request, workspace, _config(request.data, workspace),
                           url=body.validated_data[self.url_field])


SUBMIT_HEADERS = [
    OpenApiParameter("X-Gemini-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
                     description="A Gemini API key for this video's ClipAnything analysis; stored encrypted, "
                     "wiped after use."),
    OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
                     description="Repeat a POST safely: the same key returns the first response."),
]  # fmt: skip


@extend_schema_view(post=extend_schema(request=SubmitYoutubeSerializer, parameters=SUBMIT_HEADERS,
                                       responses={201: VideoEnvelopeSerializer, **ERRORS},
                                       summary="Submit a YouTube (or other video site) link"))  # fmt: skip
class SubmitYoutube(LinkSubmitView):
    kind = Video.SourceKind.YOUTUBE
    body_serializer = SubmitYoutubeSerializer
    url_field = "youtubeUrl"


@extend_schema_view(post=extend_schema(request=SubmitUrlSerializer, parameters=SUBMIT_HEADERS,
                                       responses={201: VideoEnvelopeSerializer, **ERRORS},
                                       summary="Submit a direct link to a media file"))  # fmt: skip
class SubmitUrl(LinkSubmitView):
    kind = Video.SourceKind.URL
    body_serializer = SubmitUrlSerializer
    url_field = "url"


class SubmitUpload(SubmitView):
    """A multipart upload, written to disk as it arrives and capped by the plan."""

    kind = Video.SourceKind.UPLOAD
    parser_classes = [MultiPartParser]
    accepts_uploads = True

    @extend_schema(
        request={"multipart/form-data": SubmitUploadSerializer},
        responses={201: VideoEnvelopeSerializer, **ERRORS},
        summary="Upload a video file",
    )
    def post(self, request):
        workspace = resolve_workspace(request, request.query_params.get("workspaceId"))
        plan = workspace.plan
        too_large = f"The {plan.name} plan accepts uploads up to {plan.max_upload_mb} MB."
        with receiving_upload(request, workspace, plan.max_upload_bytes, too_large):
            return self.create(request, workspace)

    # Idempotent here, not on post: the Idempotency-Key check hashes the uploaded file,
    # so the body must be read under the plan's cap set up above.
    @idempotent
    def create(self, request, workspace: Workspace) -> Response:
        body = SubmitUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data.get("workspaceId"):
            workspace = resolve_workspace(request, body.validated_data["workspaceId"])
        config = _config({"config": _json_field(body.validated_data.get("config"))}, workspace)
        return self.submit(request, workspace, config, upload=body.validated_data["file"])


def _json_field(raw: str | None):
    if raw in (None, ""):
        return None
    try:
        return parsers.loads(raw)
    except parsers.InvalidJson as exc:
        field = f"config.{exc.field}" if exc.field else "config"
        raise serializers.ValidationError({field: [exc.message]}) from None


class VideoList(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Video.Status.values),
            OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("pageSize", OpenApiTypes.INT),
            OpenApiParameter("workspaceId", OpenApiTypes.STR),
        ],
        responses={200: VideoPageSerializer, **ERRORS}, summary="List videos, newest first", operation_id="videos_list",
    )  # fmt: skip
    def get(self, request):
        params = ListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        workspace = resolve_workspace(request, params.validated_data.get("workspaceId"))
        videos = Video.objects.filter(workspace=workspace).annotate(clip_count=Count("clips"))
        if params.validated_data.get("status"):
            videos = videos.filter(status=params.validated_data["status"])
        return Response(page_of(videos, params.validated_data, "videos", VideoSerializer))


class ListParams(PageParams):
    status = serializers.ChoiceField(choices=Video.Status.choices, required=False)
    workspaceId = serializers.CharField(required=False)


class VideoDetail(APIView):
    @extend_schema(responses={200: VideoDetailEnvelopeSerializer, **ERRORS}, summary="One video, with its sentences")
    def get(self, request, video_id: str):
        return Response({"video": VideoDetailSerializer(user_video(request, video_id)).data})

    @extend_schema(responses={204: None, **ERRORS}, summary="Delete a video, its clips and their files")
    def delete(self, request, video_id: str):
        video = user_video(request, video_id)
        if not video.can_be_deleted_by(request.user):
            raise exceptions.PermissionDenied(
                "Only the person who submitted it, or an owner or admin, can delete it."
            )
        actions.delete(video, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VideoStatus(APIView):
    @extend_schema(responses={200: StatusSerializer, **ERRORS}, summary="Poll a video's stage and progress")
    def get(self, request, video_id: str):
        return Response(status_payload(user_video(request, video_id)))


class VideoCancel(APIView):
    @extend_schema(
        request=None,
        responses={200: VideoEnvelopeSerializer, **error_responses(409)},
        summary="Cancel processing; unused minutes are refunded",
    )
    @idempotent
    def post(self, request, video_id: str):
        video = user_video(request, video_id)
        if not actions.cancel(video, request.user):
            raise Conflict("The video has already finished; there is nothing to cancel.")
        video.refresh_from_db()
        return Response({"video": VideoSerializer(video).data})
