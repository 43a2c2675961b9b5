"""Every write of the exchange app: previewing an uploaded file, confirming it, undoing it.

A file is read whole and judged row by row before anything is saved (`preview_workplan_import`);
confirming (`confirm_import`) applies exactly the previewed rows through workplans.services (the same
rules, permissions, messages and history as the portal's forms and the API), in one transaction: one
row refused and nothing is saved. `undo_import` puts every record back as it was before, from
django-simple-history, through the same services; a record someone changed after the import stops it.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.rules import is_secretariat
from core import versions
from core.services import Precondition, StateConflict, lock_for_write
from workplans import services as workplan_services
from workplans.models import Activity, Workplan

from . import workplan_sheet
from .models import ImportBatch, ImportChange
from .xlsx import open_workbook


def _status(workplan: Workplan) -> str:
    return workplan.get_status_display().lower()


def check_import_workplan(user, workplan: Workplan) -> None:
    """Who may import into a workplan: whoever may change it (its team while it is a draft, the
    Secretariat); the same refusals and words as the workplan's own services."""
    workplan_services.check_edit_workplan(
        user,
        workplan,
        _("This workplan is %(status)s: a file is imported into a draft only (the convener can reopen it).")
        % {"status": _status(workplan)},
    )


def check_confirm(user, batch: ImportBatch) -> None:
    check_import_workplan(user, batch.workplan)
    if batch.uploaded_by_id != user.pk and not is_secretariat(user):
        raise PermissionDenied(_("Only the person who uploaded the file confirms its import."))


def check_undo(user, batch: ImportBatch) -> None:
    workplan_services.check_edit_workplan(
        user,
        batch.workplan,
        _("This workplan is %(status)s: an import is undone in a draft only (the convener can reopen it).")
        % {"status": _status(batch.workplan)},
    )


@transaction.atomic
def preview_workplan_import(
    *, workplan: Workplan, user, file_name: str, data: bytes, delete_missing: bool = False
) -> ImportBatch:
    """Read `data` (an XLSX) against `workplan` and keep what it would do, saving nothing of it.

    Raises PermissionDenied / StateConflict (who may, the plan's state), xlsx.FileRefused (a file that
    cannot be used at all: its message says why). Row problems are in the batch's preview."""
    workplan = Workplan.objects.select_related("team__country").get(pk=workplan.pk)
    check_import_workplan(user, workplan)
    book = open_workbook(data, file_name)
    try:
        reading = workplan_sheet.read(workplan, book, delete_missing=delete_missing)
    finally:
        book.close()
    rows = reading.rows
    count = {action: sum(1 for r in rows if r.action == action) for action in ("created", "changed", "deleted")}
    issues = [issue for r in rows for issue in r.issues] + reading.file_issues
    preview = [r.as_json() for r in rows]
    if reading.file_issues:
        preview.insert(
            0,
            {
                "row": None,
                "action": "file",
                "id": None,
                "title": file_name,
                "changes": [],
                "issues": [issue.as_json() for issue in reading.file_issues],
            },
        )
    batch = ImportBatch(
        kind=ImportBatch.Kind.WORKPLAN,
        team=workplan.team,
        workplan=workplan,
        uploaded_by=user,
        file_name=file_name[:255] or "workplan.xlsx",
        file_sha256=hashlib.sha256(data).hexdigest(),
        language=reading.language,
        delete_missing=delete_missing,
        rows=reading.stored_rows(),
        preview=preview,
        created_count=count["created"],
        changed_count=count["changed"],
        deleted_count=count["deleted"],
        unchanged_count=sum(1 for r in rows if r.action == "unchanged"),
        error_count=sum(1 for issue in issues if issue.level in ("error", "critical")),
        warning_count=sum(1 for issue in issues if issue.level == "warning"),
    )
    batch.full_clean()
    batch.save()
    return batch


def _latest_history(ids) -> dict[int, int]:
    rows = Activity.history.filter(id__in=list(ids)).values("id").annotate(last=Max("history_id"))
    return {row["id"]: row["last"] for row in rows}


