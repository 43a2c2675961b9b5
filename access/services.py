"""Every write about people's access: invitations, hand-overs, leaving a role, access requests.

Portal views and API viewsets call these (the style of workplans.services): keyword-only,
one transaction, the rule and its translated message once, the If-Match or form version
checked on the locked row. Roles themselves are given and ended by teams.services.
Every invitation, acceptance, approval, role change and hand-over is written to the
security log (accounts.security.record).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import security
from accounts.models import SecurityEvent
from accounts.rules import is_secretariat
from core.models import current_on
from core.services import Precondition, StateConflict, lock_for_write
from countries.models import Person
from teams import services as roster
from teams.models import ConvenerTerm, FocalPoint, Team, team_roles
from teams.rules import convene_team
from teams.selectors import unconfirmed

from . import mail
from .models import CONVENING_ROLES, AccessRequest, Invitation, Role
from .tokens import new_token, token_hash

User = get_user_model()


def portal_url(path: str, base_url: str | None = None) -> str:
    return (base_url or settings.PORTAL_URL).rstrip("/") + path


# --- guards ------------------------------------------------------------------------------------


def check_invite(user, team: Team | None) -> None:
    if team is None:
        if not is_secretariat(user):
            raise PermissionDenied(_("Only the Secretariat invites people without a team."))
        return
    if not convene_team.test(user, team):
        raise PermissionDenied(_("Only this team's conveners or the Secretariat can invite people into it."))


def check_manage_invitation(user, invitation: Invitation) -> None:
    if is_secretariat(user) or invitation.invited_by_id == getattr(user, "pk", None):
        return
    if invitation.team_id is not None and convene_team.test(user, invitation.team):
        return
    raise PermissionDenied(
        _("Only the person who sent this invitation, the team's conveners or the Secretariat can change it.")
    )


def check_hand_over(user, term: ConvenerTerm) -> None:
    own = term.person_id is not None and getattr(user, "person_id", None) == term.person_id
    if not (is_secretariat(user) or own):
        raise PermissionDenied(_("Only the outgoing convener or the Secretariat can hand over this term."))


def check_decide_request(user, request: AccessRequest) -> None:
    if request.requester_id == getattr(user, "pk", None):
        raise PermissionDenied(
            _("You cannot decide your own access request: the team's convener or the Secretariat does.")
        )
    if not convene_team.test(user, request.team):
        raise PermissionDenied(_("Only this team's conveners or the Secretariat decide its access requests."))


def _state(invitation: Invitation) -> None:
    """Refuse acting on an invitation that is no longer waiting, saying why (409)."""
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise StateConflict(_("This invitation has already been accepted."), status)
    if status == Invitation.Status.REVOKED:
        raise StateConflict(_("This invitation was revoked."), status)


# --- invitations -------------------------------------------------------------------------------


def _valid_days() -> int:
    return settings.INVITATION_VALID_DAYS


def _already_has_role(invitation: Invitation, person: Person | None) -> bool:
    if person is None or invitation.team_id is None:
        return False
    today = timezone.localdate()
    if invitation.role == Role.FOCAL_POINT:
        return FocalPoint.objects.filter(
            current_on(today),
            current_on(today, "member__"),
            person=person,
            member__team_id=invitation.team_id,
            member__agency_id=invitation.agency_id,
        ).exists()
    if invitation.role in CONVENING_ROLES:
        return ConvenerTerm.objects.filter(
            current_on(today), person=person, team_id=invitation.team_id, role=invitation.role
        ).exists()
    return False


def _person_with_email(email: str) -> Person | None:
    return Person.objects.filter(email__iexact=email.strip()).select_related("user").first()


@transaction.atomic
def invite(
    *,
    user,
    email: str,
    name: str,
    role: str,
    team: Team | None = None,
    agency=None,
    by_resident_coordinator: bool = False,
    language: str = "",
    title: str = "",
    starts_on: dt.date | None = None,
    message: str = "",
    base_url: str | None = None,
) -> Invitation:
    """Invite a person by e-mail into a role in `team` (a viewer: the team may be empty for the Secretariat)."""
    check_invite(user, team)
    if role in CONVENING_ROLES and team is not None:
        running = roster.check_no_running_term(team, role, starts_on or timezone.localdate())
        if running is not None:
            raise ValidationError(
                {
                    "role": _(
                        "This team already has a %(role)s: the person in that term or the Secretariat hands over "
                        "to a successor instead."
                    )
                    % {"role": running.get_role_display().lower()}
                }
            )
    return create_invitation(
        user=user,
        email=email,
        name=name,
        role=role,
        team=team,
        agency=agency,
        by_resident_coordinator=by_resident_coordinator,
        language=language,
        title=title,
        starts_on=starts_on,
        message=message,
        base_url=base_url,
    )


def create_invitation(*, user, email, name, role, team, agency=None, base_url=None, **values) -> Invitation:
    """The invitation and its e-mail; callers check who may (invite, hand_over, leave_role)."""
    email = (email or "").strip()
    if (
        role == Role.FOCAL_POINT
        and team is not None
        and agency is not None
        and roster.running_member(team, agency) is None
    ):
        raise ValidationError(
            {
                "agency": _("%(agency)s is not a member of this team: propose it as a member agency first.")
                % {"agency": agency}
            }
        )
    if role != Role.VIEWER and team is None:
        raise ValidationError({"team": _("Choose the team for this role.")})
    waiting = Invitation.objects.pending().filter(email__iexact=email, team=team, role=role)
    if waiting.exists():
        raise ValidationError(
            {
                "email": _("%(email)s already has an invitation to this role waiting: resend it instead.")
                % {"email": email}
            }
        )
    person = _person_with_email(email) if email else None
    values.setdefault("language", "")
    values["language"] = values["language"] or mail.language_of(getattr(person, "user", None) if person else None)
    token, digest = new_token()
    invitation = Invitation(
        email=email,
        name=(name or "").strip(),
        role=role,
        team=team,
        agency=agency,
        token_hash=digest,
        invited_by=user if getattr(user, "pk", None) else None,
        expires_at=timezone.now() + dt.timedelta(days=_valid_days()),
        **values,
    )
    if invitation.focal_point_id is None and _already_has_role(invitation, person):
        raise ValidationError({"email": _("%(email)s already holds this role in this team.") % {"email": email}})
    invitation.full_clean(exclude=["token_hash"])
    if getattr(user, "pk", None):
        invitation._history_user = user
    invitation.save()
    security.record(
        SecurityEvent.Kind.HAND_OVER_PROPOSED if invitation.is_hand_over else SecurityEvent.Kind.INVITATION_SENT,
        user=user if getattr(user, "pk", None) else None,
        detail=f"invitation {invitation.pk}: {email} as {role}" + (f" in {team}" if team else ""),
    )
    _send_invitation(invitation, token, base_url)
    return invitation


def _send_invitation(invitation: Invitation, token: str, base_url: str | None) -> None:
    pk = invitation.pk

    def sent():
        Invitation.objects.filter(pk=pk).update(sent_at=timezone.now(), send_count=F("send_count") + 1)

    mail.send_after_commit(
        to=invitation.email,
        template="invitation",
        context={
            "invitation": invitation,
            "link": portal_url(reverse("access:accept", args=[token]), base_url),
            "inviter": invitation.invited_by,
            "days": _valid_days(),
        },
        language=invitation.language,
        on_sent=sent,
    )


@transaction.atomic
def resend_invitation(
    *, pk: int, user, base_url: str | None = None, precondition: Precondition | None = None
) -> Invitation:
    """A new link (the old one stops working), valid for another INVITATION_VALID_DAYS days."""
    invitation = lock_for_write(Invitation.objects.select_related("team", "agency", "invited_by"), pk, precondition)
    check_manage_invitation(user, invitation)
    _state(invitation)
    token, invitation.token_hash = new_token()
    invitation.expires_at = timezone.now() + dt.timedelta(days=_valid_days())
    invitation._history_user = user
    invitation.save()
    security.record(
        SecurityEvent.Kind.INVITATION_SENT, user=user, detail=f"invitation {invitation.pk} resent to {invitation.email}"
    )
    _send_invitation(invitation, token, base_url)
    return invitation


@transaction.atomic
def revoke_invitation(*, pk: int, user, precondition: Precondition | None = None) -> Invitation:
    invitation = lock_for_write(Invitation.objects.select_related("team"), pk, precondition)
    check_manage_invitation(user, invitation)
    _state(invitation)
    invitation.revoked_at, invitation.revoked_by = timezone.now(), user
    invitation._history_user = user
    invitation.save()
    security.record(
        SecurityEvent.Kind.INVITATION_REVOKED, user=user, detail=f"invitation {invitation.pk} to {invitation.email}"
    )
    return invitation


class InvitationUnusable(Exception):
    """The link cannot be used: unknown, used, revoked or expired; `message` says which, plainly."""

    def __init__(self, message: str, status: str):
        super().__init__(message)
        self.message, self.status = message, status


def usable_invitation(token: str, *, lock: bool = False) -> Invitation:
    queryset = Invitation.objects.select_related("team", "agency", "invited_by", "replaces_term__person")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(token_hash=token_hash(token)).first() if token else None
    if invitation is None:
        raise InvitationUnusable(
            _(
                "This invitation link is not valid. Check that you opened the whole link from the e-mail, "
                "or ask for a new invitation."
            ),
            "unknown",
        )
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise InvitationUnusable(_("This invitation has already been used. Sign in with your account."), status)
    if status == Invitation.Status.REVOKED:
        raise InvitationUnusable(
            _("This invitation was withdrawn. Ask the person who invited you for a new one."), status
        )
    if status == Invitation.Status.EXPIRED:
        raise InvitationUnusable(
            _("This invitation expired on %(date)s. Ask the person who invited you to send it again.")
            % {"date": timezone.localtime(invitation.expires_at).date().isoformat()},
            status,
        )
    return invitation


def account_for(email: str):
    """The account that already has this address (as its own or its person's e-mail), if any."""
    email = (email or "").strip()
    return (
        User.objects.filter(Q(email__iexact=email) | Q(person__email__iexact=email), is_active=True)
        .order_by("pk")
        .first()
    )


def _matches(user, invitation: Invitation) -> bool:
    addresses = {(user.email or "").lower()}
    if user.person_id:
        addresses.add((user.person.email or "").lower())
    return invitation.email.lower() in addresses


@transaction.atomic
def accept_invitation(*, token: str, user=None, username: str = "", password: str = "", name: str = ""):
    """Accept: signed in as the invited address's account, or as a new account with a password.

    An address that already has an account is linked to it (sign in first): never a second user.
    The person record is linked (or created), and the role given. Returns the user.
    """
    invitation = usable_invitation(token, lock=True)
    existing = account_for(invitation.email)
    if user is not None and user.is_authenticated:
        if not _matches(user, invitation):
            raise PermissionDenied(
                _(
                    "This invitation is for %(email)s: sign out and accept it with that account, "
                    "or ask for an invitation to yours."
                )
                % {"email": invitation.email}
            )
    elif existing is not None:
        raise PermissionDenied(
            _("An account with %(email)s exists already: sign in to accept the invitation.")
            % {"email": invitation.email}
        )
    else:
        user = _new_account(invitation, username=username, password=password, name=name)
    person = _person_of(user, invitation, name)
    _give_role(invitation, user, person)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation._history_user = user
    invitation.save()
    security.record(
        SecurityEvent.Kind.INVITATION_ACCEPTED,
        user=user,
        detail=f"invitation {invitation.pk}: {invitation.role}"
        + (f" in {invitation.team}" if invitation.team_id else ""),
    )
    _tell_inviter(invitation)
    return user


def _new_account(invitation: Invitation, *, username: str, password: str, name: str):
    username = (username or invitation.email).strip()
    errors = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is taken: choose another.")]
    full_name = (name or invitation.name).strip()
    first, _sep, last = full_name.partition(" ")
    user = User(
        username=username,
        email=invitation.email,
        first_name=first[:150],
        last_name=last[:150],
        language=invitation.language,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors["password"] = error.messages
    if not password:
        errors["password"] = [_("Choose a password.")]
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def _person_of(user, invitation: Invitation, name: str = "") -> Person:
    person = user.person if user.person_id else None
    if person is None:
        person = _person_with_email(invitation.email)
        if person is not None and getattr(person, "user", None) is not None and person.user.pk != user.pk:
            raise PermissionDenied(
                _("The person record of %(email)s belongs to another account.") % {"email": invitation.email}
            )
        if person is None:
            person = roster.person_for(
                email=invitation.email,
                name=(name or invitation.name or user.get_full_name() or user.username),
                title=invitation.title,
                agency=invitation.agency,
            )
        user.person = person
        user.save(update_fields=["person"])
    if not person.email:
        person.email = invitation.email
        person.save(update_fields=["email", "updated_at"])
    return person


def _give_role(invitation: Invitation, user, person: Person) -> None:
    team = invitation.team
    if invitation.role == Role.FOCAL_POINT:
        if invitation.focal_point_id:
            return  # already on the roster: the account is now linked to that entry
        if not _already_has_role(invitation, person):
            roster.give_focal_point(
                user=user, team=team, agency=invitation.agency, person=person, start_date=invitation.starts_on
            )
    elif invitation.role in CONVENING_ROLES:
        if _already_has_role(invitation, person):
            return  # the Secretariat confirmed the hand-over already
        roster.start_term(
            user=user,
            team=team,
            role=invitation.role,
            agency=invitation.agency,
            by_resident_coordinator=invitation.by_resident_coordinator,
            person=person,
            start_date=invitation.starts_on,
            replaces=invitation.replaces_term,
        )


def _tell_inviter(invitation: Invitation) -> None:
    inviter = invitation.invited_by
    if mail.wants_email(inviter):
        mail.send_after_commit(
            to=inviter.email,
            template="invitation_accepted",
            context={
                "invitation": invitation,
                "link": portal_url(invitation.team.get_absolute_url()) if invitation.team_id else "",
            },
            language=mail.language_of(inviter),
        )


@transaction.atomic
def confirm_hand_over(*, pk: int, user, precondition: Precondition | None = None) -> Invitation:
    """The Secretariat makes a hand-over take effect for the successor (who may accept the link later to sign in)."""
    invitation = lock_for_write(Invitation.objects.select_related("team", "agency", "replaces_term"), pk, precondition)
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the Secretariat confirms a hand-over on the successor's behalf."))
    if not invitation.is_hand_over:
        raise ValidationError({"non_field_errors": [_("This invitation is not a hand-over.")]})
    _state(invitation)
    person = _person_with_email(invitation.email) or roster.person_for(
        email=invitation.email, name=invitation.name, title=invitation.title, agency=invitation.agency
    )
    if _already_has_role(invitation, person):
        raise StateConflict(_("This hand-over has already taken effect."), "done")
    roster.start_term(
        user=user,
        team=invitation.team,
        role=invitation.role,
        agency=invitation.agency,
        by_resident_coordinator=invitation.by_resident_coordinator,
        person=person,
        start_date=invitation.starts_on,
        replaces=invitation.replaces_term,
    )
    return invitation


# --- hand-over and leaving -----------------------------------------------------------------------


def pending_hand_over(term: ConvenerTerm) -> Invitation | None:
    return Invitation.objects.pending().filter(replaces_term=term).first()


@transaction.atomic
def hand_over(
    *,
    term: ConvenerTerm,
    user,
    email: str,
    name: str,
    starts_on: dt.date,
    agency=None,
    by_resident_coordinator: bool | None = None,
    title: str = "",
    language: str = "",
    message: str = "",
    base_url: str | None = None,
    by_link: bool = False,
    precondition: Precondition | None = None,
) -> Invitation:
    """The outgoing convener (or the Secretariat) names the successor and the date; the successor
    gets an invitation, and the hand-over takes effect when they (or the Secretariat) accept it."""
    term = lock_for_write(ConvenerTerm.objects.select_related("team", "agency", "person"), term.pk, precondition)
    if not by_link:
        check_hand_over(user, term)
    if term.end_date is not None and term.end_date < timezone.localdate():
        raise ValidationError({"non_field_errors": [_("This term has ended: there is nothing to hand over.")]})
    if pending_hand_over(term) is not None:
        raise ValidationError(
            {"email": _("A hand-over of this term is already waiting: revoke it first to name someone else.")}
        )
    if starts_on is None:
        raise ValidationError({"starts_on": _("Give the day the successor takes over.")})
    if term.start_date and starts_on <= term.start_date:
        raise ValidationError(
            {
                "starts_on": _("The successor must start after %(date)s, when this term began.")
                % {"date": term.start_date}
            }
        )
    if term.person_id and term.person.email and term.person.email.lower() == (email or "").strip().lower():
        raise ValidationError({"email": _("Name someone else: this is the outgoing convener's address.")})
    if by_resident_coordinator is None:
        by_resident_coordinator = term.by_resident_coordinator and agency is None
    if agency is None and not by_resident_coordinator:
        agency = term.agency
    return create_invitation(
        user=user,
        email=email,
        name=name,
        role=term.role,
        team=term.team,
        agency=agency,
        by_resident_coordinator=by_resident_coordinator,
        title=title,
        language=language,
        starts_on=starts_on,
        message=message,
        replaces_term=term,
        base_url=base_url,
    )


@transaction.atomic
def leave_focal_point(
    *,
    entry: FocalPoint,
    user,
    reason: str,
    end_date: dt.date | None = None,
    note: str = "",
    successor_email: str = "",
    successor_name: str = "",
    language: str = "",
    base_url: str | None = None,
    by_link: bool = False,
) -> Invitation | None:
    """ "I'm leaving this role": the focal point's entry ends, and the successor they name (if any)
    is invited into it (or, already a focal point of the agency, becomes the primary one)."""
    if not by_link and getattr(user, "person_id", None) != entry.person_id:
        raise PermissionDenied(_("Only the focal point themselves says they are leaving; the team ends other entries."))
    entry = roster.end_focal_point(pk=entry.pk, user=user, reason=reason, end_date=end_date, note=note, by_link=True)
    if not (successor_email or "").strip():
        return None
    member = entry.member
    successor = (
        FocalPoint.objects.filter(
            current_on(timezone.localdate()), member=member, person__email__iexact=successor_email.strip()
        )
        .select_related("person__user")
        .first()
    )
    if successor is not None:
        if not successor.is_primary:
            roster._make_primary(successor)
            successor.save()
        if getattr(successor.person, "user", None) is not None:
            return None
    return create_invitation(
        user=user,
        email=successor_email,
        name=successor_name or (successor.person.name if successor else ""),
        role=Role.FOCAL_POINT,
        team=member.team,
        agency=member.agency,
        language=language,
        replaces_focal_point=entry,
        focal_point=successor,
        base_url=base_url,
    )


# --- access requests ---------------------------------------------------------------------------


@transaction.atomic
def request_access(*, user, team: Team, agency, message: str, base_url: str | None = None) -> AccessRequest:
    """A signed-in user asks to be a focal point of `agency` in `team`."""
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied(_("Sign in to ask for access."))
    if not (message or "").strip():
        raise ValidationError({"message": _("Say who you are, for example: I am WFP's nutrition focal point in Chad.")})
    if roster.running_member(team, agency) is None:
        raise ValidationError(
            {
                "agency": _("%(agency)s is not a member of this team: ask its convener to propose it.")
                % {"agency": agency}
            }
        )
    if (
        user.person_id
        and FocalPoint.objects.filter(
            current_on(timezone.localdate()), person_id=user.person_id, member__team=team, member__agency=agency
        ).exists()
    ):
        raise ValidationError(
            {"agency": _("You are already a focal point of %(agency)s in this team.") % {"agency": agency}}
        )
    if AccessRequest.objects.filter(requester=user, team=team, status=AccessRequest.Status.PENDING).exists():
        raise ValidationError({"team": _("You have already asked for access to this team: wait for the answer.")})
    request = AccessRequest(requester=user, team=team, agency=agency, message=message.strip())
    request.full_clean()
    request._history_user = user
    request.save()
    security.record(
        SecurityEvent.Kind.ACCESS_REQUESTED,
        user=user,
        detail=f"request {request.pk}: focal point of {agency} in {team}",
    )
    deciders = [u for u in _conveners(team) if mail.wants_email(u)] or [
        u for u in User.objects.filter(is_secretariat=True, is_active=True) if mail.wants_email(u)
    ]
    for decider in deciders:
        mail.send_after_commit(
            to=decider.email,
            template="access_requested",
            context={
                "request": request,
                "link": portal_url(reverse("access:request-decide", args=[request.pk]), base_url),
            },
            language=mail.language_of(decider),
        )
    return request


def _conveners(team: Team):
    today = timezone.localdate()
    person_ids = ConvenerTerm.objects.filter(current_on(today), team=team, person__isnull=False).values("person_id")
    return User.objects.filter(person_id__in=person_ids, is_active=True)


@transaction.atomic
def decide_access_request(
    *,
    pk: int,
    user,
    approve: bool,
    reason: str = "",
    base_url: str | None = None,
    precondition: Precondition | None = None,
) -> AccessRequest:
    """Approve (the requester becomes a focal point) or decline (saying why); the requester is told either way."""
    request = lock_for_write(
        AccessRequest.objects.select_related("team", "agency", "requester__person"), pk, precondition
    )
    check_decide_request(user, request)
    if request.status != AccessRequest.Status.PENDING:
        raise StateConflict(
            _("This request was already %(status)s.") % {"status": request.get_status_display().lower()}, request.status
        )
    requester = request.requester
    if approve:
        person = requester.person
        if person is None:
            person = (
                roster.person_for(
                    email=requester.email, name=requester.get_full_name() or requester.username, agency=request.agency
                )
                if requester.email
                else Person.objects.create(name=requester.get_full_name() or requester.username, agency=request.agency)
            )
            if getattr(person, "user", None) is not None and person.user.pk != requester.pk:
                raise ValidationError(
                    {"non_field_errors": [_("The requester's e-mail belongs to another account's person record.")]}
                )
            requester.person = person
            requester.save(update_fields=["person"])
        roster.give_focal_point(user=user, team=request.team, agency=request.agency, person=person)
        request.status = AccessRequest.Status.APPROVED
    else:
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Say why the request is declined: the requester reads it.")})
        request.status = AccessRequest.Status.DECLINED
    request.reason, request.decided_by, request.decided_at = (reason or "").strip(), user, timezone.now()
    request._history_user = user
    request.save()
    security.record(
        SecurityEvent.Kind.ACCESS_APPROVED if approve else SecurityEvent.Kind.ACCESS_DECLINED,
        user=requester,
        detail=f"request {request.pk} by {requester.username}: {request.status} by {user.username}",
    )
    if mail.wants_email(requester):
        mail.send_after_commit(
            to=requester.email,
            template="access_decided",
            context={"request": request, "link": portal_url(request.team.get_absolute_url(), base_url)},
            language=mail.language_of(requester),
        )
    return request


@transaction.atomic
def withdraw_access_request(*, pk: int, user, precondition: Precondition | None = None) -> AccessRequest:
    request = lock_for_write(AccessRequest.objects.all(), pk, precondition)
    if request.requester_id != user.pk:
        raise PermissionDenied(_("Only the person who asked can withdraw a request."))
    if request.status != AccessRequest.Status.PENDING:
        raise StateConflict(
            _("This request was already %(status)s.") % {"status": request.get_status_display().lower()}, request.status
        )
    request.status = AccessRequest.Status.WITHDRAWN
    request._history_user = user
    request.save()
    return request


def teams_user_convenes(user):
    """Teams the user may invite into: all for the Secretariat, else those they convene."""
    if is_secretariat(user):
        return Team.objects.all()
    return Team.objects.filter(pk__in=team_roles(user).convener_of)


# --- the yearly roster check ---------------------------------------------------------------------


def entries_due_for_check(now: dt.datetime):
    """Running focal points and convener terms with an e-mail address, not confirmed for
    ROSTER_CONFIRM_EVERY_DAYS and not asked in that time: (focal points, convener terms)."""
    days = settings.ROSTER_CONFIRM_EVERY_DAYS
    today = timezone.localdate(now)
    asked_long_ago = Q(confirmation_requested_at__isnull=True) | Q(
        confirmation_requested_at__lt=now - dt.timedelta(days=days)
    )
    focal_points = unconfirmed(
        FocalPoint.objects.filter(current_on(today), current_on(today, "member__"), asked_long_ago)
        .exclude(person__email="")
        .select_related("person__user", "member__team", "member__agency"),
        now,
        days,
    )
    terms = unconfirmed(
        ConvenerTerm.objects.filter(current_on(today), asked_long_ago, person__isnull=False)
        .exclude(person__email="")
        .select_related("person__user", "team"),
        now,
        days,
    )
    return focal_points, terms


def ask_roster_confirmations(*, now: dt.datetime | None = None, base_url: str | None = None) -> int:
    """E-mail each entry due for its yearly check a one-click confirm link (and a way to hand over).
    Each entry is asked at most once per ROSTER_CONFIRM_EVERY_DAYS; people who turned e-mail off
    are not written to (their entry is flagged when it falls due). Returns how many were asked."""
    from .tokens import entry_token

    now = now or timezone.now()
    asked = 0
    focal_points, terms = entries_due_for_check(now)
    for kind, entries in (("fp", focal_points), ("ct", terms)):
        for entry in entries.iterator(chunk_size=500):
            account = getattr(entry.person, "user", None)
            if account is not None and not account.email_notifications:
                continue
            team = entry.member.team if kind == "fp" else entry.team
            language = mail.language_of(account)
            with translation.override(language):
                role = (
                    _("focal point of %(agency)s") % {"agency": entry.member.agency}
                    if kind == "fp"
                    else entry.get_role_display().lower()
                )
            with transaction.atomic():
                type(entry).objects.filter(pk=entry.pk).update(confirmation_requested_at=now)
                mail.send_after_commit(
                    to=entry.person.email,
                    template="roster_check",
                    context={
                        "person": entry.person,
                        "team": team,
                        "role": role,
                        "link": portal_url(reverse("access:check", args=[entry_token(kind, entry.pk)]), base_url),
                    },
                    language=language,
                )
            asked += 1
    return asked
