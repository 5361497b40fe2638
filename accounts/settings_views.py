"""The workspace settings page: name, default clip options and the stored Gemini key.

Owners and admins edit; members see the settings read-only. The Gemini key is encrypted
at rest (:mod:`clipsite.crypto`) and never rendered again: the page only says one is stored.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from rest_framework.exceptions import ValidationError

from accounts.models import Workspace
from accounts.views import _workspace
from clipsite import crypto
from videos.config import validate_config
from videos.forms import WorkspaceSettingsForm


def update_settings(
    workspace: Workspace, *, name: str, default_config: dict, gemini_key: str = "", remove_key: bool = False
) -> None:
    """Save a workspace's settings. ``default_config`` must come from ``validate_config``.

    A non-empty ``gemini_key`` replaces the stored one; ``remove_key`` deletes it; neither
    keeps it as it is.
    """
    fields = {"name": name, "default_config": default_config}
    if gemini_key:
        fields["gemini_key"] = crypto.encrypt(gemini_key)
    elif remove_key:
        fields["gemini_key"] = None
    Workspace.objects.filter(pk=workspace.pk).update(**fields)


@login_required
def workspace_settings(request):
    workspace = _workspace(request)
    can_manage = workspace.can_manage(request.user)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied("Only owners and admins can change the workspace's settings.")
    form = WorkspaceSettingsForm(
        request.POST or None, defaults=workspace.default_config, initial={"name": workspace.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            config = validate_config(form.options())
        except ValidationError as exc:
            form.add_config_errors(exc.detail)
        else:
            data = form.cleaned_data
            update_settings(
                workspace,
                name=data["name"],
                default_config=config,
                gemini_key=data["geminiKey"],
                remove_key=data["removeGeminiKey"],
            )
            messages.success(request, "Settings saved. New videos start from these options.")
            return redirect("accounts:settings")
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    context = {"form": form, "can_manage": can_manage, "has_key": bool(workspace.gemini_key)}
    return render(request, "accounts/settings.html", {**context}, status=422 if form.errors else 200)
