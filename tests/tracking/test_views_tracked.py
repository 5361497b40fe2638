"""The dashboard's tracked items through Django's test client: adding videos and seeds, every
refusal on its field, the list, an item's page with its velocity chart and verdict history,
deleting with a confirm step, and "Add to tracking" from signal and job pages.

Snapshots are made as the watcher makes them: :func:`tracking.watcher.poll` with YouTube
answered from recordings at its one edge, or written directly for a hand-made series."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Plan
from tests.tracking.test_views import part, text
from tracking import actions, charts, watcher
from tracking.models import PlatformVideo, Snapshot, TrackedItem
from tracking.templatetags.trends import every, relative

LINK = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
# Views an hour apart: gains of 1000, 2000, 2000, 500 and 100 views, a rise that turns down.
RISE_AND_FALL = [0, 1000, 3000, 5000, 5500, 5600]


def add(client, *, htmx: bool = False, **fields):
    """Post the add form: a YouTube video by link every 15 minutes, unless ``fields`` say otherwise."""
    data = {"kind": "video", "ref": LINK, "platform": "youtube", "every": "15", "unit": "minutes"} | fields
    return client.post("/tracking/tracked/", data, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))


def inside(html: str, element_id: str) -> str:
    """The markup after the opening tag of the element ``element_id``, to the end of the page."""
    return part(html, element_id).split(">", 1)[1]


def field_errors(html: str, field_id: str) -> str:
    """The text of the form field ``field_id`` and its messages."""
    return text(inside(html, field_id).split("</div>")[0])


def listed(client, item: TrackedItem) -> str:
    """The markup of ``item``'s row in the Tracked page's list."""
    html = client.get("/tracking/tracked/").content.decode()
    return part(html, f"tracked-{item.pk}").split(">", 1)[1].split("</li>")[0]


def tracked(workspace, alice, **fields) -> TrackedItem:
    options = {"kind": "video", "ref": LINK, "platform": "youtube", "interval_sec": 900} | fields
    return watcher.create_tracked_item(workspace, alice, **options)


def with_snapshots(item: TrackedItem, views_by_hour: list[int], uploaded_days_ago: float = 10) -> list[Snapshot]:
    """Give ``item``'s video a title, an upload time and one snapshot an hour, the last one now."""
    now = timezone.now()
    uploaded = now - timedelta(days=uploaded_days_ago)
    PlatformVideo.objects.filter(pk=item.video_id).update(
        title="Blind test", views=views_by_hour[-1], uploaded_at=uploaded
    )
    start = now - timedelta(hours=len(views_by_hour) - 1)
    return [Snapshot.objects.create(video=item.video, captured_at=start + timedelta(hours=hour), views=views)
            for hour, views in enumerate(views_by_hour)]  # fmt: skip


# The page and the add form ----------------------------------------------------------------


def test_it_links_the_tracked_page_from_tracking_and_starts_empty(as_alice):
    home = as_alice.get("/tracking/").content.decode()
    assert 'href="/tracking/tracked/" id="tab-tracked"' in home
    page = as_alice.get("/tracking/tracked/")
    html = page.content.decode()
    assert page.status_code == 200 and 'href="/tracking/tracked/" id="tab-tracked" aria-current="page"' in html
    assert 'id="tracked-form"' in html and "Nothing tracked yet" in html
    assert "The Free plan tracks up to 3 items." in text(html)
    select = part(html, "id_platform").split("</select>")[0]
    assert re.findall(r'<option value="(\w+)"', select) == ["youtube"]


