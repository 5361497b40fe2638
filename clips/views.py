"""Dashboard pages for clips: the gallery's filters, a clip's card, favoriting and the editor.

The editor's speaker track pins the crop to a person through a form of its own (its
inputs sit under the word strip but belong to it), so a pin is saved without a reload
and without submitting, or losing, the re-render form's unsaved changes.

A card polls itself (``hx-trigger="every 2s"``) only while its clip is rendering, so a
re-render shows ``recompiling`` live and polling stops once it is completed or failed.
Clips are looked up among the workspaces the user belongs to; anyone else gets 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clips import actions
from clips import words as wording
from clips.forms import CaptionWordForm, ClipTextForm
from clips.models import SORT_FIELDS, Clip
from clips.preview import preview_context
from clips.track import speaker_track
from clipsite.signed_media import signed_url
from pipeline.words import WordEditError, clean_emoji
from videos.forms import ClipEditForm
from videos.models import Video

# Ssemble's score bands: (lowest score, label, badge colour).
SCORE_BANDS = (
    (80, "Excellent", "green"), (60, "Good", "blue"), (40, "Average", "amber"), (0, "Below average", "red"),
)  # fmt: skip
# How far around the clip the editor's word strip reaches, in seconds.
STRIP_MARGIN = 15.0
# The words a user can write, as the editor names them.
TEXT_LABELS = {"title": "title", "hooks": "hooks", "description": "description", "hashtags": "hashtags",
               "hook_text": "hook text"}  # fmt: skip


def _clip(request, pk: str) -> Clip:
    """The clip ``pk`` in one of the user's workspaces; 404 for anyone else."""
    return get_object_or_404(Clip.objects.for_user(request.user).select_related("video"), pk=pk)


def score_band(score: int) -> tuple[str, str]:
    """Ssemble's label for a score and the badge colour that goes with it."""
    return next((label, colour) for low, label, colour in SCORE_BANDS if score >= low)


def decorate(clip: Clip) -> Clip:
    """Give a clip what its card shows: signed links (one hour), its score band and the post text."""
    name = clip.file.name
    clip.play_url = signed_url(name) if name else ""
    clip.download_url = signed_url(name, download_name=clip.download_name) if name else ""
    clip.poster_url = signed_url(clip.thumbnail.name) if clip.thumbnail else ""
    clip.band, clip.band_colour = score_band(clip.score)
    # Descriptions usually end with their hashtags already; add only the ones missing.
    words = clip.description.split()
    clip.post_text = " ".join([clip.description, *(tag for tag in clip.hashtags if tag not in words)]).strip()
    clip.pending = clip.status in Clip.PENDING
    return clip


def gallery(video: Video, params: QueryDict) -> dict:
    """A video's clips filtered and sorted by the API's parameters, as template context.

    ``minScore`` (0-100), ``status``, ``favorited`` ("true"), ``sortBy`` (score or
    duration, default score) and ``sortOrder`` (asc or desc, default desc). Values that
    do not parse are ignored, as a filter form can only send sensible ones.
    """
    chosen = {
        "minScore": params.get("minScore", ""),
        "status": params.get("status", ""),
        "favorited": params.get("favorited", "") in ("true", "1", "on"),
        "sortBy": params.get("sortBy", "score") if params.get("sortBy") in SORT_FIELDS else "score",
        "sortOrder": "asc" if params.get("sortOrder") == "asc" else "desc",
    }
    clips = video.clips.select_related("video").filtered(
        min_score=int(chosen["minScore"]) if chosen["minScore"].isdigit() else None,
        status=chosen["status"] if chosen["status"] in Clip.Status.values else None,
        favorited=True if chosen["favorited"] else None,
        sort_by=chosen["sortBy"],
        sort_order=chosen["sortOrder"],
    )
    return {
        "clips": [decorate(clip) for clip in clips],
        "clip_count": video.clips.count(),
        "chosen": chosen,
        "clip_statuses": Clip.Status.choices,
        "score_filters": [(str(low), f"{label} ({low}+)") for low, label, _ in SCORE_BANDS if low],
    }


