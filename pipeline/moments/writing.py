"""The words around a clip: title, hooks, description, hashtags, emotions, keywords, reason.

Everything is drawn from the clip's own sentences. Each sentence is cut into quotable
lines (:mod:`pipeline.moments.phrasing`) and every line is scored for what makes a line
worth quoting: a concrete noun, a number, a name, a strong claim, a feeling, a twist, in
few words, not pointing back at earlier talk. The best short line is the title, the best
full line the statement hook, and the clip's own question (or, in English, one made from
its best line) the question hook. The description pairs the clip's set-up with its
payoff, and the reason names only what the clip shows: each feature must be both in its
words and in the score's signals.

A transcript in another language is written about from its own sentences only; the few
template words it needs (a fallback question, the reason) exist in Spanish, French,
German, Portuguese and Italian, and other languages get the clip's words alone.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections import Counter
from collections.abc import Callable

from pipeline.moments import lexicon, phrasebook, phrasing, topics
from pipeline.moments.features import TranscriptAnalysis
from pipeline.moments.models import Hooks
from pipeline.moments.phrasing import Line
from pipeline.moments.scoring import WindowScore
from pipeline.moments.text import count_phrases, phrase_text

MAX_TITLE_CHARS = 70
TITLE_WORDS = 12
HOOK_WORDS = 16
CAPTION_WORDS = 24

_ADVICE_PHRASES = ("you should", "you need to", "you have to", "you must", "make sure")
_FIRST_PERSON = frozenset(["i", "we", "my", "me", "our", "us"])
_OBJECT_POINTERS = frozenset(["it", "him", "them", "this"])
_VAGUE_ENDINGS = frozenset(["it", "that", "this", "them", "him", "her", "there"])
# Back-pointers that at least name a person ("He was having a heart attack").
_PEOPLE = frozenset(["he", "he's", "she", "she's", "they", "they're"])


@dataclasses.dataclass
class ClipWriting:
    """Everything written about one clip."""

    title: str
    hooks: Hooks
    description: str
    hashtags: list[str]
    emotions: list[str]
    keywords: list[str]
    reason: str


@dataclasses.dataclass
class _TranscriptWords:
    """What the whole transcript says about words: its language, how common each word is, its names."""

    hint: str
    language: str
    frequency: Counter
    count: int
    names: frozenset[str]
    _topics: list[topics.Topic] | None = None

    @classmethod
    def read(cls, analysis: TranscriptAnalysis, hint: str) -> _TranscriptWords:
        texts = [s.sentence for s in analysis.sentences]
        language = topics.detect_language(texts, hint)
        names = frozenset(t.lower for text in texts for t in topics.sentence_tokens(text) if topics.is_name(t))
        return cls(hint, language, topics.document_frequency(texts, language), len(texts), names)

    def topics(self, analysis: TranscriptAnalysis) -> list[topics.Topic]:
        """The topics of the whole talk, housekeeping left out (computed once)."""
        if self._topics is None:
            talk = [s.sentence for s, sig in zip(analysis.sentences, analysis.signals, strict=True) if sig.filler < 0.5]
            self._topics = topics.topics(talk, self.language, self.frequency, self.count)
        return self._topics


# One reading per transcript: every clip of a talk asks the same questions about its words.
# Keyed by the analysis' identity and dropped with it.
_TRANSCRIPTS: dict[int, _TranscriptWords] = {}


def _transcript_words(analysis: TranscriptAnalysis, hint: str) -> _TranscriptWords:
    key = id(analysis)
    known = _TRANSCRIPTS.get(key)
    if known is None or known.hint != hint:
        known = _TRANSCRIPTS[key] = _TranscriptWords.read(analysis, hint)
        weakref.finalize(analysis, _TRANSCRIPTS.pop, key, None)
    return known


@dataclasses.dataclass
class _Clip:
    """One clip's sentences with what the whole transcript says about their words."""

    analysis: TranscriptAnalysis
    first: int
    last: int
    language: str
    names: frozenset[str]
    topics: list[topics.Topic]
    roots: frozenset[str]
    _lines: dict[int, list[Line]] = dataclasses.field(default_factory=dict)

    @property
    def indexes(self) -> range:
        return range(self.first, self.last + 1)

    def text(self, index: int) -> str:
        return self.analysis.sentences[index].sentence

    def lines(self, max_words: int) -> list[Line]:
        """The quotable lines of the clip's sentences, at most ``max_words`` long (computed once)."""
        if max_words not in self._lines:
            self._lines[max_words] = [
                line for i in self.indexes for line in phrasing.lines(self.text(i), i, self.language, max_words)
            ]
        return self._lines[max_words]


