"""Requesting reports: validation, permission, de-duplication and queueing.

The portal, the API and the scheduler all come through `request_report` or
`schedule_report`; the Celery job (reports/tasks.py, doing the work of
reports/jobs.py) then fills the run in. Who may request what is decided by
reports/rules.py, nowhere else.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from functools import partial

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import SecurityEvent
from accounts.rules import is_secretariat
from accounts.security import record
from teams.models import Team

from . import file_kinds, rules
from .models import ReportRun

logger = logging.getLogger(__name__)

Kind, Status = ReportRun.Kind, ReportRun.Status
# The Celery task that builds a run (reports.tasks.build_report is declared under this name).
BUILD_REPORT_TASK = "reports.tasks.build_report"
EMAIL_REPORT_TASK = "reports.tasks.email_report"


def default_year() -> int:
    return timezone.localdate().year


def current_language() -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    codes = {code for code, _name in settings.LANGUAGES}
    if language in codes:
        return language
    base = language.split("-")[0]
    return base if base in codes else settings.LANGUAGE_CODE


def validate_request(*, kind, format, year, region=None, team=None) -> None:
    """Raise ValidationError naming each field that is wrong; nothing is written."""
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(Kind.values)}
    if format not in ReportRun.Format.values:
        errors["format"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(ReportRun.Format.values)}
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = _("The year must be between 2000 and 2100.")
    if kind == Kind.REGIONAL and region is None:
        errors["region"] = _("A regional report needs a region.")
    if kind != Kind.REGIONAL and region is not None:
        errors["region"] = _("Only a regional report takes a region.")
    if kind == Kind.COUNTRY and team is None:
        errors["team"] = _("A country report needs a team.")
    if kind in (Kind.UN_INFO, Kind.IATI) and team is None:
        errors["team"] = _("A UN INFO sheet and IATI XML are made for one team: choose it.")
    if kind not in ReportRun.TEAM_KINDS and team is not None:
        errors["team"] = _("Only a country report, a UN INFO sheet and IATI XML take a team.")
    wanted = file_kinds.format_of(kind)
    if wanted and format != wanted and "format" not in errors:
        errors["format"] = _("This file comes in one format only: %(format)s.") % {"format": wanted}
    elif not wanted and format == ReportRun.Format.XML and kind in Kind.values:
        errors["format"] = _("XML is the format of IATI files only: choose PDF, XLSX or CSV.")
    if errors:
        raise ValidationError(errors)


def check_may_request(user, kind: str, team=None) -> None:
    if kind in ReportRun.TEAM_KINDS:
        if not rules.request_team_report.test(user, team):
            raise PermissionDenied(
                _("Only the team's conveners and focal points, and the Secretariat, can request its report.")
            )
    elif not rules.run_global_reports.test(user):
        raise PermissionDenied(_("Only the Secretariat can request global, regional and data-quality reports."))


def request_report(user, *, kind, format, year=None, region=None, team=None) -> tuple[ReportRun, bool]:
    """A run for this request, and whether it is new.

    The same request by the same person while an earlier one is queued or
    running returns that earlier run instead of starting a second job.
    """
    year = default_year() if year is None else year
    # Who may ask first (a viewer learns that global reports are not for them,
    # not which field is missing), then the fields, then the team's own rule.
    if kind in Kind.values and kind not in ReportRun.TEAM_KINDS:
        check_may_request(user, kind)
    validate_request(kind=kind, format=format, year=year, region=region, team=team)
    if kind in ReportRun.TEAM_KINDS:
        check_may_request(user, kind, team)
    return _create_or_reuse(
        kind=kind, format=format, year=year, region=region, team=team, requested_by=user, language=current_language()
    )


def schedule_report(*, kind, format, year=None) -> tuple[ReportRun, bool]:
    """A report the scheduler runs for the Secretariat, e-mailed when done."""
    year = default_year() if year is None else year
    validate_request(kind=kind, format=format, year=year)
    return _create_or_reuse(
        kind=kind,
        format=format,
        year=year,
        region=None,
        team=None,
        requested_by=None,
        language=settings.LANGUAGE_CODE,
        email_secretariat=True,
    )


def _create_or_reuse(**fields) -> tuple[ReportRun, bool]:
    key = ReportRun.make_dedupe_key(
        kind=fields["kind"],
        format=fields["format"],
        year=fields["year"],
        region_id=fields["region"].pk if fields["region"] else None,
        team_id=fields["team"].pk if fields["team"] else None,
        requested_by_id=fields["requested_by"].pk if fields["requested_by"] else None,
        language=fields["language"],
    )
    with transaction.atomic():
        existing = ReportRun.objects.filter(dedupe_key=key, status__in=ReportRun.ACTIVE).first()
        if existing is not None and (is_abandoned(existing) or has_lost_its_worker(existing)):
            # Not handed out again: a new run starts, and the stuck one says why it ended.
            fail_abandoned(existing)
            existing = None
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                run = ReportRun.objects.create(dedupe_key=key, **fields)
        except IntegrityError:
            # A simultaneous identical request got there first (the partial unique
            # index let only one through): follow that one.
            existing = ReportRun.objects.filter(dedupe_key=key, status__in=ReportRun.ACTIVE).first()
            if existing is None:
                raise
            return existing, False
        transaction.on_commit(partial(enqueue, run.pk))
    return run, True


def enqueue(run_id: int) -> bool:
    """Hand the run to Celery (or, with no broker configured, run it now in this process).

    The run is saved before this is called (the outbox): when the broker does not take it, the run
    stays queued, says it is waiting for the queue, and `dispatch_waiting` hands it over once the
    broker answers again. Returns whether it was handed over now.
    """
    if current_app.conf.task_always_eager:
        return _run_in_process(run_id)
    return _hand_over(run_id, BUILD_REPORT_TASK, "dispatched_at", Q(status=Status.QUEUED))


def _run_in_process(run_id: int) -> bool:
    # `make run` and the tests: no broker, the job runs here and now.
    task_id = str(uuid.uuid4())
    ReportRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
        task_id=task_id, dispatched_at=timezone.now(), queue_down_since=None
    )
    try:
        # By name, through the Celery app's registry: services sit below reports/tasks.py (tasks call
        # services, never the reverse), and the name is already the tasks' public contract, as in the
        # beat schedule. The registered task's apply_async, not app.send_task, so that
        # CELERY_TASK_ALWAYS_EAGER (`make run`, the tests) still runs the job in this process; with a
        # broker it is sent to a worker. ReportsConfig.ready imports reports.tasks, which registers it.
        current_app.tasks[BUILD_REPORT_TASK].apply_async((run_id,), task_id=task_id)
    except Exception as exc:  # the job could not even start: say so on the run
        logger.exception("Could not run report run %s", run_id)
        mark_failed(run_id, _("The report could not be queued (%(error)s). Please try again later.") % {"error": exc})
    return True


def _hand_over(run_id: int, task_name: str, field: str, pending: Q) -> bool:
    """Publish `task_name` for the run, exactly once per hand-over, and record when in `field`.

    The row is locked while the message is published, and the hand-over is recorded in the same
    transaction: of two dispatchers (a web process, the periodic dispatcher, a worker that just
    connected) only one publishes; a worker receiving the message waits for the lock, then finds the
    task id it was sent with. If the broker refuses, nothing is recorded and the run waits.
    """
    with transaction.atomic():
        run = (
            ReportRun.objects.select_for_update(skip_locked=True)
            .filter(pending, pk=run_id, **{f"{field}__isnull": True})
            .only("pk", "task_id", "queue_down_since")
            .first()
        )
        if run is None:
            return False  # handed over already, or being handed over by someone else right now
        task_id = str(uuid.uuid4()) if field == "dispatched_at" else None
        try:
            current_app.tasks[task_name].apply_async((run_id,), task_id=task_id, retry=False)
        except Exception as exc:  # the broker refused or did not answer: the run waits in the outbox
            first = run.queue_down_since is None
            if first:
                ReportRun.objects.filter(pk=run_id).update(queue_down_since=timezone.now())
            logger.warning(
                "The job queue did not take %s for report run %s (%s: %s); it waits and is handed over when "
                "the queue answers",
                task_name,
                run_id,
                exc.__class__.__name__,
                exc,
            )
            return False
        changes = {field: timezone.now(), "queue_down_since": None}
        if task_id:
            changes["task_id"] = task_id
        ReportRun.objects.filter(pk=run_id).update(**changes)
    return True


def hand_over_email(run_id: int) -> bool:
    """Queue the e-mail of a finished scheduled report (exactly once; later if the broker is down)."""
    if current_app.conf.task_always_eager:
        ReportRun.objects.filter(pk=run_id).update(email_dispatched_at=timezone.now())
        current_app.tasks[EMAIL_REPORT_TASK].apply_async((run_id,))
        return True
    pending = Q(status=Status.DONE, email_secretariat=True, emailed_at__isnull=True)
    return _hand_over(run_id, EMAIL_REPORT_TASK, "email_dispatched_at", pending)


def wait_for_queue(run_id: int) -> None:
    """The run's next message could not be published (e.g. a retry): the outbox sends it later."""
    ReportRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
        dispatched_at=None, queue_down_since=timezone.now()
    )


