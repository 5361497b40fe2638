"""viralcli's trend routes under /v1/: account, discovery, signals, analyze, jobs, pipeline,
storyboard and videos.

Bodies are validated before any quota is spent; every resource is the key's workspace's
(another account's job or video is a 404). Costs: a discovery is 1 discovery call; an
analyze, a pipeline or a storyboard 1 enrichment (a cached analyze is free).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from tracking import actions, watcher
from tracking.models import EnrichmentJob, PlatformVideo, Signal, history_start
from viralcli import errors
from viralcli.serializers import (
    AccountSerializer,
    AnalyzeRequestSerializer,
    DiscoveryRequestSerializer,
    JobCreatedSerializer,
    JobSerializer,
    PipelineRequestSerializer,
    SignalsQuerySerializer,
    SignalsSerializer,
    StoryboardQuerySerializer,
    VideoSerializer,
)
from viralcli.views import TAGS, V1View

RECENT_SNAPSHOTS = 100
DISCOVERY_DOC = (
    "A seed topic in; breakouts ranked by views per day, the adoption histogram by age band and the format "
    "verdict (HEATING / STEADY / SATURATING / INSUFFICIENT_DATA) out, from one search. Synchronous; costs 1 "
    "discovery call, refunded when the platform refuses. Stored as a signal (see /v1/signals). The verdict's "
    "rule: `verdict_detail` gives its reason and numbers; docs/trends.md its thresholds."
)


def _job_created(job: EnrichmentJob) -> Response:
    return Response({"job_id": job.pk, "status": job.status}, status=status.HTTP_202_ACCEPTED)


class Account(V1View):
    @extend_schema(tags=TAGS, operation_id="v1_account", responses={200: AccountSerializer, **errors.ERRORS},
                   summary="Your plan, limits and current usage")  # fmt: skip
    def get(self, request):
        workspace = self.workspace
        plan = workspace.plan
        return Response({
            "account_id": workspace.pk, "plan": plan.slug,
            "limits": {
                "discovery": plan.discovery_per_month, "enrich": plan.enrichment_per_month,
                "tracked": plan.tracked_items, "concurrency": plan.concurrent_jobs,
                "rate_per_min": plan.api_requests_per_minute, "platforms": plan.platforms,
                "history_days": plan.history_days,
            },
            "usage": {"discovery_used": workspace.discovery_used, "enrich_used": workspace.enrichment_used},
            "period_start": workspace.minutes_reset_at,
        })  # fmt: skip


class Discovery(V1View):
    @extend_schema(
        tags=TAGS, operation_id="v1_discovery", request=DiscoveryRequestSerializer,
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="The discovery object"),
                   **errors.error_responses(400, 401, 402, 403, 413, 422, 429, 503)},
        summary="A seed topic -> ranked breakouts, adoption histogram and format verdict", description=DISCOVERY_DOC,
    )  # fmt: skip
    def post(self, request):
        body = DiscoveryRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        signal = actions.run_discovery(self.workspace, data["seed"], platform=data["platform"])
        return Response({**signal.result, "signal_id": signal.pk, "platform": signal.platform,
                         "captured_at": signal.created_at})  # fmt: skip


class Signals(V1View):
    @extend_schema(
        tags=TAGS, operation_id="v1_signals", parameters=[SignalsQuerySerializer],
        responses={200: SignalsSerializer, **errors.ERRORS},
        summary="Stored discoveries of a seed, oldest first: how its verdict and breakouts changed",
    )  # fmt: skip
    def get(self, request):
        query = SignalsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        signals = Signal.objects.filter(workspace=self.workspace)
        seed = query.validated_data.get("seed")
        if seed:
            signals = signals.for_seed(seed)
        since = history_start(self.workspace)
        if since is not None:
            signals = signals.filter(created_at__gte=since)
        recent = list(signals.order_by("-created_at")[: query.validated_data["limit"]])
        return Response(SignalsSerializer({"seed": seed or None, "signals": recent[::-1]}).data)


class Analyze(V1View):
    @extend_schema(
        tags=TAGS, operation_id="v1_analyze", request=AnalyzeRequestSerializer,
        responses={202: JobCreatedSerializer, **errors.error_responses(400, 401, 402, 403, 413, 422, 429)},
        summary="Deep-enrich one video (hook transcript + metrics); poll /v1/jobs/{job_id}",
        description="Costs 1 enrichment; a video already enriched is answered from the cache at once (status "
                    "`done`) and costs nothing.",
    )  # fmt: skip
    def post(self, request):
        body = AnalyzeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        job = actions.submit_analyze(self.workspace, request.user, data["url"], density=data["density"],
                                     full=data["full"])  # fmt: skip
        return _job_created(job)


class Pipeline(V1View):
    @extend_schema(
        tags=TAGS, operation_id="v1_pipeline", request=PipelineRequestSerializer,
        responses={202: JobCreatedSerializer, **errors.error_responses(401, 402, 403, 413, 422, 429)},
        summary="Seed -> discovery -> enrichment of the top breakout, in one job; costs 1 enrichment",
    )  # fmt: skip
    def post(self, request):
        body = PipelineRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return _job_created(actions.submit_pipeline(self.workspace, request.user, data["seed"],
                                                    platform=data["platform"]))  # fmt: skip


class Job(V1View):
    @extend_schema(tags=TAGS, operation_id="v1_job", responses={200: JobSerializer, **errors.ERRORS},
                   summary="An analyze or pipeline job: queued | running | done | error")  # fmt: skip
    def get(self, request, job_id: str):
        job = get_object_or_404(EnrichmentJob.objects.filter(workspace=self.workspace), pk=job_id)
        return Response(JobSerializer(job, context={"request": request}).data)


class Storyboard(V1View):
    @extend_schema(
        tags=TAGS, operation_id="v1_storyboard", parameters=[StoryboardQuerySerializer],
        responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="A JPEG contact sheet"),
                   **errors.error_responses(400, 401, 402, 403, 422, 429, 503)},
        summary="A contact sheet of N keyframes with timestamps, made now and never stored; costs 1 enrichment",
    )  # fmt: skip
    def get(self, request):
        query = StoryboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        jpeg = actions.make_storyboard(self.workspace, data["url"], data["density"])
        return HttpResponse(jpeg, content_type="image/jpeg")


class Video(V1View):
    @extend_schema(tags=TAGS, operation_id="v1_video", responses={200: VideoSerializer, **errors.ERRORS},
                   summary="Identity, transcript and recent snapshots of a video you have seen")  # fmt: skip
    def get(self, request, platform: str, video_id: str):
        video = get_object_or_404(PlatformVideo.objects.seen_by(self.workspace), platform=platform, video_id=video_id)
        recent = watcher.latest_snapshots(video, history_start(self.workspace), RECENT_SNAPSHOTS)
        return Response(VideoSerializer(video, context={"snapshots": recent}).data)
