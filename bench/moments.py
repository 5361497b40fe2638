"""Development benchmark for moment finding: do planted moments come out on top?

Each talk in ``bench/data/moments/*.txt`` is a run of blocks, "filler" (greetings,
logistics, sponsor reads, rambling) and "planted" (self-contained strong moments). The
blocks are spoken with espeak-ng, joined, muxed over a real face video from the shared
corpus, decoded and transcribed with the real :func:`pipeline.transcribe.transcribe`,
and handed to :func:`pipeline.moments.find_moments`. Reported per talk and overall:

* recall: planted moments covered by one of the top 8 clips (a clip covers a moment
  when it overlaps at least half of it);
* boundary error: mean of |clip start - planted start| and |clip end - planted end| in
  seconds over the covered moments, with the best-overlapping clip;
* analysis time (transcription excluded).

Usage: ``.venv/bin/python -m bench.moments [--model ClipBasic] [--audio-only] [--fresh]``.
Speech, video and transcripts are cached in ``bench/out/moments`` keyed by the text.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.machine import describe
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions, find_moments
from pipeline.types import Transcript

DATA = Path(__file__).parent / "data" / "moments"
OUT = Path(__file__).parent / "out" / "moments"
FACE_VIDEO = Path(__file__).resolve().parents[1].parent / "shared" / "media" / "vid_face_landscape_liveportrait_s18.mp4"
TOP = 8
BLOCK_GAP_SECONDS = 0.5
ESPEAK = ("espeak-ng", "-v", "en-us", "-s", "165")
FFMPEG = ("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y")


@dataclass
class Block:
    kind: str
    label: str
    text: str


@dataclass
class Planted:
    label: str
    start: float
    end: float


def read_talk(path: Path) -> list[Block]:
    blocks: list[Block] = []
    for line in path.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("== "):
            kind, _, label = line[3:].partition(" ")
            blocks.append(Block(kind, label or kind, ""))
        else:
            blocks[-1].text = f"{blocks[-1].text} {line.strip()}".strip()
    return blocks


def speak(blocks: list[Block], workdir: Path) -> tuple[Path, list[Planted]]:
    """Speak every block, join them with short gaps; return the WAV and planted speech spans."""
    pieces, planted, cursor, rate = [], [], 0.0, 0
    for number, block in enumerate(blocks):
        target = workdir / f"block{number:02d}.wav"
        subprocess.run([*ESPEAK, "-w", str(target), block.text], check=True)
        with wave.open(str(target)) as handle:
            rate = handle.getframerate()
            samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16)
        if block.kind == "planted":
            voiced = np.flatnonzero(np.abs(samples) > 300)
            planted.append(Planted(block.label, cursor + voiced[0] / rate, cursor + voiced[-1] / rate))
        pieces += [samples, np.zeros(int(BLOCK_GAP_SECONDS * rate), dtype=np.int16)]
        cursor += len(samples) / rate + BLOCK_GAP_SECONDS
    speech = workdir / "speech.wav"
    with wave.open(str(speech), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(np.concatenate(pieces).tobytes())
    return speech, planted


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


def prepare(path: Path, config: PipelineConfig, audio_only: bool, fresh: bool):
    """Build (or load from cache) the talk's media, planted spans, audio array and transcript."""
    from pipeline.audio import decode_audio

    blocks = read_talk(path)
    key = hashlib.sha256(path.read_bytes() + str(audio_only).encode()).hexdigest()[:12]
    workdir = OUT / f"{path.stem}-{key}"
    workdir.mkdir(parents=True, exist_ok=True)
    meta = workdir / "planted.json"
    if fresh or not meta.exists():
        speech, planted = speak(blocks, workdir)
        media = speech if audio_only else mux_over_face(speech, workdir)
        meta.write_text(json.dumps({"media": str(media), "planted": [p.__dict__ for p in planted]}))
    info = json.loads(meta.read_text())
    audio = decode_audio(Path(info["media"]), config)
    transcript_file = workdir / "transcript.json"
    transcribe_seconds = None
    if fresh or not transcript_file.exists():
        from pipeline.transcribe import transcribe

        began = time.perf_counter()
        transcript = transcribe(audio, config, language="en")
        transcribe_seconds = time.perf_counter() - began
        transcript_file.write_text(transcript.to_json())
    transcript = Transcript.from_dict(json.loads(transcript_file.read_text()))
    return [Planted(**p) for p in info["planted"]], audio, transcript, transcribe_seconds, info["media"]


