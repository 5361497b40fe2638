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

When each chosen clip is chosen again (:mod:`pipeline.moments.choice`), a window is taken
as :data:`TURN_EDGE_LOG_ODDS` more likely one whole moment for each of its edges that falls
where a speaker's turn starts or ends (:meth:`Turns.lift`): the clip stays on the moment
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
from collections.abc import Iterator, Sequence

import numpy as np

from pipeline.audio import SAMPLE_RATE
from pipeline.moments.boundaries import Edges
from pipeline.moments.features import TranscriptAnalysis

TWO_VOICES = 5.0
# Log-odds added to a window for each of its edges on a turn change when a chosen clip is
# chosen again (docs/benchmarks.md, "The twenty-second round's candidate").
TURN_EDGE_LOG_ODDS = 2.0
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

    def lift(self, first: int, last: int) -> float:
        """The log-odds a window of sentences ``first`` to ``last`` gains for its edges on turn
        changes: :data:`TURN_EDGE_LOG_ODDS` for starting a turn and again for ending one."""
        return TURN_EDGE_LOG_ODDS * (self.starts_turn(first) + self.ends_turn(last))


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
