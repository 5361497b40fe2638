"""Benchmark for speaker turns (:mod:`pipeline.moments.turns`): can two voices be told apart?

* Real readers alone: each of the corpus's single-voice readings cut into 1.2 s pieces, one
  "sentence" each; the split's separation must stay below ``TWO_VOICES`` (one voice).
* Real readers taking turns: two of those readings in turns of 1-4 pieces of 2 s
  (:func:`tests.pipeline.readers.taking_turns`); the separation must reach ``TWO_VOICES``
  and the voices found must agree with who read each piece.
* The moments benchmark's talks (``--set``, ``--only``, as cached by ``bench.moments``):
  the separation per talk and genre, sentences as transcribed.
* The cost: CPU seconds of :func:`read_turns` per hour of audio, beside the floor measured
  in the same run: the power spectra of the same frames alone.

    .venv/bin/python -m bench.turns [--set eval] [--only GLOB] [--gaps blind]
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys
import time
from itertools import combinations

import numpy as np

from bench.machine import describe
from bench.moments import DATA, prepare, read_talk
from pipeline.audio import SAMPLE_RATE, decode_audio
from pipeline.config import PipelineConfig
from pipeline.moments.features import analyse_transcript
from pipeline.moments.turns import TWO_VOICES, power_spectra, read_turns, split_voices
from tests.media import SHARED_MEDIA
from tests.pipeline.readers import agreement, taking_turns

READERS = {
    "LJ Speech (en, woman)": "en_ljspeech_linda_johnson_02.mp3",
    "sonnet (en, man)": "en_librivox_shakespeare_sonnet1.mp3",
    "prose (es, man)": "es_librivox_prose.mp3",
    "Simplicissimus (de, man)": "de_librivox_simplicissimus.mp3",
}
ALONE_PIECE, TURN_PIECE = 1.2, 2.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="eval")
    parser.add_argument("--only", default="*")
    parser.add_argument("--gaps", default="blind", choices=["blind", "blocks"])
    args = parser.parse_args(argv)
    config = PipelineConfig.from_env(os.environ)
    print(describe())
    print(f"two voices when the separation is at least {TWO_VOICES}")
    readings = {name: decode_audio(SHARED_MEDIA / file, config) for name, file in READERS.items()}

    print(f"\nreal readers alone, {ALONE_PIECE} s pieces:")
    for name, audio in readings.items():
        starts = np.arange(0.0, len(audio) / SAMPLE_RATE - ALONE_PIECE, ALONE_PIECE)
        split = split_voices(audio, starts, starts + ALONE_PIECE - 0.2)
        shown = "too few pieces" if split is None else f"separation {split.separation:5.2f}"
        print(f"  {name:26s} {len(starts):3d} pieces  {shown}")

    print(f"\nreal readers taking turns, {TURN_PIECE} s pieces:")
    for one, other in combinations(readings, 2):
        audio, starts, truth = taking_turns(readings[one], readings[other], TURN_PIECE)
        split = split_voices(audio, starts, starts + TURN_PIECE - 0.2)
        if split is None:
            print(f"  {one} + {other}: {len(starts)} pieces, too few")
            continue
        print(
            f"  {one:26s} + {other:26s} {len(starts):3d} pieces  separation {split.separation:5.2f}"
            f"  voices right {agreement(split.voice, truth):.3f}"
        )

    print(f"\nthe moments benchmark's {args.set} talks ({args.only}, {args.gaps}):")
    by_genre: dict[str, list[float]] = {}
    for path in sorted((DATA / args.set).glob("*.txt")):
        if not fnmatch.fnmatch(path.name, args.only) and not fnmatch.fnmatch(path.stem, args.only):
            continue
        talk = read_talk(path)
        prepared = prepare(path, talk, config, True, False, args.gaps)
        analysis = analyse_transcript(prepared.transcript)
        split = split_voices(prepared.audio, analysis.first_word, analysis.last_word)
        separation = 0.0 if split is None else split.separation
        by_genre.setdefault(talk.genre, []).append(separation)
        print(f"  {path.stem:45s} {talk.genre:10s} separation {separation:5.2f}")
    for genre, values in sorted(by_genre.items()):
        print(f"  {genre:10s} {len(values):2d} talks, separation {min(values):.2f}-{max(values):.2f}")

    hour = np.concatenate([*readings.values()] * 14)[: 3600 * SAMPLE_RATE]
    starts = np.arange(0.0, len(hour) / SAMPLE_RATE - 4.0, 4.0)
    minutes = len(hour) / SAMPLE_RATE / 60
    began = time.process_time()
    read_turns(hour, starts, starts + 3.8)
    cost = time.process_time() - began
    began = time.process_time()
    for _ in power_spectra(hour):
        pass
    floor = time.process_time() - began
    print(f"\ncost: {cost:.2f} CPU s for {minutes:.0f} minutes of audio")
    print(f"floor, the same frames' power spectra alone: {floor:.2f} CPU s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
