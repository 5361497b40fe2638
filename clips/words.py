"""The words of clips: caption corrections, caption styles, the user's own text, and
words that follow the cut.

Caption words are the video's transcript words (``Video.transcript``, where every clip
and every render reads them), so a correction made in one clip's editor changes the
video's transcript: its other clips, their next renders, the transcript shown on the
video page and the caption exports all use it. Emphasis and emoji are one clip's look,
kept on the clip (``Clip.word_styles``) by the start time of the word they style.

A clip's title, hooks, description and hashtags are written by the moment finder. A
field the user writes is recorded in ``Clip.user_edited`` and kept from then on; when a
re-render moves the clip's start or end (:func:`clips.actions.rerender` marks it
``words_stale``), the render job calls :func:`follow_cut`, which writes the others again
for the new span with the local analyser, with the score, reason, emotions, keywords
and transcript, and the burned hook line unless the user wrote it. Nothing is
transcribed again: everything is read from the stored transcript.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from django.db import transaction

from clips.models import Clip
from pipeline.sentences import join_words
from pipeline.types import Transcript, Word
from pipeline.words import WordEditError, merge_next, replace_text, set_style
from videos.models import Video

# The fields a user can write, as the model names them.
TEXT_FIELDS = ("title", "hooks", "description", "hashtags")
MAX_HASHTAGS = 10
MAX_HASHTAG_CHARS = 50
MAX_STYLES = 2000
_HASHTAG = re.compile(r"\w+")


def clean_hashtags(tags: Sequence[str]) -> list[str]:
    """``tags`` as stored: each ``#word`` (a leading ``#`` optional), duplicates dropped.

    Raises :class:`WordEditError` (``hashtags``) naming a tag that is not one word of
    letters, digits and underscores, or when there are too many.
    """
    cleaned: list[str] = []
    for tag in tags:
        bare = tag.strip().lstrip("#")
        if not bare:
            continue
        if not _HASHTAG.fullmatch(bare) or len(bare) > MAX_HASHTAG_CHARS:
            shown = tag.strip()[:MAX_HASHTAG_CHARS]
            raise WordEditError(
                "hashtags",
                f"“{shown}” is not a hashtag: use one word of letters, digits and underscores, such as #money.",
            )
        if f"#{bare}".lower() not in (known.lower() for known in cleaned):
            cleaned.append(f"#{bare}")
    if len(cleaned) > MAX_HASHTAGS:
        raise WordEditError("hashtags", f"Give at most {MAX_HASHTAGS} hashtags.")
    return cleaned


def inside(word: dict, clip: Clip) -> bool:
    """Whether a transcript word (as stored) belongs to the clip: its middle is inside."""
    return clip.start <= (word["start"] + word["end"]) / 2 < clip.end


def caption_words(clip: Clip) -> list[dict]:
    """The clip's caption words: ``{index, text, start, end, emphasis, emoji}`` for each
    transcript word inside it, ``index`` being its place in the video's transcript and
    the times on the processed range's timeline."""
    styles = {round(float(style["at"]), 3): style for style in clip.word_styles}
    words = []
    for index, word in enumerate((clip.video.transcript or {}).get("words", [])):
        if inside(word, clip):
            style = styles.get(round(word["start"], 3), {})
            words.append({"index": index, "text": word["text"].strip(), "start": word["start"], "end": word["end"],
                          "emphasis": bool(style.get("emphasis")), "emoji": style.get("emoji", "")})  # fmt: skip
    return words


def _word_in_clip(clip: Clip, index: int) -> dict:
    words = (clip.video.transcript or {}).get("words", [])
    if not 0 <= index < len(words) or not inside(words[index], clip):
        raise WordEditError("index", "That word is not in this clip; pick one of the clip's words.")
    return words[index]


def correct_word(clip: Clip, index: int, *, at: float | None = None, text: str | None = None,
                 merge: bool = False) -> None:  # fmt: skip
    """Correct word ``index`` of the clip's video's transcript: give it ``text`` (spaces
    split it, nothing removes it) or, with ``merge``, join it with the next word.

    ``at`` is the word's start as the caller saw it (a guard against a transcript
    changed meanwhile). The video's sentences follow, and so does the text of each of its
    clips. Raises :class:`WordEditError` naming the input at fault.
    """
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=clip.video_id)
        clip.video = video
        word = _word_in_clip(clip, index)
        unchanged = not merge and (text or "").split() == [word["text"].strip()]
        if unchanged and (at is None or abs(word["start"] - at) <= 0.0005):
            return  # nothing to write
        transcript = Transcript.from_dict(video.transcript)
        if merge:
            transcript = merge_next(transcript, index, at=at)
        else:
            transcript = replace_text(transcript, index, text or "", at=at)
        video.transcript = transcript.to_dict()
        Video.objects.filter(pk=video.pk).update(transcript=video.transcript)
        _refresh_clip_texts(video)


