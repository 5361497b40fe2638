"""A video's clips as editable exports and captions, through the API and the dashboard, and an
edited .otio sent back: refused whole with a plain reason, or re-rendering only the moved clips."""

from __future__ import annotations

import django_rq
import opentimelineio as otio
import pytest
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from lxml import etree

from clips import exports
from clips.models import Clip
from pipeline import timeline as tl
from tests.pipeline.test_timeline import FCPXML_DTD

SOURCE_NAME = "money-talk_10s-130s.mp4"  # finished_video kept 10-130 s of its source


def export(api, video, fmt: str):
    return api.get(f"/api/videos/{video.pk}/export?format={fmt}")


def exported_timeline(api, video):
    return otio.adapters.read_from_string(export(api, video, "otio").content.decode(), "otio_json")


def moved(api, video, changes: dict[int, tuple[float, float]], ids: dict[int, str] | None = None) -> bytes:
    """The exported .otio with the clips of some ranks given new (start, end) seconds or ids."""
    timeline = exported_timeline(api, video)
    for rank, clip in enumerate(timeline.find_clips(), 1):
        if rank in changes:
            start, end = changes[rank]
            first, length = round(start * 30), round((end - start) * 30)
            clip.source_range = otio.opentime.TimeRange(otio.opentime.RationalTime(first, 30),
                                                        otio.opentime.RationalTime(length, 30))
        if ids and rank in ids:
            clip.metadata["clipsite"]["clip_id"] = ids[rank]
    return tl.to_otio(timeline).encode()


def upload(client, url: str, data: bytes, **extra):
    return client.post(url, {"timeline": SimpleUploadedFile("edited.otio", data)}, format="multipart", **extra)


def signed_content(url: str) -> tuple[bytes, str]:
    response = Client().get(url.removeprefix("http://testserver"))
    assert response.status_code == 200, url
    return b"".join(response.streaming_content), response["Content-Disposition"]


def versions(video) -> list[tuple[int, str, float, float]]:
    return list(video.clips.order_by("rank").values_list("render_version", "status", "start", "end"))


UNCHANGED = [(1, "completed", 0.0, 30.0), (1, "completed", 40.0, 55.0), (1, "completed", 60.0, 110.0)]


# ---- exports ----


def test_it_exports_the_clips_as_an_otio_timeline_of_the_linked_source(alice_api, finished_video):
    response = export(alice_api, finished_video, "otio")
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="money-talk.otio"'
    timeline = otio.adapters.read_from_string(response.content.decode(), "otio_json")
    clips = list(timeline.find_clips())
    assert [clip.name for clip in clips] == ["Clip 1", "Clip 2", "Clip 3"]
    assert [clip.metadata["clipsite"]["clip_id"] for clip in clips] == list(
        finished_video.clips.order_by("rank").values_list("pk", flat=True))  # fmt: skip
    # In and out points in frames on the stored source (30 fps when the rate is unknown).
    assert [(c.source_range.start_time.value, c.source_range.duration.value) for c in clips] == [
        (0, 900), (1200, 450), (1800, 1500)]  # fmt: skip
    # The source, by the name an editor relinks by and a signed link that downloads it so.
    reference = clips[0].media_reference
    assert reference.name == SOURCE_NAME and reference.target_url.startswith("http://testserver/media/signed/")
    content, disposition = signed_content(reference.target_url)
    assert content == b"source" and SOURCE_NAME in disposition
    assert timeline.metadata["clipsite"]["video_id"] == finished_video.pk
    assert [marker.name for marker in clips[0].markers][:2] == ["Here is the", "one thing nobody"]


def test_it_exports_fcpxml_that_apples_dtd_accepts_and_an_edl_the_cmx_adapter_reads(alice_api, finished_video):
    response = export(alice_api, finished_video, "fcpxml")
    assert response.status_code == 200 and response["Content-Type"] == "application/xml; charset=utf-8"
    root = etree.fromstring(response.content)
    dtd = etree.DTD(str(FCPXML_DTD))
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
    assert [clip.get("name") for clip in root.find("project/sequence/spine")] == ["Clip 1", "Clip 2", "Clip 3"]
    assert root.find("resources/asset").get("name") == SOURCE_NAME

    edl = export(alice_api, finished_video, "edl")
    assert edl.status_code == 200 and edl["Content-Disposition"] == 'attachment; filename="money-talk.edl"'
    again = otio.adapters.read_from_string(edl.content.decode(), "cmx_3600", rate=30)
    assert [(c.source_range.start_time.value, c.source_range.duration.value) for c in again.find_clips()] == [
        (0, 900), (1200, 450), (1800, 1500)]  # fmt: skip


