"""One-off (session 70): the sentence floor, the least edge error any clip of whole sentences can reach.

For each planted moment, the transcript sentence start nearest its start and the sentence
end nearest its end; their mean distance per genre, and the moments where either is over
1.5 s away (the recogniser ran two sentences into one). ``PYTHONPATH=. python
sentence_floor.py SET GLOB`` on blind caches.
"""

import fnmatch
import os
import sys

import numpy as np

from bench.moments import DATA, prepare, read_talk
from pipeline.config import PipelineConfig

config = PipelineConfig.from_env(os.environ)
sett, glob = sys.argv[1], sys.argv[2]
by = {}
for path in sorted((DATA / sett).glob("*.txt")):
    if not fnmatch.fnmatch(path.name, glob):
        continue
    talk = read_talk(path)
    p = prepare(path, talk, config, True, False, "blind")
    starts = np.array([s.start for s in p.transcript.sentences])
    ends = np.array([s.end for s in p.transcript.sentences])
    errs = []
    for m in p.planted:
        i = np.argmin(abs(starts - m.start))
        j = np.argmin(abs(ends - m.end))
        es, ee = starts[i] - m.start, ends[j] - m.end
        errs += [abs(es), abs(ee)]
        if abs(es) > 1.5 or abs(ee) > 1.5:
            print(
                f"  {talk.name} {m.label}: start {es:+.1f} end {ee:+.1f}  | {p.transcript.sentences[i].sentence[:70]!r}"
            )
    by.setdefault(talk.genre, []).extend(errs)
for g, e in by.items():
    print(g, f"{np.mean(e):.2f} s floor over {len(e)} edges")