def dispatch_waiting(*, limit: int = 200, again: bool = False) -> dict[str, int]:
    """Hand every waiting run (and scheduled report e-mail) to the broker, oldest first.

    Called every minute by beat and whenever a worker connects to the broker (reports/tasks.py).
    `again`: also runs handed over before that are still queued, whose message a broker that lost
    its data (a Redis restarted without persistence) no longer has; a run is built once whatever
    the number of its messages (the job claims it by its latest task id), so this is safe.
    Stops at the first refusal (the broker is down again) and says so: `refused` is 1 in the counts.
    """
    if again:
        ReportRun.objects.filter(status=Status.QUEUED, dispatched_at__isnull=False).update(dispatched_at=None)
    counts = {"runs": 0, "emails": 0, "refused": 0}
    waiting = ReportRun.objects.filter(status=Status.QUEUED, dispatched_at__isnull=True).order_by("created_at", "pk")
    for run_id in waiting.values_list("pk", flat=True)[:limit]:
        if not enqueue(run_id):
            if ReportRun.objects.filter(pk=run_id, status=Status.QUEUED, dispatched_at__isnull=True).exists():
                counts["refused"] = 1  # the broker is down again
                return counts
            continue
        counts["runs"] += 1
    emails = ReportRun.objects.filter(
        status=Status.DONE, email_secretariat=True, emailed_at__isnull=True, email_dispatched_at__isnull=True
    ).order_by("finished_at", "pk")
    for run_id in emails.values_list("pk", flat=True)[:limit]:
        if hand_over_email(run_id):
            counts["emails"] += 1
        elif ReportRun.objects.filter(pk=run_id, email_dispatched_at__isnull=True, emailed_at__isnull=True).exists():
            counts["refused"] = 1  # or another dispatcher holds it right now: trying again is harmless
    if counts["runs"] or counts["emails"]:
        logger.info("Handed to the job queue: %(runs)s report runs, %(emails)s report e-mails", counts)
    return counts


