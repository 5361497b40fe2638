"""detect_scenes on real footage: low-contrast and clean hard cuts, a static shot, ranges."""

from __future__ import annotations

import json
import subprocess
from unittest import mock

import pytest
from scenedetect.detectors import ContentDetector

from pipeline import cli
from pipeline.config import PipelineConfig
from pipeline.errors import MediaError
from pipeline.ffmpeg import run_ffprobe
from pipeline.scenes import SceneCuts, detect_scenes, may_hold_cut
from tests.media import build_talk_video

CONFIG = PipelineConfig()
HAMILTON = "vid_faces_cuts_short_hamilton_clip.mp4"
TEARS = "vid_cuts_faces_tears_of_steel_clip01.mp4"
INTEL = "vid_people_nofaces_intel_one_by_one.mp4"
# The hard cuts listed in SOURCES.md, in seconds; Hamilton's are pts, 0.008 s after its
# -ss timeline because its container starts at 0.008 s (well inside the tolerance).
HAMILTON_CUTS = [1.51, 3.58, 7.88]
TEARS_CUTS = [0.875, 2.708, 7.708]
TOLERANCE = 0.2


@pytest.mark.parametrize(("name", "expected"), [(HAMILTON, HAMILTON_CUTS), (TEARS, TEARS_CUTS)])
def test_it_finds_exactly_the_hard_cuts(media_dir, name, expected):
    found = detect_scenes(media_dir / name, CONFIG)
    assert found.cuts == pytest.approx(expected, abs=TOLERANCE)
    assert found.start == 0.0 and found.end == pytest.approx(10.0, abs=0.05)
    # Decoded on one thread (a render sharing the cores), the same cuts.
    assert detect_scenes(media_dir / name, PipelineConfig(ffmpeg_decode_threads=1)) == found


@pytest.mark.slow
def test_it_finds_no_cut_in_a_long_static_shot(media_dir):
    progress = mock.Mock()
    found = detect_scenes(media_dir / INTEL, CONFIG, progress=progress)
    assert found.cuts == [] and found.end == pytest.approx(139.4, abs=0.1)
    fractions = [c.args[0] for c in progress.call_args_list]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) > 10


def test_it_analyses_only_the_requested_range(media_dir):
    real = ContentDetector.process_frame
    with mock.patch.object(ContentDetector, "process_frame", autospec=True, side_effect=real) as spy:
        found = detect_scenes(media_dir / TEARS, CONFIG, start=2.0, end=8.0)
    assert found == SceneCuts(start=2.0, end=8.0, cuts=pytest.approx(TEARS_CUTS[1:], abs=TOLERANCE))
    assert spy.call_count == 6 * 24  # 24 fps: the frames in [2, 8) and no others


def test_it_sees_every_frame_of_a_range_that_starts_deep_inside_a_gop_of_b_frames(media_dir, tmp_path):
    # Tears of Steel as a typical upload encodes it (B frames, some referenced) but with
    # one keyframe only: each range below is reached by decoding from 0 s, skipping the
    # frames nothing refers to on the way. Every frame of the range must still be seen,
    # and the cut found at the frame a full decode finds it.
    gop = tmp_path / "one_gop.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-protocol_whitelist", "file", "-i", str(media_dir / TEARS),
         "-an", "-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-b-pyramid", "normal",
         "-g", "1000", "-sc_threshold", "0", str(gop)],
        check=True,
    )  # fmt: skip
    keyframes = run_ffprobe(gop, CONFIG, ["-select_streams", "v:0", "-show_entries", "packet=flags"])["packets"]
    assert sum("K" in packet["flags"] for packet in keyframes) == 1
    whole = detect_scenes(gop, CONFIG).cuts
    assert whole == pytest.approx(TEARS_CUTS, abs=TOLERANCE)
    real = ContentDetector.process_frame
    for cut in whole[1:]:
        with mock.patch.object(ContentDetector, "process_frame", autospec=True, side_effect=real) as spy:
            found = detect_scenes(gop, CONFIG, start=cut - 0.5, end=cut + 0.5)
        assert found.cuts == [cut]
        assert spy.call_count == 24  # 24 fps: every frame of the second


def test_it_reports_times_on_the_ss_timeline_of_a_container_that_starts_late(media_dir, tmp_path):
    # The same clip with every timestamp moved 5 s later: -ss 2.708 still means the second
    # cut, so the reported times must not move.
    shifted = tmp_path / "shifted.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-protocol_whitelist", "file", "-i",
         str(media_dir / TEARS), "-c", "copy", "-output_ts_offset", "5", str(shifted)],
        check=True,
    )  # fmt: skip
    start_time = run_ffprobe(shifted, CONFIG, ["-show_entries", "format=start_time"])["format"]["start_time"]
    assert float(start_time) == pytest.approx(5.0, abs=0.01)
    assert detect_scenes(shifted, CONFIG).cuts == pytest.approx(TEARS_CUTS, abs=TOLERANCE)
    assert detect_scenes(shifted, CONFIG, start=2.0, end=3.0).cuts == pytest.approx([2.708], abs=TOLERANCE)


def test_it_refuses_a_file_without_video(media_dir):
    with pytest.raises(MediaError, match="no video stream"):
        detect_scenes(media_dir / "en_jfk_inaugural_1961.flac", CONFIG)


def test_it_finds_nothing_in_an_empty_range_and_refuses_a_negative_start(media_dir):
    assert detect_scenes(media_dir / TEARS, CONFIG, start=4.0, end=4.0) == SceneCuts(start=4.0, end=4.0)
    with pytest.raises(MediaError, match="before 0 s"):
        detect_scenes(media_dir / TEARS, CONFIG, start=-1.0)


def test_it_prints_cuts_as_json_from_the_command_line(media_dir, capsys):
    status = cli.main(["--quiet", "scenes", str(media_dir / HAMILTON), "--start", "3", "--end", "9"], {})
    printed = json.loads(capsys.readouterr().out)
    assert status == 0
    assert printed["start"] == 3.0 and printed["end"] == 9.0
    assert printed["cuts"] == pytest.approx(HAMILTON_CUTS[1:], abs=TOLERANCE)


def test_it_flags_a_range_whose_keyframes_differ_across_a_cut(media_dir):
    # Tears of Steel's keyframes sit at 0, 2.708 and 7.708 s; the cut at 0.875 s lies
    # between the first two, whose pictures are of different shots.
    assert may_hold_cut(media_dir / TEARS, CONFIG, start=0.5, end=1.5)


def test_it_rules_out_a_cut_in_a_single_shot_talk_from_its_keyframes():
    # The talk loops one 9.4 s shot, each loop starting on a keyframe: the keyframes around
    # the range show the same seated woman.
    assert not may_hold_cut(build_talk_video(30, 640, 360), CONFIG, start=12.0, end=20.0)


def test_it_cannot_rule_out_a_cut_without_two_keyframes_to_compare(media_dir):
    # The s18 clip has one keyframe, at 0 s: nothing to compare it with.
    assert may_hold_cut(media_dir / "vid_face_landscape_liveportrait_s18.mp4", CONFIG, start=2.0, end=5.0)
