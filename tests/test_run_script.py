"""``make run``'s shell logic (scripts/run_lib.sh), run by bash as scripts/run.sh runs it:
``cp .env.example .env`` gives a REDIS_URL that starts Redis where nothing listens, and
uses (and says so) a Redis that already answers there. And scripts/run.sh itself, where
its start fails before anything runs."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.media import REPO_ROOT
from tests.plugins.services import free_port
from tests.workers import process_table


def bash(script: str, env_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``script`` after sourcing run_lib.sh and loading ``env_file`` (default .env.example)."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    prelude = f"set -euo pipefail; source scripts/run_lib.sh; load_env {env_file or '.env.example'}; "
    return subprocess.run(["bash", "-c", prelude + script], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=30)  # fmt: skip


@contextmanager
def listener(reply: bytes) -> Iterator[int]:
    """A server on a free loopback port answering every connection with ``reply``; yields the port."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(64)
                connection.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        server.close()


def test_it_reads_the_examples_redis_url_and_starts_redis_where_nothing_listens():
    port = free_port()
    # The example's own value, on a port known to be free here (6379 may be taken on a dev machine).
    result = bash(f'echo "$REDIS_URL"; redis_plan "${{REDIS_URL/6379/{port}}}"')
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["redis://127.0.0.1:6379/0", f"start {port}"]


def test_it_uses_a_redis_that_already_answers_and_one_elsewhere():
    port = int(os.environ["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])  # the test session's Redis
    plans = bash(f'redis_plan redis://localhost:{port}; redis_plan "redis://:secret@127.0.0.1:{port}/0"; '
                 "redis_plan redis://cache.internal:6379/0")  # fmt: skip
    assert plans.stdout.splitlines() == [f"running {port}", "elsewhere", "elsewhere"], plans.stderr
    with listener(b"-NOAUTH Authentication required.\r\n") as locked:
        assert bash(f"redis_plan redis://127.0.0.1:{locked}/0").stdout.strip() == f"running {locked}"


def test_it_refuses_a_port_where_something_else_listens():
    with listener(b"HTTP/1.1 400 Bad Request\r\n\r\n") as port:
        result = bash(f"redis_plan redis://127.0.0.1:{port}/0")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == (
        f"error: something that is not Redis listens on 127.0.0.1:{port} (REDIS_URL=redis://127.0.0.1:{port}/0); "
        "stop it, or set REDIS_URL to a free port"
    )


def test_it_reads_env_values_literally(tmp_path):
    env = tmp_path / "env"
    env.write_text("A=plain value  # a comment\r\nexport B='quoted # kept'\nC=\"<b> & c\"\n# D=commented\nE=\n")
    result = bash('printf "%s|" "$A" "$B" "$C" "${D-unset}" "$E"', env_file=env)
    assert result.stdout == "plain value|quoted # kept|<b> & c|unset||", result.stderr


def test_it_stops_at_a_failed_migration_and_leaves_nothing_running(tmp_path):
    """collectstatic runs beside the migrations; when they fail, run.sh exits 1 before
    starting anything, and the collectstatic it started in the background is stopped too."""
    env = {
        **os.environ,
        "CLIPSITE_ENV_FILE": str(tmp_path / "absent.env"),
        "CLIPSITE_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"postgres://nobody@127.0.0.1:{free_port()}/refused",  # nothing listens there
        "PORT": str(free_port()),
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
    }
    run = subprocess.Popen(["bash", "scripts/run.sh"], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
    out, err = run.communicate(timeout=120)
    assert run.returncode == 1, err
    assert "Connection refused" in err and "Starting" not in out
    left = [pid for pid, fields in process_table() if int(fields[3]) == run.pid]
    assert left == [], "run.sh left processes running"