def write_clip(
    analysis: TranscriptAnalysis,
    first: int,
    last: int,
    scored: WindowScore,
    *,
    genre: str = "Auto",
    language: str = "",
) -> ClipWriting:
    """Title, hooks, description, hashtags, emotions, keywords and reason for sentences ``first..last``.

    ``language`` is the transcript's language code when known ("es", "pt-BR"); the clip's
    words, then the transcript's, decide when they clearly say otherwise. ``genre`` is a
    last-resort hashtag.
    """
    talk = _transcript_words(analysis, language)
    texts = [s.sentence for s in analysis.sentences[first : last + 1]]
    # The clip's own words first: a clip quotes them, whatever the rest of the talk is in.
    code = topics.detect_language(texts, talk.language)
    content = [analysis.sentences[i].sentence for i in range(first, last + 1) if analysis.signals[i].filler < 0.5]
    found = topics.topics(content, code, talk.frequency, talk.count)
    clip = _Clip(analysis, first, last, code, talk.names, found, frozenset(r for t in found[:5] for r in t.roots))
    spare: list[topics.Topic] = []
    if len(found) < topics.MIN_HASHTAGS:
        # Too few topics in the clip: the talk's topics, then (outside English) the clip's other
        # content words, come before any tag that is not about the clip.
        spare = talk.topics(analysis)
        if code != "en":
            spare = spare + topics.topics(content, code, talk.frequency, talk.count, loose=True)
    tags = topics.choose_hashtags(found, spare, genre)
    question = _question(clip)
    title = _title(clip, question)
    statement = _statement(clip, title)
    # A clip with no line that names anything is described by its best line at least.
    caption = _description(clip) or statement
    return ClipWriting(
        title=title,
        hooks=Hooks(question=question, statement=statement),
        description=f"{caption} {' '.join(tags)}".strip(),
        hashtags=tags,
        emotions=_emotions(analysis, first, last, code),
        keywords=[t.text for t in (found or spare)[:5]],
        reason=_reason(scored, clip),
    )


def _points(line: Line, clip: _Clip, ideal: int = 9, *, asked: bool = False) -> float | None:
    """How quotable ``line`` is, or None when it is housekeeping or says nothing concrete.

    A concrete noun, a topic word of the clip, a number or a name count; in English so do
    a strong claim, a negation, a feeling, a twist, a conflict, advice, "you" and a payoff,
    and a line needs a verb. Lines of 4 to ``ideal`` words are best; a line opening on a
    word that points back ("It", "That") or leaning on "it"/"him" loses points. A question
    the clip itself ``asked`` needs nothing concrete: asking is its hook ("What's the one
    thing they should do?").
    """
    filler = clip.analysis.signals[line.index].filler
    english = clip.language == "en"
    words = line.words
    if filler >= (0.3 if english else 0.5) or len(words) < 3:
        return None
    tokens = topics.sentence_tokens(line.text, clip.language)
    nouns = sum(topics.is_topic_word(t, tokens[k - 1].lower if k else "", clip.language) for k, t in enumerate(tokens))
    numbers = any(topics.is_number_word(w, clip.language) for w in words)
    named = any(w in clip.names for w in words[1:])
    on_topic = sum(topics.root(w, clip.language) in clip.roots for w in words)
    if english:
        if not phrasing.has_verb(words) or not (asked or nouns or numbers or named or _punchy(words)):
            return None
        points = _english_points(words)
    else:
        if not (asked or nouns or numbers or named):
            return None
        points = 0.3 * (line.mark == "!") - 1.2 * (words[0].lstrip("¿¡") in phrasebook.FOREIGN_BACK_POINTERS)
    points += 0.8 * min(3, nouns) + 0.6 * min(2, on_topic) + 1.2 * numbers + 0.8 * named
    points -= 0.6 if len(words) == 3 else 0.35 * max(0, len(words) - ideal)
    points += 0.2 * line.whole - 0.3 * line.cut + 0.2 * (line.index == clip.first) - 2.0 * filler
    return points


