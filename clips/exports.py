"""A video's clips as editable timelines and captions, and edited timelines read back.

The formats are built by :mod:`pipeline.timeline` and :mod:`pipeline.timeline_fcpxml`
from plain data; this gathers a video's rows into that data and applies an edited
``.otio`` to the clips. See docs/exports.md for what each format carries.

The media every clip cuts from is the video's stored source, named for the editor as
:func:`media_name` says and linked by a signed URL (valid one hour) that downloads it
under that name. Clip times are on that file's timeline.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePosixPath

from django.db import transaction
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from clips import actions
from clips.models import Clip
from clipsite.signed_media import signed_url
from pipeline import timeline as tl
from pipeline.captions import DEFAULT_TEMPLATE
from pipeline.timeline_fcpxml import to_fcpxml
from pipeline.types import Word
from videos.models import Video

# format -> (content type, file extension)
FORMATS = {
    "otio": ("application/json", "otio"),
    "fcpxml": ("application/xml", "fcpxml"),
    "edl": ("text/plain", "edl"),
    "srt": ("application/x-subrip", "srt"),
    "vtt": ("text/vtt", "vtt"),
}
CAPTION_FORMATS = ("srt", "vtt")
# An exported .otio of 30 one-minute clips is a few hundred KB; anything past this is not one.
MAX_TIMELINE_BYTES = 5 * 1024 * 1024
TOO_LARGE = (
    f"The timeline file is larger than {MAX_TIMELINE_BYTES // (1024 * 1024)} MB; upload the .otio exported here."
)
NO_CLIPS = "This video has no clips to export yet."
# What a form adds to the file it carries: boundaries, headers, the CSRF token.
FORM_OVERHEAD = 64 * 1024


class TimelineRefused(Exception):
    """An uploaded timeline refused as a whole; ``status`` is 400, or 409 when a clip
    cannot be re-rendered now (already rendering, source deleted, video not finished)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclasses.dataclass(frozen=True)
class Download:
    content: str
    content_type: str
    filename: str

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, content_type=f"{self.content_type}; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, self.filename)
        return response


def media_name(video: Video) -> str:
    """The source's file name for an editor: the uploaded file's own name, or the title's
    for a link; with the processed range in it when only part of the original was kept,
    since then the stored source is that part and the original would not line up."""
    suffix = PurePosixPath(video.source_file.name or "source.mp4").suffix or ".mp4"
    uploaded = PurePosixPath(video.source_name.replace("\\", "/")).name if video.source_name else ""
    stem = slugify(PurePosixPath(uploaded).stem)[:60] if uploaded else slugify(video.title)[:60]
    stem, suffix = stem or video.pk, PurePosixPath(uploaded).suffix.lower() or suffix
    config = video.config or {}
    if video.source_offset or config.get("start") is not None or config.get("end") is not None:
        start = video.source_offset
        stem += f"_{start:g}s-{start + (video.duration or 0):g}s"
    return f"{stem}{suffix}"


def source_url(video: Video, request=None) -> str:
    """A signed link to the stored source, downloaded under :func:`media_name`; the bare
    name once retention has deleted the source (the editor relinks their own copy)."""
    if not video.source_file:
        return media_name(video)
    return signed_url(video.source_file.name, download_name=media_name(video), request=request)


def _media(video: Video, request=None) -> tl.Media:
    info = video.media_info or {}
    return tl.Media(
        name=media_name(video), url=source_url(video, request), duration=video.duration or 0.0,
        width=int(info.get("width") or 0), height=int(info.get("height") or 0), fps=float(info.get("fps") or 0.0),
        has_audio=bool(info.get("has_audio", True)), offset=video.source_offset,
        language=video.language or (video.transcript or {}).get("language") or "en",
    )  # fmt: skip


def _words(video: Video) -> list[Word]:
    return [Word.from_dict(word) for word in (video.transcript or {}).get("words", [])]


def _cut(clip: Clip, words: list[Word]) -> tl.ClipCut:
    return tl.ClipCut(
        id=clip.pk, title=clip.title, start=clip.start, end=clip.end, words=words,
        caption_template=clip.caption_template or DEFAULT_TEMPLATE, aspect_ratio=clip.aspect_ratio,
        shots=clip.shots, speakers=clip.speakers,
    )  # fmt: skip


