"""One-off (session 70, not shipped): every candidate window of some talks, for shown_score_fit.py.

``PYTHONPATH=. python windows_dump.py SET GLOB OUT.npy`` (blind caches): per window, the talk's
number, its genre, its sentence range, its length, the shown (clipped) hand-weighted score,
its mean content posterior, the ranker's log-odds, whether it covers a planted moment (half
of the moment and half of itself), its share of time in filler blocks, and whether the
analyser chose it.
"""

import sys

import numpy as np

from bench.moments import DATA, prepare, read_talk
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions
from pipeline.moments.features import analyse_transcript
from pipeline.moments.local import LocalAnalyser

CONFIG = PipelineConfig()
sett, glob, out = sys.argv[1], sys.argv[2], sys.argv[3]
rows = []
for ti, path in enumerate(sorted((DATA / sett).glob(glob))):
    talk = read_talk(path)
    p = prepare(path, talk, CONFIG, audio_only=True, fresh=False, gaps="blind")
    k = len(p.planted)
    analysis = analyse_transcript(p.transcript)
    local = LocalAnalyser(analysis, ClipOptions(model="ClipBasic", clip_count=k), p.audio)
    spans, _ = local.find(k)
    chosen = {(s.first, s.last) for s in spans}
    E = local.edges
    genre = ["interview", "lecture", "podcast", "solo talk"].index(talk.genre)
    for (a, b), lo in local.likelihood.items():
        s, e = E.starts[a], E.ends[b]
        d = e - s
        cover = max(
            (min(e, m.end) - max(s, m.start)) / min(d, m.end - m.start) if min(e, m.end) > max(s, m.start) else 0
            for m in p.planted
        )
        covers_half = any(
            min(e, m.end) - max(s, m.start) >= 0.5 * (m.end - m.start) and min(e, m.end) - max(s, m.start) >= 0.5 * d
            for m in p.planted
        )
        infill = sum(max(0, min(e, f.end) - max(s, f.start)) for f in p.filler) / d
        rows.append(
            (
                ti,
                genre,
                a,
                b,
                d,
                local.scorer.total(a, b),
                float(analysis.content[a : b + 1].mean()),
                lo,
                covers_half,
                infill,
                (a, b) in chosen,
            )
        )
    print(path.stem, len(rows), flush=True)
np.save(out, np.array(rows, dtype=float))
