"""Notification e-mails through a real SMTP server started by the test (aiosmtpd): sent once, retried
with backoff when the server refuses, failed and listed for the Secretariat, never sent twice when a
sender stops (before the end of a message: sent again; after it: listed as unconfirmed); digests;
the one-click link in every e-mail; two senders at once on PostgreSQL."""

import datetime as dt
import re
import threading

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from cycle import delivery, services
from cycle.models import Email, Kind, Notification, NotificationPreference

from ..factories import make_user

pytestmark = pytest.mark.django_db


def notify(user, n=1, kind=Kind.WORKPLAN_RETURNED, prefix="t"):
    for i in range(n):
        services.notify(recipients=[user], kind=kind, event=f"{prefix}:{user.pk}:{i}",
                        params={"team": "UN Nutrition Chad", "year": 2026, "reason": f"Reason {i}"},
                        link="/workplans/1/endorsement/")  # fmt: skip


def test_an_email_goes_out_once_with_its_message_id_and_a_one_click_link(world, mail_server):
    notify(world.unicef)
    email = Email.objects.get()
    assert (email.status, email.to, email.language) == ("queued", "fp@unicef.example.org", "en")
    counts = delivery.send_batch(worker="test")
    assert counts["sent"] == 1
    [message] = mail_server.received
    assert message["Message-ID"] == email.message_id
    assert message["Subject"] == "[UN Nutrition] The 2026 workplan of UN Nutrition Chad was returned"
    assert message["Content-Language"] == "en" and message["Auto-Submitted"] == "auto-generated"
    body = message.get_content()
    assert "Reason: Reason 0" in body and "http://127.0.0.1:8000/workplans/1/endorsement/" in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.sent_at is not None) == ("sent", 1, True)
    # Run again (a retried job, a second worker): nothing more is sent.
    assert delivery.send_batch(worker="test")["attempted"] == 0
    assert len(mail_server.received) == 1


def test_in_the_recipients_language(world, mail_server):
    from django.utils import translation

    from cycle import texts

    world.who.language = "fr"
    world.who.save()
    services.notify(recipients=[world.who], kind=Kind.WORKPLAN_SUBMITTED, event="fr", team=world.chad,
                    params={"year": 2026, "respond_by": "2026-12-31"}, link="/")  # fmt: skip
    delivery.send_batch(worker="test")
    [message] = mail_server.received
    assert message["Content-Language"] == "fr"
    with translation.override("fr"):
        expected = texts.title(Notification.objects.get(recipient=world.who))
    # A non-ASCII subject is folded onto a continuation line ("Subject: CRLF =?utf-8?..."); mail
    # programs drop the folding space, Python's parser keeps it.
    assert message["Subject"].strip() == f"[UN Nutrition] {expected}"
    assert "31 décembre 2026" in message.get_content()  # dates as French writes them


