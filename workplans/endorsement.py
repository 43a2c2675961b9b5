"""The workplan's workflow: submission, joint endorsement by the member agencies, return, the
Secretariat's acknowledgement, and numbered amendments after endorsement.

These are write services in the style of workplans/services.py (keyword-only, one transaction,
the rule and its translated message once, the concurrency check on the locked row, the data
version), kept in their own module because the workflow is a subject of its own; services.py
keeps the plan's content (activities, outputs, progress, money).

The workflow:

- The convener (or the Secretariat) submits a draft, with a comment: an endorsement round opens
  with one request per running member agency, answered by the agency's signatory
  (`signatories_of`): the person designated for the agency in the team, else the convener for
  their own agency, else the agency's primary focal point. A team with none of these (no member
  agencies recorded) is signed by its convener alone.
- Each signatory endorses for their agency or returns the plan with a reason. The plan is
  endorsed when every request is endorsed; with the Secretariat's "no objection" rule for the
  year (EndorsementPolicy) also when the round's deadline passes and nobody returned it
  (`close_rounds_past_deadline`, run daily by the cycle app's beat job).
- Any signatory of the round, the convener or the Secretariat can return the plan with a reason:
  the round closes, the plan is a draft again, the team fixes it and submits anew (a new round).
- The Secretariat can record an agency's answer received outside the portal (on its behalf).
- The Secretariat acknowledges an endorsed plan.
- An endorsed plan is changed by an amendment (type, reason): the plan becomes a draft again
  with the endorsed version kept on the amendment for a field-by-field comparison; an
  administrative correction is approved by the convener, any other type goes back through
  endorsement. An approved amendment's number is the plan's `amendment_number`.

Every step keeps its comment on its record, and in the history (django-simple-history). Each
sends a domain event (workplans/signals.py) inside its transaction, for notifications.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_secretariat
from agencies.models import Agency
from core import versions
from core.models import current_on
from core.services import Precondition, StateConflict, lock_for_write, require
from countries.models import Person
from teams.models import ConvenerTerm, FocalPoint, Team, TeamMember
from teams.rules import is_team_convener

from . import amendments, rules, signals
from .models import (
    Amendment,
    EndorsementPolicy,
    EndorsementRequest,
    EndorsementRound,
    EndorsementRule,
    Signatory,
    Workplan,
)

Status = Workplan.Status
Round, Request = EndorsementRound.Status, EndorsementRequest.Status


def _status(workplan: Workplan) -> str:
    return workplan.get_status_display().lower()


def _lock(workplan_pk: int, precondition: Precondition | None) -> Workplan:
    return lock_for_write(Workplan.objects.select_related("team"), workplan_pk, precondition)


# --- who signs for each member agency ---------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    """Who signs a team's workplan for `agency`: `person` (None: nobody yet), and why them:
    "designated", "convener" (the convening agency's head) or "focal_point" (its primary one)."""

    agency: Agency
    person: Person | None
    source: str


def signatories_of(team: Team, day: dt.date | None = None) -> list[Signer]:
    """The team's running member agencies, by acronym, each with who signs for it (four queries)."""
    day = day or timezone.localdate()
    members = TeamMember.objects.running_on(day).filter(team=team).select_related("agency").order_by("agency__acronym")
    designated = {s.agency_id: s.person for s in Signatory.objects.filter(team=team).select_related("person__user")}
    conveners = {}
    for term in (
        ConvenerTerm.objects.running_on(day)
        .filter(team=team, person__isnull=False, agency__isnull=False)
        .select_related("person__user")
        .order_by("role")  # the convener before the co-convener
    ):
        conveners.setdefault(term.agency_id, term.person)
    focal_points = {}
    for entry in (
        FocalPoint.objects.filter(current_on(day), current_on(day, "member__"), member__team=team, is_primary=True)
        .select_related("person__user", "member")
        .order_by("person__name", "pk")
    ):
        focal_points.setdefault(entry.member.agency_id, entry.person)
    signers = []
    for member in members:
        for source, people in (("designated", designated), ("convener", conveners), ("focal_point", focal_points)):
            if member.agency_id in people:
                signers.append(Signer(member.agency, people[member.agency_id], source))
                break
        else:
            signers.append(Signer(member.agency, None, ""))
    return signers


def check_designate(user, team: Team) -> None:
    if not rules.designate_signatories.test(user, team):
        raise PermissionDenied(_("Only this team's conveners or the Secretariat designate its signatories."))


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def designate_signatory(*, user, team: Team, agency: Agency, person: Person) -> Signatory:
    """Name who signs the team's workplans for `agency` (a running member), replacing whoever did."""
    check_designate(user, team)
    if not TeamMember.objects.running_on(timezone.localdate()).filter(team=team, agency=agency).exists():
        raise ValidationError(
            {"agency": _("%(agency)s is not a member of this team: only member agencies sign.") % {"agency": agency}}
        )
    signatory = Signatory.objects.select_for_update(of=("self",)).filter(team=team, agency=agency).first()
    if signatory is None:
        signatory = Signatory(team=team, agency=agency)
    signatory.person, signatory.designated_by = person, user
    signatory.full_clean()
    signatory.save()
    return signatory


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def remove_signatory(*, pk: int, user, precondition: Precondition | None = None) -> None:
    """Stop designating: the agency's signatory falls back to its head (convener) or primary focal point."""
    signatory = lock_for_write(Signatory.objects.select_related("team"), pk, precondition)
    check_designate(user, signatory.team)
    signatory.delete()


# --- guards --------------------------------------------------------------------------------------------


def check_submit(user, workplan: Workplan) -> None:
    require(
        rules.submit_workplan,
        rules.runs_workflow,
        user,
        workplan,
        role_message=_("Only a convener of this team can submit its draft workplan."),
        state_message=_("This workplan is %(status)s: only a draft can be submitted.") % {"status": _status(workplan)},
        state=workplan.status,
    )


def check_endorse(user, workplan: Workplan) -> None:
    if rules.endorse_workplan.test(user, workplan):
        return
    if workplan.status != Status.SUBMITTED:
        if rules.takes_part_in_endorsement.test(user, workplan):
            raise StateConflict(
                _("This workplan is %(status)s: only a submitted workplan can be endorsed.")
                % {"status": _status(workplan)},
                workplan.status,
            )
        raise PermissionDenied(_("Only a submitted workplan can be endorsed, by its convener or the Secretariat."))
    if rules.open_round(workplan) is None:  # submitted before joint endorsement: the convener endorses alone
        raise PermissionDenied(_("Only a submitted workplan can be endorsed, by its convener or the Secretariat."))
    if rules.signs_in_open_round.test(user, workplan):
        raise StateConflict(_("You have already answered for your agency in this round."), "answered")
    raise PermissionDenied(
        _(
            "Only the signatories of this team's member agencies endorse this workplan (the Secretariat can record "
            "an answer received outside the portal)."
        )
    )


def check_return(user, workplan: Workplan) -> None:
    require(
        rules.return_workplan,
        rules.takes_part_in_endorsement,
        user,
        workplan,
        role_message=_("Only this workplan's signatories, its conveners or the Secretariat can return it."),
        state_message=_("This workplan is %(status)s: only a submitted workplan can be returned.")
        % {"status": _status(workplan)},
        state=workplan.status,
    )


def check_reopen(user, workplan: Workplan) -> None:
    if workplan.status == Status.ENDORSED and rules.runs_workflow.test(user, workplan):
        raise StateConflict(
            _("This workplan is endorsed: change it through an amendment (its type and reason are recorded)."),
            workplan.status,
        )
    require(
        rules.reopen_workplan,
        rules.runs_workflow,
        user,
        workplan,
        role_message=_("Only a convener of this team or the Secretariat can reopen this workplan."),
        state_message=_("This workplan is already a draft."),
        state=workplan.status,
    )


def check_acknowledge(user, workplan: Workplan) -> None:
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the Secretariat acknowledges endorsed workplans."))
    if workplan.status != Status.ENDORSED:
        raise StateConflict(
            _("This workplan is %(status)s: only an endorsed workplan is acknowledged.")
            % {"status": _status(workplan)},
            workplan.status,
        )
    if workplan.acknowledged_at is not None:
        raise StateConflict(_("The Secretariat has already acknowledged this workplan."), "acknowledged")


def check_amend(user, workplan: Workplan) -> None:
    require(
        rules.amend_workplan,
        rules.runs_workflow,
        user,
        workplan,
        role_message=_("Only a convener of this team or the Secretariat can amend its workplan."),
        state_message=_("This workplan is %(status)s: only an endorsed workplan is amended; a draft is simply edited.")
        % {"status": _status(workplan)},
        state=workplan.status,
    )


# --- submission ----------------------------------------------------------------------------------------


def policy_for(year: int) -> tuple[str, int]:
    """(rule, days to answer) the Secretariat set for `year`, else the defaults."""
    policy = EndorsementPolicy.objects.filter(year=year).first()
    if policy is None:
        return EndorsementRule.ALL, settings.ENDORSEMENT_RESPONSE_DAYS
    return policy.rule, policy.response_days


def open_amendment(workplan: Workplan) -> Amendment | None:
    return workplan.amendments.filter(status__in=[Amendment.Status.OPEN, Amendment.Status.SUBMITTED]).first()


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def submit_workplan(
    *, workplan: Workplan, user, comment: str = "", precondition: Precondition | None = None
) -> Workplan:
    """Submit the draft for endorsement (or, while an amendment is open, submit the amendment)."""
    workplan = _lock(workplan.pk, precondition)
    check_submit(user, workplan)
    amendment = open_amendment(workplan)
    if amendment is not None:
        return _submit_amendment(workplan, amendment, user, comment)
    _open_round(workplan, user, comment)
    return workplan


def _open_round(workplan: Workplan, user, comment: str, amendment: Amendment | None = None) -> EndorsementRound:
    rule, days = policy_for(workplan.year)
    number = (workplan.endorsement_rounds.aggregate(n=Max("number"))["n"] or 0) + 1
    now = timezone.now()
    round_ = EndorsementRound(
        workplan=workplan,
        number=number,
        amendment=amendment,
        rule=rule,
        respond_by=timezone.localdate(now) + dt.timedelta(days=days),
        comment=(comment or "").strip(),
        opened_by=user,
    )
    round_.full_clean()
    round_.save()
    signers = [signer for signer in signatories_of(workplan.team) if signer.person is not None]
    if not signers:
        # No member agency recorded with anyone to sign: the convener signs alone (for their agency).
        term = (
            ConvenerTerm.objects.running_on(timezone.localdate())
            .filter(team=workplan.team, role=ConvenerTerm.Role.CONVENER)
            .select_related("agency", "person")
            .first()
        )
        signers = [Signer(term.agency if term else None, term.person if term else None, "convener")]
    for signer in signers:
        EndorsementRequest.objects.create(round=round_, agency=signer.agency, signatory=signer.person)
    workplan.status = Status.SUBMITTED
    workplan.submitted_by, workplan.submitted_at = user, now
    workplan._change_reason = _history_note(_("Submitted for endorsement (round %(n)s)") % {"n": number}, comment)
    workplan.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    workplan._open_round = round_
    signals.workplan_submitted.send(sender=Workplan, workplan=workplan, round=round_, user=user)
    return round_


def _history_note(what: str, comment: str) -> str:
    """The history's change reason (100 characters at most): what happened, and the comment's start."""
    comment = " ".join((comment or "").split())
    note = f"{what}: {comment}" if comment else what
    return note if len(note) <= 100 else note[:99] + "…"


# --- answers ---------------------------------------------------------------------------------------------


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def endorse_workplan(
    *, workplan: Workplan, user, comment: str = "", precondition: Precondition | None = None
) -> Workplan:
    """Endorse for the agencies the user signs for (the Secretariat: every agency still to answer,
    recorded on their behalf). The plan is endorsed once every agency has."""
    workplan = _lock(workplan.pk, precondition)
    check_endorse(user, workplan)
    comment = (comment or "").strip()
    round_ = rules.open_round(workplan)
    if round_ is None:  # submitted before joint endorsement: its convener (or the Secretariat) endorses alone
        return _endorse(workplan, None, user, comment)
    requests = list(rules.answerable_requests(user, workplan).select_for_update(of=("self",)))
    on_behalf = False
    if not requests and is_secretariat(user):
        requests = list(round_.requests.select_for_update(of=("self",)).filter(status=Request.PENDING))
        on_behalf = True
    now = timezone.now()
    for request in requests:
        request.status, request.comment, request.decided_at, request.decided_by = Request.ENDORSED, comment, now, user
        request.on_behalf = on_behalf
        request._change_reason = _history_note(_("Endorsed"), comment)
        request.save()
        signals.endorsement_given.send(sender=Workplan, workplan=workplan, round=round_, request=request, user=user)
    if not round_.requests.filter(status=Request.PENDING).exists():
        return _endorse(workplan, round_, user, comment)
    return workplan


def _endorse(workplan: Workplan, round_: EndorsementRound | None, user, comment: str) -> Workplan:
    now = timezone.now()
    amendment = None
    if round_ is not None:
        round_.status, round_.closed_at, round_.closed_by, round_.close_comment = Round.ENDORSED, now, user, comment
        round_.save()
        amendment = round_.amendment
    if amendment is not None:
        _approve(workplan, amendment, user)
    else:
        workplan.endorsed_by, workplan.endorsed_at = user, now
    workplan.status = Status.ENDORSED
    workplan.acknowledged_by = workplan.acknowledged_at = None
    workplan._change_reason = _history_note(_("Endorsed"), comment)
    workplan.save()
    workplan._open_round = None
    signals.workplan_endorsed.send(sender=Workplan, workplan=workplan, round=round_, user=user)
    return workplan


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def return_workplan(*, workplan: Workplan, user, reason: str, precondition: Precondition | None = None) -> Workplan:
    """Send the submitted plan back to the team, saying why: the round closes, the plan is a draft again."""
    workplan = _lock(workplan.pk, precondition)
    check_return(user, workplan)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the workplan is returned: the team reads it to fix the plan.")})
    _back_to_draft(workplan, user, reason, Round.RETURNED)
    return workplan


def _back_to_draft(workplan: Workplan, user, reason: str, outcome: str) -> None:
    round_ = rules.open_round(workplan)
    now = timezone.now()
    if round_ is not None:
        own = set(rules.answerable_requests(user, workplan).values_list("pk", flat=True))
        for request in round_.requests.select_for_update(of=("self",)).filter(status=Request.PENDING):
            if request.pk in own and outcome == Round.RETURNED:
                request.status, request.comment = Request.RETURNED, reason
                request.decided_at, request.decided_by = now, user
            else:
                request.status = Request.CLOSED
            request.save()
        round_.status, round_.closed_at, round_.closed_by, round_.close_comment = outcome, now, user, reason
        round_.save()
        if round_.amendment_id is not None:
            Amendment.objects.filter(pk=round_.amendment_id).update(status=Amendment.Status.OPEN)
    workplan.status = Status.DRAFT
    workplan.submitted_by = workplan.submitted_at = None
    amendment = open_amendment(workplan)
    if amendment is None:  # an amended plan keeps its last endorsement on record while it is reworked
        workplan.endorsed_by = workplan.endorsed_at = None
    workplan._change_reason = _history_note(_("Returned") if outcome == Round.RETURNED else _("Withdrawn"), reason)
    workplan.save()
    workplan._open_round = None
    signals.workplan_returned.send(sender=Workplan, workplan=workplan, round=round_, reason=reason, user=user)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def reopen_workplan(
    *, workplan: Workplan, user, reason: str = "", precondition: Precondition | None = None
) -> Workplan:
    """Deprecated (API `reopen`): withdraw a submitted plan back to draft. An endorsed plan is amended."""
    workplan = _lock(workplan.pk, precondition)
    check_reopen(user, workplan)
    _back_to_draft(workplan, user, (reason or "").strip() or _("Reopened as a draft"), Round.WITHDRAWN)
    return workplan


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def acknowledge_workplan(
    *, workplan: Workplan, user, comment: str = "", precondition: Precondition | None = None
) -> Workplan:
    """The Secretariat acknowledges the endorsed plan (or its latest amendment)."""
    workplan = _lock(workplan.pk, precondition)
    check_acknowledge(user, workplan)
    comment = (comment or "").strip()
    workplan.acknowledged_by, workplan.acknowledged_at = user, timezone.now()
    workplan._change_reason = _history_note(_("Acknowledged by the Secretariat"), comment)
    workplan.save(update_fields=["acknowledged_by", "acknowledged_at", "updated_at"])
    signals.workplan_acknowledged.send(sender=Workplan, workplan=workplan, comment=comment, user=user)
    return workplan


def rounds_past_deadline(today: dt.date | None = None):
    """Open rounds under the "no objection" rule whose deadline has passed."""
    today = today or timezone.localdate()
    return EndorsementRound.objects.filter(
        status=Round.OPEN, rule=EndorsementRule.NO_OBJECTION, respond_by__lt=today
    ).order_by("pk")


@versions.writes(versions.WORKPLANS)
def close_rounds_past_deadline(*, today: dt.date | None = None) -> int:
    """Endorse each plan whose "no objection" deadline passed with nobody returning it: the agencies
    that did not answer are recorded as not objecting. Each plan in its own transaction; running it
    twice changes nothing more. Returns how many plans were endorsed."""
    done = 0
    for round_id, workplan_id in rounds_past_deadline(today).values_list("pk", "workplan_id"):
        with transaction.atomic():
            workplan = Workplan.objects.select_for_update(of=("self",)).select_related("team").get(pk=workplan_id)
            round_ = (
                EndorsementRound.objects.select_for_update(of=("self",)).filter(pk=round_id, status=Round.OPEN).first()
            )
            if round_ is None or round_.respond_by >= (today or timezone.localdate()):
                continue
            now = timezone.now()
            for request in round_.requests.select_for_update(of=("self",)).filter(status=Request.PENDING):
                request.status, request.decided_at = Request.NO_OBJECTION, now
                request._change_reason = _("No objection by the deadline")
                request.save()
            _endorse(workplan, round_, None, _("No objection by %(date)s.") % {"date": round_.respond_by.isoformat()})
            done += 1
    return done


# --- amendments ----------------------------------------------------------------------------------------


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def start_amendment(
    *, workplan: Workplan, user, kind: str, reason: str, precondition: Precondition | None = None
) -> Amendment:
    """Open an endorsed plan for an amendment: numbered, typed, with its reason; the plan is a draft
    while it is prepared, the endorsed version kept for the comparison."""
    workplan = _lock(workplan.pk, precondition)
    check_amend(user, workplan)
    errors = {}
    if kind not in Amendment.Kind.values:
        errors["kind"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Amendment.Kind.values)}]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why the workplan is amended: it is kept with the amendment.")]
    if errors:
        raise ValidationError(errors)
    if open_amendment(workplan) is not None:
        raise StateConflict(_("An amendment of this workplan is already in progress."), "amending")
    number = (workplan.amendments.aggregate(n=Max("number"))["n"] or 0) + 1
    amendment = Amendment(
        workplan=workplan,
        number=number,
        kind=kind,
        reason=reason,
        baseline=amendments.snapshot(workplan),
        started_by=user,
    )
    amendment.full_clean()
    amendment.save()
    workplan.status = Status.DRAFT
    workplan._change_reason = _history_note(
        _("Amendment %(n)s started (%(kind)s)") % {"n": number, "kind": amendment.get_kind_display()}, reason
    )
    workplan.save(update_fields=["status", "updated_at"])
    signals.amendment_started.send(sender=Workplan, amendment=amendment, user=user)
    return amendment