def _refresh_clip_texts(video: Video) -> None:
    """Each clip's ``transcript`` made again from the words inside it."""
    words = [Word.from_dict(word) for word in video.transcript.get("words", [])]
    middles = [(word.start + word.end) / 2 for word in words]
    for clip in video.clips.all():
        text = join_words(words[bisect.bisect_left(middles, clip.start) : bisect.bisect_left(middles, clip.end)])
        if text != clip.transcript:
            Clip.objects.filter(pk=clip.pk).update(transcript=text)


def style_word(clip: Clip, index: int, *, at: float | None = None, emphasis: bool, emoji: str) -> None:
    """Emphasise word ``index`` of the clip (or not) and give it ``emoji`` ("" for none) on
    the clip's next renders. Raises :class:`WordEditError` naming the input at fault."""
    word = _word_in_clip(clip, index)
    if at is not None and abs(word["start"] - at) > 0.0005:
        raise WordEditError("at", "The transcript changed since these words were shown; pick the word again.")
    with transaction.atomic():
        locked = Clip.objects.select_for_update().get(pk=clip.pk)
        styles = set_style(locked.word_styles, word["start"], emphasis=emphasis, emoji=emoji)
        if len(styles) > MAX_STYLES:
            raise WordEditError("emphasis", f"A clip can style at most {MAX_STYLES} words.")
        Clip.objects.filter(pk=clip.pk).update(word_styles=styles)
    clip.word_styles = styles


def edit_text(clip: Clip, **fields) -> list[str]:
    """Set the clip's ``title``, ``hooks`` (``{question, statement}``), ``description`` or
    ``hashtags`` (cleaned, see :func:`clean_hashtags`) as the user wrote them; each one
    that changes is marked user-edited, so trimming the clip keeps it. Returns the
    names of the fields that changed."""
    unknown = set(fields) - set(TEXT_FIELDS)
    if unknown:
        raise TypeError(f"not a text field: {', '.join(sorted(unknown))}")
    if "title" in fields:
        fields["title"] = fields["title"].strip()[:300]
    if "hashtags" in fields:
        fields["hashtags"] = clean_hashtags(fields["hashtags"])
    with transaction.atomic():
        locked = Clip.objects.select_for_update().get(pk=clip.pk)
        if "hooks" in fields:
            fields["hooks"] = {**locked.hooks, **fields["hooks"]}
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        edited = sorted({*locked.user_edited, *changed})
        Clip.objects.filter(pk=clip.pk).update(**{name: fields[name] for name in changed}, user_edited=edited)
    for name in changed:
        setattr(clip, name, fields[name])
    clip.user_edited = edited
    return changed


def follow_cut(clip: Clip) -> bool:
    """Write the clip's words again for its span, if a re-render moved it (``words_stale``).

    Title, hooks, description, hashtags and the burned hook line are written again
    unless the user wrote them (description keeps the user's hashtags when only they
    were written); score, sub-scores, reason, emotions, keywords, sentence indexes and
    transcript always. A span without speech keeps its words. Does nothing, and returns
    False, when the words are not stale or a newer render took over.
    """
    from pipeline.moments.trim import describe_span
    from videos.config import clip_options

    if not clip.words_stale:
        return False
    video = clip.video
    offset = video.source_offset
    replays = [(p["start"] - offset, p["end"] - offset, p["value"]) for p in video.heatmap if p["end"] > offset]
    moment = describe_span(Transcript.from_dict(video.transcript or {}), clip.start, clip.end,
                           clip_options(video.config or {}), replays=replays)  # fmt: skip
    with transaction.atomic():
        locked = Clip.objects.select_for_update().get(pk=clip.pk)
        if not locked.words_stale or locked.render_version != clip.render_version:
            return False
        changes: dict = {"words_stale": False}
        if moment is not None:
            edited = set(locked.user_edited)
            changes.update(
                score=moment.score, score_hook=moment.scores.hook, score_pacing=moment.scores.pacing,
                score_completeness=moment.scores.completeness, score_shareability=moment.scores.shareability,
                virality_reason=moment.reason, transcript=moment.transcript, sentence_indexes=moment.sentence_indexes,
                emotions=moment.emotions, keywords=moment.keywords,
            )  # fmt: skip
            written = {"title": moment.title[:300], "hooks": moment.hooks.to_dict(), "hashtags": moment.hashtags,
                       "description": _retagged(moment.description, moment.hashtags, locked.hashtags)
                       if "hashtags" in edited else moment.description}  # fmt: skip
            changes.update({name: value for name, value in written.items() if name not in edited})
            if "hook_text" not in edited:
                changes["hook_text"] = changes.get("hooks", locked.hooks).get("statement", "")[:200]
        Clip.objects.filter(pk=clip.pk).update(**changes)
    for name, value in changes.items():
        setattr(clip, name, value)
    return True


def _retagged(description: str, written: list[str], tags: list[str]) -> str:
    """A written description, which ends with its written hashtags, ending with ``tags`` instead."""
    suffix = " ".join(written)
    body = description[: -len(suffix)].rstrip() if suffix and description.endswith(suffix) else description
    return f"{body} {' '.join(tags)}".strip()
