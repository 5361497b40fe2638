"""Caption words: numbers kept whole, corrections to a transcript, and a clip's styling."""

from __future__ import annotations

import pytest

from pipeline.captions import build_ass
from pipeline.sentences import build_sentences
from pipeline.types import Transcript, Word
from pipeline.words import (
    CaptionWord,
    WordEditError,
    clean_emoji,
    join_numbers,
    merge_next,
    replace_text,
    sentence_words,
    set_style,
    styled,
)


def spoken(*texts: str, start: float = 0.0) -> list[Word]:
    return [Word(text, start + i * 0.5, start + i * 0.5 + 0.4, 0.9) for i, text in enumerate(texts)]


def talk(*texts: str) -> Transcript:
    words = spoken(*texts)
    return Transcript(language="en", duration=30.0, words=words, sentences=build_sentences(words))


@pytest.mark.parametrize(
    ("pieces", "whole"),
    [
        (["AS", "3", ",800", "people."], ["AS", "3,800", "people."]),
        (["about", "1", ",000", ",000", "users"], ["about", "1,000,000", "users"]),
        (["version", "2", ".5", "ships"], ["version", "2.5", "ships"]),
        (["it", "costs", "$", "40", "now"], ["it", "costs", "$40", "now"]),
        (["up", "50", "%", "today"], ["up", "50%", "today"]),
        (["only", "$", "3", ",800", "%."], ["only", "$3,800%."]),
        (["£", "5", ".99"], ["£5.99"]),
        # Not the rest of a number: kept apart.
        (["in", "2019", "we", "had", ".NET"], ["in", "2019", "we", "had", ".NET"]),
        (["I", "said", "3,", "800", "times"], ["I", "said", "3,", "800", "times"]),
        (["pay", "$", "now"], ["pay", "$", "now"]),
    ],
)
def test_it_joins_the_pieces_of_numbers_and_amounts_whisper_splits(pieces, whole):
    assert [word.text for word in join_numbers(spoken(*pieces))] == whole


def test_it_gives_a_joined_number_the_span_of_its_pieces_and_leaves_the_input_alone():
    words = [Word("3", 1.0, 1.2, 0.9), Word(",800", 1.2, 1.7, 0.6), Word("people", 1.8, 2.2, 0.95)]
    joined = join_numbers(words)
    assert joined[0] == Word("3,800", 1.0, 1.7, 0.6)
    assert [w.text for w in words] == ["3", ",800", "people"]


def test_it_merges_a_split_number_and_the_sentence_and_captions_follow():
    transcript = talk("We", "hired", "3", ",800", "people.", "Then", "more.")
    assert transcript.sentences[0].sentence == "We hired 3,800 people."  # sentences glue it already
    assert "3 ,800" in build_ass(transcript.words, 0, 5, 1080, 1920, "clean")  # captions did not

    merged = merge_next(transcript, 2, at=1.0)

    assert [w.text for w in merged.words] == ["We", "hired", "3,800", "people.", "Then", "more."]
    assert merged.words[2] == Word("3,800", 1.0, 1.9, 0.9)
    assert [s.sentence for s in merged.sentences] == ["We hired 3,800 people.", "Then more."]
    assert [len(s.words) for s in merged.sentences] == [4, 2]
    assert "3,800" in build_ass(merged.words, 0, 5, 1080, 1920, "clean")
    assert len(transcript.words) == 7  # the input is not modified


def test_it_corrects_splits_and_removes_a_word_within_its_sentence():
    transcript = talk("Fast", "fourier", "transform.", "Yes.")

    corrected = replace_text(transcript, 1, "Fourier")
    assert corrected.sentences[0].sentence == "Fast Fourier transform."

    split = replace_text(transcript, 0, "Very fast")
    assert [(w.text, w.start, w.end) for w in split.words[:2]] == [("Very", 0.0, 0.2), ("fast", 0.2, 0.4)]
    assert split.sentences[0].sentence == "Very fast fourier transform." and split.sentences[1].sentence == "Yes."

    removed = replace_text(transcript, 3, "")
    assert [s.sentence for s in removed.sentences] == ["Fast fourier transform.", ""]  # numbering is kept
    assert removed.sentences[1].start == transcript.sentences[1].start


def test_it_places_words_in_sentences_by_time_when_they_do_not_list_their_words():
    words = spoken("One", "two.", "Three", "four.")
    transcript = Transcript(language="en", duration=5.0, words=words, sentences=[
        s.__class__(index=s.index, sentence=s.sentence, start=s.start, end=s.end) for s in build_sentences(words)
    ])  # fmt: skip
    assert [[w.text for w in group] for group in sentence_words(transcript)] == [["One", "two."], ["Three", "four."]]
    assert replace_text(transcript, 2, "Tree").sentences[1].sentence == "Tree four."


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (lambda t: merge_next(t, 1), "merge", "starts another sentence"),
        (lambda t: merge_next(t, 3), "merge", "no next word"),
        (lambda t: replace_text(t, 9, "x"), "index", "There is no word 9"),
        (lambda t: replace_text(t, 0, "x", at=3.0), "at", "changed since"),
        (lambda t: replace_text(t, 0, "x" * 61), "text", "at most 60 characters"),
        (lambda t: replace_text(t, 0, " ".join("x" * 13)), "text", "at most 12 words"),
        (lambda t: replace_text(t, 0, "bad\x07bell"), "text", "control characters"),
    ],
)
def test_it_refuses_corrections_the_transcript_cannot_take(edit, field, message):
    with pytest.raises(WordEditError, match=message) as caught:
        edit(talk("Hello", "there.", "General", "Kenobi."))
    assert caught.value.field == field


