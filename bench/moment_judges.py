"""Second opinions on where the planted moments start and end: editors judge the edges blind.

``bench.moments`` measures a clip's edges against the planted block's, where the one hand
that wrote the talk put them. How far apart would two careful editors put the same
moment's edges? Judges who never saw the block markers, the analyser or its clips get each
talk as numbered lines (one sentence each, as ``--gaps blind`` speaks them) with every
planted moment named by one line inside it, and answer, for each, the line a clip should
start on and the line it should end on, and any other lines they would accept as well
(:data:`BRIEF` is what they read). Their answers are kept in
``bench/data/moments/judged/<set>/*.txt``, one file per judge, lines of the form
``TALK mN start=L end=L also_start=L,L also_end=L``.

``score`` reads them against the talks' cached speech (``bench.moments --set eval
--audio-only --gaps blind`` builds it) and reports per genre, in the units of
``bench.moments``:

* each judge's edges against the writer's: the mean of |judge - planted| over both edges,
  and the judges' edges that lie more than ``EDGE_SLACK`` seconds inside a filler block;
* the two judges of a talk against each other;
* the analyser's clips (run again, as ``bench.moments`` runs it) against the writer's edges,
  against each judge's, and against the nearest edge anyone accepts (the writer's, and any
  line that both of a talk's judges accept: their best or their others).

Usage: ``.venv/bin/python -m bench.moment_judges packets OUTDIR [--set eval] [--only GLOB] [--judges 8]``
writes each judge's folder (the brief and the talks it judges, each talk to two judges);
``.venv/bin/python -m bench.moment_judges score [--set eval] [ANSWERS ...]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from bench.machine import describe
from bench.moments import (
    DATA,
    Planted,
    Talk,
    covering,
    ends_inside,
    inside_filler,
    prepare,
    read_talk,
    spoken_utterances,
    starts_inside,
    utterance_texts,
)
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions, find_moments

JUDGED = DATA / "judged"
GAPS = "blind"
SPEAKERS = {"1": "A", "2": "B"}
BRIEF = """\
You are an experienced editor of short social videos, asked for a second opinion. You judge
where clips should start and end in the transcripts of spoken videos. Nobody has told you
where anyone else would cut them, and you must not look for it.

RULES:
- Read only the file talks.txt in this folder. Do not open, list or search anything else,
  under /work or elsewhere, and run no program except to write your answer file.
- Write your answers to answers.txt in this folder.

Each transcript has one sentence per numbered line; A is the main speaker (host, lecturer,
solo creator), B the second voice (guest, student, co-host), if any. Below each transcript
is a list of moments worth posting as a standalone short clip of about 25-50 seconds, each
named by one line somewhere inside it. For each moment, decide the clip you would cut:

- It starts where the moment starts: nothing unrelated before it (greetings, housekeeping,
  transitions, reactions, the end of something else), and nothing the moment needs missing
  (its question, when it is an answer to one; the set-up or opening claim its payoff needs).
- It ends on the moment's payoff: nothing the moment needs cut off, and no reaction,
  aside or next topic after it.
- It must make sense to a viewer who has seen nothing else of the video.

Answer with one line per moment, in this exact form (line numbers only):

  TALK MOMENT start=LINE end=LINE also_start=LINE,LINE also_end=LINE

where TALK is the transcript's name (the word after TALK on its first line), MOMENT its
moment's name (m1, m2, ...), start and end the lines you would choose, and also_start / also_end list any
other lines you would accept as the first / last line just as well (leave them empty,
`also_start= also_end=`, when only your choice will do). Judge every moment of every
transcript; reply with one line saying how many answer lines you wrote.
"""
_ANSWER = re.compile(
    r"^(?P<talk>\S+)\s+(?P<moment>m\d+)\s+start=(?P<start>\d+)\s+end=(?P<end>\d+)"
    r"\s+also_start=(?P<also_start>[\d,\s]*?)\s*also_end=(?P<also_end>[\d,\s]*)$"
)


@dataclasses.dataclass(frozen=True)
class Line:
    block: int  # the index of its block in the talk
    speaker: str
    text: str


@dataclasses.dataclass(frozen=True)
class Answer:
    """One judge's edges for one moment, as line numbers (from 1)."""

    judge: str
    talk: str
    moment: str
    start: int
    end: int
    also_start: frozenset[int]
    also_end: frozenset[int]

    @property
    def starts(self) -> frozenset[int]:
        return self.also_start | {self.start}

    @property
    def ends(self) -> frozenset[int]:
        return self.also_end | {self.end}


