"""Quotable lines cut from spoken sentences, and English questions made from them.

A spoken sentence is tidied first: the discourse markers that open it ("So, ", "You know,
") and the fillers between its commas ("it was, you know, huge") go. It is then split
into clauses at commas, dashes, colons and (in English) before conjunctions, and every run
of whole clauses that stands on its own is a :class:`Line`: it does not open on a
subordinate clause with no main clause after it, and it never ends on a word that leaves
the thought unfinished ("... with the", "... because").
"""

from __future__ import annotations

import dataclasses
import itertools
import re

from pipeline.moments import lexicon, phrasebook

_PIECE = re.compile(r"([^\W_]+(?:['\u2019\-][^\W_]+)*)(\W*)")
_CLAUSE_MARK = re.compile(r"[,;:\u2014\u2013]|\s-\s")
_QUOTES = str.maketrans("", "", "\"\u201c\u201d\u00ab\u00bb")
_END_MARKS = {"?": "?", "\uff1f": "?", "!": "!", "\uff01": "!"}

# Adverbs that point back at what came before; a line or question cannot end on them.
_BACK_ADVERBS = frozenset(["instead", "too", "then", "again", "anyway", "though", "either", "also"])
# Words that cannot be (or open) the subject of a question made by inversion.
_NOT_SUBJECTS = (
    phrasebook.SUBORDINATORS
    | phrasebook.PREPOSITIONS
    | phrasebook.COORDINATORS
    | phrasebook.BACK_POINTERS
    | phrasebook.NON_SUBJECTS
)
_CONTRACTED = {
    "i'm": ("I", "am"), "you're": ("you", "are"), "we're": ("we", "are"), "i've": ("I", "have"),
    "you've": ("you", "have"), "we've": ("we", "have"), "i'll": ("I", "will"), "you'll": ("you", "will"),
    "we'll": ("we", "will"),
}  # fmt: skip
# Words that open a question, and the question words that may stand later in one ("... for how long?").
_WH = frozenset(["what", "what's", "why", "how", "who", "where", "when", "which"])
_ASKING = lexicon.AUXILIARIES | _WH
# Tags that turn a statement into a question ("..., right?").
_TAGS = frozenset(["right", "yeah", "no", "okay", "ok", "huh", "eh", "correct", "you know", "isn't it", "don't you"])
_SUBORDINATE_PAIRS = frozenset(
    ["even if", "even though", "as if", "only if", "so that", "as long", "as soon", "now that"]
)
_CONTRACTIONS = ("'s", "'re", "'m", "'ve", "'ll", "'d")
# Words whose contraction holds a verb ("it's", "I'm"); "father's" is a possessive.
_CONTRACTING = frozenset(
    ["i", "you", "he", "she", "it", "we", "they", "that", "there", "here", "what", "who", "let"]
)
# "The secret is ..." asks "What's the secret to <topic>?"; the noun chooses the preposition.
_FRAMED_NOUNS = {
    "secret": "to", "key": "to", "trick": "to", "truth": "about", "myth": "about", "mistake": "about",
    "lesson": "about", "problem": "with", "catch": "with",
}  # fmt: skip
_QUESTION_WORDS = 16
# Capitalised inside a sentence, these are a name or a label as often as a new sentence.
_NEVER_RUN_ON = frozenset(["a", "may", "will", "us"])


@dataclasses.dataclass(frozen=True)
class Line:
    """A run of whole clauses from one sentence, tidied, ready to quote.

    ``pieces`` are its words, each with the punctuation and space after it (the last
    one's dropped); ``mark`` is the sentence's closing mark when the line reaches it,
    else "."; ``whole`` says the line is the entire (tidied) sentence; ``cut`` that it was
    shortened at a preposition rather than at a clause boundary.
    """

    pieces: tuple[tuple[str, str], ...]
    mark: str
    index: int
    whole: bool
    cut: bool

    @property
    def text(self) -> str:
        """The line as written, first letter capitalised, without its closing mark."""
        body = "".join(word + trail for word, trail in self.pieces[:-1]) + self.pieces[-1][0]
        body = re.sub(r"\s+", " ", body).strip()
        return body[:1].upper() + body[1:]

    @property
    def words(self) -> list[str]:
        return [_lower(word) for word, _ in self.pieces]

    @property
    def question(self) -> bool:
        return self.mark == "?"


