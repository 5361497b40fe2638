"""The video page's gallery: bulk actions on the clips ticked there (a streamed ZIP, a
re-render, a delete), and making a clip from words selected in the transcript.

Videos are looked up among the workspaces the user belongs to; anyone else gets 404,
and a selection holds only that video's clips.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.confirm import ask, confirmed
from clips import actions, archive, selection
from clips.models import Clip
from pipeline.types import Transcript
from pipeline.words import sentence_words
from videos.models import Video


def _video(request, pk: str) -> Video:
    """The video ``pk`` in one of the user's workspaces; 404 for anyone else."""
    return get_object_or_404(Video.objects.for_user(request.user), pk=pk)


def _seconds(value: str | None) -> float | None:
    """A posted number of seconds; None when it is missing or not a number."""
    try:
        return float(value or "")
    except ValueError:
        return None


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@login_required
@require_POST
def clips_bulk(request, pk: str):
    """Act on the clips ticked in the gallery (``clip``, repeated): ``action`` is ``zip`` (the
    download, streamed), ``rerender`` (``aspectRatio``, ``captionTemplate`` and ``brandKit``;
    blank keeps each clip's) or ``delete``, which asks first (:mod:`accounts.confirm`; the question's
    "yes" carries the selection in its URL). Then back to the video page with what was done,
    or why nothing was.
    """
    video = _video(request, pk)
    # The confirmation's "yes" form posts only confirm=yes; the selection rides in its URL.
    given = request.POST if "action" in request.POST else request.GET
    action, back = given.get("action", ""), redirect("videos:detail", pk=video.pk)
    try:
        clips = selection.select_clips(video, given.getlist("clip"))
    except selection.UnknownClips as exc:
        gone = len(exc.ids)
        messages.error(request, f"{gone} of the selected clips {'is' if gone == 1 else 'are'} no longer on this "
                                "video (deleted meanwhile?). Nothing was done; select again.")  # fmt: skip
        return back
    except actions.ClipEditError as exc:
        messages.error(request, str(exc))
        return back
    try:
        if action == "zip":
            return archive.zip_response(video, archive.entries(clips))
        if action == "rerender":
            selection.rerender_selection(clips, aspect_ratio=given.get("aspectRatio") or None,
                                         caption_template=given.get("captionTemplate") or None,
                                         brand_kit=given.get("brandKit") or None)  # fmt: skip
            messages.success(request, f"Re-rendering {_plural(len(clips), 'clip')}; each shows here when done.")
        elif action == "delete":
            if not confirmed(request):
                return _ask_delete(request, video, clips)
            selection.delete_selection(video, clips)
            messages.success(request, f"Deleted {_plural(len(clips), 'clip')}.")
        else:
            messages.error(request, "Choose what to do with the selected clips.")
    except (actions.ClipEditError, archive.NotRendered) as exc:
        messages.error(request, str(exc))
    return back


def _ask_delete(request, video: Video, clips: list[Clip]):
    query = urlencode([("action", "delete"), *(("clip", clip.pk) for clip in clips)])
    return ask(
        request, key="delete-clips", title="Delete clips?", question=f"Delete {_plural(len(clips), 'clip')}?",
        detail="Their files go too, and the minutes the video was charged are not refunded. This cannot be undone.",
        action=f"{reverse('clips:bulk', args=[video.pk])}?{query}", yes="Yes, delete", keep="Keep them",
        back_url=reverse("videos:detail", args=[video.pk]),
    )  # fmt: skip


def transcript_lines(video: Video) -> list[dict]:
    """The transcript to select words from: per sentence, its ``start`` and its ``words``
    (``text``, ``start``, ``end``), grouped as the clip's writer groups them."""
    transcript = Transcript.from_dict(video.transcript or {})
    return [
        {"start": sentence.start, "words": [{"text": w.text.strip(), "start": w.start, "end": w.end} for w in words]}
        for sentence, words in zip(transcript.sentences, sentence_words(transcript), strict=True)
        if words
    ]


@login_required
@require_GET
def video_words(request, pk: str):
    """The transcript's words with their times, loaded when "Make a clip" is opened."""
    video = _video(request, pk)
    return render(request, "clips/_pick_words.html", {"lines": transcript_lines(video)})


@login_required
@require_POST
def clip_make(request, pk: str):
    """Make a clip of the words spoken from ``start`` to ``end`` (seconds on the video's
    timeline, as the transcript's), scored and rendered as the found ones are.

    htmx gets ``HX-Redirect`` to the video page, or 422 with the reason to show beside the
    button (the selection stays); a plain post goes back to the page (at the new clip)
    with a message either way.
    """
    video = _video(request, pk)
    start, end = _seconds(request.POST.get("start")), _seconds(request.POST.get("end"))
    try:
        if start is None or end is None:
            raise actions.ClipEditError("start", "Select words in the transcript first, or type a start and end.")
        clip = actions.clip_from_span(video, start, end)
    except actions.ClipEditError as exc:
        if request.htmx:
            return render(request, "clips/_make_error.html", {"error": str(exc)}, status=422)
        messages.error(request, str(exc))
        return redirect(reverse("videos:detail", args=[video.pk]) + "#make-clip")
    messages.success(request, f"Made “{clip.title}” ({clip.duration:.1f} s). It shows among the clips once rendered.")
    page = reverse("videos:detail", args=[video.pk])
    # htmx goes to the page without the clip's #fragment: a URL that differs from the one shown
    # only by a fragment would scroll, not load the page with the new clip.
    return HttpResponseClientRedirect(page) if request.htmx else redirect(f"{page}#clip-{clip.pk}")
