"""The engine's one analysis entry point, shared by ``pipeline clip`` and the service's job."""

from __future__ import annotations

from pipeline.analysis import analyse
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions
from tests.media import build_talk_video


def test_it_hands_over_the_transcript_before_finding_moments_in_it():
    talk = build_talk_video(24, 640, 360, 25)
    seen = []
    progress = []

    def transcribed(transcript):
        seen.append(transcript)
        assert progress and progress[-1] <= 0.9  # the moments are not looked for yet

    options = ClipOptions(min_length=8, max_length=20, clip_count=2)
    analysis = analyse(talk, 24.0, PipelineConfig(), options, transcribed=transcribed,
                       progress=lambda fraction, message="": progress.append(fraction))  # fmt: skip
    assert seen == [analysis.transcript] and analysis.transcript.words and analysis.transcript.language == "en"
    assert 1 <= len(analysis.found.moments) <= 2
    assert all(8 <= m.duration <= 20 and 0 <= m.start < m.end <= 24 for m in analysis.found.moments)
    assert progress == sorted(progress) and progress[-1] == 1.0