def test_it_adds_a_video_by_its_link(as_alice, alice, workspace):
    response = add(as_alice, every="2", unit="hours")
    item = TrackedItem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tracking/tracked/{item.pk}/"
    assert item.workspace == workspace and item.created_by == alice and item.kind == "video"
    assert item.interval_sec == 7200 and item.video.video_id == "dQw4w9WgXcQ" and item.status == "active"

    page = as_alice.get(response["Location"]).content.decode()
    assert "Now tracking it: the first poll is queued" in page
    status = text(part(page, "tracked-status").split("</section>")[0])
    assert "Watching" in status and "Last poll not yet" in status and "Next poll due now" in status
    assert "at most every 2 hours" in status
    assert "No snapshot yet" in page and 'id="velocity-empty"' in page

    row = text(listed(as_alice, item))
    assert row.startswith(LINK)  # no title until the first poll reads it
    assert "Video · YouTube · every 2 hours" in row and "Watching" in row and "next due now" in row


def test_it_adds_a_video_by_its_id_and_an_htmx_add_redirects(as_alice):
    response = add(as_alice, ref=" dQw4w9WgXcQ ", htmx=True)
    item = TrackedItem.objects.get()
    assert response.status_code == 200 and response["HX-Redirect"] == f"/tracking/tracked/{item.pk}/"
    assert item.video.url == LINK and item.interval_sec == 900


def test_it_adds_a_seed_that_auto_clips_one_creators_breakouts(as_alice):
    add(as_alice, kind="seed", ref="  blind   test ", every="6", unit="hours", auto_clip="on",
        auto_clip_creator="Some Channel")  # fmt: skip
    item = TrackedItem.objects.get()
    assert item.kind == "seed" and item.seed == "blind test" and item.video is None and item.interval_sec == 21600
    assert item.auto_clip and item.auto_clip_creator == "Some Channel"
    page = as_alice.get(f"/tracking/tracked/{item.pk}/").content.decode()
    assert '<h1 class="job-title">blind test</h1>' in page
    assert "Auto-clip is on: each poll sends the best fresh breakout by Some Channel" in text(page)
    assert "No discovery of “blind test” yet" in text(page)


@pytest.mark.parametrize(
    ("fields", "status", "field_id", "message"),
    [
        ({"ref": "https://example.com/x"}, 400, "id_ref", "is not on YouTube, TikTok or Instagram"),
        ({"ref": "hello"}, 400, "id_ref", "is not a web link (http or https) to a video"),
        ({"ref": "https://www.tiktok.com/@a/video/1234567890123"}, 400, "id_ref",
         "The link is a TikTok video, not a YouTube one."),
        ({"platform": "tiktok", "ref": "https://www.tiktok.com/@a/video/1234567890123"}, 403, "id_platform",
         "TikTok is not included in the Free plan (it includes: YouTube)"),
        ({"ref": ""}, 422, "id_ref", "Paste a video's link or id, or type a topic."),
        ({"every": "25", "unit": "hours"}, 422, "id_every", "Poll every 1 minute to 24 hours."),
        ({"every": "0"}, 422, "id_every", "Poll every 1 minute to 24 hours."),
    ],
)  # fmt: skip
def test_it_shows_a_refusal_on_its_field_and_tracks_nothing(as_alice, fields, status, field_id, message):
    page = add(as_alice, **fields)
    html = page.content.decode()
    assert page.status_code == status and "<html" in html
    fieldset = part(html, field_id).split("</fieldset>")[0] if field_id == "id_every" else field_errors(html, field_id)
    assert message in text(fieldset)
    partial = add(as_alice, htmx=True, **fields)
    html = partial.content.decode()
    assert partial.status_code == 422 and "<html" not in html and message in text(html)
    assert not TrackedItem.objects.exists()


def test_it_refuses_a_seed_on_a_platform_that_cannot_be_searched(as_alice, workspace):
    workspace.plan = Plan.objects.get(slug="pro")
    workspace.save()
    page = add(as_alice, kind="seed", ref="blind test", platform="tiktok")
    assert page.status_code == 400
    assert "TikTok cannot be searched from Clipsite" in field_errors(page.content.decode(), "id_platform")
    assert not TrackedItem.objects.exists()


