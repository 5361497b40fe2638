"""Dashboard pages for webhooks: the endpoints of the workspace, a new one, and an endpoint's log.

Every page looks endpoints up among the workspaces the user belongs to and answers 404
otherwise, so an outsider cannot tell an id exists. Members see endpoints and their logs;
owners and admins change them, as for API keys. Every change is a POST answered with a
redirect; deleting asks first (:mod:`accounts.confirm`). A signing secret (at creation,
after a rotation) travels to the page that shows it through the session, encrypted, and
is removed from it by that page: a reload or a second visit shows it no more.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from accounts.confirm import ask, confirmed
from accounts.views import _workspace
from clipsite.crypto import decrypt, encrypt
from webhooks import actions
from webhooks.errors import WebhookError
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, Endpoint

LOG_PAGE_SIZE = 25
# The session key under which a new secret waits for the page that shows it.
STASH = "new_webhook_secret"
MANAGERS_ONLY = "Only owners and admins can change webhooks."
# The form field each domain error is about, when the action did not name one.
FORM_FIELDS = {"url_refused": "url", "invalid_event_type": "event_types", "invalid_scope": "video",
               "invalid_description": "description", "url": "url", "event_types": "event_types",
               "video": "video", "description": "description"}  # fmt: skip


def _endpoint(request, pk: int, *, manage: bool = False) -> Endpoint:
    """The endpoint ``pk`` in one of the user's workspaces (404 otherwise); with ``manage``,
    403 unless the user is an owner or admin of its workspace."""
    endpoint = get_object_or_404(Endpoint.objects.for_user(request.user).select_related("workspace"), pk=pk)
    if manage and not endpoint.workspace.can_manage(request.user):
        raise PermissionDenied(MANAGERS_ONLY)
    return endpoint


def success_line(stats: dict) -> str:
    """``"96% of 25 deliveries succeeded in 7 days"``, or that there were none."""
    total = stats["total"]
    if not total:
        return "No deliveries in the last 7 days."
    noun = "delivery" if total == 1 else "deliveries"
    return f"{round(100 * stats['succeeded'] / total)}% of {total} {noun} succeeded in 7 days."


def _stash_secret(request, endpoint: Endpoint, secret: str) -> None:
    request.session[STASH] = {"endpoint": endpoint.pk, "token": encrypt(secret).decode()}


def _take_secret(request, endpoint: Endpoint) -> str:
    """The secret stashed for ``endpoint``, once; "" when there is none."""
    stashed = request.session.get(STASH)
    if not stashed or stashed.get("endpoint") != endpoint.pk:
        return ""
    del request.session[STASH]
    return decrypt(stashed["token"].encode())


@login_required
def endpoint_list(request):
    workspace = _workspace(request)
    endpoints = list(Endpoint.objects.filter(workspace=workspace).select_related("video"))
    for endpoint in endpoints:
        endpoint.success = success_line(actions.endpoint_stats(endpoint))
    broken = [e for e in endpoints if not e.enabled and e.disabled_reason != Endpoint.DisabledReason.USER]
    return render(request, "webhooks/list.html", {
        "endpoints": endpoints, "broken": broken, "can_manage": workspace.can_manage(request.user),
    })  # fmt: skip


@login_required
def endpoint_new(request):
    workspace = _workspace(request)
    if not workspace.can_manage(request.user):
        raise PermissionDenied(MANAGERS_ONLY)
    form = EndpointForm(request.POST or None, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint, secret = actions.create_endpoint(
                workspace, request.user, url=data["url"], event_types=data["event_types"],
                description=data["description"], video=data["video"],
            )  # fmt: skip
        except WebhookError as exc:
            form.add_error(FORM_FIELDS.get(exc.field) or FORM_FIELDS.get(exc.code), exc.message)
        else:
            _stash_secret(request, endpoint, secret)
            return redirect("webhooks:detail", pk=endpoint.pk)
    return render(request, "webhooks/new.html", {"form": form}, status=422 if form.errors else 200)


def _log_context(request, endpoint: Endpoint) -> dict:
    page = Paginator(endpoint.deliveries.select_related("event"), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    active = any(d.status in (Delivery.Status.PENDING, Delivery.Status.SENDING) for d in page)
    return {"endpoint": endpoint, "page": page, "active": active, "now": timezone.now(),
            "can_manage": endpoint.workspace.can_manage(request.user)}  # fmt: skip


@login_required
def endpoint_detail(request, pk: int):
    endpoint = _endpoint(request, pk)
    secret = _take_secret(request, endpoint)
    context = {**_log_context(request, endpoint), "secret": secret,
               "success": success_line(actions.endpoint_stats(endpoint))}  # fmt: skip
    response = render(request, "webhooks/detail.html", context)
    if secret:
        add_never_cache_headers(response)
    return response


@login_required
def delivery_log(request, pk: int):
    """The delivery log alone, polled by htmx while a delivery in it is pending or sending."""
    return render(request, "webhooks/_log.html", _log_context(request, _endpoint(request, pk)))


@login_required
@require_POST
def endpoint_enabled(request, pk: int):
    endpoint = _endpoint(request, pk, manage=True)
    enable = request.POST.get("enabled") == "1"
    actions.update_endpoint(endpoint, enabled=enable)
    messages.success(request, "Enabled: new events are delivered again." if enable else
                     "Disabled: no events are delivered until you enable it.")  # fmt: skip
    return redirect("webhooks:detail", pk=endpoint.pk)


@login_required
@require_POST
def endpoint_rotate(request, pk: int):
    endpoint = _endpoint(request, pk, manage=True)
    _stash_secret(request, endpoint, actions.rotate_secret(endpoint))
    return redirect("webhooks:detail", pk=endpoint.pk)


@login_required
@require_POST
def endpoint_test(request, pk: int):
    endpoint = _endpoint(request, pk, manage=True)
    try:
        actions.send_test_event(endpoint)
    except WebhookError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Test event queued. It shows in the log below once sent.")
    return redirect("webhooks:detail", pk=endpoint.pk)


@login_required
@require_POST
def delivery_redeliver(request, pk: int, delivery_pk: int):
    endpoint = _endpoint(request, pk, manage=True)
    delivery = get_object_or_404(Delivery.objects.select_related("event"), pk=delivery_pk, endpoint=endpoint)
    try:
        actions.redeliver(delivery)
    except WebhookError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{delivery.event.type} queued to be sent again, with the same event id.")
    return redirect("webhooks:detail", pk=endpoint.pk)


@login_required
@require_POST
def endpoint_delete(request, pk: int):
    """Ask first (:mod:`accounts.confirm`); with ``confirm=yes``, delete the endpoint and its log."""
    endpoint = _endpoint(request, pk, manage=True)
    if not confirmed(request):
        return ask(
            request, key=f"endpoint-{pk}", title="Delete this endpoint?", question="Delete this endpoint?",
            detail="Events are no longer sent to it, and its delivery log is deleted. This cannot be undone.",
            action=reverse("webhooks:delete", args=[pk]), yes="Yes, delete",
            back_url=reverse("webhooks:detail", args=[pk]),
        )  # fmt: skip
    url = endpoint.url
    actions.delete_endpoint(endpoint)
    messages.success(request, f"Deleted the endpoint {url} and its delivery log.")
    return redirect("webhooks:list")
