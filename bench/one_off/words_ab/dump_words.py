"""Dump the local analyser's words for cached tuning talks as JSON lines (one-off audit)."""
import json, sys
from pathlib import Path
from bench.moments import DATA, read_talk
from bench.moments import prepare
from bench.moment_judges import GAPS
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions
from pipeline.moments.features import analyse_transcript
from pipeline.moments.local import LocalAnalyser, rank_moments

config = PipelineConfig()
names = [l.strip() for l in open(sys.argv[1]) if l.strip()]
out = open(sys.argv[2], "w")
for name in names:
    path = DATA / "tune" / f"{name}.txt"
    if not path.exists():
        path = DATA / "eval" / f"{name}.txt"
    talk = read_talk(path)
    try:
        prepared = prepare(path, talk, config, audio_only=True, fresh=False, gaps=GAPS)
    except Exception as e:
        print("skip", name, e, file=sys.stderr); continue
    analysis = analyse_transcript(prepared.transcript)
    k = len(prepared.planted)
    local = LocalAnalyser(analysis, ClipOptions(model="ClipBasic", clip_count=k), prepared.audio)
    spans, _ = local.find(k)
    for m in rank_moments([local.describe(s) for s in spans]):
        out.write(json.dumps({"talk": name, "genre": talk.genre, "rank": m.rank, "score": m.score, "title": m.title,
            "question": m.hooks.question, "statement": m.hooks.statement, "description": m.description,
            "hashtags": m.hashtags, "reason": m.reason, "transcript": m.transcript}) + "\n")
    out.flush()
