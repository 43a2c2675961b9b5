"""Sending the outbox's e-mails exactly once, as far as SMTP allows.

SMTP gives a sender one moment of truth: the server's reply to the end of the message (the line
with a single dot). Before the end is sent the server keeps nothing; once it replies 250 it has
taken the message. Between the two, a sender that dies cannot know whether the message will
arrive. The policy follows from that, one e-mail at a time, each step committed on its own:

1. claim: a queued row, due, is locked (SELECT ... FOR UPDATE SKIP LOCKED, so concurrent workers
   take different rows) and marked `sending` with a new attempt number, committed;
2. MAIL FROM, RCPT TO, DATA and the message are sent, everything but the end;
3. `data_sent_at` is recorded, committed, on the condition that the row is still this attempt's
   (a fencing token: a sender taken for dead and replaced cannot go on);
4. the end is sent and the reply read; on 250 the row is marked `sent`, committed.

A sender killed before step 3 leaves a `sending` row without `data_sent_at`: nothing can have
arrived, and after NOTIFICATIONS_SEND_TIMEOUT the row is queued again (`recover_stalled`). A sender
killed between steps 3 and 4 leaves `data_sent_at` set: the message may have arrived, so it is
never sent again automatically; it becomes `unconfirmed` and is listed for the Secretariat, who
can check with the recipient and send it again. That window is the server's reply time, a few
milliseconds. A reply refusing the message (4xx: retried with backoff; 5xx: failed) and a
connection lost before the end are safe to retry. Every attempt carries the same Message-ID, so
a receiving system can recognise the copy in the one case where the Secretariat resends a message
that had in fact arrived.

A Celery task that is retried or delivered twice (acks_late, a killed worker) runs the batch
again: rows already sent are not queued, rows in flight belong to their attempt, so nothing is
sent twice. Without SMTP (the console in `make run`, locmem in tests) the message is sent through
Django's backend at step 4, after the same claim and marker.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import smtplib
import time

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Email

logger = logging.getLogger(__name__)

Status = Email.Status
CRLF = b"\r\n"


class Fenced(Exception):
    """This attempt no longer owns the row (it was taken for dead and given to another)."""


class Refused(Exception):
    """The server refused the message (its reply says so): nothing was taken; `permanent` for 5xx."""

    def __init__(self, code: int, reply: bytes | str, permanent: bool):
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        super().__init__(f"{code} {text}".strip())
        self.permanent = permanent


class Unconfirmed(Exception):
    """The end of the message was sent but no reply came: it may or may not have arrived."""


def backoff(attempt: int) -> dt.timedelta:
    seconds = min(
        settings.NOTIFICATIONS_RETRY_BACKOFF * 2 ** max(attempt - 1, 0), settings.NOTIFICATIONS_RETRY_BACKOFF_MAX
    )
    return dt.timedelta(seconds=seconds)


# --- the row's steps ---------------------------------------------------------------------------------------


def claim(worker: str) -> Email | None:
    """Step 1: the next due e-mail, marked as being sent by a new attempt (committed), or None."""
    now = timezone.now()
    with transaction.atomic():
        email = (
            Email.objects.select_for_update(skip_locked=True)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), status=Status.QUEUED)
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if email is None:
            return None
        email.status, email.attempts = Status.SENDING, email.attempts + 1
        email.claimed_at, email.claimed_by, email.data_sent_at = now, worker[:200], None
        email.save(update_fields=["status", "attempts", "claimed_at", "claimed_by", "data_sent_at"])
    return email


def mark_data_sent(email: Email) -> None:
    """Step 3: from here the message may arrive; only the attempt that owns the row goes on."""
    with transaction.atomic():
        owned = Email.objects.filter(pk=email.pk, status=Status.SENDING, attempts=email.attempts).update(
            data_sent_at=timezone.now()
        )
    if not owned:
        raise Fenced(email.pk)


def mark_sent(email: Email) -> None:
    """Step 4 done: the server took it. (Also over `unconfirmed`: a slow reply that did come.)"""
    with transaction.atomic():
        Email.objects.filter(
            pk=email.pk, attempts=email.attempts, status__in=[Status.SENDING, Status.UNCONFIRMED]
        ).update(status=Status.SENT, sent_at=timezone.now(), last_error="")


def mark_failed_attempt(email: Email, error: str, permanent: bool = False) -> None:
    """Nothing was taken: try again later, or give up after NOTIFICATIONS_MAX_ATTEMPTS (the Secretariat sees it)."""
    give_up = permanent or email.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
    changes = {"last_error": error[:500], "claimed_by": ""}
    if give_up:
        changes |= {"status": Status.FAILED, "next_attempt_at": None}
    else:
        changes |= {"status": Status.QUEUED, "next_attempt_at": timezone.now() + backoff(email.attempts)}
    with transaction.atomic():
        Email.objects.filter(pk=email.pk, status=Status.SENDING, attempts=email.attempts).update(**changes)
    log = logger.error if give_up else logger.warning
    log(
        "E-mail %s to %s, attempt %s: %s%s", email.pk, email.to, email.attempts, error, " (given up)" if give_up else ""
    )


def mark_unconfirmed(email: Email, error: str) -> None:
    with transaction.atomic():
        Email.objects.filter(pk=email.pk, status=Status.SENDING, attempts=email.attempts).update(
            status=Status.UNCONFIRMED, last_error=error[:500]
        )
    logger.error(
        "E-mail %s to %s: sent, but the server's answer was lost (%s); not sent again", email.pk, email.to, error
    )


def recover_stalled(now: dt.datetime | None = None) -> dict[str, int]:
    """Rows whose sender stopped (claimed longer ago than NOTIFICATIONS_SEND_TIMEOUT): queued again when
    nothing can have arrived, unconfirmed when the end of the message was sent."""
    now = now or timezone.now()
    stalled = Email.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - dt.timedelta(seconds=settings.NOTIFICATIONS_SEND_TIMEOUT)
    )
    with transaction.atomic():
        again = stalled.filter(data_sent_at__isnull=True).update(
            status=Status.QUEUED, next_attempt_at=None, claimed_by="", last_error="Its sender stopped before the end."
        )
        unknown = stalled.filter(data_sent_at__isnull=False).update(
            status=Status.UNCONFIRMED, last_error="Its sender stopped after the end of the message, before the answer."
        )
    if again or unknown:
        logger.warning("E-mails whose sender stopped: %s queued again, %s unconfirmed", again, unknown)
    return {"queued_again": again, "unconfirmed": unknown}


# --- SMTP, one message in two halves ------------------------------------------------------------------------


def _payload(message_bytes: bytes) -> bytes:
    """The DATA section without its end: CRLF line ends, lines starting with a dot doubled (RFC 5321 4.5.2)."""
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", CRLF, message_bytes)
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data if data.endswith(CRLF) else data + CRLF


def _check(reply: tuple[int, bytes], expected: tuple[int, ...], conn: smtplib.SMTP) -> None:
    code, text = reply
    if code not in expected:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            conn.rset()
        raise Refused(code, text, permanent=500 <= code < 600)


def smtp_send(conn: smtplib.SMTP, sender: str, recipients: list[str], message: bytes, before_end) -> None:
    """Send `message` over an open connection, calling `before_end()` just before its end.

    Raises Refused (the server said no; nothing taken), OSError/SMTPException before the end (nothing
    taken), Unconfirmed (the end was sent, no answer), or whatever `before_end` raises (nothing taken;
    the caller must drop the connection so the server discards the unfinished message)."""
    conn.ehlo_or_helo_if_needed()
    _check(conn.mail(sender), (250,), conn)
    for recipient in recipients:
        _check(conn.rcpt(recipient), (250, 251), conn)
    _check(conn.docmd("data"), (354,), conn)
    conn.send(_payload(message))
    before_end()
    try:
        conn.send(b"." + CRLF)
        code, text = conn.getreply()
    except (OSError, smtplib.SMTPException) as exc:
        raise Unconfirmed(str(exc) or exc.__class__.__name__) from exc
    if code != 250:
        raise Refused(code, text, permanent=500 <= code < 600)


class Sender:
    """One batch's connection to the mail server: opened when first needed, dropped after any trouble."""

    def __init__(self):
        self.backend = None

    def connection(self):
        if self.backend is None:
            self.backend = get_connection(fail_silently=False)
            self.backend.open()
        return self.backend

    def drop(self) -> None:
        """Close without QUIT: an unfinished message must not be completed by a polite goodbye."""
        backend, self.backend = self.backend, None
        if backend is None:
            return
        connection = getattr(backend, "connection", None)
        if isinstance(connection, smtplib.SMTP):
            with contextlib.suppress(OSError):
                connection.close()
            backend.connection = None
        else:
            with contextlib.suppress(Exception):  # a backend that cannot close is dropped all the same
                backend.close()

    def close(self) -> None:
        backend, self.backend = self.backend, None
        if backend is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                backend.close()

    def send(self, email: Email, message) -> bool:
        """Steps 2 to 4 for one claimed row; records the outcome on it. Whether it was sent."""
        try:
            backend = self.connection()
            if isinstance(backend, SMTPBackend):
                encoding = message.encoding or settings.DEFAULT_CHARSET
                smtp_send(
                    backend.connection,
                    sanitize_address(message.from_email, encoding),
                    [sanitize_address(address, encoding) for address in message.recipients()],
                    message.message().as_bytes(linesep="\r\n"),
                    lambda: mark_data_sent(email),
                )
            else:
                mark_data_sent(email)
                backend.send_messages([message])
        except Fenced:
            self.drop()
            logger.warning("E-mail %s: attempt %s was replaced by another; it stops here", email.pk, email.attempts)
            return False
        except Unconfirmed as exc:
            self.drop()
            mark_unconfirmed(email, str(exc))
            return False
        except Refused as exc:
            mark_failed_attempt(email, str(exc), permanent=exc.permanent)
            return False
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            self.drop()
            mark_failed_attempt(email, f"{exc.__class__.__name__}: {exc}")
            return False
        mark_sent(email)
        return True


def send_batch(*, worker: str = "", limit: int | None = None, build=None) -> dict[str, int]:
    """Send due e-mails one by one until none is due (or `limit`); `build(email)` makes the message.
    Safe to run in several workers at once and to run again after a crash."""
    from .mail import build_message

    build = build or build_message
    limit = limit or settings.NOTIFICATIONS_BATCH
    counts = recover_stalled()
    counts |= {"sent": 0, "attempted": 0}
    sender = Sender()
    try:
        for _number in range(limit):
            email = claim(worker)
            if email is None:
                break
            counts["attempted"] += 1
            try:
                message = build(email)
            except Exception as exc:  # the text cannot be made (a bug): recorded on the row, retried, then failed
                logger.exception("E-mail %s could not be composed", email.pk)
                mark_failed_attempt(email, f"{exc.__class__.__name__}: {exc}")
                continue
            if sender.send(email, message):
                counts["sent"] += 1
            if settings.NOTIFICATIONS_TEST_DELAY:
                time.sleep(settings.NOTIFICATIONS_TEST_DELAY)
    finally:
        sender.close()
    return counts
