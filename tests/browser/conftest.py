"""A real browser: Playwright driving Debian's chromium against the live test server.

Screenshots go to ``test-artifacts/screenshots`` (kept by CI as artifacts), taken at a
desktop and a phone width by :func:`snap`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.media import REPO_ROOT

ARTIFACTS = REPO_ROOT / "test-artifacts" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# Flags that keep chromium off the network and quiet in a closed sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Debian's chromium is not installed; `make test` installs it")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        viewport=VIEWPORTS["desktop"], base_url=live_server.url, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_up(page, email: str, password: str = "a sturdy passphrase 77", name: str = "") -> None:
    """Create an account through the sign-up page; the browser ends up signed in."""
    page.goto("/signup")
    if name:
        page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()


def snap(page, name: str) -> list[Path]:
    """Screenshot the current page at desktop and phone widths; return the files."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    files = []
    original = page.viewport_size
    for label, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        path = ARTIFACTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        files.append(path)
    page.set_viewport_size(original)
    return files
