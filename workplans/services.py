"""Writes to workplans: the workflow and progress reporting. Views and API call these."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions

from .models import Activity, ProgressUpdate, Workplan


@transaction.atomic
def submit_workplan(*, workplan: Workplan, user) -> Workplan:
    if not permissions.can_submit_workplan(user, workplan):
        raise PermissionDenied(_("Only a convener of this team can submit its draft workplan."))
    workplan.status = Workplan.Status.SUBMITTED
    workplan.submitted_by, workplan.submitted_at = user, timezone.now()
    workplan.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    return workplan


@transaction.atomic
def endorse_workplan(*, workplan: Workplan, user) -> Workplan:
    if not permissions.can_endorse_workplan(user, workplan):
        raise PermissionDenied(_("Only a submitted workplan can be endorsed, by its convener or the Secretariat."))
    workplan.status = Workplan.Status.ENDORSED
    workplan.endorsed_by, workplan.endorsed_at = user, timezone.now()
    workplan.save(update_fields=["status", "endorsed_by", "endorsed_at", "updated_at"])
    return workplan


@transaction.atomic
def reopen_workplan(*, workplan: Workplan, user) -> Workplan:
    """Back to draft for changes; the submission and endorsement stay in the history."""
    if not permissions.can_reopen_workplan(user, workplan):
        raise PermissionDenied(_("Only a convener of this team or the Secretariat can reopen this workplan."))
    workplan.status = Workplan.Status.DRAFT
    workplan.submitted_by = workplan.submitted_at = workplan.endorsed_by = workplan.endorsed_at = None
    workplan.save()
    return workplan


@transaction.atomic
def add_progress_update(*, activity: Activity, user, **data) -> ProgressUpdate:
    """Record progress; the activity takes the reported status and its 'last updated' moves."""
    if not permissions.can_report_progress(user, activity):
        raise PermissionDenied(_("Only this team's focal points, conveners and the Secretariat report progress."))
    update = ProgressUpdate(activity=activity, author=user, **data)
    update.full_clean()
    update.save()
    activity.status = update.status
    activity.last_progress_at = timezone.now()
    activity.save(update_fields=["status", "last_progress_at", "updated_at"])
    return update


class EditConflict(Exception):
    """Someone saved the activity after the editor loaded it.

    `differences` lists (field label, saved value, your value) for every field
    where the saved version differs from what the editor submitted.
    """

    def __init__(self, activity: Activity, differences: list[tuple[str, str, str]], saved_by, saved_at):
        super().__init__("edit conflict")
        self.activity, self.differences, self.saved_by, self.saved_at = activity, differences, saved_by, saved_at


def activity_version(activity: Activity) -> str:
    """What an edit form remembers to detect a concurrent save: the last save time."""
    return activity.updated_at.isoformat()


def _shown(value) -> str:
    if hasattr(value, "all"):
        value = list(value.all())
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(str(v) for v in value)) or "—"
    return "—" if value in (None, "") else str(value)


@transaction.atomic
def update_activity(*, activity_id: int, user, data: dict, version: str) -> Activity:
    """Save the edit unless someone else saved since `version`; then refuse with what changed."""
    activity = Activity.objects.select_for_update().get(pk=activity_id)
    if not permissions.can_report_progress(user, activity):
        raise PermissionDenied(_("You cannot edit activities of this team."))
    if activity_version(activity) != version:
        differences = []
        for name, value in data.items():
            field = Activity._meta.get_field(name)
            saved = getattr(activity, name)
            if _shown(saved) != _shown(value):
                differences.append((str(field.verbose_name), _shown(saved), _shown(value)))
        latest = activity.history.select_related("history_user").first()
        raise EditConflict(
            activity,
            differences,
            latest.history_user if latest else None,
            latest.history_date if latest else activity.updated_at,
        )
    if not permissions.can_edit_workplan(user, activity.workplan):
        changed = [n for n, v in data.items() if n not in PROGRESS_FIELDS and _shown(getattr(activity, n)) != _shown(v)]
        if changed:
            raise PermissionDenied(
                _("The workplan is no longer a draft: only status, budget available and budget spent can change.")
            )
    m2m = {name: data.pop(name) for name in list(data) if Activity._meta.get_field(name).many_to_many}
    for name, value in data.items():
        setattr(activity, name, value)
    activity.full_clean()
    activity.save()
    for name, value in m2m.items():
        getattr(activity, name).set(value)
    return activity


# What a team member may still change once the workplan is no longer a draft.
PROGRESS_FIELDS = {"status", "budget_available", "budget_spent"}


@transaction.atomic
def delete_activity(*, activity: Activity, user) -> None:
    """Delete; the history keeps it, so restore_activity can bring it back."""
    if not permissions.can_edit_workplan(user, activity.workplan):
        raise PermissionDenied(_("Activities are removed from draft workplans only, by the team or the Secretariat."))
    activity.delete()


def deleted_activities(workplan: Workplan):
    """History rows of this workplan's activities that are deleted now, newest first."""
    existing = Activity.objects.filter(workplan=workplan).values("pk")
    return (
        Activity.history.filter(workplan_id=workplan.pk, history_type="-")
        .exclude(id__in=existing)
        .select_related("history_user")
        .order_by("-history_date")
    )


