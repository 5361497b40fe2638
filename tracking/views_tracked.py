"""Dashboard pages for tracked items: the list with its add form, an item's page, deleting.

Like the rest of Tracking (:mod:`tracking.views`), every page acts in the user's current
workspace and another workspace's item is a 404. Items are created and deleted through
:mod:`tracking.watcher` only; what it refuses becomes a message on the form's right field
through :func:`tracking.views.refused`, with the status viralcli's API answers.

An item's page shows its velocity chart (views per day between snapshots, from
:func:`pipeline.trends.trajectory.velocities`) and, while the watcher still polls it,
refreshes its status part every 30 s; a stopped item's part carries no trigger.
Deleting asks first: the delete form posts without ``confirm``, and the answer is an
"are you sure" page (htmx: the same question swapped in where the button was) whose
form posts again with it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Workspace
from accounts.views import _workspace
from pipeline.trends.trajectory import EventState, Metrics, velocities
from tracking import charts, watcher
from tracking.forms import TrackedItemForm
from tracking.models import Snapshot, TrackedItem
from tracking.views import REFUSALS, _go, refused

PAGE_SIZE = 25


def _items(workspace: Workspace):
    return TrackedItem.objects.filter(workspace=workspace).select_related("workspace__plan", "video", "last_signal")


def _item(request, pk: str) -> TrackedItem:
    return get_object_or_404(_items(_workspace(request)), pk=pk)


def _trajectory(item: TrackedItem) -> tuple[list[Snapshot], Metrics | None, charts.Series]:
    """A video item's snapshots in the workspace's history window, their metrics and their
    velocity series; nothing for a seed or a video not read yet."""
    if item.video is None:
        return [], None, []
    snapshots, metrics = watcher.trajectory_of(item.workspace, item.video)
    return snapshots, metrics, velocities(watcher.readings_of(snapshots))


def _past_peak(item: TrackedItem) -> bool:
    """Whether the item's ``peaking`` event fired and the velocity has not risen since (the watcher's event state)."""
    return not EventState.from_dict(item.event_state or {}).peaking_armed


# The list and the add form ------------------------------------------------------------------


def _list_context(workspace: Workspace, form: TrackedItemForm, page_number=None) -> dict:
    page = Paginator(_items(workspace), PAGE_SIZE).get_page(page_number)
    rows = []
    for item in page:
        _, metrics, series = _trajectory(item)
        spark = charts.sparkline(series)
        rows.append({"item": item, "metrics": metrics, "spark": spark, "past_peak": _past_peak(item)})
    plan = workspace.plan
    return {"form": form, "rows": rows, "page": page, "plan": plan, "limit": plan.tracked_items}


@login_required
def tracked_list(request):
    """The workspace's tracked items and the form to add one; a posted item is created here.

    The "Add to tracking" buttons on signal and job pages post here with the form's fields
    prefilled; a refusal shows this page with the form as they posted it.
    """
    workspace = _workspace(request)
    form = TrackedItemForm(request.POST or None, plan=workspace.plan)
    template = "tracking/_tracked_form.html" if request.htmx and request.method == "POST" else "tracking/tracked.html"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = watcher.create_tracked_item(
                workspace, request.user, kind=data["kind"], ref=data["ref"], platform=data["platform"],
                interval_sec=data["interval_sec"], auto_clip=data["auto_clip"],
                auto_clip_creator=data["auto_clip_creator"],
            )  # fmt: skip
        except REFUSALS as exc:
            return refused(request, exc, template, _list_context(workspace, form), form=form)
        messages.success(request, "Now tracking it: the first poll is queued and this page updates as it runs.")
        return _go(request, reverse("tracking:tracked_item", args=[item.pk]))
    context = _list_context(workspace, form, request.GET.get("page"))
    return render(request, template, context, status=422 if form.errors else 200)


# One item -----------------------------------------------------------------------------------


def _status_context(item: TrackedItem) -> dict:
    _, metrics, _ = _trajectory(item)
    return {"item": item, "metrics": metrics, "past_peak": _past_peak(item)}


def _snapshot_rows(snapshots: list, uploaded_at) -> list[dict]:
    """Each snapshot, newest first, with its views per day since the one before (None for the
    first, or one too close to it to measure) and over its lifetime."""
    rows = []
    previous = None
    for snapshot in snapshots:
        since = velocities(watcher.readings_of([previous, snapshot])) if previous is not None else []
        rows.append({"snapshot": snapshot, "interval_vpd": since[0][1] if since else None,
                     "lifetime_vpd": snapshot.views_per_day(uploaded_at)})  # fmt: skip
        previous = snapshot
    return rows[::-1]


def _signal_rows(item: TrackedItem) -> list[dict]:
    """A seed's verdict history, newest first, each with its top breakout."""
    signals = watcher.signal_history(item)[::-1]
    return [{"signal": signal, "top": next(iter(signal.result.get("breakouts") or []), None)} for signal in signals]


@login_required
def tracked_item(request, pk: str):
    item = _item(request, pk)
    snapshots, _, series = _trajectory(item)
    context = _status_context(item) | {
        "chart": charts.velocity_chart(series),
        "snapshots": _snapshot_rows(snapshots, item.video.uploaded_at if item.video else None),
        "signals": _signal_rows(item) if item.kind == TrackedItem.Kind.SEED else [],
    }
    return render(request, "tracking/tracked_item.html", context)


@login_required
def tracked_status(request, pk: str):
    """The item's status part, polled every 30 s while the watcher polls the item."""
    return render(request, "tracking/_tracked_status.html", _status_context(_item(request, pk)))


@login_required
@require_POST
def tracked_delete(request, pk: str):
    """Ask, then stop tracking: without ``confirm`` answer the question (a page, or for htmx
    the fragment to put where the button was), whose "Keep it" goes ``back`` to the list or
    the item; with ``confirm``, delete and go to the list."""
    item = _item(request, pk)
    if request.POST.get("confirm") != "yes":
        template = "tracking/_tracked_confirm.html" if request.htmx else "tracking/tracked_delete.html"
        back = "tracking:tracked" if request.POST.get("back") == "list" else None
        back_url = reverse(back) if back else reverse("tracking:tracked_item", args=[pk])
        return render(request, template, {"item": item, "back_url": back_url})
    label = item.label
    watcher.delete_tracked_item(item)
    messages.success(request, f"Stopped tracking “{label[:80]}”. Its snapshots and signals are kept.")
    return _go(request, reverse("tracking:tracked"))
