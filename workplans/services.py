"""Every write to workplans, activities, progress and resources.

Portal views, API viewsets, imports and jobs call these and nothing else to
change these records: the rules, their (translated) messages and the
concurrency check live here once. A service that changes an existing record
takes a `precondition` (see core.services.lock_for_write): the portal passes
the form's version, the API its If-Match check; both run on the locked row.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_secretariat
from core import versions
from core.services import Precondition, StateConflict, lock_for_write, require
from teams.rules import plan_team_work

from . import endorsement, rules
from .models import (
    Activity,
    Contribution,
    JointProposal,
    Output,
    ProgressUpdate,
    ReportingPeriod,
    ResourceMobilised,
    Workplan,
)
from .signals import workplan_copied
from .validation import activity_problems, output_problems

# What a team member may still change once the workplan is no longer a draft.
PROGRESS_FIELDS = {"status", "budget_available", "budget_spent"}


def _save(record, m2m: dict | None = None, changed: set[str] | None = None):
    """Validate the record (fields, clean(), constraints), then save it and its many-to-many values.

    `changed`: the names of the fields an update changes. The others were valid when saved and
    are not checked again: no query to confirm that an unchanged workplan, output or agency still
    exists, none for a constraint on unchanged dates (model-wide rules in clean() still run)."""
    if changed is None:
        record.full_clean()
    else:
        unchanged = {field.name for field in record._meta.fields} - changed
        # A constraint that names a changed field is checked whole, its other fields included.
        for constraint in record._meta.constraints:
            named = _constraint_fields(record, constraint)
            if named & changed:
                unchanged -= named
        record.full_clean(exclude=unchanged)
    record.save()
    for name, value in (m2m or {}).items():
        getattr(record, name).set(value)
    return record


def _constraint_fields(record, constraint) -> set[str]:
    """The names of the fields a model constraint reads (every field when it is not plain to read)."""
    named = set(getattr(constraint, "fields", ()) or ())
    condition = getattr(constraint, "condition", None)
    if condition is not None:
        named |= condition.referenced_base_fields
    if getattr(constraint, "expressions", ()) or not named:
        return {field.name for field in record._meta.fields}
    return named


def _split_m2m(model, data: dict) -> tuple[dict, dict]:
    plain = {name: value for name, value in data.items() if not model._meta.get_field(name).many_to_many}
    return plain, {name: value for name, value in data.items() if name not in plain}


def _shown(value) -> str:
    """A value as the editor shows it, to compare what was saved with what was sent."""
    if hasattr(value, "all"):
        value = list(value.all())
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(str(v) for v in value)) or "—"
    return "—" if value in (None, "") else str(value)


def _changed(record, data: dict) -> list[str]:
    return [name for name, value in data.items() if _shown(getattr(record, name)) != _shown(value)]


# --- workplans -------------------------------------------------------------------


@transaction.atomic
@versions.writes(versions.WORKPLANS, rows_signalled=True)
def create_workplan(*, user, team, year: int, summary: str = "") -> Workplan:
    check_plan_team_work(user, team)
    return _save(Workplan(team=team, year=year, summary=summary))


@transaction.atomic
@versions.writes(versions.WORKPLANS, rows_signalled=True)
def update_workplan(*, pk: int, user, data: dict, precondition: Precondition | None = None) -> Workplan:
    """Change the summary (or year) of a draft; the team never changes."""
    workplan = lock_for_write(Workplan.objects.all(), pk, precondition)
    check_edit_workplan(user, workplan)
    if "team" in data and data["team"] != workplan.team:
        raise ValidationError({"team": _("A workplan cannot move to another team.")})
    for name, value in data.items():
        setattr(workplan, name, value)
    return _save(workplan)


@transaction.atomic
@versions.writes(versions.WORKPLANS, rows_signalled=True)
def delete_workplan(*, pk: int, user, precondition: Precondition | None = None) -> None:
    """Delete a draft with its activities; the history keeps every row."""
    workplan = lock_for_write(Workplan.objects.all(), pk, precondition)
    check_edit_workplan(user, workplan)
    _delete_unless_reported(workplan, _("This workplan has reported results (indicator values): it cannot be deleted."))


def _delete_unless_reported(record, message: str) -> None:
    """Delete `record`; values reported against its indicators (kept by the results app, which protects
    them) stop it with `message`, and nothing is deleted."""
    try:
        with transaction.atomic():
            record.delete()
    except ProtectedError:
        raise ValidationError(message) from None


def _status(workplan: Workplan) -> str:
    return workplan.get_status_display().lower()


# --- guards: the rule and its message, once, for the services below and the portal's pages ---------
# Each raises PermissionDenied (the role does not allow it) or StateConflict (the workplan's state
# does not): the API answers 403 or 409, the portal shows the same message.


def check_edit_workplan(user, workplan: Workplan, state_message: str = "") -> None:
    """The team's people change a draft (the Secretariat any plan)."""
    require(
        rules.edit_workplan,
        rules.works_on_plan,
        user,
        workplan,
        role_message=_("You cannot change this team's workplans."),
        state_message=state_message
        or _("This workplan is %(status)s: only a draft can be changed, by its team or the Secretariat.")
        % {"status": _status(workplan)},
        state=workplan.status,
    )


