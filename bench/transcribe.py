"""Transcription speed and accuracy: ``python -m bench.transcribe [--device cuda] [--minutes 10]``.

Speed: real-time factor (audio seconds per wall second, word timings included) on a
talk built by ``tests.media.build_speech_audio``; decoding the file is not counted, the
model load is reported separately. Accuracy: word error rate on the LJ Speech clips
LJ028-0030..0039 (``en_ljspeech_linda_johnson_02.mp3``) against
``bench/data/ljspeech_lj028_0030_0039.txt``, and on JFK's inaugural sentence.
No Django involved; figures are printed with the machine they were measured on.

On a machine without ffmpeg (a lent GPU machine), ``--audio speech.npy`` gives the speed
input as 16 kHz int16 samples, repeated to ``--minutes``, and ``--speed-only`` skips the
accuracy files (see docs/benchmarks.md for the GPU run). ``--holes N`` then times the skip
guard alone on the speed input's holes, N interleaved pairs: the holes decoded one at a
time by the model itself, and side by side by :func:`pipeline.transcribe.whisper_decoders`;
``--parts N`` times the batched pass and the skip guard together, N interleaved pairs: the
source in one pass, and in parts side by side as :func:`pipeline.transcribe.transcribe` runs it.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import re
import resource
import time
from pathlib import Path

import numpy as np

from bench.machine import describe
from pipeline import transcribe as engine
from pipeline.audio import SAMPLE_RATE, decode_audio, duration_of
from pipeline.config import PipelineConfig
from pipeline.transcribe import Decoders, load_model, resolve_device, resolve_threads, transcribe, whisper_decoders

LJSPEECH_FILE = "en_ljspeech_linda_johnson_02.mp3"
LJSPEECH_REFERENCE = Path(__file__).parent / "data" / "ljspeech_lj028_0030_0039.txt"
SPEECH_EXPORT = Path(__file__).parent / "out" / "speech.npy"
JFK_FILE = "en_jfk_inaugural_1961.flac"
JFK_REFERENCE = (
    "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."
)


def normalise(text: str) -> str:
    """Lower-case, punctuation removed (apostrophes dropped, other marks become spaces)."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def word_error_rate(reference: str, hypothesis: str) -> float:
    """WER of ``hypothesis`` against ``reference`` after :func:`normalise` on both."""
    import jiwer

    return float(jiwer.wer(normalise(reference), normalise(hypothesis)))


