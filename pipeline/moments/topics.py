"""What a clip is about: its language, its topic words and the hashtags made from them.

Topics are nouns, noun compounds ("emergency room") and names, never verbs, adjectives,
adverbs, numbers or function words: a hashtag names a subject people search for. In English
an English dictionary (lemminflect's) has the last word: a word it knows only as a verb,
adjective or adverb ("weigh", "accurate", "sideways") is no topic, nor is a compound ending
on one ("pasta absorbs"), whatever the word lists guessed. A word
ranks by how often the clip says it against how common it is in the whole transcript,
and higher still when it recurs in the clip or is capitalised mid-sentence (a name).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from lemminflect import getAllLemmas

from pipeline.moments import lexicon, phrasebook
from pipeline.moments.text import stem

MIN_HASHTAGS = 3
MAX_HASHTAGS = 5
MIN_TOPIC_LETTERS = 4
# A compound longer than this makes an unreadable hashtag ("#maternitywardstaffroom").
MAX_TAG_CHARS = 20
# Topics scoring under this share of the best one are left out once three are chosen.
_WEAK_TOPIC = 0.35

_WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")
_ELISION = re.compile(r"^([ldjncmst]|qu|dell|all|dall|nell|sull)'(.+)$", re.IGNORECASE)
_BREAK = re.compile(r"[,;:.!?\u2014\u2013()\"\u201c\u201d\u00ab\u00bb]|\s-\s")

# Below this share of marker words, or in fewer words than this, no language is recognised.
_MIN_MARKER_SHARE = 0.12
_MIN_DETECTED_WORDS = 8


@dataclasses.dataclass(frozen=True)
class Token:
    """A word of a sentence: as written, lower-cased, and where it stands."""

    text: str
    lower: str
    initial: bool  # first word of the sentence (its capital says nothing)
    joined: bool  # no punctuation between it and the word before


@dataclasses.dataclass(frozen=True)
class Topic:
    """A topic of the clip: its words as spoken, its hashtag, its score and its word roots."""

    text: str
    tag: str
    score: float
    roots: frozenset[str]


def sentence_tokens(text: str, language: str = "") -> list[Token]:
    """The words of ``text`` in any script, keeping contractions and hyphenated words whole.

    In French and Italian an elided article or pronoun is a word of its own ("l'homme" is
    "l" and "homme").
    """
    found: list[Token] = []
    position = 0
    for match in _WORD.finditer(text):
        word = match.group().replace("\u2019", "'")
        joined = bool(found) and not _BREAK.search(text[position : match.start()])
        elided = _ELISION.match(word) if language in ("fr", "it") else None
        if elided:
            found.append(Token(elided.group(1), elided.group(1).lower(), not found, joined))
            word, joined = elided.group(2), True
        found.append(Token(word, word.lower(), not found, joined))
        position = match.end()
    return found


def detect_language(texts: Iterable[str], hint: str = "") -> str:
    """The two-letter code of the language ``texts`` are in, as far as it can be told.

    A language of :data:`~pipeline.moments.phrasebook.LANGUAGE_MARKERS` when the words say
    so; otherwise ``hint``'s primary subtag ("pt-BR" -> "pt"), and without a hint "en" for
    Latin-script text and "" (some other language) for anything else. The hinted language
    is kept while its words are at least half as many as another's: a short English line
    ("Saying no saved our engineers four hours a day.") shares "no" and "a" with Portuguese.
    """
    primary = hint.split("-")[0].split("_")[0].lower()
    counts: Counter = Counter()
    total = latin = 0
    for text in texts:
        for token in sentence_tokens(text):
            total += 1
            latin += token.lower.isascii()
            for code, markers in phrasebook.LANGUAGE_MARKERS.items():
                counts[code] += token.lower in markers
        if total > 3000:
            break
    if total >= _MIN_DETECTED_WORDS:
        code, hits = max(counts.items(), key=lambda item: (item[1], item[0] == "en"))
        if hits / total >= _MIN_MARKER_SHARE:
            return primary if primary and 2 * counts[primary] >= hits else code
    if primary:
        return primary
    return "en" if total and latin / total > 0.8 else ""


def is_stopword(word: str, language: str) -> bool:
    """Whether ``word`` (lower-case) is a function word in ``language`` or in English."""
    return word in lexicon.STOPWORDS or word in phrasebook.FOREIGN_STOPWORDS.get(language, frozenset())


def is_number_word(word: str, language: str = "en") -> bool:
    """A numeral or a number word of ``language`` ("twenty", "veinte"; "four" is an oven in French)."""
    if any(ch.isdigit() for ch in word):
        return True
    if language == "en":
        return word in lexicon.NUMBER_WORDS or word in lexicon.MORE_NUMBER_WORDS
    return word in phrasebook.FOREIGN_NUMBER_WORDS.get(language, frozenset())


def is_name(token: Token) -> bool:
    """A capitalised word inside a sentence: a name ("Semmelweis"), or in German any noun.

    Not "I", and not an English function word: capitalised inside a sentence ("... 5 foot 11
    My wife"), that starts a sentence the transcriber ran on, and names nothing.
    """
    return (
        not token.initial
        and token.text[:1].isupper()
        and token.lower not in ("i", "i'm", "i've", "i'd", "i'll")
        and token.lower not in lexicon.STOPWORDS
    )


def is_topic_word(token: Token, previous: str, language: str, *, loose: bool = False) -> bool:
    """Whether a word can name a topic: a noun or a name, long enough, not a function word.

    English words are judged by :mod:`~pipeline.moments.lexicon`'s word classes; German
    nouns are the capitalised words; in Spanish, French, Portuguese and Italian a noun is a
    word standing after an article, possessive or preposition ("la gente", "de leña") that
    is neither an adjective nor a verb form (``loose`` drops the article).
    """
    word = token.lower.removesuffix("'s")
    if not _content_word(word, language):
        return False
    if any(word in words for words in (lexicon.FUNCTION_WORDS, lexicon.GENERIC_WORDS, lexicon.GENERIC_TOPICS)):
        return False
    if language == "de":
        return is_name(token)
    if language != "en":
        if is_name(token):
            return True
        determiners = phrasebook.FOREIGN_DETERMINERS.get(language, frozenset())
        if (previous not in determiners and not loose) or word in phrasebook.FOREIGN_ADJECTIVES:
            return False
        infinitive = previous in phrasebook.FOREIGN_INFINITIVE_CONTEXT and word.endswith(
            phrasebook.FOREIGN_INFINITIVE_ENDINGS.get(language, ())
        )
        endings = phrasebook.FOREIGN_VERB_ENDINGS.get(language, ())
        return not infinitive and not (endings and word.endswith(endings))
    if is_name(token) and word not in lexicon.ADVERBS:
        return True
    if word.endswith("ing") and word not in lexicon.ING_NOUNS:
        # Only known activities ("running", "parenting"); "a frightening result" names none.
        return False
    return not (lexicon.is_verb(word, previous) or lexicon.is_adjective(word) or lexicon.is_adverb(word))


def _content_word(word: str, language: str) -> bool:
    """Long enough, no digits or apostrophes, no function or housekeeping word."""
    letters = sum(ch.isalpha() for ch in word)
    if letters < MIN_TOPIC_LETTERS or "'" in word or is_number_word(word, language) or is_stopword(word, language):
        return False
    return word not in lexicon.HOUSEKEEPING_WORDS


def _generic_head(token: Token, previous: str, language: str) -> bool:
    """A general English noun that can close a compound though not stand alone ("waiting area")."""
    word = token.lower
    return language == "en" and word in lexicon.GENERIC_TOPICS and not lexicon.is_verb(word, previous)


def root(word: str, language: str) -> str:
    """The form two spellings of a topic share ("publishers" and "publisher")."""
    word = word.lower().removesuffix("'s")
    return stem(word) if language == "en" else word


def hashtag(text: str) -> str:
    return "#" + "".join(ch for ch in text.lower() if ch.isalnum())


def document_frequency(sentences: Sequence[str], language: str) -> Counter:
    """In how many sentences each root occurs (for weighing a clip's words against the talk)."""
    frequency: Counter = Counter()
    for text in sentences:
        frequency.update({root(t.lower, language) for t in sentence_tokens(text, language)})
    return frequency


def topics(
    sentences: Sequence[str], language: str, frequency: Counter, total_sentences: int, *, loose: bool = False
) -> list[Topic]:
    """The topics of ``sentences``, best first, none sharing a word root with a better one.

    ``loose`` (for languages other than English and German) also takes content words with no
    article before them, when a clip has too few nouns to tag.

    A word scores its count times its inverse document frequency in the transcript, half
    as much again as a name and a quarter more when it recurs; a compound of two adjacent
    topic words (or a run of names) scores 0.8 times the sum of its parts' weights per use,
    so "emergency room" said once outranks "room" said once.
    """
    weights: Counter = Counter()
    spoken: dict[tuple[str, ...], Counter] = {}

    def idf(key: str) -> float:
        return math.log((1 + total_sentences) / (1 + frequency.get(key, 0))) + 1.0

    for text in sentences:
        tokens = sentence_tokens(text, language)
        topical = [
            is_topic_word(t, tokens[i - 1].lower if i else "", language, loose=loose) for i, t in enumerate(tokens)
        ]
        if language == "en":
            # Between two nouns a word in -s is the verb: "the brain stores memories".
            for i in range(1, len(tokens) - 1):
                between = topical[i - 1] and topical[i + 1] and tokens[i].joined and tokens[i + 1].joined
                if between and _plural(tokens[i].lower) and not is_name(tokens[i]):
                    topical[i] = False
        run: list[Token] = []
        for i, (token, is_topic) in enumerate(zip(tokens, topical, strict=True)):
            if not is_topic:
                if run and token.joined and _generic_head(token, tokens[i - 1].lower, language):
                    run.append(token)
                _add_compound(run, language, idf, weights, spoken)
                run = []
                continue
            key = (root(token.lower, language),)
            weights[key] += idf(key[0]) * (1.5 if is_name(token) else 1.0)
            spoken.setdefault(key, Counter())[_surface(token, language)] += 1
            # A possessive ("father's car"), punctuation or a participle ("mind running") ends a
            # compound, and so does a word in -s, more often a verb than a modifier ("brain stores").
            ends = run and (run[-1].lower.endswith("'s") or _plural(run[-1].lower))
            if run and (not token.joined or ends or token.lower.endswith("ing")):
                _add_compound(run, language, idf, weights, spoken)
                run = []
            run.append(token)
        _add_compound(run, language, idf, weights, spoken)
    for key, counter in spoken.items():
        if sum(counter.values()) > 1:
            weights[key] *= 1.25
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    chosen: list[Topic] = []
    for key, score in ranked:
        text = spoken[key].most_common(1)[0][0]
        tag = hashtag(text)
        if len(tag) - 1 > MAX_TAG_CHARS or len(tag) - 1 < MIN_TOPIC_LETTERS or not _nominal(text, language):
            continue
        topic = Topic(text=text, tag=tag, score=score, roots=frozenset(key))
        overlapping = [k for k, t in enumerate(chosen) if t.roots & topic.roots]
        if not overlapping:
            chosen.append(topic)
            continue
        k = overlapping[0]
        if len(overlapping) == 1 and len(key) > len(chosen[k].roots) and score >= 0.5 * chosen[k].score:
            # "night shift" is more telling than "night" said twice: the compound takes its place.
            chosen[k] = dataclasses.replace(topic, score=chosen[k].score)
    return chosen


def _add_compound(
    run: list[Token], language: str, idf: Callable[[str], float], weights: Counter, spoken: dict
) -> None:
    """Count each adjacent pair of ``run`` as a compound; a run of names counts whole."""
    if len(run) < 2:
        return
    if all(is_name(t) for t in run) and len(run) <= 3:
        pieces = [run]
    elif language == "en":
        pieces = [run[i : i + 2] for i in range(len(run) - 1)]
    else:
        # Elsewhere compounds are joined by function words ("sala de espera"), not side by side.
        return
    for piece in pieces:
        key = tuple(root(t.lower, language) for t in piece)
        weights[key] += 0.8 * sum(idf(k) for k in key)
        spoken.setdefault(key, Counter())[" ".join(_surface(t, language) for t in piece)] += 1


def _nominal(text: str, language: str) -> bool:
    """Whether a topic's words as spoken end on a noun: a name, a word the English dictionary
    knows as a noun, or one it does not know at all (a coinage, a word misheard); outside
    English, every topic."""
    head = text.split()[-1]
    if language != "en" or head[:1].isupper():
        return True
    senses = getAllLemmas(head.lower())
    return not senses or "NOUN" in senses or "PROPN" in senses


def _plural(word: str) -> bool:
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _surface(token: Token, language: str) -> str:
    word = token.text.removesuffix("'s")
    return word if is_name(token) or (language == "de" and word[:1].isupper()) else word.lower()


def choose_hashtags(clip: list[Topic], spare: list[Topic], genre: str) -> list[str]:
    """3-5 hashtags: the clip's strong topics, then ``spare`` ones, then the genre, then "#shorts"."""
    best = clip[0].score if clip else 0.0
    tags = [t.tag for i, t in enumerate(clip) if i < MIN_HASHTAGS or t.score >= _WEAK_TOPIC * best]
    tags = list(dict.fromkeys(tags))[:MAX_HASHTAGS]
    fallbacks = [t.tag for t in spare] + ([hashtag(genre)] if genre and genre != "Auto" else [])
    for extra in [*fallbacks, "#shorts", "#clips"]:
        if len(tags) >= MIN_HASHTAGS:
            break
        if extra not in tags and len(extra) > MIN_TOPIC_LETTERS:
            tags.append(extra)
    return tags
