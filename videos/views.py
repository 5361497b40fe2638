"""Dashboard pages for videos: the list, submitting one, and a video's live status and results.

Live state is polled with htmx. Each polled partial (a list row, the detail page's status
panel, its clip gallery's poller) carries ``hx-trigger="every 2s"`` only while its video is
still running, so polling stops by itself at completed or failed. Every page looks videos
up among the workspaces the user belongs to and answers 404 otherwise, so an outsider
cannot tell an id exists.

While clips render, the detail page shows each as soon as it is done: rendering clips are
placeholders that the gallery's one poller (:func:`video_clips`) swaps for their cards.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError

from accounts.confirm import ask, confirmed
from accounts.views import _workspace
from clips import views as clip_views
from clips.models import Clip
from clipsite.signed_media import signed_url
from videos import actions, estimate, progress
from videos.config import validate_config
from videos.errors import SubmitRefused
from videos.forms import NewVideoForm
from videos.models import Video
from videos.templatetags.timecodes import clock

PAGE_SIZE = 12
# The list's filters: a status, or every video still in the works.
LIST_FILTERS = (("", "All"), ("active", "In progress"), ("completed", "Completed"), ("failed", "Failed"))
# The most clip ids one gallery poll looks up: more than a video has clips (numberOfClips is
# at most 30), so a hand-made query cannot ask for a huge IN list.
MAX_WAITING = 100


def _video(request, pk: str) -> Video:
    """The video ``pk`` in one of the user's workspaces; 404 for anyone else."""
    return get_object_or_404(Video.objects.for_user(request.user).select_related("workspace__plan"), pk=pk)


def _for_rows(videos: list[Video]) -> list[Video]:
    """Give each video what its row shows: ``clock``, ``stage`` (its step's label) and ``thumb``,
    a signed link to the thumbnail of its best completed clip ("" when it has none)."""
    first: dict[str, str] = {}
    rows = (
        Clip.objects.filter(video__in=videos, status=Clip.Status.COMPLETED)
        .exclude(thumbnail="")
        .order_by("video_id", "rank")
        .values_list("video_id", "thumbnail")
    )
    for video_id, name in rows:
        first.setdefault(video_id, name)
    for video in videos:
        video.thumb = signed_url(first[video.pk]) if video.pk in first else ""
        video.clock = clock(video.duration)
        video.stage = progress.stage_label(video)
    return videos


@login_required
def video_list(request):
    workspace = _workspace(request)
    videos = workspace.videos.all()
    chosen = request.GET.get("status", "")
    if chosen == "active":
        videos = videos.exclude(status__in=Video.TERMINAL)
    elif chosen in Video.Status.values:
        videos = videos.filter(status=chosen)
    page = Paginator(videos, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "videos/list.html", {
        "page": page, "videos": _for_rows(list(page)), "filters": LIST_FILTERS, "chosen": chosen,
        "has_any": chosen != "" or page.paginator.count > 0,
    })  # fmt: skip


@login_required
def video_row(request, pk: str):
    """One list row, polled while its video runs."""
    return render(request, "videos/_row.html", {"video": _for_rows([_video(request, pk)])[0]})


# The page's status for a refused submission (a script's post always gets 422, the one
# error status the page's script shows the form for).
REFUSAL_STATUS = {
    SubmitRefused.PLATFORM_NOT_IN_PLAN: 403,
    SubmitRefused.UPLOAD_TOO_LARGE: 413,
    SubmitRefused.INSUFFICIENT_MINUTES: 402,
    SubmitRefused.UNSUPPORTED_MEDIA: 415,
}


def _submit(request, workspace, form: NewVideoForm) -> Video | None:
    """Validate the options and submit the video; on refusal add the reason to ``form`` and return None."""
    url, upload = form.cleaned_data["url"], form.cleaned_data["file"]
    try:
        config = validate_config(form.options(), workspace)
    except ValidationError as exc:
        form.add_config_errors(exc.detail)
        return None
    try:
        return actions.submit_video(workspace, request.user, config=config, url=url or "", upload=upload,
                                    gemini_key=form.cleaned_data["geminiKey"])  # fmt: skip
    except SubmitRefused as exc:  # the dashboard's one mapping: the reason on the field at fault, and a status
        form.add_error(exc.field or None, exc.message)
        form.refused_status = REFUSAL_STATUS.get(exc.code, 400)
    return None


@login_required
def video_new(request):
    """The submit form. Posted by the page's script (XHR, for the upload bar) or as a plain form.

    Script posts carry ``HX-Request`` and get the form back (422) on errors, or an
    ``HX-Redirect`` to the new video; plain posts get the page or a redirect.
    """
    workspace = _workspace(request)
    form = NewVideoForm(request.POST or None, request.FILES or None, defaults=workspace.default_config)
    if request.method == "POST" and form.is_valid():
        video = _submit(request, workspace, form)
        if video is not None:
            target = reverse("videos:detail", args=[video.pk])
            if request.htmx:
                response = HttpResponse(status=200)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    context = {"form": form, "plan": workspace.plan}
    template = "videos/_new_form.html" if request.htmx else "videos/new.html"
    status = 200
    if form.errors:
        status = 422 if request.htmx else getattr(form, "refused_status", 422)
    return render(request, template, context, status=status)


