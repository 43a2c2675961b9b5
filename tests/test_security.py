"""The protections a careful UN system needs, each shown working."""

import json
import logging
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import SecurityEvent

from .factories import make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-test-password"


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


# --- brute force -------------------------------------------------------------------------


def test_sign_in_locks_out_after_repeated_failures_per_user_and_address(settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user("viewer", username="amina")
    client = Client()
    for _ in range(3):
        response = sign_in(client, "amina", "wrong password")
    # The right password no longer helps from this address...
    locked = sign_in(client, "amina", PASSWORD)
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    assert "Try again in 30 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # ...but the same user from another address, and another user here, still get in.
    assert sign_in(Client(), "amina", PASSWORD, address="198.51.100.2").status_code == 302
    make_user("viewer", username="omar")
    assert sign_in(Client(), "omar", PASSWORD).status_code == 302
    kinds = list(SecurityEvent.objects.filter(username="amina").values_list("kind", flat=True))
    assert kinds.count("sign_in_failed") == 4  # three wrong passwords, then the refused right one
    assert "locked_out" in kinds
    event = SecurityEvent.objects.filter(kind="locked_out").first()
    assert (event.user, event.ip_address) == (user, "203.0.113.7")
    del response


def test_token_endpoint_is_locked_out_too(settings):
    settings.AXES_FAILURE_LIMIT = 2
    make_user("viewer", username="kofi")
    api = APIClient(REMOTE_ADDR="203.0.113.9")
    codes = [
        api.post("/api/v1/auth/token/", {"username": "kofi", "password": "nope"}, format="json").status_code
        for _ in range(2)
    ]
    assert codes == [401, 429]  # the second failure reaches the limit
    locked = api.post("/api/v1/auth/token/", {"username": "kofi", "password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.json()["detail"]
    assert not AuthToken.objects.exists()


# --- security log --------------------------------------------------------------------------


def test_security_log_records_sign_in_tokens_and_role_changes(client):
    user = make_user("viewer", username="lina")
    assert sign_in(client, "lina", PASSWORD).status_code == 302
    api = APIClient()
    token = api.post("/api/v1/auth/token/", {"username": "lina", "password": PASSWORD}, format="json").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    api.delete("/api/v1/auth/token/")
    user.is_secretariat = True
    user.save()
    log = list(SecurityEvent.objects.filter(user=user).order_by("id").values_list("kind", "ip_address"))
    assert [kind for kind, _ in log] == ["sign_in", "token_issued", "token_revoked", "role_changed"]
    assert log[0][1] == "203.0.113.7"
    assert "is_secretariat: False -> True" in SecurityEvent.objects.get(kind="role_changed").detail


def test_security_log_is_for_the_secretariat_only(client):
    make_user("viewer", username="viewer-staff", is_staff=True)
    client.force_login(make_user("secretariat", is_staff=True))
    assert client.get("/admin/accounts/securityevent/").status_code == 200
    client.force_login(make_user("viewer", is_staff=True))
    assert client.get("/admin/accounts/securityevent/").status_code == 403


# --- Content-Security-Policy -----------------------------------------------------------------


@pytest.fixture
def pages(cambodia):
    plan = make_workplan(cambodia, 2026)
    activity = make_activity(plan)
    return ["/dashboard/", f"/teams/{cambodia.pk}/", f"/workplans/{plan.pk}/",
            f"/workplans/activities/{activity.pk}/edit/", "/countries/", "/api/docs/"]  # fmt: skip


def test_strict_csp_and_no_inline_script_or_style(client, pages):
    client.force_login(make_user("secretariat"))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "object-src 'none'" in policy
        body = response.content.decode()
        for attrs, code in re.findall(r"<script([^>]*)>(.*?)</script>", body, flags=re.S):
            assert "src=" in attrs or 'type="application/json"' in attrs, f"inline script on {url}: {code[:80]}"
        assert " style=" not in body, f"inline style attribute on {url}"
        assert "<style" not in body, f"inline style element on {url}"


# --- request ids and error pages ------------------------------------------------------------


def test_every_response_carries_a_request_id_that_the_log_line_repeats(client, caplog):
    caplog.set_level(logging.INFO, logger="unnutrition.requests")
    response = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-assigned-1234")
    assert response["X-Request-ID"] == "proxy-assigned-1234"
    line = next(r for r in caplog.records if r.name == "unnutrition.requests")
    assert (line.request_id, line.status, line.path) == ("proxy-assigned-1234", 200, "/healthz")
    fresh = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")  # not a sane id: replaced
    assert re.fullmatch(r"[0-9a-f]{32}", fresh["X-Request-ID"])


def test_error_pages_use_the_layout_and_the_language(client, cambodia):
    client.force_login(make_user("focal_point", cambodia))
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    missing = client.get("/teams/999999/")
    assert missing.status_code == 404
    body = missing.content.decode()
    assert '<html lang="fr"' in body and 'class="site-header"' in body
    assert "Page not found" not in body  # translated
    denied = client.get(f"/workplans/{make_workplan(cambodia, 2026).pk}/submit/")
    assert denied.status_code == 403
    assert 'class="site-header"' in denied.content.decode()


def test_server_error_page_shows_the_request_id(settings):
    from unnutrition.views import server_error

    response = server_error(Client().get("/healthz").wsgi_request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


# --- production settings --------------------------------------------------------------------


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_settings_pass_check_deploy():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="nutrition.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
           "DJANGO_ALLOWED_HOSTS": "nutrition.example.org"}  # fmt: skip
    del env[missing]
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_cookies_and_headers():
    code = (
        "from django.conf import settings as s; import json;"
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.DEBUG]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "unnutrition.settings", "DJANGO_ENV": "production",
             "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": "nutrition.example.org"},
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [True, True, 31536000, False]
