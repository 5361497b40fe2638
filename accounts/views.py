"""Dashboard pages for accounts: sign-up, workspaces, team, API keys and minutes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from accounts import actions
from accounts.confirm import ask, confirmed
from accounts.forms import ApiKeyForm, InviteForm, RoleForm, SignUpForm, WorkspaceForm
from accounts.middleware import SESSION_KEY
from accounts.models import ApiKey, Invitation, Membership, Workspace
from clipsite.crypto import decrypt, encrypt

# The session key under which a new API key waits, encrypted, for the page that shows it once.
NEW_KEY = "new_api_key"
# The workspace picker's last choice: a new workspace rather than one to switch to.
NEW_WORKSPACE = "new"


def _workspace(request) -> Workspace:
    if request.workspace is None:  # every user gets a personal workspace; this is a deleted one
        raise Http404("No workspace")
    return request.workspace


def _managed_workspace(request) -> Workspace:
    workspace = _workspace(request)
    if not workspace.can_manage(request.user):
        raise PermissionDenied("Only owners and admins can do this.")
    return workspace


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = actions.sign_up(
            form.cleaned_data["email"], form.cleaned_data["password"], name=form.cleaned_data["name"]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        next_url = request.GET.get("next", "")
        if next_url.startswith("/") and not next_url.startswith("//"):
            return redirect(next_url)
        messages.success(request, "Welcome to Clipsite! Your workspace is ready.")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def home(request):
    return redirect("videos:list")


@login_required
@require_POST
def switch_workspace(request):
    if request.POST.get("workspace") == NEW_WORKSPACE:
        return redirect("accounts:workspace_create")
    workspace = get_object_or_404(Workspace.objects.for_user(request.user), pk=request.POST.get("workspace"))
    request.session[SESSION_KEY] = workspace.pk
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("home")


@login_required
def workspace_create(request):
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace = actions.create_workspace(request.user, form.cleaned_data["name"])
        request.session[SESSION_KEY] = workspace.pk
        messages.success(request, f"Created {workspace.name}.")
        return redirect("accounts:team")
    return render(request, "accounts/workspace_new.html", {"form": form})


@login_required
def team(request):
    workspace = _workspace(request)
    can_manage = workspace.can_manage(request.user)
    context = {
        "memberships": workspace.memberships.select_related("user").order_by("created_at"),
        "invitations": workspace.invitations.pending() if can_manage else [],
        "can_manage": can_manage,
        "invite_form": InviteForm(),
        "roles": Membership.Role.choices,
        "new_invitation": None,
    }
    token = request.session.pop("new_invitation", None)
    if token and can_manage:
        context["new_invitation"] = request.build_absolute_uri(
            reverse("accounts:invite_accept", args=[token])
        )
    return render(request, "accounts/team.html", context)


@login_required
@require_POST
def invite_create(request):
    workspace = _managed_workspace(request)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Check the invitation: " + " ".join(m for e in form.errors.values() for m in e)
        )
        return redirect("accounts:team")
    invitation = actions.invite_member(
        workspace, request.user, role=form.cleaned_data["role"], email=form.cleaned_data["email"]
    )
    request.session["new_invitation"] = invitation.token
    return redirect("accounts:team")


@login_required
@require_POST
def invite_revoke(request, pk: int):
    workspace = _managed_workspace(request)
    invitation = get_object_or_404(Invitation, pk=pk, workspace=workspace)
    if not confirmed(request):
        return ask(
            request, key=f"invitation-{pk}", title="Revoke this invitation?", question="Revoke this invitation?",
            detail=f"Its link stops working for {invitation.email or 'anyone who has it'}.",
            action=reverse("accounts:invite_revoke", args=[pk]), yes="Yes, revoke", back_url=reverse("accounts:team"),
        )  # fmt: skip
    actions.revoke_invitation(invitation)
    messages.success(request, "Invitation revoked.")
    return redirect("accounts:team")


def invite_accept(request, token: str):
    invitation = Invitation.objects.select_related("workspace").filter(token=token).first()
    if invitation is None or not invitation.is_pending:
        return render(request, "accounts/invite_invalid.html", status=404)
    if not request.user.is_authenticated:
        return render(request, "accounts/invite_accept.html", {"invitation": invitation, "anonymous": True})
    if request.method == "POST":
        try:
            membership = actions.accept_invitation(token, request.user)
        except actions.InvitationError as exc:
            messages.error(request, str(exc))
            return redirect("home")
        request.session[SESSION_KEY] = membership.workspace_id
        messages.success(request, f"You joined {membership.workspace.name}.")
        return redirect("accounts:team")
    return render(request, "accounts/invite_accept.html", {"invitation": invitation})


@login_required
@require_POST
def member_role(request, pk: int):
    workspace = _managed_workspace(request)
    membership = get_object_or_404(Membership, pk=pk, workspace=workspace)
    form = RoleForm(request.POST)
    if form.is_valid():
        if form.cleaned_data["role"] == Membership.Role.OWNER and workspace.role_of(request.user) != "owner":
            raise PermissionDenied("Only an owner can make someone an owner.")
        try:
            actions.change_role(membership, form.cleaned_data["role"])
            messages.success(request, f"{membership.user} is now {membership.get_role_display().lower()}.")
        except ValueError as exc:
            messages.error(request, str(exc))
    return redirect("accounts:team")


@login_required
@require_POST
def member_remove(request, pk: int):
    workspace = _managed_workspace(request)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, workspace=workspace)
    if not confirmed(request):
        return ask(
            request, key=f"member-{pk}", title=f"Remove {membership.user}?",
            question=f"Remove {membership.user} from {workspace.name}?",
            detail="They lose access to its videos, clips and keys at once; an invitation brings them back.",
            action=reverse("accounts:member_remove", args=[pk]), yes="Yes, remove", back_url=reverse("accounts:team"),
        )  # fmt: skip
    try:
        actions.remove_member(membership)
        messages.success(request, f"Removed {membership.user} from {workspace.name}.")
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("accounts:team")


@login_required
def api_keys(request):
    """The workspace's keys and the form to create one (POST-redirect-GET).

    A created key's raw value crosses the redirect in the session, encrypted, and this page
    removes it as it shows it: a reload creates nothing and shows the key no more.
    """
    workspace = _workspace(request)
    can_manage = workspace.can_manage(request.user)
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Only owners and admins can create API keys.")
        if form.is_valid():
            created = actions.create_api_key(request.user, workspace, form.cleaned_data["name"])
            request.session[NEW_KEY] = {"key": created.key.pk, "token": encrypt(created.raw).decode()}
            return redirect("accounts:api_keys")
    new_key = _take_new_key(request, workspace) if can_manage else None
    keys = ApiKey.objects.filter(workspace=workspace).select_related("user") if can_manage else []
    response = render(
        request,
        "accounts/api_keys.html",
        {"keys": keys, "form": form, "new_key": new_key, "can_manage": can_manage},
        status=422 if form.errors else 200,
    )
    if new_key:
        add_never_cache_headers(response)
    return response


def _take_new_key(request, workspace: Workspace) -> actions.NewApiKey | None:
    """The key created just before this visit in ``workspace``, once; None when there is none."""
    stashed = request.session.pop(NEW_KEY, None)
    if not stashed:
        return None
    key = ApiKey.objects.filter(pk=stashed.get("key"), workspace=workspace).first()
    return actions.NewApiKey(key=key, raw=decrypt(stashed["token"].encode())) if key else None


@login_required
@require_POST
def api_key_revoke(request, pk: int):
    workspace = _managed_workspace(request)
    key = get_object_or_404(ApiKey, pk=pk, workspace=workspace)
    if not confirmed(request):
        return ask(
            request, key=f"key-{pk}", title=f"Revoke “{key.name}”?", question=f"Revoke “{key.name}”?",
            detail="Scripts and agents using it are refused from then on. This cannot be undone.",
            action=reverse("accounts:api_key_revoke", args=[pk]), yes="Yes, revoke",
            back_url=reverse("accounts:api_keys"),
        )  # fmt: skip
    actions.revoke_api_key(key)
    messages.success(request, f"Revoked “{key.name}”. Requests using it are refused from now on.")
    return redirect("accounts:api_keys")


@login_required
def minutes(request):
    workspace = _workspace(request)
    page = Paginator(workspace.minute_entries.select_related("created_by"), 25).get_page(request.GET.get("page"))
    days = workspace.minutes_used_per_day(days=30)
    peak = max((used for _, used in days), default=0)
    context = {"page": page, "plan": workspace.plan, "chart": _bar_chart(days, peak),
               "used_total": sum(used for _, used in days)}  # fmt: skip
    return render(request, "accounts/minutes.html", context)


CHART_WIDTH, CHART_HEIGHT = 600, 140


def _bar_chart(days: list, peak: int) -> list[dict]:
    """Bars for the minutes-per-day chart, in SVG user units (the template draws them)."""
    slot = CHART_WIDTH / max(1, len(days))
    bars = []
    for i, (day, used) in enumerate(days):
        height = 0 if not peak else round(CHART_HEIGHT * used / peak, 1)
        bars.append({"x": round(i * slot + 1, 1), "y": round(CHART_HEIGHT - height, 1), "width": round(slot - 2, 1),
                     "height": height, "day": day, "used": used})  # fmt: skip
    return bars
