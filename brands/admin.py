"""Operator admin: brand kits, read-only (members change them in the dashboard or the API,
where uploads are checked and re-encoded)."""

from django.contrib import admin

from brands.models import BrandKit


@admin.register(BrandKit)
class BrandKitAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "is_default", "font", "text_color", "updated_at"]
    list_filter = ["is_default"]
    search_fields = ["name", "workspace__name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
