"""Benchmark for moment finding: do the strong moments come out on top, with clean edges?

Each talk in ``bench/data/moments/<set>/*.txt`` is a run of blocks, "filler" (greetings,
logistics, sponsor reads, rambling) and "planted" (self-contained strong moments); lines
tagged ``@2`` are spoken by a second voice (the guest, the student). Two sets are kept
apart: ``tune`` (the texts the analyser was developed against) and ``eval`` (written
afterwards by other hands, never used for tuning; the second round's writers worked from
``eval-round2-brief.md`` alone). The blocks are spoken with espeak-ng, joined, muxed over
a real face video from the shared corpus, decoded and transcribed with the real
:func:`pipeline.transcribe.transcribe`, and handed to :func:`pipeline.moments.find_moments`.
With ``k`` the number of planted moments in a talk, reported per talk, per genre (the
``# genre:`` comment) and per set:

* recall@k: planted moments covered by one of the top k clips (a clip covers a moment
  when it overlaps at least half of it);
* boundary error: mean of |clip start - planted start| and |clip end - planted end| in
  seconds over the covered moments, with the best-overlapping clip;
* filler edges: top-k clips that start or end more than :data:`EDGE_SLACK` seconds
  inside a filler block;
* analysis time (transcription excluded).

Usage: ``.venv/bin/python -m bench.moments [--set tune|eval|all] [--only GLOB] [--model ClipBasic] [--audio-only]
[--gaps blocks|blind]``.
Speech, video and transcripts are cached in ``bench/out/moments`` keyed by the text. Two
analysers' logs of the same talks are compared moment by moment by :mod:`bench.moments_paired`.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np

from bench.machine import describe
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions, find_moments
from pipeline.types import Transcript

DATA = Path(__file__).parent / "data" / "moments"
OUT = Path(__file__).parent / "out" / "moments"
FACE_VIDEO = Path(__file__).resolve().parents[1].parent / "shared" / "media" / "vid_face_landscape_liveportrait_s18.mp4"
SETS = ("tune", "eval")
BLOCK_GAP_SECONDS = 0.5
# Between two lines of one block (a turn in a conversation) the pause is shorter.
TURN_GAP_SECONDS = 0.3
# With --gaps blind, every pause between two sentences is drawn from this range.
BLIND_GAP_SECONDS = (0.2, 0.8)
GAPS = ("blocks", "blind")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# A clip edge this far into a filler block's speech counts as starting or ending inside filler;
# less is the silence and breath around a block's first or last word.
EDGE_SLACK = 1.0
# A sample louder than this (of 16-bit PCM) is voice, not espeak's silence around it.
VOICED = 300
VOICES = {"1": ("-v", "en-us"), "2": ("-v", "en-gb-x-rp+f3")}
ESPEAK = ("espeak-ng", "-s", "165")
FFMPEG = ("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y")


@dataclass
class Block:
    kind: str
    label: str
    lines: list[tuple[str, str]]  # (speaker, text)


@dataclass
class Planted:
    label: str
    start: float
    end: float


@dataclass
class Talk:
    name: str
    genre: str
    blocks: list[Block]


def read_talk(path: Path) -> Talk:
    """Blocks of ``path``; a line ``@2 text`` is the second voice's, untagged lines the first's."""
    blocks: list[Block] = []
    genre = path.stem
    for line in path.read_text().splitlines():
        if line.startswith("# genre:"):
            genre = line.partition(":")[2].strip()
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("== "):
            kind, _, label = line[3:].partition(" ")
            blocks.append(Block(kind, label.strip() or kind, []))
            continue
        speaker, text = "1", line.strip()
        if text[:1] == "@" and text[1:2] in VOICES:
            speaker, text = text[1], text[2:].strip()
        lines = blocks[-1].lines
        if lines and lines[-1][0] == speaker:
            lines[-1] = (speaker, f"{lines[-1][1]} {text}")
        else:
            lines.append((speaker, text))
    return Talk(path.stem, genre, blocks)


def _say(text: str, speaker: str, target: Path) -> tuple[int, np.ndarray]:
    subprocess.run([*ESPEAK, *VOICES[speaker], "-w", str(target), text], check=True)
    return _said(text, speaker, target)


@dataclass
class Utterance:
    """One utterance as spoken: a whole turn by default, a sentence with ``gaps="blind"``."""

    block: int  # the index of its block in the talk
    speaker: str
    text: str
    start: float  # its first and last voiced sample, in seconds of the talk's speech
    end: float


Say = Callable[[str, str, Path], tuple[int, np.ndarray]]
# Anything with a start and an end in seconds: the analyser's moments, the bench's clips.
AnyClip = TypeVar("AnyClip")


def speak(blocks: list[Block], workdir: Path, gaps: str = "blocks") -> tuple[Path, list[Planted], list[Planted]]:
    """Speak every block, join them with short gaps; return the WAV, planted and filler speech spans.

    With ``gaps="blocks"`` each speaker turn is one utterance, turns are joined by
    :data:`TURN_GAP_SECONDS` and blocks by :data:`BLOCK_GAP_SECONDS`, so a block's edge is
    always a longer pause than any inside it: a cue real speech gives far less reliably.
    With ``gaps="blind"`` every sentence is its own utterance and every gap, inside a block
    or between two, is drawn from the same range (:data:`BLIND_GAP_SECONDS`, seeded by the
    talk's text), so no pause tells where a moment starts or ends.
    """
    pieces, rate, planted, filler, _ = _lay_out(blocks, workdir, gaps, _say)
    speech = workdir / "speech.wav"
    with wave.open(str(speech), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(np.concatenate(pieces).tobytes())
    return speech, planted, filler


def spoken_utterances(blocks: list[Block], workdir: Path, gaps: str = "blocks") -> list[Utterance]:
    """Every utterance :func:`speak` spoke into ``workdir``, where it is in the speech, read
    back from the utterances' cached WAVs (no speaking; raises FileNotFoundError without them)."""
    return _lay_out(blocks, workdir, gaps, _said)[4]


def utterance_texts(text: str, gaps: str) -> list[str]:
    """How :func:`speak` cuts one turn's ``text`` into utterances: whole by default, a
    sentence each with ``gaps="blind"``."""
    return [text] if gaps == "blocks" else _SENTENCE_END.split(text)


def _said(text: str, speaker: str, target: Path) -> tuple[int, np.ndarray]:
    with wave.open(str(target)) as handle:
        return handle.getframerate(), np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16)