def _punchy(words: list[str]) -> bool:
    """An English line that makes a point without a concrete noun: advice, a strong claim, a feeling."""
    emotional = any(w in vocabulary for vocabulary in lexicon.EMOTIONS.values() for w in words)
    claim = any(w in phrasebook.STRONG_CLAIMS or _superlative(w) for w in words)
    return _imperative(words) or count_phrases(phrase_text(words), _ADVICE_PHRASES) > 0 or claim or emotional


def _english_points(words: list[str]) -> float:
    padded = phrase_text(words)
    emotional = any(w in vocabulary for vocabulary in lexicon.EMOTIONS.values() for w in words)
    return (
        1.0 * any(w in phrasebook.STRONG_CLAIMS or _superlative(w) for w in words)
        + 0.4 * any(w in ("not", "never", "no") or w.endswith("n't") for w in words)
        + 0.6 * emotional
        + 0.6 * (count_phrases(padded, phrasebook.STRONG_SURPRISE) > 0)
        + 0.4 * any(w in phrasebook.STRONG_CONFLICT for w in words)
        + 0.5 * (_imperative(words) or count_phrases(padded, _ADVICE_PHRASES) > 0)
        + 0.3 * any(w in ("you", "your") for w in words)
        + 0.4 * (count_phrases(padded, lexicon.PAYOFF_PHRASES) > 0)
        - 2.0 * (words[0] in phrasebook.BACK_POINTERS and words[0] not in _PEOPLE)
        - 1.2 * (words[0] in _PEOPLE)
        - 0.3 * min(2, sum(w in _OBJECT_POINTERS for w in words[1:]))
    )


def _ranked(
    clip: _Clip,
    lines: list[Line],
    bonus: Callable[[Line], float] = lambda line: 0.0,
    ideal: int = 9,
    *,
    asked: bool = False,
) -> list[tuple[float, Line]]:
    """Scored lines (:func:`_points`), best first; ties go to the earlier line."""
    scored = [(p + bonus(line), line) for line in lines if (p := _points(line, clip, ideal, asked=asked)) is not None]
    order = {id(line): k for k, line in enumerate(lines)}
    return sorted(scored, key=lambda item: (-item[0], order[id(item[1])]))


def _title(clip: _Clip, question: str) -> str:
    """The clip's most quotable short line (a question keeps its mark), else its main topic.

    A line already used as the question hook is a weaker title: the two would read the same.
    """
    lines = [line for line in clip.lines(TITLE_WORDS) if len(line.text) <= MAX_TITLE_CHARS]
    ranked = _ranked(clip, lines, lambda line: 0.3 * line.question - 3.0 * (line.text + "?" == question))
    if ranked:
        line = ranked[0][1]
        return line.text + ("?" if line.question else "")
    if clip.topics:
        text = clip.topics[0].text
        return (text[:1].upper() + text[1:])[:MAX_TITLE_CHARS]
    fallback = clip.lines(9)
    if fallback:
        return fallback[0].text[:MAX_TITLE_CHARS]
    # Nothing quotable (a clip of one-word answers, a script without spaces): its opening words.
    text = clip.text(clip.first).strip().rstrip(".!?,;:…。")
    return text if len(text) <= MAX_TITLE_CHARS else text[:MAX_TITLE_CHARS].rsplit(" ", 1)[0]


def _statement(clip: _Clip, title: str) -> str:
    """A punchy line of the clip (16 words at most), preferably not the title again."""
    lines = [line for line in clip.lines(HOOK_WORDS) if not line.question]

    def punch(line: Line) -> float:
        # A claim, advice or a payoff makes the statement; repeating the title wastes it.
        repeat = line.text.lower() in title.lower() or title.lower().rstrip("?") in line.text.lower()
        english = clip.language == "en" and _punchy(line.words)
        payoff = clip.language == "en" and count_phrases(phrase_text(line.words), lexicon.PAYOFF_PHRASES) > 0
        return 0.5 * line.whole + 0.8 * english + 0.5 * payoff - 5.0 * repeat

    ranked = _ranked(clip, lines, punch, ideal=12)
    if not ranked:
        return title if title.endswith(("?", "!")) else f"{title}."
    line = ranked[0][1]
    return line.text + (line.mark if line.mark in ".!" else ".")


