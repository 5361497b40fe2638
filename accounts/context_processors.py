from accounts.models import Workspace


def workspaces(request) -> dict:
    """The header's workspace switcher: every workspace of the user and the current one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_workspaces": Workspace.objects.for_user(user).order_by("-is_personal", "name"),
        "workspace": request.workspace,
    }