def _row_error(row: dict, error: ValidationError) -> ValidationError:
    messages = error.messages
    return ValidationError(
        _("Row %(row)s: %(message)s Nothing of the file was saved.")
        % {"row": row.get("row") or "-", "message": " ".join(messages)}
    )


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def confirm_import(*, pk: int, user, precondition: Precondition | None = None) -> ImportBatch:
    """Save what the preview showed, through the workplans' services, as one change."""
    batch = lock_for_write(ImportBatch.objects.select_related("workplan__team"), pk, precondition)
    check_confirm(user, batch)
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise StateConflict(_("This import was already saved or undone: upload the file again."), batch.status)
    if batch.error_count:
        raise StateConflict(
            _("The file has errors: nothing of it can be saved. Correct them and upload it again."), "errors"
        )
    rows = workplan_sheet.from_json(batch.rows)
    ids = [row["id"] for row in rows if row["id"]]
    current = {
        activity.pk: activity
        for activity in Activity.objects.select_for_update().filter(pk__in=ids, workplan=batch.workplan)
    }
    stale = [
        row
        for row in rows
        if row["id"] and (row["id"] not in current or current[row["id"]].updated_at.isoformat() != row["version"])
    ]
    if stale:
        raise ValidationError(
            _(
                "Since the preview, someone changed or deleted %(titles)s: nothing was saved. Upload the file again "
                "to see a new preview."
            )
            % {
                "titles": ", ".join(
                    f"\u201c{current[r['id']].title if r['id'] in current else r['id']}\u201d" for r in stale
                )
            }
        )
    start = Activity.history.aggregate(last=Max("history_id"))["last"] or 0
    before = _latest_history(ids)
    touched = []
    for row in rows:
        try:
            if row["action"] == "created":
                activity = workplan_services.create_activity(workplan=batch.workplan, user=user, data=row["values"])
                touched.append((row, activity.pk, ImportChange.Action.CREATED))
            elif row["action"] == "changed":
                workplan_services.update_activity(pk=row["id"], user=user, data=row["values"])
                touched.append((row, row["id"], ImportChange.Action.CHANGED))
            elif row["action"] == "deleted":
                workplan_services.delete_activity(pk=row["id"], user=user)
                touched.append((row, row["id"], ImportChange.Action.DELETED))
        except ValidationError as error:
            raise _row_error(row, error) from None
    after = _latest_history(pk for _row, pk, _action in touched)
    ImportChange.objects.bulk_create(
        ImportChange(
            batch=batch,
            row=row["row"],
            model="workplans.activity",
            object_id=object_id,
            action=action,
            before_history_id=before.get(object_id),
            after_history_id=after.get(object_id),
        )
        for row, object_id, action in touched
    )
    Activity.history.filter(history_id__gt=start, id__in=[pk for _row, pk, _a in touched]).update(
        history_change_reason=batch.change_reason
    )
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_at = timezone.now()
    batch.save(update_fields=["status", "applied_at", "updated_at"])
    return batch


def _snapshot_data(snapshot) -> dict:
    """The values an import can change, as a history row has them (for update_activity)."""
    data = {}
    for column in workplan_sheet.COLUMNS[1:]:
        key = column.key
        if key in workplan_sheet.M2M:
            field = Activity._meta.get_field(key)
            related = field.m2m_reverse_field_name()
            ids = [getattr(row, f"{related}_id") for row in getattr(snapshot, key).all()]
            data[key] = list(workplan_sheet.M2M_MODELS[key].objects.filter(pk__in=ids))
        elif key in workplan_sheet.FOREIGN_KEYS:
            value = getattr(snapshot, f"{key}_id")
            data[key] = workplan_sheet.FOREIGN_KEYS[key].objects.filter(pk=value).first() if value else None
        else:
            data[key] = getattr(snapshot, key)
    return data


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def undo_import(*, pk: int, user, precondition: Precondition | None = None) -> ImportBatch:
    """Put every record the import touched back as it was before it: created ones deleted, changed ones
    restored from their history, deleted ones restored (with their progress). Refused whole when any
    of them changed after the import."""
    batch = lock_for_write(ImportBatch.objects.select_related("workplan__team"), pk, precondition)
    check_undo(user, batch)
    if batch.status != ImportBatch.Status.APPLIED:
        raise StateConflict(
            _("Only a saved import can be undone; this one is %(status)s.")
            % {"status": batch.get_status_display().lower()},
            batch.status,
        )
    changes = list(batch.changes.order_by("-id"))
    latest = _latest_history(change.object_id for change in changes)
    moved = [change for change in changes if latest.get(change.object_id) != change.after_history_id]
    if moved:
        titles = dict(
            Activity.history.filter(
                history_id__in=[latest.get(c.object_id) for c in moved if latest.get(c.object_id)]
            ).values_list("id", "title")
        )
        raise ValidationError(
            _(
                "These activities changed after the import, so undoing it would lose that work; nothing was undone: "
                "%(titles)s."
            )
            % {"titles": ", ".join(f"\u201c{titles.get(c.object_id, c.object_id)}\u201d" for c in moved)}
        )
    start = Activity.history.aggregate(last=Max("history_id"))["last"] or 0
    for change in changes:
        if change.action == ImportChange.Action.CREATED:
            workplan_services.delete_activity(pk=change.object_id, user=user)
        elif change.action == ImportChange.Action.CHANGED:
            snapshot = Activity.history.get(history_id=change.before_history_id)
            workplan_services.update_activity(pk=change.object_id, user=user, data=_snapshot_data(snapshot))
        elif change.action == ImportChange.Action.DELETED:
            workplan_services.restore_activity(history_id=change.after_history_id, user=user)
    with translation.override(batch.language):
        reason = (_("undo of import %(id)s") % {"id": batch.pk})[:100]
    Activity.history.filter(history_id__gt=start, id__in=[c.object_id for c in changes]).update(
        history_change_reason=reason
    )
    batch.status = ImportBatch.Status.UNDONE
    batch.undone_at, batch.undone_by = timezone.now(), user
    batch.save(update_fields=["status", "undone_at", "undone_by", "updated_at"])
    return batch
