"""The report job's guarantees, in-process: failures end as "failed" with a reason, a
second run of the same job leaves one file, runs nobody works on are given up,
scheduled reports reach the Secretariat once, and the settings that protect all this
are checked."""

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone
from pypdf import PdfReader

from reports import services, storage
from reports.checks import check_report_settings
from reports.jobs import EXTRA_DELIVERIES
from reports.models import ReportRun
from reports.tasks import backoff, build_report, email_report, housekeeping, scheduled_report
from unnutrition.celery import app as celery_app

from .conftest import YEAR
from .files import csv_sections, xlsx_sheets

pytestmark = pytest.mark.django_db


def request(user, django_capture_on_commit_callbacks, **fields):
    fields = {"kind": "global", "format": "csv", "year": YEAR} | fields
    with django_capture_on_commit_callbacks(execute=True):
        run, _created = services.request_report(user, **fields)
    run.refresh_from_db()
    return run


def files_of(run) -> list[str]:
    folder = Path(storage.file_name(run)).parent
    root = Path(run.file.storage.path(str(folder)))
    return sorted(path.name for path in root.iterdir()) if root.exists() else []


def test_a_failure_is_shown_with_its_reason(coordination, media_root, django_capture_on_commit_callbacks):
    media_root.mkdir(parents=True)
    (media_root / "reports").write_text("a file where the reports folder should be")
    run = request(coordination.secretariat, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert run.error == "The report file could not be written: Not a directory."
    assert (run.attempts, run.file.name) == (1, "")
    assert run.finished_at is not None


def test_running_the_job_again_after_it_finished_changes_nothing(coordination, django_capture_on_commit_callbacks):
    run = request(coordination.secretariat, django_capture_on_commit_callbacks)
    assert run.status == "done"
    before = (run.finished_at, Path(run.file.path).stat().st_mtime_ns)
    # A second delivery of the same message (e.g. the worker died before acknowledging).
    assert build_report.apply(args=(run.pk,)).get() == "skipped"
    run.refresh_from_db()
    assert (run.finished_at, Path(run.file.path).stat().st_mtime_ns) == before
    assert run.attempts == 1
    assert files_of(run) == [f"un-nutrition-global-{YEAR}.zip"]


def test_a_job_killed_half_way_is_finished_by_the_next_attempt_with_one_file(
    coordination, django_capture_on_commit_callbacks
):
    run = request(coordination.secretariat, django_capture_on_commit_callbacks)
    # What a worker killed while writing leaves: the run "running", silent since, and a partial file.
    ReportRun.objects.filter(pk=run.pk).update(
        status="running", progress=55, file="", finished_at=None, updated_at=timezone.now() - dt.timedelta(minutes=5)
    )
    folder = Path(run.file.storage.path(storage.file_name(run))).parent
    (folder / f".un-nutrition-global-{YEAR}.zip.abc123.part").write_bytes(b"half a report")
    assert build_report.apply(args=(run.pk,)).get() == "done"
    run.refresh_from_db()
    assert (run.status, run.progress, run.attempts) == ("done", 100, 2)
    assert files_of(run) == [f"un-nutrition-global-{YEAR}.zip"]
    assert csv_sections(run.file.path)[""][0] == [f"UN Nutrition global coordination overview {YEAR}"]


def test_a_job_that_keeps_killing_its_worker_is_given_up(coordination, settings):
    run = ReportRun.objects.create(
        kind="global", format="pdf", year=YEAR, requested_by=coordination.secretariat, dedupe_key="x",
        status="running", attempts=settings.REPORTS_MAX_RETRIES + 1 + EXTRA_DELIVERIES,
    )  # fmt: skip
    ReportRun.objects.filter(pk=run.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=5))  # its worker died
    assert build_report.apply(args=(run.pk,)).get() == "skipped"
    run.refresh_from_db()
    assert run.status == "failed"
    assert "interrupted" in run.error


def test_a_run_given_up_while_building_stops_the_job(coordination, django_capture_on_commit_callbacks, monkeypatch):
    from reports import jobs

    real_set = jobs.Progress.set

    def give_up_midway(self, percent):
        if percent > 30:
            services.mark_failed(self.run_id, "Given up by an administrator.")
        real_set(self, percent)

    monkeypatch.setattr(jobs.Progress, "set", give_up_midway)
    run = request(coordination.secretariat, django_capture_on_commit_callbacks)
    assert (run.status, run.error) == ("failed", "Given up by an administrator.")
    assert files_of(run) == []


def test_an_abandoned_run_does_not_block_a_new_request(coordination, django_capture_on_commit_callbacks):
    stuck, _ = services.request_report(coordination.secretariat, kind="global", format="pdf", year=YEAR)
    ReportRun.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - dt.timedelta(hours=4))
    fresh = request(coordination.secretariat, django_capture_on_commit_callbacks, format="pdf")
    stuck.refresh_from_db()
    assert fresh.pk != stuck.pk and fresh.status == "done"
    assert stuck.status == "failed" and "was given up" in stuck.error


def test_a_running_run_with_no_sign_of_life_is_not_handed_to_a_new_request(
    coordination, django_capture_on_commit_callbacks
):
    stuck, _ = services.request_report(coordination.secretariat, kind="global", format="csv", year=YEAR)
    ReportRun.objects.filter(pk=stuck.pk).update(
        status="running", progress=40, updated_at=timezone.now() - dt.timedelta(minutes=3)
    )
    fresh = request(coordination.secretariat, django_capture_on_commit_callbacks)
    stuck.refresh_from_db()
    assert fresh.pk != stuck.pk and fresh.status == "done"
    assert stuck.status == "failed"