def test_a_refused_email_is_retried_with_backoff_then_failed_and_shown_to_the_secretariat(world, mail_server, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS, settings.NOTIFICATIONS_RETRY_BACKOFF = 3, 60
    mail_server.refuse["fp@unicef.example.org"] = "451 4.3.0 Mailbox busy, try later"
    notify(world.unicef)
    notify(world.who)
    before = timezone.now()
    delivery.send_batch(worker="test")
    refused = Email.objects.get(to="fp@unicef.example.org")
    assert (refused.status, refused.attempts) == ("queued", 1)
    assert "451" in refused.last_error
    assert before + dt.timedelta(seconds=59) < refused.next_attempt_at < before + dt.timedelta(seconds=70)
    assert [m["To"] for m in mail_server.received] == ["fp@who.example.org"]  # the next one went out
    # Not due yet: the next batch leaves it alone.
    assert delivery.send_batch(worker="test")["attempted"] == 0
    Email.objects.filter(pk=refused.pk).update(next_attempt_at=timezone.now())
    delivery.send_batch(worker="test")
    refused.refresh_from_db()
    assert refused.attempts == 2 and 119 < (refused.next_attempt_at - timezone.now()).total_seconds() < 130
    Email.objects.filter(pk=refused.pk).update(next_attempt_at=timezone.now())
    delivery.send_batch(worker="test")
    refused.refresh_from_db()
    assert (refused.status, refused.attempts) == ("failed", 3)
    # The Secretariat sees it, on the page and in its tasks, and sends it again once the mailbox is fixed.
    client = Client()
    client.force_login(world.secretariat)
    page = client.get("/notifications/undelivered/")
    assert page.status_code == 200 and "fp@unicef.example.org" in page.content.decode()
    assert client.get("/tasks/").content.decode().count("1 e-mail could not be delivered") == 1
    focal = Client()
    focal.force_login(world.unicef)
    assert focal.get("/notifications/undelivered/").status_code == 403
    del mail_server.refuse["fp@unicef.example.org"]
    assert client.post("/notifications/undelivered/", {"email": refused.pk, "action": "resend"}).status_code == 302
    delivery.send_batch(worker="test")
    refused.refresh_from_db()
    assert refused.status == "sent"
    assert [m["To"] for m in mail_server.received] == ["fp@who.example.org", "fp@unicef.example.org"]
    assert mail_server.received[1]["Message-ID"] == refused.message_id


def test_a_permanent_refusal_fails_at_once(world, mail_server):
    mail_server.refuse["fp@unicef.example.org"] = "550 5.1.1 No such user"
    notify(world.unicef)
    delivery.send_batch(worker="test")
    email = Email.objects.get()
    assert (email.status, email.attempts) == ("failed", 1) and "550" in email.last_error


def test_a_mail_server_that_is_down_is_retried(world, mail_server, settings):
    settings.EMAIL_PORT = 1  # nothing listens there
    notify(world.unicef)
    delivery.send_batch(worker="test")
    email = Email.objects.get()
    assert (email.status, email.attempts) == ("queued", 1) and email.next_attempt_at > timezone.now()
    assert "Connection refused" in email.last_error or "Errno" in email.last_error


def test_a_sender_that_stopped_before_the_end_is_replaced_one_that_stopped_after_it_is_not(world, mail_server,
                                                                                        settings):  # fmt: skip
    settings.NOTIFICATIONS_SEND_TIMEOUT = 60
    notify(world.unicef)
    notify(world.who)
    # Two senders were killed: one while talking to the server (nothing complete reached it), one after
    # handing over the end of its message (it may have arrived).
    first, second = delivery.claim("dead-1"), delivery.claim("dead-2")
    long_ago = timezone.now() - dt.timedelta(seconds=120)
    Email.objects.filter(pk__in=[first.pk, second.pk]).update(claimed_at=long_ago)
    Email.objects.filter(pk=second.pk).update(data_sent_at=long_ago)
    assert delivery.send_batch(worker="test")["sent"] == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts) == ("sent", 2)
    assert second.status == "unconfirmed" and second.attempts == 1
    assert [m["To"] for m in mail_server.received] == [first.to]
    assert delivery.send_batch(worker="test")["attempted"] == 0  # never sent again on its own


def test_a_sender_taken_for_dead_cannot_finish_its_message(world, mail_server):
    """Fencing: the slow attempt's marker fails once its row was given to another attempt, so it drops
    the connection before the end of the message, and the server keeps nothing of it."""
    notify(world.unicef)
    stale = delivery.claim("slow")
    Email.objects.filter(pk=stale.pk).update(status="queued")  # recovered meanwhile
    fresh = delivery.claim("fresh")
    assert fresh.attempts == 2
    sender = delivery.Sender()
    from cycle.mail import build_message

    assert sender.send(stale, build_message(stale)) is False
    assert mail_server.received == []
    assert sender.send(fresh, build_message(fresh)) is True
    sender.close()
    assert len(mail_server.received) == 1
    assert Email.objects.get().status == "sent"


