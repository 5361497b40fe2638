"""The studio's paper cuts in a real browser, at a desktop and a 390 px phone: an API key
created once across a reload and revoked only after a question, the phone's menu button,
a file the browser cannot read refused before it is uploaded (and the server's plain
failure for one that got through), and every dashboard page, with data on it, no wider
than the phone.

One browser context serves the module; each test signs in by its session cookie.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts import actions as accounts
from accounts.models import ApiKey
from tests.browser.conftest import ARTIFACTS, VIEWPORTS, snap
from tests.browser.test_clips_as_ready import rendered_clip
from tests.tracking.test_views_tracked import LINK, with_snapshots
from tests.trends import recorded_youtube
from tests.videos.test_failures import TEXT_LIKE_MP4, process_upload
from tests.videos.test_views import completed_video, make_clip, make_video
from tracking import actions as tracking
from tracking import watcher
from videos.models import Video
from webhooks import actions as webhooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = VIEWPORTS["phone"]


@pytest.fixture(scope="module")
def context(browser, live_server):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], base_url=live_server.url)
    context.set_default_timeout(15_000)
    # The server's first answer imports and compiles what later ones reuse: slow on a busy machine.
    warm = context.new_page()
    warm.goto("/login", timeout=90_000)
    warm.close()
    yield context
    context.close()


@pytest.fixture
def page(context):
    context.clear_cookies()
    page = context.new_page()
    yield page
    page.close()


def sign_in(page, live_server, user) -> None:
    """Give the browser ``user``'s session, as signing in would."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def phone_width(page) -> int:
    """The page's width laid out on the phone (the viewport is put back as it was)."""
    original = page.viewport_size
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(original)
    return width


def test_it_creates_a_key_once_across_a_reload_and_asks_before_revoking_it(page, live_server, alice):
    sign_in(page, live_server, alice)
    page.goto("/api-keys")
    page.get_by_label("Key name").fill("my agent")
    page.get_by_role("button", name="Create key").click()
    secret = page.get_by_label("New API key")
    expect(secret).to_be_visible()
    raw = secret.input_value()
    assert page.url == f"{live_server.url}/api-keys"  # the redirect's GET shows it
    snap(page, "paper-api-key-created")

    page.reload()  # a reload repeats the GET: no second key, and the key is not shown again
    expect(page.get_by_label("New API key")).to_have_count(0)
    assert ApiKey.objects.count() == 1 and raw not in page.content()

    row = page.locator("#keys tbody tr", has_text="my agent")
    page.evaluate("window.__marker = 1")
    row.get_by_role("button", name="Revoke my agent").click()
    question = row.get_by_role("group")
    expect(question).to_have_text(
        "Revoke “my agent”? Scripts and agents using it are refused from then on. This cannot be undone. "
        "Yes, revoke Keep it"
    )
    assert page.evaluate("window.__marker") == 1  # asked in place, no page load
    assert ApiKey.objects.get().is_active
    snap(page, "paper-api-key-confirm")
    assert phone_width(page) <= PHONE["width"]

    question.get_by_role("link", name="Keep it").click()
    expect(row.get_by_text("active")).to_be_visible()
    assert ApiKey.objects.get().is_active
    row.get_by_role("button", name="Revoke my agent").click()
    row.get_by_role("button", name="Yes, revoke").click()
    expect(page.get_by_text("Revoked “my agent”. Requests using it are refused from now on.")).to_be_visible()
    expect(row.get_by_text("revoked")).to_be_visible()
    assert not ApiKey.objects.get().is_active


def test_it_opens_the_navigation_from_a_menu_button_on_a_phone(page, live_server, alice):
    sign_in(page, live_server, alice)
    page.set_viewport_size(PHONE)
    page.goto("/videos/")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("link", name="New video", exact=True)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "paper-phone-menu-closed-phone.png"))

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    links = nav.get_by_role("link")
    expect(links).to_have_count(7)
    for link in links.all():  # one under the other, each whole on the screen: no sideways scroller
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], link.text_content()
    assert nav.evaluate("el => el.scrollWidth <= el.clientWidth")
    snap(page, "paper-phone-menu")  # the desktop shot shows the same bar with no menu button
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()

    menu.click()
    nav.get_by_role("link", name="Webhooks").click()
    page.wait_for_url("**/webhooks/")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()  # a new page starts closed
    page.get_by_role("button", name="Menu").click()
    page.get_by_label("Workspace").select_option(label="New workspace…")
    page.wait_for_url("**/workspaces/new")
    expect(page.get_by_role("heading", name="New workspace")).to_be_visible()
    page.set_viewport_size(VIEWPORTS["desktop"])
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_it_refuses_a_file_the_browser_cannot_read_before_uploading_it(
    page, live_server, alice, workspace, clean_redis, tmp_path
):
    sign_in(page, live_server, alice)
    page.goto("/videos/new")
    posted = []
    page.on("request", lambda request: posted.append(request.url) if request.method == "POST" else None)
    chooser = page.get_by_label("Drop a video file here or choose one")
    info = page.locator("#file-info")
    submit = page.get_by_role("button", name="Find clips")

    notes = tmp_path / "notes.mp4"
    notes.write_bytes(TEXT_LIKE_MP4)
    chooser.set_input_files(str(notes))
    expect(info).to_have_text(
        "This browser cannot read “notes.mp4” as a video: it is a text file. It was not uploaded; "
        "choose the video file itself."
    )
    expect(info).to_have_attribute("role", "alert")
    expect(submit).to_be_disabled()
    page.locator("#new-video-form").evaluate("form => form.requestSubmit()")  # Enter, or a script
    snap(page, "paper-unreadable-refused")

    blob = tmp_path / "export.mp4"
    blob.write_bytes(bytes(range(256)) * 16)
    chooser.set_input_files(str(blob))
    expect(info).to_have_text(
        "This browser cannot read “export.mp4” as a video or audio file, so it was not uploaded. "
        "Choose a video file, such as an MP4, MOV or WebM."
    )
    expect(submit).to_be_disabled()
    chooser.set_input_files(str(rendered_clip()))  # a real video clears the refusal
    expect(page.locator("#cost")).to_contain_text("This video is 0:02 long")
    expect(submit).to_be_enabled()
    expect(info).not_to_have_class("error")
    assert posted == [] and not Video.objects.exists()

    # The server refuses the same file with a plain message if it arrives (no JavaScript, the API).
    video = process_upload(workspace, alice, "notes.mp4", TEXT_LIKE_MP4)
    page.goto(f"/videos/{video.pk}/")
    status = page.locator("#video-status")
    expect(status.get_by_role("alert")).to_have_text(
        "Processing failed. The file is not a readable video or audio file: it is damaged, incomplete or not a "
        "video at all. Choose the original video file and submit it again."
    )
    expect(status.locator(".step-failed")).to_contain_text("Checking the file")
    expect(status.get_by_role("button", name="Retry")).to_have_count(0)
    expect(status.get_by_role("link", name="Submit another video")).to_be_visible()
    expect(page.get_by_text("Downloading")).to_have_count(0)
    snap(page, "paper-unreadable-failed")
    assert phone_width(page) <= PHONE["width"]