@login_required
def clip_card(request, pk: str):
    """One clip's card, polled while it renders."""
    return render(request, "clips/_card.html", {"clip": decorate(_clip(request, pk))})


@login_required
@require_POST
def clip_favorite(request, pk: str):
    """Set (``favorited=true``) or clear the favorite; htmx gets the button back to swap in."""
    clip = _clip(request, pk)
    actions.set_favorite(clip, request.POST.get("favorited") == "true")
    if request.htmx:
        return render(request, "clips/_favorite.html", {"clip": clip})
    return redirect("videos:detail", pk=clip.video_id)


def _strip(clip: Clip) -> list[dict]:
    """The transcript words around the clip, for the editor's word strip."""
    low, high = clip.start - STRIP_MARGIN, clip.end + STRIP_MARGIN
    return [
        {**word, "text": word["text"].strip(), "inside": clip.start <= word["start"] < clip.end}
        for word in (clip.video.transcript or {}).get("words", [])
        if low <= word["start"] <= high
    ]


def _editor(request, clip: Clip, form: ClipEditForm, *, pin_error: str = "", status: int = 200,
            text_form: ClipTextForm | None = None, word_form: CaptionWordForm | None = None):  # fmt: skip
    """The editor page, or its partial for htmx."""
    context = {
        "clip": decorate(clip), "form": form, "words": _strip(clip), "track": speaker_track(clip),
        "pin_error": pin_error, "text_form": text_form or ClipTextForm(clip=clip),
        "kept_text": [label for name, label in TEXT_LABELS.items() if name in clip.user_edited],
        **_captions(clip, _picked(request), word_form), **preview_context(clip),
    }  # fmt: skip
    template = "clips/_editor.html" if request.htmx else "clips/edit.html"
    return render(request, template, context, status=status)


@login_required
def clip_edit(request, pk: str):
    """The editor: new start and end, caption style, aspect ratio, hook and layout, then a
    re-render (with the clip's saved pins).

    htmx requests get the editor partial. A successful post redirects back here (htmx
    follows it and swaps the editor in), where the card shows ``recompiling`` and polls
    until the new render is done.
    """
    clip = _clip(request, pk)
    form = ClipEditForm(request.POST or None, clip=clip)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.rerender(
                clip, start=data["start"], end=data["end"], caption_template=data["captionTemplate"],
                captions=data["enableCaptions"], aspect_ratio=data["aspectRatio"], hook_text=data["hookText"],
                auto_hook=data["enableAutoHook"], layout=data["layout"] or None,
                brand_kit=data["brandKit"] if "brandKit" in request.POST else None,
            )  # fmt: skip
            return redirect("clips:edit", pk=clip.pk)
        except actions.ClipEditError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
    return _editor(request, clip, form, status=422 if form.errors else 200)


def _track(request, clip: Clip, error: str = ""):
    """After a pin changed: htmx gets the speaker track; a plain post goes back to the editor."""
    status = 422 if error else 200
    if request.htmx:
        context = {"clip": clip, "track": speaker_track(clip), "pin_error": error}
        return render(request, "clips/_speakers.html", context, status=status)
    if not error:
        return redirect("clips:edit", pk=clip.pk)
    return _editor(request, clip, ClipEditForm(clip=clip), pin_error=error, status=status)


def _posted_number(value: str | None) -> float | None:
    """A posted number; None when it is missing or not one."""
    try:
        return float(value or "")
    except ValueError:
        return None