def test_a_live_run_is_not_built_twice_when_its_message_comes_back(coordination, django_capture_on_commit_callbacks):
    run = request(coordination.secretariat, django_capture_on_commit_callbacks)
    ReportRun.objects.filter(pk=run.pk).update(status="running", progress=40, updated_at=timezone.now(), file="")
    assert build_report.apply(args=(run.pk,)).get() == "skipped"  # its worker is alive: one build at a time
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("running", 1)


def test_housekeeping_gives_up_stuck_runs_and_deletes_expired_files(
    coordination, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_KEEP_DAYS = 30
    old = request(coordination.secretariat, django_capture_on_commit_callbacks)
    old_folder = Path(old.file.path).parent
    ReportRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    recent = request(coordination.secretariat, django_capture_on_commit_callbacks, format="xlsx")
    stuck = ReportRun.objects.create(kind="global", format="pdf", year=YEAR, dedupe_key="stuck", status="running")
    ReportRun.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - dt.timedelta(hours=4))
    with django_capture_on_commit_callbacks(execute=True):
        assert housekeeping.apply().get() == {"abandoned": 1, "deleted": 1}
    assert not ReportRun.objects.filter(pk=old.pk).exists() and not old_folder.exists()
    assert Path(ReportRun.objects.get(pk=recent.pk).file.path).exists()
    assert ReportRun.objects.get(pk=stuck.pk).status == "failed"


def test_scheduled_alerts_are_emailed_to_the_secretariat_once(coordination, django_capture_on_commit_callbacks):
    from ..factories import make_user

    make_user("secretariat", email="")  # no address: not a recipient
    make_user("secretariat", email="former@example.org", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        run_id = scheduled_report.apply(kwargs={"kind": "data_quality", "format": "xlsx", "year": YEAR}).get()
    run = ReportRun.objects.get(pk=run_id)
    assert (run.status, run.requested_by, run.email_secretariat) == ("done", None, True)
    assert run.emailed_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["secretariat@example.org"]
    assert message.subject == f"[UN Nutrition] Data-quality alerts {YEAR}"
    assert "- Teams without a convener: 1" in message.body
    # Cambodia's three and Chad's WFP, the LAC group's four and the four of Cambodia's provincial working groups.
    assert "- Member agencies without a focal point: 12" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert name == f"un-nutrition-data-quality-alerts-{YEAR}.xlsx"
    assert mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert content == Path(run.file.path).read_bytes()
    # A second delivery of the e-mail job sends nothing more.
    assert email_report.apply(args=(run.pk,)).get() == 0
    assert len(mail.outbox) == 1


def test_the_schedule_names_real_tasks(settings):
    celery_app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in celery_app.tasks, name
    overview = settings.CELERY_BEAT_SCHEDULE["reports-global-overview-monthly"]
    assert overview["kwargs"] == {"kind": "global", "format": "pdf"}
    assert overview["schedule"].day_of_month == {1}
    alerts = settings.CELERY_BEAT_SCHEDULE["reports-data-quality-weekly"]
    assert alerts["schedule"].day_of_week == {1}


def test_retries_back_off_and_never_outwait_the_visibility_timeout(settings):
    settings.REPORTS_RETRY_BACKOFF, settings.REPORTS_RETRY_BACKOFF_MAX = 15, 600
    for retries, (low, high) in enumerate([(8, 15), (15, 30), (30, 60), (60, 120)]):
        assert all(low <= backoff(retries) <= high for _ in range(50))
    assert max(backoff(20) for _ in range(50)) <= 600 < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


def test_settings_that_would_break_delivery_are_refused(settings):
    assert check_report_settings() == []
    settings.REPORTS_TIME_LIMIT = 4000
    settings.REPORTS_WORKPLAN_DUE = "31-03"
    assert sorted(error.id for error in check_report_settings()) == ["reports.E002", "reports.E004"]
    settings.REPORTS_ABANDONED_AFTER = 3600
    assert "reports.E003" in {error.id for error in check_report_settings()}
    with pytest.raises(SystemCheckError):
        call_command("check")


def test_deleting_a_run_deletes_its_file(coordination, django_capture_on_commit_callbacks):
    run = request(coordination.secretariat, django_capture_on_commit_callbacks, format="xlsx")
    path = Path(run.file.path)
    assert sheet_titles(path)[0] == "Report"
    with django_capture_on_commit_callbacks(execute=True):
        run.delete()
    assert not path.exists() and not path.parent.exists()


def sheet_titles(path):
    return list(xlsx_sheets(path))


def test_reports_are_written_in_the_requesters_language(coordination, django_capture_on_commit_callbacks):
    """Every format in the requester's language, Arabic and Chinese PDFs too: no fallback to English."""
    from django.utils import translation

    for language in ("fr", "ar", "zh-hans"):
        with translation.override(language), django_capture_on_commit_callbacks(execute=True):
            run, _ = services.request_report(coordination.secretariat, kind="global", format="pdf", year=YEAR)
        run.refresh_from_db()
        assert (run.language, run.status) == (language, "done")
        with translation.override(language):
            title = translation.gettext("UN Nutrition global coordination overview %(year)s") % {"year": YEAR}
        assert title != f"UN Nutrition global coordination overview {YEAR}"
        assert PdfReader(run.file.path).metadata.title == title
