"""Dashboard pages for Tracking: discovery, a signal's breakouts, enrichment jobs and storyboards
(tracked items are in :mod:`tracking.views_tracked`, which shares the refusal mapping here).

Every page acts in the user's current workspace: a signal or job of another workspace is a
404, so an outsider cannot tell an id exists. The work goes through :mod:`tracking.actions`
only, and what those refuse (:class:`TrendError`, ``QuotaExceeded``) becomes a message on
the page in one place, :func:`refused`, with the status viralcli's API answers for the same
error. htmx requests get 422 instead, the one error status the dashboard's htmx swaps in,
so the message shows where the form was.

An enrichment page polls its job every 2 s while it is queued or running; the partial of
a finished job carries no trigger, so polling stops by itself.
"""

from __future__ import annotations

import textwrap
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.actions import QuotaExceeded
from accounts.models import RESET_PERIOD, UsageEntry, Workspace
from accounts.views import _workspace
from tracking import actions
from tracking.errors import HTTP_STATUS, TrendError
from tracking.forms import DiscoveryForm, StoryboardForm
from tracking.models import EnrichmentJob, PlatformVideo, Signal, TrackedItem, TranscriptKind, history_start
from videos.forms import OPTION_FIELDS, NewVideoForm
from videos.models import Video
from videos.views import _submit, clock

REFUSALS = (TrendError, QuotaExceeded)
# The form field a refusal is about, where the form has it; the others show above the form.
FORM_FIELDS = {TrendError.PLATFORM_NOT_IN_PLAN: "platform", TrendError.SEARCH_UNSUPPORTED: "platform",
               TrendError.URL_REFUSED: "ref", TrendError.ALREADY_TRACKED: "ref"}  # fmt: skip
# The status of a refusal answered to htmx, which swaps in only 2xx and 422 (dashboard.js).
HTMX_REFUSED = 422
RECENT = 20
# The storyboard's stand-in image when it cannot be made: characters a line, pixels a line.
NOTE_WIDTH = 60
LINE_HEIGHT = 22


def refusal(exc: TrendError | QuotaExceeded) -> tuple[str, int, dict[str, str]]:
    """What the dashboard answers an action's refusal with: the message, the HTTP status
    (viralcli's for the same error) and headers (``Retry-After`` when waiting helps)."""
    if isinstance(exc, QuotaExceeded):
        return str(exc), 402, {}
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
    return exc.message, HTTP_STATUS.get(exc.code, 400), headers


def refused(request, exc, template: str, context: dict, *, form=None) -> HttpResponse:
    """Render ``template`` with the refusal's message on ``form`` (or among the page's
    messages) and its status."""
    message, status, headers = refusal(exc)
    if form is not None:
        field = FORM_FIELDS.get(getattr(exc, "code", ""))
        form.add_error(field if field in form.fields else None, message)
    else:
        messages.error(request, message)
    response = render(request, template, context, status=HTMX_REFUSED if request.htmx else status)
    for name, value in headers.items():
        response[name] = value
    return response


def _go(request, url: str) -> HttpResponse:
    """Redirect to ``url``; htmx follows ``HX-Redirect`` with a full page load."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _signals(workspace: Workspace):
    """The workspace's signals that its plan's history reaches back to, newest first."""
    signals = Signal.objects.filter(workspace=workspace)
    since = history_start(workspace)
    return signals if since is None else signals.filter(created_at__gte=since)


def _signal(request, pk: str) -> Signal:
    return get_object_or_404(_signals(_workspace(request)), pk=pk)


def _job(request, pk: str) -> EnrichmentJob:
    jobs = EnrichmentJob.objects.filter(workspace=_workspace(request)).select_related("video")
    return get_object_or_404(jobs, pk=pk)


def _breakout(signal: Signal, video_id: str) -> dict:
    """The breakout ``video_id`` of ``signal``; 404 for a video the discovery did not rank."""
    for breakout in signal.result.get("breakouts", []):
        if breakout.get("id") == video_id and breakout.get("url"):
            return breakout
    raise Http404("No such breakout in this discovery")


def _tracked_videos(workspace: Workspace, platform: str, video_ids: list[str]) -> dict[str, str]:
    """Which of these videos the workspace already tracks: video id -> tracked item id."""
    items = TrackedItem.objects.filter(workspace=workspace, kind=TrackedItem.Kind.VIDEO, video__platform=platform,
                                       video__video_id__in=video_ids)  # fmt: skip
    return dict(items.values_list("video__video_id", "pk"))


def _tracked_seed(workspace: Workspace, platform: str, seed: str) -> str | None:
    """The id of the workspace's tracked item for this seed (compared as the watcher does), if any."""
    items = TrackedItem.objects.filter(workspace=workspace, kind=TrackedItem.Kind.SEED, platform=platform,
                                       seed__iexact=" ".join(seed.split()))  # fmt: skip
    return items.values_list("pk", flat=True).first()


