"""Who may change a workplan, its activities and their progress.

Activities are planned while the workplan is a draft; after submission only
the Secretariat changes the plan itself, while the team still reports
progress (status, budget available, budget spent).
"""

import rules
from django.db.models import Q

from accounts.rules import is_secretariat, is_signed_in, register
from teams.rules import is_team_convener, is_team_member

from .models import EndorsementRequest, EndorsementRound, Workplan


@rules.predicate
def workplan_is_draft(user, workplan) -> bool:
    return workplan is not None and workplan.status == Workplan.Status.DRAFT


@rules.predicate
def workplan_is_submitted(user, workplan) -> bool:
    return workplan is not None and workplan.status == Workplan.Status.SUBMITTED


@rules.predicate
def workplan_not_draft(user, workplan) -> bool:
    return workplan is not None and workplan.status != Workplan.Status.DRAFT


@rules.predicate
def workplan_is_endorsed(user, workplan) -> bool:
    return workplan is not None and workplan.status == Workplan.Status.ENDORSED


@rules.predicate
def workplan_not_acknowledged(user, workplan) -> bool:
    return workplan is not None and workplan.acknowledged_at is None


def open_round(workplan) -> EndorsementRound | None:
    """The workplan's round waiting for signatories, if any (cached on the object for the request)."""
    if workplan is None or workplan.pk is None:
        return None
    if not hasattr(workplan, "_open_round"):
        workplan._open_round = EndorsementRound.objects.filter(workplan=workplan, status="open").first()
    return workplan._open_round


@rules.predicate
def waits_for_signatories(user, workplan) -> bool:
    return open_round(workplan) is not None


def answerable_requests(user, workplan):
    """The pending requests of the open round this user answers: those naming their person as the
    signatory, and (for the team's conveners) those naming nobody."""
    found = open_round(workplan)
    if found is None or not is_signed_in(user):
        return EndorsementRequest.objects.none()
    mine = EndorsementRequest.objects.filter(round=found, status=EndorsementRequest.Status.PENDING)
    person_id = getattr(user, "person_id", None)
    who = Q(signatory_id=person_id) if person_id else Q(pk__in=[])
    if is_team_convener(user, workplan):
        who |= Q(signatory__isnull=True)
    return mine.filter(who)


@rules.predicate
def answers_for_an_agency(user, workplan) -> bool:
    return answerable_requests(user, workplan).exists()


@rules.predicate
def signs_in_open_round(user, workplan) -> bool:
    found = open_round(workplan)
    person_id = getattr(user, "person_id", None)
    return bool(found and person_id and found.requests.filter(signatory_id=person_id).exists())


# Who acts on a team's plan at all, whatever its state: the roles behind the rules below.
works_on_plan = is_secretariat | is_team_member
runs_workflow = is_secretariat | is_team_convener

view_workplan = is_signed_in
edit_workplan = is_secretariat | (is_team_member & workplan_is_draft)
# Asked about an activity (or a workplan): the team's people report progress whatever the plan's state.
report_progress = is_secretariat | is_team_member
submit_workplan = (is_secretariat | is_team_convener) & workplan_is_draft
# Joint endorsement: each member agency's signatory answers for their agency; a plan submitted before
# joint endorsement existed (no round) is endorsed by its convener alone; the Secretariat records
# answers received outside the portal.
endorse_workplan = workplan_is_submitted & (
    is_secretariat | answers_for_an_agency | (is_team_convener & ~waits_for_signatories)
)
# Who endorses at all (the role, whatever the state): for the refusal's message.
takes_part_in_endorsement = is_secretariat | is_team_convener | answers_for_an_agency | signs_in_open_round
return_workplan = workplan_is_submitted & (is_secretariat | is_team_convener | signs_in_open_round)
acknowledge_workplan = is_secretariat & workplan_is_endorsed & workplan_not_acknowledged
# Deprecated: a submitted plan goes back to draft by being returned; an endorsed one is amended.
reopen_workplan = (is_secretariat | is_team_convener) & workplan_is_submitted
amend_workplan = (is_secretariat | is_team_convener) & workplan_is_endorsed
designate_signatories = is_secretariat | is_team_convener

register(
    {
        "view_workplan": view_workplan,
        "edit_workplan": edit_workplan,
        "report_progress": report_progress,
        "submit_workplan": submit_workplan,
        "endorse_workplan": endorse_workplan,
        "reopen_workplan": reopen_workplan,
        "return_workplan": return_workplan,
        "acknowledge_workplan": acknowledge_workplan,
        "amend_workplan": amend_workplan,
        "designate_signatories": designate_signatories,
    }
)
