"""REST endpoints for accounts: the caller's workspaces."""

from __future__ import annotations

from django.db.models import Sum
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Workspace


class PlanSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class WorkspaceSerializer(serializers.ModelSerializer):
    plan = PlanSerializer()
    minutesBalance = serializers.IntegerField(source="minutes_balance")
    createdAt = serializers.DateTimeField(source="created_at")
    role = serializers.SerializerMethodField()

    class Meta:
        model = Workspace
        fields = ["id", "name", "slug", "plan", "minutesBalance", "role", "createdAt"]

    def get_role(self, workspace) -> str | None:
        return self.context["roles"].get(workspace.pk)


def _roles(user) -> dict[str, str]:
    return dict(user.memberships.values_list("workspace_id", "role"))


class WorkspaceList(APIView):
    @extend_schema(responses=WorkspaceSerializer(many=True), summary="List the caller's workspaces")
    def get(self, request):
        workspaces = (
            Workspace.objects.for_user(request.user).select_related("plan").order_by("-is_personal", "name")
        )
        return Response(
            WorkspaceSerializer(workspaces, many=True, context={"roles": _roles(request.user)}).data
        )


class WorkspaceDetail(APIView):
    @extend_schema(responses=WorkspaceSerializer, summary="One of the caller's workspaces")
    def get(self, request, workspace_id: str):
        workspace = get_object_or_404(
            Workspace.objects.for_user(request.user).select_related("plan"), pk=workspace_id
        )
        return Response(WorkspaceSerializer(workspace, context={"roles": _roles(request.user)}).data)


class LimitsSerializer(serializers.Serializer):
    monthlyMinutes = serializers.IntegerField()
    maxVideoMinutes = serializers.IntegerField()
    maxUploadMb = serializers.IntegerField()
    concurrentJobs = serializers.IntegerField()
    requestsPerMinute = serializers.IntegerField()
    trackedItems = serializers.IntegerField(allow_null=True)
    discoveryPerMonth = serializers.IntegerField(allow_null=True)
    enrichmentPerMonth = serializers.IntegerField(allow_null=True)
    platforms = serializers.ListField(child=serializers.CharField())
    historyDays = serializers.IntegerField(allow_null=True)


class UsageSerializer(serializers.Serializer):
    periodStart = serializers.DateTimeField(allow_null=True)
    minutesUsed = serializers.IntegerField()
    videosSubmitted = serializers.IntegerField()
    videosInProgress = serializers.IntegerField()
    discoveryUsed = serializers.IntegerField()
    enrichmentUsed = serializers.IntegerField()


class AccountSerializer(serializers.Serializer):
    accountId = serializers.CharField()
    workspace = WorkspaceSerializer()
    plan = serializers.CharField()
    minutesBalance = serializers.IntegerField()
    limits = LimitsSerializer()
    usage = UsageSerializer()


class Account(APIView):
    @extend_schema(
        responses=AccountSerializer, summary="Plan, limits, usage and minutes of the key's workspace"
    )
    def get(self, request):
        from videos.api import resolve_workspace
        from videos.models import Video

        workspace = resolve_workspace(request, request.query_params.get("workspaceId"))
        plan = workspace.plan
        since = workspace.minutes_reset_at
        entries = (
            workspace.minute_entries.filter(created_at__gte=since) if since else workspace.minute_entries
        )
        spent = entries.filter(kind__in=["debit", "refund"]).aggregate(total=Sum("amount"))["total"] or 0
        videos = Video.objects.filter(workspace=workspace)
        return Response({
            "accountId": workspace.pk,
            "workspace": WorkspaceSerializer(workspace, context={"roles": _roles(request.user)}).data,
            "plan": plan.slug,
            "minutesBalance": workspace.minutes_balance,
            "limits": {
                "monthlyMinutes": plan.monthly_minutes, "maxVideoMinutes": plan.max_video_minutes,
                "maxUploadMb": plan.max_upload_mb, "concurrentJobs": plan.concurrent_jobs,
                "requestsPerMinute": plan.api_requests_per_minute, "trackedItems": plan.tracked_items,
                "discoveryPerMonth": plan.discovery_per_month, "enrichmentPerMonth": plan.enrichment_per_month,
                "platforms": plan.platforms, "historyDays": plan.history_days,
            },
            "usage": {
                "periodStart": since, "minutesUsed": -spent,
                "videosSubmitted": videos.filter(created_at__gte=since).count() if since else videos.count(),
                "videosInProgress": videos.exclude(status__in=Video.TERMINAL).count(),
                "discoveryUsed": workspace.discovery_used, "enrichmentUsed": workspace.enrichment_used,
            },
        })  # fmt: skip
