"""Report runs: one requested (or scheduled) coordination report and its file.

A run is created by `reports.services.request_report`, filled in by the Celery
job `reports.tasks.build_report`, and read by the portal and the API while it
goes queued -> running -> done (or failed). The database itself refuses a
second active run of the same request, a progress outside 0-100, a finished
run without its file or a failure without its reason.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The file each format is delivered as: a CSV report is a ZIP with one CSV file per table.
FILE_EXTENSIONS = {"pdf": "pdf", "xlsx": "xlsx", "csv": "zip", "xml": "xml"}


def report_upload_to(run, filename):
    # Not used for writing (the job picks a deterministic name itself); Django
    # needs it to describe the field.
    return f"reports/{run.pk}/{filename}"


class ReportRun(models.Model):
    class Kind(models.TextChoices):
        GLOBAL = "global", _("Global coordination overview")
        REGIONAL = "regional", _("Regional report")
        COUNTRY = "country", _("Country report")
        DATA_QUALITY = "data_quality", _("Data-quality alerts")
        # Files for other systems, of one team's year, built by the exchange app (reports.file_kinds).
        UN_INFO = "un_info", _("UN INFO sub-output sheet")
        IATI = "iati", _("IATI activity XML")

    class Format(models.TextChoices):
        PDF = "pdf", _("PDF (print)")
        XLSX = "xlsx", _("Excel workbook (XLSX)")
        CSV = "csv", _("CSV")
        XML = "xml", _("XML (IATI)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    # Kinds of one team's year.
    TEAM_KINDS = (Kind.COUNTRY, Kind.UN_INFO, Kind.IATI)

    kind = models.CharField(_("report"), max_length=16, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(
        "countries.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_runs",
    )
    team = models.ForeignKey(
        "teams.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_runs",
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_runs",
        help_text=_("Empty for scheduled reports."),
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("reason of the failure"), blank=True)
    file = models.FileField(_("file"), upload_to=report_upload_to, max_length=300, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Every write by the job moves this, so a run nobody works on any more can be told apart.
    updated_at = models.DateTimeField(_("last sign of life"), auto_now=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    task_id = models.CharField(_("Celery task id"), max_length=64, blank=True)
    # The outbox: a run is saved first and handed to the broker after; while the broker is down it
    # waits here (queued, not dispatched) and reports.services.dispatch_waiting hands it over later.
    dispatched_at = models.DateTimeField(
        _("handed to the queue"),
        null=True,
        blank=True,
        help_text=_("Empty while the job queue could not take it yet; it is handed over when the queue is back."),
    )
    queue_down_since = models.DateTimeField(
        _("waiting for the queue since"),
        null=True,
        blank=True,
        help_text=_("When the job queue first failed to take it; empty once it is handed over."),
    )
    worker = models.CharField(_("worker"), max_length=200, blank=True, help_text=_("The worker building it now."))
    email_secretariat = models.BooleanField(
        _("e-mail to the Secretariat"), default=False, help_text=_("Scheduled reports are sent when they are done.")
    )
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_dispatched_at = models.DateTimeField(_("e-mail handed to the queue"), null=True, blank=True)
    dedupe_key = models.CharField(
        _("request key"),
        max_length=120,
        editable=False,
        help_text=_("The same request by the same person: at most one such run may be queued or running."),
    )

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="report_run_requester_idx"),
            models.Index(fields=["status", "updated_at"], name="report_run_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["queued", "running"]),
                name="report_run_one_active_per_request",
                violation_error_message=_("The same report is already being produced."),
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="report_run_progress_percent",
                violation_error_message=_("Progress is a percentage, 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                name="report_run_year_plausible",
                violation_error_message=_("The year must be between 2000 and 2100."),
            ),
            models.CheckConstraint(
                condition=(
                    (Q(kind="regional") & Q(region__isnull=False) & Q(team__isnull=True))
                    | (Q(kind__in=["country", "un_info", "iati"]) & Q(team__isnull=False) & Q(region__isnull=True))
                    | (Q(kind__in=["global", "data_quality"]) & Q(region__isnull=True) & Q(team__isnull=True))
                ),
                name="report_run_scope_fits_kind",
                violation_error_message=_(
                    "A regional report names a region; a country report, a UN INFO sheet and IATI XML a team; "
                    "the others neither."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(file="") & Q(finished_at__isnull=False)),
                name="report_run_done_has_file",
                violation_error_message=_("A finished report has its file."),
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="report_run_failed_has_reason",
                violation_error_message=_("A failed report says why."),
            ),
        ]

    def __str__(self):
        parts = [str(self.get_kind_display()), self.scope_label, str(self.year), f"({self.format.upper()})"]
        return " ".join(part for part in parts if part)

    @property
    def scope_label(self) -> str:
        if self.kind == self.Kind.REGIONAL and self.region_id:
            return str(self.region)
        if self.kind in self.TEAM_KINDS and self.team_id:
            return str(self.team)
        return ""

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def waiting_for_queue(self) -> bool:
        """Saved, but the job queue (the broker) did not take it: it waits to be handed over."""
        return self.status == self.Status.QUEUED and self.dispatched_at is None and self.queue_down_since is not None

    @property
    def file_extension(self) -> str:
        """The delivered file's extension: the stored file's where there is one (a CSV report made
        before they were zipped stays a .csv), else the format's (FILE_EXTENSIONS)."""
        suffix = self.file.name.rpartition(".")[2] if self.file and "." in self.file.name else ""
        return suffix or FILE_EXTENSIONS.get(self.format, self.format)

    @property
    def download_name(self) -> str:
        """The file name a person gets, e.g. un-nutrition-global-overview-2026.pdf."""
        from django.utils.text import slugify

        subject = (
            {
                self.Kind.GLOBAL: "global-overview",
                self.Kind.DATA_QUALITY: "data-quality-alerts",
                self.Kind.UN_INFO: f"{slugify(self.scope_label)}-un-info",
                self.Kind.IATI: f"{slugify(self.scope_label)}-iati",
            }.get(self.kind)
            or slugify(self.scope_label)
            or self.kind
        )
        if subject.startswith("un-nutrition-"):
            subject = subject.removeprefix("un-nutrition-")
        return f"un-nutrition-{subject}-{self.year}.{self.file_extension}"

    @staticmethod
    def make_dedupe_key(*, kind, format, year, region_id, team_id, requested_by_id, language) -> str:
        who = requested_by_id if requested_by_id is not None else "schedule"
        return f"{kind}:{region_id or '-'}:{team_id or '-'}:{year}:{format}:{language}:{who}"