def check_add_activity(user, workplan: Workplan) -> None:
    check_edit_workplan(
        user,
        workplan,
        _("This workplan is %(status)s: activities are added to drafts only.") % {"status": _status(workplan)},
    )


def check_remove_activity(user, workplan: Workplan) -> None:
    check_edit_workplan(
        user, workplan, _("Activities are removed from draft workplans only, by the team or the Secretariat.")
    )


def check_restore_activity(user, workplan: Workplan) -> None:
    check_edit_workplan(
        user, workplan, _("Activities are restored into draft workplans only, by the team or the Secretariat.")
    )


def check_plan_team_work(user, team) -> None:
    """Start a team's workplan (new or copied) or record its resources: the team's people, the Secretariat."""
    if not plan_team_work.test(user, team):
        raise PermissionDenied(_("Only this team's people or the Secretariat can start its workplans."))


def check_report_progress(user, activity: Activity) -> None:
    if not rules.report_progress.test(user, activity):
        raise PermissionDenied(_("Only this team's focal points, conveners and the Secretariat report progress."))


# The workflow (submit, joint endorsement, return, acknowledge, amendments) is in workplans/endorsement.py;
# its entry points are named here too, for the callers that know this module.
submit_workplan, endorse_workplan, reopen_workplan = (
    endorsement.submit_workplan,
    endorsement.endorse_workplan,
    endorsement.reopen_workplan,
)
check_submit, check_endorse, check_reopen = (
    endorsement.check_submit,
    endorsement.check_endorse,
    endorsement.check_reopen,
)


# What a copy leaves behind unless the user picks it: work that is over.
FINISHED = (Activity.Status.CLOSED, Activity.Status.CANCELLED)


def activities_to_carry_over(source: Workplan):
    """The activities "Copy into a new year" proposes: all but the closed and cancelled ones."""
    return source.activities.exclude(status__in=FINISHED)