@transaction.atomic
def restore_activity(*, history_id: int, user) -> Activity:
    """Bring a deleted activity back, with its agencies, targets, places and progress updates."""
    record = Activity.history.select_related("history_user").get(history_id=history_id, history_type="-")
    workplan = Workplan.objects.get(pk=record.workplan_id)
    if not permissions.can_edit_workplan(user, workplan):
        raise PermissionDenied(_("Activities are restored into draft workplans only, by the team or the Secretariat."))
    if Activity.objects.filter(pk=record.id).exists():
        raise PermissionDenied(_("This activity has already been restored."))
    # The deletion record has no many-to-many rows left; the save before it does.
    snapshot = record.prev_record or record
    activity = record.instance
    activity.save(force_insert=True)
    for name in ("participating_agencies", "sdg_targets", "national_frameworks", "subdivisions"):
        field = Activity._meta.get_field(name)
        related = field.m2m_reverse_field_name()
        getattr(activity, name).set([getattr(row, f"{related}_id") for row in getattr(snapshot, name).all()])
    for update in ProgressUpdate.history.filter(activity_id=record.id, history_type="-"):
        if not ProgressUpdate.objects.filter(pk=update.id).exists():
            update.instance.save(force_insert=True)
    return activity


@transaction.atomic
def copy_workplan(*, source: Workplan, year: int, user) -> Workplan:
    """A draft for `year` with last year's activities, dates moved on, money not yet raised or spent."""
    if not permissions.can_edit_team_roster(user, source.team):
        raise PermissionDenied(_("Only this team's people or the Secretariat can start its workplans."))
    shift = year - source.year
    workplan = Workplan(team=source.team, year=year, summary=source.summary)
    workplan.full_clean()
    workplan.save()
    for old in source.activities.prefetch_related(
        "participating_agencies", "sdg_targets", "national_frameworks", "subdivisions"
    ):
        new = Activity(
            workplan=workplan,
            title=old.title,
            description=old.description,
            action_area_id=old.action_area_id,
            lead_agency_id=old.lead_agency_id,
            cooperation_outcome_id=old.cooperation_outcome_id,
            is_national=old.is_national,
            start_date=_shift_year(old.start_date, shift),
            end_date=_shift_year(old.end_date, shift),
            currency=old.currency,
            budget_required=old.budget_required,
            status=Activity.Status.PIPELINE,
        )
        new.save()
        for name in ("participating_agencies", "sdg_targets", "national_frameworks", "subdivisions"):
            getattr(new, name).set(getattr(old, name).all())
    return workplan


def _shift_year(day, years: int):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)