def lines(sentence: str, index: int, language: str, max_words: int) -> list[Line]:
    """Every self-contained run of clauses of ``sentence`` with 3 to ``max_words`` words; an
    English sentence the transcriber ran on (:func:`run_on`) gives those of each sentence in it."""
    english = language == "en"
    text = sentence.translate(_QUOTES).strip()
    parts = run_on(text) if english else [text]
    if len(parts) > 1:
        found: dict[str, Line] = {}
        for k, part in enumerate(parts):
            for line in lines(part if k == len(parts) - 1 else part + ".", index, language, max_words):
                found.setdefault(line.text.lower(), line)
        return list(found.values())
    mark = next((_END_MARKS[ch] for ch in reversed(text[-2:]) if ch in _END_MARKS), ".")
    pieces = [(m.group(1), m.group(2)) for m in _PIECE.finditer(text)]
    if mark == "?" and english and _tagged(pieces):
        # "... that you read yourself, right?" asks nothing: it is a statement.
        mark = "."
    if pieces and text[:1] in ("¿", "¡"):
        pieces[0] = (text[0] + pieces[0][0], pieces[0][1])
    pieces = _tidy(pieces, language)
    if not pieces:
        return []
    bounds = [0] + [
        k
        for k in range(1, len(pieces))
        if _CLAUSE_MARK.search(pieces[k - 1][1])
        or (english and _lower(pieces[k][0]) in phrasebook.COORDINATORS | phrasebook.SUBORDINATORS)
    ]
    segments = list(itertools.pairwise([*bounds, len(pieces)]))
    clauses = [_clause([_lower(w) for w, _ in pieces[a:b]], english) for a, b in segments]
    found: dict[str, Line] = {}
    for i, j in itertools.combinations_with_replacement(range(len(segments)), 2):
        asks = mark == "?" and _lower(pieces[segments[i][0]][0]) in _ASKING
        if english and not _stands_alone(clauses[i : j + 1], opening=i == 0 or asks):
            continue
        if english and i > 0 and clauses[i].opens == "coordinate" and clauses[i - 1].opens == "subordinate":
            # "or pressure alarm sounds" goes on with "When a fire" before it: no sentence of its own.
            continue
        if not english and i > 0 and _lower(pieces[segments[i][0]][0]) in phrasebook.FOREIGN_SUBORDINATORS:
            # "..., dass guter Kaffee Zeit braucht" is what she said, not a sentence.
            continue
        following = clauses[j + 1] if j + 1 < len(clauses) else None
        if english and following and (
            (clauses[j].opens == "subordinate" and following.opens == "main")
            or (following.opens == "coordinate" and following.verb_first)
        ):
            # "when doctors washed their hands" belongs to the clause after it, and "feelings come"
            # is not finished without its "and go".
            continue
        start, end = segments[i][0], segments[j][1]
        if english and clauses[i].opens == "coordinate":
            start += 1
        cut = False
        if end - start > max_words:
            # A cut keeps the main clause's verb and something after it ("... deaths | on the ward fell");
            # after a subordinate clause that is the first main one, not a coordinate going on with it.
            answers = ("main",) if clauses[i].opens == "subordinate" else ("main", "coordinate")
            main = next((segments[k][0] for k in range(i, j + 1) if clauses[k].opens in answers), start)
            verb = next((p for p in range(max(main, start), end) if has_verb([_lower(pieces[p][0])])), end)
            end, cut = _soft_cut(pieces, start, max_words, language, after=verb + 2 if english else 0), True
            if end is None:
                continue
        whole = (i, j) == (0, len(segments) - 1)
        closing = mark if end == len(pieces) else "."
        if mark == "?":
            # A question's clauses are a question only from its asking word on ("..., is that Celine
            # Dion?", "Why do you remember X, but not Y?" -> "Why do you remember X?"); its other parts
            # ("but not what you had for lunch") are neither question nor statement.
            words = [_lower(w) for w, _ in pieces[start:end]]
            if english and not (words[0] in _ASKING or (whole and _WH & set(words))):
                continue
            if not english and end < len(pieces):
                continue
            closing = "?"
        line = _line(pieces, start, end, index, closing, language, whole=whole, cut=cut)
        if line is not None and 3 <= len(line.pieces) <= max_words:
            found.setdefault(line.text.lower(), line)
    return list(found.values())


