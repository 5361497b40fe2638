"""One-off (session 70): where the judges put a moment's first and last line against the writer.

Counts of (judge's chosen line minus the writer's first or last line of the block), per set
and genre, from bench/data/moments/judged. ``PYTHONPATH=. python judge_offsets.py``.
"""

from collections import Counter, defaultdict

from bench.moment_judges import JUDGED, lines_of, moments_of, read_answers
from bench.moments import DATA, read_talk

for sett in ("tune", "eval"):
    answers = [a for f in sorted((JUDGED / sett).glob("*.txt")) for a in read_answers(f.stem, f.read_text())]
    talks = {}
    for p in (DATA / sett).glob("*.txt"):
        t = read_talk(p)
        talks[t.name] = t
    so, eo = defaultdict(Counter), defaultdict(Counter)
    for a in answers:
        t = talks[a.talk]
        L = lines_of(t)
        mid = dict((m, line) for m, _, line in moments_of(t))[a.moment]
        block = L[mid - 1].block
        inside = [i for i, l in enumerate(L, 1) if l.block == block]
        so[t.genre][a.start - inside[0]] += 1
        eo[t.genre][a.end - inside[-1]] += 1
    for g in sorted(so):
        n = sum(so[g].values())
        print(sett, g, n, "start", sorted(so[g].items()), "| end", sorted(eo[g].items()))