def fill_the_dashboard(alice, bob, workspace) -> list[tuple[str, str]]:
    """Alice's workspace with something on every page; returns (name, path) of each page."""
    title = "Why most founders quit in year two, and what the rest did differently (full talk)"
    done = completed_video(workspace, alice, title=title)
    clips = [make_clip(done, rank, score=score, title=f"The moment number {rank} every founder dreads")
             for rank, score in ((1, 91), (2, 74), (3, 38))]  # fmt: skip
    failed = make_video(workspace, alice, status="failed", progress=2, error_code="unreadable_media",
                        error_message="The file is not a readable video or audio file.")  # fmt: skip
    running = make_video(workspace, alice, status="transcribing", progress=31, source_kind="url",
                         source_url="https://cdn.example.com/recordings/2026/episode-112-the-long-one.mp4")  # fmt: skip
    for name in ("zapier automation for the marketing team", "my agent"):
        accounts.create_api_key(alice, workspace, name)
    accounts.revoke_api_key(ApiKey.objects.get(name="my agent"))
    accounts.invite_member(workspace, alice, email="dana.with.a.long.address@example.com")
    accounts.debit_minutes(workspace, 3, memo=f"Video: {title}", reference=f"video:{done.pk}")
    endpoint, _ = webhooks.create_endpoint(
        workspace, alice, url="https://hooks.example.com/clipsite/receive/events", event_types=["*"],
        description="Posts new clips to the team chat",
    )
    webhooks.send_test_event(endpoint)
    with recorded_youtube():
        signal = tracking.run_discovery(workspace, "blind taste test")
        job = tracking.submit_analyze(workspace, alice, signal.result["breakouts"][0]["url"])
        item = watcher.create_tracked_item(workspace, alice, kind="video", ref=LINK, platform="youtube",
                                           interval_sec=900)  # fmt: skip
    with_snapshots(item, [1000, 4000, 7500, 9000, 9400])
    item.last_polled_at = timezone.now() - timedelta(minutes=5)
    item.save(update_fields=["last_polled_at"])
    return [
        ("videos", "/videos/"), ("video-new", "/videos/new"), ("video-done", f"/videos/{done.pk}/"),
        ("video-failed", f"/videos/{failed.pk}/"), ("video-running", f"/videos/{running.pk}/"),
        ("clip-edit", f"/clips/{clips[0].pk}/edit"), ("tracking", "/tracking/"),
        ("signal", f"/tracking/signals/{signal.pk}/"), ("job", f"/tracking/jobs/{job.pk}/"),
        ("tracked", "/tracking/tracked/"), ("tracked-item", f"/tracking/tracked/{item.pk}/"),
        ("webhooks", "/webhooks/"), ("webhook-new", "/webhooks/new"), ("webhook", f"/webhooks/{endpoint.pk}/"),
        ("api-keys", "/api-keys"), ("team", "/team"), ("minutes", "/minutes"), ("settings", "/settings"),
        ("workspace-new", "/workspaces/new"),
    ]  # fmt: skip


def test_it_fits_every_dashboard_page_with_data_on_a_phone(page, live_server, alice, bob, workspace, settings,
                                                          clean_redis):  # fmt: skip
    settings.PLATFORM_MIN_INTERVAL = 0
    pages = fill_the_dashboard(alice, bob, workspace)
    sign_in(page, live_server, alice)
    page.set_viewport_size(PHONE)
    too_wide = {}
    for name, path in pages:
        response = page.goto(path, wait_until="domcontentloaded")
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
        snap(page, f"phone-fit-{name}")
    assert too_wide == {}
