"""build_sentences: splitting recognised words into Ssemble-style sentences."""

from __future__ import annotations

import random

import pytest

from pipeline.sentences import build_sentences, ends_sentence, join_words
from pipeline.types import Word


def words_from(text: str, *, step: float = 0.3, gaps: dict[int, float] | None = None) -> list[Word]:
    """Words of ``text`` each lasting ``step`` seconds, back to back, with extra silence
    before the words whose index is in ``gaps``."""
    words, clock = [], 0.0
    for i, token in enumerate(text.split()):
        clock += (gaps or {}).get(i, 0.0)
        words.append(Word(token, round(clock, 3), round(clock + step, 3)))
        clock += step
    return words


def texts(words: list[Word], **limits: float) -> list[str]:
    return [s.sentence for s in build_sentences(words, **limits)]


def test_it_splits_at_sentence_ending_punctuation():
    words = words_from("Your journey is at an end. Before you is Babylon! Is it old? Yes.")
    assert texts(words) == ["Your journey is at an end.", "Before you is Babylon!", "Is it old?", "Yes."]


def test_it_does_not_split_after_abbreviations_or_initials():
    words = words_from("Dr. Smith met J. Edgar Banks at St. Mary's. Then they left.")
    assert texts(words) == ["Dr. Smith met J. Edgar Banks at St. Mary's.", "Then they left."]


def test_it_splits_after_a_full_stop_inside_closing_quotes():
    words = words_from('He said "no." She laughed.')
    assert texts(words) == ['He said "no."', "She laughed."]


def test_it_splits_at_a_long_pause_but_not_a_short_one():
    words = words_from("we got a recommendation for you Houston over", gaps={3: 0.4, 6: 1.5})
    assert texts(words, pause_seconds=1.0) == ["we got a recommendation for you", "Houston over"]


def test_it_force_splits_a_long_run_at_its_comma():
    text = "one two three four five six seven, eight nine ten eleven twelve"
    pieces = texts(words_from(text), max_words=8)
    assert pieces == ["one two three four five six seven,", "eight nine ten eleven twelve"]


def test_it_force_splits_at_the_longest_pause_when_there_is_no_punctuation():
    words = words_from("a b c d e f g h i j", step=1.0, gaps={4: 0.2, 6: 0.6})
    sentences = build_sentences(words, max_seconds=7.0, pause_seconds=1.0)
    assert [s.sentence for s in sentences] == ["a b c d e f", "g h i j"]
    assert all(s.end - s.start <= 7.0 for s in sentences)


def test_it_never_leaves_a_fragment_by_splitting_early_at_a_comma():
    # A comma after the first word must not win over a break near the limit.
    text = "Well, " + " ".join(f"w{i}" for i in range(30))
    sizes = [len(s.words) for s in build_sentences(words_from(text), max_words=20)]
    assert sizes[0] >= 10 and sum(sizes) == 31


def test_it_keeps_every_word_once_in_order_with_covering_spans_and_limits():
    rng = random.Random(7)
    tokens, words, clock = ["alpha", "beta,", "gamma", "delta.", "epsilon", "zeta;"], [], 0.0
    for _ in range(400):
        clock += rng.choice([0.0, 0.0, 0.1, 0.3, 0.9, 1.6])
        length = rng.uniform(0.1, 0.8)
        words.append(Word(rng.choice(tokens), round(clock, 3), round(clock + length, 3)))
        clock += length
    sentences = build_sentences(words, max_seconds=6.0, max_words=12, pause_seconds=1.0)
    assert [w for s in sentences for w in s.words] == words
    assert [s.index for s in sentences] == list(range(len(sentences)))
    for sentence in sentences:
        assert sentence.start == sentence.words[0].start and sentence.end == sentence.words[-1].end
        assert len(sentence.words) <= 12 and sentence.end - sentence.start <= 6.0


def test_it_keeps_a_single_word_longer_than_the_limit_whole():
    sentences = build_sentences([Word("Hmmmmm", 0.0, 9.0), Word("ok.", 9.0, 9.5)], max_seconds=5.0)
    assert [s.sentence for s in sentences] == ["Hmmmmm", "ok."]


def test_it_keeps_a_long_last_word_whole_after_splitting_the_words_before_it():
    # Whisper can stretch the last word of a run over a held note or a long breath.
    words = [*words_from("so then we went"), Word("waaaay", 1.2, 20.0)]
    assert texts(words, max_seconds=15.0) == ["so then we went", "waaaay"]


def test_it_returns_nothing_for_no_words_and_leaves_its_input_alone():
    words = words_from("Hello there. General Kenobi.")
    copy = [Word(**w.to_dict()) for w in words]
    build_sentences(words)
    assert build_sentences([]) == [] and words == copy


@pytest.mark.parametrize("limits", [{"max_seconds": 0}, {"max_words": 0}, {"pause_seconds": -1}])
def test_it_rejects_limits_that_cannot_be_met(limits):
    with pytest.raises(ValueError):
        build_sentences(words_from("a b"), **limits)


def test_it_joins_split_numbers_and_unspaced_scripts_without_spaces():
    assert join_words(words_from("as early as 3 ,800 BC.")) == "as early as 3,800 BC."
    assert join_words([Word("你好", 0, 1), Word("世界。", 1, 2), Word("OK", 2, 3)]) == "你好世界。 OK"


def test_it_knows_which_words_end_a_sentence():
    assert ends_sentence("end.") and ends_sentence("really?!") and ends_sentence("終わり。")
    assert not ends_sentence("Mr.") and not ends_sentence("A.") and not ends_sentence("however,")
