"""The clip report in the service: stored by the render job, answered by the API in camelCase,
shown on the clip card, kept by a failed re-render and recomputed by a new one.

The checks themselves are tested in tests/pipeline/test_report.py.
"""

from __future__ import annotations

import pytest
from django.core.files import File
from django.core.files.storage import default_storage

from clips import actions, jobs
from clips.models import Clip
from pipeline import report
from pipeline.framing import ReframePlan, Window
from pipeline.probe import probe
from pipeline.types import Word
from tests.videos.test_views import completed_video

# The talk fixture's words between 2 and 5 s: "money" is spoken from 2.2 to 2.52 s.
WORDS = [
    Word(text, round(2.2 + 0.4 * i, 2), round(2.52 + 0.4 * i, 2))
    for i, text in enumerate(["money", "grows", "when", "you", "leave", "it", "alone"])
]
SENTENCE = {"index": 0, "sentence": "Money grows when you leave it alone.", "start": 2.2, "end": 4.92,
            "words": [w.to_dict() for w in WORDS]}  # fmt: skip
TRANSCRIPT = {"language": "en", "duration": 45.0, "words": SENTENCE["words"], "sentences": [SENTENCE]}


def sample_report() -> dict:
    """A report as the engine stores it: the start cuts a word, the sound is fine."""
    plan = ReframePlan(layout="crop", source_width=1920, source_height=1080, windows=[Window(608, 1080, [[0, 0, 0]])])
    faces, faces_check = report.check_faces([], [], plan, 1080, 1920, applies=False)
    captions, captions_check = report.check_captions("", 1080, 1920)
    cuts, cuts_check = report.check_cuts(WORDS, 2.3, 5.0)
    sound, sound_check = report.check_loudness((-14.4, -2.2), has_audio=True)
    resolution, resolution_check = report.check_resolution(plan, 1080, 1920)
    checks = [faces_check, captions_check, cuts_check, sound_check, resolution_check]
    return report.make_report(checks, report.Measures(faces, captions, cuts, sound, resolution)).to_dict()


def rendered(clip: Clip, **result) -> Clip:
    """Record a render of ``clip`` as the job does once the engine has returned."""
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.GENERATING)
    clip.refresh_from_db()
    actions.finish_render(clip, file_name=clip.file.name, thumbnail_name=clip.thumbnail.name, width=1080,
                          height=1920, **result)  # fmt: skip
    clip.refresh_from_db()
    return clip


def test_it_answers_the_report_in_camel_case_and_null_before_one_exists(alice_api, finished_video):
    clip = rendered(finished_video.clips.get(rank=1), report=sample_report())
    body = alice_api.get(f"/api/clips/{clip.pk}").json()["clip"]["report"]
    assert body["verdict"] == "fix" and body["fixes"] == ["Start the clip 0.1 s earlier (or 0.2 s later) so that "
                                                          "“money” is whole."]  # fmt: skip
    assert [(c["name"], c["status"]) for c in body["checks"]] == [
        ("faces", "skip"), ("captions", "skip"), ("cuts", "fail"), ("loudness", "pass"), ("resolution", "pass"),
    ]
    assert body["checks"][2] == {"name": "cuts", "title": "Clean start and end", "status": "fail",
                                 "summary": "It starts in the middle of “money”.", "fix": body["fixes"][0]}  # fmt: skip
    measures = body["measures"]
    assert measures["cuts"] == {"words": 7, "lead": -0.1, "tail": 0.08, "cutAtStart": "money", "cutAtEnd": ""}
    assert measures["loudness"] == {"integratedLufs": -14.4, "truePeakDbtp": -2.2, "targetLufs": -14.0}
    assert measures["resolution"] == {"width": 1080, "height": 1920, "sourceWidth": 1920, "sourceHeight": 1080,
                                      "shownWidth": 608, "shownHeight": 1080, "upscale": 1.78, "upscaled": True}
    assert measures["faces"] == {"sampled": 0, "withFace": 0, "share": None, "missingAt": []}
    assert measures["captions"] == {"events": 0, "overlaps": []}
    listed = alice_api.get(f"/api/videos/{finished_video.pk}/clips").json()["clips"]
    assert [c["report"] is None for c in listed] == [False, True, True]