def test_it_gives_captions_per_clip_from_its_start_and_per_video_on_the_timeline(alice_api, finished_video):
    first, second = finished_video.clips.order_by("rank")[:2]
    Clip.objects.filter(pk=first.pk).update(start=2.0)
    Clip.objects.filter(pk=second.pk).update(start=0.0, end=6.0)
    srt = alice_api.get(f"/api/clips/{first.pk}/captions?format=srt")
    assert srt.status_code == 200 and srt["Content-Type"] == "application/x-subrip; charset=utf-8"
    # Each chunk stays up until the next one starts (the last a little past its word).
    assert srt.content.decode() == ("1\n00:00:00,000 --> 00:00:01,500\nthing nobody tells\n\n"
                                    "2\n00:00:01,500 --> 00:00:03,000\nyou about money.\n\n"
                                    "3\n00:00:03,000 --> 00:00:04,300\nIt compounds.\n")  # fmt: skip
    vtt = alice_api.get(f"/api/clips/{first.pk}/captions?format=vtt")
    assert vtt["Content-Type"] == "text/vtt; charset=utf-8" and vtt["Content-Disposition"].endswith('clip-1.vtt"')
    assert vtt.content.decode().startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nthing nobody tells\n\n")
    # The whole timeline's: the second clip's words follow the first clip's 28 s.
    whole = export(alice_api, finished_video, "srt").content.decode()
    assert whole.startswith(srt.content.decode()) and "4\n00:00:28,000 --> 00:00:29,500\nHere is the\n" in whole
    assert export(alice_api, finished_video, "vtt").content.decode().startswith("WEBVTT\n\n")


def test_it_refuses_an_unknown_format_and_a_video_without_clips(alice_api, finished_video):
    bad = export(alice_api, finished_video, "aaf")
    assert (bad.status_code, bad.json()["detail"]) == (
        422, "format: format must be one of otio, fcpxml, edl, srt, vtt.")
    clip = finished_video.clips.first()
    assert alice_api.get(f"/api/clips/{clip.pk}/captions?format=otio").status_code == 422
    finished_video.clips.all().delete()
    empty = export(alice_api, finished_video, "otio")
    assert empty.status_code == 409 and empty.json() == {"error": "conflict", "detail": exports.NO_CLIPS}


# ---- edited timelines ----


