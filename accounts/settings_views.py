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

from accounts import actions
from accounts.views import _workspace
from videos.config import validate_config
from videos.forms import WorkspaceSettingsForm


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
            actions.update_workspace_settings(
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
