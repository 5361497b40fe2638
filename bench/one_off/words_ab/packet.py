"""Blind A/B packet of changed words: before (old code) vs after (new code)."""
import json, random, sys
before = {}
for f in sys.argv[1].split(","):
    for l in open(f):
        r = json.loads(l); before[(r["talk"], r["transcript"][:80])] = r
after = [json.loads(l) for f in sys.argv[2].split(",") for l in open(f)]
rng = random.Random(71)
items, key = [], []
for r in after:
    o = before.get((r["talk"], r["transcript"][:80]))
    if not o: continue
    for field, label in (("title", "title"), ("question", "question hook"), ("statement", "statement hook")):
        if o[field] != r[field] and o[field] and r[field]:
            flip = rng.random() < 0.5
            a, b = (r[field], o[field]) if flip else (o[field], r[field])
            items.append({"id": len(items) + 1, "what": label, "clip": r["transcript"][:700], "A": a, "B": b})
            key.append({"id": len(key) + 1, "new": "A" if flip else "B", "what": label})
rng.shuffle(items)
json.dump(items, open(sys.argv[3], "w"), indent=1)
json.dump(key, open(sys.argv[4], "w"))
print(len(items), "items")