def test_an_answer_lost_after_the_end_leaves_it_unconfirmed(world, mail_server, settings):
    """The server takes the message and does not answer in time: arrival unknown, never resent on its own."""
    settings.EMAIL_TIMEOUT = 1
    notify(world.unicef)
    mail_server.hold_data.set()
    delivery.send_batch(worker="test")
    mail_server.hold_data.clear()
    email = Email.objects.get()
    assert email.status == "unconfirmed" and email.data_sent_at is not None
    assert len(mail_server.received) == 1
    assert delivery.send_batch(worker="test")["attempted"] == 0
    assert len(mail_server.received) == 1


def test_daily_and_weekly_digests(world, mail_server):
    NotificationPreference.objects.create(user=world.convener, kind=Kind.WORKPLAN_RETURNED, delivery="weekly")
    notify(world.convener, 3)
    notify(world.convener, 2, kind=Kind.ENDORSEMENT_GIVEN, prefix="given")  # daily by default
    assert not Email.objects.exists()
    assert services.make_digests(form="daily") == 1
    assert services.make_digests(form="daily") == 0  # again the same day: nothing more
    assert services.make_digests(form="weekly") == 1
    delivery.send_batch(worker="test")
    subjects = sorted(m["Subject"] for m in mail_server.received)
    assert subjects == ["[UN Nutrition] Your daily summary: 2 notifications",
                        "[UN Nutrition] Your weekly summary: 3 notifications"]  # fmt: skip
    weekly = next(m for m in mail_server.received if "weekly" in m["Subject"]).get_content()
    assert all(f"Reason: Reason {i}" in weekly for i in range(3))
    assert Notification.objects.filter(email__isnull=True).count() == 0


def test_the_one_click_link_changes_the_kinds_the_email_carried(world, mail_server):
    notify(world.unicef)
    delivery.send_batch(worker="test")
    body = mail_server.received[0].get_content()
    link = re.search(r"(http://\S+/notifications/e-mail/\S+/)", body).group(1)
    path = link.removeprefix("http://127.0.0.1:8000")
    anonymous = Client()
    page = anonymous.get(path)
    assert page.status_code == 200 and "A workplan is returned" in page.content.decode()
    assert NotificationPreference.objects.count() == 0  # opening the link (a mail scanner) changes nothing
    assert anonymous.post(path, {"workplan_returned": "daily"}).status_code == 302
    assert NotificationPreference.objects.get(user=world.unicef).delivery == "daily"
    # A mail client's one-click unsubscribe (RFC 8058).
    response = anonymous.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=world.unicef).delivery == "off"
    notify(world.unicef, prefix="after")
    assert Notification.objects.filter(recipient=world.unicef, delivery="off").count() == 1
    assert anonymous.get(path[:-5] + "xxxx/").status_code == 404


def test_people_who_turned_email_off_get_the_portal_only(world, mail_server):
    world.who.email_notifications = False
    world.who.save()
    notify(world.who)
    assert Notification.objects.get(recipient=world.who).delivery == "off"
    assert not Email.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_email_once(mail_server):
    """Real concurrency on PostgreSQL: two threads drain the same outbox, each claiming its own rows."""
    if connections["default"].vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SKIP LOCKED)")
    from unnutrition.reference_data.services import load_reference_data

    load_reference_data()
    users = [make_user("viewer", email=f"person{i}@example.org") for i in range(30)]
    for user in users:
        notify(user)
    results = []

    def drain(name):
        try:
            results.append(delivery.send_batch(worker=name))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=drain, args=(f"thread-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(r["sent"] for r in results) == 30
    ids = [m["Message-ID"] for m in mail_server.received]
    assert len(ids) == 30 and len(set(ids)) == 30
    assert set(Email.objects.values_list("status", flat=True)) == {"sent"}
