"""REST endpoints for brand kits: list, create, read, change, delete, the logo, the fonts.

Ownership: every lookup goes through ``for_user``, so another workspace's kit is a 404,
exactly like one that does not exist. Every member of a workspace manages its kits.
Refusals of :mod:`brands.actions` and :mod:`brands.logos` become 422s naming the field,
in :meth:`KitView.handle_exception` and nowhere else.
"""

from __future__ import annotations

import functools

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from brands import actions
from brands.fonts import caption_fonts
from brands.logos import MAX_BYTES, LogoError
from brands.models import BrandKit
from brands.serializers import (
    FIELDS,
    BrandKitEnvelopeSerializer,
    BrandKitListParams,
    BrandKitPageSerializer,
    BrandKitSerializer,
    FontsSerializer,
    KitCreateSerializer,
    KitFieldsSerializer,
    LogoUploadSerializer,
    kit_fields,
)
from clipsite.api import ERRORS, error_responses, page_of
from clipsite.idempotency import idempotent
from videos.api import resolve_workspace
from videos.uploads import receiving_upload

KIT_ID = OpenApiParameter("kit_id", OpenApiTypes.STR, OpenApiParameter.PATH)
LOGO_TOO_LARGE = f"Logos can be up to {MAX_BYTES // 1024**2} MB."


class KitView(APIView):
    """Shared by the kit endpoints: the lookup and the mapping of refusals."""

    def handle_exception(self, exc):
        if isinstance(exc, actions.KitError):
            exc = serializers.ValidationError({exc.field: [exc.message]})
        elif isinstance(exc, LogoError):
            exc = serializers.ValidationError({"file": [str(exc)]})
        return super().handle_exception(exc)

    def kit(self, kit_id: str) -> BrandKit:
        """The caller's kit ``kit_id``; 404 when it is not in one of their workspaces."""
        return get_object_or_404(BrandKit.objects.for_user(self.request.user).select_related("workspace__plan"),
                                 pk=kit_id)  # fmt: skip

    def envelope(self, kit: BrandKit, code: int = status.HTTP_200_OK) -> Response:
        return Response({"brandKit": BrandKitSerializer(kit, context={"request": self.request}).data}, status=code)


class BrandKitList(KitView):
    @extend_schema(parameters=[BrandKitListParams], responses={200: BrandKitPageSerializer, **ERRORS},
                   summary="A workspace's brand kits, by name", operation_id="brand_kits_list")  # fmt: skip
    def get(self, request):
        params = BrandKitListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        workspace = resolve_workspace(request, params.validated_data.get("workspaceId"))
        serializer = functools.partial(BrandKitSerializer, context={"request": request})
        return Response(page_of(BrandKit.objects.filter(workspace=workspace), params.validated_data, "brandKits",
                                serializer))  # fmt: skip

    @extend_schema(request=KitCreateSerializer, responses={201: BrandKitEnvelopeSerializer, **ERRORS},
                   summary="Save a brand kit: caption font, colours, size, position; the logo is uploaded "
                           "separately")  # fmt: skip
    @idempotent
    def post(self, request):
        body = KitCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        workspace = resolve_workspace(request, data.pop("workspaceId", None))
        kit = actions.create_kit(workspace, {FIELDS[name]: value for name, value in data.items()})
        return self.envelope(kit, status.HTTP_201_CREATED)


class BrandKitFonts(KitView):
    @extend_schema(responses={200: FontsSerializer, **ERRORS}, summary="The fonts a brand kit may use")
    def get(self, request):
        return Response({"fonts": list(caption_fonts())})


class BrandKitDetail(KitView):
    @extend_schema(parameters=[KIT_ID], responses={200: BrandKitEnvelopeSerializer, **ERRORS}, summary="A brand kit")
    def get(self, request, kit_id: str):
        return self.envelope(self.kit(kit_id))

    @extend_schema(parameters=[KIT_ID], request=KitFieldsSerializer(partial=True),
                   responses={200: BrandKitEnvelopeSerializer, **ERRORS},
                   summary="Change some of a kit's settings (isDefault true: make it the default)")  # fmt: skip
    def patch(self, request, kit_id: str):
        kit = self.kit(kit_id)
        return self.envelope(actions.update_kit(kit, kit_fields(request.data, partial=True)))

    @extend_schema(parameters=[KIT_ID], responses={204: None, **ERRORS},
                   summary="Delete a kit; videos and clips that chose it use the workspace's default kit")  # fmt: skip
    def delete(self, request, kit_id: str):
        actions.delete_kit(self.kit(kit_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BrandKitLogo(KitView):
    """The kit's logo: uploaded as multipart, checked and re-encoded to PNG (:mod:`brands.logos`)."""

    parser_classes = [MultiPartParser]
    accepts_uploads = True

    @extend_schema(parameters=[KIT_ID], request={"multipart/form-data": LogoUploadSerializer},
                   responses={200: BrandKitEnvelopeSerializer, **ERRORS, **error_responses(413)},
                   summary="Upload the kit's logo (PNG, JPEG or WebP; stored re-encoded as PNG)")  # fmt: skip
    def put(self, request, kit_id: str):
        kit = self.kit(kit_id)
        with receiving_upload(request, kit.workspace, MAX_BYTES, LOGO_TOO_LARGE):
            body = LogoUploadSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            with transaction.atomic():
                kit = actions.set_logo(kit, body.validated_data["file"])
        return self.envelope(kit)

    @extend_schema(parameters=[KIT_ID], responses={200: BrandKitEnvelopeSerializer, **ERRORS},
                   summary="Remove the kit's logo")  # fmt: skip
    def delete(self, request, kit_id: str):
        return self.envelope(actions.remove_logo(self.kit(kit_id)))
