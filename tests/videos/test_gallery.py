"""The video page's clip gallery while clips render: finished cards at once, placeholders for
the rest, and the gallery's poller (``/videos/<id>/clips``) that swaps placeholders only."""

from __future__ import annotations

import re

import pytest

from clips.models import Clip
from tests.videos.test_views import TRANSCRIPT, make_clip, make_video
from videos.models import Video

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def rendering(alice, workspace):
    """Alice's video rendering its clips: the best one done, the second still rendering."""
    video = make_video(workspace, alice, status=Video.Status.GENERATING_CLIPS, progress=80, duration=45.0,
                       transcript=TRANSCRIPT)  # fmt: skip
    make_clip(video, 1, score=90, start=0.0, end=12.0)
    make_clip(video, 2, score=70, start=14.0, end=20.5, status=Clip.Status.GENERATING, file="", thumbnail="")
    return video


def card(page: str, clip: Clip) -> str:
    """The markup of ``clip``'s card in ``page``."""
    return re.search(rf'<article class="clip-card" id="clip-{clip.pk}".*?</article>', page, re.S).group(0)


def stable(markup: str) -> str:
    """``markup`` with its signed links and CSRF token (fresh ones each time) blanked out."""
    markup = re.sub(r'/media/signed/[^"]+', "SIGNED", markup)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", markup)


def poll(client, video: Video, *waiting: Clip):
    query = "&".join(f"waiting={clip.pk}" for clip in waiting)
    return client.get(f"/videos/{video.pk}/clips?{query}", **HTMX)


def test_it_shows_a_finished_clip_and_a_placeholder_while_clips_render(as_alice, rendering):
    first, second = rendering.clips.order_by("rank")
    page = as_alice.get(f"/videos/{rendering.pk}/").content.decode()
    assert page.count('class="clip-card"') == 2 and page.index("Clip number 1") < page.index("Clip number 2")
    assert "Rendered 1 of 2 clips…" in page and "About starting a company." in page

    done = card(page, first)
    assert "<video controls" in done and 'download aria-label="Download Clip number 1"' in done
    assert "hx-" not in done.split(">")[0] and "data-waiting" not in done

    waiting = card(page, second)
    assert "Rendering…" in waiting and "#2 · 0:14\u20130:20" in waiting and "Clip number 2" in waiting
    assert "<video" not in waiting and "Download" not in waiting and ">Edit<" not in waiting
    # It waits for the gallery's one poller rather than polling by itself.
    assert "data-waiting" in waiting and f'name="waiting" value="{second.pk}"' in waiting
    assert "hx-trigger" not in waiting
    poller = page.split('id="clip-poller"')[1].split(">")[0]
    assert f'hx-get="/videos/{rendering.pk}/clips"' in poller and 'hx-trigger="every 2s"' in poller
    assert page.count('id="clip-poller"') == 1
    # The gallery is on the page already, so nothing reloads it when the video finishes.
    assert "video-finished" not in page.split('id="video-results"')[1].split(">")[0]

    # A finished card's markup is the same once the whole video is done.
    Clip.objects.filter(pk=second.pk).update(status=Clip.Status.COMPLETED, file="videos/x/clips/2.mp4")
    Video.objects.filter(pk=rendering.pk).update(status=Video.Status.COMPLETED, progress=100)
    finished = as_alice.get(f"/videos/{rendering.pk}/").content.decode()
    assert stable(card(finished, first)) == stable(done)
    assert 'id="clip-poller"' not in finished and "Rendered" not in finished


