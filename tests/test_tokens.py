"""API tokens: a new password ends them all, whichever way it is set; tokens issued
in the admin expire like those of the token endpoint, and the admin shows the token
once and never its digest."""

import datetime as dt
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import SecurityEvent

from .factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
NEW_PASSWORD = "another-long-pass-phrase"
TTL = dt.timedelta(days=90)


def api_status(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/agencies/").status_code


@pytest.fixture
def holder():
    """A user with two API tokens (a script and a spreadsheet, say)."""
    user = make_user("viewer", username="nadia", email="nadia@example.org")
    tokens = [AuthToken.objects.create(user)[1] for _ in range(2)]
    assert [api_status(t) for t in tokens] == [200, 200]
    return user, tokens


def assert_revoked_and_logged(user, tokens, address=None):
    assert [api_status(t) for t in tokens] == [401, 401]
    assert not AuthToken.objects.filter(user=user).exists()
    changed = SecurityEvent.objects.get(user=user, kind=SecurityEvent.Kind.PASSWORD_CHANGED)
    assert changed.detail == "2 API token(s) revoked"
    assert changed.ip_address == address
    assert SecurityEvent.objects.filter(user=user, kind=SecurityEvent.Kind.TOKEN_REVOKED).count() == 2


# --- a new password revokes every token ----------------------------------------------------


def test_changing_the_password_in_the_portal_revokes_the_tokens(holder):
    user, tokens = holder
    client = Client(REMOTE_ADDR="203.0.113.40")
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert_revoked_and_logged(user, tokens, address="203.0.113.40")
    # The new password gives a new token that works.
    fresh = APIClient().post("/api/v1/auth/token/", {"username": "nadia", "password": NEW_PASSWORD}, format="json")
    assert api_status(fresh.json()["token"]) == 200


def test_resetting_the_password_revokes_the_tokens(holder):
    user, tokens = holder
    client = Client(REMOTE_ADDR="198.51.100.41")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    form = client.get(f"/accounts/reset/{uid}/{default_token_generator.make_token(user)}/", follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert_revoked_and_logged(user, tokens, address="198.51.100.41")


def test_setting_a_password_in_the_admin_revokes_the_tokens(holder):
    user, tokens = holder
    client = Client(REMOTE_ADDR="192.0.2.42")
    client.force_login(make_user("secretariat", is_staff=True, is_superuser=True))
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert_revoked_and_logged(user, tokens, address="192.0.2.42")


def test_set_password_and_save_in_a_shell_revokes_the_tokens(holder):
    user, tokens = holder
    user.set_password(NEW_PASSWORD)
    user.save()
    assert_revoked_and_logged(user, tokens)


def test_other_changes_and_a_rehash_on_sign_in_keep_the_tokens():
    user = make_user("viewer", username="nadia")
    # A hash Django considers too weak (short salt): it re-hashes the same password at the next sign-in.
    user.password = make_password(PASSWORD, salt="ab")
    user.save()
    tokens = [AuthToken.objects.create(user)[1] for _ in range(2)]
    user.email = "nadia@un.example.org"
    user.first_name = "Nadia"
    user.save()
    old_hash = user.password
    assert Client().post("/accounts/login/", {"username": "nadia", "password": PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert user.password != old_hash and user.check_password(PASSWORD)
    assert [api_status(t) for t in tokens] == [200, 200]
    # Only the direct assignment above, made before the tokens existed, counted as a change.
    assert SecurityEvent.objects.get(kind=SecurityEvent.Kind.PASSWORD_CHANGED).detail == "0 API token(s) revoked"


# --- tokens always expire ---------------------------------------------------------------------


def test_a_token_created_without_expiry_gets_the_endpoints_expiry():
    user = make_user("viewer")
    endpoint = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}).json()
    issued = dt.datetime.fromisoformat(endpoint["expiry"])
    instance, _ = AuthToken.objects.create(user, expiry=None)
    assert instance.expiry is not None
    assert abs(instance.expiry - issued) < dt.timedelta(minutes=1)
    assert abs(instance.expiry - (timezone.now() + TTL)) < dt.timedelta(minutes=1)


# --- the admin ----------------------------------------------------------------------------------


def visible_text(response) -> str:
    """What a person reads on the page (tags, attributes and URLs left out)."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.fixture
def staff(client):
    client.force_login(make_user("secretariat", is_staff=True, is_superuser=True))
    return client


def test_the_add_form_picks_the_user_by_name_and_proposes_the_expiry(staff):
    page = staff.get("/admin/knox/authtoken/add/")
    assert page.status_code == 200
    user_field = re.search(r'<select name="user"[^>]*>', page.content.decode()).group(0)
    assert "admin-autocomplete" in user_field and "/admin/autocomplete/" in user_field
    assert 'name="user" ' in user_field and 'type="text"' not in user_field  # no raw id box
    proposed = page.context["adminform"].form.fields["expiry"].initial
    assert abs(proposed - (timezone.now() + TTL)) < dt.timedelta(minutes=1)
    # Searching by first or last name finds the user.
    make_user("viewer", username="u7731", first_name="Grace", last_name="Mwangi")
    found = staff.get(
        "/admin/autocomplete/",
        {"term": "mwangi", "app_label": "knox", "model_name": "authtoken", "field_name": "user"},
    )
    assert [r["text"] for r in found.json()["results"]] == ["u7731"]


def test_a_token_issued_in_the_admin_is_shown_once_expires_and_never_shows_its_digest(staff):
    user = make_user("viewer", username="script-owner")
    response = staff.post("/admin/knox/authtoken/add/", {"user": user.pk})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = re.search(r'<code id="issued-token">([^<]+)</code>', response.content.decode()).group(1)
    text = visible_text(response)
    assert "will not be shown again" in text and "script-owner" in text
    stored = AuthToken.objects.get(user=user)
    assert abs(stored.expiry - (timezone.now() + TTL)) < dt.timedelta(minutes=1)
    assert api_status(token) == 200
    assert not any(token in str(m) for m in response.context["messages"])  # only on that page
    # The token is never shown again, the digest never at all.
    pages = [
        staff.get("/admin/knox/authtoken/"),
        staff.get(f"/admin/knox/authtoken/{stored.pk}/change/"),
        staff.get(f"/admin/knox/authtoken/{stored.pk}/delete/"),
        staff.get("/admin/"),  # recent actions
    ]
    for page in pages:
        assert page.status_code == 200
        assert stored.digest not in visible_text(page)
        assert token not in page.content.decode()
    assert f"{stored.token_key}…" in visible_text(pages[0])
    assert stored.digest not in LogEntry.objects.get(object_id=stored.pk).object_repr
    # Deleting it revokes it.
    staff.post(f"/admin/knox/authtoken/{stored.pk}/delete/", {"post": "yes"})
    assert api_status(token) == 401


def test_the_admin_refuses_an_expiry_in_the_past(staff):
    user = make_user("viewer")
    yesterday = timezone.localtime() - dt.timedelta(days=1)
    response = staff.post(
        "/admin/knox/authtoken/add/",
        {"user": user.pk, "expiry_0": yesterday.strftime("%Y-%m-%d"), "expiry_1": yesterday.strftime("%H:%M:%S")},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"expiry": ["The expiry must be in the future."]}
    assert not AuthToken.objects.filter(user=user).exists()


def test_the_upgrade_gives_old_tokens_an_expiry_and_takes_digests_out_of_the_admin_log():
    from importlib import import_module

    from django.apps import apps
    from django.contrib.admin.models import ADDITION
    from django.contrib.contenttypes.models import ContentType

    migration = import_module("accounts.migrations.0004_api_tokens_expire")
    user = make_user("viewer", username="old-script")
    kept, token = AuthToken.objects.create(user)
    AuthToken.objects.filter(pk=kept.pk).update(expiry=None)  # issued in the admin before
    content_type = ContentType.objects.get_for_model(AuthToken)
    staff = make_user("secretariat", is_staff=True)
    for digest in (kept.digest, "f" * 128):  # a live token and a deleted one
        LogEntry.objects.create(
            user=staff,
            content_type=content_type,
            object_id=digest,
            object_repr=f"{digest} : old-script",
            action_flag=ADDITION,
        )
    migration.forward(apps, None)
    kept.refresh_from_db()
    assert abs(kept.expiry - (timezone.now() + TTL)) < dt.timedelta(minutes=1)
    assert api_status(token) == 200
    assert sorted(LogEntry.objects.values_list("object_repr", flat=True)) == [
        "(revoked token) (old-script)",
        f"{kept.token_key}… (old-script)",
    ]
