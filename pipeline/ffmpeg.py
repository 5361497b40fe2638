"""Run ffmpeg and ffprobe safely, turning failures into readable :class:`MediaError`.

Every step that shells out to ffmpeg goes through :func:`run_ffmpeg` or
:func:`run_ffprobe` so that the same guarantees hold everywhere:

* the binaries come from ``config.ffmpeg`` / ``config.ffprobe``;
* every input is one local file whose container :func:`pipeline.container.identify`
  recognised by its bytes, read with that demuxer pinned (``-f``) and
  ``-protocol_whitelist file``: a playlist, concat script or file referring to other
  files is refused before ffmpeg starts, whatever its name, and nothing can make ffmpeg
  open a network URL. Only an input given its own ``-f`` by the caller (a generated
  one, such as ``-f lavfi -i anullsrc``) skips the check;
* ``-nostdin`` (and stdin from ``/dev/null``) stop ffmpeg from waiting on a terminal;
* input paths and :class:`pathlib.Path` arguments are made absolute, so a colon in a
  file name (``clip:1.mp4``) is never read as a protocol prefix;
* a non-zero exit becomes :class:`MediaError` with a plain message for users; the last
  lines of ffmpeg's stderr (which name server paths and ffmpeg internals) go to the log
  and to the error's ``detail``. A missing binary becomes :class:`ConfigError` naming
  the setting to fix.

Example::

    from pipeline.ffmpeg import run_ffmpeg, run_ffprobe

    run_ffmpeg(["-i", source, "-vn", "-ac", "1", "-ar", "16000", wav], config,
               what="extract the audio", duration=info.duration, progress=progress)
    data = run_ffprobe(source, config, ["-show_streams"])  # parsed JSON
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.config import PipelineConfig
from pipeline.container import identify
from pipeline.errors import ConfigError, MediaError
from pipeline.types import ProgressFn

logger = logging.getLogger(__name__)

# How much of ffmpeg's stderr is logged with a failure: enough to show the real cause
# (usually the last line or two) without pasting a whole log.
STDERR_TAIL_LINES = 6
STDERR_TAIL_CHARS = 600

Arg = str | os.PathLike[str] | int | float


def run_ffmpeg(
    args: Sequence[Arg],
    config: PipelineConfig,
    *,
    what: str = "process the media",
    duration: float | None = None,
    progress: ProgressFn | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``ffmpeg`` with ``args`` after the safe global flags and return the finished process.

    ``args`` is everything after the binary name, e.g. ``["-i", src, "-c", "copy", dst]``;
    each ``-i`` input is pinned as the module docstring says, and ``-y`` is added so an
    existing output is overwritten. ``what`` completes the sentence "Could not ...", and
    is used in the error message.

    With ``progress`` and a positive ``duration`` (seconds of output expected), ffmpeg's
    ``-progress`` reports are turned into fractions in [0, 1]; stdout then carries those
    reports, so the output must be a file, not ``pipe:1``. Without ``progress`` the
    returned process has ffmpeg's stdout in ``stdout`` (for ``pipe:1`` outputs).

    Raises :class:`~pipeline.errors.UnsupportedMediaError` for an input that is not a
    self-contained media file, :class:`MediaError` on a non-zero exit or when ``timeout``
    seconds pass, and :class:`ConfigError` when ``config.ffmpeg`` is not an executable.
    """
    command = [config.ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    track = progress is not None and duration is not None and duration > 0
    if track:
        command += ["-progress", "pipe:1", "-nostats"]
    command += _pin_inputs(args, config.ffmpeg_decode_threads)
    if not track:
        return _run(command, "ffmpeg", "FFMPEG_BINARY", what, timeout)
    return _run_with_progress(command, what, duration or 0.0, progress or _ignore, timeout)


def run_ffprobe(
    path: str | os.PathLike[str],
    config: PipelineConfig,
    args: Sequence[Arg] = ("-show_format", "-show_streams"),
    *,
    what: str = "read the media file",
    timeout: float | None = 120,
) -> dict[str, Any]:
    """Run ``ffprobe`` on the local file ``path`` and return its JSON output as a dict.

    ``args`` selects what to show (default: format and streams). The file is pinned
    like every ``run_ffmpeg`` input. Raises :class:`MediaError` when ffprobe fails or
    prints something that is not JSON (ffprobe's own complaint is in ``detail``).
    """
    command = [config.ffprobe, "-hide_banner", "-v", "error", "-of", "json", *map(_arg, args)]
    command += _pin_inputs(["-i", Path(path)])
    result = _run(command, "ffprobe", "FFPROBE_BINARY", what, timeout)
    try:
        data = json.loads(result.stdout or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise MediaError(f"Could not {what}: the media reader gave an unexpected answer.")
    return data


def stderr_tail(stderr: bytes | str | None) -> str:
    """The last few non-empty lines of a process's stderr, joined by `` / `` and shortened."""
    if not stderr:
        return ""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    tail = " / ".join(lines[-STDERR_TAIL_LINES:])
    if len(tail) > STDERR_TAIL_CHARS:
        tail = "..." + tail[-STDERR_TAIL_CHARS:]
    return tail


def _arg(value: Arg) -> str:
    if isinstance(value, os.PathLike):
        return os.path.abspath(os.fspath(value))
    return str(value)


def _pin_inputs(args: Sequence[Arg], decode_threads: int = 0) -> list[str]:
    """``args`` with every ``-i`` input read by the demuxer its bytes call for, from one file.

    An input preceded by its own ``-f`` is the caller's (a generated source) and only
    gets ``-protocol_whitelist file``; any other is made an absolute path, checked by
    :func:`pipeline.container.identify` and pinned with ``-f``. A positive
    ``decode_threads`` (``config.ffmpeg_decode_threads``) is every input's decoder threads.
    """
    threads = ["-threads", str(decode_threads)] if decode_threads > 0 else []
    out: list[str] = []
    format_given = False
    values = iter(args)
    for value in values:
        text = _arg(value)
        if text != "-i":
            format_given = format_given or text == "-f"
            out.append(text)
            continue
        source = _arg(next(values, ""))
        if format_given:
            out += [*threads, "-protocol_whitelist", "file", "-i", source]
        else:
            path = os.path.abspath(source)
            out += [*threads, "-f", identify(path), "-protocol_whitelist", "file", "-i", path]
        format_given = False
    return out


def _ignore(fraction: float, message: str = "") -> None:
    """Stands in for a missing progress callback."""


def _failure(tool: str, what: str, stderr: bytes | str | None, returncode: int) -> MediaError:
    tail = stderr_tail(stderr) or f"exit status {returncode}"
    logger.warning("%s could not %s: %s", tool, what, tail)
    return MediaError(
        f"Could not {what}: the file may be damaged, incomplete or in a format Clipsite cannot read.",
        detail=tail,
    )


def _missing(tool: str, setting: str, binary: str) -> ConfigError:
    return ConfigError(f"The {tool} program {binary!r} was not found; install {tool} or set {setting}.")


def _run(
    command: list[str], tool: str, setting: str, what: str, timeout: float | None
) -> subprocess.CompletedProcess[bytes]:
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise _missing(tool, setting, command[0]) from None
    with process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise MediaError(f"Could not {what}: it took longer than {timeout:g} seconds.") from None
    if process.returncode != 0:
        raise _failure(tool, what, stderr, process.returncode)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _run_with_progress(
    command: list[str], what: str, duration: float, progress: ProgressFn, timeout: float | None
) -> subprocess.CompletedProcess[bytes]:
    # stderr goes to a temporary file rather than a pipe: ffmpeg can write a lot of it
    # while we block reading progress lines from stdout, and a full pipe would deadlock.
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors
            )
        except FileNotFoundError:
            raise _missing("ffmpeg", "FFMPEG_BINARY", command[0]) from None
        # Reading stdout blocks until ffmpeg writes, so the time limit is enforced by a
        # timer that kills the process rather than by a timeout on the read.
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            process.kill()

        killer = threading.Timer(timeout, kill) if timeout else None
        if killer:
            killer.start()
        try:
            with process:
                assert process.stdout is not None
                for line in process.stdout:
                    seconds = _progress_seconds(line)
                    if seconds is not None:
                        progress(min(1.0, seconds / duration), what)
        finally:
            if killer:
                killer.cancel()
        errors.seek(0)
        stderr = errors.read()
    if timed_out.is_set():
        raise MediaError(f"Could not {what}: it took longer than {timeout:g} seconds.")
    if process.returncode != 0:
        raise _failure("ffmpeg", what, stderr, process.returncode)
    progress(1.0, what)
    return subprocess.CompletedProcess(command, process.returncode, b"", stderr)


def _progress_seconds(line: bytes) -> float | None:
    """Seconds of output written, from one ``-progress`` line such as ``out_time_us=1500000``."""
    key, _, value = line.decode("ascii", "replace").strip().partition("=")
    if key not in ("out_time_us", "out_time_ms"):  # both are microseconds, despite the name
        return None
    try:
        return int(value) / 1_000_000
    except ValueError:
        return None  # ffmpeg prints "N/A" before the first frame is written
