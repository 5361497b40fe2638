"""REST endpoints for accounts: the caller's workspaces."""

from __future__ import annotations

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
