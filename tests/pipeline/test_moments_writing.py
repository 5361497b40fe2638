"""The words the local analyser writes about a clip: title, hooks, description, hashtags, reason.

Each clip is a block of sentences between a greeting and an outro, described exactly as
the analyser would describe it once chosen, so the rules hold whatever clip the scorer picks.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from lemminflect import getAllLemmas

from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions, Moment, find_moments, lexicon, phrasebook, phrasing
from pipeline.moments.features import analyse_transcript
from pipeline.moments.local import LocalAnalyser
from tests.pipeline.test_moments_local import ADVICE, BAKING, GREETING, OUTRO, STORY, timed_transcript

NIGHT_SHIFT = [
    "Eleven years ago I was working a night shift in the emergency room when a man came in with chest pain.",
    "Everyone was busy, and on paper he looked fine.",
    "I almost sent him back to the waiting area.",
    "Something about the way he kept apologising bothered me, so I ran one more test.",
    "He was having a heart attack.",
    "Since that night I have never ignored that quiet feeling that something is wrong.",
]
BABYLON = [
    "Archaeologists think the city of Babylon was built on top of an even older city.",
    "Every king who came along built his palace on the ruins of the last one.",
    "It seems the Babylonians went to war over water more often than over gold.",
    "The river Euphrates ran right through the middle of the city.",
    "When the river moved, the whole city had to move with it.",
]
BURNOUT = [
    "Burnout doesn't look like what people expect.",
    "It's not crying in the break room.",
    "For me it looked like not caring.",
    "A patient would tell me something awful, and I would feel nothing at all.",
    "That numbness is the warning sign.",
    "If you notice that the things that used to upset you no longer touch you, don't treat it as toughness.",
]
COMPOST = [
    "So, um, you know, basically the thing about compost is that it needs air.",
    "I mean, if you just pile up kitchen scraps, they rot and they smell.",
    "Turn the heap every week, and it stays sweet and warm.",
    "Honestly, my neighbours thought I was crazy until they smelled nothing at all.",
]
INTERVIEW = [
    "The worst job interview of my life went like this.",
    "I walked in, plugged in my laptop, and opened what I thought was my presentation.",
    "It was my wedding playlist, projected on the wall in front of three very serious people from a bank.",
    "One of them leaned forward and said, is that Celine Dion?",
    "They laughed so hard they forgot to be serious, and I got the job.",
]
WALK = [
    "We walked along the river path after lunch.",
    "The boats were tied up near the old bridge.",
    "A few people were sitting on the benches by the water.",
    "Later we went back to the hotel and had dinner.",
]
VAGUE = [
    "Honestly I was so happy about it.",
    "It was really good, I have to say.",
    "We laughed and laughed and laughed.",
    "I would do it all again tomorrow.",
]
SCALES = [
    "Weigh your flour, never scoop it.",
    "A cup of flour can weigh anywhere from 120 to 160 grams.",
    "Kitchen scales are cheap and accurate, and the bread comes out the same every time.",
    "The dough absorbs what you give it, so accurate flour means a crispy crust.",
]
# As a small transcriber writes it: a full stop left out, the next sentence's capital kept.
CANE = [
    "My first chair seat fell apart in a week.",
    "The cane was dry when I wove it and it snapped The wire was suddenly loose.",
    "Now I soak the cane for ten minutes in warm water before every row.",
    "Soaked cane bends instead of breaking, and the seat lasts for decades.",
]
KEEPER = [
    "The old lighthouse keeper kept a diary for forty years.",
    "Nobody in the village ever read a page of it.",
    "When he died, his niece found that every entry was about one ship that never came back.",
    "She published it, and the ship's wreck was found the next summer.",
]
LIFEBOAT = [
    "We're nearly out of time, so one last practical question.",
    "What should they actually do?",
    "Tell someone where you're going and when you'll be back.",
    "Take a friend, and wear the lifejacket even on a calm day.",
    "Most of the people we pull out of the sea were alone and told nobody.",
]
SALUDO = ["Hola a todos y bienvenidos de nuevo al canal.", "Hoy vamos a hablar de dinero."]
AHORRO = [
    "¿Por qué la mayoría de la gente nunca consigue ahorrar dinero?",
    "No es porque gane poco.",
    "Es porque ahorra lo que sobra a final de mes, y nunca sobra nada.",
    "Aparta el diez por ciento de tu sueldo el mismo día que lo cobras.",
    "Haz eso durante un año y te sorprenderá la diferencia.",
]
ABUELA = [
    "Mi abuela horneaba pan todos los domingos en un horno de leña.",
    "La masa reposaba toda la noche junto a la chimenea.",
    "Nunca usaba una receta, solo sus manos y la paciencia.",
    "Cuando murió, encontramos su libreta con cuarenta años de notas sobre harina y agua.",
]

ENGLISH = {
    "story": STORY,
    "advice": ADVICE,
    "baking": BAKING,
    "night shift": NIGHT_SHIFT,
    "babylon": BABYLON,
    "burnout": BURNOUT,
    "compost": COMPOST,
    "interview": INTERVIEW,
    "walk": WALK,
}
# Words a line never ends on, and the fillers a title never carries.
DANGLING = {"and", "the", "of", "to", "with", "because", "a", "an", "but", "or", "my", "your", "for", "if"}
FILLERS = ("um", "uh", "you know", "i mean", "basically", "like,", "kind of", "sort of")
# Words of the English templates; none may appear in a clip written in another language.
ENGLISH_TEMPLATE = re.compile(
    r"\b(the|this clip|why|what|how|did you know|speaker|talks about|happens|story|behind|opens|question)\b|#shorts",
    re.IGNORECASE,
)


def describe(block: list[str], *around: list[str], language: str = "en", **options) -> Moment:
    """The moment made of exactly ``block``'s sentences (spoken between ``around``'s blocks)."""
    around = around or (GREETING, OUTRO)
    transcript = dataclasses.replace(timed_transcript(around[0], block, *around[1:]), language=language)
    local = LocalAnalyser(analyse_transcript(transcript), ClipOptions(**options))
    first = next(s.index for s in transcript.sentences if s.sentence == block[0])
    last = next(s.index for s in transcript.sentences if s.sentence == block[-1])
    return local.describe(local.edges.span(first, last))


def words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower())


def caption(moment: Moment) -> str:
    """The description without its hashtags."""
    return moment.description.removesuffix(" ".join(moment.hashtags)).strip()


@pytest.fixture(scope="module")
def english() -> dict[str, Moment]:
    return {name: describe(block) for name, block in ENGLISH.items()}


def assert_topic_hashtags(moment: Moment) -> None:
    """3-5 distinct hashtags, each a topic: no stopword, verb, adjective, adverb, number or fragment."""
    assert 3 <= len(moment.hashtags) <= 5 and len(set(moment.hashtags)) == len(moment.hashtags), moment.hashtags
    for tag in moment.hashtags:
        word = tag.removeprefix("#")
        assert tag.startswith("#") and word.isalnum() and not word.isdigit() and len(word) >= 4, tag
        assert word not in lexicon.STOPWORDS and word not in lexicon.NUMBER_WORDS, tag
        # A verb even after "the" ("the seems", "the built"); nouns that double as verbs (#interview) pass.
        assert not lexicon.is_verb(word, "the"), tag
        assert not lexicon.is_adverb(word) and not lexicon.is_adjective(word), tag
        # A word the clip says whole is one the dictionary knows as a noun, if it knows it at all.
        senses = getAllLemmas(word)
        if word in words(moment.transcript):
            assert not senses or {"NOUN", "PROPN"} & set(senses), tag


def assert_clean_title(moment: Moment) -> None:
    """A short line of the clip, with no filler, no closing period and no dangling last word."""
    title = moment.title
    assert 3 <= len(title.split()) <= 12 and len(title) <= 70, title
    assert not title.endswith((".", ",", ";", ":")), title
    assert words(title)[-1] not in DANGLING, title
    assert not any(re.search(rf"\b{re.escape(f)}", title.lower()) for f in FILLERS), title
    assert not re.match(r"(so|and|but|well|okay|honestly)\b", title.lower()), title
    assert title.lower().rstrip("?") in moment.transcript.lower(), title


def test_it_tags_topics_never_stopwords_verbs_or_fragments(english):
    for moment in english.values():
        assert_topic_hashtags(moment)
    tags = english["babylon"].hashtags
    assert "#babylon" in tags and "#euphrates" in tags
    assert not {"#seems", "#built", "#went", "#older", "#moved"} & set(tags)


def test_it_tags_what_the_clip_is_about(english):
    assert {"#nightshift", "#emergencyroom", "#chestpain"} <= set(english["night shift"].hashtags)
    assert "#sourdoughbread" in english["baking"].hashtags
    assert {"#savings", "#money", "#salary"} <= set(english["advice"].hashtags)
    assert "#celinedion" in english["interview"].hashtags
    assert "emergency room" in english["night shift"].keywords


def test_it_never_tags_a_word_the_dictionary_knows_only_as_a_verb_or_adjective():
    moment = describe(SCALES)

    assert_topic_hashtags(moment)
    assert {"#flour", "#kitchenscales"} <= set(moment.hashtags)
    assert not {"#weigh", "#accurate", "#crispy", "#doughabsorbs"} & set(moment.hashtags)


def test_it_keeps_the_genre_tag_as_a_last_resort():
    topical = describe(WALK, genre="Education")
    vague = describe(VAGUE, ["Okay."], ["Bye."], genre="Education")

    assert "#education" not in topical.hashtags
    assert vague.hashtags[0] == "#education" and 3 <= len(vague.hashtags) <= 5


def test_it_titles_a_clip_with_a_short_clean_line_of_its_own(english):
    for moment in english.values():
        assert_clean_title(moment)
    assert english["compost"].title == "If you just pile up kitchen scraps, they rot and they smell"


def test_it_follows_the_word_rules_for_whatever_clips_the_scorer_chooses():
    talk = timed_transcript(GREETING, NIGHT_SHIFT, BABYLON, OUTRO, BURNOUT, INTERVIEW, COMPOST, OUTRO)

    result = find_moments(talk, ClipOptions(min_length=10, max_length=40, clip_count=4), PipelineConfig())

    assert result.moments
    for moment in result.moments:
        assert_topic_hashtags(moment)
        assert_clean_title(moment)
        assert moment.hooks.question.endswith("?") and len(moment.hooks.statement.split()) <= 16
        assert not caption(moment).lower().startswith("the speaker")


def test_it_cuts_a_long_opening_to_a_clause_rather_than_quoting_it_whole(english):
    title = english["night shift"].title

    assert title != NIGHT_SHIFT[0].rstrip(".")
    assert len(title.split()) < len(NIGHT_SHIFT[0].split())


def test_it_asks_the_question_the_clip_asks(english):
    assert english["advice"].hooks.question == "Why do most people fail to save money?"
    # Asked inside a story, after "said,": the question is the words from its asking word on.
    assert english["interview"].hooks.question == "Is that Celine Dion?"


def test_it_makes_a_natural_question_from_the_clip_when_it_asks_none(english):
    assert english["baking"].hooks.question == "Why does sourdough bread only need three ingredients?"
    assert english["burnout"].hooks.question == "Why doesn't burnout look like what people expect?"
    assert english["compost"].hooks.question == "What happens when you turn the heap every week?"
    assert english["story"].hooks.question == (
        "Why did I crash my father's car two days after getting my licence?"
    )
    for name, moment in english.items():
        question = moment.hooks.question
        assert question.endswith("?") and len(question.split()) <= 16, (name, question)
        assert not question.lower().startswith(("did you know", "can you guess")), (name, question)


def test_it_keeps_a_sentences_capital_out_of_a_made_question():
    (line,) = phrasing.lines("A sharp knife is safer than a dull one.", 0, "en", 16)
    # "The" run on into a sentence elsewhere in the talk is no name, so it is not kept either.
    keeper = describe(KEEPER, ["Hi everyone and welcome back.", "Today is about lighthouses The first was in Egypt."])

    assert phrasing.ask(line, frozenset(), "") == "Why is a sharp knife safer than a dull one?"
    assert keeper.hooks.question == "Why did the old lighthouse keeper keep a diary for forty years?"


def test_it_asks_the_clips_own_question_even_when_it_names_nothing():
    assert describe(LIFEBOAT).hooks.question == "What should they actually do?"


def test_it_reads_a_sentence_the_transcriber_ran_on_as_two():
    moment = describe(CANE)

    assert phrasing.run_on("The wire was loose Now I soak it") == ["The wire was loose", "Now I soak it"]
    assert phrasing.run_on("I'm 5 foot 11 My wife is 33.") == ["I'm 5 foot 11", "My wife is 33."]
    for whole in ("We moved to New York in May.", "We met The Beatles.", "Take vitamin A daily.", "I am. I was."):
        assert phrasing.run_on(whole) == [whole]
    for text in (moment.title, moment.hooks.question, moment.hooks.statement, caption(moment)):
        assert "snapped The wire" not in text, text


def test_it_never_quotes_a_subordinate_clause_no_main_clause_answers():
    alarm = "When a fire or pressure alarm sounds, the body wants to hit the nearest switch."
    final = "When I won six, and he died the month before that final."
    coin = "If you flip a fair coin and get five heads in a row, the next flip is still exactly fifty-fifty."

    assert [line.text for line in phrasing.lines(alarm, 0, "en", 16)] == [
        "When a fire or pressure alarm sounds, the body wants to hit the nearest switch",
        "The body wants to hit the nearest switch",
    ]
    assert not any(line.text.startswith("When") for line in phrasing.lines(final, 0, "en", 16))
    # Too long to quote whole, it is cut after the main clause's verb, not after the coordinate one's.
    assert [line.text for line in phrasing.lines(coin, 0, "en", 12)] == ["The next flip is still exactly fifty-fifty"]


def test_it_states_a_punchy_line_of_the_clip(english):
    for name, moment in english.items():
        statement = moment.hooks.statement
        assert statement.endswith((".", "!")) and len(statement.split()) <= 16, (name, statement)
        assert statement.lower().rstrip(".!") in moment.transcript.lower(), (name, statement)
        assert statement.rstrip(".!") != moment.title, name
    assert english["baking"].hooks.statement == "The secret is time, not technique."


def test_it_describes_what_happens_in_the_clip_not_its_keywords(english):
    for name, moment in english.items():
        text = caption(moment)
        assert text and moment.description.endswith(" ".join(moment.hashtags)), name
        assert not text.lower().startswith(("the speaker", "a moment from")), (name, text)
        assert "talks about" not in text.lower(), (name, text)
        keywords = [k.lower() for k in moment.keywords]
        listed = re.compile(r"\b(" + "|".join(map(re.escape, keywords)) + r")(, \w+)+ and \w+")
        assert not listed.search(text.lower()), (name, text)
        assert 1 <= len(re.findall(r"[.!?](?=\s|$)", text)) <= 2, (name, text)
    assert caption(english["compost"]).startswith("The thing about compost is that it needs air.")
    assert caption(english["night shift"]).endswith(NIGHT_SHIFT[-1])


def test_it_names_only_features_the_clip_has(english):
    for name, moment in english.items():
        reason = moment.reason
        assert reason.startswith("This clip ") and reason.endswith(".") and reason.count(".") == 1, name
        spoken = words(moment.transcript)
        has_number = any(w.isdigit() or w in lexicon.NUMBER_WORDS | lexicon.MORE_NUMBER_WORDS for w in spoken)
        if "number" in reason:
            assert has_number, (name, reason)
        if "opens with a question" in reason:
            assert ENGLISH[name][0].endswith("?"), (name, reason)
        if "personal story" in reason:
            assert {"i", "my"} & set(spoken), (name, reason)
    assert "tells a personal story" in english["story"].reason
    assert "opens with a question" in english["advice"].reason
    assert "number" not in english["burnout"].reason and "question" not in english["burnout"].reason
    assert "personal story" not in english["baking"].reason
    assert "advice" not in english["interview"].reason


def test_it_gives_a_clip_without_a_strong_feature_an_honest_reason(english):
    reason = english["walk"].reason

    assert reason in (
        "This clip stands on its own from start to finish.",
        "This clip is a coherent stretch of talk without a strong hook or payoff.",
    )


def test_it_writes_about_a_spanish_clip_in_its_own_words():
    moment = describe(AHORRO, SALUDO, ["Gracias por ver el vídeo."], language="es")

    assert moment.hooks.question == AHORRO[0]
    assert moment.title.lower() in moment.transcript.lower() and moment.title != AHORRO[0]
    assert moment.hooks.statement.rstrip(".").lower() in moment.transcript.lower()
    assert caption(moment).startswith(AHORRO[0])
    assert moment.reason.startswith("Este clip abre con una pregunta")
    assert "#sueldo" in moment.hashtags


def test_it_keeps_english_template_words_out_of_a_spanish_talk():
    talk = dataclasses.replace(timed_transcript(SALUDO, AHORRO, ABUELA), language="es")

    result = find_moments(talk, ClipOptions(min_length=10, max_length=30, clip_count=2), PipelineConfig())

    assert result.moments
    for moment in result.moments:
        for text in (moment.title, moment.hooks.question, moment.hooks.statement, moment.description, moment.reason):
            assert text and not ENGLISH_TEMPLATE.search(text), text
        assert 3 <= len(moment.hashtags) <= 5
        for tag in moment.hashtags:
            word = tag.removeprefix("#")
            assert len(word) >= 4 and word not in phrasebook.FOREIGN_STOPWORDS["es"] | lexicon.STOPWORDS, tag
        assert moment.emotions in (["curiosity"], ["neutral"])


def test_it_asks_about_the_topic_of_a_spanish_clip_that_asks_nothing():
    moment = describe(ABUELA, SALUDO, ["Gracias por ver el vídeo."], language="es")

    assert moment.hooks.question == "Abuela: ¿qué hay detrás?"
    assert "#abuela" in moment.hashtags and "#horno" in moment.hashtags
    assert caption(moment).startswith(ABUELA[0])
    assert moment.reason.startswith("Este clip")


def test_it_recognises_the_language_when_neither_transcript_nor_options_name_it():
    moment = describe(AHORRO, SALUDO, ["Gracias por ver el vídeo."], language="")

    assert moment.hooks.question == AHORRO[0]
    assert not ENGLISH_TEMPLATE.search(moment.reason) and not ENGLISH_TEMPLATE.search(moment.description)