def run_on(text: str) -> list[str]:
    """``text`` (English) split where a sentence the transcriber ran on begins: at a capitalised
    function word right after a lower-case word or a number, with no punctuation between
    ("The wire was suddenly loose Now I soak it", "I'm 5 foot 11 My wife is 33"). A small
    model often leaves out the full stop; the capital it keeps marks the new sentence. A
    capitalised word before another ("New York", "The Beatles") is a name, and "I" and the
    words that may be a name or a label ("May", "Will", "vitamin A") never split."""
    words = list(_PIECE.finditer(text))
    if not words:
        return [text]
    cuts = [0]
    for before, match, after in zip([None, *words[:-1]], words, [*words[1:], None], strict=True):
        word = match.group(1)
        opens = (
            before is not None
            and not before.group(2).strip()
            and (before.group(1)[:1].islower() or before.group(1)[:1].isdigit())
            and word[:1].isupper()
            and not word[1:].isupper()
            and _lower(word) in lexicon.STOPWORDS
            and _lower(word) not in _NEVER_RUN_ON
            and not _first_person(word)
            and not (after is not None and after.group(1)[:1].isupper() and not _first_person(after.group(1)))
        )
        if opens:
            cuts.append(match.start())
    return [text[a:b].strip() for a, b in itertools.pairwise([*cuts, len(text)]) if text[a:b].strip()]


def _first_person(word: str) -> bool:
    """"I" or its contraction ("I'm"): capitalised anywhere in a sentence."""
    return _lower(word) == "i" or _lower(word).startswith("i'")


@dataclasses.dataclass(frozen=True)
class _Clause:
    """How a clause-sized segment of a sentence opens, and whether it has a verb (first)."""

    opens: str  # "subordinate", "coordinate" or "main"
    verb: bool
    verb_first: bool  # a verb right at its start: a predicate whose subject is elsewhere


def _clause(words: list[str], english: bool) -> _Clause:
    if not english or not words:
        return _Clause("main", True, False)
    opener = words[0]
    if " ".join(words[:2]) in _SUBORDINATE_PAIRS or (
        opener in phrasebook.SUBORDINATORS and not (opener == "since" and _timely(words[1:2]))
    ):
        return _Clause("subordinate", has_verb(words), False)
    body = words[1:] if opener in phrasebook.COORDINATORS else words
    # A word with an object pronoun after it is a verb even when no list knows it ("and replays it").
    verb_first = bool(body) and (
        body[0] in lexicon.AUXILIARIES or lexicon.is_verb(body[0]) or body[1:2] in (["it"], ["him"], ["them"], ["me"])
    )
    return _Clause("coordinate" if body is not words else "main", has_verb(body), verb_first)


def _stands_alone(clauses: list[_Clause], *, opening: bool) -> bool:
    """Whether a run of clauses makes a sentence of its own.

    It needs a main clause with a verb. A run from mid-sentence must also open on a
    clause with its own subject and verb: "and forty pages" or "and washed the plate"
    continue the clause before them. After a subordinate clause, a coordinate one carries
    on with it until a main clause has answered it ("When a fire | or pressure alarm
    sounds" and "When I won six, | and he died" are unfinished; "If you pile up scraps, |
    they rot | and they smell" is not).
    """
    head = clauses[0]
    if not opening and head.opens != "subordinate" and (not head.verb or head.verb_first):
        return False
    answered = head.opens != "subordinate"
    for clause in clauses:
        answered = answered or clause.opens == "main"
        if clause.verb and (clause.opens == "main" or (clause.opens == "coordinate" and answered)):
            return True
    return False


