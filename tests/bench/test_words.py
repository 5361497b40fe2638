"""bench.words: what a reader flags in the clips' titles, hooks and hashtags."""

from __future__ import annotations

from types import SimpleNamespace

from bench.words import Tally, capital_inside, dangling_end, flags, stopwords, tag_words, unfinished


def clip(**words) -> SimpleNamespace:
    """What the bench reads of a clip: a clean one unless ``words`` say otherwise."""
    fields = {
        "title": "A sharp knife is safer than a dull one",
        "question": "Why is a sharp knife safer than a dull one?",
        "statement": "A dull blade needs force.",
        "description": "A sharp knife is safer than a dull one. A dull blade slips.",
        "hashtags": ["#knife", "#kitchenknives", "#blade"],
        "transcript": "A sharp knife is safer than a dull one. A dull blade slips. Kitchen knives need care.",
        **words,
    }
    hooks = SimpleNamespace(question=fields.pop("question"), statement=fields.pop("statement"))
    return SimpleNamespace(hooks=hooks, **fields)


def test_it_reads_the_stop_list_it_ships_without_its_comments():
    assert {"others", "the", "yourselves"} <= stopwords()
    assert not any(word.startswith("#") for word in stopwords())


def test_it_splits_a_two_word_hashtag_into_words_the_clip_says():
    transcript = "The frontal ones crumple. Kitchen knives need care."

    assert tag_words("#frontalones", transcript) == ["frontal", "ones"]
    assert tag_words("#knives", transcript) == ["knives"]
    assert tag_words("#unheard", transcript) == ["unheard"]


def test_it_flags_a_sentences_start_carried_into_a_line_but_not_a_name():
    assert capital_inside("Why is A test 99% accurate?")
    assert capital_inside("Why am I 5 foot 11 My wife is 33?")
    assert not capital_inside("Why did I move to New York in May?")
    assert not capital_inside("What's the one thing they should do?")
    assert not capital_inside("Chess") and not capital_inside("")
    assert not capital_inside("Play the knight to A5 and hit the bishop")


def test_it_flags_a_line_that_needs_another_word():
    assert dangling_end("Why did the nurse call me that I'd?")
    assert dangling_end("The recipe called for flour and")
    assert not dangling_end("Why did she call me?")
    assert not dangling_end("The bridge opened in June 2000")


def test_it_flags_a_subordinate_clause_no_main_clause_answers():
    assert unfinished("When a fire or pressure alarm sounds.")
    assert unfinished("When I won six, and he died the match before that final")
    assert not unfinished("When a fire alarm sounds, the body wants to hit the nearest switch.")
    assert not unfinished("The body wants to hit the nearest switch when an alarm sounds.")


def test_it_counts_each_kind_a_reader_flags_and_nothing_in_a_clean_clip():
    bad = clip(
        title="The wire was suddenly loose Now I soak it for 10 minutes in warm water before every single row",
        question="Why is A test accurate?",
        statement="If the test is accurate.",
        hashtags=["#others", "#weigh", "#accurate", "#knife"],
        transcript="Others weigh it. An accurate test. A knife.",
        description="The speaker talks about knives.",
    )
    tally = Tally()

    tally.add([clip(), bad])

    assert list(flags(clip())) == []
    assert tally.clips == 2
    assert {kind: len(found) for kind, found in tally.found.items()} == {
        "hashtag, function word": 1,
        "hashtag, not a noun": 2,
        "question, capital inside": 1,
        "title, capital inside": 1,
        "title, over 70 characters": 1,
        'description, "The speaker talks about"': 1,
        "statement, unfinished": 1,
    }
    assert "2 clips, 8 flags" in tally.lines(examples=True)[0]
