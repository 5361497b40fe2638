"""The process API's document, replayed against Clipsite as published.

The curl examples and the Python SDK example are cut out of the reference document at
test time; only the base URL and the file's path are replaced. They send no API key, so
the server is set up as the single-user install the document describes
(``PROCESS_API_WORKSPACE``). The Python example's upload runs to completion through real
workers, with Gemini answered by a local fake that records the key it was sent.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid

import pytest
import requests
from django.test import Client

from tests.fixtures import TALK_CONFIG
from tests.media import SHARED_MEDIA
from tests.pipeline.gemini_server import FakeGemini
from tests.workers import start_worker, wait_workers
from videos import actions
from videos.models import Video

pytestmark = [pytest.mark.django_db(transaction=True)]

REFERENCE = SHARED_MEDIA.parent / "reference" / "process-api.txt"
BASE = "http://localhost:8000"
DOCUMENTED_KEY = "AIzaSy..."


def document() -> dict[str, str]:
    """The document's examples: both curl commands, the Python example and the JSON response."""
    text = REFERENCE.read_text()
    examples = text[text.index("Process YouTube Video\n\ncurl") :]
    youtube = examples[examples.index("curl") : examples.index("Response:")].strip()
    upload_part = examples[examples.index("Upload Local Video") :]
    upload = upload_part[upload_part.index("curl") : upload_part.index("Python SDK Example")].strip()
    python = text[text.index("import requests") : text.index('print(f"Job submitted: {job_id}")')]
    response = examples[examples.index("Response:") + len("Response:") : examples.index("Upload Local Video")]
    return {"youtube": youtube, "upload": upload, "python": python + 'print(f"Job submitted: {job_id}")',
            "response": response.strip()}  # fmt: skip


def assert_like_the_documented_response(body: dict, documented: dict) -> None:
    assert set(body) == set(documented) and body["status"] == documented["status"] == "queued"
    assert str(uuid.UUID(body["job_id"])) == body["job_id"] and isinstance(documented["job_id"], str)


@pytest.fixture
def single_user_server(live_server, workspace, settings, clean_redis):
    """The live server as the document's self-hosted install: no key, alice's workspace."""
    settings.PROCESS_API_WORKSPACE = workspace.slug
    return live_server


def test_it_answers_the_documents_curl_examples(single_user_server, workspace, talk_path):
    examples = document()
    assert DOCUMENTED_KEY in examples["youtube"] and "-F \"file=@/path/to/video.mp4\"" in examples["upload"]
    documented = json.loads(examples["response"])
    for name, path in (("youtube", None), ("upload", talk_path)):
        command = examples[name].replace(BASE, single_user_server.url)
        if path is not None:
            command = command.replace("/path/to/video.mp4", str(path))
        run = subprocess.run(["bash", "-c", command + " --silent --show-error"], capture_output=True, text=True,
                             timeout=120)  # fmt: skip
        assert run.returncode == 0, run.stderr
        assert_like_the_documented_response(json.loads(run.stdout), documented)
    youtube, upload = Video.objects.order_by("created_at")
    assert (youtube.source_kind, upload.source_kind) == ("youtube", "upload")
    assert {youtube.workspace, upload.workspace} == {workspace}
    assert {youtube.submitted_via, upload.submitted_via} == {Video.Via.PROCESS_API}