def has_verb(words: list[str]) -> bool:
    """Whether lower-case ``words`` hold a verb, contracted ones ("it's", "I'm") included."""
    return any(
        w in lexicon.AUXILIARIES
        or lexicon.is_verb(w, previous)
        or (w.endswith(_CONTRACTIONS) and w.split("'")[0] in _CONTRACTING)
        for w, previous in zip(words, ["", *words], strict=False)
    )


def ask(line: Line, names: frozenset[str], topic: str) -> str:
    """An English question made from a statement line, or "" when none reads naturally.

    An instruction becomes "What happens when you <do it>?" ("Why shouldn't you ...?" for
    "Don't ..."); "The secret is ..." becomes "What's the secret to <topic>?"; a clause
    with a plain subject is inverted, with "did/does/do" where there is no auxiliary:
    "People think the marathon is about your legs" -> "Why do people think the
    marathon is about your legs?", and "How" replaces "Why" for an achievement in the
    past ("How did I finish that race forty minutes faster?").
    """
    pieces = list(line.pieces)
    words = line.words
    first = words[0]
    if first in ("don't", "never") and len(pieces) > 2:
        lead = "Why shouldn't you" if first == "don't" else "Why should you never"
        return _question(lead, pieces[1:])
    imperative = (
        first in lexicon.VERBS | lexicon.DUAL_NOUN_VERB
        and first not in phrasebook.NON_ACTION_VERBS
        and not lexicon.is_verb(words[1], first)
    )
    if imperative:
        return _question("What happens when you", [(first, pieces[0][1]), *pieces[1:]])
    if first in _CONTRACTED:
        subject, verb = _CONTRACTED[first]
        return _inverted([(subject, " ")], [], verb, pieces[1:], names)
    for k in range(1, min(7, len(words))):
        word, previous = words[k], words[k - 1]
        if word in lexicon.AUXILIARIES or lexicon.is_verb(word, previous):
            subject = pieces[:k]
            adverbs: list[tuple[str, str]] = []
            while subject and _lower(subject[-1][0]) in lexicon.ADVERBS:
                adverbs.insert(0, subject.pop())
            if not _plain_subject(subject):
                return ""
            noun = _lower(subject[-1][0])
            if len(subject) == 2 and words[0] == "the" and noun in _FRAMED_NOUNS and word in ("is", "was") and topic:
                return f"What's the {noun} {_FRAMED_NOUNS[noun]} {topic}?"
            return _inverted(subject, adverbs, word, pieces[k + 1 :], names)
    return ""


def _inverted(
    subject: list[tuple[str, str]],
    adverbs: list[tuple[str, str]],
    verb: str,
    rest: list[tuple[str, str]],
    names: frozenset[str],
) -> str:
    """``Why|How <auxiliary> <subject> <adverbs> [<verb>] <rest>?``, with do-support for a main verb."""
    following = _lower(rest[0][0]) if rest else ""
    perfect = verb in ("has", "have", "had") and (
        following in ("been", "never", "already", "just", "always", "ever", "not")
        or following in lexicon.IRREGULAR_PAST
        or lexicon.is_past(following)
    )
    if verb in lexicon.AUXILIARIES and (verb not in ("has", "have", "had") or perfect):
        auxiliary, main = verb, None
        achieved = perfect and lexicon.verb_base(following) in phrasebook.ACHIEVEMENT_VERBS
    else:
        base = lexicon.verb_base(verb)
        if base is None:
            return ""
        past = lexicon.is_past(verb) or verb in lexicon.IRREGULAR_PAST
        auxiliary = "did" if past else "does" if verb != base and verb.endswith("s") else "do"
        main, achieved = base, past and base in phrasebook.ACHIEVEMENT_VERBS
    first_word, first_trail = subject[0]
    acronym = len(first_word) > 1 and first_word.isupper()
    if first_word != "I" and _lower(first_word) not in names and not acronym:
        subject = [(first_word[:1].lower() + first_word[1:], first_trail), *subject[1:]]
    body = [(w, " ") for w in [auxiliary] + [w for w, _ in subject] + [w for w, _ in adverbs]]
    return _question("How" if achieved else "Why", body + ([(main, " ")] if main else []) + rest)


