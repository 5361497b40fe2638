"""Speaker turns: which of two voices speaks each sentence, and clip edges that follow them.

In a conversation a moment is an exchange: it starts at the question and ends where the
answer ends, not on the host's "Huh. Okay." that follows it. Nothing in the transcript's
words says who speaks, so the voice is read from the audio:

* Each sentence's voice is the mean of its loud frames' mel cepstrum (coefficients 1-19;
  the 0th, loudness, is left out), standardised over the talk.
* The sentences are split into two groups (two-means, started from the sign of the first
  principal component, so the result is deterministic). The talk has two voices when the
  groups stand at least :data:`TWO_VOICES` pooled standard deviations apart along the line
  joining their centres: one speaker split in two measures 1.9-2.9 on the benchmark's solo
  talks and 2.8-3.5 on real readers, two speakers 8-17 on its conversations and 4.8-10.4
  on real readers taking turns (docs/benchmarks.md, "Speaker turns"). Two voices that
  measure less are taken for one, and then no edge moves.

:func:`choose_on_turns` chooses each chosen clip again among the candidate windows that
share enough of its time (:data:`SAME_MOMENT_IOU`) and neither touch nor repeat another
clip, taking a window as :data:`TURN_EDGE_LOG_ODDS` more likely one whole moment for each
of its edges that falls where a speaker's turn starts or ends: the clip stays on the moment
the ranker chose while its edges move onto the exchange. :func:`follow_turns` then moves a
chosen clip's edges, one rule each:

* a clip that starts on an answer, or one sentence into it, starts at the other voice's
  question just before;
* a clip whose last :data:`REACTION_SECONDS` or less are the other voice's reaction ends
  before it;
* a clip that stops one sentence before its speaker's turn ends takes that sentence too;

while the clip stays within its length bounds and off every other clip.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from pipeline.audio import SAMPLE_RATE
from pipeline.moments.boundaries import Edges, repeats
from pipeline.moments.features import TranscriptAnalysis

TWO_VOICES = 5.0
# Log-odds added to a window for each of its edges on a turn change when a chosen clip is
# chosen again, and the least share of their joint time (intersection over union) the
# window must have in common with the clip: with any overlap a clip can drift onto the next
# moment (docs/benchmarks.md, "The twenty-second round's candidate"); below about a quarter
# it starts to (docs/benchmarks.md, "The twenty-fourth round's candidate").
TURN_EDGE_LOG_ODDS = 2.0
SAME_MOMENT_IOU = 0.35
# The other voice's tail at a clip's end is a reaction to cut when it lasts this long or less.
REACTION_SECONDS = 6.0
# A few points in 19 dimensions split into two groups that stand apart by chance, so a
# talk needs this many sentences with voice (a few minutes of speech) to be judged, and
# each voice at least a few of them.
MIN_SENTENCES = 40
MIN_SENTENCES_PER_VOICE = 3
_FRAME, _HOP, _FFT, _MELS, _CEPSTRA = 400, 320, 512, 40, 20
# Frames quieter than this share of the talk's frames are silence or breath, not voice.
_QUIET_SHARE = 30
# A sentence places the voices' groups with this many loud frames (0.5 s), and is given a
# voice of its own with at least this few (0.1 s).
_SOLID_FRAMES, _HEARD_FRAMES = 25, 5
_CHUNK = 8192
_ITERATIONS = 30


@dataclasses.dataclass(frozen=True)
class Turns:
    """``voice[i]`` (0 or 1) speaks sentence ``i``; ``separation`` is the groups' distance."""

    voice: np.ndarray
    separation: float

    # Plain bools, not numpy's: two of numpy's add as "or", a trap for a caller that counts.
    def starts_turn(self, index: int) -> bool:
        return index == 0 or bool(self.voice[index] != self.voice[index - 1])

    def ends_turn(self, index: int) -> bool:
        return index == len(self.voice) - 1 or bool(self.voice[index] != self.voice[index + 1])

    def turn_start(self, index: int) -> int:
        while not self.starts_turn(index):
            index -= 1
        return index


def read_turns(audio: np.ndarray | None, starts: np.ndarray, ends: np.ndarray) -> Turns | None:
    """The two voices of ``audio`` (16 kHz mono) in the sentences spoken from ``starts[i]`` to
    ``ends[i]`` seconds, or ``None`` when there is no audio or only one voice is heard."""
    turns = split_voices(audio, starts, ends)
    return turns if turns is not None and turns.separation >= TWO_VOICES else None