def mark_failed(run_id: int, reason: str) -> bool:
    now = timezone.now()
    return bool(
        ReportRun.objects.filter(pk=run_id, status__in=ReportRun.ACTIVE).update(
            status=Status.FAILED, error=reason[:2000] or _("Unknown error."), finished_at=now, updated_at=now
        )
    )


# --- runs nobody works on any more, old files -----------------------------------------------------


def heartbeat_lost_before() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.REPORTS_HEARTBEAT_TIMEOUT)


def has_lost_its_worker(run: ReportRun) -> bool:
    """A running run whose job has shown no sign of life (progress) for REPORTS_HEARTBEAT_TIMEOUT."""
    return run.status == Status.RUNNING and run.updated_at < heartbeat_lost_before()


def abandoned_before() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.REPORTS_ABANDONED_AFTER)


def is_abandoned(run: ReportRun) -> bool:
    return run.is_active and run.updated_at < abandoned_before()


def fail_abandoned(run: ReportRun) -> None:
    mark_failed(run.pk, abandoned_reason())


def abandoned_reason() -> str:
    hours = settings.REPORTS_ABANDONED_AFTER / 3600
    return _("No worker made progress on this report for %(hours).0f hours; it was given up. Request it again.") % {
        "hours": hours
    }


def fail_all_abandoned() -> int:
    stuck = ReportRun.objects.filter(status__in=ReportRun.ACTIVE, updated_at__lt=abandoned_before())
    count = 0
    for run_id in stuck.values_list("pk", flat=True):
        count += mark_failed(run_id, abandoned_reason())
    return count


def delete_expired_runs() -> int:
    """Delete finished runs (and their files) older than REPORTS_KEEP_DAYS."""
    if not settings.REPORTS_KEEP_DAYS:
        return 0
    cutoff = timezone.now() - dt.timedelta(days=settings.REPORTS_KEEP_DAYS)
    expired = ReportRun.objects.filter(created_at__lt=cutoff).exclude(status__in=ReportRun.ACTIVE)
    count = 0
    for run in expired.iterator(chunk_size=200):
        run.delete()  # post_delete removes the file
        count += 1
    return count


# --- who sees which runs ----------------------------------------------------------------------------


def visible_runs(user):
    """Runs a user may open and download: their own; every run for the Secretariat.

    The queryset form of reports.rules.download_report.
    """
    runs = ReportRun.objects.select_related("region", "team", "requested_by")
    if is_secretariat(user):
        return runs
    return runs.filter(requested_by_id=user.pk)


def listed_runs(user):
    """Runs shown in a user's list: their own, and the scheduled ones for the Secretariat."""
    runs = ReportRun.objects.select_related("region", "team", "requested_by")
    mine = Q(requested_by_id=user.pk)
    if is_secretariat(user):
        return runs.filter(mine | Q(requested_by__isnull=True))
    return runs.filter(mine)


def requestable_kinds(user) -> list[str]:
    """The report kinds the user may request (the portal offers only these)."""
    if rules.run_global_reports.test(user):
        return list(Kind.values)
    if requestable_teams(user).exists():
        return list(ReportRun.TEAM_KINDS)
    return []


def requestable_teams(user):
    """Active teams whose country report the user may request."""
    # request_team_report is "the Secretariat or the team's people": exactly the teams they may edit.
    return Team.objects.filter(is_active=True).editable_by(user).order_by("name")


def open_for_download(request, run: ReportRun):
    """The run's file, opened for `request.user`, after the permission check; the download is logged."""
    if not rules.download_report.test(request.user, run):
        raise PermissionDenied
    content = run.file.open("rb")
    record(
        SecurityEvent.Kind.REPORT_DOWNLOADED,
        request=request,
        user=request.user,
        detail=f"report run {run.pk}: {run.download_name}",
    )
    return content
