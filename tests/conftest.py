"""Fixtures shared by every test package."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.media import SHARED_MEDIA


@pytest.fixture(scope="session")
def media_dir() -> Path:
    """The read-only shared media corpus (``../shared/media`` beside the checkout)."""
    if not SHARED_MEDIA.is_dir():
        pytest.fail(f"shared media not found at {SHARED_MEDIA}; set CLIPSITE_SHARED_MEDIA")
    return SHARED_MEDIA


@pytest.fixture
def media_copy(media_dir: Path, tmp_path: Path):
    """Copy a shared media file into the test's temp dir (the corpus is never modified)."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copyfile(media_dir / name, target)
        return target

    return copy


# Django's settings and app registry are ready by the time conftest files load.
from django.conf import settings  # noqa: E402

# Tests render templates without running collectstatic first, so they use the plain
# static storage; production keeps WhiteNoise's hashed, compressed manifest.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Django's own advice for test speed: PBKDF2's million rounds cost 0.33 s a hash here, paid
# for every persona signed up and every password sign-in, up to a second a test over a
# thousand tests. Sign-up, sign-in and password changes still run Django's hashing code.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def make_user(db):
    """Sign up a user through the real action (so they get a personal workspace)."""
    from accounts import actions

    def make(email: str, **kwargs):
        return actions.sign_up(email, PASSWORD, **kwargs)

    return make


@pytest.fixture
def alice(make_user):
    """The owner persona: alice@example.com, owner of her personal workspace."""
    return make_user("alice@example.com", name="Alice")


@pytest.fixture
def workspace(alice):
    """Alice's personal workspace (Free plan, 60 minutes)."""
    return alice.memberships.get().workspace


@pytest.fixture
def bob(make_user, workspace):
    """The member persona: a plain member of alice's workspace."""
    from accounts.models import Membership

    user = make_user("bob@example.com", name="Bob")
    Membership.objects.create(workspace=workspace, user=user, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def charlie(make_user):
    """The outsider persona: has his own workspace, none of alice's."""
    return make_user("charlie@example.com", name="Charlie")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _seeded_plans(request):
    """Re-seed the plans that a transactional test's flush removed.

    Transactional tests (live server, threads, worker processes) flush every table
    afterwards, so the migration's own seed function runs again before each of them.
    Ordinary tests roll back and keep the rows the migrations seeded, unless a flush ran
    before them in the same process: serially pytest-django runs the transactional tests
    last, but a pytest-xdist worker receives its files in batches. Such a test seeds them
    again inside its own transaction, which rolls back with it.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    import importlib

    from django.apps import apps

    from accounts.models import Plan

    if transactional or not Plan.objects.exists():
        importlib.import_module("accounts.migrations.0002_seed_plans").seed(apps, None)


pytest_plugins = ["tests.fixtures"]


@pytest.fixture(autouse=True)
def _offline_test_domains():
    """Links on the test domains (example.com, youtube.com, ...) resolve to loopback; other
    names (but localhost) do not resolve, and no DNS query leaves the machine.

    Submitting a link resolves its host (the SSRF guard checks it before anything is
    queued), and no test may query the internet's DNS.
    """
    from tests.fake_network import offline_dns

    with offline_dns():
        yield