def test_it_keeps_styles_by_word_start_and_checks_emoji():
    styles = set_style([], 1.0, emphasis=True, emoji=" 💰 ")
    styles = set_style(styles, 0.5, emphasis=False, emoji="🔥")
    assert styles == [{"at": 0.5, "emphasis": False, "emoji": "🔥"}, {"at": 1.0, "emphasis": True, "emoji": "💰"}]
    assert set_style(styles, 0.5, emphasis=False, emoji="") == styles[1:]  # a plain word has no entry
    assert clean_emoji("👍🏽") == "👍🏽" and clean_emoji("👨‍👩‍👧") == "👨‍👩‍👧"
    with pytest.raises(WordEditError, match="emoji only") as caught:
        clean_emoji("wow")
    assert caught.value.field == "emoji"

    shown = styled(spoken("make", "money", "now"), styles)
    assert shown[1] == CaptionWord("money", 0.5, 0.9, 0.9, emphasis=False, emoji="🔥")
    assert (shown[2].emphasis, shown[2].emoji) == (True, "💰") and not isinstance(shown[0], CaptionWord)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("clean", "{\\c&H1FE8FF&}MONEY{\\r} 💰"),
        ("minimal", "{\\c&H1FE8FF&}money{\\r} 💰"),
        ("karaoke", "{\\kf50}{\\c&H1FE8FF&}money{\\c&H6AFF39&} 💰"),
    ],
)
def test_it_burns_emphasis_in_the_templates_colour_and_the_emoji_after_the_word(name, expected):
    words = styled(spoken("make", "money", "now"), [{"at": 0.5, "emphasis": True, "emoji": "💰"}])
    if name == "clean":
        words = [CaptionWord(w.text.upper(), w.start, w.end, emphasis=w.emphasis, emoji=w.emoji)
                 if isinstance(w, CaptionWord) else w for w in words]  # fmt: skip
    (event,) = [line for line in build_ass(words, 0, 5, 1080, 1920, name).splitlines() if "Caption" in line
                and line.startswith("Dialogue")]  # fmt: skip
    assert expected in event


def test_it_keeps_emphasis_apart_from_the_spoken_words_highlight():
    words = styled(spoken("make", "money", "now"), [{"at": 0.5, "emphasis": True, "emoji": ""}])
    events = [line for line in build_ass(words, 0, 5, 1080, 1920, "hormozi").splitlines() if line.startswith("Dia")]
    # While "make" is spoken it is yellow and the emphasised "money" green; then "money" is spoken.
    assert events[0].endswith(",{\\c&H1FE8FF&}MAKE{\\r} {\\c&H6AFF39&}MONEY{\\r} NOW")
    assert events[1].endswith(",MAKE {\\c&H1FE8FF&}MONEY{\\r} NOW")


def test_it_joins_numbers_where_whisper_words_become_transcript_words(monkeypatch):
    """The transcriber's own output, with the decoder (the model) replaced by one that
    answers as tiny.en does for "AS 3,800 PEOPLE": the number in two pieces."""
    import types

    import faster_whisper
    import numpy as np

    from pipeline import transcribe as transcriber
    from pipeline.config import PipelineConfig

    heard = [(" AS", 0.0, 0.3), (" 3", 0.3, 0.6), (",800", 0.6, 1.0), (" PEOPLE.", 1.0, 1.5)]
    segment = types.SimpleNamespace(
        start=0.0, end=1.5, compression_ratio=1.2, no_speech_prob=0.01, avg_logprob=-0.2,
        words=[types.SimpleNamespace(word=w, start=s, end=e, probability=0.9) for w, s, e in heard],
    )  # fmt: skip

    class Decoder:
        def __init__(self, model):
            pass

        def transcribe(self, audio, **options):
            return iter([segment]), types.SimpleNamespace(language="en")

    monkeypatch.setattr(transcriber, "load_model", lambda config: object())
    monkeypatch.setattr(faster_whisper, "BatchedInferencePipeline", Decoder)
    transcript = transcriber.transcribe(np.zeros(16000 * 2, dtype=np.float32), PipelineConfig())

    assert [w.text for w in transcript.words] == ["AS", "3,800", "PEOPLE."]
    assert (transcript.words[1].start, transcript.words[1].end) == (0.3, 1.0)
    assert transcript.sentences[0].sentence == "AS 3,800 PEOPLE."
