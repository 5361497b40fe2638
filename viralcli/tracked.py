"""viralcli's tracked items and trajectories under /v1/.

A tracked item is polled by the watcher on an adaptive cadence; its snapshots build the
video's trajectory (true velocity and acceleration), and its crossings fire the trend
webhooks. Another account's item is a 404; past the plan's limit a create is a 402.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from tracking import watcher
from tracking.models import PlatformVideo, TrackedItem
from viralcli import errors
from viralcli.serializers import TrackedItemCreateSerializer, TrackedItemSerializer, TrajectorySerializer
from viralcli.views import TAGS, V1View

CREATE_DOC = (
    "Register a video (`ref`: its link or id) or a seed topic for the watcher. It polls at most every "
    "`interval_sec`: that fast while the video accelerates, slower as it cools, daily once cold; a platform's "
    "refusal backs it off. Seeds are re-discovered on their cadence and stored as signals; with `auto_clip` their "
    "fresh breakouts are submitted for clipping within the workspace's minutes."
)


def _items(workspace):
    return TrackedItem.objects.filter(workspace=workspace).select_related("video", "last_signal")


class TrackedItems(V1View):
    @extend_schema(tags=TAGS, operation_id="v1_tracked_items_list",
                   responses={200: TrackedItemSerializer(many=True), **errors.ERRORS},
                   summary="List your tracked items (a JSON array)")  # fmt: skip
    def get(self, request):
        return Response(TrackedItemSerializer(_items(self.workspace), many=True).data)

    @extend_schema(
        tags=TAGS, operation_id="v1_tracked_items_create", request=TrackedItemCreateSerializer,
        responses={201: TrackedItemSerializer, **errors.error_responses(400, 401, 402, 403, 409, 413, 422, 429)},
        summary="Track a video or a seed", description=CREATE_DOC,
    )  # fmt: skip
    def post(self, request):
        body = TrackedItemCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = watcher.create_tracked_item(self.workspace, request.user, **body.validated_data)
        return Response(TrackedItemSerializer(_items(self.workspace).get(pk=item.pk)).data,
                        status=status.HTTP_201_CREATED)  # fmt: skip


class TrackedItemDetail(V1View):
    @extend_schema(tags=TAGS, operation_id="v1_tracked_item", responses={200: TrackedItemSerializer, **errors.ERRORS},
                   summary="One tracked item and the watcher's state of it")  # fmt: skip
    def get(self, request, item_id: str):
        return Response(TrackedItemSerializer(get_object_or_404(_items(self.workspace), pk=item_id)).data)

    @extend_schema(tags=TAGS, operation_id="v1_tracked_item_delete", responses={204: None, **errors.ERRORS},
                   summary="Stop tracking")  # fmt: skip
    def delete(self, request, item_id: str):
        watcher.delete_tracked_item(get_object_or_404(_items(self.workspace), pk=item_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class Trajectory(V1View):
    @extend_schema(
        tags=TAGS, operation_id="v1_trajectory", responses={200: TrajectorySerializer, **errors.ERRORS},
        summary="A video's snapshots in your history window, its true velocity and acceleration",
        description="`true_vpd` is views per day over the last two snapshots (needs 2), `accel` the change of that "
                    "velocity per day (needs 3), `peaking` true when velocity was rising and turned down.",
    )  # fmt: skip
    def get(self, request, platform: str, video_id: str):
        video = get_object_or_404(PlatformVideo.objects.seen_by(self.workspace), platform=platform, video_id=video_id)
        snapshots, metrics = watcher.trajectory_of(self.workspace, video)
        return Response(TrajectorySerializer({"platform": platform, "video_id": video_id, "snapshots": snapshots,
                                              "metrics": metrics.to_dict()}).data)  # fmt: skip
