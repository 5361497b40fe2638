"""Per-sentence linguistic signals and transcript-wide structure for the local analyser.

:func:`analyse_transcript` reads every sentence once: what it does (asks, claims,
advises, surprises, feels, stalls on housekeeping), how it opens and closes, and how
strongly the topic shifts at each gap between sentences (see :func:`_topic_breaks`).
Windows are then scored from these arrays without re-reading any text.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter

import numpy as np

from pipeline.audio import SAMPLE_RATE, rms_db
from pipeline.moments import lexicon
from pipeline.moments.content import Probe, content_evidence
from pipeline.moments.embeddings import embed
from pipeline.moments.text import cosine, count_phrases, is_number, phrase_text, stem, tokens
from pipeline.types import Sentence, Transcript

_FRAME_SECONDS = 0.05
# Sentences compared on each side of a gap when measuring a topic shift.
_BLOCK = 3
# Weights of the two topic cues in a break (see :func:`_topic_breaks`).
LEXICAL_WEIGHT = 0.15
SEMANTIC_WEIGHT = 0.2
# A similarity valley this deep (see :func:`semantic_shifts`) is a full change of topic.
_FULL_DEPTH = 0.8
# A pause this long between sentences counts as a full topic break on its own.
_LONG_PAUSE = 2.5
# A capitalised name followed by a comma at the start, after any discourse marker:
# "Daniel, are you there?", "Okay, Daniel, ..."
_VOCATIVE = re.compile(
    r"^(?:(?:okay|ok|so|well|right|alright|oh|and|um|uh),?\s+)*([A-Z][a-z]+),", re.IGNORECASE
)


@dataclasses.dataclass
class SentenceSignals:
    """What one sentence contributes; counts are raw hits, ``filler`` is 0-1."""

    words: list[str]
    stems: list[str]
    question: bool
    numbers: int
    second_person: int
    bold: int
    conflict: int
    intensifiers: int
    advice: int
    surprise: int
    payoff: int
    story: int
    emotions: Counter
    filler: float
    dangling_start: bool
    shift_start: bool
    setup: bool
    unfinished_end: bool

    @property
    def emotion_hits(self) -> int:
        return sum(self.emotions.values())


@dataclasses.dataclass
class TranscriptAnalysis:
    """Signals for every sentence plus the topic break strength at every gap.

    ``breaks[g]`` (0-1) is how strongly the topic shifts between sentence ``g - 1`` and
    ``g``; ``breaks[0]`` and ``breaks[n]`` are 1 because the transcript starts and ends there.
    ``first_word``/``last_word`` give the spoken edges of each sentence in seconds.
    ``embeddings`` are the sentences' unit vectors; ``content[i]`` (0-1) is how surely
    sentence ``i`` is content rather than housekeeping, read from its meaning and its
    neighbours' (:mod:`pipeline.moments.content`), and ``filler`` is its complement;
    ``content_alone[i]`` is the same read from the sentence alone, before its neighbours
    smooth it.
    """

    sentences: list[Sentence]
    signals: list[SentenceSignals]
    vectors: list[Counter]
    idf: dict[str, float]
    breaks: np.ndarray
    first_word: np.ndarray
    last_word: np.ndarray
    word_counts: np.ndarray
    confidence: np.ndarray
    duration: float
    embeddings: np.ndarray
    content: np.ndarray
    content_alone: np.ndarray
    language: str = ""

    @property
    def filler(self) -> np.ndarray:
        return 1.0 - self.content


def analyse_transcript(
    transcript: Transcript, *, embeddings: np.ndarray | None = None, probe: Probe | None = None
) -> TranscriptAnalysis:
    """Read every sentence of ``transcript`` once.

    ``embeddings`` are the sentences' vectors when already computed (one row per sentence,
    as :func:`pipeline.moments.embeddings.embed` returns them); ``probe`` replaces the
    installed content probe (training fits its own for each held-out talk).
    """
    sentences = transcript.sentences
    signals = [sentence_signals(s.sentence) for s in sentences]
    document_frequency = Counter(term for sig in signals for term in set(sig.stems))
    count = max(1, len(sentences))
    idf = {term: math.log((1 + count) / (1 + df)) + 1.0 for term, df in document_frequency.items()}
    vectors = [Counter({term: n * idf[term] for term, n in Counter(sig.stems).items()}) for sig in signals]
    first = np.array([s.words[0].start if s.words else s.start for s in sentences], dtype=float)
    last = np.array([s.words[-1].end if s.words else s.end for s in sentences], dtype=float)
    confidence = np.array([np.mean([w.probability for w in s.words]) if s.words else 1.0 for s in sentences])
    if embeddings is None:
        embeddings = embed([s.sentence for s in sentences])
    lexical = np.array([sig.filler for sig in signals]) if reads_words(transcript.language) else None
    content_alone, content = content_evidence(embeddings, lexical, probe)
    return TranscriptAnalysis(
        sentences=sentences,
        signals=signals,
        vectors=vectors,
        idf=idf,
        breaks=_topic_breaks(signals, vectors, first, last, content, semantic_shifts(embeddings)),
        first_word=first,
        last_word=last,
        word_counts=np.array([max(1, len(sig.words)) for sig in signals]),
        confidence=confidence,
        duration=transcript.duration,
        embeddings=embeddings,
        content=content,
        content_alone=content_alone,
        language=transcript.language,
    )


def reads_words(language: str) -> bool:
    """Whether the English word lists behind the lexical cues can read a transcript in
    ``language`` (an unknown language is the default English model's)."""
    return language.split("-")[0].lower() in ("", "en")


def sentence_signals(text: str) -> SentenceSignals:
    words = tokens(text)
    padded = phrase_text(words)
    content = [stem(w) for w in words if w not in lexicon.STOPWORDS and not is_number(w) and len(w) > 2]
    stripped = text.strip()
    first = words[0] if words else ""
    emotions = Counter(
        name for w in words for name, vocabulary in lexicon.EMOTIONS.items() if w in vocabulary
    )
    imperative = first in lexicon.ADVICE_VERBS or (first == "don't" and len(words) > 2)
    setup = count_phrases(padded, lexicon.CATAPHORIC_PHRASES) > 0
    return SentenceSignals(
        words=words,
        stems=content,
        question=stripped.endswith("?"),
        numbers=sum(1 for w in words if is_number(w) or w in lexicon.NUMBER_WORDS),
        # "you know" and "you see" are discourse markers, not the viewer being addressed.
        second_person=max(
            0,
            sum(1 for w in words if w in lexicon.SECOND_PERSON)
            - count_phrases(padded, ("you know", "you see")),
        ),
        bold=sum(1 for w in words if w in lexicon.BOLD) + sum(1 for w in words if _superlative(w)),
        conflict=sum(1 for w in words if w in lexicon.CONFLICT),
        intensifiers=sum(1 for w in words if w in lexicon.INTENSIFIERS),
        advice=count_phrases(padded, lexicon.ADVICE_PHRASES) + int(imperative),
        surprise=count_phrases(padded, lexicon.SURPRISE_PHRASES),
        payoff=count_phrases(padded, lexicon.PAYOFF_PHRASES),
        story=count_phrases(padded, lexicon.STORY_MARKERS),
        emotions=emotions,
        filler=_filler(stripped, words, padded),
        dangling_start=first in lexicon.DANGLING_OPENERS,
        shift_start=first in lexicon.SHIFT_OPENERS,
        setup=setup,
        unfinished_end=setup or _unfinished(stripped, words),
    )


def _filler(text: str, words: list[str], padded: str) -> float:
    """How much a sentence is housekeeping rather than content, 0-1.

    Stock phrases weigh most, then single housekeeping words, hesitations, a sentence
    made only of acknowledgements ("Okay, great, thanks.") and a vocative opening
    ("Daniel, ..."), which in recorded talk mostly addresses a co-host or the audience.
    """
    if not words:
        return 1.0
    phrases = count_phrases(padded, lexicon.FILLER_PHRASES)
    housekeeping = sum(1 for w in words if w in lexicon.HOUSEKEEPING_WORDS)
    hesitation = sum(1 for w in words if w in lexicon.HESITATIONS) / len(words)
    acknowledgement = all(w in lexicon.ACKNOWLEDGEMENTS for w in words)
    name = _VOCATIVE.match(text)
    vocative = (
        name is not None and name.group(1)[0].isupper() and name.group(1).lower() not in lexicon.STOPWORDS
    )
    return min(
        1.0, 0.6 * phrases + 0.35 * housekeeping + 2.0 * hesitation + 0.8 * acknowledgement + 0.3 * vocative
    )


def _superlative(word: str) -> bool:
    # "-est" adjectives (biggest, hardest) signal a claim; the length guard skips "best"/"test".
    return len(word) > 5 and word.endswith("est") and word not in {"interest", "request", "honest", "suggest"}


def _unfinished(text: str, words: list[str]) -> bool:
    if not words:
        return True
    if text.endswith(lexicon.CONTINUATION_ENDINGS) or text[-1:] not in ".!?\"')":
        return True
    return words[-1] in lexicon.UNFINISHED_ENDINGS


def _topic_breaks(
    signals: list[SentenceSignals],
    vectors: list[Counter],
    first: np.ndarray,
    last: np.ndarray,
    content: np.ndarray,
    semantic: np.ndarray,
) -> np.ndarray:
    """Topic-shift strength (0-1) at every gap, from six general cues of spoken discourse.

    The meaning of the sentences on each side (``semantic``, from their embeddings) and
    their words (lexical cohesion, TextTiling) say whether the topic moves on; a
    pause longer than the speaker's usual one separates, as does any very long pause;
    an opener such as "Okay," or "Anyway," starts something new, while one that points
    back ("She", "But", "That") continues what came before; and a change between
    housekeeping and content (in the words, and in the meaning-based ``content``) is
    itself a boundary. Lexical cohesion weighs least: in short spoken sentences few
    content words repeat even within one story, and it only reads English well.
    """
    count = len(vectors)
    breaks = np.ones(count + 1)
    gaps = np.maximum(first[1:] - last[:-1], 0.0)
    usual = float(np.median(gaps)) if len(gaps) else 0.0
    for gap in range(1, count):
        left = _block(vectors[max(0, gap - _BLOCK) : gap])
        right = _block(vectors[gap : gap + _BLOCK])
        lexical = 1.0 - cosine(left, right)
        pause = gaps[gap - 1]
        relative = min(1.0, max(0.0, pause / max(usual, 0.1) - 1.0) / 2.0)
        absolute = min(1.0, pause / _LONG_PAUSE)
        opener = 0.25 * signals[gap].shift_start - 0.4 * signals[gap].dangling_start
        housekeeping = 0.25 * abs(signals[gap].filler - signals[gap - 1].filler) + 0.5 * abs(
            content[gap] - content[gap - 1]
        )
        strength = (
            LEXICAL_WEIGHT * lexical
            + SEMANTIC_WEIGHT * semantic[gap]
            + 0.3 * relative
            + 0.3 * absolute
            + opener
            + housekeeping
        )
        breaks[gap] = min(1.0, max(0.0, strength))
    return breaks


def semantic_shifts(embeddings: np.ndarray) -> np.ndarray:
    """How far the meaning moves at each gap, 0-1 (index ``g``: between sentences ``g - 1`` and ``g``).

    The transcript's mean vector is removed first: every sentence of one talk shares its
    register and subject, which would otherwise make all neighbours look alike. The
    sentences on each side (up to ``_BLOCK``) are averaged and compared, and each gap is
    scored by the depth of its similarity valley (TextTiling): how far the similarity
    drops there below the highest point on each side, so a gap between two coherent
    stretches stands out while a slow drift does not.
    """
    count = len(embeddings)
    shifts = np.zeros(count + 1)
    if count < 3:
        return shifts
    centred = embeddings - embeddings.mean(axis=0)
    centred /= np.linalg.norm(centred, axis=1, keepdims=True) + 1e-9
    similarity = np.ones(count)
    for gap in range(1, count):
        left = centred[max(0, gap - _BLOCK) : gap].mean(axis=0)
        right = centred[gap : gap + _BLOCK].mean(axis=0)
        similarity[gap] = float(left @ right) / (np.linalg.norm(left) * np.linalg.norm(right) + 1e-9)
    for gap in range(1, count):
        left_peak = similarity[max(1, gap - _BLOCK) : gap + 1].max()
        right_peak = similarity[gap : min(count, gap + _BLOCK + 1)].max()
        depth = (left_peak - similarity[gap]) + (right_peak - similarity[gap])
        shifts[gap] = min(1.0, depth / _FULL_DEPTH)
    return shifts


def _block(vectors: list[Counter]) -> Counter:
    total: Counter = Counter()
    for vector in vectors:
        total.update(vector)
    return total


def loudness_frames(audio: np.ndarray | None) -> np.ndarray | None:
    """Frame loudness in dB (50 ms frames) of a 16 kHz mono signal, or None without audio."""
    if audio is None or len(audio) < SAMPLE_RATE * _FRAME_SECONDS:
        return None
    return rms_db(audio, hop_seconds=_FRAME_SECONDS)


def loudness_variation(frames: np.ndarray | None, start: float, end: float) -> float | None:
    """Spread (dB standard deviation) of the voiced frames' loudness between two times.

    Frames more than 35 dB under the window's loudest are silence and left out, so
    pauses do not count as expressive delivery.
    """
    if frames is None:
        return None
    window = frames[int(start / _FRAME_SECONDS) : math.ceil(end / _FRAME_SECONDS)]
    if len(window) < 10:
        return None
    voiced = window[window > window.max() - 35.0]
    return float(np.std(voiced)) if len(voiced) >= 10 else None
