"""Screenshots of the portal for the README: `make screenshots`.

Starts the portal on a free local port against the configured database (with
reference and demo data loaded), signs in with a throw-away Secretariat
account and photographs the dashboard, a team page and the workplan editor in
English and Arabic, and the workplan page on a 375 px phone in English and
Chinese, with Debian's Chromium.
"""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from teams.models import Team
from workplans.models import Workplan

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PAGES = [
    ("dashboard", "/dashboard/"),
    ("team", "/teams/{team}/"),
    ("workplan-editor", "/workplans/activities/{activity}/edit/"),
]
# A focal point's main page on a phone: activities as cards, the menu folded.
PHONE_PAGES = [("workplan-phone", "/workplans/{workplan}/")]
PHONE = {"width": 375, "height": 812}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Command(BaseCommand):
    help = "Take the README's screenshots (English and Arabic) into docs/screenshots/."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="docs/screenshots")

    def handle(self, *args, output, **options):
        workplan = (
            Workplan.objects.filter(team__is_demo=True, status="draft").order_by("team__name").first()
            or Workplan.objects.order_by("-year").first()
        )
        if workplan is None or not Path(CHROMIUM).exists():
            raise CommandError("Needs demo data (make setup-data) and Chromium at " + CHROMIUM)
        team = Team.objects.get(name="UN Nutrition Cambodia")
        activity = workplan.activities.order_by("id").first()
        out = Path(output)
        out.mkdir(parents=True, exist_ok=True)

        password = secrets.token_urlsafe(16)
        user = User.objects.create_user(
            username=f"screenshots-{secrets.token_hex(4)}", password=password, is_secretariat=True
        )
        port = free_port()
        server = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            self.wait_for(port)
            self.shoot(base, user.username, password, out, team=team.pk, activity=activity.pk, workplan=workplan.pk)
        finally:
            server.terminate()
            server.wait(timeout=10)
            user.delete()

    def wait_for(self, port):
        for _ in range(60):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise CommandError("The portal did not start")

    def shoot(self, base, username, password, out, **ids):
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
            )
            shots = [
                ("en", PAGES, None),
                ("ar", PAGES, None),
                ("en", PHONE_PAGES, PHONE),
                ("zh-hans", PHONE_PAGES, PHONE),
            ]
            for language, pages, viewport in shots:
                page = browser.new_page(viewport=viewport or {"width": 1280, "height": 1000})
                page.goto(f"{base}/accounts/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", password)
                page.locator("main button[type=submit]").click()
                page.wait_for_url(f"{base}/dashboard/")
                # The language cookie, as the header's language form sets it (folded away on a phone).
                page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
                for name, path in pages:
                    page.goto(base + path.format(**ids))
                    page.wait_for_load_state("networkidle")
                    target = out / f"{name}-{language}.png"
                    page.screenshot(path=str(target))
                    self.stdout.write(f"{target}")
                page.close()
            browser.close()
