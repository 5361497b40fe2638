"""REST endpoints for clips: list with ScaleReach's filters, read, update, re-render, download."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from clips import actions
from clips.api_bulk import ClipSpanSerializer, edit_error
from clips.models import Clip
from clips.serializers import (
    ClipEnvelopeSerializer,
    ClipFiltersSerializer,
    ClipListSerializer,
    ClipRenderSerializer,
    ClipSerializer,
    ClipUpdateSerializer,
)
from clips.words import TEXT_FIELDS, edit_text
from clipsite.api import ERRORS, Conflict, error_responses
from clipsite.idempotency import idempotent
from clipsite.signed_media import signed_url
from videos.api import user_video


def user_clip(request, clip_id: str) -> Clip:
    return get_object_or_404(Clip.objects.for_user(request.user).select_related("video"), pk=clip_id)


class VideoClips(APIView):
    @extend_schema(parameters=[ClipFiltersSerializer], responses={200: ClipListSerializer, **ERRORS},
                   summary="A video's clips, with signed download links")  # fmt: skip
    def get(self, request, video_id: str):
        video = user_video(request, video_id)
        params = ClipFiltersSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        data = ClipSerializer(params.clips_of(video), many=True, context={"request": request}).data
        echoed = {
            k: v for k, v in filters.items() if k in request.query_params or k in ("sortBy", "sortOrder")
        }
        return Response({"videoId": video.pk, "clips": data, "count": len(data), "filters": echoed})

    @extend_schema(request=ClipSpanSerializer,
                   responses={201: ClipEnvelopeSerializer, **ERRORS, **error_responses(409)},
                   summary="Make a clip of the words spoken between two times")  # fmt: skip
    @idempotent
    def post(self, request, video_id: str):
        video = user_video(request, video_id)
        body = ClipSpanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        span, offset = body.validated_data, video.source_offset
        try:
            clip = actions.clip_from_span(video, span["start"] - offset, span["end"] - offset)
        except actions.ClipEditError as exc:
            raise edit_error(exc) from None
        data = ClipSerializer(clip, context={"request": request}).data
        return Response({"clip": data}, status=status.HTTP_201_CREATED)


class ClipDetail(APIView):
    @extend_schema(responses={200: ClipEnvelopeSerializer, **ERRORS}, summary="One clip")
    def get(self, request, clip_id: str):
        return Response(
            {"clip": ClipSerializer(user_clip(request, clip_id), context={"request": request}).data}
        )

    @extend_schema(request=ClipUpdateSerializer, responses={200: ClipEnvelopeSerializer, **ERRORS},
                   summary="Favorite a clip, or write its title, hooks, description or hashtags")  # fmt: skip
    def patch(self, request, clip_id: str):
        clip = user_clip(request, clip_id)
        body = ClipUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "favorited" in data:
            actions.set_favorite(clip, data["favorited"])
        written = {name: data[name] for name in TEXT_FIELDS if name in data}
        if written:
            edit_text(clip, **written)
        clip.refresh_from_db()
        return Response({"clip": ClipSerializer(clip, context={"request": request}).data})


class ClipRender(APIView):
    @extend_schema(request=ClipRenderSerializer, responses={202: ClipEnvelopeSerializer, **ERRORS,
                                                            **error_responses(409)},
                   summary="Re-render a clip with new times, captions, aspect ratio, hook, layout or pins")  # fmt: skip
    @idempotent
    def post(self, request, clip_id: str):
        clip = user_clip(request, clip_id)
        body = ClipRenderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            clip = body.rerender(clip)
        except actions.ClipEditError as exc:
            if exc.field in ("status", "source"):
                raise Conflict(str(exc)) from None
            names = {"start": "startTime", "end": "endTime"}
            raise serializers.ValidationError({names.get(exc.field, exc.field): [str(exc)]}) from None
        return Response(
            {"clip": ClipSerializer(clip, context={"request": request}).data}, status=status.HTTP_202_ACCEPTED
        )


class ClipDownload(APIView):
    @extend_schema(responses={302: OpenApiResponse(description="Redirect to a signed URL valid for one hour"),
                              **ERRORS, **error_responses(409)},
                   summary="Download a clip (redirects to a fresh signed URL)")  # fmt: skip
    def get(self, request, clip_id: str):
        clip = user_clip(request, clip_id)
        if not clip.file:
            raise Conflict("This clip has no rendered file yet; wait until its status is completed.")
        return HttpResponseRedirect(signed_url(clip.file.name, download_name=clip.download_name, request=request))