# Discovery ---------------------------------------------------------------------------------


def _usage(workspace: Workspace) -> list[dict]:
    """Discovery and enrichment use this month against the plan's quotas (None: unlimited)."""
    plan = workspace.plan
    rows = [("Discovery calls", workspace.discovery_used, plan.discovery_per_month, "discovery"),
            ("Enrichments", workspace.enrichment_used, plan.enrichment_per_month, "enrichment")]  # fmt: skip
    usage = []
    for label, used, quota, key in rows:
        percent = min(100, round(100 * used / quota)) if quota else 0
        usage.append({"label": label, "used": used, "quota": quota, "key": key, "percent": percent})
    return usage


def _home_context(workspace: Workspace, form: DiscoveryForm) -> dict:
    resets = workspace.minutes_reset_at + RESET_PERIOD if workspace.minutes_reset_at else None
    jobs = EnrichmentJob.objects.filter(workspace=workspace).select_related("video")[:RECENT]
    return {"form": form, "plan": workspace.plan, "usage": _usage(workspace), "resets": resets,
            "signals": _signals(workspace)[:RECENT], "jobs": jobs,
            "tracked_count": TrackedItem.objects.filter(workspace=workspace).count()}  # fmt: skip


@login_required
def tracking_home(request):
    """The discovery form, usage and recent work; a posted discovery runs here (synchronously)."""
    workspace = _workspace(request)
    # ?seed=&platform= prefill the form: a signal page's "Discover again" link.
    initial = {key: request.GET[key] for key in ("seed", "platform") if request.GET.get(key)}
    form = DiscoveryForm(request.POST or None, initial=initial, plan=workspace.plan)
    # htmx posts the form alone and swaps its answer in; every other request gets the page.
    template = "tracking/_discover_form.html" if request.htmx and request.method == "POST" else "tracking/list.html"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signal = actions.run_discovery(workspace, data["seed"], platform=data["platform"])
        except REFUSALS as exc:
            return refused(request, exc, template, _home_context(workspace, form), form=form)
        return _go(request, reverse("tracking:signal", args=[signal.pk]))
    return render(request, template, _home_context(workspace, form), status=422 if form.errors else 200)


def _histogram(bands: list[dict]) -> list[dict]:
    """Each band with ``height``: its median views per day as a percentage of the highest."""
    top = max((band.get("median_vpd") or 0 for band in bands), default=0)
    return [{**band, "height": round(100 * (band.get("median_vpd") or 0) / top) if top else 0} for band in bands]


def _signal_context(workspace: Workspace, signal: Signal) -> dict:
    """The signal page's context; each breakout gains ``tracked_item``, its tracked item's id (or None)."""
    result = signal.result
    breakouts = result.get("breakouts", [])
    tracked = _tracked_videos(workspace, signal.platform, [b.get("id") for b in breakouts])
    return {
        "signal": signal, "result": result, "detail": result.get("verdict_detail") or {},
        "bars": _histogram(result.get("adoption_histogram", [])),
        "breakouts": [{**b, "tracked_item": tracked.get(b.get("id"))} for b in breakouts],
        "history": _signals(workspace).for_seed(signal.seed)[:RECENT],
        "again": urlencode({"seed": signal.seed, "platform": signal.platform}),
        "tracked_seed": _tracked_seed(workspace, signal.platform, signal.seed),
    }  # fmt: skip


@login_required
def signal_detail(request, pk: str):
    signal = _signal(request, pk)
    return render(request, "tracking/signal.html", _signal_context(signal.workspace, signal))


@login_required
@require_POST
def signal_analyze(request, pk: str):
    """Queue the enrichment of one of the signal's breakouts and open its page."""
    signal = _signal(request, pk)
    breakout = _breakout(signal, request.POST.get("video", ""))
    try:
        job = actions.submit_analyze(signal.workspace, request.user, breakout["url"])
    except REFUSALS as exc:
        return refused(request, exc, "tracking/signal.html", _signal_context(signal.workspace, signal))
    return _go(request, reverse("tracking:job", args=[job.pk]))


# Clipping a platform video -----------------------------------------------------------------


def _clip(request, workspace: Workspace, url: str) -> tuple[Video | None, str]:
    """Submit ``url`` as a new video with the workspace's default clip options, as the
    new-video form posts them; return the video, or None and why it was refused."""
    blank = NewVideoForm(defaults=workspace.default_config)
    posted = {name: blank[name].initial for name in OPTION_FIELDS} | {"url": url}
    form = NewVideoForm(posted, {}, defaults=workspace.default_config)
    video = _submit(request, workspace, form) if form.is_valid() else None
    return video, " ".join(str(message) for errors in form.errors.values() for message in errors)


def _clipped(request, video: Video) -> HttpResponse:
    messages.success(request, "Sent to clipping with the workspace's default clip options.")
    return _go(request, reverse("videos:detail", args=[video.pk]))


