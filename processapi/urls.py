"""Routes of the process API, mounted at /api/ ahead of Clipsite's own /api/ routes."""

from django.urls import path

from processapi import views

app_name = "process"

urlpatterns = [
    path("process", views.Process.as_view(), name="process"),
    path("status/<str:job_id>", views.Status.as_view(), name="status"),
]