def comparison(amendment: Amendment) -> list[dict]:
    """What the amendment changes: frozen once approved, else the endorsed version against the plan now."""
    if amendment.status == Amendment.Status.APPROVED:
        return amendment.changes
    if amendment.status == Amendment.Status.WITHDRAWN:
        return []
    return amendments.compare(amendment.baseline, amendments.snapshot(amendment.workplan))


def _submit_amendment(workplan: Workplan, amendment: Amendment, user, comment: str) -> Workplan:
    if amendment.status != Amendment.Status.OPEN:
        raise StateConflict(_("This amendment is already waiting for endorsement."), amendment.status)
    now_content = amendments.snapshot(workplan)
    rows = amendments.compare(amendment.baseline, now_content)
    problems = amendments.type_problems(amendment.kind, amendment.baseline, now_content, rows)
    if problems:
        raise ValidationError({"kind": problems})
    if not amendment.needs_endorsement:
        if not (is_secretariat(user) or is_team_convener(user, workplan)):
            raise PermissionDenied(_("Only a convener of this team or the Secretariat approves a correction."))
        _approve(workplan, amendment, user, rows)
        workplan.status = Status.ENDORSED
        workplan.acknowledged_by = workplan.acknowledged_at = None
        workplan._change_reason = _history_note(
            _("Amendment %(n)s approved (%(kind)s)") % {"n": amendment.number, "kind": amendment.get_kind_display()},
            comment,
        )
        workplan.save()
        return workplan
    amendment.status = Amendment.Status.SUBMITTED
    amendment.save()
    _open_round(workplan, user, comment, amendment)
    return workplan


