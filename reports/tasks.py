"""Celery jobs: build a report run, e-mail scheduled ones, housekeeping.

Reliability rules these jobs follow (the issue's "surviving worker restarts"):

- `acks_late` and `reject_on_worker_lost`: the broker keeps the message until
  the job returns, so a job whose worker is killed is delivered again (with
  Redis, once the visibility timeout has passed) and runs again.
- The job is idempotent: it claims the run under a row lock, skips runs that
  are already finished, and writes its file atomically to a name fixed by the
  run (reports/storage.py), so running it twice leaves one file.
- Failures are retried with exponential backoff (never longer than
  REPORTS_RETRY_BACKOFF_MAX, which stays under the visibility timeout, since a
  worker holds a delayed message unacknowledged until it is due), then the run
  is marked failed with the reason. A job may run for REPORTS_TIME_LIMIT, also
  under the visibility timeout, so a running job is never handed to a second
  worker. reports/checks.py verifies both.
"""

from __future__ import annotations

import logging
import random
import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import builders, services, storage
from .models import ReportRun
from .renderers import CONTENT_TYPES, render
from .renderers.pdf import writes as pdf_writes

logger = logging.getLogger(__name__)

Status = ReportRun.Status
# Deliveries beyond the planned retries: a job whose worker dies this many more
# times (e.g. killed for memory) is given up instead of crashing workers forever.
EXTRA_DELIVERIES = 2


class RunGone(Exception):
    """The run was deleted or given up while the job worked on it: stop quietly."""


def backoff(retries: int) -> int:
    """Seconds before retry number `retries` + 1: doubling, capped, with jitter so retries spread out."""
    ceiling = min(settings.REPORTS_RETRY_BACKOFF * 2**retries, settings.REPORTS_RETRY_BACKOFF_MAX)
    return max(1, round(ceiling / 2 + random.uniform(0, ceiling / 2)))  # noqa: S311 - jitter, not security


def describe(exc: BaseException) -> str:
    """A failure as the requester reads it: what went wrong, without server paths or a traceback."""
    if isinstance(exc, OSError):
        detail = exc.strerror or exc.__class__.__name__
        return _("The report file could not be written: %(detail)s.") % {"detail": detail}
    if isinstance(exc, DatabaseError):
        return _("The database could not be read: %(detail)s") % {"detail": str(exc).strip()[:300]}
    return _("Unexpected error: %(kind)s: %(detail)s") % {"kind": exc.__class__.__name__, "detail": str(exc)[:300]}


def report_language(run: ReportRun) -> str:
    """The requester's language, unless the PDF cannot be written in it: then English."""
    if run.format == ReportRun.Format.PDF and not pdf_writes(run.language):
        return "en"
    return run.language


class Progress:
    """Writes the run's progress (0-100) as the report is built, and proves the job is alive."""

    def __init__(self, run: ReportRun):
        self.run_id = run.pk
        self.percent = 0

    def set(self, percent: int) -> None:
        if percent > self.percent:
            now = timezone.now()
            if not ReportRun.objects.filter(pk=self.run_id, status=Status.RUNNING).update(
                progress=percent, updated_at=now
            ):
                raise RunGone(self.run_id)
            self.percent = percent
        if settings.REPORTS_TEST_DELAY:
            time.sleep(settings.REPORTS_TEST_DELAY)

    def fraction(self, done: float) -> None:
        # 0-5: claimed; 5-95: reading and rendering; 100: the file is in place.
        self.set(5 + int(90 * done))


