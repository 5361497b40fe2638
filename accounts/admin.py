"""Operator admin: plans, workspaces, memberships, the minutes and usage ledgers and API keys.

Minutes are never edited in place: adding a ledger entry here runs it through
``accounts.actions`` (a grant or an adjustment), which moves the balance and writes the
row in one transaction. Existing entries are read-only. The usage ledger (discovery and
enrichment) is read-only entirely: only charges, refunds and the monthly reset write it.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts import actions
from accounts.models import ApiKey, Invitation, Membership, MinuteEntry, Plan, UsageEntry, User, Workspace


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "monthly_minutes",
        "max_video_minutes",
        "max_upload_mb",
        "concurrent_jobs",
        "api_requests_per_minute",
        "tracked_items",
        "discovery_per_month",
        "enrichment_per_month",
        "history_days",
        "is_default",
    ]
    list_editable = ["monthly_minutes", "is_default"]
    prepopulated_fields = {"slug": ["name"]}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "plan",
        "minutes_balance",
        "discovery_used",
        "enrichment_used",
        "is_personal",
        "created_at",
    ]
    list_filter = ["plan", "is_personal"]
    search_fields = ["name", "slug", "memberships__user__email"]
    readonly_fields = ["id", "minutes_balance", "discovery_used", "enrichment_used", "minutes_reset_at", "created_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "workspace__name"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["workspace", "email", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    readonly_fields = ["token"]


class MinuteEntryForm(forms.ModelForm):
    kind = forms.ChoiceField(
        choices=[(MinuteEntry.Kind.GRANT, "Grant"), (MinuteEntry.Kind.ADJUSTMENT, "Admin adjustment")]
    )
    amount = forms.IntegerField(help_text="Minutes to add; negative to take away (an adjustment only).")

    class Meta:
        model = MinuteEntry
        fields = ["workspace", "kind", "amount", "memo"]

    def clean(self):
        cleaned = super().clean()
        amount, kind = cleaned.get("amount"), cleaned.get("kind")
        if amount == 0:
            self.add_error("amount", "Zero changes nothing.")
        elif amount is not None and amount < 0 and kind == MinuteEntry.Kind.GRANT:
            self.add_error("amount", "A grant adds minutes; use an adjustment to take minutes away.")
        workspace = cleaned.get("workspace")
        if workspace and amount is not None and amount < 0 and workspace.minutes_balance < -amount:
            self.add_error("amount", f"The workspace has only {workspace.minutes_balance} minutes.")
        return cleaned


@admin.register(MinuteEntry)
class MinuteEntryAdmin(admin.ModelAdmin):
    form = MinuteEntryForm
    list_display = [
        "created_at",
        "workspace",
        "kind",
        "amount",
        "balance_after",
        "memo",
        "reference",
        "created_by",
    ]
    list_filter = ["kind"]
    search_fields = ["workspace__name", "memo", "reference"]
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if data["kind"] == MinuteEntry.Kind.GRANT:
                entry = actions.credit_minutes(
                    data["workspace"], data["amount"], memo=data["memo"], by=request.user
                )
            else:
                entry = actions.adjust_minutes(
                    data["workspace"], data["amount"], memo=data["memo"], by=request.user
                )
        except actions.InsufficientMinutes as exc:
            messages.error(request, str(exc))
            return
        # The admin redirects to the saved object; point it at the row the action wrote.
        obj.pk = entry.pk


@admin.register(UsageEntry)
class UsageEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "workspace", "kind", "reason", "amount", "used_after", "reference", "memo"]
    list_filter = ["kind", "reason"]
    search_fields = ["workspace__name", "memo", "reference"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "display_prefix", "user", "workspace", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "display_prefix", "user__email"]
    readonly_fields = ["key_hash", "display_prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # Keys are created where the raw value can be shown once: the dashboard or create_api_key.
        return False
