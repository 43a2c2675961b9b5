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
from agencies.models import Agency
from core import versions
from core.services import Precondition, StateConflict, lock_for_write
from countries.models import Person
from teams import rules as team_rules
from teams import services as team_services
from teams.models import FocalPoint, Team
from workplans import services as workplan_services
from workplans.models import Activity, Workplan

from . import roster_sheet, workplan_sheet
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
    if batch.kind == ImportBatch.Kind.ROSTER:
        check_import_roster(user, batch.team)
    else:
        check_import_workplan(user, batch.workplan)
    if batch.uploaded_by_id != user.pk and not is_secretariat(user):
        raise PermissionDenied(_("Only the person who uploaded the file confirms its import."))


def check_undo(user, batch: ImportBatch) -> None:
    if batch.kind == ImportBatch.Kind.ROSTER:
        check_import_roster(user, batch.team)
        return
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
    return _keep_preview(
        kind=ImportBatch.Kind.WORKPLAN,
        team=workplan.team,
        workplan=workplan,
        user=user,
        file_name=file_name or "workplan.xlsx",
        data=data,
        reading=reading,
        delete_missing=delete_missing,
    )


def _keep_preview(*, kind, team, workplan, user, file_name, data, reading, delete_missing) -> ImportBatch:
    """The batch of a file just read: its rows to apply, its preview to read, its counts."""
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
        kind=kind,
        team=team,
        workplan=workplan,
        uploaded_by=user,
        file_name=file_name[:255],
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


def _kind(pk: int) -> str | None:
    return ImportBatch.objects.filter(pk=pk).values_list("kind", flat=True).first()


def confirm_import(*, pk: int, user, precondition: Precondition | None = None) -> ImportBatch:
    """Save a previewed import (a workplan's or a roster's) exactly as previewed, as one change."""
    if _kind(pk) == ImportBatch.Kind.ROSTER:
        return confirm_roster_import(pk=pk, user=user, precondition=precondition)
    return confirm_workplan_import(pk=pk, user=user, precondition=precondition)


def undo_import(*, pk: int, user, precondition: Precondition | None = None) -> ImportBatch:
    """Put every record a saved import touched back as it was before it."""
    if _kind(pk) == ImportBatch.Kind.ROSTER:
        return undo_roster_import(pk=pk, user=user, precondition=precondition)
    return undo_workplan_import(pk=pk, user=user, precondition=precondition)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def confirm_workplan_import(*, pk: int, user, precondition: Precondition | None = None) -> ImportBatch:
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
            % {"titles": ", ".join(f"“{current[r['id']].title if r['id'] in current else r['id']}”" for r in stale)}
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
def undo_workplan_import(*, pk: int, user, precondition: Precondition | None = None) -> ImportBatch:
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
            % {"titles": ", ".join(f"“{titles.get(c.object_id, c.object_id)}”" for c in moved)}
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


# --- rosters --------------------------------------------------------------------------------------


def check_import_roster(user, team: Team) -> None:
    """Who may import a roster file: the Secretariat and the team's conveners (a focal point changes
    the roster entry by entry on the team's page)."""
    if not team_rules.convene_team.test(user, team):
        raise PermissionDenied(_("Only the Secretariat and this team's conveners import a roster file."))


@transaction.atomic
def preview_roster_import(
    *, team: Team, user, file_name: str, data: bytes, delete_missing: bool = False
) -> ImportBatch:
    """Read `data` (an XLSX) against the team's running focal points and keep what it would do, saving
    nothing of it. Raises PermissionDenied, xlsx.FileRefused; row problems are in the batch's preview."""
    team = Team.objects.select_related("country").get(pk=team.pk)
    check_import_roster(user, team)
    book = open_workbook(data, file_name)
    try:
        reading = roster_sheet.read(team, book, delete_missing=delete_missing)
    finally:
        book.close()
    return _keep_preview(
        kind=ImportBatch.Kind.ROSTER,
        team=team,
        workplan=None,
        user=user,
        file_name=file_name or "roster.xlsx",
        data=data,
        reading=reading,
        delete_missing=delete_missing,
    )


def _latest(model, ids) -> dict[int, int]:
    rows = model.history.filter(id__in=list(ids)).values("id").annotate(last=Max("history_id"))
    return {row["id"]: row["last"] for row in rows}


def _primary_flags(team_id: int) -> dict[int, bool]:
    return dict(FocalPoint.objects.filter(member__team_id=team_id).values_list("pk", "is_primary"))


FOCAL_POINT, PERSON = "teams.focalpoint", "countries.person"


