import pytest
from django.core.files.storage import default_storage
from django.test import Client

from clips.models import Clip


def clip_ids(response) -> list[str]:
    return [c["title"] for c in response.json()["clips"]]


def test_it_lists_clips_in_scalereachs_shape(alice_api, finished_video):
    body = alice_api.get(f"/api/videos/{finished_video.pk}/clips").json()
    assert body["videoId"] == finished_video.pk and body["count"] == 3
    assert body["filters"] == {"sortBy": "score", "sortOrder": "desc"}
    first = body["clips"][0]
    assert first["title"] == "Clip 1" and first["score"] == 91
    # Times are on the source video's timeline (the video was processed from 10 s).
    assert (first["startTime"], first["endTime"], first["duration"]) == (10.0, 40.0, 30.0)
    assert first["hooks"] == {"question": "Why?", "statement": "Nobody tells you this."}
    assert first["emotions"] == {"labels": ["surprise"]} and first["scores"]["hook"] == 86
    assert first["aspectRatio"] == "9:16" and (first["width"], first["height"]) == (1080, 1920)
    assert first["downloadUrl"].startswith("http://testserver/media/signed/")
    assert first["status"] == "completed" and first["favorited"] is False and first["error"] is False


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("minScore=80", ["Clip 1"]),
        ("maxScore=80", ["Clip 2", "Clip 3"]),
        ("favorited=true", ["Clip 2"]),
        ("sortBy=duration&sortOrder=asc", ["Clip 2", "Clip 1", "Clip 3"]),
        ("sortBy=score&sortOrder=asc", ["Clip 3", "Clip 2", "Clip 1"]),
        ("status=failed", []),
    ],
)
def test_it_filters_and_sorts_clips(alice_api, finished_video, query, titles):
    response = alice_api.get(f"/api/videos/{finished_video.pk}/clips?{query}")
    assert clip_ids(response) == titles


@pytest.mark.parametrize("query", ["minScore=101", "sortBy=views", "sortOrder=up", "status=great"])
def test_it_refuses_bad_filters_with_422(alice_api, finished_video, query):
    response = alice_api.get(f"/api/videos/{finished_video.pk}/clips?{query}")
    assert response.status_code == 422 and query.split("=")[0] in response.json()["fields"]


def test_it_favorites_and_renames_a_clip(alice_api, finished_video):
    clip = finished_video.clips.get(rank=1)
    response = alice_api.patch(f"/api/clips/{clip.pk}", {"favorited": True, "title": "Money, explained"},
                               format="json")  # fmt: skip
    assert response.status_code == 200
    assert (
        response.json()["clip"]["favorited"] is True
        and response.json()["clip"]["title"] == "Money, explained"
    )
    bad = alice_api.patch(f"/api/clips/{clip.pk}", {"score": 100}, format="json")
    assert bad.status_code == 422 and "score" in bad.json()["fields"]
    clip.refresh_from_db()
    assert clip.score == 91 and clip.favorited


def test_it_queues_a_re_render_with_new_times(alice_api, finished_video):
    clip = finished_video.clips.get(rank=1)
    response = alice_api.post(
        f"/api/clips/{clip.pk}/render",
        {"startTime": 12.0, "endTime": 35.0, "captionTemplate": "karaoke"},
        format="json",
    )
    assert response.status_code == 202
    body = response.json()["clip"]
    assert body["recompiling"] is True and body["status"] == "generating"
    assert (body["startTime"], body["endTime"], body["captionTemplate"]) == (12.0, 35.0, "karaoke")
    again = alice_api.post(f"/api/clips/{clip.pk}/render", {"endTime": 30.0}, format="json")
    assert again.status_code == 409 and again.json()["error"] == "conflict"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"endTime": 500.0}, "endTime"),
        ({"startTime": 35.0, "endTime": 20.0}, "endTime"),
        ({"aspectRatio": "2:1"}, "aspectRatio"),
        ({"captionTemplate": "wavy"}, "captionTemplate"),
    ],
)
def test_it_refuses_impossible_re_renders_naming_the_field(alice_api, finished_video, data, field):
    clip = finished_video.clips.get(rank=1)
    response = alice_api.post(f"/api/clips/{clip.pk}/render", data, format="json")
    assert response.status_code == 422 and field in response.json()["fields"]
    clip.refresh_from_db()
    assert clip.status == Clip.Status.COMPLETED and clip.render_version == 1


def test_it_redirects_downloads_to_a_fresh_signed_link_that_serves_the_file(alice_api, finished_video):
    clip = finished_video.clips.get(rank=1)
    response = alice_api.get(f"/api/clips/{clip.pk}/download")
    assert response.status_code == 302
    served = Client().get(response["Location"])
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == default_storage.open(clip.file.name).read()
    assert served["Content-Disposition"] == 'attachment; filename="clip-1.mp4"'


def test_it_serves_byte_ranges_for_seeking(alice_api, finished_video):
    clip = finished_video.clips.get(rank=1)
    url = alice_api.get(f"/api/clips/{clip.pk}").json()["clip"]["downloadUrl"]
    data = default_storage.open(clip.file.name).read()
    partial = Client().get(url, HTTP_RANGE="bytes=100-199")
    assert partial.status_code == 206 and partial["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(partial.streaming_content) == data[100:200]
    tail = Client().get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == data[-10:]
    assert Client().get(url, HTTP_RANGE=f"bytes={len(data) + 5}-").status_code == 416


def test_it_refuses_tampered_and_expired_links_with_403(alice_api, finished_video, settings):
    clip = finished_video.clips.get(rank=1)
    url = alice_api.get(f"/api/clips/{clip.pk}").json()["clip"]["downloadUrl"]
    token = url.rsplit("/", 1)[1]
    tampered = url[: -len(token)] + token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert Client().get(tampered).status_code == 403
    settings.SIGNED_URL_TTL_SECONDS = -1  # every link is now older than its lifetime
    expired = Client().get(url)
    assert expired.status_code == 403 and b"expired" in expired.content


def test_it_says_when_a_clip_has_no_file_yet(alice_api, finished_video):
    clip = finished_video.clips.get(rank=3)
    Clip.objects.filter(pk=clip.pk).update(file="", status=Clip.Status.GENERATING)
    assert alice_api.get(f"/api/clips/{clip.pk}/download").status_code == 409
    assert alice_api.get(f"/api/clips/{clip.pk}").json()["clip"]["downloadUrl"] is None


@pytest.mark.parametrize(
    ("method", "suffix", "data"),
    [
        ("get", "", None),
        ("patch", "", {"favorited": True}),
        ("post", "/render", {"endTime": 30.0}),
        ("get", "/download", None),
    ],
)
def test_it_hides_other_workspaces_clips_behind_404(api_client, charlie, key_for, finished_video, method, suffix,
                                                    data):  # fmt: skip
    api_client.credentials(HTTP_X_API_KEY=key_for(charlie))
    clip = finished_video.clips.get(rank=1)
    response = getattr(api_client, method)(f"/api/clips/{clip.pk}{suffix}", data, format="json")
    assert response.status_code == 404
    clip.refresh_from_db()
    assert (clip.favorited, clip.render_version) == (False, 1)


def test_it_lets_a_member_read_and_favorite(api_client, bob, key_for, finished_video):
    api_client.credentials(HTTP_X_API_KEY=key_for(bob, finished_video.workspace))
    clip = finished_video.clips.get(rank=1)
    assert api_client.patch(f"/api/clips/{clip.pk}", {"favorited": True}, format="json").status_code == 200
