"""One-off (session 69, not shipped): where the analyser's late starts come from, on tuning talks.

``lines GLOB GENRE``: for every planted moment the shipped analyser covers, how many lines
its clip starts after (or before) the writer's first line, with the lines between.
``why GLOB GENRE``: for clips that start one sentence after the writer's, the ranking's
log-odds of the window starting on the writer's line against the clip's (same end), and
each feature's part of the difference (coefficient times standardised difference).
``probes GLOB``: how well each per-line reading (``leans_forward``: its embedding's cosine
with the next line's less that with the line before) tells a skipped first line (the clip starts
one sentence after it: it should be in) from the line before a clip that starts right (it
should stay out), as AUC, and the true and false inclusions of a threshold on the probes.
``oracle GLOB GENRE``: the start offsets again with each planted moment's first line read
as surely content as the line after it, then also with the topic break before it as strong
as the one after it (the labels leak in: a ceiling for any better reading of a moment's
first line, not a candidate).
Run with PYTHONPATH=. on blind-cached talks (``bench.moments --gaps blind``).
"""

import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from bench.moment_judges import GAPS, lines_of
from bench.moments import DATA, covering, prepare, read_talk, spoken_utterances
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions
from pipeline.moments.boundaries import Edges
from pipeline.moments.features import analyse_transcript
from pipeline.moments.local import LocalAnalyser
from pipeline.moments.ranker import EDGE_EVIDENCE_LOGITS, FEATURES, WindowEvidence, load_model

CONFIG = PipelineConfig()
MODEL = load_model()


def talks(pattern, genre=None, oracle=()):
    for path in sorted(Path(DATA / "tune").glob(pattern)):
        talk = read_talk(path)
        if genre and talk.genre != genre:
            continue
        prepared = prepare(path, talk, CONFIG, audio_only=True, fresh=False, gaps=GAPS)
        k = len(prepared.planted)
        analysis = analyse_transcript(prepared.transcript)
        if oracle:
            # The labels leak in: each moment's first line read as surely content as the line
            # after it ("content"), and the topic break before it as strong as the one after ("break").
            starts = Edges(analysis).starts
            for moment in prepared.planted:
                w = int(np.argmin(np.abs(starts - moment.start)))
                if w + 1 < len(starts):
                    readings = [analysis.content, analysis.content_alone] if "content" in oracle else []
                    for reading in readings + ([analysis.breaks] if "break" in oracle else []):
                        reading[w] = max(reading[w], reading[w + 1])
        local = LocalAnalyser(analysis, ClipOptions(model="ClipBasic", clip_count=k), prepared.audio)
        spans, _ = local.find(k)
        for moment in prepared.planted:
            clip = covering(moment, spans)
            if clip is not None:
                writer = int(np.argmin(np.abs(local.edges.starts - moment.start)))
                yield path, talk, prepared, local, moment, clip, writer


def lines(pattern, genre):
    deltas = Counter()
    for path, talk, prepared, _, moment, clip, _ in talks(pattern, genre):
        spoken = spoken_utterances(talk.blocks, Path(prepared.media).parent, GAPS)
        text = lines_of(talk)
        w = min(range(len(spoken)), key=lambda i: abs(spoken[i].start - moment.start))
        a = min(range(len(spoken)), key=lambda i: abs(spoken[i].start - clip.start))
        deltas[a - w] += 1
        if a != w:
            print(f"== {path.stem} {moment.label} start {a - w:+d} lines")
            for i in range(min(a, w) - 1, max(a, w) + 1):
                mark = ("W" if i == w else " ") + ("A" if i == a else " ")
                print(f"  {mark} {i + 1:3d} {text[i].speaker}: {text[i].text[:150]}")
    print("clip start minus the writer's, in lines:", sorted(deltas.items()))


def oracle(pattern, genre):
    for leaked in ((), ("content",), ("content", "break")):
        deltas = Counter(clip.first - w for *_, clip, w in talks(pattern, genre, oracle=leaked))
        name = " and ".join(leaked) or "as shipped"
        print(f"{name}: clip start minus the writer's, in sentences: {sorted(deltas.items())}")


def why(pattern, genre):
    parts, gaps = defaultdict(list), []
    for path, _, _, local, moment, clip, w in talks(pattern, genre):
        e = clip.last
        if w != clip.first - 1 or (w, e) not in local.likelihood:
            continue
        evidence = WindowEvidence(local.analysis, MODEL.probes)
        z = [(evidence.row(f, e, local.scorer.scored(f, e)) - MODEL.mean) / MODEL.scale for f in (w, clip.first)]
        gaps.append(local.likelihood[w, e] - local.likelihood[clip.first, e])
        for name, value in zip(FEATURES, (z[0] - z[1]) * MODEL.coef[:-1], strict=True):
            parts[name].append(value)
        parts["edge evidence"].append(
            EDGE_EVIDENCE_LOGITS * (evidence.edge_evidence(w, e) - evidence.edge_evidence(clip.first, e))
        )
        print(f"{path.stem} {moment.label}: {gaps[-1]:+.2f} {local.analysis.sentences[w].sentence[:70]!r}")
    print(f"{len(gaps)} clips one sentence late; the writer's window's log-odds minus the clip's: {np.mean(gaps):+.2f}")
    for name, values in sorted(parts.items(), key=lambda item: np.mean(item[1])):
        if abs(np.mean(values)) >= 0.05:
            print(f"  {name}: {np.mean(values):+.3f}")


def _cosine(embeddings, one, other):
    if other < 0 or other >= len(embeddings):
        return 0.0
    a, b = embeddings[one], embeddings[other]
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def probes(pattern):
    rows = []
    for _, talk, _, local, _, clip, w in talks(pattern):
        if clip.first == w + 1:
            line, wanted = w, 1
        elif clip.first == w and w > 0:
            line, wanted = w - 1, 0
        else:
            continue
        evidence, a = WindowEvidence(local.analysis, MODEL.probes), local.analysis
        rows.append((talk.genre, wanted, {
            "opens": evidence.opens[line], "opens_beside": evidence.opens_beside[line],
            "content_alone": a.content_alone[line], "content": a.content[line],
            "words": len(a.sentences[line].sentence.split()), "joins": evidence.joins(line, line + 1, clip.last),
            "leans_forward": _cosine(a.embeddings, line, line + 1) - _cosine(a.embeddings, line, line - 1),
        }))
    names = list(rows[0][2])
    for genre in [*sorted({r[0] for r in rows}), "all"]:
        chosen = [r for r in rows if genre in ("all", r[0])]
        wanted = np.array([r[1] for r in chosen]) == 1
        aucs = []
        for name in names:
            x = np.array([r[2][name] for r in chosen])
            pos, neg = x[wanted], x[~wanted]
            aucs.append(f"{name} {(pos[:, None] > neg).mean() + 0.5 * (pos[:, None] == neg).mean():.2f}")
        print(f"{genre}: {wanted.sum()} to take in, {(~wanted).sum()} to leave out; AUC " + ", ".join(aucs))
    x, wanted = np.array([r[2]["opens_beside"] for r in rows]), np.array([r[1] for r in rows]) == 1
    for share in (0.99, 0.97, 0.95, 0.9, 0.85):
        above = x > np.quantile(x, share)
        print(f"opens_beside above its {share:.0%} quantile: {(above & wanted).sum()} rightly taken in, "
              f"{(above & ~wanted).sum()} wrongly")


if __name__ == "__main__":
    {"lines": lines, "why": why, "probes": probes, "oracle": oracle}[sys.argv[1]](*sys.argv[2:])
