"""Time to first clip through the real service: upload, stages, first clip, webhook, download.

Starts a throwaway Clipsite (its own var dir and SQLite database, a private
``redis-server``, ``manage.py runserver`` and ``--workers`` RQ workers on the
``default`` and ``render`` queues, as deployed; webhook deliveries run on ``default``),
signs up a user on the Business plan with an API key and a webhook endpoint for
``clip.ready`` and ``video.completed`` on a local receiver, then uploads
``tests.media.build_talk_video(seconds, 1920, 1080, encoding=...)`` through ``POST
/api/videos/upload`` asking for ``--clips`` clips. It polls the database every 0.5 s
and the clip list of the API once clips render, and prints the time from the start of
the upload to each stage, to the first completed clip, to the first ``clip.ready``
arrival, to the first signed download answering 200 with an MP4, and to the video's
completion; per clip, its rank, worker, claim and finish, so renders running on two
workers at once show; and the workers' peak memory and CPU time. Target (issue 18):
first downloadable clip <= 2.5 min for a 30-minute 1080p source on two cores.

    .venv/bin/python -m bench.first_clip [--seconds 1800] [--clips 10] [--workers 2] [--encoding upload|fixture]

The source is encoded like an upload by default (High profile, B frames), as in
``bench.end_to_end``; ``--encoding fixture`` gives the tests' Baseline encoding (the
first measurements in docs/benchmarks.md).

Settings other than those the harness sets (``RENDER_SHORT_SIDE``, ``WHISPER_MODEL``,
...) come from the environment. Everything it starts is stopped, and its folder
removed, when it ends, however it ends. Other jobs on a shared machine inflate these
figures; the machine line and the load averages say where and how it ran.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench import service
from bench.machine import describe
from pipeline.render import render_order
from tests.media import REPO_ROOT, TALK_ENCODINGS, build_talk_video

POLL_SECONDS = 0.5
# How long to wait for the last webhook or download once the video has finished.
SETTLE_SECONDS = 20.0


@dataclass
class Render:
    rank: int
    seconds: float  # the clip's length
    claimed: float | None = None  # the clip's heartbeat stamp at claim, seconds after submit
    finished: float | None = None  # rendered_at
    worker: str = ""
    status: str = ""
    attempts: int = 0


@dataclass
class Run:
    upload_seconds: float = 0.0
    stages: list[tuple[float, str, int]] = field(default_factory=list)
    renders: dict[str, Render] = field(default_factory=dict)
    download: tuple[float, int, str, int] | None = None  # seconds, rank, content type, bytes
    timings: dict = field(default_factory=dict)
    process_job: str = ""  # which worker ran process_video, and when
    error: str = ""
    memory: dict[str, service.Memory] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    hooks: list[service.Arrival] = field(default_factory=list)
    t0: float = 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=1800, help="length of the source talk")
    parser.add_argument("--clips", type=int, default=10, help="numberOfClips asked for")
    parser.add_argument("--workers", type=int, default=2, help="RQ worker processes")
    parser.add_argument("--timeout", type=float, default=None, help="give up after this many seconds")
    parser.add_argument("--encoding", choices=sorted(TALK_ENCODINGS), default="upload",
                        help="how the source talk is encoded (tests.media.TALK_ENCODINGS)")  # fmt: skip
    args = parser.parse_args()
    timeout = args.timeout or 600 + 1.5 * args.seconds
    print(f"machine: {describe()}", flush=True)
    started = time.perf_counter()
    source = build_talk_video(args.seconds, 1920, 1080, encoding=args.encoding)
    print(
        f"source: {args.seconds:.0f} s talk, 1920x1080, {args.encoding} encoding, "
        f"{source.stat().st_size / 1024**2:.0f} MB "
        f"(built or cached in {time.perf_counter() - started:.0f} s, not counted)",
        flush=True,
    )
    # SIGTERM unwinds like Ctrl-C, so the service is stopped either way.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    load = os.getloadavg()
    run = Run()
    try:
        with tempfile.TemporaryDirectory(prefix="clipsite-firstclip-") as root:
            measure(Path(root), source, args, timeout, run)
    except KeyboardInterrupt:
        run.error = "interrupted; the service was stopped and its folder removed"
    finally:
        report(run, args, load)
    if run.error:
        sys.exit(1)


def measure(root: Path, source: Path, args, timeout: float, run: Run) -> None:
    """Start the service under ``root``, run one upload through it, record into ``run``; stop it all."""
    var, logs = root / "var", root / "logs"
    var.mkdir()
    logs.mkdir()
    python = sys.executable
    with contextlib.ExitStack() as stack:
        redis, redis_url = service.start_redis(root)
        stack.callback(service.stop, redis)
        port = service.free_port()
        site = f"http://127.0.0.1:{port}"
        env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "clipsite.settings", "CLIPSITE_VAR_DIR": str(var),
            "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}", "REDIS_URL": redis_url, "STORAGE_BACKEND": "local",
            "SECRET_KEY": secrets.token_urlsafe(50), "SITE_URL": site, "DEBUG": "false", "PYTHONUNBUFFERED": "1",
            # The webhook receiver listens on loopback, which the SSRF guard refuses unless this is set.
            "ALLOW_PRIVATE_URLS": "true",
        }  # fmt: skip
        migrate = subprocess.run(
            [python, "manage.py", "migrate", "--noinput"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
        )
        if migrate.returncode:
            raise RuntimeError(f"migrate failed:\n{migrate.stdout[-2000:]}{migrate.stderr[-2000:]}")
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connections

        stack.callback(connections.close_all)
        key = create_account(args.seconds)

        server = service.start(
            [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], env, logs / "web.log"
        )
        stack.callback(service.stop, server)
        service.wait_for_port(port, server)
        hooks = stack.enter_context(service.HookReceiver())
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {key}"
        answer = api.post(
            f"{site}/api/webhooks", json={"url": hooks.url, "eventTypes": ["clip.ready", "video.completed"]}
        )
        if answer.status_code != 201:
            raise RuntimeError(f"creating the webhook endpoint answered {answer.status_code}: {answer.text[:500]}")

        workers = {}
        for number in range(1, args.workers + 1):
            name = f"bench-w{number}"
            workers[name] = service.start(
                [python, "manage.py", "rqworker", "default", "render", "--name", name], env, logs / f"{name}.log"
            )
            stack.callback(service.stop, workers[name])
        wait_for_workers(workers, logs)

        run.memory = {name: service.Memory() for name in workers}
        run.hooks = hooks.arrivals  # the receiver's own list, filled as events arrive
        try:
            observe(api, site, source, args, timeout, run, workers, logs)
        finally:
            run.hooks = list(hooks.arrivals)
            for name, process in workers.items():
                with contextlib.suppress(OSError, IndexError):
                    run.cpu[name] = service.cpu_seconds(process.pid)


def create_account(seconds: float) -> str:
    """A user whose personal workspace is on the Business plan with minutes for the source; its raw API key."""
    from accounts import actions
    from accounts.models import Plan

    user = actions.sign_up("bench@example.com", None, name="Bench", plan=Plan.objects.get(slug="business"))
    workspace = user.memberships.get().workspace
    needed = int(seconds // 60) + 2
    if workspace.minutes_balance < needed:
        actions.credit_minutes(workspace, needed - workspace.minutes_balance, memo="first-clip benchmark")
    return actions.create_api_key(user, workspace, "first-clip benchmark").raw


def wait_for_workers(workers: dict, logs: Path, timeout: float = 120) -> None:
    """Return once every worker has registered with Redis, so the clock starts on a warm service."""
    import django_rq
    from rq import Worker

    connection = django_rq.get_connection("default")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check_alive(workers, logs)
        if {w.name for w in Worker.all(connection=connection)} >= set(workers):
            return
        time.sleep(0.2)
    raise RuntimeError(f"the workers did not register within {timeout:.0f} s")


def check_alive(workers: dict, logs: Path) -> None:
    for name, process in workers.items():
        if process.poll() is not None:
            raise RuntimeError(f"worker {name} exited with {process.returncode}:\n{service.tail(logs / f'{name}.log')}")


def observe(api, site: str, source: Path, args, timeout: float, run: Run, workers: dict, logs: Path) -> None:
    """Upload the source, then poll until the video has finished and the last signals came in."""
    from clips.models import Clip
    from videos.models import Video

    body = service.MultipartFile(source, "file", {"config": json.dumps({"numberOfClips": args.clips})})
    run.t0 = time.time()
    answer = api.post(f"{site}/api/videos/upload", data=body, headers={"Content-Type": body.content_type})
    run.upload_seconds = time.time() - run.t0
    if answer.status_code != 201:
        raise RuntimeError(f"the upload answered {answer.status_code}: {answer.text[:500]}")
    video_id = answer.json()["video"]["id"]
    finished_at = None
    while True:
        now = time.time()
        video = Video.objects.get(pk=video_id)
        if not run.stages or run.stages[-1][1] != video.status:
            run.stages.append((now - run.t0, video.status, video.progress))
        for row in Clip.objects.filter(video_id=video_id).values(
            "id", "rank", "start", "end", "status", "heartbeat_at", "rendered_at", "rendered_by", "render_attempts"
        ):
            trace = run.renders.setdefault(row["id"], Render(row["rank"], row["end"] - row["start"]))
            if row["heartbeat_at"] is not None:
                stamp = row["heartbeat_at"].timestamp() - run.t0
                trace.claimed = stamp if trace.claimed is None else min(trace.claimed, stamp)
            if row["rendered_at"] is not None:
                trace.finished = row["rendered_at"].timestamp() - run.t0
            trace.worker, trace.status, trace.attempts = row["rendered_by"], row["status"], row["render_attempts"]
        for name, process in workers.items():
            run.memory[name].sample(process.pid)
        check_alive(workers, logs)
        if run.download is None and video.status in (Video.Status.GENERATING_CLIPS, Video.Status.COMPLETED):
            run.download = try_download(api, site, video_id, run.t0)
        if video.status in Video.TERMINAL:
            finished_at = finished_at or now
            run.timings = video.timings
            run.process_job = run.process_job or process_job(video_id, run.t0)
            if video.status == Video.Status.FAILED:
                run.error = f"the video failed ({video.error_code}): {video.error_message}"
                return
            hooks_in = any(a.type == "video.completed" for a in list(run.hooks))
            if (run.download and hooks_in) or now - finished_at > SETTLE_SECONDS:
                return
        if now - run.t0 > timeout:
            run.error = f"gave up after {timeout:.0f} s with the video {video.status}"
            return
        time.sleep(max(0.0, POLL_SECONDS - (time.time() - now)))


def process_job(video_id: str, t0: float) -> str:
    """Which worker ran the video's ``process_video`` job and when, as RQ recorded it."""
    import django_rq
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from videos.actions import process_job_id

    try:
        job = Job.fetch(process_job_id(video_id), connection=django_rq.get_connection("default"))
    except NoSuchJobError:
        return ""
    if job.started_at is None or job.ended_at is None:
        return ""
    return f"{job.worker_name}, {job.started_at.timestamp() - t0:.1f} to {job.ended_at.timestamp() - t0:.1f} s"


