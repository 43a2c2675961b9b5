"""Shared fixtures. The reference data is loaded once into the test database;
every test then runs in a transaction that is rolled back."""

import os
import socket
from urllib.parse import urlparse

import pytest

from unnutrition.reference_data.services import load_reference_data

from .factories import make_team, make_user

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()


def service_or_skip(url: str, name: str) -> str:
    """Return the URL if the service answers; in CI a missing service is a failure, not a skip."""
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port), timeout=2).close()
    except OSError as exc:
        message = f"{name} is not reachable at {parsed.hostname}:{parsed.port} ({exc})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def redis_url():
    return service_or_skip(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", "Redis")


@pytest.fixture
def cambodia(db):
    from teams.models import Team

    return Team.objects.get(name="UN Nutrition Cambodia")


@pytest.fixture
def chad(db):
    return make_team("TCD")


@pytest.fixture
def secretariat_user(db):
    return make_user("secretariat")


@pytest.fixture
def viewer_user(db):
    return make_user("viewer")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness protects real passwords, not test ones.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    # Throttle counters and other cached state must not leak between tests
    # (nor into a shared Redis), so each test gets an empty local cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    # LocaleMiddleware activates the request's language in the thread and
    # nothing resets it: a test that switched to Arabic must not leave later
    # tests (or the reports they build) in Arabic.
    from django.utils import translation

    yield
    translation.deactivate()
