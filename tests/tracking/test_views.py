"""The dashboard's Tracking pages through Django's test client: discovery, signals, enrichment
jobs, "Clip this" and storyboards, with YouTube answered from recordings at its one edge."""

from __future__ import annotations

import re
from datetime import timedelta
from html import escape, unescape
from urllib.parse import quote

import pytest

from accounts.models import Plan, UsageEntry
from tests.pipeline.http_server import LocalHTTPServer
from tests.pipeline.platform_fakes import answering, recorded_text, ytdlp_failure
from tests.trends import recorded_youtube
from tracking import actions, jobs
from tracking.models import EnrichmentJob, Signal
from videos.models import Video


def text(html: str) -> str:
    """What a reader sees of ``html``: its text, tags dropped, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def part(html: str, element_id: str) -> str:
    """The markup from the element ``element_id`` to the end of the page."""
    return html.split(f'id="{element_id}"', 1)[1]


@pytest.fixture
def signal(youtube, workspace):
    return actions.run_discovery(workspace, "blind test")


@pytest.fixture
def breakout(signal) -> dict:
    return signal.result["breakouts"][0]


@pytest.fixture
def captions():
    with LocalHTTPServer() as server:
        vtt = recorded_text("youtube_uploaded_captions.vtt").encode()
        yield server.add_bytes("/captions.vtt", vtt, content_type="text/vtt")


def analyze(client, signal: Signal, video_id: str, **headers):
    return client.post(f"/tracking/signals/{signal.pk}/analyze", {"video": video_id}, **headers)


# The tracking page -----------------------------------------------------------------------


def test_it_replaces_the_placeholder_with_the_tracking_page(as_alice):
    html = as_alice.get("/tracking/").content.decode()
    assert 'href="/tracking/" aria-current="page"' in html
    assert 'id="discover-form"' in html and "Nothing here yet" in html
    assert "Discovery calls this month 0 / 25" in text(part(html, "usage-discovery"))
    assert "Enrichments this month 0 / 50" in text(part(html, "usage-enrichment"))


def test_it_says_unlimited_for_a_plan_without_quotas(as_alice, workspace):
    workspace.plan = Plan.objects.get(slug="enterprise")
    workspace.save()
    html = as_alice.get("/tracking/").content.decode()
    assert "0 / unlimited" in text(part(html, "usage-discovery"))
    assert "0 / unlimited" in text(part(html, "usage-enrichment"))


def test_it_offers_only_the_platforms_that_can_be_searched_in_the_plan(as_alice, workspace):
    html = as_alice.get("/tracking/").content.decode()
    select = part(html, "id_platform").split("</select>")[0]
    assert re.findall(r'<option value="(\w+)"', select) == ["youtube"]
    assert "The Free plan includes YouTube" in text(html)
    workspace.plan = Plan.objects.get(slug="pro")
    workspace.save()
    html = as_alice.get("/tracking/").content.decode()
    select = part(html, "id_platform").split("</select>")[0]
    # TikTok and Instagram are in the plan, but cannot be searched: only analyzed by link.
    assert re.findall(r'<option value="(\w+)"', select) == ["youtube"]
    assert "TikTok and Instagram videos can be analyzed by their links" in text(html)


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    for path in ("/tracking/", "/tracking/signals/sig_x/", "/tracking/jobs/job_x/", "/tracking/storyboard?url=x"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login"), path


# Discovery --------------------------------------------------------------------------------


def test_it_runs_a_discovery_and_shows_its_signal(as_alice, youtube, workspace):
    response = as_alice.post("/tracking/", {"seed": "  blind   test ", "platform": "youtube"})
    signal = Signal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tracking/signals/{signal.pk}/"
    assert youtube.calls == [("ytsearch50:blind test", True)]
    workspace.refresh_from_db()
    assert signal.workspace == workspace and signal.seed == "blind   test" and workspace.discovery_used == 1

    html = as_alice.get(response["Location"]).content.decode()
    verdict = part(html, "verdict").split("</section>")[0]
    assert f'data-verdict="{signal.verdict}"' in html
    assert signal.result["verdict_detail"]["reason"].lower() in text(verdict).lower()
    # One bar per age band, each with its n and median views per day.
    bars = re.findall(r'data-band="([^"]+)"', html)
    assert bars == [band["band"] for band in signal.result["adoption_histogram"]] and len(bars) == 5
    young = part(html, "histogram").split('data-band="0-7d"')[1].split("</div>")[0]
    assert "n=4" in young and "12.1K" in young

    breakouts = signal.result["breakouts"]
    rows = re.findall(r'<li class="breakout" id="breakout-([^"]+)"', html)
    assert rows == [b["id"] for b in breakouts]
    top = part(html, f"breakout-{breakouts[0]['id']}").split("</li>")[0]
    assert 'loading="lazy"' in top and 'referrerpolicy="no-referrer"' in top
    assert f'src="{breakouts[0]["thumbnail"].replace("&", "&amp;")}"' in top
    assert f'href="{breakouts[0]["url"]}"' in top
    assert "views/day" in text(top) and "Analyze" in top and "Clip this" in top


def test_it_redirects_an_htmx_discovery_with_hx_redirect(as_alice, youtube):
    response = as_alice.post("/tracking/", {"seed": "blind test", "platform": "youtube"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == f"/tracking/signals/{Signal.objects.get().pk}/"


@pytest.mark.parametrize(("seed", "message"), [("   ", "Type a topic to search for."),
                                               ("x" * 201, "at most 200 characters")])  # fmt: skip
def test_it_shows_form_errors_and_stores_nothing(as_alice, youtube, workspace, seed, message):
    page = as_alice.post("/tracking/", {"seed": seed, "platform": "youtube"})
    assert page.status_code == 422 and message in page.content.decode()
    assert "<html" in page.content.decode()
    partial = as_alice.post("/tracking/", {"seed": seed, "platform": "youtube"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 422 and message in partial.content.decode()
    assert "<html" not in partial.content.decode() and 'id="discover-form"' in partial.content.decode()
    workspace.refresh_from_db()
    assert not Signal.objects.exists() and youtube.calls == [] and workspace.discovery_used == 0


def test_it_shows_the_quota_message_when_discoveries_are_used_up(as_alice, youtube, workspace):
    workspace.discovery_used = 25
    workspace.save()
    page = as_alice.post("/tracking/", {"seed": "blind test", "platform": "youtube"})
    assert page.status_code == 402
    assert "has used 25 of its 25 discovery calls this month" in text(page.content.decode())
    partial = as_alice.post("/tracking/", {"seed": "blind test", "platform": "youtube"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 422 and "25 of its 25 discovery calls" in partial.content.decode()
    workspace.refresh_from_db()
    assert not Signal.objects.exists() and youtube.calls == [] and workspace.discovery_used == 25


def test_it_refuses_a_platform_that_cannot_be_searched_on_its_field(as_alice, youtube, workspace):
    page = as_alice.post("/tracking/", {"seed": "blind test", "platform": "tiktok"})
    assert page.status_code == 400
    field = part(page.content.decode(), "id_platform").split("</div>")[0]
    assert "TikTok cannot be searched from Clipsite; discover on YouTube, or analyze TikTok videos" in field
    workspace.refresh_from_db()
    assert not Signal.objects.exists() and workspace.discovery_used == 0


def test_it_says_when_the_platform_refuses_and_refunds_the_search(as_alice, settings, clean_redis, workspace):
    settings.PLATFORM_MIN_INTERVAL = 0
    refusal = ytdlp_failure("youtube", "Sign in to confirm you're not a bot. Use --cookies-from-browser")
    with answering("youtube", refusal):
        page = as_alice.post("/tracking/", {"seed": "blind test", "platform": "youtube"})
    html = page.content.decode()
    assert page.status_code == 503 and int(page["Retry-After"]) > 0
    assert "YouTube is refusing our requests for now" in html and "--cookies" not in html
    workspace.refresh_from_db()
    assert not Signal.objects.exists() and workspace.discovery_used == 0


def test_it_lists_recent_signals_and_a_seeds_verdicts_over_time(as_alice, youtube, workspace):
    first = actions.run_discovery(workspace, "Blind Test")
    other = actions.run_discovery(workspace, "cake")
    latest = actions.run_discovery(workspace, "blind  test")
    home = as_alice.get("/tracking/").content.decode()
    assert re.findall(r'<tr id="signal-([^"]+)"', home) == [latest.pk, other.pk, first.pk]
    row = part(home, f"signal-{latest.pk}").split("</tr>")[0]
    assert f'href="/tracking/signals/{latest.pk}/"' in row and f'data-verdict="{latest.verdict}"' in row

    history = part(as_alice.get(f"/tracking/signals/{latest.pk}/").content.decode(), "history").split("</ul>")[0]
    assert f'href="/tracking/signals/{first.pk}/"' in history and other.pk not in history
    assert "This discovery" in history and history.count("<li") == 2


def test_it_prefills_the_form_to_discover_a_seed_again(as_alice, signal):
    page = as_alice.get(f"/tracking/signals/{signal.pk}/").content.decode()
    assert 'href="/tracking/?seed=blind+test&amp;platform=youtube"' in page
    form = as_alice.get("/tracking/?seed=blind+test&platform=youtube").content.decode()
    assert 'value="blind test"' in part(form, "discover-form")


def test_it_keeps_to_the_plans_history(as_alice, signal, workspace):
    Signal.objects.filter(pk=signal.pk).update(created_at=signal.created_at - timedelta(days=8))
    assert f"signal-{signal.pk}" not in as_alice.get("/tracking/").content.decode()
    assert as_alice.get(f"/tracking/signals/{signal.pk}/").status_code == 404
    workspace.plan = Plan.objects.get(slug="business")  # unlimited history
    workspace.save()
    assert as_alice.get(f"/tracking/signals/{signal.pk}/").status_code == 200


# Who sees what ----------------------------------------------------------------------------


def test_it_shows_a_signal_to_members_and_hides_it_from_outsiders(client, signal, bob, charlie, breakout):
    client.force_login(bob)
    assert client.get(f"/tracking/signals/{signal.pk}/").status_code == 200
    client.force_login(charlie)
    assert client.get(f"/tracking/signals/{signal.pk}/").status_code == 404
    assert analyze(client, signal, breakout["id"]).status_code == 404
    clipped = client.post(f"/tracking/signals/{signal.pk}/clip", {"video": breakout["id"]})
    assert clipped.status_code == 404
    assert not EnrichmentJob.objects.exists() and not Video.objects.exists()


def test_it_hides_a_job_from_outsiders(client, signal, alice, bob, charlie, breakout):
    job = actions.submit_analyze(signal.workspace, alice, breakout["url"])
    client.force_login(bob)
    assert client.get(f"/tracking/jobs/{job.pk}/").status_code == 200
    client.force_login(charlie)
    for path in (f"/tracking/jobs/{job.pk}/", f"/tracking/jobs/{job.pk}/status"):
        assert client.get(path).status_code == 404
    assert client.post(f"/tracking/jobs/{job.pk}/clip").status_code == 404
    assert not Video.objects.exists()


# Analyze ----------------------------------------------------------------------------------


def test_it_queues_a_breakouts_analysis_and_polls_it(client, bob, signal, breakout, workspace):
    client.force_login(bob)
    response = analyze(client, signal, breakout["id"])
    job = EnrichmentJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tracking/jobs/{job.pk}/"
    assert job.workspace == workspace and job.submitted_by == bob and job.url == breakout["url"] and job.charged
    workspace.refresh_from_db()
    assert workspace.enrichment_used == 1
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page and f'hx-get="/tracking/jobs/{job.pk}/status"' in page
    assert "Waiting for a worker" in page
    assert f'<h1 class="job-title">{escape(breakout["title"])}</h1>' in page  # known from the discovery


def test_it_shows_a_pipeline_job_by_its_seed_until_it_has_run(as_alice, alice, workspace, youtube):
    job = actions.submit_pipeline(workspace, alice, "blind test")
    page = as_alice.get(f"/tracking/jobs/{job.pk}/").content.decode()
    assert "Top breakout of “blind test”" in page and 'hx-trigger="every 2s"' in page
    assert 'id="clip-this"' not in page  # no video to clip yet


def test_it_refuses_a_video_the_discovery_did_not_rank(as_alice, signal):
    assert analyze(as_alice, signal, "dQw4w9WgXcQ").status_code == 404
    assert not EnrichmentJob.objects.exists()


def test_it_shows_the_quota_message_when_enrichments_are_used_up(as_alice, signal, breakout, workspace):
    workspace.enrichment_used = 50
    workspace.save()
    page = analyze(as_alice, signal, breakout["id"])
    assert page.status_code == 402 and "has used 50 of its 50 enrichments this month" in text(page.content.decode())
    assert 'id="breakouts"' in page.content.decode()  # the signal's page, with the message on it
    assert not EnrichmentJob.objects.exists()


def test_it_shows_a_full_concurrency_slot_with_retry_after(as_alice, alice, signal, workspace):
    first, second = signal.result["breakouts"][:2]
    actions.submit_analyze(workspace, alice, first["url"])  # the Free plan's one slot
    page = analyze(as_alice, signal, second["id"])
    assert page.status_code == 429 and page["Retry-After"] == "30"
    assert "runs 1 enrichment job at a time" in page.content.decode()
    assert EnrichmentJob.objects.count() == 1


def test_it_polls_a_running_job_and_stops_when_it_is_done(as_alice, alice, signal, breakout, captions, settings):
    job = actions.submit_analyze(signal.workspace, alice, breakout["url"])
    running = actions.claim_job(job.pk)
    actions.report_progress(running, 40, "reading captions")
    panel = as_alice.get(f"/tracking/jobs/{job.pk}/status").content.decode()
    assert 'data-status="running"' in panel and 'hx-trigger="every 2s"' in panel
    assert "Reading captions · 40%" in panel and 'aria-valuenow="40"' in panel and "<html" not in panel

    actions.requeue_lost(running)  # as the sweep would, so the real job function runs it
    with recorded_youtube(captions_url=captions):
        jobs.run_enrichment(job.pk)
    done = as_alice.get(f"/tracking/jobs/{job.pk}/status").content.decode()
    assert 'data-status="done"' in done and "hx-trigger" not in done
    assert f'hx-get="/tracking/jobs/{job.pk}/status"' not in done
    metrics = text(part(done, "metrics").split("</section>")[0])
    assert "Views 1.7B" in metrics and "Likes 18.6M" in metrics and "Comments 2.4M" in metrics
    assert "Duration 3:33" in metrics and "Views per day" in metrics and "years" in metrics
    transcript = part(done, "transcript").split("</section>")[0]
    assert "Platform captions" in transcript and 'data-kind="captions"' in transcript
    assert "John Green and this is Crash Course European History." in text(transcript)


def test_it_shows_a_failed_job_and_whether_its_credit_came_back(as_alice, alice, signal, breakout):
    job = actions.submit_analyze(signal.workspace, alice, breakout["url"])
    actions.fail_job(actions.claim_job(job.pk), "YouTube did not answer in time.", "platform_unavailable",
                     refund=True)  # fmt: skip
    panel = as_alice.get(f"/tracking/jobs/{job.pk}/status").content.decode()
    assert 'data-status="error"' in panel and "hx-trigger" not in panel
    assert "YouTube did not answer in time." in panel and "Your enrichment credit was refunded." in panel

    kept = actions.submit_analyze(signal.workspace, alice, signal.result["breakouts"][1]["url"])
    actions.fail_job(actions.claim_job(kept.pk), "This YouTube video is private.", "video_unavailable", refund=False)
    assert "The enrichment credit was kept" in as_alice.get(f"/tracking/jobs/{kept.pk}/").content.decode()
    assert UsageEntry.objects.filter(reason=UsageEntry.Reason.REFUND).count() == 1


def test_it_loads_the_storyboard_only_when_asked(as_alice, alice, signal, breakout, captions):
    job = actions.submit_analyze(signal.workspace, alice, breakout["url"])
    with recorded_youtube(captions_url=captions):
        jobs.run_enrichment(job.pk)
    page = as_alice.get(f"/tracking/jobs/{job.pk}/").content.decode()
    board = part(page, "storyboard").split("</section>")[0]
    assert "/tracking/storyboard?" not in board and "Show storyboard" in board and "never stored" in board
    shown = part(as_alice.get(f"/tracking/jobs/{job.pk}/?storyboard=1").content.decode(), "storyboard")
    src = re.search(r'<img src="([^"]+)"', shown).group(1).replace("&amp;", "&")
    assert src == f"/tracking/storyboard?url={quote(breakout['url'], safe='')}&density=9"


# Clip this --------------------------------------------------------------------------------


def test_it_clips_a_breakout_with_the_workspaces_default_options(as_alice, alice, signal, breakout, workspace,
                                                                   clean_redis):  # fmt: skip
    workspace.default_config = {"numberOfClips": 3, "captionTemplate": "karaoke"}
    workspace.save()
    response = as_alice.post(f"/tracking/signals/{signal.pk}/clip", {"video": breakout["id"]})
    video = Video.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/videos/{video.pk}/"
    assert video.workspace == workspace and video.submitted_by == alice and video.source_url == breakout["url"]
    assert video.source_kind == "youtube" and video.status == Video.Status.QUEUED
    assert video.config["numberOfClips"] == 3 and video.config["captionTemplate"] == "karaoke"
    assert "Sent to clipping" in as_alice.get(response["Location"]).content.decode()


def test_it_clips_an_analyzed_video_from_its_job_page(as_alice, alice, signal, breakout, workspace):
    job = actions.submit_analyze(workspace, alice, breakout["url"])
    response = as_alice.post(f"/tracking/jobs/{job.pk}/clip")
    video = Video.objects.get()
    assert response["Location"] == f"/videos/{video.pk}/" and video.source_url == breakout["url"]


def test_it_says_why_a_clip_is_refused(as_alice, signal, breakout, workspace):
    workspace.minutes_balance = 0
    workspace.save()
    page = as_alice.post(f"/tracking/signals/{signal.pk}/clip", {"video": breakout["id"]})
    assert page.status_code == 422 and "has 0 minutes left" in page.content.decode()
    assert not Video.objects.exists()


# Storyboards ------------------------------------------------------------------------------


def test_it_answers_a_refused_storyboard_with_a_picture_of_why(as_alice, workspace, youtube):
    refused = as_alice.get("/tracking/storyboard", {"url": "https://example.com/video.mp4"})
    assert refused.status_code == 400 and refused["Content-Type"] == "image/svg+xml"
    assert "<svg" in refused.content.decode() and "YouTube" in refused.content.decode()
    bad = as_alice.get("/tracking/storyboard", {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "density": 40})
    assert bad.status_code == 400 and "1 to 25 frames" in bad.content.decode()
    workspace.enrichment_used = 50
    workspace.save()
    spent = as_alice.get("/tracking/storyboard", {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"})
    assert spent.status_code == 402 and "50 of its 50 enrichments" in spent.content.decode()
    workspace.refresh_from_db()
    assert workspace.enrichment_used == 50 and youtube.calls == []


def test_it_makes_a_storyboard_and_charges_one_enrichment(as_alice, workspace, talk_path, settings, clean_redis):
    settings.PLATFORM_MIN_INTERVAL = 0
    with LocalHTTPServer() as server:
        media = server.add_file("/talk.mp4", talk_path, content_type="video/mp4")
        with recorded_youtube(media_url=media, duration=45.0):
            response = as_alice.get("/tracking/storyboard", {"url": "https://youtu.be/dQw4w9WgXcQ", "density": 4})
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response.content[:3] == b"\xff\xd8\xff" and "private" in response["Cache-Control"]
    workspace.refresh_from_db()
    assert workspace.enrichment_used == 1