def split_voices(audio: np.ndarray | None, starts: np.ndarray, ends: np.ndarray) -> Turns | None:
    """The sentences of ``audio`` split into two voices however close they are (see
    :func:`read_turns`), or ``None`` when there are too few sentences to split."""
    if audio is None or len(starts) < MIN_SENTENCES:
        return None
    cepstra, loudness = _cepstra(audio)
    if not len(cepstra):
        return None
    loud = loudness > np.percentile(loudness, _QUIET_SHARE)
    vectors, frames_heard = [], []
    for start, end in zip(starts, ends, strict=True):
        a, b = int(start * SAMPLE_RATE / _HOP), int(end * SAMPLE_RATE / _HOP) + 1
        frames = cepstra[a:b][loud[a:b]]
        frames_heard.append(len(frames))
        vectors.append(frames.mean(axis=0) if len(frames) else np.zeros(cepstra.shape[1]))
    heard = np.array(frames_heard)
    # Only sentences with enough voice place the groups: an "Okay." is too short to trust.
    solid = heard >= _SOLID_FRAMES
    if solid.sum() < MIN_SENTENCES:
        return None
    vectors_ = np.array(vectors)
    centre, scale = vectors_[solid].mean(axis=0), vectors_[solid].std(axis=0) + 1e-9
    points = (vectors_ - centre) / scale
    groups = _two_means(points[solid])
    if np.bincount(groups, minlength=2).min() < MIN_SENTENCES_PER_VOICE:
        return None
    centres = np.array([points[solid][groups == g].mean(axis=0) for g in (0, 1)])
    separation = _separation(points[solid], groups, centres)
    voice = ((points[:, None, :] - centres[None]) ** 2).sum(axis=2).argmin(axis=1).astype(np.int8)
    voice[solid] = groups
    # A sentence with almost no voice heard keeps the voice before it.
    for index in np.flatnonzero(heard[1:] < _HEARD_FRAMES) + 1:
        voice[index] = voice[index - 1]
    return Turns(voice, round(separation, 2))


def choose_on_turns(
    kept: Sequence[tuple[int, int]],
    turns: Turns,
    likelihood: Mapping[tuple[int, int], float],
    edges: Edges,
    *,
    analysis: TranscriptAnalysis,
    taken: Sequence[tuple[int, int]] = (),
) -> list[tuple[int, int]]:
    """``kept`` (sentence ranges) with each range chosen again among the candidate ranges of
    ``likelihood`` (range -> the ranker's log-odds) whose padded time (``edges``) shares at
    least :data:`SAME_MOMENT_IOU` of the joint time with it and that neither touch nor, read
    in the ``analysis``, repeat another range of ``kept`` or ``taken``
    (:func:`~pipeline.moments.boundaries.repeats`): the most likely once each gains
    :data:`TURN_EDGE_LOG_ODDS` for starting a turn and again for ending one, the shorter then
    the later-starting on a tie. A range stays unless another is likelier; one that is not a
    candidate stays."""

    def lifted(start: int, end: int) -> tuple[float, int, int]:
        turn_edges = turns.starts_turn(start) + turns.ends_turn(end)
        return likelihood[start, end] + TURN_EDGE_LOG_ODDS * turn_edges, -end, start

    chosen = []
    for index, (first, last) in enumerate(kept):
        if (first, last) not in likelihood:
            chosen.append((first, last))
            continue
        others = [*kept[:index], *kept[index + 1 :], *taken]
        clip_start, clip_end = edges.starts[first], edges.ends[last]
        best, best_value = (first, last), lifted(first, last)
        for start, end in likelihood:
            if end < first or start > last or any(start <= b and a <= end for a, b in others):
                continue
            window_start, window_end = edges.starts[start], edges.ends[end]
            shared = min(clip_end, window_end) - max(clip_start, window_start)
            if shared < SAME_MOMENT_IOU * (max(clip_end, window_end) - min(clip_start, window_start)):
                continue
            value = lifted(start, end)
            # The choice already dropped a moment told twice; moving a clip's edges must not
            # grow it onto the other telling (the "moment told twice" scenario in a talk).
            if value > best_value and not repeats(analysis, (start, end), others):
                best, best_value = (start, end), value
        chosen.append(best)
    return chosen