@transaction.atomic
def confirm_roster_import(*, pk: int, user, precondition: Precondition | None = None) -> ImportBatch:
    """Apply exactly the previewed rows through teams.services, in one transaction: ended entries first,
    then changed ones, then new ones. Every focal point and person touched is listed with its history
    rows before and after (a primary flag moved by another row too), so the whole file can be undone."""
    batch = lock_for_write(ImportBatch.objects.select_related("team"), pk, precondition)
    check_confirm(user, batch)
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise StateConflict(_("This import was already saved or undone: upload the file again."), batch.status)
    if batch.error_count:
        raise StateConflict(
            _("The file has errors: nothing of it can be saved. Correct them and upload it again."), "errors"
        )
    rows = batch.rows
    ids = [row["id"] for row in rows if row["id"]]
    current = {
        fp.pk: fp
        for fp in FocalPoint.objects.select_for_update(of=("self",))
        .select_related("person", "member__agency")
        .filter(pk__in=ids, member__team=batch.team)
    }
    stale = [
        r
        for r in rows
        if r["id"] and (r["id"] not in current or current[r["id"]].updated_at.isoformat() != r["version"])
    ]
    if stale:
        raise ValidationError(
            _(
                "Since the preview, someone changed or ended %(names)s: nothing was saved. Upload the file again to "
                "see a new preview."
            )
            % {
                "names": ", ".join(
                    f"“{current[r['id']].person.name if r['id'] in current else r['id']}”" for r in stale
                )
            }
        )
    person_of = {pk: fp.person_id for pk, fp in current.items()}
    flags_before = _primary_flags(batch.team_id)
    all_ids = list(flags_before)
    fp_start = FocalPoint.history.aggregate(last=Max("history_id"))["last"] or 0
    person_start = Person.history.aggregate(last=Max("history_id"))["last"] or 0
    fp_before = _latest(FocalPoint, all_ids)
    person_before = _latest(Person, person_of.values())
    agencies = Agency.objects.in_bulk([r["values"]["agency"] for r in rows if r["action"] == "created"])
    touched = []  # (row number, model, id, action)
    order = {"deleted": 0, "changed": 1, "created": 2}
    note = (_("Not in the roster file of import %(id)s.") % {"id": batch.pk})[:300]
    for row in sorted(rows, key=lambda r: order[r["action"]]):
        values = roster_sheet.from_json(row["values"])
        try:
            if row["action"] == "deleted":
                team_services.end_focal_point(pk=row["id"], user=user, reason=FocalPoint.EndReason.OTHER, note=note)
                touched.append((row["row"], FOCAL_POINT, row["id"], ImportChange.Action.DELETED))
            elif row["action"] == "changed":
                data = {k: v for k, v in values.items() if k in (*roster_sheet.PERSON_KEYS, "is_primary", "start_date")}
                team_services.update_focal_point(pk=row["id"], user=user, data=data)
                touched.append((row["row"], FOCAL_POINT, row["id"], ImportChange.Action.CHANGED))
                if set(data) & set(roster_sheet.PERSON_KEYS):
                    touched.append((row["row"], PERSON, person_of[row["id"]], ImportChange.Action.CHANGED))
            elif row["action"] == "created":
                focal_point = team_services.add_focal_point(
                    user=user,
                    team=batch.team,
                    agency=agencies[values["agency"]],
                    name=values.get("name", ""),
                    email=values.get("email", ""),
                    title=values.get("title", ""),
                    phone=values.get("phone", ""),
                    is_primary=bool(values.get("is_primary")),
                    start_date=values.get("start_date"),
                )
                touched.append((row["row"], FOCAL_POINT, focal_point.pk, ImportChange.Action.CREATED))
        except ValidationError as error:
            raise _row_error(row, error) from None
    # Primary flags another row moved (teams.services moves them with update(), without history).
    flags_after = _primary_flags(batch.team_id)
    listed = {object_id for _row, model, object_id, _a in touched if model == FOCAL_POINT}
    for fp_id, flag in flags_before.items():
        if fp_id not in listed and flags_after.get(fp_id) != flag:
            touched.append((None, FOCAL_POINT, fp_id, ImportChange.Action.CHANGED))
    fp_ids = [object_id for _row, model, object_id, _a in touched if model == FOCAL_POINT]
    person_ids = [object_id for _row, model, object_id, _a in touched if model == PERSON]
    fp_after, person_after = _latest(FocalPoint, fp_ids), _latest(Person, person_ids)
    ImportChange.objects.bulk_create(
        ImportChange(
            batch=batch,
            row=row_number,
            model=model,
            object_id=object_id,
            action=action,
            before_history_id=(fp_before if model == FOCAL_POINT else person_before).get(object_id),
            after_history_id=(fp_after if model == FOCAL_POINT else person_after).get(object_id),
        )
        for row_number, model, object_id, action in touched
    )
    FocalPoint.history.filter(history_id__gt=fp_start, id__in=fp_ids).update(history_change_reason=batch.change_reason)
    Person.history.filter(history_id__gt=person_start, id__in=person_ids).update(
        history_change_reason=batch.change_reason
    )
    batch.undo_data = {"primary": {str(fp_id): flag for fp_id, flag in flags_before.items() if fp_id in fp_ids}}
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_at = timezone.now()
    batch.save(update_fields=["status", "applied_at", "undo_data", "updated_at"])
    return batch


