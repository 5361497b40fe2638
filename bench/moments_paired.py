"""Two analysers' boundary error on the moments both of them found, from two ``bench.moments`` logs.

``bench.moments`` reports each analyser's boundary error over the moments *it* found. Two
analysers find different moments, so comparing those means penalises the one that finds more:
a hard moment only it finds usually comes out with looser edges. This script pairs the two runs
moment by moment (talk and label) and reports, for the moments both found, each one's mean
boundary error, and for the others which side found them and at what error.

Usage: ``.venv/bin/python -m bench.moments_paired SHIPPED.log CANDIDATE.log`` (each the output
of one ``python -m bench.moments`` run on the same talks).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

_TALK = re.compile(r"^(?P<talk>\S+) \((?P<genre>[^)]+)\): ")
_FOUND = re.compile(
    r"^  found  (?P<label>\S+)\s+rank\s+\d+ score\s+\d+ start (?P<start>[-+]\d+\.\d)s end (?P<end>[-+]\d+\.\d)s"
)
_MISSED = re.compile(r"^  MISSED (?P<label>\S+)\s")


@dataclass(frozen=True)
class Moment:
    talk: str
    genre: str
    label: str
    # Clip edge minus planted edge in seconds (negative: earlier), None when the run missed it.
    start: float | None
    end: float | None

    @property
    def error(self) -> float | None:
        """Mean of |start error| and |end error|, as ``bench.moments`` counts it."""
        return None if self.start is None else (abs(self.start) + abs(self.end)) / 2


def read_log(text: str) -> dict[tuple[str, str], Moment]:
    """Every planted moment of a ``bench.moments`` log, keyed by (talk, label)."""
    moments: dict[tuple[str, str], Moment] = {}
    talk = genre = None
    for line in text.splitlines():
        if heading := _TALK.match(line):
            talk, genre = heading["talk"], heading["genre"]
        elif talk is None:
            continue
        elif found := _FOUND.match(line):
            moments[talk, found["label"]] = Moment(
                talk, genre, found["label"], float(found["start"]), float(found["end"])
            )
        elif missed := _MISSED.match(line):
            moments[talk, missed["label"]] = Moment(talk, genre, missed["label"], None, None)
    return moments


@dataclass
class Paired:
    both: list[tuple[float, float]]
    only_first: list[float]
    only_second: list[float]
    neither: int

    def lines(self, names: tuple[str, str]) -> list[str]:
        def mean(values: list[float]) -> str:
            return f"{sum(values) / len(values):.2f} s" if values else "n/a"

        first, second = [one for one, _ in self.both], [other for _, other in self.both]
        return [
            f"found by both: {len(self.both)}, boundary error {names[0]} {mean(first)}, {names[1]} {mean(second)}",
            f"found by {names[0]} only: {len(self.only_first)}, boundary error {mean(self.only_first)}",
            f"found by {names[1]} only: {len(self.only_second)}, boundary error {mean(self.only_second)}",
            f"found by neither: {self.neither}",
        ]


def pair(first: dict[tuple[str, str], Moment], second: dict[tuple[str, str], Moment]) -> Paired:
    """The two runs' moments side by side; both logs must list the same planted moments."""
    if first.keys() != second.keys():
        differ = sorted(first.keys() ^ second.keys())[:3]
        raise ValueError(f"the two logs list different planted moments, e.g. {differ}")
    paired = Paired([], [], [], 0)
    for key, one in first.items():
        other = second[key].error
        if one.error is not None and other is not None:
            paired.both.append((one.error, other))
        elif one.error is not None:
            paired.only_first.append(one.error)
        elif other is not None:
            paired.only_second.append(other)
        else:
            paired.neither += 1
    return paired


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("first", type=Path, help="the first run's log (the shipped analyser, say)")
    parser.add_argument("second", type=Path, help="the second run's log (the candidate)")
    parser.add_argument("--names", nargs=2, default=("first", "second"), metavar=("FIRST", "SECOND"))
    args = parser.parse_args(argv)
    first, second = (read_log(path.read_text()) for path in (args.first, args.second))
    if not first:
        parser.error(f"{args.first.name} holds no bench.moments talk")
    try:
        paired = pair(first, second)
    except ValueError as error:
        parser.error(str(error))
    genres = sorted({moment.genre for moment in first.values()})
    for genre in genres:
        keys = [key for key, moment in first.items() if moment.genre == genre]
        one = pair({k: first[k] for k in keys}, {k: second[k] for k in keys})
        print(f"{genre}: " + "; ".join(one.lines(tuple(args.names))))
    print("overall:")
    print("\n".join(f"  {line}" for line in paired.lines(tuple(args.names))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
