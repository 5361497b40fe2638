"""Webhook routes: ``api_patterns`` join the API under /api/, ``urlpatterns`` are the dashboard's."""

from django.urls import path

from webhooks import api, views

app_name = "webhooks"

api_patterns = [
    path("webhooks", api.WebhookList.as_view(), name="webhooks"),
    path("webhooks/<int:endpoint_id>", api.WebhookDetail.as_view(), name="webhook"),
    path("webhooks/<int:endpoint_id>/rotate-secret", api.WebhookRotateSecret.as_view(), name="webhook_rotate"),
    path("webhooks/<int:endpoint_id>/test", api.WebhookTest.as_view(), name="webhook_test"),
    path("webhooks/<int:endpoint_id>/deliveries", api.WebhookDeliveries.as_view(), name="webhook_deliveries"),
    path(
        "webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver",
        api.WebhookRedeliver.as_view(),
        name="webhook_redeliver",
    ),
]

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("new", views.endpoint_new, name="new"),
    path("<int:pk>/", views.endpoint_detail, name="detail"),
    path("<int:pk>/enabled", views.endpoint_enabled, name="enabled"),
    path("<int:pk>/rotate", views.endpoint_rotate, name="rotate"),
    path("<int:pk>/test", views.endpoint_test, name="test"),
    path("<int:pk>/delete", views.endpoint_delete, name="delete"),
    path("<int:pk>/deliveries", views.delivery_log, name="deliveries"),
    path("<int:pk>/deliveries/<int:delivery_pk>/redeliver", views.delivery_redeliver, name="redeliver"),
]
