"""Notification e-mails sent by real Celery worker processes, through the real Redis broker, on the
real PostgreSQL test database, to a real SMTP server started by the test; workers are killed mid-batch
(SIGKILL of the whole process group, as a crash or an OOM kill does) and others started: every
notification is delivered exactly once.

- Killed while talking to the server before the end of a message: that message is sent again by the
  next worker (the server kept nothing of it), every other once.
- Killed after the end of a message, before the server's answer (the one window SMTP leaves): that
  message is never sent again on its own (it may have arrived: here it did, once); it is listed for
  the Secretariat as unconfirmed.
- Recorded while the broker is down: nothing is lost; the e-mails go out when a worker connects.

They need PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): without them they are skipped, except in CI.
"""

from __future__ import annotations

import os
import time
from urllib.parse import quote, urlparse

import pytest
import redis
from django.db import connection

from cycle import services
from cycle.models import Email, Kind
from unnutrition.celery import app as celery_app

from ..conftest import service_or_skip
from ..factories import make_user
from ..reports.test_worker import Worker, required, use_broker

pytestmark = pytest.mark.services
# The broker of these tests: a Redis database of their own (no other worker takes their jobs).
BROKER_DB = int(os.environ.get("CYCLE_TEST_REDIS_DB", "5"))
VISIBILITY_TIMEOUT = 8
SEND_TIMEOUT = 3


@pytest.fixture
def reference_data(django_db_setup, django_db_blocker):
    from unnutrition.reference_data.services import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()
    yield
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def workers(reference_data, transactional_db, mail_server, tmp_path):
    """start(**env) -> a running Worker sending to `mail_server`; every worker is killed at the end."""
    database = connection.settings_dict
    if connection.vendor != "postgresql":
        required("DATABASE_URL")
        pytest.skip("The real-worker tests need PostgreSQL (DATABASE_URL=postgres://...)")
    redis_url = service_or_skip(required("REDIS_URL"), "Redis")
    parsed = urlparse(redis_url)
    broker = f"{parsed.scheme}://{parsed.netloc}/{BROKER_DB}"
    redis.Redis.from_url(broker).flushdb()
    user = quote(database["USER"] or "", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    base_env = os.environ.copy() | {
        "DATABASE_URL": f"postgres://{user}{password}@{host}/{database['NAME']}",
        "REDIS_URL": broker,
        "EMAIL_URL": mail_server.url,
        "EMAIL_TIMEOUT": "5",
        "DJANGO_SETTINGS_MODULE": "tests.reports.worker_settings",
        "REPORTS_TEST_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "NOTIFICATIONS_SEND_TIMEOUT": str(SEND_TIMEOUT),
        "NOTIFICATIONS_TEST_DELAY": "0.05",
    }
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    use_broker(broker, eager=False)
    started: list[Worker] = []

    def start(**env) -> Worker:
        worker = Worker(base_env | {k: str(v) for k, v in env.items()}, tmp_path / f"worker{len(started)}.log")
        started.append(worker)
        return worker

    start.broker = broker
    yield start
    for worker in started:
        worker.kill()
    use_broker(*saved)
    redis.Redis.from_url(broker).flushdb()


def notify_people(count: int, prefix: str = "n") -> list:
    """`count` people, each notified once (an immediate e-mail each): committed, then queued to Celery."""
    people = [make_user("viewer", email=f"{prefix}{i}@example.org") for i in range(count)]
    for person in people:
        services.notify(recipients=[person], kind=Kind.WORKPLAN_RETURNED, event=f"{prefix}:{person.pk}",
                        params={"team": "UN Nutrition Chad", "year": 2026, "reason": "Dates"}, link="/")  # fmt: skip
    return people


def wait_until(condition, timeout: float, message, poll: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(poll)
    pytest.fail(message() if callable(message) else message)


def delivered_once(mail_server, people) -> None:
    """Each person received exactly one message, with the Message-ID of their outbox row."""
    by_address = {}
    for message in mail_server.received:
        by_address.setdefault(message["To"], []).append(message["Message-ID"])
    for person in people:
        email = Email.objects.get(to=person.email)
        assert by_address.get(person.email) == [email.message_id], (person.email, by_address.get(person.email))
    assert len(mail_server.received) == len(people)


def test_a_worker_killed_mid_batch_before_the_end_of_a_message_every_email_goes_out_once(workers, mail_server):
    people = notify_people(40)
    first = workers()
    wait_until(lambda: len(mail_server.received) >= 12, 60, lambda: first.output())
    # The worker is now held while the server considers the next recipient: nothing of that message
    # has been taken. Killed there (and its connection with it).
    mail_server.hold_rcpt.set()
    wait_until(mail_server.waiting.is_set, 20, "the worker did not reach the next message")
    first.kill()
    mail_server.hold_rcpt.clear()
    stuck = Email.objects.filter(status="sending")
    assert stuck.count() == 1 and stuck.get().data_sent_at is None
    sent_before = len(mail_server.received)
    assert 12 <= sent_before < 40
    # Two workers take over: the job the dead one held comes back (acks_late), each worker also drains
    # the outbox as it connects; the message of the stopped sender is sent again after its time-out.
    workers()
    workers()
    wait_until(lambda: Email.objects.filter(status="sent").count() == 40, 90,
               lambda: f"{list(Email.objects.exclude(status='sent').values_list('to', 'status'))}")  # fmt: skip
    time.sleep(VISIBILITY_TIMEOUT + 2)  # any redelivered job runs now, and must send nothing more
    delivered_once(mail_server, people)
    assert Email.objects.filter(attempts=2).count() == 1  # only the interrupted one was tried twice


def test_a_worker_killed_after_the_end_of_a_message_never_sends_it_twice(workers, mail_server):
    people = notify_people(20, prefix="u")
    first = workers()
    wait_until(lambda: len(mail_server.received) >= 5, 60, lambda: first.output())
    # The server takes the next message and holds back its answer: the worker waits, then dies.
    mail_server.hold_data.set()
    wait_until(mail_server.waiting.is_set, 20, "the worker did not reach the next message")
    first.kill()
    mail_server.hold_data.clear()
    taken = mail_server.received[-1]["To"]
    workers()
    wait_until(lambda: Email.objects.filter(status="sent").count() == 19, 90,
               lambda: f"{list(Email.objects.exclude(status='sent').values_list('to', 'status'))}")  # fmt: skip
    wait_until(lambda: Email.objects.filter(status="unconfirmed").count() == 1, SEND_TIMEOUT + 30,
               "the interrupted message was not listed as unconfirmed")  # fmt: skip
    time.sleep(VISIBILITY_TIMEOUT + 2)
    unconfirmed = Email.objects.get(status="unconfirmed")
    assert unconfirmed.to == taken
    delivered_once(mail_server, people)  # it arrived once, and was not sent again


def test_emails_recorded_while_the_broker_is_down_go_out_when_a_worker_connects(workers, mail_server):
    broker = workers.broker
    use_broker("redis://127.0.0.1:1/0", eager=False)  # nothing listens there: publishing fails at once
    people = notify_people(10, prefix="b")
    assert Email.objects.filter(status="queued").count() == 10  # recorded all the same (the outbox)
    use_broker(broker, eager=False)
    workers()
    wait_until(lambda: Email.objects.filter(status="sent").count() == 10, 60, "the waiting e-mails were not sent")
    delivered_once(mail_server, people)
