"""Ssemble's routes under /api/v1/: a key is required and acts in its own workspace.

A request id is a video's ``public_hex``; one that is not 24 hex characters is a 400,
and one that names no video of the key's workspace (another account's included) a 404.
"""

from __future__ import annotations

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ApiKeyAuthentication
from ssemble import errors, examples
from ssemble.serializers import (
    CreatedEnvelopeSerializer,
    CreatedSerializer,
    CreateSerializer,
    RequestEnvelopeSerializer,
    RequestSerializer,
    StatusEnvelopeSerializer,
    StatusSerializer,
    config_from,
)
from videos import actions
from videos.models import Video

TAGS = ["Ssemble (api/v1)"]
_REQUEST_ID = re.compile(r"[0-9a-fA-F]{24}")
REQUEST_ID = OpenApiParameter(
    "request_id", OpenApiTypes.STR, OpenApiParameter.PATH, pattern="^[0-9a-fA-F]{24}$",
    description="The request id returned by POST /shorts/create: 24 hex characters.",
)  # fmt: skip
GEMINI_KEY = OpenApiParameter(
    "X-Gemini-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="A Gemini API key for this request's analysis; stored encrypted, wiped after use.",
)  # fmt: skip


class SsembleView(APIView):
    """Key-only authentication and Ssemble's error bodies."""

    authentication_classes = [ApiKeyAuthentication]

    def get_exception_handler(self):
        return errors.exception_handler

    def video(self, request_id: str) -> Video:
        """The key's workspace's video named by ``request_id``, or a 400/404."""
        if not _REQUEST_ID.fullmatch(request_id):
            raise exceptions.ValidationError(
                {"id": ["The request id must be 24 hexadecimal characters, as POST /shorts/create returns it."]}
            )
        video = (
            Video.objects.filter(workspace=self.request.auth.workspace, public_hex=request_id.lower())
            .select_related("submitted_by")
            .first()
        )
        if video is None:
            raise exceptions.NotFound(errors.NOT_FOUND)
        return video


class ShortCreate(SsembleView):
    @extend_schema(
        tags=TAGS, operation_id="ssemble_shorts_create", request=CreateSerializer, parameters=[GEMINI_KEY],
        responses={201: CreatedEnvelopeSerializer, **errors.error_responses(400, 401, 402, 403, 413, 415, 429)},
        summary="Submit a video for shorts (Ssemble's create)",
        examples=[
            OpenApiExample("Create", value=examples.CREATE_REQUEST, request_only=True),
            OpenApiExample("Created", value=examples.CREATED, response_only=True, status_codes=["201"]),
        ],
    )  # fmt: skip
    def post(self, request):
        body = CreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        video = actions.submit_video(
            request.auth.workspace, request.user, config=config_from(data),
            url=data.get("url") or data["fileUrl"], kind=Video.SourceKind.URL if data.get("fileUrl") else None,
            gemini_key=request.headers.get("X-Gemini-Key", "").strip(),
        )  # fmt: skip
        return Response({"data": CreatedSerializer(video).data}, status=status.HTTP_201_CREATED)


class ShortStatus(SsembleView):
    @extend_schema(
        tags=TAGS, operation_id="ssemble_shorts_status", parameters=[REQUEST_ID],
        responses={200: StatusEnvelopeSerializer, **errors.error_responses(400, 401, 404, 429)},
        summary="Poll a request's status and progress",
        examples=[
            OpenApiExample("Processing", value=examples.STATUS_PROCESSING, response_only=True, status_codes=["200"]),
            OpenApiExample("Failed", value=examples.STATUS_FAILED, response_only=True, status_codes=["200"]),
        ],
    )  # fmt: skip
    def get(self, request, request_id: str):
        return Response({"data": StatusSerializer(self.video(request_id)).data})


class ShortDetail(SsembleView):
    @extend_schema(
        tags=TAGS, operation_id="ssemble_shorts_retrieve", parameters=[REQUEST_ID],
        responses={200: RequestEnvelopeSerializer, **errors.error_responses(400, 401, 404, 429)},
        summary="A request with its sentences and shorts (signed video_url links expire after an hour)",
        examples=[
            OpenApiExample("Completed", value=examples.SHORTS, response_only=True, status_codes=["200"]),
            OpenApiExample("Malformed id", value=examples.INVALID_ID, response_only=True, status_codes=["400"]),
            OpenApiExample("Missing key", value=examples.INVALID_KEY, response_only=True, status_codes=["401"]),
            OpenApiExample("Not yours", value=examples.NOT_FOUND, response_only=True, status_codes=["404"]),
        ],
    )  # fmt: skip
    def get(self, request, request_id: str):
        video = self.video(request_id)
        return Response({"data": RequestSerializer(video, context={"request": request}).data})
