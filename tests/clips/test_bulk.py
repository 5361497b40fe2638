"""Bulk actions on a video's clips: a streamed ZIP, a re-render and a delete of a selection,
through the API and the gallery's bulk bar, with bad selections and outsiders refused."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import django_rq
from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse

from brands.actions import create_kit
from clips import archive
from clips.models import Clip
from tests.media import cached
from tests.videos.test_views import completed_video, make_clip


def real_mp4() -> Path:
    """A 1 s lossless H.264 MP4 of about 1 MB: larger than one chunk of the stream (built once)."""

    def build(out: Path) -> None:
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc=duration=1:size=320x240:rate=25", "-c:v", "libx264", "-preset", "ultrafast",
                        "-qp", "0", "-pix_fmt", "yuv420p", "-f", "mp4", str(out)], check=True)  # fmt: skip

    return cached("bulk-zip-1s-320x240-lossless", ".mp4", build)


def store_real_files(video) -> bytes:
    """Give every clip of ``video`` the real MP4 as its file; return its bytes."""
    data = real_mp4().read_bytes()
    for clip in video.clips.all():
        with real_mp4().open("rb") as handle:
            clip.file.name = default_storage.save(f"videos/{video.pk}/clips/{clip.pk}-real.mp4", handle)
        clip.save(update_fields=["file"])
    return data


def ids(video, *ranks: int) -> list[str]:
    return [video.clips.get(rank=rank).pk for rank in ranks]


def unzip(response) -> zipfile.ZipFile:
    assert isinstance(response, StreamingHttpResponse) and response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def render_job_ids() -> list[str]:
    return django_rq.get_queue("render").get_job_ids()


# ---- The ZIP ----


def test_it_streams_a_zip_of_real_mp4s_named_from_titles_and_refuses_clips_not_rendered(alice_api, finished_video,
                                                                                        tmp_path):  # fmt: skip
    mp4 = store_real_files(finished_video)
    Clip.objects.filter(pk__in=ids(finished_video, 2)).update(title="Clip 1")  # two clips, one name
    first, second = ids(finished_video, 1, 2)
    response = alice_api.post(f"/api/videos/{finished_video.pk}/clips/zip", {"clipIds": [first, second]},
                              format="json")  # fmt: skip
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="money-talk-clips.zip"'
    # Streamed: the archive comes in pieces of about one chunk, never whole.
    pieces = list(response.streaming_content)
    assert len(pieces) > 4 and max(map(len, pieces)) <= archive.CHUNK + 1024
    with zipfile.ZipFile(io.BytesIO(b"".join(pieces))) as zipped:
        assert zipped.testzip() is None
        assert zipped.namelist() == ["clip-1.mp4", "clip-1-2.mp4"]
        assert all(zipped.read(name) == mp4 for name in zipped.namelist())
        assert zipped.getinfo("clip-1.mp4").compress_type == zipfile.ZIP_STORED
        extracted = Path(zipped.extract("clip-1-2.mp4", tmp_path))
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width", "-of", "json",
                            str(extracted)], capture_output=True, check=True, text=True)  # fmt: skip
    assert json.loads(probe.stdout)["streams"][0] == {"codec_name": "h264", "width": 320}

    # A GET takes the selection from the query, in its order.
    third = ids(finished_video, 3)[0]
    response = alice_api.get(f"/api/videos/{finished_video.pk}/clips/zip?clipIds={third},{first}",
                             HTTP_ACCEPT="application/zip")  # fmt: skip
    assert response.status_code == 200
    assert unzip(response).namelist() == ["clip-3.mp4", "clip-1.mp4"]

    Clip.objects.filter(pk=third).update(status=Clip.Status.GENERATING, file="")
    response = alice_api.get(f"/api/videos/{finished_video.pk}/clips/zip?clipIds={first}&clipIds={third}")
    assert response.status_code == 409
    assert response.json()["detail"] == "Not rendered yet: “Clip 3”. Wait until they are rendered, or leave them out."


# ---- Re-render and delete ----


def test_it_re_renders_the_selection_with_the_new_look_or_none_of_it(alice_api, finished_video,
                                                                     django_capture_on_commit_callbacks):  # fmt: skip
    url = f"/api/videos/{finished_video.pk}/clips/bulk"
    Clip.objects.filter(rank=2, video=finished_video).update(status=Clip.Status.GENERATING)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.post(url, {"action": "rerender", "clipIds": ids(finished_video, 1, 2),
                                        "aspectRatio": "1:1"}, format="json")  # fmt: skip
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Still rendering: “Clip 2”. Wait for it to finish, or leave it out of the selection."
    )
    assert render_job_ids() == [] and finished_video.clips.get(rank=1).aspect_ratio == "9:16"

    chosen = ids(finished_video, 1, 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.post(url, {
            "action": "rerender", "clipIds": chosen, "aspectRatio": "1:1", "captionTemplate": "minimal",
        }, format="json")  # fmt: skip
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["action"] == "rerender" and body["clipIds"] == chosen
    looks = [(c["aspectRatio"], c["captionTemplate"], c["recompiling"]) for c in body["clips"]]
    assert looks == [("1:1", "minimal", True)] * 2
    assert sorted(render_job_ids()) == sorted(f"render-{pk}-v2" for pk in chosen)
    untouched = finished_video.clips.get(rank=2)
    assert (untouched.aspect_ratio, untouched.render_version) == ("9:16", 1)


def test_it_re_renders_the_selection_with_a_brand_kit_of_the_workspace_only(
    alice_api, finished_video, charlie, django_capture_on_commit_callbacks
):
    url = f"/api/videos/{finished_video.pk}/clips/bulk"
    kit = create_kit(finished_video.workspace, {"name": "Launch"})
    foreign = create_kit(charlie.memberships.get().workspace, {"name": "Theirs"})
    response = alice_api.post(url, {"action": "rerender", "clipIds": ids(finished_video, 1),
                                    "brandKit": foreign.pk}, format="json")  # fmt: skip
    assert response.status_code in (400, 422) and render_job_ids() == []

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.post(url, {"action": "rerender", "clipIds": ids(finished_video, 1, 2),
                                        "brandKit": kit.pk}, format="json")  # fmt: skip
    assert response.status_code == 202, response.content
    assert [c["brandKit"] for c in response.json()["clips"]] == [kit.pk, kit.pk]
    assert finished_video.clips.get(rank=3).brand_kit == ""


def test_it_deletes_the_selection_and_its_files_without_refunding(alice_api, finished_video,
                                                                 django_capture_on_commit_callbacks):  # fmt: skip
    doomed = list(finished_video.clips.filter(rank__in=[1, 3]))
    names = [name for clip in doomed for name in (clip.file.name, clip.thumbnail.name)]
    balance = finished_video.workspace.minutes_balance
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.post(f"/api/videos/{finished_video.pk}/clips/bulk",
                                  {"action": "delete", "clipIds": [c.pk for c in doomed]}, format="json")  # fmt: skip
    assert response.status_code == 200
    assert response.json() == {"action": "delete", "clipIds": [c.pk for c in doomed], "clips": []}
    assert list(finished_video.clips.values_list("rank", flat=True)) == [2]
    assert not any(default_storage.exists(name) for name in names)
    assert default_storage.exists(finished_video.clips.get().file.name)
    finished_video.refresh_from_db()
    finished_video.workspace.refresh_from_db()
    assert finished_video.minutes_refunded == 0 and finished_video.workspace.minutes_balance == balance


# ---- Bad selections and outsiders ----


def test_it_refuses_selections_naming_clips_the_video_has_not_got(alice_api, finished_video, charlie, workspace):
    foreign = make_clip(completed_video(charlie.memberships.get().workspace, charlie), 1)
    other_video = make_clip(completed_video(workspace, finished_video.submitted_by), 1)
    selection = [*ids(finished_video, 1), "clip_nosuch", foreign.pk, other_video.pk]
    for url, body in [("zip", {"clipIds": selection}), ("bulk", {"action": "delete", "clipIds": selection})]:
        response = alice_api.post(f"/api/videos/{finished_video.pk}/clips/{url}", body, format="json")
        assert response.status_code == 400, url
        assert response.json() == {"error": "bad_request", "detail": (
            f"These clips are not clips of this video: clip_nosuch, {foreign.pk}, {other_video.pk}. Nothing was done."
        )}  # fmt: skip
    assert finished_video.clips.count() == 3 and Clip.objects.filter(pk=foreign.pk).exists()

    response = alice_api.post(f"/api/videos/{finished_video.pk}/clips/bulk", {"action": "delete", "clipIds": []},
                              format="json")  # fmt: skip
    assert response.status_code == 422 and response.json()["fields"] == {"clipIds": ["Select at least one clip."]}
    response = alice_api.post(f"/api/videos/{finished_video.pk}/clips/bulk",
                              {"action": "delete", "clipIds": ids(finished_video, 1), "aspectRatio": "1:1"},
                              format="json")  # fmt: skip
    assert response.status_code == 422 and "aspectRatio" in response.json()["fields"]


def test_it_hides_the_bulk_actions_from_outsiders_and_lets_members_act(api_client, client, key_for, bob, charlie,
                                                                      finished_video, clean_redis):  # fmt: skip
    chosen = ids(finished_video, 1, 2)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(charlie)}")
    for method, url, body in [
        ("get", f"zip?clipIds={chosen[0]}", None), ("post", "zip", {"clipIds": chosen}),
        ("post", "bulk", {"action": "delete", "clipIds": chosen}),
    ]:  # fmt: skip
        response = getattr(api_client, method)(f"/api/videos/{finished_video.pk}/clips/{url}", body, format="json")
        assert response.status_code == 404 and response.json()["error"] == "not_found", url
    client.force_login(charlie)
    for action in ("zip", "rerender", "delete"):
        data = {"action": action, "clip": chosen, "confirm": "yes"}
        assert client.post(f"/clips/video/{finished_video.pk}/bulk", data).status_code == 404
    assert finished_video.clips.count() == 3 and finished_video.clips.get(rank=1).render_version == 1

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(bob, finished_video.workspace)}")
    response = api_client.post(f"/api/videos/{finished_video.pk}/clips/bulk", {"action": "delete", "clipIds": chosen},
                               format="json")  # fmt: skip
    assert response.status_code == 200 and finished_video.clips.count() == 1


# ---- The gallery's bulk bar ----


def test_it_offers_a_bulk_bar_that_downloads_and_re_renders_the_ticked_clips(as_alice, finished_video):
    page = as_alice.get(f"/videos/{finished_video.pk}/").content.decode()
    assert f'action="/clips/video/{finished_video.pk}/bulk"' in page and 'id="bulk-clips"' in page
    for pk in ids(finished_video, 1, 2, 3):
        assert f'<input type="checkbox" name="clip" value="{pk}" form="bulk-clips">' in page
    assert 'value="zip"' in page and 'value="rerender"' in page and 'value="delete"' in page
    assert '<option value="1:1">1:1 square</option>' in page and '<option value="minimal">Minimal</option>' in page

    chosen = ids(finished_video, 2, 3)
    response = as_alice.post(f"/clips/video/{finished_video.pk}/bulk", {"action": "zip", "clip": chosen})
    assert unzip(response).namelist() == ["clip-2.mp4", "clip-3.mp4"]

    response = as_alice.post(f"/clips/video/{finished_video.pk}/bulk",
                             {"action": "rerender", "clip": chosen, "aspectRatio": "16:9", "captionTemplate": ""},
                             follow=True)  # fmt: skip
    assert response.redirect_chain == [(f"/videos/{finished_video.pk}/", 302)]
    assert "Re-rendering 2 clips; each shows here when done." in response.content.decode()
    assert list(finished_video.clips.order_by("rank").values_list("aspect_ratio", "caption_template")) == [
        ("9:16", "hormozi"), ("16:9", "hormozi"), ("16:9", "hormozi")
    ]  # fmt: skip


def test_it_asks_before_deleting_from_the_bulk_bar(as_alice, finished_video, django_capture_on_commit_callbacks):
    chosen = ids(finished_video, 1, 2)
    asked = as_alice.post(f"/clips/video/{finished_video.pk}/bulk", {"action": "delete", "clip": chosen})
    page = asked.content.decode()
    assert asked.status_code == 200 and "Delete 2 clips?" in page and "are not refunded" in page
    assert finished_video.clips.count() == 3
    # The question's "yes" posts confirm=yes to a URL that carries the selection.
    action = page.split('id="confirm-delete-clips"')[1].split('action="')[1].split('"')[0].replace("&amp;", "&")
    assert action == f"/clips/video/{finished_video.pk}/bulk?action=delete&clip={chosen[0]}&clip={chosen[1]}"
    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.post(action, {"confirm": "yes"}, follow=True)
    assert "Deleted 2 clips." in response.content.decode()
    assert list(finished_video.clips.values_list("rank", flat=True)) == [3]


def test_it_says_why_a_bulk_action_did_nothing(as_alice, finished_video):
    Clip.objects.filter(rank=1, video=finished_video).update(status=Clip.Status.GENERATING)
    cases = [
        ({"action": "zip"}, "Select at least one clip."),
        ({"action": "rerender", "clip": ids(finished_video, 1, 2)},
         "Still rendering: “Clip 1”. Wait for it to finish, or leave it out of the selection."),
        ({"action": "zip", "clip": ["clip_gone", *ids(finished_video, 2)]},
         "1 of the selected clips is no longer on this video (deleted meanwhile?). Nothing was done; select again."),
        ({"action": "", "clip": ids(finished_video, 2)}, "Choose what to do with the selected clips."),
    ]  # fmt: skip
    for data, message in cases:
        response = as_alice.post(f"/clips/video/{finished_video.pk}/bulk", data, follow=True)
        assert message in response.content.decode(), data
    assert finished_video.clips.get(rank=2).render_version == 1

