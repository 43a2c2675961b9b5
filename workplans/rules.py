"""Who may change a workplan, its activities and their progress.

Activities are planned while the workplan is a draft; after submission only
the Secretariat changes the plan itself, while the team still reports
progress (status, budget available, budget spent).
"""

import rules

from accounts.rules import is_secretariat, is_signed_in, register
from teams.rules import is_team_convener, is_team_member

from .models import Workplan


@rules.predicate
def workplan_is_draft(user, workplan) -> bool:
    return workplan is not None and workplan.status == Workplan.Status.DRAFT


@rules.predicate
def workplan_is_submitted(user, workplan) -> bool:
    return workplan is not None and workplan.status == Workplan.Status.SUBMITTED


@rules.predicate
def workplan_not_draft(user, workplan) -> bool:
    return workplan is not None and workplan.status != Workplan.Status.DRAFT


# Who acts on a team's plan at all, whatever its state: the roles behind the rules below.
works_on_plan = is_secretariat | is_team_member
runs_workflow = is_secretariat | is_team_convener

view_workplan = is_signed_in
edit_workplan = is_secretariat | (is_team_member & workplan_is_draft)
# Asked about an activity (or a workplan): the team's people report progress whatever the plan's state.
report_progress = is_secretariat | is_team_member
submit_workplan = (is_secretariat | is_team_convener) & workplan_is_draft
endorse_workplan = (is_secretariat | is_team_convener) & workplan_is_submitted
reopen_workplan = (is_secretariat | is_team_convener) & workplan_not_draft

register(
    {
        "view_workplan": view_workplan,
        "edit_workplan": edit_workplan,
        "report_progress": report_progress,
        "submit_workplan": submit_workplan,
        "endorse_workplan": endorse_workplan,
        "reopen_workplan": reopen_workplan,
    }
)
