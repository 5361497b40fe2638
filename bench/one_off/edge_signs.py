"""One-off (session 70): which way the found moments' edges miss, from bench.moments logs.

Per genre: clips starting more than 1.5 s late or early, and ending more than 1.5 s late or
early. ``python edge_signs.py RUN.log ...``.
"""

import re
import sys
from collections import defaultdict

for log in sys.argv[1:]:
    genre = None
    st = defaultdict(lambda: [0, 0, 0, 0, 0])
    for line in open(log):
        m = re.match(r"^\S+ \((.+?)\): ", line)
        if m:
            genre = m.group(1)
        m = re.search(r"found .* start ([+-][\d.]+)s end ([+-][\d.]+)s", line)
        if m:
            s, e = float(m.group(1)), float(m.group(2))
            c = st[genre]
            c[0] += s > 1.5
            c[1] += s < -1.5
            c[2] += e > 1.5
            c[3] += e < -1.5
            c[4] += 1
    print(log)
    for g, c in sorted(st.items()):
        print(f"  {g:10s} n={c[4]} start late {c[0]} early {c[1]} | end late {c[2]} early {c[3]}")
