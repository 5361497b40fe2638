import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ApiKey, User, Workspace


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_creates_an_account_with_plan_and_extra_minutes(db):
    output = run(
        "create_account",
        "dana@example.com",
        "--password",
        "pw-for-dana-123",
        "--plan",
        "pro",
        "--minutes",
        "30",
    )
    user = User.objects.get(email="dana@example.com")
    workspace = Workspace.objects.get(memberships__user=user)
    assert user.check_password("pw-for-dana-123")
    assert workspace.plan.slug == "pro" and workspace.minutes_balance == 1200 + 30
    assert "Pro" in output and "1230 minutes" in output
    assert "Password:" not in output


def test_it_prints_a_generated_password_once(db):
    output = run("create_account", "erin@example.com")
    password = output.split("Password: ")[1].strip()
    assert User.objects.get(email="erin@example.com").check_password(password)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "gold"], "Unknown plan 'gold'"),
        (["--minutes", "0"], "--minutes must be a positive number"),
    ],
)
def test_it_refuses_bad_options(db, args, message):
    with pytest.raises(CommandError, match=message):
        run("create_account", "frank@example.com", *args)
    assert not User.objects.filter(email="frank@example.com").exists()


def test_it_refuses_a_duplicate_email(alice):
    with pytest.raises(CommandError, match="already exists"):
        run("create_account", "ALICE@example.com")


def test_it_prints_only_the_new_key(alice, workspace):
    output = run("create_api_key", "alice@example.com", "--name", "agent")
    assert output.count("\n") == 1
    raw = output.strip()
    key = ApiKey.objects.for_key(raw)
    assert key is not None and key.name == "agent" and key.workspace == workspace


def test_it_creates_a_key_for_a_named_workspace(alice):
    from accounts import actions

    team = actions.create_workspace(alice, "Alice Media")
    raw = run("create_api_key", "alice@example.com", "--workspace", team.slug).strip()
    assert ApiKey.objects.for_key(raw).workspace == team


def test_it_refuses_keys_for_members_and_strangers(bob, workspace, charlie):
    with pytest.raises(CommandError, match="not an owner or admin"):
        run("create_api_key", "bob@example.com", "--workspace", workspace.slug)
    with pytest.raises(CommandError, match="not a member"):
        run("create_api_key", "charlie@example.com", "--workspace", workspace.slug)
    with pytest.raises(CommandError, match="No user"):
        run("create_api_key", "nobody@example.com")
    assert not ApiKey.objects.exists()


def test_it_ensures_the_demo_login_once(db):
    first = run("ensure_demo")
    second = run("ensure_demo")
    assert first == second and "demo@clipsite.local" in first
    demo = User.objects.get(email="demo@clipsite.local")
    assert demo.is_staff and Workspace.objects.get(memberships__user=demo).plan.slug == "pro"