@login_required
@require_POST
def signal_clip(request, pk: str):
    """Submit one of the signal's breakouts as a video to clip."""
    signal = _signal(request, pk)
    video, problem = _clip(request, signal.workspace, _breakout(signal, request.POST.get("video", ""))["url"])
    if video is None:
        messages.error(request, problem)
        return render(request, "tracking/signal.html", _signal_context(signal.workspace, signal), status=422)
    return _clipped(request, video)


# Enrichment jobs ---------------------------------------------------------------------------


def _video_link(job: EnrichmentJob) -> str:
    """The platform link of the job's video (a pipeline job knows it once it has run)."""
    return job.video.url if job.video is not None else job.url


def _refunded(job: EnrichmentJob) -> bool:
    refunds = UsageEntry.objects.filter(workspace_id=job.workspace_id, kind=UsageEntry.Kind.ENRICHMENT,
                                        reason=UsageEntry.Reason.REFUND)  # fmt: skip
    return refunds.filter(reference=job.usage_reference).exists()


def _known_video(job: EnrichmentJob) -> PlatformVideo | None:
    """The video the job enriches as Clipsite already knows it (from a discovery), before the job is done."""
    if job.video is not None or not job.url:
        return job.video
    try:
        ref = actions.parse_link(job.url)
    except TrendError:  # a link accepted when the job was submitted, refused by today's rules
        return None
    return PlatformVideo.objects.seen_by(job.workspace).filter(platform=ref.platform, video_id=ref.video_id).first()


def _tracked_job_video(job: EnrichmentJob, known: PlatformVideo | None) -> str | None:
    """The id of the workspace's tracked item for the job's video, if it tracks it."""
    if known is None:
        return None
    return _tracked_videos(job.workspace, known.platform, [known.video_id]).get(known.video_id)


def _job_context(job: EnrichmentJob, *, storyboard: bool = False) -> dict:
    """The job page's context. ``enriched`` is the analyze result (a pipeline's, its top breakout's)."""
    result = job.result or {}
    enriched = result.get("enriched", result)
    kind = enriched.get("transcript_kind", "")
    known = _known_video(job)
    return {
        "job": job, "enriched": enriched, "link": _video_link(job),
        "title": enriched.get("title") or (known.title if known else "") or job.url or f"Top breakout of “{job.seed}”",
        "duration": clock(enriched.get("duration_sec")),
        "transcript_kind": TranscriptKind(kind).label if kind in TranscriptKind.values else "",
        "refunded": job.status == EnrichmentJob.Status.ERROR and job.charged and _refunded(job),
        "show_storyboard": storyboard,
        "tracked_video": _tracked_job_video(job, known),
    }  # fmt: skip


@login_required
def job_detail(request, pk: str):
    """An enrichment's page; ``?storyboard=1`` shows the storyboard (made, and charged, on load)."""
    job = _job(request, pk)
    return render(request, "tracking/job.html", _job_context(job, storyboard=request.GET.get("storyboard") == "1"))


@login_required
def job_status(request, pk: str):
    """The job's panel, polled while it is queued or running."""
    return render(request, "tracking/_job.html", _job_context(_job(request, pk)))


@login_required
@require_POST
def job_clip(request, pk: str):
    """Submit the enriched video as a video to clip."""
    job = _job(request, pk)
    link = _video_link(job)
    if not link:
        raise Http404("This job has no video yet")
    video, problem = _clip(request, job.workspace, link)
    if video is None:
        messages.error(request, problem)
        return render(request, "tracking/job.html", _job_context(job), status=422)
    return _clipped(request, video)


# Storyboards -------------------------------------------------------------------------------


def _note_image(message: str, status: int, headers: dict[str, str] | None = None) -> HttpResponse:
    """An SVG saying ``message``, answered where the storyboard image would be, so the
    page shows why there is none."""
    lines = [(32 + LINE_HEIGHT * index, text) for index, text in enumerate(textwrap.wrap(message, NOTE_WIDTH))]
    context = {"message": message, "lines": lines, "height": 24 + LINE_HEIGHT * len(lines)}
    svg = render_to_string("tracking/storyboard_note.svg", context)
    response = HttpResponse(svg, content_type="image/svg+xml", status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@login_required
def storyboard(request):
    """A JPEG contact sheet of the video ``url`` links to; costs 1 enrichment, never stored."""
    workspace = _workspace(request)
    form = StoryboardForm(request.GET)
    if not form.is_valid():
        return _note_image(" ".join(str(m) for errors in form.errors.values() for m in errors), 400)
    try:
        jpeg = actions.make_storyboard(workspace, form.cleaned_data["url"], form.cleaned_data["density"])
    except REFUSALS as exc:
        return _note_image(*refusal(exc))
    response = HttpResponse(jpeg, content_type="image/jpeg")
    # Kept by this browser only, so going back to the page does not make (and charge) it again.
    response["Cache-Control"] = "private, max-age=600"
    return response
