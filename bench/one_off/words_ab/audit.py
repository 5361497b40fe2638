import json, sys
from types import SimpleNamespace as NS
from collections import defaultdict
from bench.words import flags
rows=[json.loads(l) for f in sys.argv[1:] for l in open(f)]
found=defaultdict(list)
for r in rows:
    m=NS(hashtags=r['hashtags'], transcript=r['transcript'], hooks=NS(question=r['question'], statement=r['statement']), title=r['title'], description=r['description'])
    for k,e in flags(m): found[k].append(e)
print(len(rows),"clips")
for k,v in sorted(found.items(), key=lambda i:-len(i[1])):
    print(len(v), k)
    from collections import Counter
    if k.startswith('hashtag'):
        print("   ", Counter(v).most_common(60))
    else:
        for e in v[:25]: print("    ", e)
