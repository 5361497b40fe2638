"""The process API's two routes: submit a video, poll its job.

Which workspace a request acts in: an API key's (``Authorization: Bearer`` or
``X-API-Key``), always when one is presented; without a key, the workspace whose slug
``PROCESS_API_WORKSPACE`` names, as its owner, when the server sets it (a single-user
install that nobody else can reach); otherwise 401. A job id is a video's
``public_uuid``; one that names no video of the request's workspace (malformed, unknown
or another workspace's) is ``404 Job not found``.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import authentication, exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from accounts.authentication import ApiKeyAuthentication
from accounts.models import Membership, Workspace
from clipsite.api import PayloadTooLarge
from clipsite.middleware import MAX_JSON_BODY
from clipsite.parsers import JSONParser
from pipeline.moments.options import MODEL_GEMINI
from processapi import errors, examples
from processapi.serializers import (
    JobCreatedSerializer,
    JobStatusSerializer,
    ProcessFormSerializer,
    ProcessJsonSerializer,
    status_payload,
)
from videos import actions
from videos.config import validate_config
from videos.models import Video
from videos.uploads import receiving_upload

logger = logging.getLogger(__name__)

TAGS = ["Process API"]
MB = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class ServerWorkspace:
    """``request.auth`` of a request without a key, acting in ``PROCESS_API_WORKSPACE``."""

    workspace: Workspace


class NotConfigured(exceptions.APIException):
    status_code = 503
    default_detail = "The process API is not set up on this server: ask its administrator to check its settings."


class ServerWorkspaceAuthentication(authentication.BaseAuthentication):
    """A request that presents no API key acts as the owner of the workspace that
    ``PROCESS_API_WORKSPACE`` names; with the setting empty it stays anonymous (401)."""

    def authenticate(self, request):
        slug = settings.PROCESS_API_WORKSPACE
        if not slug:
            return None
        owner = (
            Membership.objects.select_related("user", "workspace__plan")
            .filter(workspace__slug=slug, role=Membership.Role.OWNER, user__is_active=True)
            .order_by("created_at")
            .first()
        )
        if owner is None:
            logger.error("PROCESS_API_WORKSPACE=%r names no workspace with an active owner", slug)
            raise NotConfigured()
        return owner.user, ServerWorkspace(owner.workspace)


class ServerWorkspaceScheme(OpenApiAuthenticationExtension):
    """In the schema: no key needed where the server names ``PROCESS_API_WORKSPACE``."""

    target_class = ServerWorkspaceAuthentication
    name: list[str] = []

    def get_security_requirement(self, auto_schema):
        # An empty requirement is OpenAPI's "or no authentication at all".
        return {} if settings.PROCESS_API_WORKSPACE else None

    def get_security_definition(self, auto_schema):
        return []


class ProcessView(APIView):
    """A key, or the server's workspace; the process API's error bodies."""

    # The key comes first: a request that presents one acts in the key's workspace, and a
    # bad key is refused rather than taken for no key.
    authentication_classes = [ApiKeyAuthentication, ServerWorkspaceAuthentication]

    def get_exception_handler(self):
        return errors.exception_handler

    @property
    def workspace(self) -> Workspace:
        return self.request.auth.workspace


GEMINI_HEADER = OpenApiParameter(
    "X-Gemini-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description="Your Google Gemini API key for this job's analysis. Stored encrypted until the analysis has "
    "used it, then wiped; never returned or logged.",
)  # fmt: skip


class Process(ProcessView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    # The body may be a video file: its cap is the upload limit, enforced here.
    accepts_uploads = True

    @extend_schema(
        tags=TAGS, operation_id="process_submit", parameters=[GEMINI_HEADER],
        request={"application/json": ProcessJsonSerializer, "multipart/form-data": ProcessFormSerializer},
        responses={200: JobCreatedSerializer, **errors.error_responses(400, 401, 402, 403, 413, 415, 422, 429)},
        examples=examples.SUBMIT, summary="Submit a video (a URL or a file upload) for processing",
        description="Returns at once with a job_id; poll GET /api/status/{job_id} until the job is completed. "
        "Give url or file, not both. Clips are found with Gemini using X-Gemini-Key, with the workspace's "
        "default clip settings.",
    )  # fmt: skip
    def post(self, request):
        gemini_key = request.headers.get("X-Gemini-Key", "").strip()
        if not gemini_key:
            raise errors.MissingGeminiKey()
        workspace = self.workspace
        if request.content_type.startswith("multipart/form-data"):
            limit, too_large = upload_limit(workspace)
            with receiving_upload(request, workspace, limit, too_large):
                return self.submit(request, workspace, ProcessFormSerializer, gemini_key)
        if _declared_length(request) > MAX_JSON_BODY:
            raise PayloadTooLarge(f"The request body is larger than {MAX_JSON_BODY // 1024} KB.")
        return self.submit(request, workspace, ProcessJsonSerializer, gemini_key)

    def submit(self, request, workspace: Workspace, serializer: type[Serializer], gemini_key: str) -> Response:
        """Submit the body's source through the one action. Its rules decide, the one about
        giving a link or a file but not both included; the process API's exception handler
        maps their refusals."""
        body = serializer(data=request.data)
        body.is_valid(raise_exception=True)
        # The caller's Gemini key is what this API is for: the job's moments come from Gemini.
        config = validate_config({**workspace.default_config, "clipModel": MODEL_GEMINI})
        video = actions.submit_video(
            workspace, request.user, config=config, url=body.validated_data.get("url") or "",
            upload=body.validated_data.get("file"), gemini_key=gemini_key, via=Video.Via.PROCESS_API,
        )  # fmt: skip
        return Response({"job_id": str(video.public_uuid), "status": "queued"}, status=status.HTTP_200_OK)


def upload_limit(workspace: Workspace) -> tuple[int, str]:
    """The largest file the workspace may send here, in bytes, and the 413's detail past it:
    ``MAX_FILE_SIZE_MB``, or the plan's upload limit where that is lower."""
    plan = workspace.plan
    if plan.max_upload_mb < settings.MAX_FILE_SIZE_MB:
        return plan.max_upload_bytes, f"File exceeds the {plan.name} plan's {plan.max_upload_mb} MB limit"
    return settings.MAX_FILE_SIZE_MB * MB, f"File exceeds {settings.MAX_FILE_SIZE_MB} MB limit"


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return MAX_JSON_BODY + 1  # a length no one can check is refused as too large


class Status(ProcessView):
    @extend_schema(
        tags=TAGS, operation_id="process_status",
        parameters=[OpenApiParameter("job_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={200: JobStatusSerializer, **errors.error_responses(401, 404, 429)}, examples=examples.STATUS,
        summary="Poll a job: its status, progress and, once completed, its clips with their links",
        description="status is queued, processing, completed or failed; stage names Clipsite's step. Once "
        "completed, clips lists the rendered clips, best first, with signed links that expire.",
    )  # fmt: skip
    def get(self, request, job_id: str):
        try:
            public_uuid = uuid.UUID(job_id)
        except ValueError:
            raise exceptions.NotFound(errors.NOT_FOUND) from None
        video = Video.objects.filter(workspace=self.workspace, public_uuid=public_uuid).first()
        if video is None:
            raise exceptions.NotFound(errors.NOT_FOUND)
        return Response(status_payload(video, request))
