"""The multilingual Whisper model ``base``: its installer, its name, and a Spanish source end to end.

The model's wheels are installed by ``make multilingual`` (run by ``scripts/setup.sh``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import subprocess
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from pipeline import render, transcribe, whisper_models
from pipeline.audio import SAMPLE_RATE, decode_audio
from pipeline.cli import main
from pipeline.config import PipelineConfig
from pipeline.errors import ConfigError
from pipeline.probe import probe
from pipeline.transcribe import resolve_model_path
from tests.media import SHARED_MEDIA, TALK_FACE_VIDEO, cached

SPANISH_SPEECH = "es_librivox_prose.mp3"
# Frequent Spanish words, and English ones that no Spanish sentence contains.
SPANISH_WORDS = {"de", "la", "que", "el", "en", "y", "los", "las", "del", "mi", "tu", "te", "me", "con",
                 "por", "una", "un", "se", "no", "muy", "para", "ya", "está", "tamayo"}  # fmt: skip
ENGLISH_WORDS = {"the", "and", "of", "to", "is", "you", "that", "it", "what", "why", "did", "know", "speaker"}
# Phrases of the English templates that titles and hooks must not fall back on.
ENGLISH_TEMPLATES = ("did you know", "why should you", "the speaker", "can you guess", "this clip")
ENV = {"WHISPER_MODEL": "base", "WHISPER_DEVICE": "cpu", "RENDER_PRESET": "ultrafast"}
SIZE = 240


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def build_spanish_talk(seconds: float) -> Path:
    """The first ``seconds`` of the Spanish reading over the looped face video, 640x360 H.264/AAC."""

    def build(out: Path) -> None:
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-stream_loop", "-1",
             "-i", str(SHARED_MEDIA / TALK_FACE_VIDEO), "-i", str(SHARED_MEDIA / SPANISH_SPEECH),
             "-map", "0:v:0", "-map", "1:a:0", "-t", f"{seconds:g}",
             "-vf", "scale=640:360,setsar=1,fps=25,format=yuv420p", "-c:v", "libx264", "-preset", "ultrafast",
             "-c:a", "aac", "-b:a", "96k", "-f", "mp4", str(out)],
            check=True, capture_output=True,
        )  # fmt: skip

    return cached(f"spanish-talk-{seconds:g}s", ".mp4", build)


def gray_frame(video: Path, at: float) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-ss", f"{at:.3f}", "-i", str(video), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(-1, SIZE).astype(np.int16)


def first_caption_after(document: str, seconds: float) -> tuple[float, float]:
    """(start, end) in clip seconds of the first caption event starting after ``seconds``."""
    for start, end in re.findall(r"^Dialogue: 0,([\d:.]+),([\d:.]+),Caption,", document, re.M):
        begin, stop = (sum(float(p) * 60**i for i, p in enumerate(reversed(t.split(":")))) for t in (start, end))
        if begin >= seconds:
            return begin, stop
    raise AssertionError("no caption event")


def test_it_assembles_base_from_its_wheels_once_and_checks_it(tmp_path):
    target = tmp_path / "whisper-base"
    assert whisper_models.install_base(target) is True
    assert hashlib.sha256((target / "model.bin").read_bytes()).hexdigest() == whisper_models.BASE_MODEL_SHA256
    assert {p.name for p in target.iterdir()} >= {"model.bin", "config.json", "tokenizer.json", "vocabulary.json"}
    assert whisper_models.is_base_installed(target)
    assert whisper_models.install_base(target) is False  # already there: nothing done


@pytest.mark.parametrize("name", ["model.bin", "tokenizer.json"])
def test_it_refuses_an_assembled_model_whose_checksum_differs(tmp_path, monkeypatch, name):
    if name == "model.bin":
        monkeypatch.setattr(whisper_models, "BASE_MODEL_SHA256", "0" * 64)
    else:
        monkeypatch.setitem(whisper_models.BASE_MODEL_FILES, name, "0" * 64)
    with pytest.raises(ConfigError, match=f"{re.escape(name)} that does not match the checksum"):
        whisper_models.install_base(tmp_path / "whisper-base")
    assert list(tmp_path.iterdir()) == []  # neither the model nor its staging folder is left


def test_it_names_make_multilingual_when_base_is_missing_or_from_other_pins(tmp_path, monkeypatch):
    monkeypatch.setattr(whisper_models, "base_model_dir", lambda: tmp_path)
    with pytest.raises(ConfigError, match="make multilingual"):
        resolve_model_path("base")
    whisper_models.install_base(tmp_path)
    assert resolve_model_path("base") == str(tmp_path)
    monkeypatch.setattr(whisper_models, "BASE_MODEL_SHA256", "0" * 64)  # the pins moved on
    with pytest.raises(ConfigError, match="make multilingual"):
        resolve_model_path("base")


def test_it_keeps_tiny_en_the_default_and_reads_base_from_whisper_model():
    assert whisper_models.packaged_model_name(PipelineConfig.from_env({}).whisper_model) == "tiny.en"
    assert PipelineConfig.from_env({"WHISPER_MODEL": "base"}).whisper_model == "base"
    assert resolve_model_path("base") == str(whisper_models.base_model_dir())
    assert whisper_models.packaged_model_name(str(whisper_models.base_model_dir())) == "base"


@pytest.mark.slow
def test_it_detects_the_language_once_and_decodes_every_part_in_it():
    config = PipelineConfig.from_env(ENV)
    audio = decode_audio(SHARED_MEDIA / SPANISH_SPEECH, config)
    side_by_side = functools.partial(transcribe._load, resolve_model_path("base"), "cpu", "int8", 1, 2)
    parts = transcribe.Decoders(transcribe.load_model(config), 2, side_by_side, min_part_seconds=15.0)

    words, language = parts.batched(audio, None, 8)

    bounds = transcribe._part_bounds(audio, 4, 15.0)
    assert language == "es" and len(bounds) == 4
    for first, last in bounds:
        said = tokens(" ".join(w[0] for w in words if first / SAMPLE_RATE <= w[1] < last / SAMPLE_RATE))
        assert len(set(said) & SPANISH_WORDS) >= 3 and not set(said) & ENGLISH_WORDS, said


@pytest.mark.slow
def test_it_clips_a_spanish_talk_with_spanish_transcripts_captions_and_titles(tmp_path, capsys):
    source = build_spanish_talk(40)
    out = tmp_path / "out"
    argv = ["--quiet", "clip", str(source), "--out", str(out), "--clips", "1", "--min-length", "10",
            "--max-length", "15", "--size", str(SIZE)]  # fmt: skip
    documents: list[str] = []
    write_ass = render.ass_captions.write_ass

    def keep(path: Path, document: str) -> Path:
        documents.append(document)
        return write_ass(path, document)

    with mock.patch.object(render.ass_captions, "write_ass", side_effect=keep):
        assert main(argv, ENV) == 0
    run = json.loads(capsys.readouterr().out)
    assert run["language"] == "es"
    [clip] = run["clips"]
    assert not clip["error"], clip["errorMessage"]
    said = tokens(clip["transcript"])
    assert len(set(said) & SPANISH_WORDS) >= 3 and not set(said) & ENGLISH_WORDS, clip["transcript"]

    # Title and hooks: Spanish, from the transcript, never an English template.
    for text in (clip["title"], clip["hooks"]["question"], clip["hooks"]["statement"]):
        assert text and not any(phrase in text.lower() for phrase in ENGLISH_TEMPLATES), text
        assert not set(tokens(text)) & ENGLISH_WORDS, text
    for text in (clip["title"], clip["hooks"]["statement"]):
        assert set(tokens(text)) <= set(said), text

    # Captions: the ASS handed to the renderer holds the Spanish words, and they are burned
    # in: the caption band differs from the same clip rendered without captions.
    [document] = documents
    shown = tokens(" ".join(re.findall(r"^Dialogue: .*,Caption,,0,0,0,,(.*)$", document, re.M)))
    assert len(set(shown) & SPANISH_WORDS) >= 3 and not set(shown) & ENGLISH_WORDS, shown
    clip_file = out / clip["file"]
    assert clip_file.stat().st_size > 10_000
    plain = render.render_clip(
        source, probe(source, PipelineConfig()), clip["startTime"], clip["endTime"], [],
        render.RenderOptions(short_side=SIZE, captions=False, auto_hook=False), tmp_path / "plain.mp4",
        tmp_path / "plain.jpg", PipelineConfig(render_preset="ultrafast"),
    )  # fmt: skip
    assert not plain.error, plain.error_message
    start, end = first_caption_after(document, 3.5)  # after the hook card
    at = (start + end) / 2
    captioned, bare = gray_frame(clip_file, at), gray_frame(Path(plain.path), at)
    height = captioned.shape[0]
    band = slice(round(height * 0.45), round(height * 0.80))  # where hormozi's lines sit
    changed = np.abs(captioned - bare)[band] > 60
    assert changed.mean() > 0.01, f"only {changed.mean():.2%} of the caption band changed"
