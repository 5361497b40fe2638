"""run_ffmpeg's process handling: progress, decoding threads and time limits, with a stand-in binary."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pipeline.config import PipelineConfig
from pipeline.errors import MediaError
from pipeline.ffmpeg import run_ffmpeg

# Reports half of the output written, as ffmpeg's -progress does.
PROGRESS_SCRIPT = """#!/bin/sh
echo "out_time_us=500000"
"""


def stand_in(tmp_path: Path, body: str) -> str:
    script = tmp_path / "ffmpeg"
    script.write_text(body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_it_turns_the_progress_reports_into_fractions_of_the_duration(tmp_path):
    config = PipelineConfig(ffmpeg=stand_in(tmp_path, PROGRESS_SCRIPT))
    seen = []

    run_ffmpeg(["-f", "lavfi", "-i", "anullsrc", tmp_path / "out.mp4"], config, duration=1.0,
               progress=lambda fraction, message="": seen.append(fraction))  # fmt: skip

    assert seen == [0.5, 1.0]


@pytest.mark.parametrize("threads", [0, 1])
def test_it_decodes_every_input_on_the_configured_threads(tmp_path, media_dir, threads):
    script = '#!/bin/sh\nprintf "%s\\n" "$@" > "$(dirname "$0")/args"\n'
    config = PipelineConfig(ffmpeg=stand_in(tmp_path, script), ffmpeg_decode_threads=threads)

    run_ffmpeg(["-ss", "1", "-i", media_dir / "en_jfk_inaugural_1961.flac", "-f", "lavfi", "-i", "anullsrc",
                "pipe:1"], config)  # fmt: skip

    args = (tmp_path / "args").read_text().splitlines()
    inputs = [i for i, arg in enumerate(args) if arg == "-i"]
    given = [i for i, arg in enumerate(args) if arg == "-threads"]
    if threads:  # one option before each input, the file's and the generated one's
        assert len(given) == 2 and given[0] < inputs[0] < given[1] < inputs[1]
        assert [args[i + 1] for i in given] == ["1", "1"]
    else:
        assert given == [] and len(inputs) == 2


def test_it_stops_a_run_past_its_time_limit_with_a_plain_message(tmp_path):
    config = PipelineConfig(ffmpeg=stand_in(tmp_path, "#!/bin/sh\nexec sleep 30\n"))

    with pytest.raises(MediaError, match=r"^Could not probe the pause: it took longer than 0.5 seconds\.$"):
        run_ffmpeg(["-f", "lavfi", "-i", "anullsrc", "pipe:1"], config, what="probe the pause", timeout=0.5)
