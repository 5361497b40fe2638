"""Resolves the signed-in user's current workspace for the dashboard."""

from __future__ import annotations

from accounts.models import Workspace

SESSION_KEY = "workspace_id"


def current_workspace(request) -> Workspace | None:
    """The workspace chosen in the switcher, else the user's first (personal) one."""
    user = request.user
    if not user.is_authenticated:
        return None
    workspaces = Workspace.objects.for_user(user).select_related("plan")
    chosen = request.session.get(SESSION_KEY)
    workspace = workspaces.filter(pk=chosen).first() if chosen else None
    if workspace is None:
        workspace = workspaces.order_by("-is_personal", "created_at").first()
    return workspace


class CurrentWorkspaceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.workspace = current_workspace(request)
        return self.get_response(request)
