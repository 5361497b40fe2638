import re, glob, collections
from bench.moments import read_talk
from pathlib import Path
def sents(text): return [s for s in re.split(r'(?<=[.?!])\s+', text) if s.strip()]
c = collections.Counter()
for p in sorted(glob.glob("bench/data/moments/tune/*.txt")):
    t = read_talk(Path(p)); b = t.blocks
    for i, blk in enumerate(b):
        if blk.kind != "planted": continue
        first = sents(blk.lines[0][1])[0]; last = sents(blk.lines[-1][1])[-1]
        c["moment first short"] += len(first.split()) <= 4
        c["moment last short"] += len(last.split()) <= 4
        c["moments"] += 1
        if i > 0 and b[i-1].kind == "filler":
            prev = sents(b[i-1].lines[-1][1])[-1]
            c["filler before short"] += len(prev.split()) <= 4
            c["filler before"] += 1
        if i+1 < len(b) and b[i+1].kind == "filler":
            nxt = sents(b[i+1].lines[0][1])[0]
            c["filler after short"] += len(nxt.split()) <= 4
            c["filler after"] += 1
# all sentences
allc = collections.Counter()
for p in sorted(glob.glob("bench/data/moments/tune/*.txt")):
    for blk in read_talk(Path(p)).blocks:
        for _, text in blk.lines:
            for s in sents(text):
                allc[blk.kind, len(s.split()) <= 4] += 1
print(c); print(allc)
