"""Shared fixtures. The reference data is loaded once into the test database;
every test then runs in a transaction that is rolled back."""

import logging
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


class ReceivedMail(list):
    """Messages a test SMTP server received (email.message.EmailMessage), in order of arrival."""

    def to(self, address: str) -> list:
        return [m for m in self if address.lower() in (m.get("To") or "").lower()]

    def wait_for(self, count: int, timeout: float = 10.0) -> "ReceivedMail":
        """Wait until at least `count` messages arrived (sending may finish after the response)."""
        import time

        deadline = time.monotonic() + timeout
        while len(self) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self) >= count, f"expected {count} e-mail(s), the SMTP server received {len(self)}"
        return self


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free local port, and Django sending to it over SMTP.

    Yields the messages it receives (parsed `email.message.EmailMessage`s); `.to(address)`
    filters them, `.wait_for(n)` waits for late ones. Any feature that sends e-mail can use it.
    """
    import email
    import email.policy

    from aiosmtpd.controller import Controller

    received = ReceivedMail()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            message = email.message_from_bytes(
                envelope.original_content or envelope.content, policy=email.policy.default
            )
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            received.append(message)
            return "250 OK"

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP line at INFO
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, server_hostname="localhost")
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield received
    finally:
        controller.stop()


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
