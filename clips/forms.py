"""The clip editor's forms for words: one caption word, and the clip's title and post text.

They parse what the browser sends (hashtags through :func:`clips.words.clean_hashtags`);
:mod:`clips.words` checks the rest (that the word is the clip's and unchanged, the emoji).
"""

from __future__ import annotations

from django import forms

from clips.models import Clip
from clips.words import clean_hashtags
from pipeline.words import WordEditError

MAX_HOOK_CHARS = 300
MAX_DESCRIPTION_CHARS = 2200


class CaptionWordForm(forms.Form):
    """One caption word: ``save`` gives it ``text`` (spaces split it, nothing removes it)
    and the clip's ``emphasis`` and ``emoji`` for it; ``merge`` joins it with the next word."""

    word = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    at = forms.FloatField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("save", "Save word"), ("merge", "Merge with the next word")], initial="save")
    text = forms.CharField(label="Word", required=False, max_length=200)
    emphasis = forms.BooleanField(label="Emphasise", required=False)
    emoji = forms.CharField(label="Emoji", required=False, max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="word-%s", **kwargs)


class ClipTextForm(forms.Form):
    """The clip's title, hooks, description and hashtags as the user writes them."""

    title = forms.CharField(label="Title", max_length=300)
    question = forms.CharField(label="Question hook", required=False, max_length=MAX_HOOK_CHARS)
    statement = forms.CharField(label="Statement hook", required=False, max_length=MAX_HOOK_CHARS)
    description = forms.CharField(label="Description", required=False, max_length=MAX_DESCRIPTION_CHARS,
                                  widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    hashtags = forms.CharField(label="Hashtags", required=False, max_length=600,
                               help_text="Separated by spaces, such as #money #startups.")  # fmt: skip

    def __init__(self, *args, clip: Clip, **kwargs):
        """The form starts from ``clip``'s current words."""
        initial = {
            "title": clip.title, "question": clip.hooks.get("question", ""),
            "statement": clip.hooks.get("statement", ""), "description": clip.description,
            "hashtags": " ".join(clip.hashtags),
        }  # fmt: skip
        super().__init__(*args, initial=initial, auto_id="text-%s", **kwargs)

    def clean_hashtags(self) -> list[str]:
        try:
            return clean_hashtags(self.cleaned_data["hashtags"].replace(",", " ").split())
        except WordEditError as exc:
            raise forms.ValidationError(str(exc)) from None

    def fields_for(self) -> dict:
        """The cleaned data as :func:`clips.words.edit_text` takes it."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "hooks": {"question": data["question"], "statement": data["statement"]},
            "description": data["description"],
            "hashtags": data["hashtags"],
        }
