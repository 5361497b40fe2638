"""The dashboard's Tracking pages, mounted at /tracking/ (viralcli's API is in viralcli/urls.py)."""

from django.urls import path

from tracking import views, views_tracked

app_name = "tracking"

urlpatterns = [
    path("", views.tracking_home, name="list"),
    path("signals/<str:pk>/", views.signal_detail, name="signal"),
    path("signals/<str:pk>/analyze", views.signal_analyze, name="analyze"),
    path("signals/<str:pk>/clip", views.signal_clip, name="signal_clip"),
    path("jobs/<str:pk>/", views.job_detail, name="job"),
    path("jobs/<str:pk>/status", views.job_status, name="job_status"),
    path("jobs/<str:pk>/clip", views.job_clip, name="job_clip"),
    path("storyboard", views.storyboard, name="storyboard"),
    path("tracked/", views_tracked.tracked_list, name="tracked"),
    path("tracked/<str:pk>/", views_tracked.tracked_item, name="tracked_item"),
    path("tracked/<str:pk>/status", views_tracked.tracked_status, name="tracked_status"),
    path("tracked/<str:pk>/delete", views_tracked.tracked_delete, name="tracked_delete"),
]
