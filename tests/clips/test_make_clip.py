"""Making a clip from a span of the transcript: the action, the video page and the API.

The video is ``finished_video`` (tests/fixtures.py): twelve words, 0.5 s apart, in two
sentences ("Here is the one thing nobody tells you about money." "It compounds."),
processed from 10 s into its source.
"""

from __future__ import annotations

import django_rq
import pytest

from clips import actions
from clips.models import Clip
from videos.models import Video


def queued_renders() -> list[str]:
    return django_rq.get_queue("render").get_job_ids()


def test_it_makes_a_scored_clip_of_the_words_and_queues_its_render(finished_video, clean_redis,
                                                                  django_capture_on_commit_callbacks):  # fmt: skip
    # From inside "one" (1.5-1.9 s) to the end of "money." (4.5-4.9 s).
    with django_capture_on_commit_callbacks(execute=True):
        clip = actions.clip_from_span(finished_video, 1.6, 4.9)
    clip.refresh_from_db()
    # Snapped to the words and padded into the silence, never past the middle of a gap.
    assert (clip.start, clip.end) == (1.45, 4.95)
    assert clip.transcript == "one thing nobody tells you about money." and clip.sentence_indexes == [0]
    assert (clip.rank, clip.status, clip.render_version, clip.recompiling) == (4, "generating", 1, False)
    assert clip.title and clip.description and clip.hashtags and clip.hooks["statement"] and clip.virality_reason
    assert clip.hook_text == clip.hooks["statement"][:200] and 0 <= clip.score <= 100
    assert (clip.aspect_ratio, clip.captions, clip.caption_template) == ("9:16", True, "hormozi")
    assert queued_renders() == [f"render-{clip.pk}-v1"]


def test_it_refuses_spans_that_make_no_clip(finished_video):
    within = "Choose a start before the end, both within the video (0 to 120.0 s)."
    for start, end, field, message in [
        (0.0, 0.3, "end", "A clip must last between 1 and 600 seconds; the words selected last 0.5 s."),
        (7.0, 60.0, "start", "No words are spoken there. Select words in the transcript."),
        (5.0, 200.0, "end", within), (float("nan"), 3.0, "end", within),
    ]:  # fmt: skip
        with pytest.raises(actions.ClipEditError) as refused:
            actions.clip_from_span(finished_video, start, end)
        assert (refused.value.field, str(refused.value)) == (field, message)

    Video.objects.filter(pk=finished_video.pk).update(status=Video.Status.GENERATING_CLIPS)
    finished_video.refresh_from_db()
    with pytest.raises(actions.ClipEditError, match="once the video has finished processing"):
        actions.clip_from_span(finished_video, 1.5, 4.9)
    Video.objects.filter(pk=finished_video.pk).update(status=Video.Status.COMPLETED, source_file="")
    finished_video.refresh_from_db()
    with pytest.raises(actions.ClipEditError, match="has been deleted after its retention period"):
        actions.clip_from_span(finished_video, 1.5, 4.9)
    assert finished_video.clips.count() == 3


# ---- The video page ----


def test_it_offers_the_words_and_makes_a_clip_from_the_page_or_says_why_not(as_alice, finished_video, clean_redis):
    page = as_alice.get(f"/videos/{finished_video.pk}/").content.decode()
    assert 'id="make-clip"' in page and f'hx-get="/clips/video/{finished_video.pk}/words"' in page
    assert f'action="/clips/video/{finished_video.pk}/make"' in page and 'name="start"' in page

    words = as_alice.get(f"/clips/video/{finished_video.pk}/words").content.decode()
    lines = words.split('<p class="pick-line">')[1:]
    assert len(lines) == 2 and '<span class="pick-time">0:00</span>' in lines[0]
    assert '<span class="pick-word" data-start="1.5" data-end="1.9">one</span>' in lines[0]
    assert '<span class="pick-word" data-start="5.5" data-end="5.9">compounds.</span>' in lines[1]

    url = f"/clips/video/{finished_video.pk}/make"
    response = as_alice.post(url, {"start": "0", "end": "0.3"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert response.content.decode().strip().endswith(
        '<p class="error" role="alert">A clip must last between 1 and 600 seconds; the words selected last 0.5 s.</p>'
    )
    response = as_alice.post(url, {"start": "", "end": "2"}, follow=True)
    assert "Select words in the transcript first, or type a start and end." in response.content.decode()
    assert finished_video.clips.count() == 3

    response = as_alice.post(url, {"start": "1.5", "end": "4.9"}, HTTP_HX_REQUEST="true")
    clip = finished_video.clips.get(rank=4)
    assert response.status_code == 200 and response["HX-Redirect"] == f"/videos/{finished_video.pk}/"
    page = as_alice.get(f"/videos/{finished_video.pk}/").content.decode()
    assert f"Made “{clip.title}” (3.5 s). It shows among the clips once rendered." in page
    assert f'id="clip-{clip.pk}"' in page and "Rendering…" in page
    # Without htmx: back to the page, at the clip.
    response = as_alice.post(url, {"start": "5.0", "end": "5.9"})
    made = finished_video.clips.get(rank=5)
    assert response.status_code == 302 and response.url == f"/videos/{finished_video.pk}/#clip-{made.pk}"


# ---- The API ----


def test_it_makes_a_clip_through_the_api_on_the_sources_timeline_or_says_why_not(alice_api, finished_video):
    # The video was processed from 10 s into its source: 11.5-14.9 s there is 1.5-4.9 s here.
    response = alice_api.post(f"/api/videos/{finished_video.pk}/clips", {"start": 11.5, "end": 14.9}, format="json")
    assert response.status_code == 201, response.content
    clip = response.json()["clip"]
    assert (clip["startTime"], clip["endTime"], clip["rank"], clip["status"]) == (11.45, 14.95, 4, "generating")
    assert clip["transcript"] == "one thing nobody tells you about money." and clip["scores"]["hook"] >= 0
    assert Clip.objects.filter(pk=clip["id"], video=finished_video).exists()

    # Spans that make no clip are answered on the field; an unfinished video with 409.
    url = f"/api/videos/{finished_video.pk}/clips"
    response = alice_api.post(url, {"start": 10.0, "end": 10.3}, format="json")
    assert response.status_code == 422 and response.json()["fields"] == {
        "end": ["A clip must last between 1 and 600 seconds; the words selected last 0.5 s."]
    }
    assert alice_api.post(url, {"start": 11.5}, format="json").json()["fields"] == {"end": ["This field is required."]}
    Video.objects.filter(pk=finished_video.pk).update(status=Video.Status.FAILED)
    response = alice_api.post(url, {"start": 11.5, "end": 14.9}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "Clips can be made once the video has finished processing."


def test_it_hides_making_clips_from_outsiders_and_lets_members_make_them(api_client, client, key_for, bob, charlie,
                                                                        finished_video, clean_redis):  # fmt: skip
    client.force_login(charlie)
    assert client.get(f"/clips/video/{finished_video.pk}/words").status_code == 404
    assert client.post(f"/clips/video/{finished_video.pk}/make", {"start": "1.5", "end": "4.9"}).status_code == 404
    url = f"/api/videos/{finished_video.pk}/clips"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(charlie)}")
    response = api_client.post(url, {"start": 11.5, "end": 14.9}, format="json")
    assert response.status_code == 404 and finished_video.clips.count() == 3
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(bob, finished_video.workspace)}")
    assert api_client.post(url, {"start": 11.5, "end": 14.9}, format="json").status_code == 201
