"""How the clips of found moments miss their edges, from ``bench.moments`` logs.

``bench.moments`` reports one boundary error per run: the mean over found moments of
|clip start - planted start| and |clip end - planted end|. That mean does not say which way
the clips are wrong, and the fixes differ: a clip that starts after the moment's opening or
ends before its payoff is too short (its edges should move out), one that runs into the
filler beside it too long, one that is shifted lands on the wrong stretch. Each found
moment is put in one kind by its signed edge errors, an edge within :data:`SLACK` seconds
counting as clean; reported are each kind's count and its share of the summed error, over
all the logs given and per genre.

Usage: ``.venv/bin/python -m bench.edge_errors RUN.log [RUN.log ...]``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

from bench.moments_paired import Moment, read_log

# An edge this close to the planted one is clean: about one short sentence.
SLACK = 3.0
CLEAN = "clean"


def kind(start: float, end: float) -> str:
    """The way a clip with these signed edge errors (seconds; negative: earlier) misses."""
    early_start, late_start = start < -SLACK, start > SLACK
    early_end, late_end = end < -SLACK, end > SLACK
    if early_start and early_end:
        return "shifted earlier"
    if late_start and late_end:
        return "shifted later"
    parts = [
        name
        for name, applies in (
            ("starts in the filler before", early_start),
            ("starts after the opening", late_start),
            ("ends before the payoff", early_end),
            ("runs into the filler after", late_end),
        )
        if applies
    ]
    return " and ".join(parts) or CLEAN


def tally(moments: list[Moment]) -> list[str]:
    """One line per kind, most frequent first: count, share of moments, share of summed error."""
    found = [m for m in moments if m.start is not None]
    if not found:
        return ["no moment found"]
    counts, errors = Counter(), defaultdict(float)
    for moment in found:
        name = kind(moment.start, moment.end)
        counts[name] += 1
        errors[name] += moment.error
    total = sum(errors.values()) or 1.0
    return [
        f"{count:4d} ({count / len(found):6.1%} of moments, {errors[name] / total:6.1%} of the error)  {name}"
        for name, count in counts.most_common()
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("logs", nargs="+", type=Path, help="outputs of python -m bench.moments")
    args = parser.parse_args(argv)
    moments = [moment for path in args.logs for moment in read_log(path.read_text()).values()]
    found = [m for m in moments if m.start is not None]
    if not found:
        parser.error("the logs hold no found moment")
    mean = sum(m.error for m in found) / len(found)
    print(f"{len(found)} of {len(moments)} moments found, boundary error {mean:.2f} s")
    print("\n".join(tally(moments)))
    for genre in sorted({m.genre for m in moments}):
        print(f"== {genre}")
        print("\n".join(tally([m for m in moments if m.genre == genre])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
