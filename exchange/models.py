"""Imports of spreadsheets: what a file would change (the preview), what it changed, and its undo.

A file is read and checked whole before anything is saved (exchange.services.preview_import): the batch
keeps the rows as parsed and the preview a person reads. Confirming applies exactly those rows through
the apps' write services, in one transaction; each record touched is listed (ImportChange) with the
history rows before and after, so the whole import can be undone as one change.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import HistoricalRecords, TimeStamped
from teams.models import TeamScopedQuerySet


class ImportBatch(TimeStamped):
    class Kind(models.TextChoices):
        WORKPLAN = "workplan", _("Workplan activities")
        ROSTER = "roster", _("Roster of focal points")

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed, not saved")
        APPLIED = "applied", _("Saved")
        UNDONE = "undone", _("Undone")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    team = models.ForeignKey("teams.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="imports")
    workplan = models.ForeignKey(
        "workplans.Workplan",
        verbose_name=_("workplan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="imports",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    language = models.CharField(_("language"), max_length=10, default="en")
    delete_missing = models.BooleanField(_("delete what is not in the file"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PREVIEWED)
    # The rows as parsed (plain JSON: ids, codes, ISO dates, decimal strings): what confirming applies.
    rows = models.JSONField(_("rows"), default=list, blank=True)
    # What the person reads: per row the action, the changes (old -> new) and the issues, graded.
    preview = models.JSONField(_("preview"), default=list, blank=True)
    # What undoing needs that no history row holds: for a roster, each focal point's primary flag
    # before the import (teams.services moves the flags of an agency's other entries with update()).
    undo_data = models.JSONField(_("state before the import"), default=dict, blank=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    changed_count = models.PositiveIntegerField(_("changed"), default=0)
    deleted_count = models.PositiveIntegerField(_("deleted"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    applied_at = models.DateTimeField(_("saved"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["rows", "preview", "undo_data"])
    objects = TeamScopedQuerySet.as_manager()
    team_path = "team"

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="workplan") | Q(workplan__isnull=False),
                name="import_workplan_names_its_plan",
                violation_error_message=_("A workplan import names its workplan."),
            ),
            models.CheckConstraint(
                condition=Q(status="previewed") | Q(error_count=0),
                name="import_saved_only_without_errors",
                violation_error_message=_("A file with errors is never saved."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} ({self.team})"

    @property
    def can_confirm(self) -> bool:
        return self.status == self.Status.PREVIEWED and self.error_count == 0 and self.has_changes

    @property
    def has_changes(self) -> bool:
        return bool(self.created_count or self.changed_count or self.deleted_count)

    @property
    def change_reason(self) -> str:
        """What the history of every record it touched says (django-simple-history's change reason)."""
        return f"import {self.pk}: {self.file_name}"[:100]


class ImportChange(models.Model):
    """One record an applied import created, changed or deleted, with its history rows around the change."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        DELETED = "deleted", _("Deleted")

    batch = models.ForeignKey(ImportBatch, verbose_name=_("import"), on_delete=models.CASCADE, related_name="changes")
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)
    model = models.CharField(_("record type"), max_length=64)
    object_id = models.BigIntegerField(_("record"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    # django-simple-history rows: the record's last one before the import, and its last one after.
    before_history_id = models.BigIntegerField(_("history before"), null=True, blank=True)
    after_history_id = models.BigIntegerField(_("history after"), null=True, blank=True)

    class Meta:
        verbose_name = _("record changed by an import")
        verbose_name_plural = _("records changed by imports")
        ordering = ["batch", "id"]

    def __str__(self):
        return f"{self.batch_id} {self.action} {self.model} {self.object_id}"
