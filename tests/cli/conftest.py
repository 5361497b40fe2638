"""Running ``clipsite`` against the test's live server: the real executable
(``.venv/bin/clipsite``, which ``make setup`` writes) in a subprocess, or, where many
runs would each pay for starting Python, its entry point :func:`clipsite_cli.main.main`
in this process (the live server is a thread of it).

Each run gets a private HOME and config file, and only the server settings the test
passes: nothing from the developer's own ``~/.config/clipsite`` or environment leaks in.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_started

from clipsite_cli.main import main
from tests.media import REPO_ROOT

CLIPSITE = REPO_ROOT / ".venv" / "bin" / "clipsite"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def clipsite(cli_home: Path):
    """``clipsite(*args, url=..., key=..., env=..., cwd=...)`` runs the executable and returns a :class:`Run`."""

    def run(*args: str, url: str | None = None, key: str | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None, timeout: float = 120) -> Run:  # fmt: skip
        environment = {name: value for name, value in os.environ.items() if not name.startswith("CLIPSITE_")}
        environment.update({"HOME": str(cli_home), "CLIPSITE_CONFIG": str(cli_home / "config.toml"), "COLUMNS": "160"})
        if url is not None:
            environment["CLIPSITE_URL"] = url
        if key is not None:
            environment["CLIPSITE_API_KEY"] = key
        environment.update(env or {})
        done = subprocess.run(
            [str(CLIPSITE), *args], capture_output=True, text=True, timeout=timeout, env=environment,
            cwd=cwd or cli_home,
        )  # fmt: skip
        assert "Traceback" not in done.stderr, done.stderr
        return Run(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def cli(cli_home: Path, monkeypatch, capsys):
    """``cli(*args, url=..., key=...)``: :func:`main` in this process, with the environment
    :func:`clipsite` gives the executable; returns a :class:`Run`."""

    def run(*args: str, url: str | None = None, key: str | None = None) -> Run:
        for name in [name for name in os.environ if name.startswith("CLIPSITE_")]:
            monkeypatch.delenv(name)
        for name, value in {"HOME": str(cli_home), "CLIPSITE_CONFIG": str(cli_home / "config.toml"),
                            "COLUMNS": "160", "CLIPSITE_URL": url, "CLIPSITE_API_KEY": key}.items():  # fmt: skip
            if value is not None:
                monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def served():
    """The (path, Range header) of every request the live server (a thread of this process) receives."""
    seen: list[tuple[str, str | None]] = []

    def record(sender, environ, **kwargs):
        seen.append((environ["PATH_INFO"], environ.get("HTTP_RANGE")))

    request_started.connect(record, weak=False)
    yield seen
    request_started.disconnect(record)


def media_requests(seen: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    return [(path, byte_range) for path, byte_range in seen if path.startswith("/media/signed/")]