@transaction.atomic
def undo_roster_import(*, pk: int, user, precondition: Precondition | None = None) -> ImportBatch:
    """Put the roster back as it was before the import, through teams.services: new entries taken back,
    ended ones running again, changed ones (contacts, start date, primary flag) restored from their
    history. Refused whole when any of them changed after the import."""
    batch = lock_for_write(ImportBatch.objects.select_related("team"), pk, precondition)
    check_undo(user, batch)
    if batch.status != ImportBatch.Status.APPLIED:
        raise StateConflict(
            _("Only a saved import can be undone; this one is %(status)s.")
            % {"status": batch.get_status_display().lower()},
            batch.status,
        )
    changes = list(batch.changes.all())
    fp_changes = [c for c in changes if c.model == FOCAL_POINT]
    person_changes = {c.row: c for c in changes if c.model == PERSON}
    latest = {
        FOCAL_POINT: _latest(FocalPoint, [c.object_id for c in fp_changes]),
        PERSON: _latest(Person, [c.object_id for c in person_changes.values()]),
    }
    moved = [c for c in changes if latest[c.model].get(c.object_id) != c.after_history_id]
    if moved:
        names = dict(
            FocalPoint.objects.filter(pk__in=[c.object_id for c in moved if c.model == FOCAL_POINT]).values_list(
                "pk", "person__name"
            )
        )
        names.update(
            Person.objects.filter(pk__in=[c.object_id for c in moved if c.model == PERSON]).values_list("pk", "name")
        )
        raise ValidationError(
            _(
                "These roster entries changed after the import, so undoing it would lose that work; nothing was "
                "undone: %(names)s."
            )
            % {"names": ", ".join(f"“{names.get(c.object_id, c.object_id)}”" for c in moved)}
        )
    fp_start = FocalPoint.history.aggregate(last=Max("history_id"))["last"] or 0
    person_start = Person.history.aggregate(last=Max("history_id"))["last"] or 0
    snapshots = FocalPoint.history.in_bulk([c.before_history_id for c in fp_changes if c.before_history_id])
    person_snapshots = Person.history.in_bulk(
        [c.before_history_id for c in person_changes.values() if c.before_history_id]
    )
    for change in [c for c in fp_changes if c.action == ImportChange.Action.CREATED]:
        team_services.remove_focal_point(pk=change.object_id, user=user)
    for change in [c for c in fp_changes if c.action == ImportChange.Action.DELETED]:
        team_services.reopen_focal_point(pk=change.object_id, user=user)
    # The flags as they were (the database's, kept at confirming: a flag moved by update() has no history).
    flags = {int(key): flag for key, flag in batch.undo_data.get("primary", {}).items()}
    restored = [c for c in fp_changes if c.action != ImportChange.Action.CREATED and c.object_id in flags]
    # Flags off first, then on: putting a primary back turns its agency's other ones off.
    restored.sort(key=lambda c: flags[c.object_id])
    for change in restored:
        snapshot = snapshots.get(change.before_history_id)
        data = {"is_primary": flags[change.object_id]}
        if snapshot is not None:
            data["start_date"] = snapshot.start_date
        person_change = person_changes.get(change.row) if change.row is not None else None
        if person_change is not None and person_change.before_history_id in person_snapshots:
            old = person_snapshots[person_change.before_history_id]
            data.update({key: getattr(old, key) for key in roster_sheet.PERSON_KEYS})
        team_services.update_focal_point(pk=change.object_id, user=user, data=data)
    with translation.override(batch.language):
        reason = (_("undo of import %(id)s") % {"id": batch.pk})[:100]
    FocalPoint.history.filter(history_id__gt=fp_start, id__in=[c.object_id for c in fp_changes]).update(
        history_change_reason=reason
    )
    Person.history.filter(history_id__gt=person_start, id__in=[c.object_id for c in person_changes.values()]).update(
        history_change_reason=reason
    )
    batch.status = ImportBatch.Status.UNDONE
    batch.undone_at, batch.undone_by = timezone.now(), user
    batch.save(update_fields=["status", "undone_at", "undone_by", "updated_at"])
    return batch
