"""Joint endorsement and amendments, through the services (workplans/endorsement.py), with the
notifications they record (cycle)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.services import StateConflict
from cycle.models import Email, Kind, Notification
from workplans import endorsement
from workplans.models import Amendment, EndorsementPolicy, EndorsementRequest, Workplan

from ..factories import make_workplan

pytestmark = pytest.mark.django_db


def kinds_for(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_submission_asks_each_member_agencys_signatory(world):
    plan = endorsement.submit_workplan(workplan=world.plan, user=world.convener, comment="Ready for you")
    assert plan.status == "submitted"
    round_ = plan.endorsement_rounds.get()
    asked = {r.agency.acronym: r.signatory for r in round_.requests.select_related("agency", "signatory")}
    assert asked == {"UNICEF": world.unicef.person, "WHO": world.who.person, "WFP": world.convener.person}
    assert round_.comment == "Ready for you"
    # Every signatory (the convener among them) is told, once, in the portal and by an e-mail in the outbox.
    for user in (world.unicef, world.who, world.convener):
        assert kinds_for(user) == [Kind.WORKPLAN_SUBMITTED]
    assert Email.objects.filter(to="fp@unicef.example.org", status="queued").count() == 1
    assert kinds_for(world.outsider) == []


def test_all_endorse_then_it_is_endorsed_and_the_team_is_told(world):
    endorsement.submit_workplan(workplan=world.plan, user=world.convener)
    endorsement.endorse_workplan(workplan=world.plan, user=world.unicef, comment="Fine for UNICEF")
    endorsement.endorse_workplan(workplan=world.plan, user=world.convener)
    plan = Workplan.objects.get(pk=world.plan.pk)
    assert plan.status == "submitted"  # WHO has not answered
    with pytest.raises(StateConflict, match="already answered"):
        endorsement.endorse_workplan(workplan=plan, user=world.unicef)
    endorsement.endorse_workplan(workplan=plan, user=world.who)
    plan.refresh_from_db()
    assert plan.status == "endorsed" and plan.endorsed_by == world.who and plan.endorsed_at
    request = EndorsementRequest.objects.get(agency__acronym="UNICEF")
    assert (request.status, request.comment, request.decided_by) == ("endorsed", "Fine for UNICEF", world.unicef)
    assert Kind.WORKPLAN_ENDORSED in kinds_for(world.unicef)
    # The convener heard of each agency's endorsement (a daily digest by default: no e-mail yet).
    given = Notification.objects.filter(recipient=world.convener, kind=Kind.ENDORSEMENT_GIVEN)
    assert given.count() == 2 and not given.filter(email__isnull=False).exists()


def test_a_signatory_returns_it_with_a_reason_and_the_team_resubmits(world):
    endorsement.submit_workplan(workplan=world.plan, user=world.convener)
    endorsement.endorse_workplan(workplan=world.plan, user=world.unicef)
    with pytest.raises(ValidationError) as error:
        endorsement.return_workplan(workplan=world.plan, user=world.who, reason="  ")
    assert "reason" in error.value.message_dict
    endorsement.return_workplan(workplan=world.plan, user=world.who, reason="The budget lines do not add up.")
    plan = Workplan.objects.get(pk=world.plan.pk)
    assert (plan.status, plan.submitted_at) == ("draft", None)
    first = plan.endorsement_rounds.get()
    assert (first.status, first.close_comment, first.closed_by) == ("returned", "The budget lines do not add up.",
                                                                     world.who)  # fmt: skip
    statuses = dict(first.requests.values_list("agency__acronym", "status"))
    assert statuses == {"UNICEF": "endorsed", "WHO": "returned", "WFP": "closed"}
    returned = Notification.objects.get(recipient=world.convener, kind=Kind.WORKPLAN_RETURNED)
    assert returned.params["reason"] == "The budget lines do not add up."
    # Fixed and submitted again: a new round asks everyone again.
    endorsement.submit_workplan(workplan=plan, user=world.convener, comment="Fixed the totals")
    for user in (world.unicef, world.who, world.convener):
        endorsement.endorse_workplan(workplan=plan, user=user)
    plan.refresh_from_db()
    assert plan.status == "endorsed"
    assert list(plan.endorsement_rounds.order_by("number").values_list("status", flat=True)) == ["returned", "endorsed"]
    # Every step is in the history, with its comment.
    reasons = [h.history_change_reason for h in plan.history.order_by("history_date")]
    assert (
        "Returned: The budget lines do not add up." in reasons
        and "Submitted for endorsement (round 2): Fixed the totals" in reasons
    )


def test_only_the_people_of_the_round_act(world):
    endorsement.submit_workplan(workplan=world.plan, user=world.convener)
    with pytest.raises(PermissionDenied):
        endorsement.endorse_workplan(workplan=world.plan, user=world.outsider)
    with pytest.raises(PermissionDenied):
        endorsement.return_workplan(workplan=world.plan, user=world.outsider, reason="no")
    with pytest.raises(PermissionDenied):
        endorsement.submit_workplan(workplan=make_workplan(world.chad, 2027), user=world.unicef)


def test_the_secretariat_records_answers_received_outside_the_portal(world):
    endorsement.submit_workplan(workplan=world.plan, user=world.convener)
    endorsement.endorse_workplan(workplan=world.plan, user=world.unicef)
    endorsement.endorse_workplan(workplan=world.plan, user=world.secretariat, comment="Signed copies by e-mail")
    plan = Workplan.objects.get(pk=world.plan.pk)
    assert plan.status == "endorsed"
    behalf = EndorsementRequest.objects.filter(on_behalf=True)
    assert sorted(behalf.values_list("agency__acronym", flat=True)) == ["WFP", "WHO"]
    assert not EndorsementRequest.objects.get(agency__acronym="UNICEF").on_behalf
    endorsement.acknowledge_workplan(workplan=plan, user=world.secretariat, comment="Noted")
    plan.refresh_from_db()
    assert plan.acknowledged_by == world.secretariat
    assert Kind.WORKPLAN_ACKNOWLEDGED in kinds_for(world.convener)
    with pytest.raises(StateConflict):
        endorsement.acknowledge_workplan(workplan=plan, user=world.secretariat)
    with pytest.raises(PermissionDenied):
        endorsement.acknowledge_workplan(workplan=plan, user=world.convener)


def test_a_plan_submitted_before_joint_endorsement_is_endorsed_by_its_convener(world):
    legacy = make_workplan(world.chad, 2025, status="submitted")
    endorsement.endorse_workplan(workplan=legacy, user=world.convener)
    legacy.refresh_from_db()
    assert (legacy.status, legacy.endorsed_by) == ("endorsed", world.convener)


def test_no_objection_by_the_deadline_endorses_it(world):
    EndorsementPolicy.objects.create(year=2026, rule="no_objection", response_days=10)
    endorsement.submit_workplan(workplan=world.plan, user=world.convener)
    endorsement.endorse_workplan(workplan=world.plan, user=world.unicef)
    round_ = world.plan.endorsement_rounds.get()
    assert endorsement.close_rounds_past_deadline(today=round_.respond_by) == 0  # the last day is still open
    assert endorsement.close_rounds_past_deadline(today=round_.respond_by + dt.timedelta(days=1)) == 1
    assert endorsement.close_rounds_past_deadline(today=round_.respond_by + dt.timedelta(days=1)) == 0
    world.plan.refresh_from_db()
    assert world.plan.status == "endorsed"
    assert sorted(round_.requests.values_list("status", flat=True)) == ["endorsed", "no_objection", "no_objection"]


def endorse_all(world, plan):
    for user in (world.unicef, world.who, world.convener):
        endorsement.endorse_workplan(workplan=plan, user=user)


def test_an_administrative_correction_needs_the_convener_only(world):
    endorsement.submit_workplan(workplan=world.plan, user=world.convener)
    endorse_all(world, world.plan)
    plan = Workplan.objects.get(pk=world.plan.pk)
    with pytest.raises(StateConflict, match="amendment"):
        endorsement.reopen_workplan(workplan=plan, user=world.convener)
    amendment = endorsement.start_amendment(workplan=plan, user=world.convener, kind="administrative",
                                            reason="Typo in the title")  # fmt: skip
    plan.refresh_from_db()
    assert plan.status == "draft" and plan.endorsed_at  # the endorsement stays on record meanwhile
    activity = plan.activities.get()
    activity.title = "Joint anaemia survey (national)"
    activity.save()
    endorsement.submit_workplan(workplan=plan, user=world.convener)
    plan.refresh_from_db()
    amendment.refresh_from_db()
    assert (plan.status, plan.amendment_number, amendment.status) == ("endorsed", 1, "approved")
    assert [(c["field"], c["before"], c["after"]) for c in amendment.changes] == [
        ("title", "Joint anaemia survey", "Joint anaemia survey (national)")
    ]
    assert plan.endorsement_rounds.count() == 1  # no new round for a correction


def test_a_correction_that_changes_money_is_refused_and_a_budget_change_goes_to_the_agencies(world):
    endorsement.submit_workplan(workplan=world.plan, user=world.convener)
    endorse_all(world, world.plan)
    plan = Workplan.objects.get(pk=world.plan.pk)
    amendment = endorsement.start_amendment(workplan=plan, user=world.convener, kind="administrative", reason="x")
    plan.activities.update(budget_required=Decimal("130000"))
    with pytest.raises(ValidationError, match="Choose another type"):
        endorsement.submit_workplan(workplan=plan, user=world.convener)
    Amendment.objects.filter(pk=amendment.pk).update(kind="budget_minor")
    with pytest.raises(ValidationError, match="changes by 30.0 %"):
        endorsement.submit_workplan(workplan=plan, user=world.convener)
    Amendment.objects.filter(pk=amendment.pk).update(kind="budget_major")
    endorsement.submit_workplan(workplan=plan, user=world.convener, comment="More money for the survey")
    plan.refresh_from_db()
    assert plan.status == "submitted" and plan.amendment_number == 0
    round_ = plan.endorsement_rounds.get(status="open")
    assert round_.amendment_id == amendment.pk
    endorse_all(world, plan)
    plan.refresh_from_db()
    amendment.refresh_from_db()
    assert (plan.status, plan.amendment_number, amendment.status) == ("endorsed", 1, "approved")
    assert {c["field"] for c in amendment.changes} == {"budget_required"}