def _question(clip: _Clip) -> str:
    """The clip's own best question; else (English) one made from its best line; else one on its topic."""
    # A question that ends on "it" or "that" ("What budget have you set for it?") asks about
    # something the viewer has not heard.
    own = [line for line in clip.lines(HOOK_WORDS) if line.question and line.words[-1] not in _VAGUE_ENDINGS]
    asked = _ranked(clip, own, lambda line: 0.5 * line.whole, asked=True)
    if asked:
        return asked[0][1].text + "?"
    topic = _topic_phrase(clip)
    if clip.language == "en":
        made = []
        for points, line in _ranked(clip, clip.lines(HOOK_WORDS)):
            question = phrasing.ask(line, clip.names, topic)
            if question:
                words = topics.sentence_tokens(question)
                vague = sum(t.lower in _OBJECT_POINTERS | {"him", "her", "they", "them"} for t in words[2:])
                made.append((points - 0.5 * vague, question))
        if made:
            return max(made, key=lambda item: item[0])[1]
    template = phrasebook.TOPIC_QUESTIONS.get(clip.language)
    if template is None or not topic:
        return ""
    the = "" if clip.language != "en" or topic.lower() in clip.names else "the "
    return template.format(topic=topic, Topic=topic[:1].upper() + topic[1:], the=the)


def _topic_phrase(clip: _Clip) -> str:
    return clip.topics[0].text if clip.topics else ""


def _description(clip: _Clip) -> str:
    """What happens and why to watch: the clip's set-up, then its payoff or strongest later line."""
    lines = clip.lines(CAPTION_WORDS)
    opening = _opening(clip, lines)
    if opening is None:
        return ""
    later = [line for line in lines if line.index > opening.index]

    def payoff(line: Line) -> float:
        signals = clip.analysis.signals[line.index]
        closing = line.index >= clip.last - 1
        return 1.0 * bool(signals.payoff) + 0.6 * bool(signals.advice) + 0.5 * closing + 0.5 * line.whole

    ranked = _ranked(clip, later, payoff, ideal=20)
    parts = [opening] + ([ranked[0][1]] if ranked else [])
    return " ".join(line.text + (line.mark if line.mark in ".!?" else ".") for line in parts)


def _opening(clip: _Clip, lines: list[Line]) -> Line | None:
    """The first content sentence's longest self-contained opening (not one that points back, if any)."""
    usable = [line for line in lines if _points(line, clip) is not None and _concrete(line, clip)]
    clean = [line for line in usable if not clip.analysis.signals[line.index].dangling_start] or usable
    if not clean:
        return None
    index = min(line.index for line in clean)
    return max((line for line in clean if line.index == index), key=lambda line: (line.whole, len(line.pieces)))


def _concrete(line: Line, clip: _Clip) -> bool:
    """Whether a line names something: a topic noun, a number or a name ("I'm happy to go" does not)."""
    tokens = topics.sentence_tokens(line.text, clip.language)
    return any(
        topics.is_topic_word(t, tokens[k - 1].lower if k else "", clip.language)
        or topics.is_number_word(t.lower, clip.language)
        or (k and t.lower in clip.names)
        for k, t in enumerate(tokens)
    )


# A clip is named the most replayed part when its replay value is this far above the median.
REPLAY_REASON_LIFT = 0.15


def _reason(scored: WindowScore, clip: _Clip) -> str:
    """One sentence naming the clip's strongest features: each is in its words and its signals."""
    language = clip.language if clip.language in phrasebook.REASONS else "en"
    phrases = phrasebook.REASONS[language]
    found = [name for name in phrases if name in _features(scored.signals, clip)][:3]
    opening, conjunction, plain = phrasebook.REASON_FRAMES[language]
    if not found:
        return plain
    named = [phrases[name] for name in found]
    body = named[0] if len(named) == 1 else ", ".join(named[:-1]) + f" {conjunction} " + named[-1]
    return f"{opening} {body}."