def lines_of(talk: Talk) -> list[Line]:
    """The talk's sentences in order, split as ``--gaps blind`` speaks them (one utterance each)."""
    return [
        Line(number, speaker, sentence)
        for number, block in enumerate(talk.blocks)
        for speaker, text in block.lines
        for sentence in utterance_texts(text, GAPS)
    ]


def moments_of(talk: Talk) -> list[tuple[str, str, int]]:
    """Each planted block as (moment id, its label, the number of the line the judges are
    pointed to: its middle one)."""
    lines, named = lines_of(talk), []
    planted = [number for number, block in enumerate(talk.blocks) if block.kind == "planted"]
    for index, number in enumerate(planted, start=1):
        inside = [position for position, line in enumerate(lines, start=1) if line.block == number]
        named.append((f"m{index}", talk.blocks[number].label, inside[len(inside) // 2]))
    return named


def packet(talk: Talk) -> str:
    """What a judge reads of ``talk``: its numbered lines and its moments, no block marked."""
    body = [f"{number} {SPEAKERS[line.speaker]}: {line.text}" for number, line in enumerate(lines_of(talk), 1)]
    moments = [f"{moment}: the moment that includes line {line}" for moment, _, line in moments_of(talk)]
    return "\n".join([f"TALK {talk.name} ({talk.genre})", *body, "MOMENTS", *moments, ""])


def assign(names: Sequence[str], judges: int, per_talk: int = 2) -> list[list[str]]:
    """Each of ``names`` to ``per_talk`` different judges, dealt in turn so that each judge
    gets talks of every part of the (genre-sorted) list."""
    if per_talk > judges:
        raise ValueError("each talk needs as many judges as it has")
    shares: list[list[str]] = [[] for _ in range(judges)]
    for seat, name in enumerate(names):
        for offset in range(per_talk):
            shares[(seat + offset * (judges // per_talk)) % judges].append(name)
    return shares


def read_answers(judge: str, text: str) -> list[Answer]:
    """The answer lines of ``text``; raises ValueError naming the first line that is not one."""
    answers = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ANSWER.match(line.strip())
        if match is None:
            raise ValueError(f"{judge}: not an answer line: {line.strip()!r}")
        answers.append(
            Answer(
                judge,
                match["talk"],
                match["moment"],
                int(match["start"]),
                int(match["end"]),
                _numbers(match["also_start"]),
                _numbers(match["also_end"]),
            )
        )
    return answers


def _numbers(text: str) -> frozenset[int]:
    return frozenset(int(part) for part in re.split(r"[,\s]+", text.strip()) if part)


@dataclasses.dataclass
class Tally:
    """Edge errors (seconds, both edges of each clip) and clips with an edge inside filler."""

    errors: list[float] = dataclasses.field(default_factory=list)
    clips: int = 0
    in_filler: int = 0

    def add(self, start: float, end: float, edges: tuple[float, float] | None, filler: Sequence[Planted]) -> None:
        """Count a clip from ``start`` to ``end``; its errors against ``edges`` when given."""
        self.count(inside_filler(start, end, filler))
        if edges is not None:
            self.errors += [abs(start - edges[0]), abs(end - edges[1])]

    def count(self, in_filler: bool) -> None:
        """Count a clip, with or without an edge inside filler."""
        self.clips += 1
        self.in_filler += in_filler

    def merge(self, other: Tally) -> None:
        self.errors += other.errors
        self.clips += other.clips
        self.in_filler += other.in_filler

    def line(self) -> str:
        error = f"{np.mean(self.errors):.2f} s" if self.errors else "n/a"
        return f"{error} over {len(self.errors) // 2}, edges inside filler {self.in_filler}/{self.clips}"


@dataclasses.dataclass
class Judged:
    """One talk's moments as the writer and the judges put their edges (seconds)."""

    genre: str
    filler: list[Planted]
    writer: dict[str, tuple[float, float]]  # label -> (start, end)
    judges: dict[str, dict[str, tuple[float, float]]]  # label -> judge -> (start, end)
    accepted: dict[str, tuple[list[float], list[float]]]  # label -> (starts, ends) anyone accepts


def judged(talk: Talk, planted: Sequence[Planted], filler: Sequence[Planted], workdir: Path,
           answers: Iterable[Answer]) -> Judged:  # fmt: skip
    """The writer's and the judges' edges of ``talk`` in seconds of its speech in ``workdir``.

    A line's start is its first voiced sample, its end its last, as a planted block's are.
    Accepted are the writer's edge and every line all of the talk's judges accept."""
    spoken, lines = spoken_utterances(talk.blocks, workdir, GAPS), lines_of(talk)
    if len(spoken) != len(lines):
        raise ValueError(f"{talk.name}: {len(spoken)} utterances spoken, {len(lines)} lines judged")
    labels = {moment: label for moment, label, _ in moments_of(talk)}
    writer = {span.label: (span.start, span.end) for span in planted}
    judges: dict[str, dict[str, tuple[float, float]]] = {label: {} for label in writer}
    starts: dict[str, list[frozenset[int]]] = {label: [] for label in writer}
    ends: dict[str, list[frozenset[int]]] = {label: [] for label in writer}
    for answer in answers:
        if answer.talk != talk.name:
            continue
        label = labels.get(answer.moment)
        if label is None or not all(1 <= line <= len(spoken) for line in answer.starts | answer.ends):
            raise ValueError(f"{answer.judge}: {talk.name} {answer.moment} names no moment or a line past the talk")
        judges[label][answer.judge] = (spoken[answer.start - 1].start, spoken[answer.end - 1].end)
        starts[label].append(answer.starts)
        ends[label].append(answer.ends)
    accepted = {}
    for label, (start, end) in writer.items():
        both_start = frozenset.intersection(*starts[label]) if starts[label] else frozenset()
        both_end = frozenset.intersection(*ends[label]) if ends[label] else frozenset()
        accepted[label] = (
            [start, *(spoken[line - 1].start for line in both_start)],
            [end, *(spoken[line - 1].end for line in both_end)],
        )
    return Judged(talk.genre, list(filler), writer, judges, accepted)


def nearest(value: float, choices: Sequence[float]) -> float:
    return min(choices, key=lambda choice: abs(choice - value))


def compare(talk: Judged, clips: Sequence) -> dict[str, Tally]:
    """The tallies of one talk: the judges against the writer and each other, and ``clips``
    (the analyser's top k, each with ``start`` and ``end``) against the writer, the judges
    and the nearest accepted edges."""
    tallies = {name: Tally() for name in REPORTED}
    for label, edges in talk.writer.items():
        moment = Planted(label, *edges)
        by_judge = talk.judges[label]
        for start, end in by_judge.values():
            tallies["judges against the writer"].add(start, end, edges, talk.filler)
        pairs = list(by_judge.values())
        for index, (start, end) in enumerate(pairs):
            for other in pairs[index + 1 :]:
                tallies["judges against each other"].add(start, end, other, ())
        clip = covering(moment, clips)
        if clip is None:
            continue
        tallies["analyser against the writer"].add(clip.start, clip.end, edges, ())
        for judge_edges in by_judge.values():
            tallies["analyser against each judge"].add(clip.start, clip.end, judge_edges, ())
        starts, ends = talk.accepted[label]
        tallies["analyser against the nearest accepted edge"].add(
            clip.start, clip.end, (nearest(clip.start, starts), nearest(clip.end, ends)), ()
        )
    every_start = [t for starts, _ in talk.accepted.values() for t in starts]
    every_end = [t for _, ends in talk.accepted.values() for t in ends]
    for clip in clips:
        tallies["analyser's clips"].add(clip.start, clip.end, None, talk.filler)
        # An edge someone accepts is no filler edge, wherever the writer put the block's.
        start_off = abs(nearest(clip.start, every_start) - clip.start) > SAME_EDGE
        end_off = abs(nearest(clip.end, every_end) - clip.end) > SAME_EDGE
        tallies["analyser's clips, accepted edges forgiven"].count(
            (start_off and starts_inside(clip.start, talk.filler)) or (end_off and ends_inside(clip.end, talk.filler))
        )
    return tallies


# An edge this close to an accepted one is on it: about a short word.
SAME_EDGE = 0.5
REPORTED = (
    "judges against the writer",
    "judges against each other",
    "analyser against the writer",
    "analyser against each judge",
    "analyser against the nearest accepted edge",
    "analyser's clips",
    "analyser's clips, accepted edges forgiven",
)


def score(set_name: str, answers: Sequence[Answer], config: PipelineConfig) -> list[str]:
    """The report's lines: each genre, then the whole set."""
    genres: dict[str, dict[str, Tally]] = {}
    names = sorted({answer.talk for answer in answers})
    for name in names:
        path = DATA / set_name / f"{name}.txt"
        talk = read_talk(path)
        prepared = prepare(path, talk, config, audio_only=True, fresh=False, gaps=GAPS)
        found = judged(talk, prepared.planted, prepared.filler, Path(prepared.media).parent, answers)
        options = ClipOptions(model="ClipBasic", clip_count=len(prepared.planted))
        clips = find_moments(prepared.transcript, options, config, audio=prepared.audio).moments
        for kind, tally in compare(found, clips[: len(prepared.planted)]).items():
            genres.setdefault(talk.genre, {}).setdefault(kind, Tally()).merge(tally)
    lines, whole = [], {kind: Tally() for kind in REPORTED}
    for genre, tallies in sorted(genres.items()):
        lines.append(f"== {genre}")
        for kind in REPORTED:
            lines.append(f"  {kind}: {tallies[kind].line()}")
            whole[kind].merge(tallies[kind])
    lines.append(f"== {set_name}, {len(names)} talks")
    return lines + [f"  {kind}: {whole[kind].line()}" for kind in REPORTED]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    packets = commands.add_parser("packets", help="write each judge's folder")
    packets.add_argument("out", type=Path)
    packets.add_argument("--set", default="eval")
    packets.add_argument("--only", default="*", metavar="GLOB", help="only the talks whose file name matches")
    packets.add_argument("--judges", type=int, default=8)
    scoring = commands.add_parser("score", help="score the judges' answers and the analyser against them")
    scoring.add_argument("--set", default="eval")
    scoring.add_argument("answers", type=Path, nargs="*", help="answer files (default: bench/data/moments/judged/SET)")
    args = parser.parse_args(argv)
    if args.command == "packets":
        paths = sorted(path for path in (DATA / args.set).glob(args.only) if path.suffix == ".txt")
        talks = {path.stem: read_talk(path) for path in paths}
        for number, share in enumerate(assign(list(talks), args.judges), start=1):
            folder = args.out / f"j{number}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "brief.txt").write_text(BRIEF)
            (folder / "talks.txt").write_text("\n".join(packet(talks[name]) for name in share))
            print(f"{folder}: {', '.join(share)}")
        return 0
    files = args.answers or sorted((JUDGED / args.set).glob("*.txt"))
    answers = [answer for file in files for answer in read_answers(file.stem, file.read_text())]
    print(f"machine: {describe()}")
    print("\n".join(score(args.set, answers, PipelineConfig.from_env(os.environ))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
