"""Active-speaker reframing in the service: a video's layout, a clip's forced layout and pins,
and the shots and speakers a render records, through the API and the dashboard editor.

The engine itself is tested in tests/pipeline; the real render through the job is in
tests/videos/test_processing.py. Here the render's outcome goes through
``clips.actions.finish_render``, as the job hands it over.
"""

from __future__ import annotations

import pytest

from clips import actions
from clips.models import Clip
from pipeline.moments.models import Hooks, Moment, SubScores
from tests.videos.test_views import completed_video, make_clip, make_video
from videos.config import render_options
from videos.models import Video

# Two people: one on the left (id 0) and one on the right (id 1), trading turns.
SPEAKERS = [
    {"id": 0, "x": 0.28, "speaking": [[0.0, 1.5], [2.5, 3.5]]},
    {"id": 1, "x": 0.72, "speaking": [[1.5, 2.5]]},
]
SHOTS = [
    {"start": 0.0, "end": 1.5, "layout": "crop", "speaker": 0},
    {"start": 1.5, "end": 3.5, "layout": "split", "speaker": None},
]


def render_finished(clip: Clip, **result) -> None:
    """Record a render of ``clip`` as the job does once the engine has returned."""
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.GENERATING)
    clip.refresh_from_db()
    assert actions.finish_render(clip, file_name=clip.file.name, thumbnail_name=clip.thumbnail.name, width=1080,
                                 height=1920, **result)  # fmt: skip


# ---- API ----


def test_it_records_a_renders_shots_and_speakers_and_answers_them(alice_api, finished_video):
    clip = finished_video.clips.get(rank=2)
    render_finished(clip, layout="split", shots=SHOTS, speakers=SPEAKERS)
    body = alice_api.get(f"/api/clips/{clip.pk}").json()["clip"]
    assert (body["layout"], body["requestedLayout"], body["pins"]) == ("split", "auto", [])
    assert body["shots"] == SHOTS and body["speakers"] == SPEAKERS
    listed = alice_api.get(f"/api/videos/{finished_video.pk}/clips?sortBy=duration&sortOrder=asc").json()["clips"]
    assert [c["shots"] for c in listed] == [SHOTS, [], []]


def test_it_re_renders_with_a_forced_layout_and_pins_the_engine_gets(alice_api, finished_video):
    clip = finished_video.clips.get(rank=1)  # 0-30 s of the processed range, which starts 10 s into the source
    Clip.objects.filter(pk=clip.pk).update(speakers=SPEAKERS)
    response = alice_api.post(f"/api/clips/{clip.pk}/render", {"layout": "crop", "pins": [
        {"start": 12, "end": 20, "speaker": 1}, {"start": 2.5, "end": 6, "x": 0.4},
    ]}, format="json")  # fmt: skip
    assert response.status_code == 202, response.content
    body = response.json()["clip"]
    assert body["requestedLayout"] == "crop" and body["recompiling"] is True
    # In start order; a pin by speaker takes that speaker's place across the frame.
    assert body["pins"] == [{"start": 2.5, "end": 6.0, "x": 0.4, "speaker": None},
                            {"start": 12.0, "end": 20.0, "x": 0.72, "speaker": 1}]  # fmt: skip
    clip.refresh_from_db()
    options = render_options(clip)
    assert options.layout == "crop"
    assert options.pins == [{"start": 2.5, "end": 6.0, "x": 0.4}, {"start": 12.0, "end": 20.0, "x": 0.72}]


def test_it_keeps_pins_through_later_re_renders_moving_them_with_the_start(alice_api, finished_video):
    clip = finished_video.clips.get(rank=1)
    Clip.objects.filter(pk=clip.pk).update(requested_layout="split", pins=[
        {"start": 1.0, "end": 2.0, "x": 0.3, "speaker": None}, {"start": 5.0, "end": 12.0, "x": 0.7, "speaker": 1},
        {"start": 24.0, "end": 29.0, "x": 0.3, "speaker": None},
    ])  # fmt: skip
    # 3 s later and 4 s shorter: the first pin's footage is cut off and the last is trimmed.
    response = alice_api.post(f"/api/clips/{clip.pk}/render", {"startTime": 13.0, "endTime": 36.0}, format="json")
    body = response.json()["clip"]
    assert response.status_code == 202 and body["requestedLayout"] == "split"
    assert body["pins"] == [{"start": 2.0, "end": 9.0, "x": 0.7, "speaker": 1},
                            {"start": 21.0, "end": 23.0, "x": 0.3, "speaker": None}]  # fmt: skip