def _approve(workplan: Workplan, amendment: Amendment, user, rows: list[dict] | None = None) -> None:
    if rows is None:
        rows = amendments.compare(amendment.baseline, amendments.snapshot(workplan))
    amendment.status, amendment.changes = Amendment.Status.APPROVED, rows
    amendment.decided_by, amendment.decided_at = user, timezone.now()
    amendment.save()
    workplan.amendment_number = amendment.number
    signals.amendment_approved.send(sender=Workplan, amendment=amendment, user=user)


def _lock_amendment(pk: int, precondition: Precondition | None) -> tuple[Workplan, Amendment]:
    """The amendment's workplan, then the amendment, locked in that order (as every workflow service
    locks the workplan first: two of them never wait for each other)."""
    workplan_id = Amendment.objects.filter(pk=pk).values_list("workplan_id", flat=True).first()
    if workplan_id is None:
        raise Amendment.DoesNotExist
    workplan = _lock(workplan_id, None)
    return workplan, lock_for_write(Amendment.objects.all(), pk, precondition)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def submit_amendment(*, pk: int, user, comment: str = "", precondition: Precondition | None = None) -> Amendment:
    """Approve an administrative correction (the convener), or send any other amendment for endorsement."""
    workplan, amendment = _lock_amendment(pk, precondition)
    check_submit(user, workplan)
    if amendment.status != Amendment.Status.OPEN:
        raise StateConflict(
            _("This amendment is %(status)s: only one being prepared is submitted.")
            % {"status": amendment.get_status_display().lower()},
            amendment.status,
        )
    _submit_amendment(workplan, amendment, user, comment)
    amendment.refresh_from_db()
    return amendment


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def withdraw_amendment(*, pk: int, user, precondition: Precondition | None = None) -> Amendment:
    """Give up an amendment that changes nothing yet: the plan is endorsed again as it was."""
    workplan, amendment = _lock_amendment(pk, precondition)
    if not rules.runs_workflow.test(user, workplan):
        raise PermissionDenied(_("Only a convener of this team or the Secretariat can withdraw its amendment."))
    if amendment.status != Amendment.Status.OPEN:
        raise StateConflict(
            _("This amendment is %(status)s: only one being prepared can be withdrawn.")
            % {"status": amendment.get_status_display().lower()},
            amendment.status,
        )
    if amendments.compare(amendment.baseline, amendments.snapshot(workplan)):
        raise StateConflict(
            _("The workplan has changed since the amendment started: undo the changes listed, or submit it."),
            "changed",
        )
    amendment.status, amendment.decided_by, amendment.decided_at = Amendment.Status.WITHDRAWN, user, timezone.now()
    amendment.save()
    workplan.status = Status.ENDORSED
    workplan._change_reason = _("Amendment %(n)s withdrawn") % {"n": amendment.number}
    workplan.save(update_fields=["status", "updated_at"])
    signals.amendment_withdrawn.send(sender=Workplan, amendment=amendment, user=user)
    return amendment


