"""Celery tasks: build a report run, e-mail scheduled ones, housekeeping.

Only what Celery needs is declared here (task names, acknowledgement, retries
and their backoff, time limits); the work itself is in reports/jobs.py and
reports/services.py. Reliability rules these tasks follow (the issue's
"surviving worker restarts"):

- `acks_late` and `reject_on_worker_lost`: the broker keeps the message until
  the job returns, so a job whose worker is killed is delivered again (with
  Redis, once the visibility timeout has passed) and runs again.
- The job is idempotent (reports/jobs.py): it claims the run under a row lock,
  skips runs that are already finished, and writes its file atomically to a
  name fixed by the run (reports/storage.py), so running it twice leaves one file.
- Failures are retried with exponential backoff (never longer than
  REPORTS_RETRY_BACKOFF_MAX, which stays under the visibility timeout, since a
  worker holds a delayed message unacknowledged until it is due), then the run
  is marked failed with the reason. A job may run for REPORTS_TIME_LIMIT, also
  under the visibility timeout, so a running job is never handed to a second
  worker. reports/checks.py verifies both.

The task names are fixed: the beat schedule (unnutrition/settings.py) and
reports.services.enqueue name them.
"""

from __future__ import annotations

import logging
import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.conf import settings
from django.db import DatabaseError, close_old_connections

from . import services
from .document import CannotRender
from .jobs import (
    MailNotSent,
    RunGone,
    claim,
    email_to_secretariat,
    produce,
    record_failure,
    record_timeout,
    recover_lost_runs,
    requeue_after_failure,
)

logger = logging.getLogger(__name__)


def backoff(retries: int) -> int:
    """Seconds before retry number `retries` + 1: doubling, capped, with jitter so retries spread out."""
    ceiling = min(settings.REPORTS_RETRY_BACKOFF * 2**retries, settings.REPORTS_RETRY_BACKOFF_MAX)
    return max(1, round(ceiling / 2 + random.uniform(0, ceiling / 2)))  # noqa: S311 - jitter, not security


@shared_task(
    name=services.BUILD_REPORT_TASK,  # "reports.tasks.build_report"
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.REPORTS_MAX_RETRIES,
    soft_time_limit=settings.REPORTS_TIME_LIMIT,
    time_limit=settings.REPORTS_TIME_LIMIT + 60,
    ignore_result=True,
)
def build_report(self, run_id: int) -> str:
    try:
        run = claim(run_id, self.request.id, self.request.hostname or "")
    except DatabaseError as exc:  # PostgreSQL away (a restart): try again later rather than lose the run
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=backoff(self.request.retries), max_retries=None) from exc
    if run is None:
        return "skipped"
    try:
        produce(run)
    except RunGone:
        logger.info("Report run %s was deleted or given up while being built", run_id)
        return "gone"
    except SoftTimeLimitExceeded:
        record_timeout(run)
        return "failed"
    except CannotRender as exc:
        # The report cannot be set in its language here (fonts missing): trying again changes nothing.
        logger.error("Report run %s cannot be rendered: %s", run_id, exc)
        record_failure(run, exc)
        return "failed"
    except Exception as exc:
        logger.exception("Report run %s failed on attempt %s", run_id, run.attempts)
        # In-process (eager) mode has no broker to wait on: it reports the failure at once.
        if not self.request.is_eager and self.request.retries < self.max_retries:
            countdown = backoff(self.request.retries)
            requeue_after_failure(run, exc, countdown)
            try:
                retry = self.retry(exc=exc, countdown=countdown, throw=False)
            except Exception:  # the broker did not take the retry: the outbox sends the run again
                logger.exception("Report run %s: its retry could not be queued; it waits for the queue", run_id)
                services.wait_for_queue(run_id)
                return "waiting"
            raise retry from exc
        record_failure(run, exc)
        return "failed"
    if run.email_secretariat:
        services.hand_over_email(run.pk)
    return "done"


# --- scheduled reports ----------------------------------------------------------------------------


@shared_task(name="reports.tasks.scheduled_report", acks_late=True, ignore_result=True)
def scheduled_report(kind: str, format: str, year: int | None = None) -> int:
    """Beat: request a report for the Secretariat; `build_report` e-mails it when done."""
    run, created = services.schedule_report(kind=kind, format=format, year=year)
    if not created:
        logger.info("Scheduled %s report: run %s is still in progress", kind, run.pk)
    return run.pk


@shared_task(name=services.EMAIL_REPORT_TASK, bind=True, acks_late=True, ignore_result=True, max_retries=3)
def email_report(self, run_id: int) -> int:
    """Send a finished scheduled report to the Secretariat, once."""
    try:
        return email_to_secretariat(run_id)
    except (MailNotSent, DatabaseError) as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc


@shared_task(name="reports.tasks.housekeeping", acks_late=True, ignore_result=True)
def housekeeping() -> dict:
    """Beat: give up runs nobody works on any more, and delete expired report files."""
    return {"abandoned": services.fail_all_abandoned(), "deleted": services.delete_expired_runs()}


# --- the outbox: what was requested while the broker was down -------------------------------------


@shared_task(name="reports.tasks.dispatch_waiting", ignore_result=True)
def dispatch_waiting() -> dict:
    """Beat, every minute: hand to the broker the runs and e-mails that it could not take when they
    were requested (a web process saved them, queued, and answered without waiting)."""
    return services.dispatch_waiting()


def on_broker_connected(*, again: bool = True) -> bool:
    """A worker has just connected to the broker (started, or the broker is back after an outage):
    hand over everything that waited, at once rather than at beat's next minute, and (`again`) send
    again what the broker may have lost while it was down. Never keeps the worker from consuming.
    Returns whether everything was handed over; if not (the broker, just back, refused a message, or
    the database did not answer), unnutrition/celery.py tries again a few seconds later."""
    # This runs in the worker's main process, outside any task: its database connection may have
    # died meanwhile (PostgreSQL restarted too); checked and replaced here as a request would.
    close_old_connections()
    try:
        return not services.dispatch_waiting(again=again)["refused"]
    except Exception:
        logger.exception("Could not hand waiting report runs to the job queue")
        return False
    finally:
        close_old_connections()


# --- a worker starting picks up what died with another --------------------------------------------


@worker_ready.connect
def recover_runs_of_dead_workers(sender, **kwargs) -> None:
    """As a worker starts, runs still marked as running by a worker that no longer answers (or by an
    earlier life of this one) are queued again at once, instead of after the broker's visibility timeout."""
    me = sender.hostname
    try:
        answers = sender.app.control.ping(timeout=settings.REPORTS_PING_TIMEOUT)
        alive = {name for answer in answers for name in answer} - {me}
        recover_lost_runs(alive)
    except Exception:  # never keep a worker from starting
        logger.exception("Could not look for report runs of stopped workers")