@dataclass(frozen=True)
class CopyResult:
    """What copy_workplan made, for the message the user reads: the new draft, the activities
    copied and left behind, and the links to frameworks that no longer run in the new year."""

    workplan: Workplan
    copied: list[Activity]
    left_out: list[Activity]
    outcomes_dropped: list[Activity]
    frameworks_dropped: list[Activity]


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def copy_workplan(*, source: Workplan, year: int, user, activities=None, summary: str = "") -> CopyResult:
    """A draft for `year` from `source`: the chosen activities (by default those not closed or
    cancelled, `activities_to_carry_over`), dates moved on, status back to pipeline, money not
    yet raised or spent, no progress. What belongs to the old year stays there: its summary
    (the new plan takes `summary`), and links to a Cooperation Framework or national framework
    that ends before `year`."""
    check_plan_team_work(user, source.team)
    if year <= source.year:
        raise ValidationError({"year": _("Copy into a year after %(year)s.") % {"year": source.year}})
    chosen = list(activities_to_carry_over(source) if activities is None else activities)
    if any(activity.workplan_id != source.pk for activity in chosen):
        raise ValidationError({"activities": _("Choose activities of this workplan only.")})
    shift = year - source.year
    workplan = _save(Workplan(team=source.team, year=year, summary=summary))
    outputs = {}
    for old in source.outputs.select_related("cooperation_outcome__framework", "national_framework"):
        outcome = old.cooperation_outcome
        if outcome is not None and not (outcome.framework.start_year <= year <= outcome.framework.end_year):
            outcome = None
        framework = old.national_framework
        if framework is not None and framework.end_year is not None and framework.end_year < year:
            framework = None
        outputs[old.pk] = Output.objects.create(
            workplan=workplan,
            title=old.title,
            description=old.description,
            action_area_id=old.action_area_id,
            cooperation_outcome=outcome,
            national_framework=framework,
            national_objective=old.national_objective if framework else "",
            position=old.position,
        )
    chosen_ids = {activity.pk for activity in chosen}
    copied, left_out, outcomes_dropped, frameworks_dropped = [], [], [], []
    for old in source.activities.select_related("cooperation_outcome__framework").prefetch_related(*ACTIVITY_M2M):
        if old.pk not in chosen_ids:
            left_out.append(old)
            continue
        outcome = old.cooperation_outcome
        if outcome is not None and not (outcome.framework.start_year <= year <= outcome.framework.end_year):
            outcome = None
            outcomes_dropped.append(old)
        new = Activity(
            workplan=workplan,
            output=outputs.get(old.output_id),
            title=old.title,
            description=old.description,
            action_area_id=old.action_area_id,
            lead_agency_id=old.lead_agency_id,
            cooperation_outcome=outcome,
            is_national=old.is_national,
            start_date=_shift_year(old.start_date, shift),
            end_date=_shift_year(old.end_date, shift),
            currency=old.currency,
            budget_required=old.budget_required,
            status=Activity.Status.PIPELINE,
        )
        new.save()
        for name in ACTIVITY_M2M:
            getattr(new, name).set(getattr(old, name).all())
        running = [f for f in old.national_frameworks.all() if f.end_year is None or f.end_year >= year]
        if len(running) != len(old.national_frameworks.all()):
            new.national_frameworks.set(running)
            frameworks_dropped.append(old)
        copied.append(new)
    # The apps above copy what hangs on the outputs (the results app: indicators and next year's targets).
    workplan_copied.send(sender=Workplan, source=source, workplan=workplan, year=year, outputs=outputs, user=user)
    return CopyResult(workplan, copied, left_out, outcomes_dropped, frameworks_dropped)


def _shift_year(day, years: int):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


# --- activities ------------------------------------------------------------------

ACTIVITY_M2M = ("participating_agencies", "sdg_targets", "national_frameworks", "subdivisions")