def try_download(api, site: str, video_id: str, t0: float) -> tuple[float, int, str, int] | None:
    """As a client: list the video's completed clips and fetch the best one's signed ``downloadUrl``.

    Returns (seconds after submit, rank, content type, bytes) once a download answers 200
    with an MP4 (an ``ftyp`` box first), else None.
    """
    listed = api.get(f"{site}/api/videos/{video_id}/clips", params={"status": "completed"})
    if listed.status_code != 200 or not listed.json()["clips"]:
        return None
    clip = listed.json()["clips"][0]
    # The signed link needs no key, as when a browser or another service follows it.
    with requests.get(clip["downloadUrl"], stream=True, timeout=60) as response:
        if response.status_code != 200:
            return None
        data = b"".join(response.iter_content(1024 * 1024))
    if data[4:8] != b"ftyp":
        return None
    return time.time() - t0, clip["rank"], response.headers.get("Content-Type", ""), len(data)


def report(run: Run, args, load_before: tuple[float, float, float]) -> None:
    """Print what ``run`` recorded; works on a partial run too (after an error or Ctrl-C)."""
    from django.conf import settings

    if settings.configured:
        pipeline = settings.PIPELINE
        print(
            f"service: {args.workers} x `rqworker default render` (webhook deliveries run on default), runserver, "
            f"redis-server, SQLite; render {pipeline.render_short_side} px short side, preset "
            f"{pipeline.render_preset}, crf {pipeline.render_crf}; whisper {pipeline.whisper_model}"
        )
    print(f"load average before: {fmt_load(load_before)}; after: {fmt_load(os.getloadavg())}")
    if not run.t0:
        if run.error:
            print(f"ERROR: {run.error}")
        return
    print(f"upload: the POST took {run.upload_seconds:.1f} s; times below count from its start")
    print("video stages (seconds, progress when first seen):")
    for at, status, progress in run.stages:
        print(f"  {at:7.1f}  {status:<17} {progress:3d}%")
    if run.process_job:
        print(f"  process_video ran on {run.process_job}")
    if run.timings:
        print("  stage times the job recorded: " + ", ".join(f"{k} {v:.1f} s" for k, v in run.timings.items()))
    done = [r for r in run.renders.values() if r.status == "completed" and r.finished is not None]
    first = min(done, key=lambda r: r.finished, default=None)
    if first:
        print(f"first clip completed:  {first.finished:7.1f} s  rank {first.rank}, rendered by {first.worker}")
    ready = next((a for a in run.hooks if a.type == "clip.ready"), None)
    if ready:
        print(f"first clip.ready:      {ready.at - run.t0:7.1f} s  rank {ready.data.get('rank')}")
    if run.download:
        at, rank, content_type, size = run.download
        print(
            f"first download:        {at:7.1f} s  rank {rank}, 200 {content_type}, {size / 1024**2:.1f} MB "
            "(GET /api/videos/ID/clips?status=completed, then its signed downloadUrl)"
        )
    completed = next((at for at, status, _ in run.stages if status == "completed"), None)
    hook = next((a for a in run.hooks if a.type == "video.completed"), None)
    if completed is not None:
        arrived = f"; video.completed webhook {hook.at - run.t0:.1f} s" if hook else "; no video.completed webhook"
        print(f"video completed:       {completed:7.1f} s (seen by the poll){arrived}")
    print(f"webhooks received: {len(run.hooks)} ({sum(a.type == 'clip.ready' for a in run.hooks)} clip.ready)")
    report_renders(run)
    for name, memory in run.memory.items():
        cpu = f"cpu {run.cpu[name]:.0f} s, " if name in run.cpu else ""
        print(
            f"worker {name}: {cpu}peak RSS of its process tree {memory.tree_kib / 1024**2:.2f} GiB "
            f"(forked pages counted per process), largest process {memory.process_kib / 1024**2:.2f} GiB"
        )
    if run.download:
        print(
            f"time to first downloadable clip: {run.download[0]:.1f} s = {run.download[0] / 60:.2f} min for a "
            f"{args.seconds / 60:.0f}-minute source (target <= 2.5 min for 30 minutes at 1080p on 2 cores)"
        )
    if run.error:
        print(f"ERROR: {run.error}")