def test_it_loads_the_gallery_once_clips_start_rendering_on_a_page_opened_before(as_alice, alice, workspace):
    video = make_video(workspace, alice, status=Video.Status.ANALYZING, progress=57, transcript=TRANSCRIPT)
    page = as_alice.get(f"/videos/{video.pk}/").content.decode()
    results = page.split('id="video-results"')[1].split(">")[0]
    assert "Clips are on their way" in page and 'id="clip-poller"' not in page
    assert 'hx-trigger="clips-started from:body, video-finished from:body"' in results
    assert "HX-Trigger" not in as_alice.get(f"/videos/{video.pk}/status")

    make_clip(video, 1, status=Clip.Status.GENERATING, file="", thumbnail="")
    Video.objects.filter(pk=video.pk).update(status=Video.Status.GENERATING_CLIPS, progress=60)
    assert as_alice.get(f"/videos/{video.pk}/status")["HX-Trigger"] == "clips-started"
    partial = as_alice.get(f"/videos/{video.pk}/", **HTMX).content.decode()
    assert "<html" not in partial and "Rendering…" in partial and 'id="clip-poller"' in partial
    assert "hx-trigger" not in partial.split('id="video-results"')[1].split(">")[0]


def test_it_swaps_only_the_placeholders_whose_clips_are_done(as_alice, rendering):
    first, second = rendering.clips.order_by("rank")
    answer = poll(as_alice, rendering, second).content.decode()
    # Nothing finished among the waiting clips: only the poller comes back, still polling.
    assert 'class="clip-card"' not in answer and 'hx-trigger="every 2s"' in answer

    Clip.objects.filter(pk=second.pk).update(status=Clip.Status.COMPLETED, file="videos/x/clips/2.mp4")
    answer = poll(as_alice, rendering, second).content.decode()
    swapped = card(answer, second)
    assert f'hx-swap-oob="outerHTML:#clip-{second.pk}[data-waiting]"' in swapped and "<video controls" in swapped
    assert "data-waiting" not in swapped.replace("[data-waiting]", "") and 'name="waiting"' not in swapped
    # A card the page shows finished is never sent again, so its player is left alone.
    assert f'id="clip-{first.pk}"' not in answer
    assert 'hx-trigger="every 2s"' in answer and "<html" not in answer


def test_it_shows_a_failed_clip_with_its_error(as_alice, rendering):
    second = rendering.clips.get(rank=2)
    Clip.objects.filter(pk=second.pk).update(
        status=Clip.Status.FAILED, error=True, error_message="The clip could not be rendered: the source ended early."
    )
    swapped = card(poll(as_alice, rendering, second).content.decode(), second)
    assert "The clip could not be rendered: the source ended early." in swapped and ">Failed<" in swapped
    assert "Not rendered" in swapped and "<video" not in swapped and "Download" not in swapped


def test_it_stops_polling_the_gallery_once_the_video_is_finished(as_alice, rendering):
    second = rendering.clips.get(rank=2)
    Video.objects.filter(pk=rendering.pk).update(status=Video.Status.FAILED, error_message="Cancelled.")
    answer = poll(as_alice, rendering, second).content.decode()
    poller = answer.split('id="clip-poller"')[1].split(">")[0]
    assert "hx-trigger" not in poller and "hx-get" not in poller
    # A clip still rendering at the end is sent back polling by itself, not left waiting.
    swapped = card(answer, second)
    assert "data-waiting" not in swapped.replace("[data-waiting]", "") and 'hx-trigger="every 2s"' in swapped


def test_it_sends_a_gallery_poll_without_htmx_to_the_page(as_alice, rendering):
    response = as_alice.get(f"/videos/{rendering.pk}/clips")
    assert response.status_code == 302 and response.url == f"/videos/{rendering.pk}/"


def test_it_answers_the_gallery_poll_to_members_only(client, alice, bob, charlie, rendering):
    second = rendering.clips.get(rank=2)
    for user in (alice, bob):
        client.force_login(user)
        assert poll(client, rendering, second).status_code == 200, user.email
    client.force_login(charlie)
    assert poll(client, rendering, second).status_code == 404
    assert client.get(f"/videos/{rendering.pk}/clips").status_code == 404
    client.logout()
    response = poll(client, rendering, second)
    assert response.status_code == 302 and response.url.startswith("/login")
