"""Who may do what with a team's records. Roles, from product.md:

- Secretariat staff: everything.
- Convener of a team: what its focal points may, plus the workplan workflow.
- Focal point of a team: keep the team's workplan, report progress and resources.
- Viewer (any other signed-in user): read everything except contact details of
  teams they are not part of.
"""

import rules

from accounts.rules import is_secretariat, is_signed_in, register

from .models import Team, team_roles

CONVENER = "convener"
FOCAL_POINT = "focal_point"


def team_id_of(obj) -> int | None:
    """The team a team-owned record belongs to: a team, workplan, activity, progress update, member..."""
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


@rules.predicate
def is_team_convener(user, obj) -> bool:
    return is_signed_in(user) and team_id_of(obj) in team_roles(user).convener_of


@rules.predicate
def is_team_focal_point(user, obj) -> bool:
    return is_signed_in(user) and team_id_of(obj) in team_roles(user).focal_point_of


is_team_member = is_team_convener | is_team_focal_point

# Everyone signed in reads teams and rosters; contact details only the team and the Secretariat.
view_team = is_signed_in
view_team_contacts = is_secretariat | is_team_member
# Start a team's workplan (new or copied from last year) and record the money it raised.
plan_team_work = is_secretariat | is_team_member
# Keep the roster: add focal points, update their contacts, end them, mark the primary one,
# propose a member agency (teams.services). The team's conveners and focal points, the Secretariat.
edit_team_roster = is_secretariat | is_team_member
# Invite people into the team's roles and decide its access requests (access.services).
convene_team = is_secretariat | is_team_convener
# Confirm or decline a proposed member agency, end a membership.
decide_membership = is_secretariat


def may_write_somewhere(user) -> bool:
    """Secretariat staff, conveners and focal points write; viewers only read."""
    return bool(is_secretariat(user) or team_roles(user).team_ids)


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


register(
    {
        "view_team": view_team,
        "view_team_contacts": view_team_contacts,
        "plan_team_work": plan_team_work,
        "edit_team_roster": edit_team_roster,
        "convene_team": convene_team,
        "decide_membership": decide_membership,
    }
)