def speed_input(minutes: float, samples: Path | None, config: PipelineConfig) -> np.ndarray:
    """``minutes`` of talk as float32 at 16 kHz: the built talk, or ``samples`` (int16) repeated."""
    if samples is None:
        from tests.media import build_speech_audio

        return decode_audio(build_speech_audio(minutes * 60), config)
    pcm = np.load(samples).astype(np.float32) / 32768
    return np.resize(pcm, round(minutes * 60 * SAMPLE_RATE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the speed input")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: the config's)")
    parser.add_argument("--batch-size", type=int, default=None, help="batch size (default: the config's)")
    parser.add_argument("--model", default=None, help="model directory or local name (default: tiny.en)")
    parser.add_argument("--audio", type=Path, default=None, help="speed input: 16 kHz int16 samples (.npy)")
    parser.add_argument("--speed-only", action="store_true", help="skip the accuracy files")
    parser.add_argument("--export", action="store_true", help=f"write 100 s of the talk to {SPEECH_EXPORT}")
    parser.add_argument("--holes", type=int, default=0, metavar="N", help="time the skip guard alone, N pairs")
    parser.add_argument("--parts", type=int, default=0, metavar="N",
                        help="time the batched pass and skip guard in one pass and in parts, N pairs")  # fmt: skip
    args = parser.parse_args()
    if args.export:
        SPEECH_EXPORT.parent.mkdir(exist_ok=True)
        audio = speed_input(100 / 60, None, PipelineConfig())
        np.save(SPEECH_EXPORT, (np.clip(audio, -1, 1) * 32767).astype(np.int16))
        return

    config = PipelineConfig(whisper_device=args.device)
    overrides = {"whisper_threads": args.threads, "whisper_batch_size": args.batch_size,
                 "whisper_model": args.model}  # fmt: skip
    config = config.replace(**{k: v for k, v in overrides.items() if v is not None})
    device, compute_type = resolve_device(config)

    began = time.perf_counter()
    load_model(config)
    load_seconds = time.perf_counter() - began

    audio = speed_input(args.minutes, args.audio, config)
    batched: dict = {}
    fill_holes = engine._fill_holes
    if args.holes:
        engine._fill_holes = functools.partial(_keep_batched_words, fill_holes, batched)
    load_before = os.getloadavg()[0]
    began, cpu_began = time.perf_counter(), time.process_time()
    transcript = transcribe(audio, config)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    load_after = os.getloadavg()[0]
    seconds = duration_of(audio)

    accuracy = {}
    for name, reference in () if args.speed_only else ((LJSPEECH_FILE, LJSPEECH_REFERENCE.read_text()),
                                                       (JFK_FILE, JFK_REFERENCE)):  # fmt: skip
        from tests.media import SHARED_MEDIA

        heard = transcribe(decode_audio(SHARED_MEDIA / name, config), config)
        accuracy[name] = word_error_rate(reference, heard.text)

    print(f"machine:        {describe()}")
    print(f"model:          {transcript.model} ({config.whisper_model})")
    threads = resolve_threads(config)
    print(f"device:         {device}, compute type {compute_type}, threads {threads}, "
          f"batch size {config.whisper_batch_size}")  # fmt: skip
    print(f"model load:     {load_seconds:.2f} s")
    print(f"audio:          {seconds:.1f} s")
    print(f"wall:           {wall:.2f} s")
    print(f"speed:          {seconds / wall:.1f}x real time")
    # On a shared machine wall time depends on what else runs; CPU time (all threads of
    # this process) much less so, hence both, with the load average around the run.
    print(f"CPU time:       {cpu:.2f} s ({seconds / cpu:.1f} audio seconds per CPU second)")
    print(f"load average:   {load_before:.2f} before, {load_after:.2f} after (1 min)")
    print(f"words:          {len(transcript.words)} in {len(transcript.sentences)} sentences")
    print(f"peak memory:    {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB (this process)")
    for name, wer in accuracy.items():
        print(f"WER {name}: {wer:.1%}")
    if args.holes:
        time_holes(fill_holes, config, audio, batched, args.holes)
    if args.parts:
        time_parts(fill_holes, config, audio, args.parts)


def _keep_batched_words(fill_holes, batched: dict, decoder, audio, words, language):
    """``fill_holes`` with its input, the batched pass's words, kept in ``batched``."""
    batched.update(words=list(words), language=language)
    return fill_holes(decoder, audio, words, language)


def time_holes(fill_holes, config: PipelineConfig, audio: np.ndarray, batched: dict, pairs: int) -> None:
    """The skip guard (``fill_holes``) alone on the batched pass's holes, one at a time and side by side."""
    words, language = batched["words"], batched["language"]
    decoders = {"one at a time": Decoders(load_model(config)), "side by side": whisper_decoders(config)}
    times: dict[str, list[float]] = {name: [] for name in decoders}
    found = {}
    for _ in range(pairs):
        for name, decoder in decoders.items():
            began = time.perf_counter()
            found[name] = fill_holes(decoder, audio, words, language)
            times[name].append(time.perf_counter() - began)
    same = [w[0] for w in found["one at a time"]] == [w[0] for w in found["side by side"]]
    print(f"skip guard:     {len(found['one at a time']) - len(words)} words recovered; "
          f"the same words both ways: {'yes' if same else 'NO'}")  # fmt: skip
    for name, seconds in times.items():
        print(f"  {name:<13} {' '.join(f'{s:.1f}' for s in seconds)} s (mean {np.mean(seconds):.1f} s)")


def time_parts(fill_holes, config: PipelineConfig, audio: np.ndarray, pairs: int) -> None:
    """The batched pass and the skip guard (``fill_holes``) over the speed input, in one pass
    and in parts side by side (:meth:`pipeline.transcribe.Decoders.batched`), interleaved."""
    decoders = whisper_decoders(config)
    ways = {"one pass": dataclasses.replace(decoders, min_part_seconds=0.0), "in parts": decoders}
    times: dict[str, list[float]] = {name: [] for name in ways}
    counts: dict[str, int] = {}
    for _ in range(pairs):
        for name, way in ways.items():
            began = time.perf_counter()
            words, language = way.batched(audio, None, config.whisper_batch_size)
            counts[name] = len(fill_holes(way, audio, words, language))
            times[name].append(time.perf_counter() - began)
    print(f"parts:          {decoders.workers * decoders.parts_per_worker if decoders.side_by_side else 1} "
          f"at most, {decoders.workers} side by side")  # fmt: skip
    for name, seconds in times.items():
        print(f"  {name:<9} {' '.join(f'{s:.1f}' for s in seconds)} s (mean {np.mean(seconds):.1f} s), "
              f"{counts[name]} words")  # fmt: skip


if __name__ == "__main__":
    main()