# A bad re-render body, the field its error names, and words the message holds.
BAD_BODIES = [
    ({"layout": "zoom"}, "layout", "auto, crop, split, fit"),
    ({"pins": [{"start": 1, "end": 3, "x": 1.5}]}, "pins", "less than or equal to 1"),
    ({"pins": [{"start": 1, "end": 3, "x": 0.5, "face": 2}]}, "pins", "Unknown field"),
    ({"pins": [{"start": 1, "end": 3}]}, "pins", "needs x"),
    ({"pins": [{"start": 1, "end": 3, "speaker": 7}]}, "pins", "speaker 7"),
    ({"pins": [{"start": 4, "end": 3, "x": 0.5}]}, "pins", "start before it ends"),
    ({"pins": [{"start": 20, "end": 31, "x": 0.5}]}, "pins", "0 to 30.0 s"),
    ({"pins": [{"start": 1, "end": 1.2, "x": 0.5}]}, "pins", "at least 0.5 s"),
    ({"pins": [{"start": 1, "end": 5, "x": 0.2}, {"start": 4, "end": 8, "x": 0.8}]}, "pins", "overlap"),
    ({"pins": [{"start": i, "end": i + 1, "x": 0.5} for i in range(21)]}, "pins", "20"),
    ({"pins": {"start": 1}}, "pins", "Expected a list"),
]


def test_it_refuses_a_bad_layout_or_pin_naming_the_field(alice_api, finished_video):
    clip = finished_video.clips.get(rank=1)
    Clip.objects.filter(pk=clip.pk).update(speakers=SPEAKERS)
    for data, field, words in BAD_BODIES:
        response = alice_api.post(f"/api/clips/{clip.pk}/render", data, format="json")
        assert response.status_code == 422 and field in response.json()["fields"], data
        assert words in response.json()["detail"], response.json()["detail"]
    clip.refresh_from_db()
    assert (clip.status, clip.render_version, clip.pins, clip.requested_layout) == ("completed", 1, [], "auto")


def test_it_gives_each_new_clip_the_videos_layout(alice, workspace, clean_redis):
    video = make_video(workspace, alice, status=Video.Status.ANALYZING, duration=45.0, config={"layout": "fit"})
    moment = Moment(id="m1", rank=1, title="A slide walk-through", start=2.0, end=20.0, duration=18.0, score=80,
                    scores=SubScores(), reason="", transcript="", sentence_indexes=[], hooks=Hooks(),
                    description="", hashtags=[], emotions=[], keywords=[])  # fmt: skip
    [clip] = actions.create_clips(video, [moment], video.config)
    clip.refresh_from_db()
    assert (clip.requested_layout, render_options(clip).layout) == ("fit", "fit")


# ---- Dashboard editor ----


@pytest.fixture
def clip(alice, workspace):
    """A completed 3.5 s clip of alice's 45 s video whose last render found two people."""
    return make_clip(completed_video(workspace, alice), 1, speakers=SPEAKERS, shots=SHOTS, layout="split")


def pin(client, clip, start: str, end: str, speaker: str, **headers):
    return client.post(f"/clips/{clip.pk}/pins", {"pinStart": start, "pinEnd": end, "pinSpeaker": speaker},
                       **headers)  # fmt: skip


def test_it_draws_the_speaker_track_under_the_word_strip(as_alice, clip):
    page = as_alice.get(f"/clips/{clip.pk}/edit").content.decode()
    assert page.index('class="word-strip"') < page.index('id="speaker-track"') < page.index("Re-render clip")
    # A lane per speaker, bars where they speak (placed on the clip's 3.5 s), the shots' layouts.
    assert "Speaker 1 <small>on the left</small>" in page and "Speaker 2 <small>on the right</small>" in page
    assert 'style="left: 42.86%; width: 28.57%" data-pick data-speaker="1" data-start="1.5" data-end="2.5"' in page
    assert 'class="shot shot-crop"' in page and ">Split<" in page
    # The pin controls belong to the pin form, not the re-render form.
    assert f'name="pinStart" form="pin-form-{clip.pk}"' in page and f'<form id="pin-form-{clip.pk}"' in page
    assert 'name="layout" value="auto"' in page


