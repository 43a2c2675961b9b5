"""The report job's work: claim a run, build its file, record how it failed, e-mail it.

reports/tasks.py wraps these in Celery tasks (names, retries and backoff,
acknowledgement, time limits) and decides only *when* to retry; what a run goes
through is decided here, and runs without Celery as well (bench/reports_benchmark.py).

- A run is claimed under a row lock: a run that no longer exists, is already
  finished, or was delivered too many times is not built (again).
- The file is written atomically to a name fixed by the run (reports/storage.py),
  so building a run twice leaves one file.
- The run's progress proves the job is alive; a run deleted or given up meanwhile
  stops the job (RunGone).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User

from . import file_kinds, services, storage
from .builders import build, context_for
from .builders.data_quality import finding_counts, finding_lists
from .document import CannotRender
from .models import ReportRun
from .renderers import CONTENT_TYPES, render
from .selectors import Scope

logger = logging.getLogger(__name__)

Status = ReportRun.Status
# Deliveries beyond the planned retries: a job whose worker dies this many more
# times (e.g. killed for memory) is given up instead of crashing workers forever.
EXTRA_DELIVERIES = 2


class RunGone(Exception):
    """The run was deleted or given up while the job worked on it: stop quietly."""


class MailNotSent(Exception):
    """The mail server refused the message or did not answer; nothing was recorded: try again later."""


def describe(exc: BaseException) -> str:
    """A failure as the requester reads it: what went wrong, without server paths or a traceback."""
    if isinstance(exc, CannotRender):
        return str(exc)
    if isinstance(exc, OSError):
        detail = exc.strerror or exc.__class__.__name__
        return _("The report file could not be written: %(detail)s.") % {"detail": detail}
    if isinstance(exc, DatabaseError):
        return _("The database could not be read: %(detail)s") % {"detail": str(exc).strip()[:300]}
    return _("Unexpected error: %(kind)s: %(detail)s") % {"kind": exc.__class__.__name__, "detail": str(exc)[:300]}


class Progress:
    """Writes the run's progress (0-100) as the report is built, and proves the job is alive.

    `updated_at` is the run's heartbeat: written with every step forward, and at
    least every HEARTBEAT_EVERY seconds while the job works, so a run whose
    heartbeat is older than REPORTS_HEARTBEAT_TIMEOUT has lost its worker.
    """

    HEARTBEAT_EVERY = 15

    def __init__(self, run: ReportRun):
        self.run_id = run.pk
        self.percent = 0
        self.beat = time.monotonic()

    def set(self, percent: int) -> None:
        if percent > self.percent or time.monotonic() - self.beat > self.HEARTBEAT_EVERY:
            now = timezone.now()
            if not ReportRun.objects.filter(pk=self.run_id, status=Status.RUNNING).update(
                progress=max(percent, self.percent), updated_at=now
            ):
                raise RunGone(self.run_id)
            self.percent, self.beat = max(percent, self.percent), time.monotonic()
        if settings.REPORTS_TEST_DELAY:
            time.sleep(settings.REPORTS_TEST_DELAY)

    def fraction(self, done: float) -> None:
        # 0-5: claimed; 5-95: reading and rendering; 100: the file is in place.
        self.set(5 + int(90 * done))


# --- building a run -------------------------------------------------------------------------------


def claim(run_id: int, task_id: str, worker: str = "") -> ReportRun | None:
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
        if run.status == Status.RUNNING and not services.has_lost_its_worker(run):
            # A live worker builds it (the broker handed the message out again
            # after its visibility timeout): one build at a time.
            logger.info("Report run %s is being built by %s", run_id, run.worker or "another worker")
            return None
        if run.status == Status.QUEUED and run.task_id and task_id and run.task_id != task_id:
            # An older message of a run that was queued again under a new one.
            logger.info("Report run %s was queued again as %s; %s skipped", run_id, run.task_id, task_id)
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
        run.worker = worker
        run.save()
        return run


def runs_to_recover(alive: set[str]):
    """Running runs whose worker is gone: not among the workers `alive` (those that answered a
    ping, without the one starting now), or silent for REPORTS_HEARTBEAT_TIMEOUT."""
    return ReportRun.objects.filter(
        Q(status=Status.RUNNING) & (~Q(worker__in=alive) | Q(updated_at__lt=services.heartbeat_lost_before()))
    )


def requeue_lost(run_id: int) -> bool:
    """Back to the queue (the caller enqueues it again), saying why; False if it moved on meanwhile."""
    note = _("Its worker stopped while building it; it was started again.")
    return bool(
        ReportRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
            status=Status.QUEUED, progress=0, error=note, worker="", dispatched_at=None, updated_at=timezone.now()
        )
    )


def recover_lost_runs(alive: set[str]) -> list[int]:
    """Queue again every run whose worker died; the runs' ids. A worker calls this as it starts."""
    recovered = []
    for run_id in runs_to_recover(alive).values_list("pk", flat=True):
        if requeue_lost(run_id):
            services.enqueue(run_id)
            recovered.append(run_id)
    if recovered:
        logger.warning("Report runs %s lost their worker; queued again", recovered)
    return recovered


