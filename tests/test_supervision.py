"""``make run`` survives its parts (issue 11, finding 3).

One service started by ``scripts/run.sh`` (its own port, var folder, SQLite database and
a Redis it starts itself) serves this module's tests in order: a SIGKILLed RQ worker is
replaced and a SIGKILLed Redis restarted while the web server keeps answering; a video in
flight when its worker and Redis die ends completed, or failed with a refund, and never
changes after; Ctrl-C stops every process, a running job's included. Every process the
service starts shares its session, which the module kills whole at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
import requests
from requests.adapters import HTTPAdapter
from rq import Worker
from urllib3.util.retry import Retry

from tests.fixtures import TALK_CONFIG
from tests.media import REPO_ROOT
from tests.plugins.services import free_port
from tests.workers import process_table

pytestmark = pytest.mark.slow

DEMO_EMAIL = "demo@clipsite.local"


def wait_until(condition, timeout: float, what: str, log: Path | None = None):
    """Poll ``condition`` until it returns something truthy, which is returned."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    tail = f"\n{log.read_text(errors='replace')[-3000:]}" if log is not None and log.exists() else ""
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{tail}")


def session_members(session: int) -> set[int]:
    """Every process in the session ``session``: run.sh and all it started, orphans included."""
    return {pid for pid, fields in process_table() if int(fields[3]) == session}


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


class Service:
    """``scripts/run.sh`` in a session of its own, configured only by what the test gives it."""

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.redis_port = free_port()
        self.log = root / "run.log"
        self.env = {
            **os.environ,
            "CLIPSITE_ENV_FILE": str(root / "absent.env"),  # a developer's .env stays out
            "CLIPSITE_VAR_DIR": str(root / "var"),
            "DATABASE_URL": "",  # SQLite in the var folder
            "PORT": str(self.port),
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "RQ_WORKERS": "2",
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                ["bash", "scripts/run.sh"], cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_until(lambda: "Clipsite is running" in self.log.read_text(), 240, "run.sh's banner", self.log)

    def stop(self) -> None:
        """Stop run.sh as politely as time allows, then SIGKILL whatever is left of its session."""
        if self.process is None:
            return
        session = self.process.pid
        if self.process.poll() is None:
            os.killpg(session, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=90)
        for pid in session_members(session):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def redis(self) -> redis.Redis:
        return redis.Redis(port=self.redis_port, socket_timeout=2, socket_connect_timeout=2)

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=self.env, capture_output=True, text=True,
            check=True, timeout=180,
        ).stdout  # fmt: skip

    def live_workers(self) -> dict[int, Worker]:
        """RQ's registered workers whose process is alive, by pid (a killed one stays registered a while)."""
        try:
            workers = Worker.all(connection=self.redis())
        except redis.exceptions.ConnectionError:
            return {}
        return {worker.pid: worker for worker in workers if worker.pid and alive(worker.pid)}

    def healthy(self) -> bool:
        try:
            return requests.get(self.url("/healthz"), timeout=5).json()["status"] == "ok"
        except requests.RequestException:
            return False

    def kill_redis(self) -> None:
        """SIGKILL the Redis run.sh started and wait until another one answers and /healthz is ok."""
        pid = self.redis().info("server")["process_id"]
        os.kill(pid, signal.SIGKILL)

        def restarted() -> bool:
            try:
                return self.redis().info("server")["process_id"] != pid
            except redis.exceptions.ConnectionError:
                return False

        wait_until(restarted, 60, "Redis to be restarted", self.log)
        wait_until(self.healthy, 60, "/healthz to be ok again", self.log)


