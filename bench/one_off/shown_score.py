"""One-off (session 70, not shipped): how the score users see sits in Ssemble's bands.

``dump SET GLOB OUT.npy``: every candidate window of the talks (blind caches), with its
hand-weighted total before it is clipped to 0-100, its inner-break peak, its housekeeping
share and run, its mean content posterior, the ranker's log-odds, whether it covers a
planted moment (at least half of the moment and half of itself), its share of time in
filler blocks, and whether the analyser chose it. ``report OUT.npy``: Ssemble's bands
(under 40, 40-59, 60-79, 80 and over) for the chosen clips that cover a moment and those
that do not, how often a filler window (at least 80 % in filler) scores 60 or 40 and over,
and the AUCs, for the shipped score and for re-weightings of it: the content posterior
added (``raw + P * q``, q rising from 0 at a mean posterior of 0.3 or 0.5 to 1 at 0.9) and
the inner-break penalty taken out.
"""

import inspect
import sys
import textwrap

import numpy as np

from bench.moments import DATA, prepare, read_talk
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions
from pipeline.moments import scoring as S
from pipeline.moments.features import analyse_transcript
from pipeline.moments.local import LocalAnalyser

CONFIG = PipelineConfig()
GENRES = ["interview", "lecture", "podcast", "solo talk"]

# The scorer's own score, without the clip to 0-100 at its end.
_source = textwrap.dedent(inspect.getsource(S.WindowScorer.score)).replace(
    "total=max(0.0, min(100.0, total))", "total=total"
)
_space = {}
exec(_source, S.__dict__, _space)
S.WindowScorer.raw_score = _space["score"]


def dump(set_name, pattern, out):
    rows = []
    for number, path in enumerate(sorted((DATA / set_name).glob(pattern))):
        talk = read_talk(path)
        prepared = prepare(path, talk, CONFIG, audio_only=True, fresh=False, gaps="blind")
        k = len(prepared.planted)
        analysis = analyse_transcript(prepared.transcript)
        local = LocalAnalyser(analysis, ClipOptions(model="ClipBasic", clip_count=k), prepared.audio)
        spans, _ = local.find(k)
        chosen = {(s.first, s.last) for s in spans}
        for (a, b), logodds in local.likelihood.items():
            start, end = local.edges.starts[a], local.edges.ends[b]
            length = end - start
            covers = any(
                min(end, m.end) - max(start, m.start) >= 0.5 * max(m.end - m.start, length) for m in prepared.planted
            )
            in_filler = sum(max(0.0, min(end, f.end) - max(start, f.start)) for f in prepared.filler) / length
            scored = local.scorer.raw_score(a, b)
            signals = scored.signals
            rows.append((number, GENRES.index(talk.genre), a, b, length, scored.total, signals["inner_peak"],
                         signals["filler"], signals["filler_run"], float(analysis.content[a : b + 1].mean()),
                         logodds, covers, in_filler, (a, b) in chosen))  # fmt: skip
        print(path.stem, len(rows), flush=True)
    np.save(out, np.array(rows, dtype=float))


def auc(positive, negative):
    ranks = np.concatenate([positive, negative]).argsort().argsort() + 1
    return (ranks[: len(positive)].sum() - len(positive) * (len(positive) + 1) / 2) / (len(positive) * len(negative))


def bands(x):
    return (f"<40 {np.mean(x < 40):.2f} 40-59 {np.mean((x >= 40) & (x < 60)):.2f} "
            f"60-79 {np.mean((x >= 60) & (x < 80)):.2f} 80+ {np.mean(x >= 80):.2f} median {np.median(x):.0f}")  # fmt: skip


def report(path):
    talk, _, _, _, _, raw, inner, _, _, content, _, covers, in_filler, chosen = np.load(path).T
    moment, filler, chosen = covers == 1, in_filler >= 0.8, chosen == 1

    def line(name, score):
        score = np.clip(score, 0, 100)
        best = np.array([score[filler & (talk == t)].max() for t in np.unique(talk) if (filler & (talk == t)).any()])
        print(f"{name}\n  clips covering a moment: {bands(score[chosen & moment])}"
              f"\n  clips covering none ({np.sum(chosen & ~moment)}): {bands(score[chosen & ~moment])}; "
              f"AUC between the two {auc(score[chosen & moment], score[chosen & ~moment]):.2f}"
              f"\n  filler windows: 60+ {np.mean(score[filler] >= 60):.4f}, 40+ {np.mean(score[filler] >= 40):.3f}; "
              f"talks whose best filler window is 60+ {np.sum(best >= 60)}/{len(best)}, 40+ {np.sum(best >= 40)}; "
              f"AUC moment against filler windows {auc(score[moment], score[filler]):.3f}")  # fmt: skip

    print(f"clips covering a moment scored 0 or less: {np.mean(raw[chosen & moment] <= 0):.2f}")
    line("shipped score", raw)
    for points in (20, 30, 40):
        for zero in (0.3, 0.5):
            line(f"+ {points} * q (q 0 at {zero})", raw + points * np.clip((content - zero) / (0.9 - zero), 0, 1))
    without_inner = raw + S.INNER_BREAK_POINTS * np.maximum(0, inner - S.INNER_BREAK_FREE)
    line("the inner-break penalty taken out", without_inner)
    for points in (20, 30):
        line(f"taken out, + {points} * q (q 0 at 0.5)", without_inner + points * np.clip((content - 0.5) / 0.4, 0, 1))


if __name__ == "__main__":
    if sys.argv[1] == "dump":
        dump(*sys.argv[2:5])
    else:
        report(sys.argv[2])
