import io

import pytest
from django.core.management import CommandError, call_command

from videos.models import Video


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("clip", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_clips_a_file_through_the_service_with_progress(alice, workspace, talk_path, clean_redis):
    out, err = run(str(talk_path), "--workspace", workspace.slug, "--clips", "2", "--min", "8", "--max", "20")
    video = Video.objects.get()
    assert video.status == Video.Status.COMPLETED and video.submitted_by == alice
    assert "Rendering clips" in err and "100%" in err
    lines = [line for line in out.splitlines() if line.startswith("#")]
    assert len(lines) == 2 and lines[0].startswith("#1 [")
    assert out.count("/media/signed/") == 2 and "2 clips; 1 minutes charged." in out
    workspace.refresh_from_db()
    assert workspace.minutes_balance == 59


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workspace", "nope"], "No workspace with the slug 'nope'"),
        (["--clips", "99"], "numberOfClips"),
        (["--aspect", "2:1"], "aspectRatio"),
        (["--user", "charlie@example.com"], "is not a member"),
    ],
)
def test_it_refuses_bad_arguments_and_submits_nothing(workspace, charlie, talk_path, args, message):
    if "--workspace" not in args:
        args = [*args, "--workspace", workspace.slug]
    with pytest.raises(CommandError, match=message):
        run(str(talk_path), *args)
    assert not Video.objects.exists()


def test_it_refuses_a_source_that_is_neither_file_nor_link(workspace):
    with pytest.raises(CommandError, match="neither a file nor an http"):
        run("/no/such/file.mp4", "--workspace", workspace.slug)