def test_it_re_renders_only_the_clip_whose_in_point_moved(alice_api, finished_video,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    clips = list(finished_video.clips.order_by("rank"))
    url = f"/api/videos/{finished_video.pk}/timeline"
    # Sent back unchanged (its times rounded to frames), it re-renders nothing.
    unchanged = upload(alice_api, url, moved(alice_api, finished_video, {}))
    assert unchanged.status_code == 200 and unchanged.json()["queued"] == [] and len(unchanged.json()["unchanged"]) == 3
    assert versions(finished_video) == UNCHANGED
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(alice_api, url, moved(alice_api, finished_video, {2: (42.0, 55.0)}))
    assert response.status_code == 202, response.content
    body = response.json()
    assert [clip["id"] for clip in body["queued"]] == [clips[1].pk] and body["unchanged"] == [clips[0].pk, clips[2].pk]
    # Times in the API are on the original's timeline, 10 s later.
    assert (body["queued"][0]["startTime"], body["queued"][0]["endTime"], body["queued"][0]["recompiling"]) == (
        52.0, 65.0, True)  # fmt: skip
    assert versions(finished_video) == [UNCHANGED[0], (2, "generating", 42.0, 55.0), UNCHANGED[2]]
    # One render job, for that clip's new version; nothing for the processing (transcription) queue.
    assert django_rq.get_queue("render").job_ids == [f"render-{clips[1].pk}-v2"]
    assert django_rq.get_queue("default").count == 0


def bad_uploads(api, video) -> list[tuple[bytes, str]]:
    first, second, third = video.clips.order_by("rank")
    return [
        (b"TITLE: not a timeline", tl.NOT_OTIO),
        (b" " * (exports.MAX_TIMELINE_BYTES + 1),
         "The timeline file is larger than 5 MB; upload the .otio exported here."),
        (moved(api, video, {}, ids={1: "clip_elsewhere"}),
         "Clip clip_elsewhere is not one of this video's clips; leave the ids as exported."),
        (moved(api, video, {1: (-1.0, 30.0)}),
         f"Clip {first.pk} (\u201cClip 1\u201d): its in point (-1.00 s) is outside the video (0 to 120.00 s)."),
        (moved(api, video, {2: (45.0, 45.0)}),
         f"Clip {second.pk} (\u201cClip 2\u201d): its out point must come after its in point."),
        (moved(api, video, {3: (100.0, 125.0)}),
         f"Clip {third.pk} (\u201cClip 3\u201d): its out point (125.00 s) is past the end of the video (120.00 s)."),
        (moved(api, video, {2: (40.0, 40.5)}),
         f"Clip {second.pk} (\u201cClip 2\u201d): it would last 0.50 s; a clip lasts between 1 and 600 seconds."),
    ]


def test_it_refuses_a_bad_timeline_whole_saying_what_is_wrong(alice_api, finished_video,
                                                               django_capture_on_commit_callbacks):  # fmt: skip
    url = f"/api/videos/{finished_video.pk}/timeline"
    for data, message in bad_uploads(alice_api, finished_video):
        response = upload(alice_api, url, data)
        assert (response.status_code, response.json()) == (400, {"error": "bad_request", "detail": message})
    missing = alice_api.post(url, {"note": "no file"}, format="multipart")
    assert (missing.status_code, missing.json()["detail"]) == (
        400, "Attach the edited timeline as the file field \u201ctimeline\u201d.")
    assert versions(finished_video) == UNCHANGED and django_rq.get_queue("render").count == 0
    # A moved clip that cannot be re-rendered now: 409, and the other moved clip stays as it was.
    second = finished_video.clips.get(rank=2)
    Clip.objects.filter(pk=second.pk).update(status=Clip.Status.GENERATING)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = upload(alice_api, url, moved(alice_api, finished_video, {1: (1.0, 30.0), 2: (41.0, 55.0)}))
    assert response.status_code == 409 and queued == []
    assert response.json()["detail"] == (f"Clip {second.pk} (\u201cClip 2\u201d): This clip is already being "
                                         "rendered; wait for it to finish.")  # fmt: skip
    assert versions(finished_video)[0] == UNCHANGED[0] and django_rq.get_queue("render").count == 0


# ---- the dashboard ----


def test_it_offers_the_exports_on_the_video_page_and_serves_them(as_alice, finished_video):
    page = as_alice.get(f"/videos/{finished_video.pk}/").content.decode()
    assert page.count('id="export-menu"') == 1
    for fmt in exports.FORMATS:
        assert f'href="/clips/video/{finished_video.pk}/export?format={fmt}"' in page
    first = finished_video.clips.get(rank=1)
    assert f'href="/clips/{first.pk}/captions?format=vtt"' in page
    assert f'action="/clips/video/{finished_video.pk}/timeline"' in page and 'enctype="multipart/form-data"' in page
    fcpxml = as_alice.get(f"/clips/video/{finished_video.pk}/export?format=fcpxml")
    assert fcpxml.status_code == 200 and etree.DTD(str(FCPXML_DTD)).validate(etree.fromstring(fcpxml.content))
    captions = as_alice.get(f"/clips/{first.pk}/captions?format=srt")
    assert captions.status_code == 200 and b"Here is the" in captions.content
    source = as_alice.get(f"/clips/video/{finished_video.pk}/source")
    assert source.status_code == 302 and signed_content(source.url) == (
        b"source", f'attachment; filename="{SOURCE_NAME}"')  # fmt: skip
    assert as_alice.get(f"/clips/video/{finished_video.pk}/export?format=aaf").status_code == 404


def test_it_takes_an_edited_timeline_from_the_dashboard(as_alice, alice_api, finished_video):
    url = f"/clips/video/{finished_video.pk}/timeline"
    response = upload(as_alice, url, moved(alice_api, finished_video, {3: (60.0, 100.0)}), follow=True)
    assert "Re-rendering 1 clip: \u201cClip 3\u201d." in response.content.decode()
    assert versions(finished_video)[2] == (2, "generating", 60.0, 100.0)
    refused = upload(as_alice, url, b"not json", follow=True)
    assert tl.NOT_OTIO in refused.content.decode()
    big = SimpleUploadedFile("big.otio", b"{" * (exports.MAX_TIMELINE_BYTES + 70_000))
    too_large = as_alice.post(url, {"timeline": big}, follow=True)
    assert "larger than 5 MB" in too_large.content.decode()
    assert versions(finished_video)[:2] == UNCHANGED[:2]


# ---- who may ----


def test_it_hides_a_videos_exports_and_timeline_from_outsiders(api_client, client, bob, charlie, key_for,
                                                               finished_video):  # fmt: skip
    clip = finished_video.clips.get(rank=1)
    api_client.credentials(HTTP_X_API_KEY=key_for(bob, finished_video.workspace))
    data = moved(api_client, finished_video, {1: (1.0, 30.0)})
    assert export(api_client, finished_video, "fcpxml").status_code == 200
    api_client.credentials(HTTP_X_API_KEY=key_for(charlie))
    assert export(api_client, finished_video, "otio").status_code == 404
    assert api_client.get(f"/api/clips/{clip.pk}/captions").status_code == 404
    assert upload(api_client, f"/api/videos/{finished_video.pk}/timeline", data).status_code == 404
    client.force_login(charlie)
    for url in (f"/clips/video/{finished_video.pk}/export?format=otio", f"/clips/video/{finished_video.pk}/source",
                f"/clips/{clip.pk}/captions?format=srt"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert upload(client, f"/clips/video/{finished_video.pk}/timeline", data).status_code == 404
    assert 'id="export-menu"' not in client.get(f"/videos/{finished_video.pk}/").content.decode()
    assert versions(finished_video) == UNCHANGED


# ---- a real re-render ----


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_re_renders_the_moved_clip_from_the_stored_source_and_transcript(alice_api, workspace, alice, talk_path):
    from django.conf import settings

    from pipeline.probe import probe
    from tests.fixtures import WORDS
    from tests.videos.test_processing import probe_duration
    from tests.videos.test_views import completed_video, make_clip
    from tests.workers import run_workers

    transcript = {"language": "en", "duration": 45.0, "words": WORDS, "sentences": []}
    video = completed_video(workspace, alice, media_info=probe(talk_path, settings.PIPELINE).to_dict(),
                            transcript=transcript)
    with open(talk_path, "rb") as handle:
        video.source_file.name = default_storage.save(f"videos/{video.pk}/source.mp4", File(handle))
    video.save()
    for rank, (start, end) in enumerate([(0.0, 4.0), (5.0, 10.0), (14.0, 20.0)], 1):
        make_clip(video, rank, start=start, end=end, render_version=1)
    response = upload(alice_api, f"/api/videos/{video.pk}/timeline", moved(alice_api, video, {2: (8.0, 10.0)}))
    assert response.status_code == 202, response.content
    # Only a render was queued: nothing goes back through processing (and its transcription).
    assert django_rq.get_queue("default").count == 0 and django_rq.get_queue("render").count == 1

    run_workers(1, queues=("render",), prefix="otio")
    first, second, third = video.clips.order_by("rank")
    assert (second.status, second.render_version, second.start, second.end) == ("completed", 2, 8.0, 10.0)
    assert probe_duration(second.file.name) == pytest.approx(2.0, abs=0.15)
    assert [(clip.render_version, clip.status, clip.file.name) for clip in (first, third)] == [
        (1, "completed", f"videos/{video.pk}/clips/1.mp4"), (1, "completed", f"videos/{video.pk}/clips/3.mp4"),
    ]
    video.refresh_from_db()
    assert video.status == "completed" and video.transcript["words"] == WORDS
