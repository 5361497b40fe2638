"""Brand kit routes: ``api_patterns`` join the API under /api/, ``urlpatterns`` are the
dashboard's, under the workspace settings."""

from django.urls import path

from brands import api, views

app_name = "brands"

api_patterns = [
    path("brand-kits", api.BrandKitList.as_view(), name="brand_kits"),
    path("brand-kits/fonts", api.BrandKitFonts.as_view(), name="brand_kit_fonts"),
    path("brand-kits/<str:kit_id>", api.BrandKitDetail.as_view(), name="brand_kit"),
    path("brand-kits/<str:kit_id>/logo", api.BrandKitLogo.as_view(), name="brand_kit_logo"),
]

urlpatterns = [
    path("", views.kit_list, name="list"),
    path("new", views.kit_new, name="new"),
    path("<str:pk>", views.kit_edit, name="edit"),
    path("<str:pk>/default", views.kit_default, name="default"),
    path("<str:pk>/delete", views.kit_delete, name="delete"),
]
