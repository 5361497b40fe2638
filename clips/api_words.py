"""REST endpoint for a clip's caption words: list them, correct one, style one.

Corrections change the video's transcript (every clip of it, and every later render,
reads them); emphasis and emoji are the clip's own. All show on the clip's next render.
Times are on the source's timeline, as the clip's ``startTime`` is.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from clips import words as wording
from clips.api import user_clip
from clips.models import Clip
from clipsite.api import ERRORS, Conflict, StrictFieldsMixin, error_responses
from clipsite.idempotency import idempotent
from pipeline.words import WordEditError, clean_emoji


class CaptionWordSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The word's place in the video's transcript.")
    text = serializers.CharField()
    start = serializers.FloatField(help_text="Seconds of the source video.")
    end = serializers.FloatField()
    emphasis = serializers.BooleanField(help_text="Burned in the caption template's emphasis colour.")
    emoji = serializers.CharField(allow_blank=True, help_text="Shown after the word; empty for none.")


class CaptionWordsSerializer(serializers.Serializer):
    clipId = serializers.CharField()
    words = CaptionWordSerializer(many=True)


class WordEditSerializer(StrictFieldsMixin, serializers.Serializer):
    """One edit of one of the clip's words. ``text`` and ``merge`` change the video's
    transcript; ``emphasis`` and ``emoji`` style the word in this clip. Give ``start`` (the
    word's start as listed) to be told, rather than edit another word, when the
    transcript changed meanwhile."""

    index = serializers.IntegerField(min_value=0, help_text="The word's index, as listed.")
    start = serializers.FloatField(required=False, help_text="The word's start as listed (a guard).")
    text = serializers.CharField(
        required=False, allow_blank=True, max_length=200, trim_whitespace=False,
        help_text="The corrected word; spaces split it into words sharing its time; empty removes it.",
    )  # fmt: skip
    merge = serializers.BooleanField(required=False, help_text="true: join the word with the next one.")
    emphasis = serializers.BooleanField(required=False)
    emoji = serializers.CharField(required=False, allow_blank=True, max_length=32, help_text="Empty for none.")

    def validate(self, attrs: dict) -> dict:
        if attrs.get("merge") and "text" in attrs:
            raise serializers.ValidationError({"merge": ["Give text or merge, not both."]})
        if not {"text", "merge", "emphasis", "emoji"} & {k for k, v in attrs.items() if k != "merge" or v}:
            raise serializers.ValidationError({"index": ["Say what to change: text, merge, emphasis or emoji."]})
        if "text" in attrs and not attrs["text"].strip() and {"emphasis", "emoji"} & set(attrs):
            raise serializers.ValidationError({"text": ["An emptied word is removed, so it cannot be styled."]})
        if "emoji" in attrs:
            try:
                attrs["emoji"] = clean_emoji(attrs["emoji"])
            except WordEditError as exc:
                raise serializers.ValidationError({"emoji": [str(exc)]}) from None
        return attrs


def _listed(clip: Clip) -> dict:
    offset = clip.video.source_offset
    words = [{**word, "start": round(word["start"] + offset, 3), "end": round(word["end"] + offset, 3)}
             for word in wording.caption_words(clip)]  # fmt: skip
    return {"clipId": clip.pk, "words": words}


class ClipWords(APIView):
    @extend_schema(responses={200: CaptionWordsSerializer, **ERRORS}, summary="A clip's caption words")
    def get(self, request, clip_id: str):
        return Response(_listed(user_clip(request, clip_id)))

    @extend_schema(request=WordEditSerializer, responses={200: CaptionWordsSerializer, **ERRORS,
                                                          **error_responses(409)},
                   summary="Correct, merge, split, emphasise or give an emoji to a clip's caption word")  # fmt: skip
    @idempotent
    def post(self, request, clip_id: str):
        clip = user_clip(request, clip_id)
        body = WordEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        edit = body.validated_data
        index = edit["index"]
        at = edit["start"] - clip.video.source_offset if "start" in edit else None
        try:
            # A corrected, split or merged word keeps its start, so a style given with it finds it.
            if edit.get("merge") or "text" in edit:
                wording.correct_word(clip, index, at=at, text=edit.get("text"), merge=bool(edit.get("merge")))
            if "emphasis" in edit or "emoji" in edit:
                current = next((w for w in wording.caption_words(clip) if w["index"] == index), None)
                if current is None:
                    raise WordEditError("index", "That word is not in this clip; pick one of the clip's words.")
                wording.style_word(clip, index, at=at, emphasis=edit.get("emphasis", current["emphasis"]),
                                   emoji=edit.get("emoji", current["emoji"]))  # fmt: skip
        except WordEditError as exc:
            if exc.field == "at":
                raise Conflict(str(exc)) from None
            raise serializers.ValidationError({exc.field: [str(exc)]}) from None
        return Response(_listed(clip))
