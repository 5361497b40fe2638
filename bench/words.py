"""How the local analyser's words read: what a reader would flag in titles, hooks and hashtags.

For every talk of ``bench/data/moments/<set>`` (spoken and cached as :mod:`bench.moments`
does it), the product writes its clips (k of them, k the planted moments) and each clip's
words are checked for what issue 16 names and what a reader flags at a glance:

* **hashtag, function word**: a hashtag, or either half of a two-word one, that MySQL's
  English full-text stop list holds (``bench/data/words/stopwords_mysql.txt``: a list the
  analyser's own word lists were not made from) — "#others", "#frontalones";
* **hashtag, not a noun**: one whose word, or the last of its two, English dictionaries
  know only as a verb, adjective or adverb (lemminflect's, which the analyser reads too, so
  this count is no independent check) — "#weigh", "#accurate", "#pastaabsorbs"; a name the
  clip says capitalised is not counted;
* **question, capital inside**: a question with a capitalised function word after its
  first word, not starting a name ("New York"), a sentence's start carried into it ("Why
  is A test 99% accurate?", "Why am I 5 foot 11 My wife is 33?");
* **question, dangling end**: one ending on a word that needs another after it: an article
  or possessive, a conjunction, a subject pronoun or its contraction ("... call me that
  I'd?");
* **title, capital inside**, **title, dangling end**: the same for titles; **title, over
  70 characters**;
* **title, unfinished** and **statement, unfinished**: one opening on a subordinating word
  with no main clause after it, no comma followed by a word other than "and", "or" or
  "but" ("When a fire or pressure alarm sounds.", "When I won six, and he died");
* **description, "The speaker talks about"**.

Printed per genre and overall: how many clips, then each kind's count with up to three
examples. Both the tuning talks (``--set tune --only 'train_a[a-k]_*'``, where the word
rules are chosen) and the held-out ones (``--set eval``) are reported.

Usage: ``.venv/bin/python -m bench.words [--set tune|eval] [--only GLOB] [--gaps
blocks|blind]`` (``bench.moments --audio-only`` with the same ``--gaps`` builds the caches).
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from lemminflect import getAllLemmas

from bench.machine import describe
from bench.moment_scores import talks
from bench.moments import GAPS, SETS
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions, Moment, find_moments

STOPWORDS_FILE = Path(__file__).with_name("data") / "words" / "stopwords_mysql.txt"
MAX_TITLE_CHARS = 70
# Words that need another after them: no English sentence ends on one.
DANGLING = frozenset((
    "a", "an", "the", "my", "your", "his", "our", "their", "its", "every", "each", "and", "or", "but", "nor",
    "because", "if", "although", "though", "whether", "than", "unless", "while", "i", "we", "they", "he", "she",
    "i'd", "i'm", "i've", "i'll", "we're", "they're", "you're", "he's", "she's", "it's", "we've", "they've", "to",
    "of", "very",
))  # fmt: skip
# Words that open a clause needing a main clause after it.
SUBORDINATORS = frozenset(
    ["when", "if", "because", "although", "though", "while", "since", "unless", "whenever", "until", "whereas"]
)
_ANSWER = re.compile(r",\s+(?!(?:and|or|but)\b)\w", re.IGNORECASE)
# Capitalised inside a sentence, these are a name or a label as often as a sentence's start.
NAMELIKE = frozenset(["new", "may", "will", "us"])
_WORD = re.compile(r"[A-Za-z0-9]+(?:['.,][A-Za-z0-9]+)*")
EXAMPLES = 3


@functools.cache
def stopwords() -> frozenset[str]:
    """The independent stop list (comment lines left out)."""
    lines = STOPWORDS_FILE.read_text().splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def tag_words(tag: str, transcript: str) -> list[str]:
    """The words a hashtag joins: itself when the clip says it whole, else the first split into
    two words the clip says ("#frontalones" -> ["frontal", "ones"]), else itself."""
    body = tag.lstrip("#")
    said = {w.lower() for w in _WORD.findall(transcript)}
    if body in said:
        return [body]
    for cut in range(2, len(body) - 1):
        if body[:cut] in said and body[cut:] in said:
            return [body[:cut], body[cut:]]
    return [body]


def not_a_noun(word: str) -> bool:
    """Whether the dictionaries know ``word`` only as something other than a noun."""
    senses = getAllLemmas(word)
    return bool(senses) and not {"NOUN", "PROPN"} & set(senses)


def named(word: str, transcript: str) -> bool:
    """Whether ``transcript`` says ``word`` capitalised inside a sentence (a name)."""
    return re.search(rf"[^.!?]\s+{re.escape(word.capitalize())}\b", transcript) is not None


def capital_inside(text: str) -> bool:
    """A capitalised function word after the first word that starts no name ("I" excepted;
    "A" counts, which the stop list leaves out as too short to index)."""
    words = _WORD.findall(text)
    for k in range(1, len(words)):
        word, after = words[k], words[k + 1] if k + 1 < len(words) else ""
        lower = word.lower()
        function = word[:1].isupper() and (lower in stopwords() or lower == "a") and lower not in NAMELIKE
        if function and not _is_i(word) and not (after[:1].isupper() and not _is_i(after)):
            return True
    return False


def _is_i(word: str) -> bool:
    return word == "I" or word.startswith("I'")


def dangling_end(text: str) -> bool:
    """Whether ``text`` ends on a word that needs another after it."""
    words = _WORD.findall(text)
    return bool(words) and words[-1].lower() in DANGLING


def unfinished(text: str) -> bool:
    """Whether ``text`` opens on a subordinating word and no main clause answers it."""
    words = _WORD.findall(text)
    return bool(words) and words[0].lower() in SUBORDINATORS and not _ANSWER.search(text)


def flags(clip: Moment) -> Iterable[tuple[str, str]]:
    """Each (kind, example) a reader would flag in ``clip``'s words."""
    for tag in clip.hashtags:
        parts = tag_words(tag, clip.transcript)
        if any(part in stopwords() for part in parts):
            yield "hashtag, function word", tag
        elif not_a_noun(parts[-1]) and not named(parts[-1], clip.transcript):
            yield "hashtag, not a noun", tag
    question = clip.hooks.question
    if question and capital_inside(question):
        yield "question, capital inside", question
    if question and dangling_end(question):
        yield "question, dangling end", question
    if capital_inside(clip.title):
        yield "title, capital inside", clip.title
    if dangling_end(clip.title):
        yield "title, dangling end", clip.title
    if len(clip.title) > MAX_TITLE_CHARS:
        yield "title, over 70 characters", clip.title
    if unfinished(clip.title):
        yield "title, unfinished", clip.title
    if unfinished(clip.hooks.statement):
        yield "statement, unfinished", clip.hooks.statement
    if clip.description.lower().startswith("the speaker talks about"):
        yield 'description, "The speaker talks about"', clip.description[:60]


