import fnmatch, os, sys, time, numpy as np
from pathlib import Path
from bench.moments import prepare, read_talk
from bench.train_moments import DATA
from pipeline.config import PipelineConfig
from pipeline.moments.embeddings import embed
only = sys.argv[1:]
config = PipelineConfig.from_env(os.environ)
for path in sorted((DATA / "tune").glob("*.txt")):
    if not any(fnmatch.fnmatch(path.stem, o) for o in only):
        continue
    out = Path(f"/tmp/s65/pairs/{path.stem}.npy")
    if out.exists():
        continue
    began = time.perf_counter()
    prepared = prepare(path, read_talk(path), config, audio_only=True, fresh=False, gaps="blind")
    texts = [s.sentence.strip() for s in prepared.transcript.sentences]
    pairs = [f"{a} {b}" for a, b in zip(texts, texts[1:] + [""])]
    np.save(out, embed(pairs))
    print(path.stem, f"{time.perf_counter() - began:.1f}s", flush=True)
