"""Spanish transcription with the multilingual model: ``python -m bench.multilingual [--model base]``.

Transcribes ``es_librivox_prose.mp3`` (70 s of read Spanish, the dedication of Alarcón's
*El Capitán Veneno*) with language detection, and prints the detected language, the
word error rate against ``bench/data/es_librivox_prose.txt`` (the text as read: "D."
spoken as "don") and the time, decoding the file not counted, the model load apart.
``base`` must be installed first (``make multilingual``). Speed against tiny.en on
English speech: ``python -m bench.transcribe --model base``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.machine import describe
from bench.transcribe import word_error_rate
from pipeline.audio import decode_audio, duration_of
from pipeline.config import PipelineConfig
from pipeline.transcribe import load_model, resolve_device, resolve_threads, transcribe
from tests.media import SHARED_MEDIA

SPANISH_FILE = "es_librivox_prose.mp3"
SPANISH_REFERENCE = Path(__file__).parent / "data" / "es_librivox_prose.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="base", help="model directory or name (default: base)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    args = parser.parse_args()
    config = PipelineConfig(whisper_model=args.model, whisper_device=args.device)
    device, compute_type = resolve_device(config)

    began = time.perf_counter()
    load_model(config)
    load_seconds = time.perf_counter() - began
    audio = decode_audio(SHARED_MEDIA / SPANISH_FILE, config)
    began, cpu_began = time.perf_counter(), time.process_time()
    transcript = transcribe(audio, config)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    seconds = duration_of(audio)

    print(f"machine:        {describe()}")
    print(f"model:          {transcript.model}; {device}, {compute_type}, threads {resolve_threads(config)}")
    print(f"model load:     {load_seconds:.2f} s")
    print(f"audio:          {seconds:.1f} s of {SPANISH_FILE}")
    print(f"wall:           {wall:.2f} s ({seconds / wall:.1f}x real time), CPU {cpu:.2f} s")
    print(f"language:       {transcript.language or '?'}")
    print(f"WER:            {word_error_rate(SPANISH_REFERENCE.read_text(), transcript.text):.1%}")
    print(f"heard:          {transcript.text}")


if __name__ == "__main__":
    main()
