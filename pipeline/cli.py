"""The engine's command line: ``python -m pipeline COMMAND SOURCE [options]``.

Each command lives in the module that implements its step and exposes two functions:
``add_arguments(parser)`` and ``run_cli(args, config, progress)``, which returns a
:class:`~pipeline.types.JsonMixin`, a dict or a list. This module owns what they share:
the progress bar on stderr, the JSON on stdout and the one-line error with a non-zero
exit status for a refused source.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.config import PipelineConfig
from pipeline.errors import PipelineError

# command name -> (module implementing it, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "probe": ("pipeline.probe", "validate a media file and print its MediaInfo"),
    "transcribe": ("pipeline.transcribe", "transcribe speech with word timings and sentences"),
    "scenes": ("pipeline.scenes", "detect hard scene cuts"),
    "moments": ("pipeline.moments.cli", "find and rank the moments worth clipping"),
    "clip": ("pipeline.clip", "run the whole engine and render clips into a folder"),
}

EXIT_REFUSED = 2


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """Build the parser; only the command named in ``argv`` has its module imported.

    Importing one step's module (and its heavy libraries) only when that step runs keeps
    ``python -m pipeline probe`` from paying for Whisper or OpenCV.
    """
    parser = argparse.ArgumentParser(prog="python -m pipeline", description="Clipsite's media and AI engine.")
    parser.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = next((arg for arg in argv if arg in COMMANDS), None)
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            _load(module_name).add_arguments(command)
    return parser


def _load(module_name: str) -> Any:
    return importlib.import_module(module_name)


class _ProgressBar:
    """A tqdm bar on stderr driven by the [0, 1] progress callback."""

    def __init__(self, enabled: bool):
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=1000, file=sys.stderr, bar_format="{l_bar}{bar}| {elapsed}<{remaining}")

    def __call__(self, fraction: float, message: str = "") -> None:
        if self._bar is None:
            return
        target = int(min(1.0, max(0.0, fraction)) * 1000)
        if message:
            self._bar.set_description_str(message[:40], refresh=False)
        self._bar.update(max(0, target - self._bar.n))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def main(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    bar = _ProgressBar(enabled=not args.quiet)
    try:
        config = PipelineConfig.from_env(environ)
        result = _load(COMMANDS[args.command][0]).run_cli(args, config, bar)
    except PipelineError as exc:
        bar.close()
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        bar.close()
        print("error: interrupted", file=sys.stderr)
        return 130
    bar.close()
    json.dump(_plain(result), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _plain(result: Any) -> Any:
    if hasattr(result, "to_dict"):
        return result.to_dict()
    if isinstance(result, list):
        return [_plain(item) for item in result]
    return result
