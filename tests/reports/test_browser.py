"""The report pages in a real browser (Debian's Chromium driven by Playwright, against
the live server): the button, the progress bar that htmx refreshes until the download
link appears, the download, and no Content-Security-Policy violation on the way.

Playwright's sync API allows one running instance per thread, and tests/browser keeps
one open for the whole session; these tests drive theirs from a thread of their own.
Without Chromium they skip, except in CI.
"""

import os
import threading
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from reports.models import ReportRun
from reports.tasks import build_report
from unnutrition.reference_data.services import load_reference_data

from ..conftest import IN_CI
from .conftest import YEAR, make_coordination
from .files import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)
# Playwright's sync API runs an event loop in the browser thread; the ORM calls the
# steps make between browser actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def portal(transactional_db, live_server, settings):
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_reference_data()  # a transactional test starts from emptied tables
    return live_server.url


def in_browser(portal: str, user, steps) -> None:
    """Run steps(page) in Chromium, signed in as `user`, in a thread of its own; fail on CSP violations."""
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    outcome: list[BaseException] = []
    violations: list[str] = []

    def run():
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                try:
                    context = browser.new_context(accept_downloads=True)
                    context.set_default_timeout(15_000)
                    context.add_cookies([{"name": "sessionid", "value": session, "url": portal}])
                    page = context.new_page()
                    page.on(
                        "console",
                        lambda message: (
                            violations.append(message.text) if "Content Security Policy" in message.text else None
                        ),
                    )
                    steps(page)
                finally:
                    # The steps' database connections belong to this context (Playwright's
                    # event loop): close them here, or they outlive the test.
                    connections.close_all()
                    browser.close()
        except BaseException as exc:  # handed to the test's thread below
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=180)
    if outcome:
        raise outcome[0]
    assert not thread.is_alive(), "the browser steps did not finish"
    assert violations == [], f"CSP violations: {violations}"


def test_request_a_report_and_download_it(portal, tmp_path):
    data = make_coordination()
    saved = tmp_path / "download.pdf"

    def steps(page):
        page.goto(f"{portal}/reports/")
        page.get_by_label("Report", exact=True).select_option("global")
        page.get_by_label("Format").select_option("pdf")
        page.get_by_label("Year").fill(str(YEAR))
        page.get_by_role("button", name="Produce the report").click()
        # Tasks run in-process here, as with `make run`: the report is ready when the page comes
        # back (the page has another live region, for messages).
        ready = page.get_by_role("status").filter(has_text="The report is ready.")
        expect(ready).to_be_visible(timeout=60_000)
        with page.expect_download() as download:
            page.get_by_role("link", name=f"Download un-nutrition-global-overview-{YEAR}.pdf").click()
        assert download.value.suggested_filename == f"un-nutrition-global-overview-{YEAR}.pdf"
        download.value.save_as(saved)

    in_browser(portal, data.secretariat, steps)
    assert f"UN Nutrition global coordination overview {YEAR}" in pdf_text(saved)


def test_the_progress_bar_follows_the_job_until_the_download_appears(portal):
    data = make_coordination()
    run = ReportRun.objects.create(
        kind="data_quality", format="xlsx", year=YEAR, requested_by=data.secretariat, dedupe_key="browser",
        status="running", progress=30,
    )  # fmt: skip

    def steps(page):
        polls = []
        page.on("request", lambda request: polls.append(request.url) if "/progress/" in request.url else None)
        page.goto(f"{portal}/reports/{run.pk}/")
        expect(page.get_by_label("Progress: 30%")).to_have_attribute("value", "30")

        ReportRun.objects.filter(pk=run.pk).update(progress=80)
        expect(page.get_by_label("Progress: 80%")).to_have_attribute("value", "80")

        # The job finishes (the real one, run here): the link replaces the bar and polling stops.
        ReportRun.objects.filter(pk=run.pk).update(status="queued", progress=0)
        assert build_report.apply(args=(run.pk,)).get() == "done"
        expect(page.get_by_role("link", name=f"Download un-nutrition-data-quality-alerts-{YEAR}.xlsx")).to_be_visible()
        expect(page.locator("progress")).to_have_count(0)
        seen = len(polls)
        page.wait_for_timeout(2500)
        assert len(polls) == seen, "the page kept polling after the report was done"

    in_browser(portal, data.secretariat, steps)