def evaluate(planted: list[Planted], clips: list) -> tuple[int, list[float], list[str]]:
    """Covered count, per-edge boundary errors and a line per planted moment."""
    covered, errors, lines = 0, [], []
    for moment in planted:
        length = moment.end - moment.start
        best, best_overlap = None, 0.0
        for clip in clips:
            overlap = max(0.0, min(clip.end, moment.end) - max(clip.start, moment.start))
            if overlap > best_overlap:
                best, best_overlap = clip, overlap
        if best is not None and best_overlap >= 0.5 * length:
            covered += 1
            edge = [abs(best.start - moment.start), abs(best.end - moment.end)]
            errors += edge
            lines.append(f"  found  {moment.label:<22} rank {best.rank:>2} score {best.score:>3} "
                         f"start {edge[0]:+.1f}s end {edge[1]:+.1f}s")  # fmt: skip
        else:
            lines.append(f"  MISSED {moment.label:<22} {moment.start:7.1f}-{moment.end:7.1f}s")
    return covered, errors, lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="ClipBasic", help="ClipBasic (local) or ClipAnything (Gemini)")
    parser.add_argument("--audio-only", action="store_true", help="skip muxing the face video")
    parser.add_argument("--fresh", action="store_true", help="rebuild speech, video and transcripts")
    parser.add_argument("--verbose", action="store_true", help="print every clip's title and reason")
    args = parser.parse_args(argv)
    # Like ``python -m pipeline``, the bench is an entry point, so it reads the environment
    # (GEMINI_API_KEY and GEMINI_MODEL for ``--model ClipAnything``, WHISPER_* for transcription).
    config = PipelineConfig.from_env(os.environ)
    print(f"machine: {describe()}")
    total_planted = total_covered = 0
    all_errors: list[float] = []
    for path in sorted(DATA.glob("*.txt")):
        planted, audio, transcript, transcribe_seconds, media = prepare(path, config, args.audio_only, args.fresh)
        options = ClipOptions(model=args.model, clip_count=TOP)
        began = time.perf_counter()
        result = find_moments(transcript, options, config, audio=audio)
        analysis_seconds = time.perf_counter() - began
        covered, errors, lines = evaluate(planted, result.moments[:TOP])
        total_planted += len(planted)
        total_covered += covered
        all_errors += errors
        timing = f", transcription {transcribe_seconds:.1f} s" if transcribe_seconds is not None else ""
        size = f"{transcript.duration / 60:.1f} min {Path(media).name}, {len(transcript.sentences)} sentences"
        print(f"{path.stem}: {size}, analysis {analysis_seconds:.2f} s{timing}")
        error = np.mean(errors) if errors else float("nan")
        print(f"  recall {covered}/{len(planted)} in top {TOP}, boundary error {error:.2f} s, {result.analyser}")
        print("\n".join(lines))
        if args.verbose:
            for clip in result.moments[:TOP]:
                span = f"[{clip.start:.1f}-{clip.end:.1f}]"
                print(f"  #{clip.rank} {clip.score} {span} {clip.scores.to_dict()} {clip.title!r}")
                print(f"      {clip.reason}")
        for warning in result.warnings:
            print(f"  warning: {warning}")
    mean_error = np.mean(all_errors) if all_errors else float("nan")
    print(f"overall: recall {total_covered}/{total_planted} planted moments in the top {TOP}, "
          f"mean boundary error {mean_error:.2f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