class WebPoller(threading.Thread):
    """Asks ``url`` every 0.2 s and records every request that got no HTTP answer at all."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url
        self.answers = 0
        self.failures: list[str] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.2):
            try:
                requests.get(self.url, timeout=10)
                self.answers += 1
            except requests.RequestException as exc:
                self.failures.append(repr(exc))

    def __enter__(self) -> WebPoller:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop_event.set()
        self.join(timeout=15)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    running = Service(tmp_path_factory.mktemp("make-run"))
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def demo_api(service) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {service.manage('create_api_key', DEMO_EMAIL).strip()}"
    # The demo workspace's plan allows 30 requests a minute and the tests poll: like any
    # client, wait as a 429 says (nothing was done, so a retried upload is safe).
    retry = Retry(total=5, status_forcelist=[429], allowed_methods=None, respect_retry_after_header=True)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    return session


def upload_talk(service: Service, api: requests.Session, talk_path: Path) -> str:
    with open(talk_path, "rb") as handle:
        response = api.post(
            service.url("/api/videos/upload"), files={"file": ("team-talk.mp4", handle, "video/mp4")},
            data={"config": json.dumps(TALK_CONFIG)}, timeout=120,
        )  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()["video"]["id"]


def video_state(service: Service, api: requests.Session, video_id: str) -> dict:
    video = api.get(service.url(f"/api/videos/{video_id}"), timeout=30).json()["video"]
    clips = api.get(service.url(f"/api/videos/{video_id}/clips"), timeout=30).json()["clips"]
    balance = api.get(service.url("/api/account"), timeout=30).json()["minutesBalance"]
    return {
        "status": video["status"],
        "charged": video["minutesCharged"],
        "refunded": video["minutesRefunded"],
        "clips": sorted((clip["id"], clip["status"], clip["renderedAt"]) for clip in clips),
        "balance": balance,
    }


def test_it_replaces_a_killed_worker_and_restarts_a_killed_redis_while_the_web_answers(service):
    with WebPoller(service.url("/healthz")) as poller:
        before = wait_until(lambda: len(w := service.live_workers()) == 2 and w, 60, "two RQ workers", service.log)
        victim = next(iter(before))
        os.kill(victim, signal.SIGKILL)
        after = wait_until(
            lambda: len(w := service.live_workers()) == 2 and victim not in w and w, 60, "a new RQ worker",
            service.log,
        )  # fmt: skip
        assert set(after) - set(before), "the killed worker was not replaced"

        answered_before_redis = poller.answers
        service.kill_redis()
        assert requests.get(service.url("/api/account"), timeout=10).status_code == 401  # served, not 5xx
        # The poller keeps getting answers after the restart too (its count proves it ran).
        mark = poller.answers
        wait_until(lambda: poller.answers >= mark + 3, 30, "more answers after the Redis restart", service.log)
    assert answered_before_redis > 0 and poller.failures == [], "the web server stopped answering"


def test_it_ends_a_video_in_flight_completed_or_failed_with_a_refund(service, demo_api, talk_path):
    before = demo_api.get(service.url("/api/account"), timeout=30).json()["minutesBalance"]
    video_id = upload_talk(service, demo_api, talk_path)

    def busy_worker() -> int | None:
        running = [pid for pid, w in service.live_workers().items() if w.get_current_job_id() == f"process-{video_id}"]
        return running[0] if running else None

    victim = wait_until(busy_worker, 120, "a worker to take the video", service.log)
    with WebPoller(service.url("/healthz")) as poller:
        os.kill(victim, signal.SIGKILL)
        service.kill_redis()

        def finished() -> dict | None:
            state = video_state(service, demo_api, video_id)
            return state if state["status"] in ("completed", "failed") else None

        final = wait_until(finished, 420, "the video to finish", service.log)
    assert poller.failures == []

    assert all(status in ("completed", "failed") for _, status, _ in final["clips"])
    if final["status"] == "completed":
        assert final["charged"] == 1 and final["refunded"] == 0 and final["balance"] == before - 1
        assert any(status == "completed" for _, status, _ in final["clips"])
    else:
        assert final["refunded"] == final["charged"] and final["balance"] == before
        assert not any(status == "completed" for _, status, _ in final["clips"])
    # Nothing changes it afterwards: not the sweep, not a job still queued somewhere.
    service.manage("shell", "-c", "from videos.jobs import sweep; sweep()")
    time.sleep(5)
    assert video_state(service, demo_api, video_id) == final


def test_it_exits_cleanly_when_supervisord_stops_every_process_first(tmp_path):
    # Ctrl-C reaches supervisord too; when its exit wins the race with run.sh's INT trap
    # (it did under load), the stop it asked for must still end in exit status 0.
    service = Service(tmp_path)
    try:
        service.start()
        members = session_members(service.process.pid)
        supervisord = int((tmp_path / "var" / "run" / "supervisord.pid").read_text())
        assert supervisord in members

        os.kill(supervisord, signal.SIGINT)
        assert service.process.wait(timeout=90) == 0, service.log.read_text()
        wait_until(lambda: not any(alive(pid) for pid in members), 30, "every process to stop", service.log)
        assert refuses(service.port) and refuses(service.redis_port)
        assert "Stopping Clipsite" in service.log.read_text()
    finally:
        service.stop()


def test_it_stops_every_process_on_ctrl_c_even_with_a_job_running(service, demo_api, talk_path):
    video_id = upload_talk(service, demo_api, talk_path)
    wait_until(lambda: video_state(service, demo_api, video_id)["status"] == "transcribing", 180, "a running job")
    members = session_members(service.process.pid)
    assert len(members) >= 7  # run.sh, supervisord, Redis, web, two workers, a work horse, the scheduler

    os.killpg(service.process.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C
    assert service.process.wait(timeout=90) == 0, service.log.read_text()
    wait_until(lambda: not any(alive(pid) for pid in members), 30, "every process to stop", service.log)
    assert refuses(service.port) and refuses(service.redis_port)
    assert "Stopping Clipsite" in service.log.read_text()
