"""The words around a clip: title, hooks, description, hashtags, emotions, keywords, reason.

Everything is drawn from the clip's own sentences and from the signals that scored,
so a title quotes what is said and a reason names what actually earned the score.
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.moments.features import TranscriptAnalysis, sentence_signals
from pipeline.moments.lexicon import ADVICE_VERBS, GENERIC_WORDS, STOPWORDS
from pipeline.moments.models import Hooks
from pipeline.moments.scoring import WindowScore
from pipeline.moments.text import is_number, stem, tokens

TITLE_WORDS = 14
HOOK_WORDS = 16
MAX_HASHTAGS = 5
MIN_HASHTAGS = 3
MAX_TITLE_CHARS = 90

_LEADING_MARKERS = re.compile(
    r"^(?:(?:so|and|but|well|now|okay|ok|right|look|listen|honestly|basically|actually|you know|yeah|um|uh"
    r"|oh)[,\s]+)+",
    re.IGNORECASE,
)

# Phrases for the reason, keyed by the signal that earned them; the strongest come first.
_REASONS = {
    "hook_question": "opens with a question",
    "hook_number": "puts a concrete number up front",
    "hook_claim": "leads with a bold claim",
    "hook_conflict": "sets up a conflict in its first seconds",
    "hook_surprise": "opens on a surprise or a set-up",
    "hook_you": "speaks straight to the viewer",
    "share_advice": "gives practical advice people will save",
    "share_surprise": "delivers an unexpected twist",
    "share_emotion": "carries real emotion",
    "share_story": "tells a personal story",
    "share_numbers": "backs its point with numbers",
    "share_topic": "covers the requested topic",
    "payoff": "ends on a clear takeaway",
}


def keywords(analysis: TranscriptAnalysis, first: int, last: int, limit: int = 5) -> list[str]:
    """The clip's most distinctive content words (TF-IDF against the whole transcript).

    Words of the clip's strongest line count double, and inflected verb and adverb
    forms (-ed, -ing, -ly) count less: a keyword should name what the clip is about.
    """
    weights: Counter = Counter()
    surface: dict[str, Counter] = {}
    headline = set(tokens(_best_line(analysis, first, last, HOOK_WORDS)))
    for signals in analysis.signals[first : last + 1]:
        for word in signals.words:
            if word in STOPWORDS or word in GENERIC_WORDS or is_number(word) or len(word) < 4 or "'" in word:
                continue
            root = stem(word)
            weight = analysis.idf.get(root, 1.0) * (2.0 if word in headline else 1.0)
            weights[root] += weight * (0.5 if word.endswith(("ed", "ing", "ly")) else 1.0)
            surface.setdefault(root, Counter())[word] += 1
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    return [surface[root].most_common(1)[0][0] for root, _ in ranked[:limit]]


def hashtags(words: list[str], genre: str) -> list[str]:
    """3-5 hashtags from the clip's keywords, topped up with the genre when words run short."""
    tags = [f"#{re.sub(r'[^a-z0-9]', '', w.lower())}" for w in words]
    tags = [t for t in dict.fromkeys(tags) if len(t) > 2][:MAX_HASHTAGS]
    for extra in (genre.lower() if genre != "Auto" else "", "shorts", "clips"):
        if len(tags) >= MIN_HASHTAGS:
            break
        if extra and f"#{extra}" not in tags:
            tags.append(f"#{extra}")
    return tags


def emotions(analysis: TranscriptAnalysis, first: int, last: int) -> list[str]:
    """The clip's dominant emotions (up to three), or ``["neutral"]`` when none is voiced."""
    counts: Counter = Counter()
    for signals in analysis.signals[first : last + 1]:
        counts.update(signals.emotions)
        if signals.question:
            counts["curiosity"] += 0.5
    ranked = [name for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])) if n >= 1]
    return ranked[:3] or ["neutral"]


def title(analysis: TranscriptAnalysis, first: int, last: int) -> str:
    """The clip's most arresting short line, else the opening clause of its first sentence."""
    best = _best_line(analysis, first, last, TITLE_WORDS) or _opening_line(analysis, first, last)
    return best[:MAX_TITLE_CHARS]