def _lay_out(
    blocks: list[Block], workdir: Path, gaps: str, say: Say
) -> tuple[list[np.ndarray], int, list[Planted], list[Planted], list[Utterance]]:
    """The samples of :func:`speak`'s speech in pieces, their rate, the planted and filler
    spans and every utterance's span, each utterance's samples from ``say``."""
    texts = "\n".join(text for block in blocks for _, text in block.lines)
    random = np.random.default_rng(int(hashlib.sha256(texts.encode()).hexdigest()[:8], 16))
    pieces, planted, filler, utterances, cursor, rate = [], [], [], [], 0.0, 0
    for number, block in enumerate(blocks):
        samples_of_block, offset = [], 0
        for turn, (speaker, text) in enumerate(block.lines):
            for part, utterance in enumerate(utterance_texts(text, gaps)):
                suffix = "" if gaps == "blocks" else f"-{part:02d}"
                rate, samples = say(utterance, speaker, workdir / f"block{number:02d}-{turn:02d}{suffix}.wav")
                if samples_of_block:
                    pause = np.zeros(int(_gap(gaps, random, TURN_GAP_SECONDS) * rate), dtype=np.int16)
                    samples_of_block.append(pause)
                    offset += len(pause)
                voiced = np.flatnonzero(np.abs(samples) > VOICED)
                if len(voiced):
                    seconds = cursor + (offset + voiced[[0, -1]]) / rate
                    utterances.append(Utterance(number, speaker, utterance, float(seconds[0]), float(seconds[1])))
                samples_of_block.append(samples)
                offset += len(samples)
        samples = np.concatenate(samples_of_block)
        voiced = np.flatnonzero(np.abs(samples) > VOICED)
        span = Planted(block.label, cursor + voiced[0] / rate, cursor + voiced[-1] / rate)
        (planted if block.kind == "planted" else filler).append(span)
        gap = _gap(gaps, random, BLOCK_GAP_SECONDS)
        pieces += [samples, np.zeros(int(gap * rate), dtype=np.int16)]
        cursor += len(samples) / rate + int(gap * rate) / rate
    return pieces, rate, planted, filler, utterances


def _gap(gaps: str, random: np.random.Generator, fixed: float) -> float:
    return fixed if gaps == "blocks" else float(random.uniform(*BLIND_GAP_SECONDS))


