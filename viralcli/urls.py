"""Routes of viralcli's dialect, mounted at /v1/."""

from django.urls import path

from viralcli import tracked, trends, views

app_name = "v1"

urlpatterns = [
    path("account", trends.Account.as_view(), name="account"),
    path("discovery", trends.Discovery.as_view(), name="discovery"),
    path("signals", trends.Signals.as_view(), name="signals"),
    path("analyze", trends.Analyze.as_view(), name="analyze"),
    path("pipeline", trends.Pipeline.as_view(), name="pipeline"),
    path("jobs/<str:job_id>", trends.Job.as_view(), name="job"),
    path("storyboard", trends.Storyboard.as_view(), name="storyboard"),
    path("videos/<str:platform>/<str:video_id>", trends.Video.as_view(), name="video"),
    path("videos/<str:platform>/<str:video_id>/trajectory", tracked.Trajectory.as_view(), name="trajectory"),
    path("tracked-items", tracked.TrackedItems.as_view(), name="tracked_items"),
    path("tracked-items/<str:item_id>", tracked.TrackedItemDetail.as_view(), name="tracked_item"),
    path("webhooks", views.Webhooks.as_view(), name="webhooks"),
    path("webhooks/<int:endpoint_id>", views.WebhookDetail.as_view(), name="webhook"),
]