def _status_context(video: Video) -> dict:
    """The status panel's context (``video.stage``: its step's label); while clips render, how
    many of them are done; while it runs, the time left if this machine's speeds tell it."""
    counts = video.clip_status_counts() if video.status == Video.Status.GENERATING_CLIPS else {}
    video.stage = progress.stage_label(video)
    return {
        "video": video, "stages": progress.timeline(video), "can_retry": progress.can_retry(video),
        "time_left": estimate.describe(estimate.seconds_left(video)),
        "clips_total": sum(counts.values()),
        "clips_done": counts.get(Clip.Status.COMPLETED, 0) + counts.get(Clip.Status.FAILED, 0),
    }  # fmt: skip


@login_required
def video_status(request, pk: str):
    """The status panel, polled while the video runs.

    While clips render each response triggers ``clips-started``, and the one that first
    shows a finished video triggers ``video-finished``. A page still without its gallery
    (opened before there were clips) fetches its transcript and clips on either, once;
    one that shows the gallery already ignores both (its poller keeps the cards current).
    """
    video = _video(request, pk)
    response = render(request, "videos/_status.html", _status_context(video))
    if video.is_terminal:
        response["HX-Trigger"] = "video-finished"
    elif video.status == Video.Status.GENERATING_CLIPS:
        response["HX-Trigger"] = "clips-started"
    return response


def _transcript(video: Video) -> list[dict]:
    return [
        {"start": s["start"], "end": s["end"], "clock": clock(s["start"]), "text": s["sentence"]}
        for s in (video.transcript or {}).get("sentences", [])
    ]


@login_required
def video_detail(request, pk: str):
    """The video page; htmx requests (the gallery's filters, the load once clips exist)
    get only its results: the transcript and the clips.

    ``gallery_polls``: while the video runs, its rendering clips are placeholders that
    the gallery's poller watches, rather than cards that each poll themselves.
    """
    video = _video(request, pk)
    gallery = clip_views.gallery(video, request.GET)
    template = "videos/_results.html" if request.htmx else "videos/detail.html"
    return render(request, template, {
        **_status_context(video), **gallery, "sentences": _transcript(video), "clock": clock(video.duration),
        "can_delete": video.can_be_deleted_by(request.user), "gallery_polls": not video.is_terminal,
    })  # fmt: skip


@login_required
def video_clips(request, pk: str):
    """The gallery's poll while clips render; a request without htmx is sent to the page.

    ``waiting`` (repeated) names the clips the page shows as rendering placeholders. The
    answer is the poller again, polling only while the video runs, and, as out-of-band
    swaps, the card of each waiting clip whose render has finished, so a placeholder is
    replaced once and a finished card (maybe playing) never is. At a terminal state every
    waiting clip's card comes back, so no placeholder is left that nothing polls.
    """
    video = _video(request, pk)
    if not request.htmx:
        return redirect("videos:detail", pk=video.pk)
    polls = not video.is_terminal
    clips = video.clips.select_related("video").filter(pk__in=request.GET.getlist("waiting")[:MAX_WAITING])
    if polls:
        clips = clips.exclude(status__in=Clip.PENDING)
    return render(request, "videos/_clip_poll.html", {
        "video": video, "clips": [clip_views.decorate(clip) for clip in clips], "gallery_polls": polls,
    })  # fmt: skip


@login_required
@require_POST
def video_cancel(request, pk: str):
    """Ask first (the page's button asks in the browser and posts ``confirm=yes``); then cancel."""
    video = _video(request, pk)
    if not confirmed(request):
        return ask(
            request, key="cancel", title="Cancel processing?", question="Cancel processing this video?",
            detail="Its minutes are refunded; Retry starts it again from the beginning.",
            action=reverse("videos:cancel", args=[video.pk]), yes="Yes, cancel", keep="Keep processing",
            back_url=reverse("videos:detail", args=[video.pk]),
        )  # fmt: skip
    if actions.cancel(video, request.user):
        messages.success(request, "Cancelled. The minutes it was charged were refunded.")
    return redirect("videos:detail", pk=video.pk)


@login_required
@require_POST
def video_retry(request, pk: str):
    """Queue a failed video again, unless running it again would fail the same way (:mod:`videos.progress`)."""
    video = _video(request, pk)
    if video.status == Video.Status.FAILED and not progress.can_retry(video):
        messages.error(request, "Running this video again would fail the same way, so it was not queued.")
    elif actions.retry(video):
        messages.success(request, "Queued again from the start.")
    return redirect("videos:detail", pk=video.pk)


@login_required
@require_POST
def video_delete(request, pk: str):
    video = _video(request, pk)
    if not video.can_be_deleted_by(request.user):
        raise PermissionDenied("Only the person who submitted it, or an owner or admin, can delete it.")
    if not confirmed(request):
        return ask(
            request, key="delete", title="Delete this video?", question=f"Delete “{video.display_title}”?",
            detail="Its clips are deleted with it. This cannot be undone.",
            action=reverse("videos:delete", args=[video.pk]), yes="Yes, delete",
            back_url=reverse("videos:detail", args=[video.pk]),
        )  # fmt: skip
    title = video.display_title
    actions.delete(video, request.user)
    messages.success(request, f"Deleted “{title}” and its clips.")
    return redirect("videos:list")