def test_it_refuses_what_is_already_tracked_on_its_field(as_alice, alice, workspace):
    item = tracked(workspace, alice)
    page = add(as_alice, ref="https://youtu.be/dQw4w9WgXcQ")
    assert page.status_code == 409
    assert f"This video is already tracked as {item.pk}." in field_errors(page.content.decode(), "id_ref")
    seed = tracked(workspace, alice, kind="seed", ref="Blind Test")
    again = add(as_alice, kind="seed", ref="blind  test")
    assert again.status_code == 409 and f"already tracked as {seed.pk}" in again.content.decode()
    assert TrackedItem.objects.count() == 2


def test_it_says_when_the_plans_tracked_item_limit_is_reached(as_alice, alice, workspace):
    for seed in ("one", "two", "three"):
        tracked(workspace, alice, kind="seed", ref=seed)
    page = add(as_alice)
    html = page.content.decode()
    assert page.status_code == 402
    errors = text(inside(html, "tracked-errors").split("</div>")[0])
    assert errors == "The Free plan tracks up to 3 items; delete one or move to a larger plan."
    assert "(3 of 3)" in text(part(html, "items-h"))
    assert TrackedItem.objects.count() == 3


# Who sees what ----------------------------------------------------------------------------


def test_it_shows_an_item_to_members_and_hides_it_from_outsiders(client, alice, bob, charlie, workspace):
    item = tracked(workspace, alice)
    client.force_login(bob)
    assert client.get(f"/tracking/tracked/{item.pk}/").status_code == 200
    assert f"tracked-{item.pk}" in client.get("/tracking/tracked/").content.decode()
    client.force_login(charlie)
    assert f"tracked-{item.pk}" not in client.get("/tracking/tracked/").content.decode()
    for path in (f"/tracking/tracked/{item.pk}/", f"/tracking/tracked/{item.pk}/status"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/tracking/tracked/{item.pk}/delete", {"confirm": "yes"}).status_code == 404
    assert client.post(f"/tracking/tracked/{item.pk}/delete").status_code == 404
    assert TrackedItem.objects.filter(pk=item.pk).exists()


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    for path in ("/tracking/tracked/", "/tracking/tracked/ti_x/", "/tracking/tracked/ti_x/status"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login"), path


# Deleting ---------------------------------------------------------------------------------


def test_it_asks_before_deleting_and_deletes_when_confirmed(as_alice, alice, workspace):
    item = tracked(workspace, alice, kind="seed", ref="blind test")
    question = as_alice.post(f"/tracking/tracked/{item.pk}/delete", {"back": "list"})
    html = question.content.decode()
    assert question.status_code == 200 and "<html" in html and "Delete this tracked item?" in html
    assert "Delete “blind test”?" in text(html) and 'name="confirm" value="yes"' in html
    assert 'href="/tracking/tracked/" id="confirm-delete-no"' in html
    assert TrackedItem.objects.filter(pk=item.pk).exists()

    fragment = as_alice.post(f"/tracking/tracked/{item.pk}/delete", {"back": "item"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html and 'id="confirm-delete"' in html
    assert f'href="/tracking/tracked/{item.pk}/" id="confirm-delete-no"' in html

    deleted = as_alice.post(f"/tracking/tracked/{item.pk}/delete", {"confirm": "yes"})
    assert deleted.status_code == 302 and deleted["Location"] == "/tracking/tracked/"
    assert not TrackedItem.objects.exists()
    assert "Stopped tracking “blind test”." in as_alice.get("/tracking/tracked/").content.decode()


def test_it_offers_delete_through_htmx_where_the_button_is(as_alice, alice, workspace):
    item = tracked(workspace, alice)
    row = listed(as_alice, item)
    assert 'class="tracked-actions delete-slot"' in row
    assert f'hx-post="/tracking/tracked/{item.pk}/delete" hx-target="closest .delete-slot"' in row
    assert f'action="/tracking/tracked/{item.pk}/delete"' in row  # a plain form without JavaScript


# An item's status, chart and history ------------------------------------------------------


def test_it_charts_views_per_day_and_marks_the_peak(as_alice, alice, workspace):
    item = tracked(workspace, alice)
    snapshots = with_snapshots(item, RISE_AND_FALL)
    page = as_alice.get(f"/tracking/tracked/{item.pk}/").content.decode()
    chart = part(page, "velocity-chart").split("</figure>")[0]
    # Five intervals of an hour: 1000, 2000, 2000, 500 and 100 views an hour, as views per day.
    assert re.findall(r'class="point"[^>]*data-vpd="(\d+)"', chart) == ["24000", "48000", "48000", "12000", "2400"]
    assert chart.count("<polyline") == 1
    peak = part(chart, "peak-marker").split("</g>")[0]
    assert 'data-vpd="48000"' in peak and ">peak</text>" in peak
    # The first of the two highest points is the peak: it is drawn at the top of the plot.
    first_top = re.findall(r'<circle class="point" cx="([\d.]+)" cy="([\d.]+)"', chart)[1]
    assert re.search(rf'<circle cx="{first_top[0]}" cy="{first_top[1]}" r="8"', peak)
    y_axis = chart.split('class="axis-x"')[0]
    assert re.findall(r'text-anchor="end">([^<]+)</text>', y_axis) == ["0", "20K", "40K", "60K"]
    assert len(re.findall(r"<text[^>]*>(\d\d:\d\d)</text>", chart)) == 4  # four time ticks, under a day

    status = text(part(page, "tracked-status").split("</section>")[0])
    assert "Views/day now 2.4K" in status and "Peak views/day 48K" in status
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", part(page, "snapshots"), re.S)
    assert len(rows) == len(snapshots)
    assert [text(cell) for cell in re.findall(r'<td class="num">(.*?)</td>', rows[0])] == ["5,600", "2.4K", "560"]
    assert re.findall(r'<td class="num">(.*?)</td>', rows[-1])[1] == "—"  # the first has none before it

    row = listed(as_alice, item)
    assert "Blind test" in row and '<svg class="sparkline"' in row and "<polyline points=" in row
    assert "Views/day now 2.4K" in text(row)


def test_it_marks_no_peak_while_the_velocity_still_rises(as_alice, alice, workspace):
    item = tracked(workspace, alice)
    with_snapshots(item, [0, 100, 300, 600])
    page = as_alice.get(f"/tracking/tracked/{item.pk}/").content.decode()
    assert page.count('class="point"') == 3 and 'id="peak-marker"' not in page
    assert text(inside(page, "accel").split("</span>")[0]) == "+57.6K"  # 2400 views/day gained in an hour
    row = listed(as_alice, item)
    assert "Rising" in row and "data-peaking" not in row


def test_it_flags_a_video_peaking_now_and_past_its_peak(as_alice, alice, workspace):
    item = tracked(workspace, alice)
    with_snapshots(item, [0, 1000, 3000, 3500])  # 24K, 48K, then 12K views/day: it turned down just now
    status = inside(as_alice.get(f"/tracking/tracked/{item.pk}/").content.decode(), "tracked-status")
    assert 'data-peaking="now"' in status and "Peaking now" in text(status)
    assert 'data-peaking="now"' in listed(as_alice, item)

    Snapshot.objects.create(video=item.video, captured_at=timezone.now() + timedelta(hours=1), views=3600)
    TrackedItem.objects.filter(pk=item.pk).update(event_state={"peaking_armed": False})  # as the watcher left it
    status = inside(as_alice.get(f"/tracking/tracked/{item.pk}/").content.decode(), "tracked-status")
    assert 'data-peaking="past"' in status and "Past its peak" in text(status)
    assert 'data-peaking="past"' in listed(as_alice, item)


def test_it_polls_through_the_watcher_and_shows_the_result(as_alice, alice, workspace, youtube, settings):
    item = tracked(workspace, alice, interval_sec=3600)
    start = timezone.now()
    for hours in (0, 2):
        token, claimed = watcher.claim_due(10, start + timedelta(hours=hours))
        assert [i.pk for i in claimed] == [item.pk]
        assert watcher.poll(claimed[0], token, start + timedelta(hours=hours))
    page = as_alice.get(f"/tracking/tracked/{item.pk}/").content.decode()
    assert '<h1 class="job-title">Rick Astley - Never Gonna Give You Up' in page
    assert page.count('class="point"') == 1 and 'data-vpd="0"' in page  # the recording's count stands still
    assert len(re.findall(r"<tr>\s*<td>", part(page, "snapshots"))) == 2
    status = text(part(page, "tracked-status").split("</section>")[0])
    assert "Polls 2, at most every hour" in status and "Views/day now 0" in status


def test_it_refreshes_the_status_while_polled_and_stops_when_stopped(as_alice, alice, workspace):
    item = tracked(workspace, alice)
    active = as_alice.get(f"/tracking/tracked/{item.pk}/status").content.decode()
    assert "<html" not in active and 'hx-trigger="every 30s"' in active
    assert f'hx-get="/tracking/tracked/{item.pk}/status"' in active

    later = timezone.now() + timedelta(minutes=14, seconds=10)
    TrackedItem.objects.filter(pk=item.pk).update(status="backing_off", failures=2, next_poll_at=later,
                                                  last_error="YouTube is refusing our requests for now.")  # fmt: skip
    backing = as_alice.get(f"/tracking/tracked/{item.pk}/status").content.decode()
    assert 'hx-trigger="every 30s"' in backing and "Backing off" in backing
    assert "The last poll failed (2 times in a row). YouTube is refusing our requests for now." in text(backing)
    assert "Next poll in 14 min" in text(backing)
    row = text(listed(as_alice, item))
    assert "Backing off YouTube is refusing our requests for now." in row and "next in 14 min" in row

    TrackedItem.objects.filter(pk=item.pk).update(status="stopped", next_poll_at=None,
                                                  last_error="This YouTube video is private.")  # fmt: skip
    stopped = as_alice.get(f"/tracking/tracked/{item.pk}/status").content.decode()
    assert "hx-trigger" not in stopped and "Stopped" in stopped and "Next poll none" in text(stopped)
    assert "Polling stopped. This YouTube video is private." in text(stopped)


def test_it_shows_a_seeds_verdict_history_with_links(as_alice, alice, workspace, youtube):
    item = tracked(workspace, alice, kind="seed", ref="blind test", auto_clip=True)
    first = actions.run_discovery(workspace, "Blind Test")
    actions.run_discovery(workspace, "cake")
    latest = actions.run_discovery(workspace, "blind test")
    note = "Auto-clip is waiting: the workspace has no minutes left."
    TrackedItem.objects.filter(pk=item.pk).update(last_signal=latest, auto_clip_note=note)
    page = as_alice.get(f"/tracking/tracked/{item.pk}/").content.decode()
    history = part(page, "verdicts").split("</table>")[0]
    assert re.findall(r'<tr id="verdict-([^"]+)"', history) == [latest.pk, first.pk]
    assert f'href="/tracking/signals/{first.pk}/"' in history and f'data-verdict="{first.verdict}"' in history
    assert first.result["breakouts"][0]["title"][:40] in text(history)
    status = text(part(page, "tracked-status").split("</section>")[0])
    assert "Latest verdict:" in status and "Auto-clip is on" in status and "0 sent so far" in status
    assert "Auto-clip is waiting: the workspace has no minutes left." in status
    row = listed(as_alice, item)
    assert f'data-verdict="{latest.verdict}"' in row and "Auto-clips fresh breakouts" in row


# "Add to tracking" elsewhere --------------------------------------------------------------


def test_it_adds_a_breakout_and_a_seed_from_a_signals_page(as_alice, workspace, youtube):
    signal = actions.run_discovery(workspace, "blind test")
    top = signal.result["breakouts"][0]
    page = as_alice.get(f"/tracking/signals/{signal.pk}/").content.decode()
    form = part(page, f"breakout-{top['id']}").split("</li>")[0]
    assert f'<input type="hidden" name="ref" value="{top["url"]}">' in form and "Add to tracking" in form
    posted = as_alice.post("/tracking/tracked/", {"kind": "video", "ref": top["url"], "platform": "youtube",
                                                  "every": "15", "unit": "minutes"})  # fmt: skip
    video_item = TrackedItem.objects.get()
    assert posted["Location"] == f"/tracking/tracked/{video_item.pk}/" and video_item.video.video_id == top["id"]
    assert as_alice.get(posted["Location"]).status_code == 200

    page = as_alice.get(f"/tracking/signals/{signal.pk}/").content.decode()
    form = part(page, f"breakout-{top['id']}").split("</li>")[0]
    assert f'href="/tracking/tracked/{video_item.pk}/"' in form and "Tracked ✓" in form
    assert 'name="kind" value="seed"' in page.split('id="verdict"')[0]  # the seed's button, by the heading
    as_alice.post("/tracking/tracked/", {"kind": "seed", "ref": signal.seed, "platform": "youtube", "every": "15",
                                         "unit": "minutes"})  # fmt: skip
    seed_item = TrackedItem.objects.get(kind="seed")
    top_of_page = as_alice.get(f"/tracking/signals/{signal.pk}/").content.decode().split('id="verdict"')[0]
    assert f'href="/tracking/tracked/{seed_item.pk}/"' in top_of_page and 'name="kind"' not in top_of_page


def test_it_adds_a_jobs_video_and_says_when_it_is_tracked_already(as_alice, alice, workspace, youtube):
    signal = actions.run_discovery(workspace, "blind test")
    top = signal.result["breakouts"][0]
    job = actions.submit_analyze(workspace, alice, top["url"])
    page = as_alice.get(f"/tracking/jobs/{job.pk}/").content.decode()
    assert f'<input type="hidden" name="ref" value="{top["url"]}">' in page and "Add to tracking" in page
    fields = {"kind": "video", "ref": top["url"], "platform": "youtube", "every": "15", "unit": "minutes"}
    as_alice.post("/tracking/tracked/", fields)
    item = TrackedItem.objects.get()
    assert f'href="/tracking/tracked/{item.pk}/"' in as_alice.get(f"/tracking/jobs/{job.pk}/").content.decode()
    again = as_alice.post("/tracking/tracked/", fields)  # a second tab's button, say
    assert again.status_code == 409
    ref_input = re.search(r'<input type="text" name="ref"[^>]*>', again.content.decode()).group(0)
    assert f'value="{top["url"]}"' in ref_input  # the form as they posted it


# Filters and chart geometry ---------------------------------------------------------------


def test_it_says_times_and_intervals_as_people_do():
    now = timezone.now()
    assert relative(now + timedelta(minutes=14, seconds=5)) == "in 14 min"
    assert relative(now - timedelta(hours=3)) == "3 h ago"
    assert relative(now + timedelta(days=3)) == "in 3 days"
    assert relative(now + timedelta(seconds=20)) == "in under a minute"
    assert relative(now - timedelta(seconds=5), "due now") == "due now" and relative(None) == "—"
    assert [every(s) for s in (60, 900, 3600, 21600, 90)] == ["every 1 min", "every 15 min", "every hour",
                                                                "every 6 hours", "every 90 s"]  # fmt: skip


@pytest.mark.parametrize(
    ("speeds", "peak"),
    [
        ([], None),
        ([5.0], None),
        ([1.0, 2.0, 3.0], None),
        ([1.0, 3.0, 2.0], 1),
        ([1.0, 3.0, 2.9], None),
        ([0.0, 0.0], None),
    ],
)
def test_it_marks_the_peak_only_once_the_velocity_turned_down(speeds, peak):
    assert charts.peak_index(speeds) == peak


@pytest.mark.parametrize(("highest", "step"), [(0, 1), (0.5, 1), (3, 1), (9, 5), (48_000, 20_000), (100_000, 50_000)])
def test_it_steps_the_velocity_axis_in_round_whole_numbers(highest, step):
    assert charts.nice_step(highest, charts.Y_TICKS) == step
