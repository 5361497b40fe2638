"""Routes of Ssemble's dialect, mounted at /api/v1/; any other path there is Ssemble's 404."""

from django.urls import path, re_path

from ssemble import errors, views

app_name = "ssemble"

urlpatterns = [
    path("shorts/create", views.ShortCreate.as_view(), name="create"),
    path("shorts/<str:request_id>/status", views.ShortStatus.as_view(), name="status"),
    path("shorts/<str:request_id>", views.ShortDetail.as_view(), name="detail"),
    re_path(r"^", errors.not_found, name="not_found"),
]
