"""Real-browser tests: Debian's Chromium driven by Playwright against live_server.

Playwright's own browser download cannot work here, so the tests point
`executable_path` at the system Chromium (CHROMIUM_PATH, default
/usr/bin/chromium). Without it they skip on a laptop and fail when CI=true.
"""

import os
import re
from pathlib import Path

import pytest

from unnutrition.reference_data.services import load_reference_data

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def portal(transactional_db, live_server, settings):
    """The live portal with reference data (a transactional test starts from flushed tables)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_reference_data()
    return live_server.url


@pytest.fixture
def sign_in(browser, portal):
    """sign_in(user, password) -> a page of a fresh browser session, signed in."""
    contexts = []
    violations = []

    def open_session(user, password="a-long-test-password", locale="en-GB"):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        # The portal must work under its strict Content-Security-Policy: any
        # blocked script or style shows up here and fails the test.
        page.on(
            "console",
            lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
        )
        page.goto(f"{portal}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.locator("main").get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/(dashboard|tasks)/$"))  # conveners and focal points land on My tasks
        return page

    yield open_session
    for context in contexts:
        context.close()
    assert violations == [], f"CSP violations: {violations}"