def test_it_pins_the_crop_to_a_speaker_then_removes_the_pin_without_a_reload(as_alice, clip):
    response = pin(as_alice, clip, "1.5", "2.5", "1", HTTP_HX_REQUEST="true")
    track = response.content.decode()
    assert response.status_code == 200 and 'id="speaker-track"' in track and "<html" not in track
    assert "Speaker 2 · 1.5\u20132.5 s" in track and 'name="pinned" value="1.5"' in track
    clip.refresh_from_db()
    assert clip.pins == [{"start": 1.5, "end": 2.5, "x": 0.72, "speaker": 1}]

    refused = pin(as_alice, clip, "2.0", "3.0", "0", HTTP_HX_REQUEST="true")
    assert refused.status_code == 422 and "Pins overlap at 2.0 s" in refused.content.decode()
    assert pin(as_alice, clip, "", "3", "0", HTTP_HX_REQUEST="true").status_code == 422

    removed = as_alice.post(f"/clips/{clip.pk}/pins/remove", {"pinned": "1.5"}, HTTP_HX_REQUEST="true")
    assert removed.status_code == 200 and "Speaker 2 · 1.5" not in removed.content.decode()
    clip.refresh_from_db()
    assert clip.pins == []


def test_it_re_renders_from_the_editor_with_the_layout_and_the_saved_pins(as_alice, clip):
    # Without htmx, pinning posts the pin form and comes back to the editor.
    response = pin(as_alice, clip, "0", "1.5", "0")
    assert response.status_code == 302 and response.url == f"/clips/{clip.pk}/edit"
    response = as_alice.post(f"/clips/{clip.pk}/edit", {
        "start": "1.0", "end": "4.5", "captionTemplate": "clean", "aspectRatio": "9:16", "layout": "crop",
        "enableCaptions": "on",
    })  # fmt: skip
    assert response.status_code == 302
    clip.refresh_from_db()
    assert clip.status == Clip.Status.GENERATING and clip.requested_layout == "crop"
    assert render_options(clip).pins == [{"start": 0.0, "end": 1.5, "x": 0.28}]
    page = as_alice.get(f"/clips/{clip.pk}/edit").content.decode()
    assert "Speaker 1 · 0.0\u20131.5 s" in page  # still listed, for the next re-render too


def test_it_lets_members_pin_and_hides_the_clip_from_outsiders(api_client, client, bob, charlie, key_for,
                                                                finished_video, clip):  # fmt: skip
    render = f"/api/clips/{finished_video.clips.get(rank=1).pk}/render"
    body = {"layout": "fit", "pins": [{"start": 0, "end": 4, "x": 0.5}]}
    # Charlie, outside the workspace: 404 everywhere, nothing changes.
    api_client.credentials(HTTP_X_API_KEY=key_for(charlie))
    assert api_client.post(render, body, format="json").status_code == 404
    client.force_login(charlie)
    assert pin(client, clip, "0", "1", "0").status_code == 404
    assert client.post(f"/clips/{clip.pk}/pins/remove", {"pinned": "0"}).status_code == 404
    assert not Clip.objects.exclude(pins=[]).exists() and not Clip.objects.exclude(requested_layout="auto").exists()
    # Bob, a member: pins and re-renders like the owner.
    api_client.credentials(HTTP_X_API_KEY=key_for(bob, finished_video.workspace))
    assert api_client.post(render, body, format="json").status_code == 202
    client.force_login(bob)
    assert pin(client, clip, "0", "1", "0", HTTP_HX_REQUEST="true").status_code == 200
    clip.refresh_from_db()
    assert clip.pins == [{"start": 0.0, "end": 1.0, "x": 0.28, "speaker": 0}]
    assert client.post(f"/clips/{clip.pk}/pins/remove", {"pinned": "0.0"}, HTTP_HX_REQUEST="true").status_code == 200
    clip.refresh_from_db()
    assert clip.pins == []
    assert Clip.objects.filter(requested_layout="fit").count() == 1
