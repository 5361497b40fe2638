"""Sentence floor before/after splitting run-on sentences, on cached blind transcripts."""
import sys, json, fnmatch
from pathlib import Path
import numpy as np
from bench.moments import DATA, read_talk, prepare
from bench.moment_judges import GAPS
from pipeline.config import PipelineConfig
from pipeline.sentences import build_sentences
from pipeline.moments.phrasing import run_on
from pipeline.moments import lexicon

NEVER = {"i", "a", "may", "will", "us"}
def split_words(words):
    out = []
    for k, w in enumerate(words):
        t = w.text.strip()
        prev = words[k-1].text.strip() if k else ""
        nxt = words[k+1].text.strip() if k + 1 < len(words) else ""
        bare = t.strip(".,?!;:\"'").lower()
        opens = (k > 0 and prev and prev[-1].isalnum() and (prev[:1].islower() or prev[:1].isdigit())
                 and t[:1].isupper() and not t[1:].isupper() and bare in lexicon.STOPWORDS and bare not in NEVER
                 and not bare.startswith("i'") and not (nxt[:1].isupper() and nxt != "I" and not nxt.startswith("I'")))
        out.append((w, opens))
    return out

config = PipelineConfig()
pattern = sys.argv[1]
res = {"before": [], "after": []}
gen = {}
splits = 0
for path in sorted((DATA / "tune").glob("*.txt")):
    if not fnmatch.fnmatch(path.name, pattern): continue
    talk = read_talk(path)
    p = prepare(path, talk, config, audio_only=True, fresh=False, gaps=GAPS)
    words = [w for s in p.transcript.sentences for w in s.words]
    # after: force a sentence end before a run-on opener by appending "." to the previous word
    marked = []
    for w, opens in split_words(words):
        if opens and marked:
            prev = marked[-1]
            marked[-1] = type(prev)(text=prev.text + ".", start=prev.start, end=prev.end, probability=prev.probability)
            splits += 1
        marked.append(w)
    for name, sents in (("before", p.transcript.sentences), ("after", build_sentences(marked))):
        starts = np.array([s.start for s in sents]); ends = np.array([s.end for s in sents])
        for m in p.planted:
            e = (np.min(np.abs(starts - m.start)) + np.min(np.abs(ends - m.end))) / 2
            res[name].append(e); gen.setdefault((name, talk.genre), []).append(e)
print("splits", splits)
for name in res:
    a = np.array(res[name]); print(name, f"mean {a.mean():.3f}  >1.5s {np.sum(a>1.5)}  >3s {np.sum(a>3)} n {len(a)}")
for k in sorted(gen): print(k, f"{np.mean(gen[k]):.3f}")