def _question(lead: str, pieces: list[tuple[str, str]]) -> str:
    """``lead`` and ``pieces`` up to their first clause mark as one question of at most 16 words."""
    clause = next((k for k in range(2, len(pieces)) if _CLAUSE_MARK.search(pieces[k - 1][1])), len(pieces))
    pieces = list(pieces[:clause])
    while pieces and _lower(pieces[-1][0]) in _BACK_ADVERBS:
        pieces.pop()
    if len(pieces) < 2 or len(lead.split()) + len(pieces) > _QUESTION_WORDS:
        return ""
    if _lower(pieces[-1][0]) in phrasebook.DANGLING_ENDINGS:
        return ""
    body = "".join(w + t for w, t in pieces[:-1]) + pieces[-1][0]
    return re.sub(r"\s+", " ", f"{lead} {body}").strip() + "?"


def _plain_subject(subject: list[tuple[str, str]]) -> bool:
    """A noun phrase or "I"/"we"/"you": no verb, back-pointer or clause word in it."""
    if not subject or len(subject) > 5 or any(_CLAUSE_MARK.search(t) for _, t in subject[:-1]):
        return False
    words = [_lower(w) for w, _ in subject]
    if words[0] in _NOT_SUBJECTS or any(w in lexicon.ADVERBS or w in phrasebook.BACK_POINTERS for w in words):
        return False
    pronouns = {"i", "we", "you", "they", "he", "she"}
    return len(words) == 1 or not pronouns & set(words)


def _tidy(pieces: list[tuple[str, str]], language: str) -> list[tuple[str, str]]:
    """Drop the opening markers, hesitations and comma-wrapped fillers of a spoken sentence."""
    english = language == "en"
    always = phrasebook.LEADING_MARKERS if english else phrasebook.FOREIGN_MARKERS
    with_comma = phrasebook.COMMA_MARKERS if english else phrasebook.FOREIGN_COMMA_MARKERS
    pieces = [p for p in pieces if _lower(p[0]) not in lexicon.HESITATIONS | {"euh", "äh", "ähm", "ehm", "eh"}]
    changed = True
    while changed and pieces:
        changed = False
        for phrase in sorted(always + with_comma, key=len, reverse=True):
            size = len(phrase.split())
            if " ".join(_lower(w) for w, _ in pieces[:size]) != phrase or len(pieces) <= size:
                continue
            if phrase in with_comma and "," not in pieces[size - 1][1]:
                continue
            pieces, changed = pieces[size:], True
            break
    if not english:
        return pieces
    tidy: list[tuple[str, str]] = []
    k = 0
    while k < len(pieces):
        filler = next(
            (
                len(p.split())
                for p in phrasebook.INNER_FILLERS
                if tidy
                and "," in tidy[-1][1]
                and " ".join(_lower(w) for w, _ in pieces[k : k + len(p.split())]) == p
                and (k + len(p.split()) == len(pieces) or "," in pieces[k + len(p.split()) - 1][1])
            ),
            0,
        )
        if filler:
            # "it was, you know, huge" -> "it was huge": the filler takes its commas with it.
            trail = pieces[k + filler - 1][1]
            tidy[-1] = (tidy[-1][0], trail if k + filler == len(pieces) else " ")
            k += filler
            continue
        tidy.append(pieces[k])
        k += 1
    return tidy


