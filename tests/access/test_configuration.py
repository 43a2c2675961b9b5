"""E-mail and single sign-on configuration: EMAIL_URL switches to SMTP (the console otherwise,
as `make run` has it), docker-compose sends to its mail catcher, and OpenID Connect is off
unless configured. No OpenID Connect provider runs on this machine: these tests check the
switch (settings, URLs, sign-in page, backend), not a sign-in against a provider."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.urls import NoReverseMatch, reverse

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unnutrition.settings")
django.setup()
from django.conf import settings
from django.urls import reverse
try:
    oidc_url = reverse("oidc_authentication_init")
except Exception:
    oidc_url = None
print(json.dumps({
    "backend": settings.EMAIL_BACKEND, "host": settings.EMAIL_HOST, "port": settings.EMAIL_PORT,
    "oidc": settings.OIDC_ENABLED, "apps": "mozilla_django_oidc" in settings.INSTALLED_APPS,
    "backends": settings.AUTHENTICATION_BACKENDS, "oidc_url": oidc_url,
}))
"""

OIDC = {
    "OIDC_RP_CLIENT_ID": "portal",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://login.agency.example.org/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://login.agency.example.org/token",
    "OIDC_OP_USER_ENDPOINT": "https://login.agency.example.org/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://login.agency.example.org/jwks",
}


def settings_with(**environment) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "EMAIL_URL", "DJANGO_EMAIL_BACKEND"))}
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, env=env, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_email_url_mail_is_printed_to_the_console():
    assert settings_with()["backend"] == "django.core.mail.backends.console.EmailBackend"


def test_email_url_sends_by_smtp():
    found = settings_with(EMAIL_URL="smtp://127.0.0.1:1025")
    assert found["backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (found["host"], found["port"]) == ("127.0.0.1", 1025)


def test_compose_sends_to_its_mail_catcher():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    mailpit = compose["services"]["mailpit"]
    assert "healthcheck" in mailpit and any("8025" in str(port) for port in mailpit["ports"])
    for name in ("web", "worker", "beat"):
        assert compose["services"][name]["environment"]["EMAIL_URL"].endswith("smtp://mailpit:1025}")


def test_single_sign_on_is_off_by_default(client, db):
    found = settings_with()
    assert found["oidc"] is False and found["apps"] is False and found["oidc_url"] is None
    assert not any("oidc" in backend.lower() for backend in found["backends"])
    with pytest.raises(NoReverseMatch):
        reverse("oidc_authentication_init")
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()


def test_configuring_a_provider_turns_single_sign_on_on():
    found = settings_with(**OIDC)
    assert found["oidc"] is True and found["apps"] is True
    assert "accounts.oidc.PortalOIDCBackend" in found["backends"]
    assert found["backends"][0] == "axes.backends.AxesStandaloneBackend"  # lock-outs still come first
    assert found["oidc_url"] == "/oidc/authenticate/"


def test_the_backend_matches_people_by_their_address(db):
    from accounts.oidc import PortalOIDCBackend

    from ..factories import make_user

    user = make_user("viewer", email="amara@wfp.example.org")
    backend = PortalOIDCBackend.__new__(PortalOIDCBackend)
    backend.UserModel = type(user)
    assert list(backend.filter_users_by_claims({"email": "AMARA@wfp.example.org"})) == [user]
    assert list(backend.filter_users_by_claims({"email": "amara@wfp.example.org", "email_verified": False})) == []
    assert list(backend.filter_users_by_claims({"email": user.person.email})) == [user]


def test_the_yearly_check_is_a_scheduled_celery_task(db, smtp_server, django_capture_on_commit_callbacks, settings):
    """Celery beat runs it daily; the task asks the entries that are due (and sends through SMTP)."""
    import datetime as dt

    from django.utils import timezone

    from access.tasks import ask_roster_confirmations
    from teams.models import FocalPoint
    from unnutrition.celery import app

    from ..factories import make_team, make_user

    entry = settings.CELERY_BEAT_SCHEDULE["access-roster-check-daily"]
    assert entry["task"] == "access.tasks.ask_roster_confirmations"
    app.loader.import_default_modules()
    assert "access.tasks.ask_roster_confirmations" in app.tasks
    focal = make_user("focal_point", make_team("TCD"), agency="WHO")
    FocalPoint.objects.filter(person=focal.person).update(last_confirmed_at=timezone.now() - dt.timedelta(days=340))
    with django_capture_on_commit_callbacks(execute=True):
        assert ask_roster_confirmations.apply().get() == 1
    [message] = smtp_server.wait_for(1).to(focal.person.email)
    assert "/access/check/" in message.get_content()