def _features(signals: dict[str, float], clip: _Clip) -> set[str]:
    """The reason's features the clip really has: its words show them and its signals cross a bar."""
    analysis, first = clip.analysis, clip.first
    sentences = {i: [t.lower for t in topics.sentence_tokens(clip.text(i), clip.language)] for i in clip.indexes}
    opening = sentences[first]
    numbers = sum(topics.is_number_word(w, clip.language) for words in sentences.values() for w in words)
    found: set[str] = set()
    if signals.get("share_topic", 0.0) > 0:
        found.add("topic")
    if signals.get("replay", 0.0) >= REPLAY_REASON_LIFT:
        found.add("replay")
    question = [line for line in phrasing.lines(clip.text(first), first, clip.language, HOOK_WORDS) if line.question]
    if question and any(_points(line, clip) is not None for line in question):
        found.add("question")
    if any(topics.is_number_word(w, clip.language) for w in opening):
        found.add("number")
    elif numbers >= 2:
        found.add("numbers")
    if signals.get("edge_breaks", 0.0) >= 0.7 and signals.get("finished", 0.0) and not signals.get("dangling_start"):
        found.add("standalone")
    if clip.language != "en":
        return found
    sigs = [analysis.signals[i] for i in clip.indexes]
    padded = {i: phrase_text(words) for i, words in sentences.items()}
    if signals.get("hook_claim", 0.0) >= 10 and any(w in phrasebook.STRONG_CLAIMS or _superlative(w) for w in opening):
        found.add("claim")
    told = sum(bool(_FIRST_PERSON & set(words)) and any(map(lexicon.is_past, words)) for words in sentences.values())
    if sum(s.story for s in sigs) >= 2 and told >= 2 and signals.get("share_story", 0.0) >= 1.0:
        found.add("story")
    advised = any(_imperative(words) or count_phrases(padded[i], _ADVICE_PHRASES) for i, words in sentences.items())
    if sum(s.advice for s in sigs) >= 2 and advised and signals.get("share_advice", 0.0) >= 1.5:
        found.add("advice")
    twist = any(count_phrases(p, phrasebook.STRONG_SURPRISE) for p in padded.values())
    if signals.get("share_surprise", 0.0) >= 1.0 and twist:
        found.add("twist")
    if signals.get("share_emotion", 0.0) >= 1.4 and sum(1 for s in sigs if s.emotion_hits) >= 2:
        found.add("emotion")
    closing = analysis.signals[max(first, clip.last - 1) : clip.last + 1]
    if signals.get("payoff", 0.0) and signals.get("finished", 0.0) and any(s.payoff for s in closing):
        found.add("payoff")
    if signals.get("hook_conflict", 0.0) >= 8 and any(w in phrasebook.STRONG_CONFLICT for w in opening):
        found.add("conflict")
    if signals.get("hook_you", 0.0) >= 8 and analysis.signals[first].second_person and not _opens_on_question(clip):
        found.add("you")
    return found


def _opens_on_question(clip: _Clip) -> bool:
    return clip.text(clip.first).strip().endswith("?")


def _emotions(analysis: TranscriptAnalysis, first: int, last: int, language: str) -> list[str]:
    """The clip's dominant emotions (up to three), or ``["neutral"]`` when none is voiced.

    The emotion words are English; elsewhere only a question ("curiosity") is recognised,
    so that the French "pain" (bread) is not read as sadness.
    """
    counts: Counter = Counter()
    for signals in analysis.signals[first : last + 1]:
        if language == "en":
            counts.update(signals.emotions)
        if signals.question:
            counts["curiosity"] += 0.5
    ranked = [name for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])) if n >= 1]
    return ranked[:3] or ["neutral"]


def _imperative(words: list[str]) -> bool:
    """An instruction: a bare action verb first ("Pay yourself first"), or "Don't ..."."""
    if not words:
        return False
    first = words[0]
    if first == "don't":
        return len(words) > 2
    follows = words[1] if len(words) > 1 else ""
    return first in lexicon.ADVICE_VERBS | lexicon.VERBS and not lexicon.is_verb(follows, first)


def _superlative(word: str) -> bool:
    return len(word) > 5 and word.endswith("est") and lexicon.is_adjective(word)