class Tally:
    """Clips counted and, per kind, the examples flagged."""

    def __init__(self) -> None:
        self.clips = 0
        self.found: dict[str, list[str]] = defaultdict(list)

    def add(self, clips: Iterable[Moment]) -> None:
        for clip in clips:
            self.clips += 1
            for kind, example in flags(clip):
                self.found[kind].append(example)

    def merge(self, other: Tally) -> None:
        self.clips += other.clips
        for kind, examples in other.found.items():
            self.found[kind] += examples

    def lines(self, examples: bool) -> list[str]:
        flagged = sum(len(found) for found in self.found.values())
        lines = [f"    {self.clips} clips, {flagged} flags"]
        for kind, found in sorted(self.found.items(), key=lambda item: (-len(item[1]), item[0])):
            shown = "; ".join(repr(example) for example in found[:EXAMPLES]) if examples else ""
            lines.append(f"    {len(found):4d}  {kind}" + (f": {shown}" if shown else ""))
        return lines


def report(set_name: str, pattern: str, gaps: str, config: PipelineConfig) -> Tally:
    """Print each genre's flags and the whole set's; return the whole set's."""
    genres: dict[str, Tally] = {}
    for talk, prepared in talks(set_name, pattern, gaps, config):
        top = len(prepared.planted)
        result = find_moments(prepared.transcript, ClipOptions(clip_count=top), config, audio=prepared.audio)
        genres.setdefault(talk.genre, Tally()).add(result.moments[:top])
    overall = Tally()
    for genre, tally in sorted(genres.items()):
        print(f"{set_name} / {genre}:")
        print("\n".join(tally.lines(examples=False)))
        overall.merge(tally)
    print(f"{set_name} overall:")
    print("\n".join(overall.lines(examples=True)))
    return overall


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=SETS, default="eval", help="which texts to report on")
    parser.add_argument("--only", default="*", metavar="GLOB", help="only the talks whose file name matches")
    parser.add_argument("--gaps", choices=GAPS, default="blind", help="the pauses the talks were spoken with")
    args = parser.parse_args(argv)
    print(f"machine: {describe()}")
    report(args.set, args.only, args.gaps, PipelineConfig.from_env(os.environ))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