def report_renders(run: Run) -> None:
    """Per clip: rank, worker, claim and finish; then how much the workers rendered side by side."""
    renders = sorted(run.renders.values(), key=lambda r: r.rank)
    if not renders:
        return
    print("clips (seconds after the upload began; claimed = the render job took the clip):")
    print("  rank  length  worker      claimed  finished  render  status")
    for r in renders:
        took = f"{r.finished - r.claimed:6.1f}" if r.finished is not None and r.claimed is not None else "     -"
        retried = f" ({r.attempts} attempts)" if r.attempts > 1 else ""
        print(
            f"  {r.rank:4d}  {r.seconds:5.1f}s  {r.worker or '-':<10} {fmt(r.claimed)}  {fmt(r.finished)}   {took}  "
            f"{r.status}{retried}"
        )
    spans = [(r.claimed, r.finished, r.worker) for r in renders if r.claimed is not None and r.finished is not None]
    alongside = sum(any(w != other and a < d and c < b for c, d, other in spans) for a, b, w in spans)
    print(
        f"overlap: {alongside} of {len(spans)} renders ran while a different worker rendered another clip; "
        f"renders on 2+ workers at once for {parallel_seconds(spans):.1f} s"
    )
    order = [r.rank for r in sorted(renders, key=lambda r: r.claimed if r.claimed is not None else float("inf"))]
    by_rank = sorted(renders, key=lambda r: r.rank)
    queued = [by_rank[i].rank for i in render_order([r.seconds for r in by_rank])]
    in_order = "yes" if order == queued else f"no, claimed as ranks {order} against {queued}"
    print(f"renders claimed in the queue's order (the best clip, then the longest): {in_order}")


def parallel_seconds(spans: list[tuple[float, float, str]]) -> float:
    """Seconds during which renders of two or more different workers ran."""
    edges = sorted({t for a, b, _ in spans for t in (a, b)})
    total = 0.0
    for start, end in itertools.pairwise(edges):
        active = {w for a, b, w in spans if a < end and start < b}
        if len(active) >= 2:
            total += end - start
    return total


def fmt(seconds: float | None) -> str:
    return f"{seconds:8.1f}" if seconds is not None else "       -"


def fmt_load(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{x:.2f}" for x in load)


if __name__ == "__main__":
    main()