def produce(run: ReportRun) -> None:
    """Build the claimed run's report in its language, write its file and mark it done.

    Always in the run's language: a report that cannot be written in it fails, saying why
    (CannotRender), rather than coming out in another.

    Raises RunGone when the run was deleted or given up meanwhile; any other
    exception is a failure of this attempt (the task decides whether to retry).
    """
    with translation.override(run.language):
        progress = Progress(run)
        progress.set(1)
        if file_kinds.is_file_kind(run.kind):
            # A file for another system (UN INFO, IATI), built whole by the app that registered it.
            content = file_kinds.build_file(run)
            progress.set(90)
            name, size = storage.write_atomically(storage.file_name(run), lambda out: out.write(content))
        else:
            report = build(run)
            name, size = storage.write_atomically(
                storage.file_name(run), lambda out: render(report, run.format, out, progress.fraction)
            )
        now = timezone.now()
        finished = ReportRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
            status=Status.DONE, progress=100, file=name, file_size=size, error="", finished_at=now, updated_at=now
        )
        if not finished:
            raise RunGone(run.pk)


def requeue_after_failure(run: ReportRun, exc: BaseException, countdown: int) -> None:
    """Put the run back in the queue, saying (in the requester's language) why and when it is tried again."""
    with translation.override(run.language):
        note = _("Attempt %(n)s failed (%(reason)s); trying again in %(seconds)s s.") % {
            "n": run.attempts,
            "reason": describe(exc),
            "seconds": countdown,
        }
    ReportRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
        status=Status.QUEUED, error=note, updated_at=timezone.now()
    )


def record_failure(run: ReportRun, exc: BaseException) -> None:
    """The run failed for good: say why, in the requester's language."""
    with translation.override(run.language):
        reason = describe(exc)
    services.mark_failed(run.pk, reason)


def record_timeout(run: ReportRun) -> None:
    """The job ran past REPORTS_TIME_LIMIT and was stopped."""
    services.mark_failed(
        run.pk,
        _("The report took longer than %(minutes)s minutes and was stopped.")
        % {"minutes": settings.REPORTS_TIME_LIMIT // 60},
    )


# --- e-mailing a scheduled report -----------------------------------------------------------------


def email_to_secretariat(run_id: int) -> int:
    """Send a finished scheduled report to the active Secretariat users, once; how many it was sent to.

    Raises MailNotSent when the mail server refuses the message or does not answer.
    """
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
            message.attach(run.download_name, report_file.read(), CONTENT_TYPES[run.file_extension])
        try:
            message.send()
        except OSError as exc:
            raise MailNotSent(f"Report run {run_id}: {exc}") from exc
        run.emailed_at = timezone.now()
        run.save(update_fields=["emailed_at", "updated_at"])
    return len(recipients)


def email_body(run: ReportRun) -> str:
    context = context_for(run)
    lines = [
        _("The %(report)s for %(year)s is attached (%(format)s).")
        % {"report": run.get_kind_display().lower(), "year": run.year, "format": run.format.upper()},
        _("Situation on %(date)s.") % {"date": context.as_of.isoformat()},
        "",
    ]
    if run.kind in (ReportRun.Kind.DATA_QUALITY, ReportRun.Kind.GLOBAL):
        lines.append(_("Data-quality findings:"))
        for title, count in finding_counts(context, finding_lists(context, Scope())):
            lines.append(f"- {title}: {count}")
        lines.append("")
    lines.append(_("This message was sent by the UN Nutrition Coordination Portal to the Secretariat."))
    return "\n".join(lines)