# Prototype: each clip chosen again as the window of least expected edge error.
EXPECTED_ERROR_TEMPERATURE = None


def choose_by_expected_error(
    kept: Sequence[tuple[int, int]],
    likelihood: Mapping[tuple[int, int], float],
    edges: Edges,
    *,
    analysis: TranscriptAnalysis,
    turns: Turns | None = None,
    taken: Sequence[tuple[int, int]] = (),
    temperature: float = 1.0,
) -> list[tuple[int, int]]:
    """Each range of ``kept`` chosen again among the same candidates as :func:`choose_on_turns`
    (sharing SAME_MOMENT_IOU of its time, touching and repeating no other), as the one whose
    edges are nearest on average to every candidate's, each weighed by its probability
    (softmax of ``temperature`` times its log-odds, turn-lifted when ``turns``)."""

    def value(start: int, end: int) -> float:
        lift = 0.0 if turns is None else TURN_EDGE_LOG_ODDS * (turns.starts_turn(start) + turns.ends_turn(end))
        return likelihood[start, end] + lift

    chosen = []
    for index, (first, last) in enumerate(kept):
        if (first, last) not in likelihood or not np.isfinite(likelihood[first, last]):
            chosen.append((first, last))
            continue
        others = [*kept[:index], *kept[index + 1 :], *taken]
        clip_start, clip_end = edges.starts[first], edges.ends[last]
        candidates = [(first, last)]
        for start, end in likelihood:
            if (start, end) == (first, last) or end < first or start > last:
                continue
            if not np.isfinite(likelihood[start, end]) or any(start <= b and a <= end for a, b in others):
                continue
            window_start, window_end = edges.starts[start], edges.ends[end]
            shared = min(clip_end, window_end) - max(clip_start, window_start)
            if shared < SAME_MOMENT_IOU * (max(clip_end, window_end) - min(clip_start, window_start)):
                continue
            if repeats(analysis, (start, end), others):
                continue
            candidates.append((start, end))
        values = np.array([value(*c) for c in candidates])
        weights = np.exp(temperature * (values - values.max()))
        weights /= weights.sum()
        starts = np.array([edges.starts[c[0]] for c in candidates])
        ends = np.array([edges.ends[c[1]] for c in candidates])
        loss = np.abs(starts[:, None] - starts[None]) @ weights + np.abs(ends[:, None] - ends[None]) @ weights
        chosen.append(candidates[int(np.argmin(loss))])
    return chosen


EARLIER_START_LOG_ODDS = None
EARLIER_LINES = 3


def start_earlier(
    kept: Sequence[tuple[int, int]],
    likelihood: Mapping[tuple[int, int], float],
    *,
    taken: Sequence[tuple[int, int]] = (),
    per_line: float,
    lines: int = EARLIER_LINES,
) -> list[tuple[int, int]]:
    """Prototype: each range may start up to ``lines`` earlier, with the same end, each line
    earlier worth ``per_line`` log-odds."""
    chosen = []
    for index, (first, last) in enumerate(kept):
        others = [*kept[:index], *kept[index + 1 :], *taken]
        best, best_value = (first, last), likelihood.get((first, last), -np.inf)
        for start in range(first - 1, max(-1, first - lines - 1), -1):
            if (start, last) not in likelihood or any(start <= b and a <= last for a, b in others):
                break
            value = likelihood[start, last] + per_line * (first - start)
            if value > best_value:
                best, best_value = (start, last), value
        chosen.append(best)
    return chosen


