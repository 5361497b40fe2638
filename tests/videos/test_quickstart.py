"""ScaleReach's quickstart, run verbatim against Clipsite.

The bash script and the Python example are cut out of the reference document at test
time, so they are exactly what ScaleReach publishes; only the base URL, the key and the
video URL are replaced. The "YouTube" link is a real talk served from a loopback HTTP
server, which ``/api/videos/youtube`` fetches through yt-dlp like any video site.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.models import Plan
from tests.media import SHARED_MEDIA
from tests.pipeline.http_server import LocalHTTPServer
from tests.workers import kill_worker, start_worker
from videos.models import Video

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REFERENCE = SHARED_MEDIA.parent / "reference" / "scalereach-quickstart.txt"


def scripts() -> tuple[str, str]:
    text = REFERENCE.read_text()
    bash = text[text.index("#!/bin/bash") : text.index("Python example")].strip()
    python = text[
        text.index("import requests") : text.rindex("clip['downloadUrl']}\")")
        + len("clip['downloadUrl']}\")")
    ]
    return bash, python


def personalise(script: str, base: str, key: str, video_url: str) -> str:
    replaced = script.replace("https://api.scalereach.ai", base).replace("sr_live_YOUR_KEY", key)
    return replaced.replace("https://www.youtube.com/watch?v=VIDEO_ID", video_url)


# The scripts wait 15 s between polls; a poll at most every 3 s leaves their text alone and
# saves up to 12 s of waiting after the clips are done. Both scripts share the workspace's
# requests a minute (120 on Starter), which 3 s polls stay well inside.
POLL_SECONDS = 3
SHORT_SLEEP = f"#!/bin/sh\nexec {shutil.which('sleep')} {POLL_SECONDS}\n"
SHORT_TIME_SLEEP = f"""import time
_sleep = time.sleep
time.sleep = lambda seconds: _sleep(min(seconds, {POLL_SECONDS}))
"""


def short_polls(folder: Path) -> dict[str, str]:
    """An environment where bash's ``sleep`` and Python's ``time.sleep`` wait at most POLL_SECONDS."""
    (folder / "sleep").write_text(SHORT_SLEEP)
    (folder / "sleep").chmod(0o755)
    (folder / "sitecustomize.py").write_text(SHORT_TIME_SLEEP)
    def first(name: str) -> str:
        return os.pathsep.join(filter(None, [str(folder), os.environ.get(name, "")]))

    return {**os.environ, "PATH": first("PATH"), "PYTHONPATH": first("PYTHONPATH")}


def test_it_runs_scalereachs_bash_and_python_quickstarts_unchanged(live_server, alice, workspace, key_for,
                                                                   talk_path, clean_redis, tmp_path):  # fmt: skip
    bash, python = scripts()
    assert "sleep 15" in bash and "time.sleep(15)" in python  # the reference as published
    env = short_polls(tmp_path)
    # A paying ScaleReach user's two videos are processed side by side (Starter: two at once).
    workspace.plan = Plan.objects.get(slug="starter")
    workspace.save(update_fields=["plan"])
    key = key_for(alice)
    workers = [start_worker(f"quickstart-{i}", burst=False) for i in range(2)]
    try:
        with LocalHTTPServer() as server:
            url = server.add_file("/watch/team-talk.mp4", talk_path)
            runs = [
                subprocess.Popen(["bash", "-c", personalise(bash, live_server.url, key, url)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
                subprocess.Popen([sys.executable, "-c", personalise(python, live_server.url, key, url)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
            ]  # fmt: skip
            outputs = [run.communicate(timeout=600) for run in runs]
    finally:
        for worker in workers:
            kill_worker(worker)

    (bash_out, bash_err), (py_out, py_err) = outputs
    assert runs[0].returncode == 0, bash_err
    assert runs[1].returncode == 0, py_err
    assert re.search(r"^Workspace: ws_\w+$", bash_out, re.M)
    assert "Status: completed" in bash_out and '"downloadUrl": "http' in bash_out
    assert re.search(r"^Video submitted: vid_\w+$", py_out, re.M)
    assert re.search(r"^Status: completed \(100%\)$", py_out, re.M)
    printed = re.findall(r"^\[(\d+)\] .+—?(http://\S+/media/signed/\S+)$", py_out, re.M)
    assert printed, py_out
    assert Video.objects.filter(status=Video.Status.COMPLETED).count() == 2
    assert all(v.source_kind == "youtube" for v in Video.objects.all())