@login_required
@require_POST
def clip_pin(request, pk: str):
    """Pin the crop to speaker ``pinSpeaker`` from ``pinStart`` to ``pinEnd`` (seconds into
    the clip) for its next render; 422 with the reason on the track when it cannot be."""
    clip = _clip(request, pk)
    start, end = _posted_number(request.POST.get("pinStart")), _posted_number(request.POST.get("pinEnd"))
    speaker = _posted_number(request.POST.get("pinSpeaker"))
    if start is None or end is None:
        return _track(request, clip, "Give the stretch to pin: its start and end, in seconds into the clip.")
    if speaker is None or not speaker.is_integer():
        return _track(request, clip, "Choose the speaker the crop should follow.")
    try:
        actions.add_pin(clip, start, end, int(speaker))
    except actions.ClipEditError as exc:
        return _track(request, clip, str(exc))
    return _track(request, clip)


@login_required
@require_POST
def clip_unpin(request, pk: str):
    """Remove the pin that starts at ``pinned`` (seconds into the clip); pins never overlap,
    so its start names it, whatever was added or removed meanwhile."""
    clip = _clip(request, pk)
    start = _posted_number(request.POST.get("pinned"))
    if start is not None:
        actions.remove_pin(clip, start)
    return _track(request, clip)


def _picked(request) -> int | None:
    """The caption word the request picks (``word``), if any."""
    value = request.POST.get("word") or request.GET.get("word") or ""
    return int(value) if value.isdigit() else None


def _captions(clip: Clip, picked: int | None, form: CaptionWordForm | None = None) -> dict:
    """The caption editor's context: the clip's words, the picked one and its form."""
    words = wording.caption_words(clip)
    chosen = next((word for word in words if word["index"] == picked), None)
    if chosen is not None and form is None:
        form = CaptionWordForm(initial={"word": chosen["index"], "at": chosen["start"], "text": chosen["text"],
                                        "emphasis": chosen["emphasis"], "emoji": chosen["emoji"]})  # fmt: skip
    following = next((word for word in words if chosen and word["index"] == chosen["index"] + 1), None)
    return {"caption_words": words, "picked": chosen, "next_word": following, "word_form": form if chosen else None}


@login_required
def clip_words(request, pk: str):
    """The caption editor: its words, ``word`` picking one to edit (GET); that word saved or
    merged with the next (POST, see :class:`~clips.forms.CaptionWordForm`).

    htmx gets the caption editor back (422 with the reason when the edit cannot be made);
    a plain request goes to the editor page with the word picked.
    """
    clip = _clip(request, pk)
    form = CaptionWordForm(request.POST) if request.method == "POST" else None
    picked = _picked(request)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "merge":
                wording.correct_word(clip, data["word"], at=data["at"], merge=True)
            else:
                emoji = clean_emoji(data["emoji"])  # checked before anything changes
                wording.correct_word(clip, data["word"], at=data["at"], text=data["text"])
                if data["text"].strip():
                    wording.style_word(clip, data["word"], at=data["at"], emphasis=data["emphasis"], emoji=emoji)
                else:  # removed: its place now holds the next word, which was not picked
                    picked = None
            form = None
        except WordEditError as exc:  # the word and its time are hidden: their errors are the form's
            form.add_error(exc.field if exc.field in ("text", "emoji") else None, str(exc))
    status = 422 if form is not None and form.errors else 200
    if not request.htmx:
        if status == 200:
            return redirect(reverse("clips:edit", args=[clip.pk]) + (f"?word={picked}" if picked is not None else ""))
        return _editor(request, clip, ClipEditForm(clip=clip), word_form=form, status=status)
    context = {"clip": clip, **_captions(clip, picked, form)}
    return render(request, "clips/_captions.html", context, status=status)


@login_required
@require_POST
def clip_text(request, pk: str):
    """Save the clip's title, hooks, description and hashtags as the user wrote them
    (kept when the clip is trimmed); back to the editor, or 422 with what is wrong."""
    clip = _clip(request, pk)
    form = ClipTextForm(request.POST, clip=clip)
    if form.is_valid():
        wording.edit_text(clip, **form.fields_for())
        return redirect("clips:edit", pk=clip.pk)
    return _editor(request, clip, ClipEditForm(clip=clip), text_form=form, status=422)