def hooks(analysis: TranscriptAnalysis, first: int, last: int) -> Hooks:
    """A question and a statement that could open the clip as on-screen text.

    The question is one the clip itself asks when it has one; otherwise the statement is
    turned into one: "Why should you ...?" for advice, "Did you know ...?" for a claim,
    and a plain teaser for a set-up ("Here's what happened.") that cannot be rephrased.
    """
    statement = _best_line(analysis, first, last, HOOK_WORDS, statements_only=True)
    statement = statement or _opening_line(analysis, first, last, statements_only=True)
    for i in range(first, last + 1):
        signals = analysis.signals[i]
        if (
            signals.question
            and signals.filler == 0
            and len(signals.stems) >= 2
            and len(signals.words) <= HOOK_WORDS
        ):
            return Hooks(question=_clean(analysis.sentences[i].sentence), statement=statement)
    body = statement.rstrip(".!\u2026")
    words = tokens(body)
    if not words or sentence_signals(body).setup:
        return Hooks(question="Can you guess what happens next?", statement=statement)
    lowered = body if words[0] in {"i", "i'm", "i've", "i'd"} else body[:1].lower() + body[1:]
    if words[0] in ADVICE_VERBS:
        return Hooks(question=f"Why should you {lowered}?", statement=statement)
    return Hooks(question=f"Did you know {lowered}?", statement=statement)


def description(
    analysis: TranscriptAnalysis, first: int, last: int, words: list[str], tags: list[str]
) -> str:
    """A social caption: what the clip is about, its strongest line quoted, then hashtags."""
    about = ", ".join(words[:2]) + (f" and {words[2]}" if len(words) > 2 else "")
    story = any(analysis.signals[i].story for i in range(first, last + 1))
    advice = any(analysis.signals[i].advice for i in range(first, last + 1))
    verb = "shares a story about" if story else "gives advice on" if advice else "talks about"
    quote = _best_line(analysis, first, last, 25, statements_only=True)
    lead = f"The speaker {verb} {about}." if about else "A moment from the conversation."
    return " ".join(part for part in (lead, f"\u201c{quote}\u201d" if quote else "", " ".join(tags)) if part)


def reason(scored: WindowScore) -> str:
    """One sentence naming the strongest signals that earned the score."""
    signals = scored.signals
    ranked = sorted((name for name in _REASONS if signals.get(name, 0) > 0), key=lambda n: -signals[n])
    phrases = [_REASONS[name] for name in ranked[:3]]
    if signals.get("edge_breaks", 0) >= 0.7 and signals.get("finished", 0) and len(phrases) < 3:
        phrases.append("stands on its own from start to finish")
    if not phrases:
        return "A coherent stretch of speech without a strong hook or payoff."
    body = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return f"This clip {body}."


def _best_line(
    analysis: TranscriptAnalysis, first: int, last: int, max_words: int, statements_only: bool = False
) -> str:
    """The highest-signal sentence of at most ``max_words`` words, tidied; empty if none fits."""
    best, best_points = "", 0.0
    for i in range(first, last + 1):
        s = analysis.signals[i]
        if not 3 <= len(s.words) <= max_words or s.filler > 0 or (statements_only and s.question):
            continue
        if len(s.stems) < 2:
            # "Where were we?" asks nothing a viewer could care about.
            continue
        points = (
            2.0 * s.question
            + 1.5 * min(2, s.numbers)
            + s.bold
            + s.surprise
            + s.payoff
            + s.advice
            + 0.5 * (s.emotion_hits + s.second_person + s.conflict)
            - 1.5 * s.dangling_start
            + 0.2 * (i == first)
        )
        if points > best_points:
            best, best_points = _clean(analysis.sentences[i].sentence), points
    return best


def _opening_line(analysis: TranscriptAnalysis, first: int, last: int, statements_only: bool = False) -> str:
    """The first sentence that does not point back (nor ask, if so told), cut to its first clause."""
    index = next(
        (
            i
            for i in range(first, last + 1)
            if not analysis.signals[i].dangling_start
            and not (statements_only and analysis.signals[i].question)
        ),
        first,
    )
    text = _clean(analysis.sentences[index].sentence)
    if len(text.split()) > TITLE_WORDS:
        clause = re.split(r"[,;:—]", text, maxsplit=1)[0]
        words = clause.split()
        text = " ".join(words[:TITLE_WORDS]) + ("" if len(words) <= TITLE_WORDS else "…")
    return text


def _clean(sentence: str) -> str:
    text = _LEADING_MARKERS.sub("", sentence.strip())
    return text[:1].upper() + text[1:] if text else text
