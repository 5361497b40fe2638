"""The clip editor's live preview: what the browser needs to draw a clip before it is rendered.

The page plays the stored source (or, once the source is gone, the rendered clip) through
a signed link, crops it to the chosen aspect ratio where the last render put its window,
and draws the captions, the hook card and the trim over it (static/js/preview.js). The
caption look comes from :func:`pipeline.captions.template_style` and the chunks from
:func:`pipeline.captions.caption_chunks`, the same objects :func:`pipeline.captions.build_ass`
burns in, for every template and every brand kit the editor offers, so changing them in
the form redraws at once without a request.

The chunks are made from the words around the clip, not only those inside it: a chunk
that a new trim cuts through shows its words inside the trim, where the render, which
chunks only the words inside, may group them differently.
"""

from __future__ import annotations

from brands import actions as brand_actions
from brands.models import NO_KIT, BrandKit
from clips.models import Clip
from clipsite.signed_media import signed_url
from pipeline.captions import TEMPLATES, caption_chunks, template_style
from pipeline.errors import RenderError
from pipeline.reframe import output_size
from pipeline.types import Transcript
from pipeline.words import CaptionWord, styled

# How far around the clip the preview carries words (seconds): further than the editor's
# word strip reaches, so a trim typed by hand still has its captions.
WORD_MARGIN = 60.0
# The frame the styles are measured on; the page scales them to its box (sizes and the
# bottom margin by height, side margins by width, as the render does for every aspect).
CANVAS = output_size("9:16")


def preview_context(clip: Clip) -> dict:
    """``{"preview": data}`` for templates/clips/_preview.html (given to ``json_script``).

    ``data``: ``media`` (``url``, ``kind`` "source" or "clip", ``offset``: the source
    second at the media's 0, ``fallback``: the rendered clip's link to play when the
    source cannot be), ``clip`` (start, end, the video's duration), ``words``
    (``[text, start, end, emphasis, emoji]``), ``chunks`` per template, ``styles`` per
    brand-kit choice then template, ``crop`` (``[start, end, x, layout]`` in seconds into
    the clip as last rendered, x the window's centre as a share of the source's width,
    None where it is not known). ``media`` is None when there is nothing to play.
    """
    video = clip.video
    clip_url = signed_url(clip.file.name) if clip.file else ""
    if video.source_file:
        media = {"url": signed_url(video.source_file.name), "kind": "source", "offset": 0.0, "fallback": clip_url}
    elif clip_url:
        media = {"url": clip_url, "kind": "clip", "offset": clip.start, "fallback": ""}
    else:
        media = None
    words = [
        word for word in styled(Transcript.from_dict(video.transcript).words, clip.word_styles)
        if clip.start - WORD_MARGIN <= word.start <= clip.end + WORD_MARGIN
    ] if video.transcript else []  # fmt: skip
    data = {
        "media": media,
        "clip": {"start": clip.start, "end": clip.end, "duration": video.duration or clip.end},
        "words": [_word(word) for word in words],
        "chunks": {name: caption_chunks(words, name) for name in TEMPLATES},
        "styles": _styles(clip),
        "crop": _crop(clip),
    }
    return {"preview": data}


def _word(word) -> list:
    """A word as the page reads it: ``[text, start, end, emphasis, emoji]``."""
    if isinstance(word, CaptionWord):
        return [word.text.strip(), word.start, word.end, word.emphasis, word.emoji.strip()]
    return [word.text.strip(), word.start, word.end, False, ""]


def _styles(clip: Clip) -> dict[str, dict[str, dict]]:
    """Each template's style under each choice of the editor's brand kit picker."""
    video = clip.video
    kits: dict[str, BrandKit | None] = {
        "": brand_actions.resolve(video.workspace_id, (video.config or {}).get("brandKit", "")), NO_KIT: None,
    }  # fmt: skip
    kits.update({kit.pk: kit for kit in BrandKit.objects.filter(workspace_id=video.workspace_id)})
    styles = {}
    for choice, kit in kits.items():
        kit_style = brand_actions.caption_style(kit) if kit is not None else None
        per_template = {}
        for name in TEMPLATES:
            try:
                per_template[name] = template_style(name, *CANVAS, kit_style)
            except RenderError:
                # A kit the render would refuse: the preview shows the template as it is.
                per_template[name] = template_style(name, *CANVAS)
        styles[choice] = per_template
    return styles


def _crop(clip: Clip) -> list[list]:
    """Where the crop window's centre sits over the clip, from its pins and last render."""
    people = {speaker.get("id"): speaker.get("x") for speaker in clip.speakers}
    spans = [[pin["start"], pin["end"], pin["x"], "crop"] for pin in clip.pins]
    for shot in clip.shots:
        layout = shot.get("layout", "crop")
        x = people.get(shot.get("speaker")) if layout == "crop" else None
        spans.append([shot["start"], shot["end"], x, layout])
    # Pins come first: they win over the shots they overlap.
    return spans
