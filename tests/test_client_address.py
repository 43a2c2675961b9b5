"""One client address for the sign-in throttle, the lock-out and the security log:
REMOTE_ADDR unless DJANGO_PROXY_COUNT says how many of our proxies stand in front,
so a forged X-Forwarded-For never makes a password sprayer a fresh client."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import SecurityEvent

from .factories import make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-test-password"


def token_request(username, password, remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, **headers)


@pytest.fixture
def proxies(settings):
    """proxies(n): run as if n proxies of ours stood in front (DJANGO_PROXY_COUNT=n)."""

    def set_count(n):
        settings.PROXY_COUNT = n
        settings.REST_FRAMEWORK = {**django_settings.REST_FRAMEWORK, "NUM_PROXIES": n}

    return set_count


# A throttled answer marks the test's transaction for rollback (the token view has no
# transaction of its own), so each test below ends with its throttled requests.


def test_a_forged_forwarded_header_does_not_escape_the_sign_in_throttle(settings):
    settings.API_SIGN_IN_THROTTLE_RATE = "3/minute"

    # Password spraying: a new account and a new forged X-Forwarded-For on every attempt.
    def spray(i):
        return token_request(f"user{i}", "Winter2026!", "203.0.113.50", forwarded=f"10.9.{i}.{i}").status_code

    assert [spray(i) for i in range(3)] == [401, 401, 401]
    # Another real address has its own budget.
    assert token_request("user9", "Winter2026!", "198.51.100.50").status_code == 401
    assert [spray(i) for i in range(3, 6)] == [429, 429, 429]


def test_a_forged_forwarded_header_does_not_escape_the_lock_out(settings):
    settings.AXES_FAILURE_LIMIT = 2
    make_user("viewer", username="kwame")
    for i in range(2):
        token_request("kwame", "wrong", "203.0.113.51", forwarded=f"192.0.2.{i}")
    locked = token_request("kwame", PASSWORD, "203.0.113.51", forwarded="192.0.2.99")
    assert locked.status_code == 429
    assert not AuthToken.objects.exists()
    addresses = set(SecurityEvent.objects.filter(username="kwame").values_list("ip_address", flat=True))
    assert addresses == {"203.0.113.51"}  # the forged addresses are nowhere in the log


def test_behind_one_proxy_each_client_counts_by_the_address_the_proxy_saw(settings, proxies):
    proxies(1)
    settings.API_SIGN_IN_THROTTLE_RATE = "2/minute"
    proxy = "10.0.0.2"
    # Our proxy appends the address it received from; anything to the left is the client's own writing.

    def attempt(i):
        return token_request("a", "guess", proxy, forwarded=f"198.51.100.{i}, 203.0.113.60").status_code

    assert [attempt(i) for i in range(2)] == [401, 401]
    assert token_request("a", "guess", proxy, forwarded="203.0.113.61").status_code == 401  # another client
    logged = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SIGN_IN_FAILED).values_list("ip_address", flat=True)
    assert set(logged) == {"203.0.113.60", "203.0.113.61"}
    assert attempt(2) == 429


def test_behind_one_proxy_the_lock_out_follows_the_real_client(settings, proxies):
    proxies(1)
    settings.AXES_FAILURE_LIMIT = 2
    make_user("viewer", username="ama")
    for i in range(2):
        token_request("ama", "wrong", "10.0.0.2", forwarded=f"192.0.2.{i}, 203.0.113.70")
    assert token_request("ama", PASSWORD, "10.0.0.2", forwarded="192.0.2.50, 203.0.113.70").status_code == 429
    # The same user from another client behind the same proxy is not locked out.
    assert token_request("ama", PASSWORD, "10.0.0.2", forwarded="203.0.113.71").status_code == 200


def test_a_garbage_forwarded_address_falls_back_to_the_connection(proxies):
    proxies(1)
    make_user("viewer", username="yaw")
    token_request("yaw", "wrong", "10.0.0.2", forwarded="not-an-address")
    assert SecurityEvent.objects.get(kind=SecurityEvent.Kind.SIGN_IN_FAILED).ip_address == "10.0.0.2"


@pytest.mark.parametrize(("env", "expected"), [({}, 0), ({"DJANGO_PROXY_COUNT": "2"}, 2)])
def test_the_proxy_count_comes_from_the_environment_for_both(env, expected):
    code = (
        "from django.conf import settings as s; from rest_framework.settings import api_settings as a; import json;"
        "print(json.dumps([s.PROXY_COUNT, a.NUM_PROXIES, s.AXES_CLIENT_IP_CALLABLE]))"
    )
    clean = {k: v for k, v in os.environ.items() if k != "DJANGO_PROXY_COUNT"}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "unnutrition.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        expected,
        expected,
        "core.client_address.client_address",
    ]