def claim(run_id: int, task_id: str) -> ReportRun | None:
    """Mark the run as running by this attempt, or None when there is nothing (more) to do."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            logger.warning("Report run %s no longer exists", run_id)
            return None
        if not run.is_active:
            # A second delivery of a job that already finished (e.g. its worker
            # died after finishing but before acknowledging): nothing to redo.
            logger.info("Report run %s is already %s", run_id, run.status)
            return None
        if run.attempts >= settings.REPORTS_MAX_RETRIES + 1 + EXTRA_DELIVERIES:
            run.status, run.finished_at = Status.FAILED, timezone.now()
            run.error = _("The job was interrupted %(n)s times (its worker stopped each time); it was given up.") % {
                "n": run.attempts
            }
            run.save()
            return None
        run.status, run.progress, run.attempts = Status.RUNNING, 0, run.attempts + 1
        run.started_at, run.finished_at, run.task_id = timezone.now(), None, task_id or run.task_id
        run.save()
        return run


def produce(run: ReportRun) -> None:
    progress = Progress(run)
    progress.set(1)
    report = builders.build(run)
    name, size = storage.write_atomically(
        storage.file_name(run), lambda out: render(report, run.format, out, progress.fraction)
    )
    now = timezone.now()
    finished = ReportRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
        status=Status.DONE, progress=100, file=name, file_size=size, error="", finished_at=now, updated_at=now
    )
    if not finished:
        raise RunGone(run.pk)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.REPORTS_MAX_RETRIES,
    soft_time_limit=settings.REPORTS_TIME_LIMIT,
    time_limit=settings.REPORTS_TIME_LIMIT + 60,
    ignore_result=True,
)
def build_report(self, run_id: int) -> str:
    run = claim(run_id, self.request.id)
    if run is None:
        return "skipped"
    try:
        with translation.override(report_language(run)):
            produce(run)
    except RunGone:
        logger.info("Report run %s was deleted or given up while being built", run_id)
        return "gone"
    except SoftTimeLimitExceeded:
        services.mark_failed(
            run.pk,
            _("The report took longer than %(minutes)s minutes and was stopped.")
            % {"minutes": settings.REPORTS_TIME_LIMIT // 60},
        )
        return "failed"
    except Exception as exc:
        logger.exception("Report run %s failed on attempt %s", run_id, run.attempts)
        with translation.override(run.language):
            reason = describe(exc)
            # In-process (eager) mode has no broker to wait on: it reports the failure at once.
            if not self.request.is_eager and self.request.retries < self.max_retries:
                countdown = backoff(self.request.retries)
                note = _("Attempt %(n)s failed (%(reason)s); trying again in %(seconds)s s.") % {
                    "n": run.attempts,
                    "reason": reason,
                    "seconds": countdown,
                }
                ReportRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
                    status=Status.QUEUED, error=note, updated_at=timezone.now()
                )
                raise self.retry(exc=exc, countdown=countdown) from exc
        services.mark_failed(run.pk, reason)
        return "failed"
    if run.email_secretariat:
        email_report.delay(run.pk)
    return "done"


# --- scheduled reports ----------------------------------------------------------------------------


@shared_task(acks_late=True, ignore_result=True)
def scheduled_report(kind: str, format: str, year: int | None = None) -> int:
    """Beat: request a report for the Secretariat; `build_report` e-mails it when done."""
    run, created = services.schedule_report(kind=kind, format=format, year=year)
    if not created:
        logger.info("Scheduled %s report: run %s is still in progress", kind, run.pk)
    return run.pk


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=3)
def email_report(self, run_id: int) -> int:
    """Send a finished scheduled report to the Secretariat, once."""
    from accounts.models import User

    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id, status=Status.DONE).first()
        if run is None or run.emailed_at is not None:
            return 0
        recipients = list(
            User.objects.filter(is_secretariat=True, is_active=True)
            .exclude(email="")
            .order_by("email")
            .values_list("email", flat=True)
        )
        if not recipients:
            logger.warning("Report run %s: no active Secretariat user has an e-mail address", run_id)
            return 0
        with translation.override(run.language):
            message = EmailMessage(
                subject=f"[UN Nutrition] {run.get_kind_display()} {run.year}",
                body=email_body(run),
                to=recipients,
            )
        with run.file.open("rb") as report_file:
            message.attach(run.download_name, report_file.read(), CONTENT_TYPES[run.format])
        try:
            message.send()
        except OSError as exc:
            raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc
        run.emailed_at = timezone.now()
        run.save(update_fields=["emailed_at", "updated_at"])
    return len(recipients)


def email_body(run: ReportRun) -> str:
    context = builders.context_for(run)
    lines = [
        _("The %(report)s for %(year)s is attached (%(format)s).")
        % {"report": run.get_kind_display().lower(), "year": run.year, "format": run.format.upper()},
        _("Situation on %(date)s.") % {"date": context.as_of.isoformat()},
        "",
    ]
    if run.kind in (ReportRun.Kind.DATA_QUALITY, ReportRun.Kind.GLOBAL):
        lists = builders.selectors.findings(run.year, builders.Scope(), context.as_of, context.due, context.stale_days)
        lines.append(_("Data-quality findings:"))
        for key, title in builders.finding_titles(context).items():
            lines.append(f"- {title}: {lists[key].count()}")
        lines.append("")
    lines.append(_("This message was sent by the UN Nutrition Coordination Portal to the Secretariat."))
    return "\n".join(lines)


@shared_task(acks_late=True, ignore_result=True)
def housekeeping() -> dict:
    """Beat: give up runs nobody works on any more, and delete expired report files."""
    return {"abandoned": services.fail_all_abandoned(), "deleted": services.delete_expired_runs()}
