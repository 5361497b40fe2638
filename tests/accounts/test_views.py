import re

import pytest
from django.core import mail
from django.utils.html import escape

from accounts.models import ApiKey, Invitation, Membership, User, Workspace
from tests.conftest import PASSWORD


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_it_signs_up_into_a_personal_workspace(client, db):
    response = client.post("/signup", {"name": "Gina", "email": "Gina@Example.com", "password": PASSWORD})
    assert response.status_code == 302
    user = User.objects.get(email="gina@example.com")
    workspace = Workspace.objects.get(memberships__user=user)
    assert workspace.is_personal and workspace.role_of(user) == "owner" and workspace.minutes_balance == 60
    page = client.get("/team")
    assert page.status_code == 200 and b"gina@example.com" in page.content


def test_it_explains_sign_up_errors_inline(client, alice):
    response = client.post("/signup", {"email": "alice@example.com", "password": "123"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "already exists" in text
    assert "too short" in text or "entirely numeric" in text


def test_it_signs_in_and_out(client, alice):
    response = client.post("/login", {"username": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/team").status_code == 200
    client.post("/logout")
    assert client.get("/team").status_code == 302


def test_it_sends_a_password_reset_link_that_works(client, alice):
    client.post("/password-reset", {"email": "alice@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/password-reset/\S+/\S+", mail.outbox[0].body).group(0)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and b"Choose a new password" in form.content
    new = "a brand new passphrase 99"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new)


def test_it_shows_a_new_key_once_and_lists_it_by_prefix(as_user, alice):
    client = as_user(alice)
    response = client.post("/api-keys", {"name": "zapier"}, follow=True)
    assert response.redirect_chain == [("/api-keys", 302)]  # POST-redirect-GET
    raw = re.search(r"cs_live_[A-Za-z0-9_-]+", response.content.decode()).group(0)
    key = ApiKey.objects.for_key(raw)
    assert key.name == "zapier" and key.user == alice
    later = client.get("/api-keys").content.decode()
    assert raw not in later and key.display_prefix in later


def test_it_revokes_a_key_from_the_dashboard(as_user, alice, workspace, api_client):
    client = as_user(alice)
    raw = re.search(
        r"cs_live_[A-Za-z0-9_-]+", client.post("/api-keys", {"name": "k"}, follow=True).content.decode()
    ).group(0)
    key = ApiKey.objects.for_key(raw)
    assert client.post(f"/api-keys/{key.pk}/revoke", {"confirm": "yes"}).status_code == 302
    assert api_client.get("/api/workspaces", HTTP_X_API_KEY=raw).status_code == 401


def test_it_keeps_members_from_managing_keys(as_user, bob, workspace, alice):
    from accounts import actions

    client = as_user(bob)
    client.post("/workspaces/switch", {"workspace": workspace.pk})
    assert b"Only owners and admins" in client.get("/api-keys").content
    assert client.post("/api-keys", {"name": "sneaky"}).status_code == 403
    key = actions.create_api_key(alice, workspace, "alice")
    assert client.post(f"/api-keys/{key.key.pk}/revoke").status_code == 403
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 1


def test_it_hides_other_workspaces_keys_from_outsiders(as_user, alice, workspace, charlie):
    from accounts import actions

    key = actions.create_api_key(alice, workspace, "alice")
    client = as_user(charlie)
    assert client.post(f"/api-keys/{key.key.pk}/revoke").status_code == 404
    assert client.post("/workspaces/switch", {"workspace": workspace.pk}).status_code == 404
    assert escape(workspace.name) not in client.get("/team").content.decode()
    assert escape(charlie.memberships.get().workspace.name) in client.get("/team").content.decode()


def test_it_invites_by_link_and_the_invitee_joins(as_user, alice, workspace, make_user, client):
    as_user(alice).post("/team/invitations", {"role": "admin", "email": ""})
    invitation = Invitation.objects.get()
    page = client.get("/team").content.decode()
    assert f"/invite/{invitation.token}" in page
    client.logout()
    dana = make_user("dana@example.com")
    client.force_login(dana)
    assert b"Join" in client.get(f"/invite/{invitation.token}").content
    client.post(f"/invite/{invitation.token}")
    assert workspace.role_of(dana) == Membership.Role.ADMIN
    assert client.get(f"/invite/{invitation.token}").status_code == 404


def test_it_refuses_an_invitation_meant_for_someone_else(as_user, alice, workspace, charlie):
    as_user(alice).post("/team/invitations", {"role": "member", "email": "someone@example.com"})
    invitation = Invitation.objects.get()
    client = as_user(charlie)
    client.post(f"/invite/{invitation.token}")
    assert workspace.role_of(charlie) is None


def test_it_lets_only_managers_change_roles_and_remove(as_user, alice, bob, workspace):
    membership = workspace.memberships.get(user=bob)
    client = as_user(bob)
    client.post("/workspaces/switch", {"workspace": workspace.pk})
    assert client.post(f"/team/members/{membership.pk}/role", {"role": "admin"}).status_code == 403
    assert client.post("/team/invitations", {"role": "member"}).status_code == 403
    admin_client = as_user(alice)
    admin_client.post(f"/team/members/{membership.pk}/role", {"role": "admin"})
    assert workspace.role_of(bob) == "admin"
    admin_client.post(f"/team/members/{membership.pk}/remove", {"confirm": "yes"})
    assert workspace.role_of(bob) is None


def test_it_keeps_at_least_one_owner(alice, workspace):
    from accounts import actions

    owner = workspace.memberships.get(user=alice)
    with pytest.raises(ValueError, match="at least one owner"):
        actions.change_role(owner, "member")
    with pytest.raises(ValueError, match="at least one owner"):
        actions.remove_member(owner)


def test_it_switches_workspaces_and_creates_team_ones(as_user, alice, workspace):
    client = as_user(alice)
    client.post("/workspaces/new", {"name": "Podcast Team"})
    team = Workspace.objects.get(name="Podcast Team")
    assert team.role_of(alice) == "owner" and team.minutes_balance == 60
    assert b"selected>Podcast Team</option>" in client.get("/minutes").content
    client.post("/workspaces/switch", {"workspace": workspace.pk})
    assert escape(workspace.name) in client.get("/team").content.decode()


def test_it_shows_the_balance_and_ledger(as_user, alice, workspace):
    from accounts import actions

    actions.debit_minutes(workspace, 7, memo="Video: my talk")
    page = as_user(alice).get("/minutes").content.decode()
    assert 'id="balance">53<' in page and "Video: my talk" in page and "-7" in page


@pytest.mark.parametrize("path", ["/videos/", "/tracking/", "/webhooks/"])
def test_it_shows_empty_states_for_sections_to_come(as_user, alice, path):
    response = as_user(alice).get(path)
    assert response.status_code == 200 and b"Nothing here yet" in response.content


@pytest.mark.parametrize("path", ["/team", "/api-keys", "/minutes", "/videos/"])
def test_it_sends_anonymous_visitors_to_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_it_serves_the_api_docs_and_schema_locally(client, alice):
    client.force_login(alice)
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    # Every script and style comes from this server (a random token in the page may spell "cdn").
    assert not re.search(rb"""(src|href)=["']?(https?:)?//""", docs.content)
    schema = client.get("/api/schema?format=json")
    assert schema.status_code == 200 and "/api/workspaces" in schema.json()["paths"]


def test_it_charts_minutes_used_per_day_net_of_refunds(as_user, alice, workspace):
    from datetime import timedelta

    from django.utils import timezone

    from accounts import actions
    from accounts.models import MinuteEntry

    actions.debit_minutes(workspace, 9)
    actions.refund_minutes(workspace, 4)
    old = actions.debit_minutes(workspace, 3)
    MinuteEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    days = workspace.minutes_used_per_day(days=30)
    assert len(days) == 30 and days[-1] == (timezone.localdate(), 5) and days[-3][1] == 3
    assert sum(used for _, used in days) == 8
    page = as_user(alice).get("/minutes").content.decode()
    assert "8 minutes used in the last 30 days" in page and page.count('class="chart-bar"') == 30
