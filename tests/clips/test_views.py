"""The dashboard's clip pages through Django's test client: cards, favorites and the editor."""

from __future__ import annotations

import pytest

from clips.models import Clip
from tests.videos.test_views import completed_video, make_clip


@pytest.fixture
def clip(alice, workspace):
    """A completed 3.5 s clip (1.0-4.5 s) of alice's completed 45 s video."""
    return make_clip(completed_video(workspace, alice), 1)


def test_it_favorites_a_clip_and_swaps_the_button(as_alice, clip):
    response = as_alice.post(f"/clips/{clip.pk}/favorite", {"favorited": "true"}, HTTP_HX_REQUEST="true")
    button = response.content.decode()
    assert response.status_code == 200 and 'aria-pressed="true"' in button
    assert button.strip().startswith("<form") and 'name="favorited" value="false"' in button  # the next toggle
    clip.refresh_from_db()
    assert clip.favorited

    # Without htmx the form posts and comes back to the video page.
    response = as_alice.post(f"/clips/{clip.pk}/favorite", {"favorited": "false"})
    assert response.status_code == 302 and response.url == f"/videos/{clip.video_id}/"
    clip.refresh_from_db()
    assert not clip.favorited


def test_it_polls_a_rendering_card_until_the_clip_is_done(as_alice, clip):
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.GENERATING, recompiling=True)
    card = as_alice.get(f"/clips/{clip.pk}/card").content.decode()
    assert 'hx-trigger="every 2s"' in card and "Re-rendering…" in card and "Recompiling" in card
    assert "<video" not in card

    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.COMPLETED, recompiling=False)
    card = as_alice.get(f"/clips/{clip.pk}/card").content.decode()
    assert "hx-trigger" not in card and "<video controls" in card and "3.5 s" in card


def test_it_shows_the_score_band_and_sub_scores_accessibly(as_alice, clip):
    card = as_alice.get(f"/clips/{clip.pk}/card").content.decode()
    assert f'aria-describedby="scores-{clip.pk}"' in card and f'role="tooltip" id="scores-{clip.pk}"' in card
    assert "70 · Good" in card and "badge-blue" in card


def test_it_offers_the_words_around_the_clip_in_the_editor(as_alice, clip):
    page = as_alice.get(f"/clips/{clip.pk}/edit").content.decode()
    assert 'name="start" value="1.0"' in page and 'name="end" value="4.5"' in page
    # Words inside the clip are marked; every word carries its boundaries to snap to.
    assert 'class="word in" data-start="1.0" data-end="1.4"' in page
    assert 'class="word" data-start="0.0" data-end="0.4"' in page
    assert 'name="hookText"' in page and 'value="minimal"' in page and 'value="16:9"' in page


def test_it_re_renders_a_clip_with_its_new_settings(as_alice, clip):
    response = as_alice.post(f"/clips/{clip.pk}/edit", {
        "start": "1.0", "end": "3.5", "captionTemplate": "minimal", "aspectRatio": "1:1", "hookText": "Listen up",
        "enableCaptions": "on",
    })  # fmt: skip
    assert response.status_code == 302 and response.url == f"/clips/{clip.pk}/edit"
    clip.refresh_from_db()
    assert (clip.start, clip.end, clip.caption_template, clip.aspect_ratio) == (1.0, 3.5, "minimal", "1:1")
    assert clip.hook_text == "Listen up" and clip.auto_hook is False and clip.render_version == 1
    assert clip.status == Clip.Status.GENERATING and clip.recompiling
    page = as_alice.get(response.url).content.decode()
    assert "Re-rendering…" in page and 'hx-trigger="every 2s"' in page


def test_it_explains_why_a_re_render_is_refused_on_the_field(as_alice, clip):
    response = as_alice.post(f"/clips/{clip.pk}/edit", {
        "start": "1.0", "end": "60", "captionTemplate": "clean", "aspectRatio": "9:16", "enableCaptions": "on",
    }, HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 422
    end_field = response.content.decode().split('id="id_end"')[1].split("</div>")[0]
    assert "end must be after start and within the video (up to 45.0 s)" in end_field
    clip.refresh_from_db()
    assert clip.status == Clip.Status.COMPLETED and clip.end == 4.5


def clip_urls(clip) -> list[tuple[str, str]]:
    return [("get", f"/clips/{clip.pk}/card"), ("get", f"/clips/{clip.pk}/edit"),
            ("post", f"/clips/{clip.pk}/edit"), ("post", f"/clips/{clip.pk}/favorite")]  # fmt: skip


def test_it_hides_a_workspaces_clips_from_outsiders(client, charlie, clip):
    client.force_login(charlie)
    for method, url in clip_urls(clip):
        assert getattr(client, method)(url, {"favorited": "true", "start": "0", "end": "2"}).status_code == 404, url
    clip.refresh_from_db()
    assert not clip.favorited and clip.status == Clip.Status.COMPLETED


def test_it_lets_members_see_and_edit_the_workspaces_clips(client, bob, clip):
    client.force_login(bob)
    for method, url in clip_urls(clip)[:2]:
        assert getattr(client, method)(url).status_code == 200, url
    response = client.post(f"/clips/{clip.pk}/favorite", {"favorited": "true"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
