"""What a command shows: JSON on stdout for scripts, or text, tables and bars for people.

Results go to stdout; progress bars and notes go to stderr, so ``clipsite ... > file``
keeps only the result. With ``--json`` stdout holds exactly one JSON document (the
result, or ``{"error", "detail", "exitCode"}``) and nothing else is drawn: the bars are
disabled, notes are dropped. Text from the server (titles, messages) is never read as
rich markup, and its control characters are replaced (:func:`printable`): a video's title
may be anyone's, and an escape sequence in it must not reach the terminal.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from rich.text import Text

# C0 controls but tab and newline, DEL, and C1 controls (ESC's 8-bit forms).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character that could steer a terminal replaced by U+FFFD."""
    return _CONTROL.sub("\ufffd", text)


class Output:
    def __init__(self, json_mode: bool):
        self.json = json_mode
        self.out = Console(highlight=False)
        self.err = Console(stderr=True, highlight=False)

    def emit(self, data: Any) -> None:
        """Print ``data`` as the command's JSON result (``--json`` only)."""
        if self.json:
            click.echo(json.dumps(data, indent=2, ensure_ascii=False))

    def line(self, text: str = "") -> None:
        """A line of the human-readable result on stdout (nothing with ``--json``)."""
        if not self.json:
            self.out.print(printable(text), markup=False, soft_wrap=True)

    def note(self, text: str) -> None:
        """A remark about the work in progress on stderr (nothing with ``--json``)."""
        if not self.json:
            self.err.print(printable(text), markup=False, soft_wrap=True)

    def table(self, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
        if self.json:
            return
        table = Table(*columns, box=None, header_style="bold", pad_edge=False)
        for row in rows:
            table.add_row(*(Text(printable("" if cell is None else str(cell))) for cell in row))
        self.out.print(table)

    def transfer(self) -> Progress:
        """Bars of bytes sent or received, one task per file."""
        return Progress(
            TextColumn("{task.description}", markup=False), BarColumn(), TaskProgressColumn(), DownloadColumn(),
            TransferSpeedColumn(), TimeRemainingColumn(), console=self.err, disable=self.json,
        )  # fmt: skip

    def stages(self) -> Progress:
        """A bar of a video's progress (0-100) with its stage as the description."""
        return Progress(
            TextColumn("{task.description:<16}", markup=False), BarColumn(), TaskProgressColumn(),
            TimeElapsedColumn(), console=self.err, disable=self.json,
        )  # fmt: skip

    def spinner(self) -> Progress:
        """A spinner for work that reports no percentage (a clip's render); gone once it stops,
        and never drawn where stderr is not a terminal."""
        return Progress(
            SpinnerColumn(), TextColumn("{task.description}", markup=False), TimeElapsedColumn(),
            console=self.err, disable=self.json or not self.err.is_interactive, transient=True,
        )  # fmt: skip


def size_text(size: int | None) -> str:
    """Bytes as people read them: ``812 B``, ``3.4 MB``."""
    if size is None:
        return "?"
    if size < 1000:
        return f"{size} B"
    units = ("KB", "MB", "GB", "TB")
    exponent = min(len(units), int(math.log10(size)) // 3)
    return f"{size / 1000**exponent:.1f} {units[exponent - 1]}"
