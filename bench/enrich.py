"""What a hook enrichment costs: bytes fetched and seconds, against its floor and a full transcript.

A 10-minute talk (real speech from ``shared/media``) is served by a local HTTP server as
YouTube serves sound: an audio-only, fragmented M4A (AAC 128 kb/s, DASH-style). The
enrichment fetches a prefix of it by Range requests and transcribes the first
``--hook`` seconds. The floor is the transcription alone of the same seconds decoded
from the local file; ``full`` is the whole file fetched and transcribed.

    .venv/bin/python -m bench.enrich [--minutes 10] [--hook 30]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
import time
from pathlib import Path

from bench.machine import describe
from pipeline.audio import decode_audio
from pipeline.config import PipelineConfig
from pipeline.transcribe import load_model, transcribe
from pipeline.trends.enrich import hook_transcript
from pipeline.trends.platforms import MediaFormat, PlatformVideo, get_provider
from tests.media import build_speech_audio
from tests.pipeline.http_server import LocalHTTPServer

RANGE = re.compile(r"bytes=(\d+)-(\d*)")


def dash_m4a(seconds: float, out: Path) -> Path:
    """The speech as a fragmented AAC M4A, the shape of YouTube's audio-only format 140."""
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-protocol_whitelist", "file",
         "-i", str(build_speech_audio(seconds)), "-c:a", "aac", "-b:a", "128k", "-ar", "44100",
         "-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-frag_duration", "10000000", str(out)],
        check=True,
    )  # fmt: skip
    return out


def fetched_bytes(server: LocalHTTPServer, size: int) -> int:
    total = 0
    for hit in server.hits:
        match = RANGE.fullmatch(hit.headers.get("Range", ""))
        start, end = (int(match.group(1)), int(match.group(2) or size - 1)) if match else (0, size - 1)
        total += min(end, size - 1) - start + 1
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--hook", type=float, default=30)
    args = parser.parse_args()
    config = PipelineConfig().replace(allow_private_urls=True)
    load_model(config)  # loaded once, outside every timing
    print(describe())
    with tempfile.TemporaryDirectory() as scratch, LocalHTTPServer() as server:
        sound = dash_m4a(args.minutes * 60, Path(scratch) / "talk.m4a")
        size = sound.stat().st_size
        url = server.add_file("/videoplayback", sound, content_type="audio/mp4")
        audio = MediaFormat(url=url, ext="m4a", headers={}, bitrate_kbps=128, filesize=size)
        video = PlatformVideo(platform="youtube", video_id="benchbench1", url="https://youtu.be/benchbench1",
                              duration_sec=args.minutes * 60, audio=audio)  # fmt: skip
        provider = get_provider("youtube", config, pace=lambda platform: None)
        print(f"source: {args.minutes:g} min of speech, {size / 1e6:.1f} MB audio-only fragmented M4A")

        started = time.perf_counter()
        transcribe(decode_audio(sound, config, end=args.hook), config)
        floor = time.perf_counter() - started
        print(f"floor: transcribe the first {args.hook:g} s from disk       {floor:6.2f} s")

        for full in (False, True):
            server.hits.clear()
            started = time.perf_counter()
            text, kind, _ = hook_transcript(provider, video, config, Path(scratch) / "work", hook_seconds=args.hook,
                                            full=full)  # fmt: skip
            took = time.perf_counter() - started
            got = fetched_bytes(server, size)
            print(f"{kind:>4}: {len(server.hits)} range requests, {got / 1e6:6.2f} MB ({got / size:6.1%} of the file), "
                  f"{took:6.2f} s ({took / floor:.2f}x the floor), {len(text.split())} words")  # fmt: skip


if __name__ == "__main__":
    main()
