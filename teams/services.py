"""Every write to a team's roster: focal points, convener terms, member agencies.

Portal views, API viewsets and jobs call these and nothing else to change a
roster: the rule, its translated message and the concurrency check live here
once (the style of workplans.services). A service that changes an existing
record takes a `precondition` (the portal form's version, the API's If-Match),
run by `core.services.lock_for_write` on the locked row.

Every service ends with `roster_changed(team_id)`: the team's `updated_at`
moves (so `?modified_since=` finds a team whose roster changed) and the data
version of cached roster answers (core.versions) is replaced there, once.

Invitations, access requests and hand-overs (which create people's accounts)
are in access.services, which calls these to give and end roles.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import security
from accounts.models import SecurityEvent
from accounts.rules import is_secretariat
from core import versions
from core.models import current_on
from core.services import Precondition, StateConflict, lock_for_write
from countries.models import Person

from . import rules
from .models import ConvenerTerm, FocalPoint, MembershipProposal, Team, TeamMember

PERSON_FIELDS = ("name", "title", "email", "phone")


def roster_changed(team_id: int) -> None:
    """The one call every roster write makes when it is done (see the module's docstring)."""
    Team.objects.filter(pk=team_id).update(updated_at=timezone.now())
    # update() sends no model signal: the rosters' data version (cached answers, ETags) is replaced
    # here, explicitly, once per write service.
    versions.changed(versions.TEAMS)


# --- guards: the rule and its message, once, for the services, the portal and the API ------------


def check_edit_roster(user, team_or_entry) -> None:
    if not rules.edit_team_roster.test(user, team_or_entry):
        raise PermissionDenied(
            _("Only this team's conveners and focal points, or the Secretariat, can change its roster.")
        )


def check_decide_membership(user) -> None:
    if not rules.decide_membership.test(user, None):
        raise PermissionDenied(_("Only the Secretariat confirms or declines member agencies."))


def check_record_convener(user) -> None:
    if not is_secretariat(user):
        raise PermissionDenied(
            _("Only the Secretariat records convener terms directly; a convener hands over to a successor instead.")
        )


def check_end_convener_term(user, term: ConvenerTerm) -> None:
    own = term.person_id is not None and getattr(user, "person_id", None) == term.person_id
    if not (is_secretariat(user) or own):
        raise PermissionDenied(_("Only the convener in this term or the Secretariat can end it."))


# --- people ------------------------------------------------------------------------------------


def person_for(*, email: str, name: str, title: str = "", phone: str = "", agency=None) -> Person:
    """The person with this e-mail address (any case), or a new one: one record per address."""
    email = (email or "").strip()
    person = Person.objects.filter(email__iexact=email).first() if email else None
    if person is not None:
        changed = []
        for field, value in (("title", title), ("phone", phone)):
            if value and not getattr(person, field):
                setattr(person, field, value)
                changed.append(field)
        if agency is not None and person.agency_id is None:
            person.agency = agency
            changed.append("agency")
        if changed:
            person.full_clean()
            person.save()
        return person
    person = Person(name=(name or "").strip(), title=title, phone=phone, email=email, agency=agency)
    try:
        person.full_clean()
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    person.save()
    return person


def _update_person(person: Person, data: dict) -> list[str]:
    changed = [name for name in PERSON_FIELDS if name in data and (data[name] or "") != getattr(person, name)]
    for name in changed:
        setattr(person, name, (data[name] or "").strip())
    if changed:
        person.full_clean()
        person.save()
    return changed


def _log_role(kind, person: Person | None, detail: str) -> None:
    """The security log line of a role given or ended, for the person's account if they have one."""
    user = getattr(person, "user", None) if person is not None else None
    security.record(
        kind, user=user, username=getattr(user, "username", "") or (person.email if person else ""), detail=detail
    )


def _who(user) -> str:
    return getattr(user, "username", "") or "the person, by the e-mailed link"


def _save(record, user=None):
    record.full_clean()
    if user is not None and getattr(user, "pk", None):
        record._history_user = user
    record.save()
    return record


# --- focal points ------------------------------------------------------------------------------


def running_member(team: Team, agency) -> TeamMember | None:
    return TeamMember.objects.filter(current_on(timezone.localdate()), team=team, agency=agency).first()


@transaction.atomic
def add_focal_point(
    *,
    user,
    team: Team,
    agency,
    name: str,
    email: str,
    title: str = "",
    phone: str = "",
    is_primary: bool = False,
    start_date: dt.date | None = None,
) -> FocalPoint:
    """Name a focal point for a member agency of `team` (a colleague, a successor)."""
    check_edit_roster(user, team)
    return give_focal_point(
        user=user,
        team=team,
        agency=agency,
        person=None,
        name=name,
        email=email,
        title=title,
        phone=phone,
        is_primary=is_primary,
        start_date=start_date,
    )


def give_focal_point(
    *, user, team, agency, person=None, name="", email="", title="", phone="", is_primary=False, start_date=None
) -> FocalPoint:
    """The focal point entry itself; callers check who may (the roster rule, or an accepted invitation)."""
    member = running_member(team, agency)
    if member is None:
        raise ValidationError(
            {
                "agency": _("%(agency)s is not a member of this team: propose it as a member agency first.")
                % {"agency": agency}
            }
        )
    if person is None:
        if not (email or "").strip():
            raise ValidationError({"email": _("Give the focal point's e-mail address.")})
        person = person_for(email=email, name=name, title=title, phone=phone, agency=agency)
    if FocalPoint.objects.filter(current_on(timezone.localdate()), member=member, person=person).exists():
        raise ValidationError(
            {
                "email": _("%(name)s is already a focal point of %(agency)s in this team.")
                % {"name": person.name, "agency": agency}
            }
        )
    running = FocalPoint.objects.filter(current_on(timezone.localdate()), member=member)
    if is_primary:
        running.filter(is_primary=True).update(is_primary=False)
    elif not running.filter(is_primary=True).exists():
        is_primary = True  # the first one is the primary one
    focal_point = _save(
        FocalPoint(
            member=member,
            person=person,
            is_primary=is_primary,
            start_date=start_date or timezone.localdate(),
            last_confirmed_at=timezone.now(),
        ),
        user,
    )
    _log_role(
        SecurityEvent.Kind.ROSTER_ROLE_GIVEN,
        person,
        f"focal point of {agency} in {team} (entry {focal_point.pk}), by {_who(user)}",
    )
    roster_changed(team.pk)
    return focal_point


@transaction.atomic
def update_focal_point(*, pk: int, user, data: dict, precondition: Precondition | None = None) -> FocalPoint:
    """Change a focal point's contacts (name, title, e-mail, phone), start date or primary flag.
    An edit by the team is also a confirmation that the entry is true."""
    focal_point = lock_for_write(FocalPoint.objects.select_related("member__team", "person"), pk, precondition)
    check_edit_roster(user, focal_point)
    data = dict(data)
    if {"member", "team", "agency"} & set(data):
        raise ValidationError(
            {"agency": _("A focal point cannot move to another agency or team: end it and add a new one.")}
        )
    _update_person(focal_point.person, data)
    if data.get("is_primary"):
        _make_primary(focal_point)
    elif "is_primary" in data:
        focal_point.is_primary = False
    if "start_date" in data:
        focal_point.start_date = data["start_date"]
    focal_point.last_confirmed_at = timezone.now()
    _save(focal_point, user)
    roster_changed(focal_point.member.team_id)
    return focal_point


def _make_primary(focal_point: FocalPoint) -> None:
    FocalPoint.objects.filter(
        current_on(timezone.localdate()), member_id=focal_point.member_id, is_primary=True
    ).exclude(pk=focal_point.pk).update(is_primary=False)
    focal_point.is_primary = True


@transaction.atomic
def mark_primary(*, pk: int, user, precondition: Precondition | None = None) -> FocalPoint:
    """Make this running focal point its agency's primary one in the team."""
    focal_point = lock_for_write(FocalPoint.objects.select_related("member__team", "person"), pk, precondition)
    check_edit_roster(user, focal_point)
    if not focal_point.is_current:
        raise ValidationError({"is_primary": _("Only a focal point in office can be the primary one.")})
    _make_primary(focal_point)
    _save(focal_point, user)
    roster_changed(focal_point.member.team_id)
    return focal_point


@transaction.atomic
def end_focal_point(
    *,
    pk: int,
    user,
    reason: str,
    end_date: dt.date | None = None,
    note: str = "",
    precondition: Precondition | None = None,
    by_link: bool = False,
) -> FocalPoint:
    """A focal point stops: on `end_date` (today by default), reassigned, left the agency or another reason.

    The team's people and the Secretariat end any of its focal points; a focal point ends their own
    entry ("I'm leaving this role"), signed in or by the link of the yearly e-mail (`by_link`, the
    caller having checked the link's signature)."""
    focal_point = lock_for_write(
        FocalPoint.objects.select_related("member__team", "member__agency", "person"), pk, precondition
    )
    own = by_link or (user is not None and getattr(user, "person_id", None) == focal_point.person_id)
    if not own:
        check_edit_roster(user, focal_point)
    if focal_point.end_date is not None:
        raise ValidationError(
            {"end_date": _("This focal point already ended on %(date)s.") % {"date": focal_point.end_date}}
        )
    if reason not in FocalPoint.EndReason.values:
        raise ValidationError(
            {
                "reason": _("Choose why the focal point ends: %(choices)s.")
                % {"choices": ", ".join(FocalPoint.EndReason.values)}
            }
        )
    if reason == FocalPoint.EndReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Say why, in a few words, when the reason is 'other'.")})
    end_date = end_date or timezone.localdate()
    if focal_point.start_date and end_date < focal_point.start_date:
        raise ValidationError(
            {
                "end_date": _("The end date must be on or after the start date (%(date)s).")
                % {"date": focal_point.start_date}
            }
        )
    focal_point.end_date, focal_point.end_reason, focal_point.end_note = end_date, reason, note.strip()
    was_primary = focal_point.is_primary
    _save(focal_point, user)
    if was_primary:
        # The agency's longest-serving remaining focal point becomes its primary one.
        successor = (
            FocalPoint.objects.filter(current_on(end_date + dt.timedelta(days=1)), member_id=focal_point.member_id)
            .exclude(pk=focal_point.pk)
            .order_by("start_date", "pk")
            .first()
        )
        if successor is not None and not successor.is_primary:
            successor.is_primary = True
            _save(successor, user)
    _log_role(
        SecurityEvent.Kind.ROSTER_ROLE_ENDED,
        focal_point.person,
        f"focal point of {focal_point.member.agency} in {focal_point.member.team} ended {end_date} ({reason}), "
        f"by {_who(user)}",
    )
    roster_changed(focal_point.member.team_id)
    return focal_point


@transaction.atomic
def remove_focal_point(*, pk: int, user, precondition: Precondition | None = None) -> None:
    """Take back a focal point entry recorded by mistake (an import undone): the entry is deleted, its
    history keeps it. A focal point who served and stops is ended (`end_focal_point`), not removed."""
    focal_point = lock_for_write(
        FocalPoint.objects.select_related("member__team", "member__agency", "person"), pk, precondition
    )
    check_edit_roster(user, focal_point)
    team_id = focal_point.member.team_id
    if user is not None and getattr(user, "pk", None):
        focal_point._history_user = user
    _log_role(
        SecurityEvent.Kind.ROSTER_ROLE_ENDED,
        focal_point.person,
        f"focal point entry {focal_point.pk} of {focal_point.member.agency} in {focal_point.member.team} "
        f"taken back, by {_who(user)}",
    )
    focal_point.delete()
    roster_changed(team_id)


@transaction.atomic
def reopen_focal_point(*, pk: int, user, precondition: Precondition | None = None) -> FocalPoint:
    """Take back an ending recorded by mistake (an import undone): the focal point runs again."""
    focal_point = lock_for_write(
        FocalPoint.objects.select_related("member__team", "member__agency", "person"), pk, precondition
    )
    check_edit_roster(user, focal_point)
    if focal_point.end_date is None:
        raise ValidationError({"end_date": _("This focal point has not ended: there is nothing to take back.")})
    clash = (
        FocalPoint.objects.filter(member_id=focal_point.member_id, person_id=focal_point.person_id, end_date=None)
        .exclude(pk=focal_point.pk)
        .exists()
    )
    if clash:
        raise ValidationError(
            {
                "email": _("%(name)s is already a focal point of %(agency)s in this team.")
                % {"name": focal_point.person.name, "agency": focal_point.member.agency}
            }
        )
    focal_point.end_date, focal_point.end_reason, focal_point.end_note = None, "", ""
    _save(focal_point, user)
    _log_role(
        SecurityEvent.Kind.ROSTER_ROLE_GIVEN,
        focal_point.person,
        f"focal point of {focal_point.member.agency} in {focal_point.member.team} running again "
        f"(entry {focal_point.pk}), by {_who(user)}",
    )
    roster_changed(focal_point.member.team_id)
    return focal_point


# --- convener terms ----------------------------------------------------------------------------


def check_no_running_term(team: Team, role: str, on: dt.date, exclude=None) -> ConvenerTerm | None:
    running = ConvenerTerm.objects.filter(team=team, role=role).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
    if exclude is not None:
        running = running.exclude(pk=exclude.pk)
    return running.first()


@transaction.atomic
def record_convener_term(
    *,
    user,
    team: Team,
    role: str,
    agency=None,
    by_resident_coordinator: bool = False,
    person: Person | None = None,
    start_date: dt.date | None = None,
) -> ConvenerTerm:
    """The Secretariat records a term directly (the team had none, or to correct the history)."""
    check_record_convener(user)
    return start_term(
        user=user,
        team=team,
        role=role,
        agency=agency,
        by_resident_coordinator=by_resident_coordinator,
        person=person,
        start_date=start_date,
    )


def start_term(*, user, team, role, agency, by_resident_coordinator, person, start_date, replaces=None) -> ConvenerTerm:
    """A new term; `replaces` (a hand-over) ends the day before it starts. Callers check the rule."""
    start_date = start_date or timezone.localdate()
    if replaces is not None:
        replaces = ConvenerTerm.objects.select_for_update().get(pk=replaces.pk)
        if replaces.end_date is not None and replaces.end_date < start_date - dt.timedelta(days=1):
            raise ValidationError(
                {"starts_on": _("The outgoing term already ended on %(date)s.") % {"date": replaces.end_date}}
            )
        if replaces.start_date and start_date <= replaces.start_date:
            raise ValidationError(
                {
                    "starts_on": _("The successor must start after the outgoing term began (%(date)s).")
                    % {"date": replaces.start_date}
                }
            )
        replaces.end_date = start_date - dt.timedelta(days=1)
        _save(replaces, user)
    clash = check_no_running_term(team, role, start_date)
    if clash is not None:
        raise ValidationError(
            {
                "role": _("This team already has a %(role)s term running on %(date)s: hand over or end it first.")
                % {"role": clash.get_role_display().lower(), "date": start_date}
            }
        )
    term = _save(
        ConvenerTerm(
            team=team,
            role=role,
            agency=agency,
            by_resident_coordinator=by_resident_coordinator,
            person=person,
            start_date=start_date,
            last_confirmed_at=timezone.now(),
        ),
        user,
    )
    _log_role(
        SecurityEvent.Kind.HAND_OVER_DONE if replaces is not None else SecurityEvent.Kind.ROSTER_ROLE_GIVEN,
        person,
        f"{role} of {team} from {start_date}"
        + (f", succeeding term {replaces.pk}" if replaces else "")
        + f", by {_who(user)}",
    )
    roster_changed(team.pk)
    return term


@transaction.atomic
def update_convener_term(*, pk: int, user, data: dict, precondition: Precondition | None = None) -> ConvenerTerm:
    """Contacts of the person in the term, by the team's people; dates, role and agency by the Secretariat."""
    term = lock_for_write(ConvenerTerm.objects.select_related("team", "person"), pk, precondition)
    check_edit_roster(user, term)
    data = dict(data)
    if "team" in data and data.pop("team") != term.team:
        raise ValidationError({"team": _("A term cannot move to another team.")})
    record_fields = {
        name: data.pop(name)
        for name in ("role", "agency", "by_resident_coordinator", "start_date", "end_date")
        if name in data
    }
    changed = {name: value for name, value in record_fields.items() if getattr(term, name) != value}
    if changed and not is_secretariat(user):
        raise PermissionDenied(
            _("Only the Secretariat corrects a term's role, agency or dates; a convener hands over instead.")
        )
    person_data = {name: value for name, value in data.items() if name in PERSON_FIELDS}
    if person_data:
        if term.person is None:
            raise ValidationError({"name": _("No person is recorded for this term.")})
        _update_person(term.person, person_data)
    for name, value in changed.items():
        setattr(term, name, value)
    term.last_confirmed_at = timezone.now()
    _save(term, user)
    roster_changed(term.team_id)
    return term


@transaction.atomic
def end_convener_term(
    *, pk: int, user, end_date: dt.date | None = None, precondition: Precondition | None = None
) -> ConvenerTerm:
    """The convener leaves without a successor (or the Secretariat ends the term)."""
    term = lock_for_write(ConvenerTerm.objects.select_related("team", "person"), pk, precondition)
    check_end_convener_term(user, term)
    if term.end_date is not None:
        raise ValidationError({"end_date": _("This term already ended on %(date)s.") % {"date": term.end_date}})
    end_date = end_date or timezone.localdate()
    if term.start_date and end_date < term.start_date:
        raise ValidationError(
            {"end_date": _("The end date must be on or after the start date (%(date)s).") % {"date": term.start_date}}
        )
    term.end_date = end_date
    _save(term, user)
    _log_role(
        SecurityEvent.Kind.ROSTER_ROLE_ENDED,
        term.person,
        f"{term.role} of {term.team} ended {end_date}, by {_who(user)}",
    )
    roster_changed(term.team_id)
    return term


# --- confirming entries (the yearly check) ------------------------------------------------------


@transaction.atomic
def confirm_entry(*, entry: FocalPoint | ConvenerTerm, user=None) -> FocalPoint | ConvenerTerm:
    """The entry is still true: its person (by the e-mailed link, or signed in) or the team says so."""
    model = type(entry)
    entry = lock_for_write(model.objects.all(), entry.pk)
    if user is not None and getattr(user, "person_id", None) != entry.person_id:
        check_edit_roster(user, entry)
    if entry.end_date is not None and entry.end_date < timezone.localdate():
        raise ValidationError({"end_date": _("This entry has ended; there is nothing to confirm.")})
    entry.last_confirmed_at = timezone.now()
    _save(entry, user)
    roster_changed(entry.member.team_id if isinstance(entry, FocalPoint) else entry.team_id)
    return entry


# --- member agencies ---------------------------------------------------------------------------


@transaction.atomic
def propose_member(
    *, user, team: Team, agency, start_date: dt.date | None = None, note: str = ""
) -> MembershipProposal:
    """Propose that `agency` join `team`; the Secretariat's own proposal is confirmed at once."""
    check_edit_roster(user, team)
    if running_member(team, agency) is not None:
        raise ValidationError({"agency": _("%(agency)s is already a member of this team.") % {"agency": agency}})
    if MembershipProposal.objects.filter(team=team, agency=agency, status=MembershipProposal.Status.PENDING).exists():
        raise ValidationError(
            {
                "agency": _("%(agency)s has already been proposed to this team: the Secretariat will decide.")
                % {"agency": agency}
            }
        )
    proposal = _save(
        MembershipProposal(team=team, agency=agency, start_date=start_date, note=note, proposed_by=user), user
    )
    if is_secretariat(user):
        return _confirm(proposal, user, "")
    return proposal


@transaction.atomic
def decide_membership(
    *, pk: int, user, approve: bool, reason: str = "", precondition: Precondition | None = None
) -> MembershipProposal:
    """The Secretariat confirms (the agency becomes a member) or declines (saying why) a proposal."""
    proposal = lock_for_write(MembershipProposal.objects.select_related("team", "agency"), pk, precondition)
    check_decide_membership(user)
    if proposal.status != MembershipProposal.Status.PENDING:
        raise StateConflict(
            _("This proposal was already %(status)s.") % {"status": proposal.get_status_display().lower()},
            proposal.status,
        )
    if approve:
        return _confirm(proposal, user, reason)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the proposal is declined: the team reads it.")})
    proposal.status, proposal.reason = MembershipProposal.Status.DECLINED, reason.strip()
    proposal.decided_by, proposal.decided_at = user, timezone.now()
    return _save(proposal, user)


def _confirm(proposal: MembershipProposal, user, reason: str) -> MembershipProposal:
    member = TeamMember.objects.filter(team=proposal.team, agency=proposal.agency).first()
    start = proposal.start_date or timezone.localdate()
    if member is None:
        member = _save(TeamMember(team=proposal.team, agency=proposal.agency, start_date=start), user)
    else:  # it was a member before: it joins again
        member.start_date, member.end_date = start, None
        _save(member, user)
    proposal.status, proposal.reason, proposal.member = MembershipProposal.Status.CONFIRMED, reason.strip(), member
    proposal.decided_by, proposal.decided_at = user, timezone.now()
    _save(proposal, user)
    security.record(
        SecurityEvent.Kind.MEMBERSHIP_CHANGED,
        user=user,
        detail=f"{proposal.agency} member of {proposal.team} from {start}",
    )
    roster_changed(proposal.team_id)
    return proposal


def entry_version(entry) -> str:
    """What an edit form remembers to detect a concurrent save: the entry's last save time."""
    return entry.updated_at.isoformat() if entry.updated_at else ""


def unchanged_since(version: str) -> Precondition:
    """The portal form's precondition: nobody saved the entry since the form was loaded."""

    def check(entry) -> None:
        if version and entry_version(entry) != version:
            raise ValidationError(
                _("Someone else changed this entry while you were editing it: check the saved values and save again.")
            )

    return check