def follow_turns(
    kept: Sequence[tuple[int, int]],
    turns: Turns,
    analysis: TranscriptAnalysis,
    edges: Edges,
    *,
    min_length: float,
    max_length: float,
    taken: Sequence[tuple[int, int]] = (),
) -> list[tuple[int, int]]:
    """``kept`` (sentence ranges) with each edge moved to the turns by the module's rules; a
    range keeps its old edges when the moved ones would leave ``min_length..max_length``
    seconds or touch another range of ``kept`` or ``taken``."""
    signals, count = analysis.signals, len(analysis.sentences)

    def fits(first: int, last: int) -> bool:
        return min_length <= edges.ends[last] - edges.starts[first] <= max_length

    moved = []
    for index, (first, last) in enumerate(kept):
        start = first
        if first > 0:
            opening = turns.turn_start(first)
            if first - opening <= 1 and opening > 0 and signals[opening - 1].question:
                start = opening - 1
        end = last
        for change in range(last, start, -1):
            if turns.starts_turn(change):
                if edges.ends[last] - edges.starts[change] <= REACTION_SECONDS:
                    end = change - 1
                break
        turn_ends_next = last + 1 < count and not turns.starts_turn(last + 1)
        if end == last and turn_ends_next and (last + 2 == count or turns.starts_turn(last + 2)):
            end = last + 1
        if not fits(start, end):
            start, end = (start, last) if fits(start, last) else (first, last)
        others = [*kept[:index], *kept[index + 1 :], *taken]
        if any(start <= b and a <= end for a, b in others):
            start, end = first, last
        moved.append((start, end))
    return moved


def power_spectra(audio: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The windowed power spectra of ``audio``'s 20 ms frames, a chunk at a time, each with
    its frames' indexes (also the floor ``bench.turns`` measures the voices against)."""
    count = _frame_count(audio)
    window, offsets = np.hanning(_FRAME).astype(np.float32), np.arange(_FRAME)
    for begin in range(0, count, _CHUNK):
        frames = np.arange(begin, min(count, begin + _CHUNK))
        yield frames, np.abs(np.fft.rfft(audio[offsets[None, :] + _HOP * frames[:, None]] * window, _FFT)) ** 2


def _frame_count(audio: np.ndarray) -> int:
    return 1 + (len(audio) - _FRAME) // _HOP if len(audio) >= _FRAME else 0


def _cepstra(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mel cepstra 1-19 and the loudest mel band (log power) of every 20 ms frame."""
    count = _frame_count(audio)
    cepstra = np.empty((count, _CEPSTRA - 1), dtype=np.float32)
    loudness = np.empty(count, dtype=np.float32)
    for frames, power in power_spectra(audio):
        log_mel = np.log(power @ _MEL_BANK.T + 1e-10)
        loudness[frames] = log_mel.max(axis=1)
        cepstra[frames] = log_mel @ _DCT.T
    return cepstra, loudness


def _mel_bank() -> np.ndarray:
    def mel(hz):
        return 2595 * np.log10(1 + hz / 700)

    corners = 700 * (10 ** (np.linspace(mel(60), mel(7600), _MELS + 2) / 2595) - 1)
    bins = np.fft.rfftfreq(_FFT, 1 / SAMPLE_RATE)
    low, centre, high = corners[:-2, None], corners[1:-1, None], corners[2:, None]
    return np.clip(np.minimum((bins - low) / (centre - low), (high - bins) / (high - centre)), 0, None)


_MEL_BANK = _mel_bank().astype(np.float32)
_DCT = np.cos(np.pi / _MELS * (np.arange(_MELS)[None, :] + 0.5) * np.arange(1, _CEPSTRA)[:, None]).astype(np.float32)


def _two_means(points: np.ndarray) -> np.ndarray:
    """Two groups of ``points``, started from the sign of the first principal component."""
    axis = np.linalg.svd(points, full_matrices=False)[2][0]
    groups = (points @ axis > 0).astype(np.int8)
    for _ in range(_ITERATIONS):
        if groups.min() == groups.max():
            break
        centres = np.array([points[groups == g].mean(axis=0) for g in (0, 1)])
        distances = ((points[:, None, :] - centres[None]) ** 2).sum(axis=2)
        regrouped = distances.argmin(axis=1).astype(np.int8)
        if np.array_equal(regrouped, groups):
            break
        groups = regrouped
    return groups


def _separation(points: np.ndarray, groups: np.ndarray, centres: np.ndarray) -> float:
    """The groups' ``centres`` apart, in pooled standard deviations along the line joining them."""
    axis = centres[1] - centres[0]
    axis = axis / (np.linalg.norm(axis) + 1e-12)
    along = points @ axis
    spread = np.sqrt((along[groups == 0].var() + along[groups == 1].var()) / 2) + 1e-9
    return float(abs(along[groups == 1].mean() - along[groups == 0].mean()) / spread)