@pytest.mark.slow
def test_it_runs_the_documents_python_example_to_finished_clips(single_user_server, alice, workspace, key_for,
                                                                talk_path, tmp_path):  # fmt: skip
    workspace.default_config = {k: v for k, v in TALK_CONFIG.items() if k != "captionTemplate"}
    workspace.save()
    (tmp_path / "video.mp4").symlink_to(talk_path)
    # The example keeps only the last response; this records both, the example itself unchanged.
    recorder = (
        "import requests\n_post = requests.post\n"
        "def _post_and_print(*args, **kwargs):\n"
        "    response = _post(*args, **kwargs)\n"
        "    print('RESPONSE', response.status_code, response.text, flush=True)\n"
        "    return response\n"
        "requests.post = _post_and_print\n"
    )
    example = document()["python"].replace(BASE, single_user_server.url)
    run = subprocess.run([sys.executable, "-c", recorder + example], capture_output=True, text=True, cwd=tmp_path,
                         timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    responses = re.findall(r"^RESPONSE (\d+) (.+)$", run.stdout, re.M)
    assert [status for status, _ in responses] == ["200", "200"]
    documented = json.loads(document()["response"])
    for _, text in responses:
        assert_like_the_documented_response(json.loads(text), documented)
    job_id = re.search(r"^Job submitted: (\S+)$", run.stdout, re.M).group(1)
    assert job_id == json.loads(responses[1][1])["job_id"]
    # Option 1's link is YouTube's, which no test may reach: its job is cancelled before any worker starts.
    youtube = Video.objects.get(public_uuid=json.loads(responses[0][1])["job_id"])
    assert youtube.source_kind == "youtube" and actions.cancel(youtube)

    with FakeGemini([FakeGemini.error(400)]) as gemini:
        workers = [start_worker(f"process-{i}", env={"GEMINI_BASE_URL": gemini.url}) for i in range(2)]
        try:
            body, seen = poll(f"{single_user_server.url}/api/status/{job_id}")
        finally:
            wait_workers(workers)
    assert body["status"] == "completed" and body["progress"] == 100 and body["error"] is None, body
    assert "processing" in seen and seen[-1] == "completed"
    # The key sent in X-Gemini-Key was the one the analysis used, and it is gone now.
    assert gemini.requests and {r.headers["x-goog-api-key"] for r in gemini.requests} == {DOCUMENTED_KEY}
    video = Video.objects.get(public_uuid=job_id)
    assert video.gemini_key is None and video.submitted_via == Video.Via.PROCESS_API

    assert 1 <= len(body["clips"]) <= 2
    for clip in body["clips"]:
        assert 8 - 0.5 <= clip["duration"] <= 20 + 0.5 and 0 <= clip["score"] <= 100 and clip["title"]
        download = requests.get(clip["video_url"], timeout=30)
        assert download.status_code == 200 and download.content[4:8] == b"ftyp"
        assert probe_duration(download.content, tmp_path) == pytest.approx(clip["duration"], abs=0.5)
        assert requests.get(clip["thumbnail_url"], timeout=30).content[:3] == b"\xff\xd8\xff"

    # The same video, with the same clips, on the native API and the dashboard.
    native = requests.get(f"{single_user_server.url}/api/videos/{video.pk}/clips", timeout=30,
                          headers={"Authorization": f"Bearer {key_for(alice)}"}).json()["clips"]  # fmt: skip
    assert sorted(c["title"] for c in native) == sorted(c["title"] for c in body["clips"])
    dashboard = Client()
    dashboard.force_login(alice)
    page = dashboard.get(f"/videos/{video.pk}/").content.decode()
    assert all(clip["title"] in page for clip in body["clips"])


def poll(url: str, timeout: float = 400) -> tuple[dict, list[str]]:
    """Poll the status route as a client does until the job finishes; the body and the statuses seen."""
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        response = requests.get(url, timeout=30)
        if response.status_code == 429:  # the plan's request rate: wait as told, like a client does
            time.sleep(int(response.headers["Retry-After"]))
            continue
        body = response.json()
        if not seen or seen[-1] != body["status"]:
            seen.append(body["status"])
        if body["status"] in ("completed", "failed"):
            return body, seen
        time.sleep(2)
    raise AssertionError(f"the job did not finish in {timeout} s; statuses seen: {seen}")


def probe_duration(data: bytes, folder) -> float:
    path = folder / "downloaded.mp4"
    path.write_bytes(data)
    result = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
                            capture_output=True, text=True, check=True)  # fmt: skip
    return float(json.loads(result.stdout)["format"]["duration"])