def test_it_shows_a_members_clip_report_and_hides_it_from_outsiders(api_client, key_for, bob, charlie, finished_video):
    clip = rendered(finished_video.clips.get(rank=1), report=sample_report())
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(bob)}")
    assert api_client.get(f"/api/clips/{clip.pk}").json()["clip"]["report"]["verdict"] == "fix"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(charlie)}")
    response = api_client.get(f"/api/clips/{clip.pk}")
    assert response.status_code == 404 and "money" not in response.content.decode()


def test_it_keeps_the_report_through_a_failed_re_render_and_replaces_it_on_success(finished_video):
    first = sample_report()
    clip = rendered(finished_video.clips.get(rank=1), report=first)
    clip = rendered(clip, error_message="Rendering stopped unexpectedly twice; try re-rendering this clip.")
    assert clip.status == Clip.Status.FAILED and clip.report == first  # it still describes the stored file
    clip = rendered(clip, report={**first, "verdict": "ready", "fixes": []})
    assert clip.status == Clip.Status.COMPLETED and clip.report["verdict"] == "ready"


def test_it_shows_the_verdict_on_the_card_with_each_check_in_a_disclosure(as_alice, finished_video):
    clip = rendered(finished_video.clips.get(rank=1), report=sample_report())
    card = as_alice.get(f"/clips/{clip.pk}/card").content.decode()
    assert '<details class="clip-report" data-verdict="fix">' in card and "1 to fix" in card
    assert "<li>Start the clip 0.1 s earlier (or 0.2 s later) so that “money” is whole.</li>" in card
    for title in ("Face in frame", "Captions in the safe zones", "Clean start and end", "Loudness", "Sharpness"):
        assert f"<strong>{title}</strong>" in card
    assert 'data-check="cuts" data-status="fail"><span class="badge badge-red">Fix</span>' in card
    # While it re-renders, the report of the old file is not shown; a clip never reported shows none.
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.GENERATING, recompiling=True)
    assert "clip-report" not in as_alice.get(f"/clips/{clip.pk}/card").content.decode()
    other = finished_video.clips.get(rank=2)
    assert "clip-report" not in as_alice.get(f"/clips/{other.pk}/card").content.decode()


@pytest.mark.slow
def test_it_stores_the_report_of_a_real_render_and_recomputes_it_on_a_re_render(
    alice, workspace, alice_api, talk_path, settings
):
    settings.PIPELINE = settings.PIPELINE.replace(render_preset="ultrafast")
    video = completed_video(workspace, alice, media_info=probe(talk_path, settings.PIPELINE).to_dict(),
                            transcript=TRANSCRIPT)  # fmt: skip
    with open(talk_path, "rb") as handle:
        video.source_file.name = default_storage.save(f"videos/{video.pk}/source.mp4", File(handle))
    video.save()
    # Cut in the middle of "money" (2.2-2.52 s).
    clip = Clip.objects.create(video=video, rank=1, title="Money", start=2.35, end=5.0, score=80, hook_text="",
                               hooks={"question": "", "statement": ""},
                               status=Clip.Status.GENERATING, render_version=1, caption_template="clean")  # fmt: skip
    assert jobs.render_clip(clip.pk, 1) == "completed"
    body = alice_api.get(f"/api/clips/{clip.pk}").json()["clip"]["report"]
    cuts = next(check for check in body["checks"] if check["name"] == "cuts")
    assert (body["verdict"], cuts["status"], body["measures"]["cuts"]["cutAtStart"]) == ("fix", "fail", "money")
    assert body["measures"]["resolution"]["height"] == settings.PIPELINE.render_short_side * 16 // 9

    clip.refresh_from_db()
    clip = actions.rerender(clip, start=2.0)
    assert jobs.render_clip(clip.pk, clip.render_version) == "completed"
    body = alice_api.get(f"/api/clips/{clip.pk}").json()["clip"]["report"]
    assert next(check for check in body["checks"] if check["name"] == "cuts")["status"] == "pass"
    assert body["measures"]["cuts"]["lead"] == 0.2