def _soft_cut(
    pieces: list[tuple[str, str]], start: int, max_words: int, language: str, *, after: int = 0
) -> int | None:
    """Where to end an over-long run: before its last preposition that fits, at ``after`` or
    later, not inside a number ("one in ten") and not right after a verb ("people start | to
    understand"); None if nowhere.

    Other languages cut before a function word, or after nine words when there is none.
    """
    english = language == "en"
    breaks = phrasebook.PREPOSITIONS | {"to"} if english else _stopwords(language)
    stops = [
        c
        for c in range(max(start + 4, after), min(start + max_words + 1, len(pieces)))
        if _lower(pieces[c][0]) in breaks
        and not _number(_lower(pieces[c - 1][0]))
        and not (english and has_verb([_lower(pieces[c - 1][0])]))
        and not (english and _lower(pieces[c - 1][0]) in phrasebook.DANGLING_ENDINGS)
    ]
    if stops:
        return stops[-1]
    return None if english else start + min(max_words, 9)


def _line(
    pieces: list[tuple[str, str]], start: int, end: int, index: int, mark: str, language: str, *, whole: bool, cut: bool
) -> Line | None:
    """The run ``pieces[start:end]`` less its trailing fillers ("..., you know") and back-pointing
    adverbs ("... instead"); None when it stops mid-thought, on a word that needs more after it
    ("... and", "... with the", "... showed")."""
    english = language == "en"
    trimmed = end
    while trimmed > start + 1:
        tail = [_lower(w) for w, _ in pieces[start:trimmed]]
        fillers = phrasebook.INNER_FILLERS if english else ()
        filler = next((len(p.split()) for p in fillers if tail[-len(p.split()) :] == p.split()), 0)
        if filler and trimmed - filler > start:
            trimmed -= filler
        elif english and tail[-1] in _BACK_ADVERBS:
            trimmed -= 1
        else:
            break
    run = list(pieces[start:trimmed])
    last = _lower(run[-1][0])
    reaches_end = end == len(pieces)
    if english:
        # Where the speaker stopped, "something to do" is finished; a cut line may not end on "do".
        if last in (phrasebook.FINAL_DANGLING if reaches_end else phrasebook.DANGLING_ENDINGS):
            return None
        if not reaches_end and lexicon.verb_base(last) in phrasebook.OBJECT_VERBS:
            # "a doctor named Semmelweis showed" stops before what was shown.
            return None
    else:
        unfinished = _stopwords(language) - phrasebook.FOREIGN_FINAL_WORDS
        if last in (phrasebook.FOREIGN_FINAL_DANGLING if reaches_end else unfinished):
            return None
    opening = pieces[start - 1][1].strip()[-1:] if start else ""
    if opening in ("¿", "¡"):
        run[0] = (opening + run[0][0], run[0][1])
    return Line(pieces=tuple(run), mark=mark, index=index, whole=whole and reaches_end, cut=cut)


def _tagged(pieces: list[tuple[str, str]]) -> bool:
    """Whether a question is a statement with a tag ("..., right?", "..., isn't it?")."""
    if len(pieces) < 3:
        return False
    last = [_lower(w) for w, _ in pieces[-2:]]
    return (last[-1] in _TAGS and "," in pieces[-2][1]) or (" ".join(last) in _TAGS and "," in pieces[-3][1])


def _timely(following: list[str]) -> bool:
    """Whether the words after "since" make a phrase of time ("since that night"), not a clause."""
    word = following[0] if following else ""
    return word in lexicon.NOUN_CONTEXT or word.isdigit() or word == "then"


def _number(word: str) -> bool:
    return any(ch.isdigit() for ch in word) or word in lexicon.NUMBER_WORDS | lexicon.MORE_NUMBER_WORDS | {"one", "a"}


def _stopwords(language: str) -> frozenset[str]:
    return phrasebook.FOREIGN_STOPWORDS.get(language, frozenset())


def _lower(word: str) -> str:
    return word.lower().replace("\u2019", "'")