def mux_over_face(speech: Path, workdir: Path) -> Path:
    """Loop the face video under the speech: one short encode, then a stream copy."""
    cycle = workdir / "face-cycle.mp4"
    scale = "scale=640:360,fps=25,format=yuv420p"
    encode = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "28"]
    subprocess.run([*FFMPEG, "-i", str(FACE_VIDEO), "-an", "-vf", scale, *encode, str(cycle)], check=True)
    video = workdir / "talk.mp4"
    inputs = ["-stream_loop", "-1", "-i", str(cycle), "-i", str(speech)]
    streams = ["-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "aac", "-shortest"]
    subprocess.run([*FFMPEG, *inputs, *streams, str(video)], check=True)
    return video


@dataclass
class Prepared:
    planted: list[Planted]
    filler: list[Planted]
    audio: np.ndarray
    transcript: Transcript
    transcribe_seconds: float | None
    media: str


def prepare(
    path: Path, talk: Talk, config: PipelineConfig, audio_only: bool, fresh: bool, gaps: str = "blocks"
) -> Prepared:
    """Build (or load from cache) the talk's media, planted spans, audio array and transcript
    (``gaps``: see :func:`speak`)."""
    from pipeline.audio import decode_audio

    # The default's key is the one its caches were built under.
    variant = b"" if gaps == "blocks" else f"{gaps}{BLIND_GAP_SECONDS}".encode()
    identity = path.read_bytes() + str(audio_only).encode() + repr(VOICES).encode() + variant
    key = hashlib.sha256(identity).hexdigest()[:12]
    workdir = OUT / f"{path.stem}-{key}"
    workdir.mkdir(parents=True, exist_ok=True)
    meta = workdir / "planted.json"
    if fresh or not meta.exists():
        speech, planted, filler = speak(talk.blocks, workdir, gaps)
        media = speech if audio_only else mux_over_face(speech, workdir)
        spans = {"planted": [p.__dict__ for p in planted], "filler": [f.__dict__ for f in filler]}
        meta.write_text(json.dumps({"media": media.name, **spans}))
    info = json.loads(meta.read_text())
    # The cache may have been built in another checkout: the media is found by its name.
    media = workdir / Path(info["media"]).name
    audio = decode_audio(media, config)
    transcript_file = workdir / "transcript.json"
    transcribe_seconds = None
    if fresh or not transcript_file.exists():
        from pipeline.transcribe import transcribe

        began = time.perf_counter()
        transcript = transcribe(audio, config, language="en")
        transcribe_seconds = time.perf_counter() - began
        transcript_file.write_text(transcript.to_json())
    transcript = Transcript.from_dict(json.loads(transcript_file.read_text()))
    return Prepared(
        [Planted(**p) for p in info["planted"]],
        [Planted(**f) for f in info["filler"]],
        audio,
        transcript,
        transcribe_seconds,
        str(media),
    )


@dataclass
class Score:
    planted: int = 0
    covered: int = 0
    clips: int = 0
    filler_edges: int = 0
    errors: list[float] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.planted += other.planted
        self.covered += other.covered
        self.clips += other.clips
        self.filler_edges += other.filler_edges
        self.errors += other.errors

    def line(self) -> str:
        error = np.mean(self.errors) if self.errors else float("nan")
        recall = self.covered / self.planted if self.planted else float("nan")
        return (f"recall@k {self.covered}/{self.planted} = {recall:.3f}, boundary error {error:.2f} s, "
                f"filler edges {self.filler_edges}/{self.clips} clips")  # fmt: skip


def evaluate(prepared: Prepared, clips: list) -> tuple[Score, list[str]]:
    """Coverage, per-edge boundary errors and filler edges of ``clips``; a line per planted moment."""
    score, lines = Score(planted=len(prepared.planted), clips=len(clips)), []
    for moment in prepared.planted:
        best = covering(moment, clips)
        if best is not None:
            score.covered += 1
            edge = [best.start - moment.start, best.end - moment.end]
            score.errors += [abs(e) for e in edge]
            lines.append(f"  found  {moment.label:<24} rank {best.rank:>2} score {best.score:>3} "
                         f"start {edge[0]:+.1f}s end {edge[1]:+.1f}s")  # fmt: skip
        else:
            lines.append(f"  MISSED {moment.label:<24} {moment.start:7.1f}-{moment.end:7.1f}s")
    for clip in clips:
        if inside_filler(clip.start, clip.end, prepared.filler):
            score.filler_edges += 1
            lines.append(f"  EDGE   #{clip.rank} [{clip.start:.1f}-{clip.end:.1f}] inside filler")
    return score, lines


def covering(moment: Planted, clips: Sequence[AnyClip]) -> AnyClip | None:
    """The clip of ``clips`` that overlaps ``moment`` most, if it covers at least half of it."""
    best, best_overlap = None, 0.0
    for clip in clips:
        overlap = max(0.0, min(clip.end, moment.end) - max(clip.start, moment.start))
        if overlap > best_overlap:
            best, best_overlap = clip, overlap
    return best if best_overlap >= 0.5 * (moment.end - moment.start) else None


def inside_filler(start: float, end: float, filler: Sequence[Planted]) -> bool:
    """Whether a clip from ``start`` to ``end`` starts or ends more than :data:`EDGE_SLACK`
    seconds inside one of the ``filler`` blocks' speech."""
    return starts_inside(start, filler) or ends_inside(end, filler)


def starts_inside(start: float, filler: Sequence[Planted]) -> bool:
    """Whether a clip starting at ``start`` leaves more than :data:`EDGE_SLACK` seconds of a filler block before it."""
    return any(f.start < start < f.end - EDGE_SLACK for f in filler)


def ends_inside(end: float, filler: Sequence[Planted]) -> bool:
    """Whether a clip ending at ``end`` carries more than :data:`EDGE_SLACK` seconds of a filler block."""
    return any(f.start + EDGE_SLACK < end < f.end for f in filler)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=(*SETS, "all"), default="all", help="which texts to run")
    parser.add_argument("--model", default="ClipBasic", help="ClipBasic (local) or ClipAnything (an LLM)")
    parser.add_argument("--audio-only", action="store_true", help="skip muxing the face video")
    parser.add_argument("--fresh", action="store_true", help="rebuild speech, video and transcripts")
    parser.add_argument("--verbose", action="store_true", help="print every clip's title and reason")
    parser.add_argument("--only", default="*", metavar="GLOB", help="run only the talks whose file name matches")
    parser.add_argument("--gaps", choices=GAPS, default="blocks",
                        help="pauses: longer at block edges (blocks) or all alike (blind)")  # fmt: skip
    args = parser.parse_args(argv)
    # Like ``python -m pipeline``, the bench is an entry point, so it reads the environment
    # (GEMINI_*/LLM_* for ``--model ClipAnything``, WHISPER_* for transcription).
    config = PipelineConfig.from_env(os.environ)
    print(f"machine: {describe()}")
    for name in SETS if args.set == "all" else (args.set,):
        run_set(name, args, config)
    return 0


