"""Routes of viralcli's dialect, mounted at /v1/."""

from django.urls import path

from viralcli import views

app_name = "v1"

urlpatterns = [
    path("webhooks", views.Webhooks.as_view(), name="webhooks"),
    path("webhooks/<int:endpoint_id>", views.WebhookDetail.as_view(), name="webhook"),
]
