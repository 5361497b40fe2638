"""The moment finder on talks in other languages: does it tell moments from filler without word lists?

Each talk in ``bench/data/moments/languages`` (the format of :mod:`bench.moments`, written
in Spanish, French, German or Portuguese; the file name ends in the language code) is
laid out as words at a steady rate, with the same short pause after every sentence, so
neither speech synthesis nor a multilingual speech model stands between the text and the
analyser, and no pause marks where a block ends. The real sentence splitter cuts the
words into sentences, each labelled by the block most of its words come from, and the
transcript carries the talk's language, as a multilingual Whisper model reports it. The
English word lists behind the lexical housekeeping cue cannot read these talks, so the
analyser's judgement of content rests on the sentence embeddings alone. Reported per talk
and pooled:

* AUC of each sentence's content posterior (:attr:`TranscriptAnalysis.content`),
  planted against filler sentences: the chance that a random planted sentence reads as
  more likely content than a random filler one;
* recall@k, boundary error and filler edges of the local analyser's top k clips, as
  :mod:`bench.moments` measures them, on that steady timing.

Usage: ``.venv/bin/python -m bench.languages``.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from bench.machine import describe
from bench.moments import DATA, Planted, Prepared, Score, Talk, evaluate, read_talk
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions, find_moments
from pipeline.moments.features import analyse_transcript
from pipeline.sentences import build_sentences
from pipeline.types import Transcript, Word

LANGUAGES = DATA / "languages"
SECONDS_PER_WORD = 0.36
# After every sentence-ending word, within a block or between two: the same everywhere,
# so timing gives no block away.
SENTENCE_PAUSE = 0.35


def lay_out(talk: Talk, language: str) -> tuple[Prepared, np.ndarray]:
    """The talk as a steadily timed transcript, its planted and filler spans, and each
    sentence's label (1 planted, 0 filler)."""
    words: list[Word] = []
    block_of: list[int] = []
    spans: list[tuple[float, float]] = []
    cursor = 0.5
    for index, block in enumerate(talk.blocks):
        start = cursor
        for _, text in block.lines:
            for token in text.split():
                words.append(Word(token, round(cursor, 3), round(cursor + SECONDS_PER_WORD - 0.06, 3)))
                block_of.append(index)
                cursor += SECONDS_PER_WORD + (SENTENCE_PAUSE if token.endswith((".", "?", "!")) else 0.0)
        spans.append((start, words[-1].end))
    sentences = build_sentences(words)
    transcript = Transcript(language=language, duration=round(cursor + 0.5, 3), words=words, sentences=sentences)
    # Sentences take the words in order, so each one's words are the next len(words) of them.
    labels, first = [], 0
    for sentence in sentences:
        blocks = block_of[first : first + len(sentence.words)]
        first += len(sentence.words)
        labels.append(float(talk.blocks[max(set(blocks), key=blocks.count)].kind == "planted"))
    planted = [Planted(b.label, *spans[i]) for i, b in enumerate(talk.blocks) if b.kind == "planted"]
    filler = [Planted(b.label, *spans[i]) for i, b in enumerate(talk.blocks) if b.kind != "planted"]
    return Prepared(planted, filler, np.zeros(0, dtype=np.float32), transcript, None, ""), np.array(labels)


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """P(a random positive scores above a random negative), ties counting half."""
    positive, negative = scores[labels == 1], scores[labels == 0]
    above = (positive[:, None] > negative[None, :]).sum() + 0.5 * (positive[:, None] == negative[None, :]).sum()
    return float(above / (len(positive) * len(negative)))


def main(argv: list[str]) -> int:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(argv)
    config = PipelineConfig.from_env(os.environ)
    print(f"machine: {describe()}")
    pooled_scores, pooled_labels, totals = [], [], Score()
    for path in sorted(LANGUAGES.glob("*.txt")):
        language = path.stem.rsplit("_", 1)[-1]
        talk = read_talk(path)
        prepared, labels = lay_out(talk, language)
        content = analyse_transcript(prepared.transcript).content
        top = len(prepared.planted)
        result = find_moments(prepared.transcript, ClipOptions(clip_count=top), config)
        score, lines = evaluate(prepared, result.moments[:top])
        totals.add(score)
        pooled_scores.append(content)
        pooled_labels.append(labels)
        print(
            f"{talk.name} ({talk.genre}, {language}): {len(labels)} sentences, AUC {auc(content, labels):.3f}, "
            f"content planted {content[labels == 1].mean():.2f}, filler {content[labels == 0].mean():.2f}"
        )
        print(f"  {score.line()}")
        print("\n".join(lines))
    scores, labels = np.concatenate(pooled_scores), np.concatenate(pooled_labels)
    print(f"pooled: AUC {auc(scores, labels):.3f}, {totals.line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