def run_set(name: str, args: argparse.Namespace, config: PipelineConfig) -> None:
    print(f"== set {name}")
    totals, genres = Score(), {}
    for path in sorted((DATA / name).glob("*.txt")):
        if not fnmatch.fnmatch(path.name, args.only):
            continue
        talk = read_talk(path)
        prepared = prepare(path, talk, config, args.audio_only, args.fresh, args.gaps)
        top = len(prepared.planted)
        options = ClipOptions(model=args.model, clip_count=top)
        began = time.perf_counter()
        result = find_moments(prepared.transcript, options, config, audio=prepared.audio)
        analysis_seconds = time.perf_counter() - began
        score, lines = evaluate(prepared, result.moments[:top])
        totals.add(score)
        genres.setdefault(talk.genre, Score()).add(score)
        transcript = prepared.transcript
        timing = "" if prepared.transcribe_seconds is None else f", transcription {prepared.transcribe_seconds:.1f} s"
        size = f"{transcript.duration / 60:.1f} min, {len(transcript.sentences)} sentences"
        print(f"{talk.name} ({talk.genre}): {size}, analysis {analysis_seconds:.2f} s{timing}, {result.analyser}")
        print(f"  {score.line()}")
        print("\n".join(lines))
        if args.verbose:
            for clip in result.moments[:top]:
                span = f"[{clip.start:.1f}-{clip.end:.1f}]"
                print(f"  #{clip.rank} {clip.score} {span} {clip.scores.to_dict()} {clip.title!r}")
                print(f"      {clip.reason}")
        for warning in result.warnings:
            print(f"  warning: {warning}")
    for genre, score in sorted(genres.items()):
        print(f"{name} / {genre}: {score.line()}")
    print(f"{name} overall: {totals.line()}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
