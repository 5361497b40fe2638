"""``python -m pipeline moments``: JSON on stdout from a saved transcript or a real media file."""

from __future__ import annotations

import json
import subprocess

import pytest

from pipeline.cli import EXIT_REFUSED, main
from tests.pipeline.test_moments_local import ADVICE, GREETING, OUTRO, SPONSOR, STORY, timed_transcript

LENGTHS = ["--min-length", "10", "--max-length", "60"]


def test_it_prints_ranked_moments_for_a_saved_transcript(tmp_path, capsys):
    saved = tmp_path / "transcript.json"
    saved.write_text(timed_transcript(GREETING, STORY, SPONSOR, ADVICE, OUTRO).to_json())

    status = main(["--quiet", "moments", "--transcript", str(saved), "--clips", "2", *LENGTHS], {})

    assert status == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["analyser"] == "local" and [m["rank"] for m in printed["moments"]] == [1, 2]
    texts = " ".join(m["transcript"] for m in printed["moments"])
    assert ADVICE[0] in texts and STORY[0] in texts
    assert {"title", "start", "end", "score", "scores", "reason", "hooks", "hashtags"} <= printed["moments"][
        0
    ].keys()


def test_it_refuses_a_bad_option_naming_it(tmp_path, capsys):
    saved = tmp_path / "transcript.json"
    saved.write_text(timed_transcript(ADVICE).to_json())

    status = main(["--quiet", "moments", "--transcript", str(saved), "--genre", "Opera"], {})

    assert status == EXIT_REFUSED
    assert capsys.readouterr().err.startswith("error: genre must be one of")


def test_it_refuses_an_unreadable_transcript(tmp_path, capsys):
    saved = tmp_path / "transcript.json"
    saved.write_text("{not json")

    assert main(["--quiet", "moments", "--transcript", str(saved)], {}) == EXIT_REFUSED
    assert "Could not read a transcript" in capsys.readouterr().err


@pytest.mark.slow
def test_it_transcribes_a_spoken_talk_over_video_and_finds_its_moment(tmp_path, media_dir, capsys):
    speech = tmp_path / "speech.wav"
    text = " ".join(GREETING + ADVICE + OUTRO)
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(speech), text], check=True)
    video = tmp_path / "talk.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-stream_loop", "-1",
         "-i", str(media_dir / "vid_talkinghead_WDA_KatieHill_000.mp4"), "-i", str(speech),
         "-map", "0:v:0", "-map", "1:a:0", "-c:v", "libx264", "-preset", "ultrafast", "-vf", "scale=256:256",
         "-c:a", "aac", "-shortest", str(video)],
        check=True,
    )  # fmt: skip

    status = main(["--quiet", "moments", str(video), "--clips", "1", *LENGTHS], {})

    assert status == 0
    printed = json.loads(capsys.readouterr().out)
    top = printed["moments"][0]
    assert "save money" in top["transcript"].lower() and "subscribe" not in top["transcript"].lower()
    assert printed["analyser"] == "local" and top["hooks"]["question"].endswith("?")
