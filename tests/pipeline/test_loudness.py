"""Loudness measurement and normalisation on real audio made by ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeline import loudness
from pipeline.config import PipelineConfig
from pipeline.errors import MediaError
from tests.media import SHARED_MEDIA

CONFIG = PipelineConfig()


def make_audio(path: Path, source: str, seconds: float = 6.0) -> Path:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-t", f"{seconds}",
         "-ar", "48000", "-ac", "2", path],
        check=True,
    )  # fmt: skip
    return path


def normalised(tmp_path: Path, source: Path) -> loudness.Loudness:
    audio_filter = loudness.normalising_filter(loudness.measure(source, CONFIG))
    out = tmp_path / "out.wav"
    graph = f"{audio_filter},aresample=48000" if audio_filter else "anull"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", source, "-af", graph, out], check=True)
    return loudness.measure(out, CONFIG)


def test_it_measures_a_tones_loudness_and_true_peak(tmp_path):
    # ffmpeg's sine peaks at -21.07 dBFS. R128 puts a 1 kHz sine at its peak level minus 3.01 dB
    # in one channel; the two channels add 3.01 dB back, so loudness and peak are both -21.07.
    tone = make_audio(tmp_path / "tone.wav", "sine=frequency=1000:sample_rate=48000")
    measured = loudness.measure(tone, CONFIG)
    assert measured.integrated == pytest.approx(-21.07, abs=0.2)
    assert measured.true_peak == pytest.approx(-21.07, abs=0.2)


def test_it_measures_only_the_window_asked_for(tmp_path):
    quiet_then_loud = make_audio(
        tmp_path / "steps.wav", "sine=frequency=440:sample_rate=48000,volume='if(lt(t,3),0.01,0.5)':eval=frame"
    )
    first, second = loudness.measure(quiet_then_loud, CONFIG, 0.0, 2.5), loudness.measure(quiet_then_loud, CONFIG, 3.5)
    assert second.integrated - first.integrated == pytest.approx(34.0, abs=1.0)  # 20*log10(0.5/0.01)


def test_it_raises_quiet_speech_like_audio_with_a_plain_gain(tmp_path):
    # Steady, peak-poor noise near -32 LUFS: a gain alone reaches -14 LUFS under the ceiling.
    quiet = make_audio(tmp_path / "quiet.wav", "anoisesrc=colour=pink:amplitude=0.2:seed=1,lowpass=f=3000")
    audio_filter = loudness.normalising_filter(loudness.measure(quiet, CONFIG))
    assert audio_filter.startswith("volume=")
    result = normalised(tmp_path, quiet)
    assert result.integrated == pytest.approx(loudness.TARGET_LUFS, abs=0.5)
    assert result.true_peak <= loudness.TRUE_PEAK


def test_it_limits_real_speech_whose_peaks_the_gain_would_push_over_the_ceiling(tmp_path):
    # A reading at -19 LUFS peaking at -0.5 dBTP: +5 dB of gain needs the limiter.
    speech = tmp_path / "sonnet.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", SHARED_MEDIA / "en_librivox_shakespeare_sonnet1.mp3",
                    "-t", "20", "-ar", "48000", "-ac", "2", speech], check=True)  # fmt: skip
    audio_filter = loudness.normalising_filter(loudness.measure(speech, CONFIG))
    assert audio_filter.startswith("alimiter=")
    result = normalised(tmp_path, speech)
    assert result.true_peak <= loudness.TRUE_PEAK
    assert result.integrated == pytest.approx(loudness.TARGET_LUFS, abs=1.0)


def test_it_caps_the_gain_of_near_silent_audio(tmp_path):
    faint = make_audio(tmp_path / "faint.wav", "anoisesrc=colour=pink:amplitude=0.02:seed=1,lowpass=f=3000")
    assert loudness.normalising_filter(loudness.measure(faint, CONFIG)) == f"volume={loudness.MAX_GAIN_DB:.2f}dB"


def test_it_leaves_silence_alone(tmp_path):
    silence = make_audio(tmp_path / "silence.wav", "anullsrc=r=48000:cl=stereo")
    measured = loudness.measure(silence, CONFIG)
    assert measured.silent
    assert loudness.normalising_filter(measured) == ""


def test_it_refuses_a_file_without_audio_in_plain_words(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("not a media file")
    with pytest.raises(MediaError) as raised:
        loudness.measure(text, CONFIG)
    assert str(tmp_path) not in raised.value.message
