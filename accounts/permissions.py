"""Who may do what: the one place the portal's permission rules live.

Every view, API endpoint and job asks these functions (or Django's
`user.has_perm(...)`, which the `rules` backend answers from the same
predicates). Roles, from product.md:

- Secretariat staff: everything.
- Convener of a team: what its focal points may, plus submit and endorse the
  team's workplan.
- Focal point of a team: edit the team's roster and workplan, report progress.
- Viewer (any other signed-in user): read everything except contact details
  of teams they are not part of.

A user's teams come from their person record: running convener terms and
running focal point appointments. They are looked up once per user object.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import rules
from django.utils import timezone

from unnutrition.models import current_on

CONVENER = "convener"
FOCAL_POINT = "focal_point"


@dataclass(frozen=True)
class TeamRoles:
    """The team ids where a user is a convener or a focal point today."""

    convener_of: frozenset[int] = field(default_factory=frozenset)
    focal_point_of: frozenset[int] = field(default_factory=frozenset)

    @property
    def team_ids(self) -> frozenset[int]:
        return self.convener_of | self.focal_point_of


def team_roles(user) -> TeamRoles:
    """The user's team roles, cached on the user object for the request.

    A subnational group is run by the people of its country team, so its id
    is added wherever its parent's is.
    """
    cached = getattr(user, "_team_roles", None)
    if cached is not None:
        return cached
    roles = TeamRoles()
    person_id = getattr(user, "person_id", None)
    if user.is_authenticated and person_id:
        from teams.models import ConvenerTerm, FocalPoint, Team

        today = timezone.localdate()
        convener_of = set(
            ConvenerTerm.objects.filter(current_on(today), person_id=person_id).values_list("team_id", flat=True)
        )
        focal_point_of = set(
            FocalPoint.objects.filter(
                current_on(today), current_on(today, "member__"), person_id=person_id
            ).values_list("member__team_id", flat=True)
        )
        for team_id, parent_id in Team.objects.filter(parent_id__in=convener_of | focal_point_of).values_list(
            "pk", "parent_id"
        ):
            for ids in (convener_of, focal_point_of):
                if parent_id in ids:
                    ids.add(team_id)
        roles = TeamRoles(frozenset(convener_of), frozenset(focal_point_of))
    user._team_roles = roles
    return roles


def role_of(user) -> str:
    """The user's broadest role, for display: secretariat, convener, focal_point or viewer."""
    if not user.is_authenticated:
        return "anonymous"
    if is_secretariat(user):
        return "secretariat"
    roles = team_roles(user)
    if roles.convener_of:
        return CONVENER
    if roles.focal_point_of:
        return FOCAL_POINT
    return "viewer"


def _team_id(obj) -> int | None:
    """The team a team-scoped record belongs to: a team, workplan, activity, member..."""
    from teams.models import Team

    if isinstance(obj, Team):
        return obj.pk
    for path in ("team_id", "workplan.team_id", "activity.workplan.team_id", "member.team_id"):
        target = obj
        for part in path.split("."):
            target = getattr(target, part, None)
            if target is None:
                break
        if target is not None:
            return target
    return None


# --- predicates ---------------------------------------------------------------


@rules.predicate
def is_secretariat(user) -> bool:
    return bool(user.is_authenticated and (user.is_secretariat or user.is_superuser) and user.is_active)


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


@rules.predicate
def is_team_convener(user, obj) -> bool:
    return is_signed_in(user) and _team_id(obj) in team_roles(user).convener_of


@rules.predicate
def is_team_focal_point(user, obj) -> bool:
    return is_signed_in(user) and _team_id(obj) in team_roles(user).focal_point_of


is_team_member = is_team_convener | is_team_focal_point


@rules.predicate
def workplan_is_draft(user, workplan) -> bool:
    from workplans.models import Workplan

    return workplan is not None and workplan.status == Workplan.Status.DRAFT


@rules.predicate
def workplan_is_submitted(user, workplan) -> bool:
    from workplans.models import Workplan

    return workplan is not None and workplan.status == Workplan.Status.SUBMITTED


@rules.predicate
def workplan_not_draft(user, workplan) -> bool:
    from workplans.models import Workplan

    return workplan is not None and workplan.status != Workplan.Status.DRAFT


# --- the rules -----------------------------------------------------------------

view_team = is_signed_in
view_team_contacts = is_secretariat | is_team_member
edit_team_roster = is_secretariat | is_team_member
view_workplan = is_signed_in
# Activities are planned while the workplan is a draft; after submission only
# the Secretariat changes the plan itself (progress can still be reported).
edit_workplan = is_secretariat | (is_team_member & workplan_is_draft)
report_progress = is_secretariat | is_team_member
submit_workplan = (is_secretariat | is_team_convener) & workplan_is_draft
endorse_workplan = (is_secretariat | is_team_convener) & workplan_is_submitted
reopen_workplan = (is_secretariat | is_team_convener) & workplan_not_draft
manage_reference_data = is_secretariat
# Country reports (roster, contacts, workplan) for the team's own people;
# global and regional ones for the Secretariat.
request_team_report = is_secretariat | is_team_member
run_global_reports = is_secretariat


@rules.predicate
def requested_the_report(user, run) -> bool:
    return run is not None and run.requested_by_id is not None and run.requested_by_id == user.pk


# A report can carry contact details: only its requester and the Secretariat download it.
download_report = is_secretariat | (is_signed_in & requested_the_report)
issue_api_tokens = is_secretariat

RULES = {
    "view_team": view_team,
    "view_team_contacts": view_team_contacts,
    "edit_team_roster": edit_team_roster,
    "view_workplan": view_workplan,
    "edit_workplan": edit_workplan,
    "report_progress": report_progress,
    "submit_workplan": submit_workplan,
    "endorse_workplan": endorse_workplan,
    "reopen_workplan": reopen_workplan,
    "manage_reference_data": manage_reference_data,
    "request_team_report": request_team_report,
    "run_global_reports": run_global_reports,
    "download_report": download_report,
    "issue_api_tokens": issue_api_tokens,
}

for _name, _rule in RULES.items():
    rules.add_perm(f"portal.{_name}", _rule)


# --- plain functions for views, serializers and jobs ---------------------------


def can_view_team(user, team) -> bool:
    return view_team.test(user, team)


def can_view_team_contacts(user, team) -> bool:
    return view_team_contacts.test(user, team)


def can_edit_team_roster(user, team) -> bool:
    return edit_team_roster.test(user, team)


def can_view_workplan(user, workplan) -> bool:
    return view_workplan.test(user, workplan)


def can_edit_workplan(user, workplan) -> bool:
    return edit_workplan.test(user, workplan)


def can_report_progress(user, activity) -> bool:
    return report_progress.test(user, activity)


def can_submit_workplan(user, workplan) -> bool:
    return submit_workplan.test(user, workplan)


def can_endorse_workplan(user, workplan) -> bool:
    return endorse_workplan.test(user, workplan)


def can_reopen_workplan(user, workplan) -> bool:
    return reopen_workplan.test(user, workplan)


def can_request_team_report(user, team) -> bool:
    return request_team_report.test(user, team)


def can_manage_reference_data(user) -> bool:
    return manage_reference_data.test(user)


def can_run_global_reports(user) -> bool:
    return run_global_reports.test(user)


def can_download_report(user, run) -> bool:
    return download_report.test(user, run)


def can_issue_api_tokens(user) -> bool:
    return issue_api_tokens.test(user)


def editable_team_ids(user) -> frozenset[int] | None:
    """Teams whose records the user may change; None means all of them."""
    if is_secretariat(user):
        return None
    return team_roles(user).team_ids