def video_export(video: Video, fmt: str, request=None) -> Download:
    """The video's clips, in rank order, as ``fmt`` (one of :data:`FORMATS`); captions
    (srt, vtt) are on the exported timeline. Raises :class:`LookupError` with
    :data:`NO_CLIPS` when the video has none."""
    clips = list(video.clips.order_by("rank"))
    if not clips:
        raise LookupError(NO_CLIPS)
    words, media = _words(video), _media(video, request)
    cuts = [_cut(clip, words) for clip in clips]
    if fmt in CAPTION_FORMATS:
        cues = tl.timeline_cues(cuts, tl.timeline_rate(media.fps))
        content = tl.to_srt(cues) if fmt == "srt" else tl.to_vtt(cues)
    else:
        timeline = tl.build_timeline(video.display_title, media, cuts, {"video_id": video.pk})
        content = {"otio": tl.to_otio, "fcpxml": to_fcpxml, "edl": tl.to_edl}[fmt](timeline)
    return _download(content, fmt, slugify(video.display_title)[:60] or video.pk)


def clip_captions(clip: Clip, fmt: str) -> Download:
    """The clip's captions as ``fmt`` (srt or vtt), in seconds into the clip."""
    cues = tl.caption_cues(_cut(clip, _words(clip.video)))
    return _download(tl.to_srt(cues) if fmt == "srt" else tl.to_vtt(cues), fmt, clip.download_name[:-4])


def _download(content: str, fmt: str, stem: str) -> Download:
    content_type, extension = FORMATS[fmt]
    return Download(content, content_type, f"{stem}.{extension}")


def body_too_large(request) -> bool:
    """Whether the request declares a body too large to carry a timeline. Checked before
    the body is read, this caps it: the server reads no more than the declared length,
    and a body without one (chunked) is refused before any view."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return declared > MAX_TIMELINE_BYTES + FORM_OVERHEAD


def apply_timeline(video: Video, data: bytes) -> tuple[list[Clip], list[Clip]]:
    """Re-render the clips whose in or out point an edited ``.otio`` moved; return
    ``(queued, unchanged)``. All or nothing: any problem raises :class:`TimelineRefused`
    naming it, and no clip changes. Re-renders reuse the video's stored source and
    transcript (see :func:`clips.actions.rerender`): nothing is transcribed again."""
    if len(data) > MAX_TIMELINE_BYTES:
        raise TimelineRefused(TOO_LARGE)
    try:
        edits = tl.read_edits(data)
    except tl.TimelineError as exc:
        raise TimelineRefused(str(exc)) from None
    clips = {clip.pk: clip for clip in video.clips.select_related("video")}
    for edit in edits:
        if edit.clip_id not in clips:
            raise TimelineRefused(f"Clip {edit.clip_id} is not one of this video's clips; leave the ids as exported.")
    moved = [(clips[edit.clip_id], edit) for edit in edits if tl.changed(edit, clips[edit.clip_id].start,
                                                                          clips[edit.clip_id].end)]  # fmt: skip
    times = {clip.pk: _checked(clip, edit, video.duration or 0.0) for clip, edit in moved}
    with transaction.atomic():
        for clip, _ in moved:
            try:
                actions.rerender(clip, start=times[clip.pk][0], end=times[clip.pk][1])
            except actions.ClipEditError as exc:
                status = 409 if exc.field in ("status", "source") else 400
                raise TimelineRefused(f"{_named(clip)}: {exc}", status) from None
    queued = [clip for clip, _ in moved]
    return queued, [clip for clip in clips.values() if clip not in queued]


def _named(clip: Clip) -> str:
    return f"Clip {clip.pk} (\u201c{clip.title}\u201d)"


def _checked(clip: Clip, edit: tl.EditedClip, duration: float) -> tuple[float, float]:
    """The edit's in and out points, checked against the video and the clip limits; an
    out point less than a frame past the end (frames round up) is the end."""
    start, end = edit.start, edit.end
    if duration < end < duration + 1 / edit.rate:
        end = duration
    if not 0 <= start < duration:
        raise TimelineRefused(f"{_named(clip)}: its in point ({start:.2f} s) is outside the video "
                              f"(0 to {duration:.2f} s).")  # fmt: skip
    if end <= start:
        raise TimelineRefused(f"{_named(clip)}: its out point must come after its in point.")
    if end > duration:
        raise TimelineRefused(f"{_named(clip)}: its out point ({end:.2f} s) is past the end of the video "
                              f"({duration:.2f} s).")  # fmt: skip
    if not actions.MIN_CLIP_SECONDS <= end - start <= actions.MAX_CLIP_SECONDS:
        raise TimelineRefused(
            f"{_named(clip)}: it would last {end - start:.2f} s; a clip lasts between "
            f"{actions.MIN_CLIP_SECONDS:g} and {actions.MAX_CLIP_SECONDS:g} seconds."
        )
    return start, end
