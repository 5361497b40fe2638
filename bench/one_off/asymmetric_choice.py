"""One-off (session 70, not shipped): each clip chosen again with an asymmetric edge loss.

``choice.choose_again`` picks, among the windows that could be a clip's moment, the one of
least expected edge error, |start - start'| + |end - end'| weighed by the windows' softmax.
The analyser's starts are late far more often than early on talks it was not fitted on
(groups ai-ak, blind: 63 starts more than 1.5 s late, 21 early). Here a start later than a
likely window's costs LATE times as much as an earlier one (``start``), or an end earlier
than a likely window's does (``end``): the choice moves to a lower (start) or upper (end)
quantile of the windows' spread instead of its median.

Usage: ``PYTHONPATH=. .venv/bin/python asymmetric_choice.py {start,end} SET GLOB 1,1.5,2,3``
on blind-cached talks (``bench.moments --gaps blind``); LATE 1 is the shipped rule.
"""

import sys

import numpy as np

import pipeline.moments.local as local_module
from bench.moments import DATA, Score, evaluate, prepare, read_talk
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions, choice
from pipeline.moments.features import analyse_transcript

CONFIG = PipelineConfig()


def asymmetric(side, late):
    def choose_again(kept, likelihood, edges, *, words, lift=None, taken=()):
        chosen = []
        for index, (first, last) in enumerate(kept):
            if not np.isfinite(likelihood.get((first, last), -np.inf)):
                chosen.append((first, last))
                continue
            others = [*kept[:index], *kept[index + 1 :], *taken]
            windows = [
                (first, last),
                *choice._same_moment((first, last), likelihood, edges, words.repeating(others), others),
            ]
            values = np.array([likelihood[w] + (lift(*w) if lift else 0.0) for w in windows])
            weights = np.exp(choice.TEMPERATURE * (values - values.max()))
            starts = np.array([edges.starts[s] for s, _ in windows])
            ends = np.array([edges.ends[e] for _, e in windows])
            later = starts[:, None] - starts  # the candidate's start minus each window's
            longer = ends[:, None] - ends
            if side == "start":
                cost = np.where(later > 0, late * later, -later) + np.abs(longer)
            else:
                cost = np.abs(later) + np.where(longer < 0, -late * longer, longer)
            chosen.append(windows[int(np.argmin(cost @ (weights / weights.sum())))])
        return chosen

    return choose_again


class Clip:
    def __init__(self, span, rank):
        self.start, self.end, self.rank, self.score = span.start, span.end, rank, 0


def main(side, set_name, pattern, lates):
    lates = [float(x) for x in lates.split(",")]
    totals = {late: {} for late in lates}
    for path in sorted((DATA / set_name).glob(pattern)):
        talk = read_talk(path)
        prepared = prepare(path, talk, CONFIG, True, False, "blind")
        k = len(prepared.planted)
        local = local_module.LocalAnalyser(
            analyse_transcript(prepared.transcript), ClipOptions(model="ClipBasic", clip_count=k), prepared.audio
        )
        for late in lates:
            local_module.choose_again = asymmetric(side, late)
            spans, _ = local.find(k)
            score, _ = evaluate(prepared, [Clip(span, rank) for rank, span in enumerate(spans, 1)])
            for key in (talk.genre, "all"):
                totals[late].setdefault(key, Score()).add(score)
    for late in lates:
        print(f"{side} x{late}: " + " | ".join(f"{g}: {s.line()}" for g, s in sorted(totals[late].items())))


if __name__ == "__main__":
    main(*sys.argv[1:])
