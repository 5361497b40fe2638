"""One-off (session 68): clips chosen again as the window of least expected edge error.

Reads each talk of a set once (cached speech and transcripts, the shipped models) and scores
the local analyser's top k clips with the prototype off (the shipped analyser) and at each
setting given of the knob named (``EXPECTED_ERROR_TEMPERATURE``: the clips chosen again as
the window of least expected edge error; ``EARLIER_START_LOG_ODDS``: each clip's start
moved up to three lines earlier for that bonus a line). Usage: ``PYTHONPATH=.
.venv/bin/python -m bench.one_off.expected_error --set tune --only 'train_a[ij]_*'
[--knob EARLIER_START_LOG_ODDS] --temperatures 0.5 1 2`` (logs: ``expected_error_aij.log``,
``earlier_start_aij.log``).
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys

from bench.machine import describe
from bench.moments import DATA, Score, evaluate, prepare, read_talk
from bench.train_moments import Clip
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions
from pipeline.moments import turns as turns_module
from pipeline.moments.features import analyse_transcript
from pipeline.moments.local import LocalAnalyser


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="tune")
    parser.add_argument("--only", default="*")
    parser.add_argument("--gaps", default="blind")
    parser.add_argument("--temperatures", type=float, nargs="+", default=[1.0])
    parser.add_argument("--knob", default="EXPECTED_ERROR_TEMPERATURE")
    args = parser.parse_args(argv)
    print(f"machine: {describe()}")
    config = PipelineConfig.from_env(os.environ)
    settings = [None, *args.temperatures]
    totals = {t: Score() for t in settings}
    genres: dict = {}
    for path in sorted((DATA / args.set).glob("*.txt")):
        if not fnmatch.fnmatch(path.name, args.only):
            continue
        talk = read_talk(path)
        prepared = prepare(path, talk, config, True, False, args.gaps)
        options = ClipOptions(model="ClipBasic", clip_count=len(prepared.planted))
        options.validate()
        local = LocalAnalyser(analyse_transcript(prepared.transcript), options, prepared.audio)
        line = []
        for setting in settings:
            setattr(turns_module, args.knob, setting)
            spans, _ = local.find(len(prepared.planted))
            clips = [Clip(s.start, s.end, rank) for rank, s in enumerate(spans, start=1)]
            score, lines = evaluate(prepared, clips)
            totals[setting].add(score)
            genres.setdefault((talk.genre, setting), Score()).add(score)
            line.append(f"{setting}: {score.line()}")
        print(f"{talk.name} ({talk.genre})\n  " + "\n  ".join(line), flush=True)
    for genre in sorted({g for g, _ in genres}):
        for setting in settings:
            print(f"{genre} / {setting}: {genres[genre, setting].line()}")
    for setting in settings:
        print(f"overall / {setting}: {totals[setting].line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