def _check_activity(activity: Activity, m2m: dict) -> None:
    """The rules that span fields (places, frameworks, agencies, dates), on the values the activity will have."""

    def current(name):
        if name in m2m:
            return list(m2m[name])
        return list(getattr(activity, name).all()) if activity.pk else []

    errors = activity_problems(
        workplan=activity.workplan,
        is_national=activity.is_national,
        subdivisions=current("subdivisions"),
        frameworks=current("national_frameworks"),
        lead_agency=activity.lead_agency if activity.lead_agency_id else None,
        participating=current("participating_agencies"),
        start_date=activity.start_date,
        end_date=activity.end_date,
        sdg_targets=m2m.get("sdg_targets"),
        cooperation_outcome=activity.cooperation_outcome if activity.cooperation_outcome_id else None,
        output=activity.output if activity.output_id else None,
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@versions.writes(versions.WORKPLANS, rows_signalled=True)
def create_activity(*, workplan: Workplan, user, data: dict) -> Activity:
    """Add an activity to a draft workplan."""
    check_add_activity(user, workplan)
    plain, m2m = _split_m2m(Activity, data)
    activity = Activity(workplan=workplan, **plain)
    _check_activity(activity, m2m)
    return _save(activity, m2m)


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


def unchanged_since(version: str, data: dict) -> Precondition:
    """The portal form's precondition: nobody saved the activity since the editor loaded `version`."""

    def check(activity: Activity) -> None:
        if activity_version(activity) == version:
            return
        differences = [
            (str(Activity._meta.get_field(name).verbose_name), _shown(getattr(activity, name)), _shown(value))
            for name, value in data.items()
            if name in _changed(activity, {name: value})
        ]
        latest = activity.history.select_related("history_user").first()
        raise EditConflict(
            activity,
            differences,
            latest.history_user if latest else None,
            latest.history_date if latest else activity.updated_at,
        )

    return check


def record_version(record) -> str:
    """What an edit form remembers of a record (outputs, indicators, values): its last save time."""
    return record.updated_at.isoformat()


def same_version(version: str) -> Precondition:
    """A portal form's precondition: nobody saved the record since the editor loaded `version`."""

    def check(record) -> None:
        if version and record_version(record) != version:
            raise ValidationError(
                _(
                    "Someone else saved this %(thing)s while you were editing it. Open it again to see their "
                    "changes; nothing of yours was saved."
                )
                % {"thing": record._meta.verbose_name}
            )

    return check


@transaction.atomic
@versions.writes(versions.WORKPLANS, rows_signalled=True)
def update_activity(
    *, pk: int, user, data: dict, precondition: Precondition | None = None, reason: str = ""
) -> Activity:
    """Change an activity. In a draft everything may change; afterwards only PROGRESS_FIELDS. Once the
    year's annual period is closed, only the Secretariat changes it, saying why (`reason`)."""
    activity = lock_for_write(Activity.objects.select_related("workplan__team"), pk, precondition)
    if not rules.report_progress.test(user, activity):
        raise PermissionDenied(_("You cannot edit activities of this team."))
    reason = check_year_open(user, activity.workplan, reason) or reason
    if reason:
        activity._change_reason = _history_reason(reason)
    if "workplan" in data and data.pop("workplan") != activity.workplan:
        raise ValidationError({"workplan": _("An activity cannot move to another workplan.")})
    if not rules.edit_workplan.test(user, activity.workplan):
        planning = sorted(name for name in _changed(activity, data) if name not in PROGRESS_FIELDS)
        if planning:
            raise StateConflict(
                _(
                    "The workplan is %(status)s: only status, budget available and budget spent can change now, "
                    "not %(fields)s."
                )
                % {
                    "status": _status(activity.workplan),
                    "fields": ", ".join(str(Activity._meta.get_field(name).verbose_name) for name in planning),
                },
                activity.workplan.status,
            )
    check_available_not_typed(activity, data)
    plain, m2m = _split_m2m(Activity, data)
    changed = {name for name, value in plain.items() if _differs(activity, name, value)}
    for name, value in plain.items():
        setattr(activity, name, value)
    if m2m or changed & PLANNING_RULE_FIELDS:
        _check_activity(activity, m2m)
    return _save(activity, m2m, changed=changed)


# The fields the rules spanning fields read (_check_activity): a change of status or money alone
# leaves them as they were, so they are not checked again (five queries less for a progress update).
PLANNING_RULE_FIELDS = {
    "workplan", "is_national", "lead_agency", "start_date", "end_date", "cooperation_outcome", "output",
}  # fmt: skip


def _differs(record, name: str, value) -> bool:
    """Whether setting `name` to `value` changes the record (a relation compared by its key, not loaded)."""
    field = record._meta.get_field(name)
    if field.is_relation:
        return getattr(record, field.attname) != (value.pk if value is not None else None)
    return getattr(record, name) != value


def available_is_contributions_message(total) -> str:
    return _(
        "Budget available is the sum of the activity's contributions (%(total)s): change the contributions, "
        "not this figure."
    ) % {"total": total}


def check_available_not_typed(activity: Activity, data: dict) -> None:
    """Once an activity has contributions, its budget available is their sum and is not typed."""
    if "budget_available" not in data or data["budget_available"] is None:
        return
    if data["budget_available"] != activity.budget_available and activity.contributions.exists():
        raise ValidationError({"budget_available": available_is_contributions_message(activity.budget_available)})


@transaction.atomic
@versions.writes(versions.WORKPLANS, rows_signalled=True)
def delete_activity(*, pk: int, user, precondition: Precondition | None = None) -> None:
    """Delete; the history keeps it, so restore_activity can bring it back."""
    activity = lock_for_write(Activity.objects.select_related("workplan"), pk, precondition)
    check_remove_activity(user, activity.workplan)
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
@versions.writes(versions.WORKPLANS)
def restore_activity(*, history_id: int, user) -> Activity:
    """Bring a deleted activity back, with its agencies, targets, places and progress updates."""
    record = Activity.history.select_related("history_user").get(history_id=history_id, history_type="-")
    workplan = Workplan.objects.get(pk=record.workplan_id)
    check_restore_activity(user, workplan)
    if Activity.objects.filter(pk=record.id).exists():
        raise StateConflict(_("This activity has already been restored."), "restored")
    # The deletion record has no many-to-many rows left; the save before it does.
    snapshot = record.prev_record or record
    activity = record.instance
    activity.save(force_insert=True)
    for name in ACTIVITY_M2M:
        field = Activity._meta.get_field(name)
        related = field.m2m_reverse_field_name()
        getattr(activity, name).set([getattr(row, f"{related}_id") for row in getattr(snapshot, name).all()])
    for update in ProgressUpdate.history.filter(activity_id=record.id, history_type="-"):
        if not ProgressUpdate.objects.filter(pk=update.id).exists():
            update.instance.save(force_insert=True)
    return activity


# --- progress ---------------------------------------------------------------------


@transaction.atomic
@versions.writes(versions.WORKPLANS, rows_signalled=True)
def add_progress_update(*, activity: Activity, user, reason: str = "", **data) -> ProgressUpdate:
    """Record progress; the activity takes the reported status and its 'last updated' moves. A closed
    period takes progress from the Secretariat only, with a reason kept in the history."""
    activity = lock_for_write(Activity.objects.select_related("workplan"), activity.pk)
    check_report_progress(user, activity)
    year = activity.workplan.year
    reason = check_year_open(user, activity.workplan, reason) or reason
    if data.get("period") is None:
        data["period"] = default_period(year, data.get("reported_on"))
    else:
        data["period"] = ReportingPeriod.objects.get(pk=data["period"].pk)  # as saved now
        if data["period"].is_closed and is_secretariat(user):
            check_period_open_for(data["period"], year, "period", closed_ok=True)
            reason = _required_reason(data["period"], reason)
        else:
            check_period_open_for(data["period"], year, "period")
    update = ProgressUpdate(activity=activity, author=user, **data)
    if reason:
        update._change_reason = activity._change_reason = _history_reason(reason)
    update = _save(update)
    activity.status = update.status
    activity.last_progress_at = timezone.now()
    activity.save(update_fields=["status", "last_progress_at", "updated_at"])
    return update


# --- resources mobilised -------------------------------------------------------------


def _check_resource(resource: ResourceMobilised) -> None:
    if resource.workplan_id is not None and resource.workplan.team_id != resource.team_id:
        raise ValidationError({"workplan": _("This workplan belongs to another team.")})


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def record_resources(*, user, team, data: dict) -> ResourceMobilised:
    """Record money the team raised jointly."""
    if not plan_team_work.test(user, team):
        raise PermissionDenied(_("Only this team's people or the Secretariat record its resources."))
    resource = ResourceMobilised(team=team, **data)
    _check_resource(resource)
    return _save(resource)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def update_resources(*, pk: int, user, data: dict, precondition: Precondition | None = None) -> ResourceMobilised:
    resource = lock_for_write(ResourceMobilised.objects.select_related("team"), pk, precondition)
    if not plan_team_work.test(user, resource.team):
        raise PermissionDenied(_("Only this team's people or the Secretariat record its resources."))
    if "team" in data and data.pop("team") != resource.team:
        raise ValidationError({"team": _("Resources cannot move to another team.")})
    for name, value in data.items():
        setattr(resource, name, value)
    _check_resource(resource)
    return _save(resource)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def delete_resources(*, pk: int, user, precondition: Precondition | None = None) -> None:
    resource = lock_for_write(ResourceMobilised.objects.select_related("team"), pk, precondition)
    if not plan_team_work.test(user, resource.team):
        raise PermissionDenied(_("Only this team's people or the Secretariat record its resources."))
    resource.delete()


# --- outputs ----------------------------------------------------------------------------


def _check_output(output: Output) -> None:
    errors = output_problems(
        workplan=output.workplan,
        cooperation_outcome=output.cooperation_outcome if output.cooperation_outcome_id else None,
        national_framework=output.national_framework if output.national_framework_id else None,
        national_objective=output.national_objective,
    )
    if errors:
        raise ValidationError(errors)


def check_plan_outputs(user, workplan: Workplan) -> None:
    check_edit_workplan(
        user,
        workplan,
        _("This workplan is %(status)s: outputs and their indicators are planned in drafts only.")
        % {"status": _status(workplan)},
    )


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def create_output(*, workplan: Workplan, user, data: dict) -> Output:
    """Add a joint output to a draft workplan (its team, or the Secretariat)."""
    workplan = lock_for_write(Workplan.objects.select_related("team"), workplan.pk)
    check_plan_outputs(user, workplan)
    if "workplan" in data and data.pop("workplan") != workplan:
        raise ValidationError({"workplan": _("An output cannot move to another workplan.")})
    output = Output(workplan=workplan, **data)
    _check_output(output)
    return _save(output)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def update_output(*, pk: int, user, data: dict, precondition: Precondition | None = None) -> Output:
    output = lock_for_write(Output.objects.select_related("workplan__team"), pk, precondition)
    check_plan_outputs(user, output.workplan)
    if "workplan" in data and data.pop("workplan") != output.workplan:
        raise ValidationError({"workplan": _("An output cannot move to another workplan.")})
    for name, value in data.items():
        setattr(output, name, value)
    _check_output(output)
    return _save(output)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def delete_output(*, pk: int, user, precondition: Precondition | None = None) -> None:
    """Delete an output of a draft; its activities stay, without an output. The history keeps it."""
    output = lock_for_write(Output.objects.select_related("workplan__team"), pk, precondition)
    check_plan_outputs(user, output.workplan)
    _delete_unless_reported(output, _("Values are reported against this output's indicators: it cannot be deleted."))


# --- reporting periods (the Secretariat's) ------------------------------------------------


def closed_year(workplan: Workplan) -> ReportingPeriod | None:
    """The workplan year's annual period, once closed: the year's activities and progress are then locked."""
    return (
        ReportingPeriod.objects.filter(year=workplan.year, kind=ReportingPeriod.Kind.ANNUAL, closed_at__isnull=False)
        .order_by("pk")
        .first()
    )


def _required_reason(period: ReportingPeriod, reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            {
                "reason": _("The %(period)s period is closed: say why you change its data (kept in the history).")
                % {"period": period}
            }  # fmt: skip
        )
    return reason


def _history_reason(reason: str) -> str:
    return reason if len(reason) <= 100 else reason[:99] + "…"


def check_year_open(user, workplan: Workplan, reason: str = "") -> str:
    """Refuse a change to a closed year's activities and progress, except the Secretariat's with a reason
    (returned, to keep in the history); "" when the year is open."""
    period = closed_year(workplan)
    if period is None:
        return ""
    if not is_secretariat(user):
        raise StateConflict(
            _(
                "The %(period)s period is closed: this workplan's activities and progress are read-only. "
                "The Secretariat can change them, saying why."
            )
            % {"period": period},
            "locked",
        )
    return _required_reason(period, reason)


def check_manage_periods(user) -> None:
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the Secretariat sets reporting periods."))


def default_period(year: int, day=None) -> ReportingPeriod | None:
    """The open period of `year` a progress update of `day` goes into: the first that ends on or after
    that day, else the year's last open one; None when the Secretariat has set none."""
    periods = list(ReportingPeriod.objects.filter(year=year, closed_at__isnull=True).order_by("end_date"))
    if not periods:
        return None
    if day is not None:
        for period in periods:
            if period.end_date >= day:
                return period
    return periods[-1]


def check_period_open_for(period: ReportingPeriod, year: int, field: str, closed_ok: bool = False) -> None:
    """A report goes into an open period of the workplan's year (`closed_ok`: the Secretariat's, into any)."""
    if period.year != year:
        raise ValidationError({field: _("Choose a period of %(year)s, the workplan's year.") % {"year": year}})
    if period.is_closed and not closed_ok:
        raise ValidationError(
            {field: _("The %(period)s period is closed: report in an open period.") % {"period": period}}
        )


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def create_period(*, user, data: dict) -> ReportingPeriod:
    check_manage_periods(user)
    return _save(ReportingPeriod(**data))


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def update_period(*, pk: int, user, data: dict, precondition: Precondition | None = None) -> ReportingPeriod:
    period = lock_for_write(ReportingPeriod.objects.all(), pk, precondition)
    check_manage_periods(user)
    for name in ("year", "kind"):
        if name in data and data[name] != getattr(period, name) and _period_used(period):
            raise ValidationError(
                {name: _("Values or progress are already reported for this period: its year and kind stay.")}
            )
    for name, value in data.items():
        setattr(period, name, value)
    return _save(period)


def _period_used(period: ReportingPeriod) -> bool:
    """Whether anything is reported for the period: progress updates here, values in the apps above."""
    return any(
        relation.related_model._default_manager.filter(**{relation.field.name: period}).exists()
        for relation in period._meta.related_objects
        if not relation.related_model.__name__.startswith("Historical")
    )


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def close_period(*, pk: int, user, precondition: Precondition | None = None) -> ReportingPeriod:
    """Lock the period: its values and progress can no longer be entered, corrected or decided
    (the Secretariat can unlock a value, with a reason)."""
    period = lock_for_write(ReportingPeriod.objects.all(), pk, precondition)
    check_manage_periods(user)
    if period.is_closed:
        raise StateConflict(_("The %(period)s period is already closed.") % {"period": period}, "closed")
    period.closed_at, period.closed_by = timezone.now(), user
    period.save(update_fields=["closed_at", "closed_by", "updated_at"])
    return period


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def reopen_period(*, pk: int, user, reason: str, precondition: Precondition | None = None) -> ReportingPeriod:
    """Open a closed period again, saying why (kept in the period's history)."""
    period = lock_for_write(ReportingPeriod.objects.all(), pk, precondition)
    check_manage_periods(user)
    if not period.is_closed:
        raise StateConflict(_("The %(period)s period is open.") % {"period": period}, "open")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the period is opened again: it is kept in its history.")})
    period.closed_at = period.closed_by = None
    period._change_reason = reason
    period.save(update_fields=["closed_at", "closed_by", "updated_at"])
    return period


# --- contributions and joint proposals ---------------------------------------------------------------


def check_record_contribution(user, activity: Activity) -> None:
    """Who says what an agency puts into an activity: the team's people (whatever the plan's state, as
    for budget available) and the Secretariat."""
    if not rules.report_progress.test(user, activity):
        raise PermissionDenied(_("Only this team's people or the Secretariat record its contributions."))


def _check_contribution(contribution: Contribution) -> None:
    errors = {}
    if not contribution.funder.is_active and contribution.funder_id != getattr(contribution, "_saved_funder_id", None):
        errors["funder"] = [_("This funding source is no longer offered: choose another one.")]
    if contribution.person_days and contribution.kind in (Contribution.Kind.CASH, Contribution.Kind.IN_KIND):
        errors["person_days"] = [_("Person-days are for staff time and technical assistance.")]
    if errors:
        raise ValidationError(errors)


def _recompute_available(activity: Activity) -> None:
    """The activity's budget available: the sum of its contributions' amounts (its own currency)."""
    total = sum((c.amount for c in activity.contributions.all()), start=Decimal("0"))
    if activity.contributions.exists() and activity.budget_available != total:
        activity.budget_available = total
        activity.save(update_fields=["budget_available", "updated_at"])


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def create_contribution(*, activity: Activity, user, data: dict) -> Contribution:
    """One agency's part in an activity; the activity's budget available becomes the sum of its parts."""
    activity = lock_for_write(Activity.objects.select_related("workplan__team"), activity.pk)
    check_record_contribution(user, activity)
    data = dict(data)
    if "activity" in data and data.pop("activity") != activity:
        raise ValidationError({"activity": _("A contribution cannot move to another activity.")})
    contribution = Contribution(activity=activity, **data)
    _check_contribution(contribution)
    _save(contribution)
    _recompute_available(activity)
    return contribution


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def update_contribution(*, pk: int, user, data: dict, precondition: Precondition | None = None) -> Contribution:
    contribution = lock_for_write(
        Contribution.objects.select_related("activity__workplan__team", "funder"), pk, precondition
    )
    check_record_contribution(user, contribution.activity)
    data = dict(data)
    if "activity" in data and data.pop("activity") != contribution.activity:
        raise ValidationError({"activity": _("A contribution cannot move to another activity.")})
    contribution._saved_funder_id = contribution.funder_id
    for name, value in data.items():
        setattr(contribution, name, value)
    _check_contribution(contribution)
    _save(contribution)
    _recompute_available(Activity.objects.select_for_update().get(pk=contribution.activity_id))
    return contribution


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def delete_contribution(*, pk: int, user, precondition: Precondition | None = None) -> None:
    """Remove a line; the history keeps it. With no line left, budget available stays as it was."""
    contribution = lock_for_write(Contribution.objects.select_related("activity__workplan__team"), pk, precondition)
    check_record_contribution(user, contribution.activity)
    activity = Activity.objects.select_for_update().get(pk=contribution.activity_id)
    contribution.delete()
    _recompute_available(activity)


def check_record_proposal(user, team) -> None:
    if not plan_team_work.test(user, team):
        raise PermissionDenied(_("Only this team's people or the Secretariat record its joint proposals."))


PROPOSAL_DOCUMENT_TYPES = {b"%PDF-": "PDF", b"PK\x03\x04": "Office Open XML / OpenDocument"}
PROPOSAL_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


# The dates a proposal records once it reaches each status (asked when the status changes: a proposal
# recorded from a source without its dates, like the brief's, keeps its status until someone edits it).
PROPOSAL_DATES = {
    JointProposal.Status.SUBMITTED: ("submitted_on",),
    JointProposal.Status.APPROVED: ("submitted_on", "decided_on"),
    JointProposal.Status.REJECTED: ("submitted_on", "decided_on"),
    JointProposal.Status.RECEIVED: ("submitted_on", "decided_on", "received_on"),
}


def _check_proposal(proposal: JointProposal, m2m: dict, previous_status: str | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if proposal.status != previous_status:
        for name in PROPOSAL_DATES.get(proposal.status, ()):
            if getattr(proposal, name) is None:
                errors[name] = [
                    _("A proposal that is %(status)s says when it was %(event)s.")
                    % {
                        "status": proposal.get_status_display().lower(),
                        "event": {
                            "submitted_on": _("submitted"),
                            "decided_on": _("decided"),
                            "received_on": _("received"),
                        }[name],
                    }
                ]
    for name, label in (("activities", _("activities")), ("outputs", _("outputs"))):
        foreign = [str(item) for item in m2m.get(name) or [] if item.workplan.team_id != proposal.team_id]
        if foreign:
            errors[name] = [_("Not this team's %(what)s: %(items)s.") % {"what": label, "items": "; ".join(foreign)}]
    dates = [proposal.submitted_on, proposal.decided_on, proposal.received_on]
    known = [day for day in dates if day is not None]
    if known != sorted(known):
        errors["decided_on"] = [_("The dates follow each other: submitted, then decided, then received.")]
    document = proposal.document
    if document and not getattr(document, "_committed", True):
        head = document.read(8)
        document.seek(0)
        if document.size > PROPOSAL_DOCUMENT_MAX_BYTES:
            errors["document"] = [_("The document is larger than 20 MB.")]
        elif not any(head.startswith(magic) for magic in PROPOSAL_DOCUMENT_TYPES):
            errors["document"] = [_("Attach the proposal as a PDF or an Office document (.docx, .xlsx, .odt).")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def create_proposal(*, team, user, data: dict) -> JointProposal:
    """A joint proposal of `team`: title, donor, agencies, amount requested, where it stands."""
    check_record_proposal(user, team)
    plain, m2m = _split_m2m(JointProposal, {k: v for k, v in data.items() if k != "team"})
    if "team" in data and data["team"] != team:
        raise ValidationError({"team": _("A proposal cannot move to another team.")})
    proposal = JointProposal(team=team, **plain)
    _check_proposal(proposal, m2m)
    if not m2m.get("agencies"):
        raise ValidationError({"agencies": _("Name the agencies proposing it together.")})
    return _save(proposal, m2m)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def update_proposal(*, pk: int, user, data: dict, precondition: Precondition | None = None) -> JointProposal:
    proposal = lock_for_write(JointProposal.objects.select_related("team"), pk, precondition)
    check_record_proposal(user, proposal.team)
    data = dict(data)
    if "team" in data and data.pop("team") != proposal.team:
        raise ValidationError({"team": _("A proposal cannot move to another team.")})
    plain, m2m = _split_m2m(JointProposal, data)
    previous_status = proposal.status
    for name, value in plain.items():
        setattr(proposal, name, value)
    _check_proposal(proposal, m2m, previous_status)
    if "agencies" in m2m and not m2m["agencies"]:
        raise ValidationError({"agencies": _("Name the agencies proposing it together.")})
    return _save(proposal, m2m)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def delete_proposal(*, pk: int, user, precondition: Precondition | None = None) -> None:
    proposal = lock_for_write(JointProposal.objects.select_related("team"), pk, precondition)
    check_record_proposal(user, proposal.team)
    proposal.delete()
