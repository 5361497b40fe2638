"""Dashboard forms that change something answer with a redirect (POST-redirect-GET), and
destructive ones ask first (accounts.confirm): as a page without JavaScript, as the
question alone for htmx, acting only on ``confirm=yes``. And the header says what its
buttons do: "New video", and "New workspace…" in the workspace menu."""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from accounts import actions
from accounts.models import ApiKey, Invitation, Workspace
from tests.videos.test_views import completed_video


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


def raw_keys(html: str) -> list[str]:
    return re.findall(r"cs_live_[A-Za-z0-9_-]{32,}", html)


def test_it_redirects_after_creating_a_key_and_shows_it_once(as_alice, alice):
    created = as_alice.post("/api-keys", {"name": "zapier"})
    assert created.status_code == 302 and created.url == "/api-keys"
    assert raw_keys(created.content.decode()) == []

    page = as_alice.get("/api-keys")
    [raw] = raw_keys(page.content.decode())
    assert "no-store" in page["Cache-Control"]  # the one page with the raw key is not cached
    assert ApiKey.objects.for_key(raw).name == "zapier"

    # A reload is a GET: no second key, and the raw key is gone.
    again = as_alice.get("/api-keys").content.decode()
    assert raw_keys(again) == [] and ApiKey.objects.count() == 1
    assert ApiKey.objects.get().display_prefix in again


def test_it_keeps_a_refused_key_name_on_the_form_and_creates_nothing(as_alice):
    response = as_alice.post("/api-keys", {"name": ""})
    assert response.status_code == 422 and not ApiKey.objects.exists()
    assert '<p class="error" role="alert">This field is required.</p>' in response.content.decode()


def test_it_asks_before_revoking_a_key_with_or_without_javascript(as_alice, alice, workspace):
    key = actions.create_api_key(alice, workspace, "my agent").key
    listing = as_alice.get("/api-keys").content.decode()
    assert f'hx-post="/api-keys/{key.pk}/revoke" hx-target="closest .confirm-slot"' in listing
    assert f'action="/api-keys/{key.pk}/revoke"' in listing  # a plain form without JavaScript

    page = as_alice.post(f"/api-keys/{key.pk}/revoke")
    html = page.content.decode()
    assert page.status_code == 200 and "<h1>Revoke “my agent”?</h1>" in html
    assert "Scripts and agents using it are refused from then on. This cannot be undone." in html
    assert 'name="confirm" value="yes"' in html and 'href="/api-keys" id="confirm-key-' in html
    fragment = as_alice.post(f"/api-keys/{key.pk}/revoke", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and f'id="confirm-key-{key.pk}"' in fragment
    key.refresh_from_db()
    assert key.is_active  # asking changed nothing

    done = as_alice.post(f"/api-keys/{key.pk}/revoke", {"confirm": "yes"}, follow=True)
    assert done.redirect_chain == [("/api-keys", 302)]
    assert "Revoked “my agent”. Requests using it are refused from now on." in done.content.decode()
    key.refresh_from_db()
    assert not key.is_active


def test_it_asks_before_removing_a_member_or_revoking_an_invitation(as_alice, alice, bob, workspace):
    membership = workspace.memberships.get(user=bob)
    question = as_alice.post(f"/team/members/{membership.pk}/remove").content.decode()
    assert escape(f"Remove bob@example.com from {workspace.name}?") in question
    assert workspace.role_of(bob) == "member"
    as_alice.post(f"/team/members/{membership.pk}/remove", {"confirm": "yes"})
    assert workspace.role_of(bob) is None

    invitation = actions.invite_member(workspace, alice, role="member", email="dana@example.com")
    question = as_alice.post(f"/team/invitations/{invitation.pk}/revoke").content.decode()
    assert "Its link stops working for dana@example.com." in question
    assert Invitation.objects.get().is_pending
    as_alice.post(f"/team/invitations/{invitation.pk}/revoke", {"confirm": "yes"})
    assert not Invitation.objects.get().is_pending


def test_it_asks_an_outsider_nothing_about_alices_things(client, alice, workspace, charlie):
    key = actions.create_api_key(alice, workspace, "alice").key
    video = completed_video(workspace, alice)
    client.force_login(charlie)
    for path in (f"/api-keys/{key.pk}/revoke", f"/videos/{video.pk}/delete", f"/videos/{video.pk}/cancel"):
        response = client.post(path)
        assert response.status_code == 404 and "alice" not in response.content.decode(), path


def test_it_asks_before_deleting_or_cancelling_a_video(as_alice, alice, workspace):
    video = completed_video(workspace, alice, title="Team talk")
    page = as_alice.get(f"/videos/{video.pk}/").content.decode()
    assert f'hx-post="/videos/{video.pk}/delete" hx-target="closest .confirm-slot"' in page
    question = as_alice.post(f"/videos/{video.pk}/delete").content.decode()
    assert "Delete “Team talk”?" in question and "Its clips are deleted with it." in question

    running = completed_video(workspace, alice, status="transcribing", progress=30)
    panel = as_alice.get(f"/videos/{running.pk}/status").content.decode()
    assert 'data-confirm="Cancel processing this video? Its minutes are refunded."' in panel
    asked = as_alice.post(f"/videos/{running.pk}/cancel").content.decode()
    assert "Cancel processing this video?" in asked and 'href="/videos/' in asked
    running.refresh_from_db()
    video.refresh_from_db()
    assert running.status == "transcribing" and video.status == "completed"


def test_it_labels_the_header_new_video_and_new_workspace(as_alice, alice, workspace):
    page = as_alice.get("/team").content.decode()
    assert 'href="/videos/new" id="new-video-action">New video</a>' in page
    assert '<option value="new">New workspace…</option>' in page and "+ New<" not in page
    assert 'aria-controls="site-menu">Menu</button>' in page

    picked = as_alice.post("/workspaces/switch", {"workspace": "new", "next": "/team"})
    assert picked.status_code == 302 and picked.url == "/workspaces/new"
    assert Workspace.objects.count() == 1  # choosing it creates nothing; the form does
