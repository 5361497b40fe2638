import re, glob, collections, random
from bench.moments import read_talk
from pathlib import Path
def sents(text): return [s for s in re.split(r'(?<=[.?!])\s+', text) if s.strip()]
mf, fb = [], []
for p in sorted(glob.glob("bench/data/moments/tune/*.txt")):
    b = read_talk(Path(p)).blocks
    for i, blk in enumerate(b):
        if blk.kind != "planted": continue
        first = sents(blk.lines[0][1])[0]
        if len(first.split()) <= 4: mf.append(first)
        if i > 0 and b[i-1].kind == "filler":
            prev = sents(b[i-1].lines[-1][1])[-1]
            if len(prev.split()) <= 4: fb.append(prev)
random.seed(1)
print("MOMENT FIRST:", random.sample(mf, 40))
print("FILLER BEFORE:", collections.Counter(fb).most_common(40))
