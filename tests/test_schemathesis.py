"""schemathesis against the live API: no 5xx, and every response matches the schema.

It generates requests for every operation from the OpenAPI schema, with a real key,
against a live server holding a finished video with clips, so reads hit real rows.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_it_finds_no_server_errors_and_no_responses_that_break_the_schema(
    live_server, alice, finished_video, key_for, clean_redis, tmp_path
):
    from accounts.models import Plan

    # A plan whose rate limit the run stays under, so responses come from the logic, not 429s.
    finished_video.workspace.plan = Plan.objects.get(slug="enterprise")
    finished_video.workspace.save(update_fields=["plan"])
    clip = finished_video.clips.get(rank=1)
    # Real ids for path parameters, so reads reach real rows instead of 404s.
    (tmp_path / "schemathesis.toml").write_text(
        "[parameters]\n"
        f'"path.video_id" = "{finished_video.pk}"\n'
        f'"path.clip_id" = "{clip.pk}"\n'
        f'"path.workspace_id" = "{finished_video.workspace_id}"\n'
    )
    key = key_for(alice)
    schemathesis = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [str(schemathesis), "run", f"{live_server.url}/api/schema?format=json", "--url", live_server.url,
         "-H", f"Authorization: Bearer {key}",
         "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance",
         "--max-examples", "15", "--seed", "1", "--no-color", "--request-timeout", "30",
],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout.lower()
    # Every operation was reached, and none mostly hit the rate limit or missing rows.
    assert "Tested: 16" in result.stdout and "Rate limited" not in result.stdout, result.stdout[-3000:]