def pending_signatories(workplan_ids) -> dict[int, list[EndorsementRequest]]:
    """The open rounds' pending requests of these workplans, by workplan id (one query)."""
    found: dict[int, list[EndorsementRequest]] = {}
    for request in (
        EndorsementRequest.objects.filter(
            round__workplan_id__in=list(workplan_ids), round__status=Round.OPEN, status=Request.PENDING
        )
        .select_related("agency", "signatory", "round")
        .order_by("agency__acronym")
    ):
        found.setdefault(request.round.workplan_id, []).append(request)
    return found


# --- the Secretariat's endorsement policy --------------------------------------------------------------


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def set_endorsement_policy(*, user, year: int, rule: str, response_days: int) -> EndorsementPolicy:
    """How `year`'s workplans are endorsed (rounds already open keep the rule they opened with)."""
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the Secretariat sets how workplans are endorsed."))
    policy = EndorsementPolicy.objects.select_for_update(of=("self",)).filter(year=year).first() or EndorsementPolicy(
        year=year
    )
    policy.rule, policy.response_days = rule, response_days
    policy.full_clean()
    policy.save()
    return policy


def workflow_queryset(user):
    """Workplans the user may act on in the workflow: their teams' (everything for the Secretariat), and
    those they are asked to sign. Others answer 404."""
    person_id = getattr(user, "person_id", None)
    mine = Workplan.objects.editable_by(user)
    if person_id:
        asked = Workplan.objects.filter(endorsement_rounds__requests__signatory_id=person_id).values("pk")
        mine = Workplan.objects.filter(pk__in=mine.values("pk")) | Workplan.objects.filter(pk__in=asked)
    return mine
