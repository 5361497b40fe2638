import re

import pytest

from accounts import actions
from accounts.models import ApiKey, Membership


@pytest.fixture
def alice_key(alice, workspace):
    return actions.create_api_key(alice, workspace, "alice's key")


def test_it_makes_keys_with_the_prefix_and_enough_randomness(alice_key):
    assert re.fullmatch(r"cs_live_[A-Za-z0-9_-]{32,}", alice_key.raw)


def test_it_stores_only_a_hash_and_a_display_prefix(alice_key):
    stored = ApiKey.objects.get(pk=alice_key.key.pk)
    fields = {f.attname: getattr(stored, f.attname) for f in ApiKey._meta.concrete_fields}
    assert alice_key.raw not in [str(v) for v in fields.values()]
    assert stored.key_hash == ApiKey.hash(alice_key.raw) and len(stored.key_hash) == 64
    assert alice_key.raw.startswith(stored.display_prefix) and len(stored.display_prefix) == 12


def test_it_finds_a_key_only_by_its_raw_value(alice_key):
    assert ApiKey.objects.for_key(alice_key.raw) == alice_key.key
    assert ApiKey.objects.for_key(alice_key.raw[:-1] + "x") is None
    assert ApiKey.objects.for_key("") is None


@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"])
def test_it_authenticates_with_either_header(api_client, alice_key, workspace, header):
    value = f"Bearer {alice_key.raw}" if header == "HTTP_AUTHORIZATION" else alice_key.raw
    response = api_client.get("/api/workspaces", **{header: value})
    assert response.status_code == 200
    assert [w["id"] for w in response.json()] == [workspace.pk]
    assert response.json()[0]["role"] == "owner"
    assert response.json()[0]["minutesBalance"] == 60


def test_it_records_when_a_key_was_last_used(api_client, alice_key):
    assert alice_key.key.last_used_at is None
    api_client.get("/api/workspaces", HTTP_AUTHORIZATION=f"Bearer {alice_key.raw}")
    alice_key.key.refresh_from_db()
    assert alice_key.key.last_used_at is not None


def test_it_lists_every_workspace_of_the_key_owner_and_no_other(api_client, alice, workspace, charlie):
    team = actions.create_workspace(alice, "Alice Media")
    key = actions.create_api_key(alice, workspace, "k")
    response = api_client.get("/api/workspaces", HTTP_AUTHORIZATION=f"Bearer {key.raw}")
    ids = {w["id"] for w in response.json()}
    charlie_ws = charlie.memberships.get().workspace
    assert ids == {workspace.pk, team.pk}
    assert charlie_ws.pk not in ids


def test_it_hides_other_workspaces_behind_404(api_client, alice_key, charlie):
    charlie_key = actions.create_api_key(charlie, charlie.memberships.get().workspace, "c")
    response = api_client.get(f"/api/workspaces/{alice_key.key.workspace_id}", HTTP_X_API_KEY=charlie_key.raw)
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "Not found."}
    missing = api_client.get("/api/workspaces/ws_doesnotexist", HTTP_X_API_KEY=charlie_key.raw)
    assert missing.status_code == 404 and missing.json() == response.json()
    own = api_client.get(f"/api/workspaces/{alice_key.key.workspace_id}", HTTP_X_API_KEY=alice_key.raw)
    assert own.status_code == 200 and own.json()["slug"] == alice_key.key.workspace.slug


def test_it_lets_a_member_see_the_workspace_with_their_role(api_client, bob, workspace):
    key = actions.create_api_key(bob, bob.memberships.get(role="owner").workspace, "bob")
    response = api_client.get(f"/api/workspaces/{workspace.pk}", HTTP_X_API_KEY=key.raw)
    assert response.status_code == 200 and response.json()["role"] == Membership.Role.MEMBER


def test_it_refuses_a_revoked_key_at_once(api_client, alice_key):
    assert api_client.get("/api/workspaces", HTTP_X_API_KEY=alice_key.raw).status_code == 200
    actions.revoke_api_key(alice_key.key)
    response = api_client.get("/api/workspaces", HTTP_X_API_KEY=alice_key.raw)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert "revoked" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer cs_live_not-a-real-key-at-all-000000000000"},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_X_API_KEY": "sr_live_someone-elses-format"},
    ],
    ids=["missing", "invalid", "empty", "foreign-format"],
)
def test_it_answers_401_with_a_json_body(api_client, db, headers):
    response = api_client.get("/api/workspaces", **headers)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == "unauthorized" and body["detail"]
    assert "WWW-Authenticate" in response


def test_it_refuses_keys_of_deactivated_users(api_client, alice, alice_key):
    alice.is_active = False
    alice.save()
    assert api_client.get("/api/workspaces", HTTP_X_API_KEY=alice_key.raw).status_code == 401


def test_it_answers_unknown_api_paths_with_json_404(client, db):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
