"""Dashboard downloads of a video's exports and captions, and its edited-timeline upload.

The same files as the API's (:mod:`clips.api_exports`), behind the video page's Export
menu (``clips/_export_menu.html``). Videos and clips are looked up among the user's
workspaces; anyone else gets 404. Problems come back to the video page as messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from clips import exports
from clips.models import Clip
from videos.models import Video


def _video(request, pk: str) -> Video:
    return get_object_or_404(Video.objects.for_user(request.user), pk=pk)


def _format(request, choices) -> str:
    fmt = request.GET.get("format", choices[0])
    if fmt not in choices:
        raise Http404("No such export format.")
    return fmt


@login_required
def video_export(request, pk: str):
    """The video's clips as ``?format=`` (otio, fcpxml, edl, srt or vtt)."""
    video = _video(request, pk)
    try:
        return exports.video_export(video, _format(request, tuple(exports.FORMATS)), request).response()
    except LookupError as exc:
        messages.error(request, str(exc))
        return redirect("videos:detail", pk=video.pk)


@login_required
def video_source(request, pk: str):
    """The stored source, under the name the exports give it (a fresh signed link)."""
    video = _video(request, pk)
    if not video.source_file:
        messages.error(request, "The source of this video has been deleted after its retention period.")
        return redirect("videos:detail", pk=video.pk)
    return redirect(exports.source_url(video, request))


@login_required
def clip_captions(request, pk: str):
    """The clip's captions as ``?format=`` (srt or vtt), timed from the clip's start."""
    clip = get_object_or_404(Clip.objects.for_user(request.user).select_related("video"), pk=pk)
    return exports.clip_captions(clip, _format(request, exports.CAPTION_FORMATS)).response()


# The CSRF check reads the form, so it runs once the body's size is known to be sensible.
@csrf_exempt
@login_required
@require_POST
def video_timeline(request, pk: str):
    """Re-render the clips whose in or out points the uploaded ``timeline`` (.otio) moved."""
    if exports.body_too_large(request):
        get_object_or_404(Video.objects.for_user(request.user), pk=pk)
        messages.error(request, exports.TOO_LARGE)
        return redirect("videos:detail", pk=pk)
    return _apply_timeline(request, pk)


@csrf_protect
def _apply_timeline(request, pk: str):
    video = _video(request, pk)
    upload = request.FILES.get("timeline")
    if upload is None:
        messages.error(request, "Choose the edited timeline (.otio) to upload.")
        return redirect("videos:detail", pk=video.pk)
    try:
        queued, _ = exports.apply_timeline(video, upload.read(exports.MAX_TIMELINE_BYTES + 1))
    except exports.TimelineRefused as exc:
        messages.error(request, exc.message)
    else:
        if queued:
            titles = ", ".join(f"\u201c{clip.title}\u201d" for clip in queued)
            messages.success(request, f"Re-rendering {len(queued)} clip{'s' if len(queued) > 1 else ''}: {titles}.")
        else:
            messages.info(request, "No clip's in or out point changed, so nothing was re-rendered.")
    return redirect("videos:detail", pk=video.pk)
