"""Invitations, acceptance, hand-over, leaving and access requests, through the services,
with e-mail sent over SMTP to a real server started by the test (smtp_server)."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone

from access import services
from access.models import AccessRequest, Invitation
from accounts.models import SecurityEvent, User
from agencies.models import Agency
from core.services import StateConflict
from teams import services as roster
from teams.models import ConvenerTerm, FocalPoint, TeamMember, team_roles

from ..factories import make_user

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/access/join/([\w-]+)/")


def agency(acronym):
    return Agency.objects.get(acronym=acronym)


def fresh(user):
    """The user as a new request sees them (roles are cached on the object)."""
    return User.objects.get(pk=user.pk)


def token_from(message) -> str:
    return LINK.search(message.get_content()).group(1)


def send(callbacks_fixture, fn, **kwargs):
    with callbacks_fixture(execute=True):
        return fn(**kwargs)


@pytest.fixture
def secretariat():
    return make_user("secretariat")


def test_secretariat_invites_a_convener_who_accepts_with_a_new_account(
    cambodia, secretariat, smtp_server, django_capture_on_commit_callbacks
):
    ConvenerTerm.objects.filter(team=cambodia).update(end_date=dt.date(2024, 12, 31))
    invitation = send(
        django_capture_on_commit_callbacks,
        services.invite,
        user=secretariat,
        team=cambodia,
        role="convener",
        agency=agency("WFP"),
        email="Amara.Diallo@wfp.example.org",
        name="Amara Diallo",
        language="fr",
        base_url="http://portal.example.org/",
    )
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "Amara.Diallo@wfp.example.org"
    assert "Invitation" in message["Subject"] and "Cambodia" in message["Subject"]
    assert message["Content-Language"] == "fr"
    token = token_from(message)
    assert len(token) >= 40
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None
    assert token not in Invitation.objects.get(pk=invitation.pk).token_hash  # only a hash is stored

    user = services.accept_invitation(token=token, username="amara", password="a-long-test-password")
    assert user.email == "Amara.Diallo@wfp.example.org" and user.language == "fr"
    assert user.person.email == "Amara.Diallo@wfp.example.org"
    assert cambodia.pk in team_roles(fresh(user)).convener_of
    term = ConvenerTerm.objects.get(team=cambodia, person=user.person)
    assert term.agency.acronym == "WFP" and term.is_current
    kinds = set(SecurityEvent.objects.values_list("kind", flat=True))
    assert {"invitation_sent", "invitation_accepted", "roster_role_given"} <= kinds

    with pytest.raises(services.InvitationUnusable, match="already been used"):
        services.accept_invitation(token=token, username="amara2", password="a-long-test-password")


def test_links_cannot_be_guessed_expire_and_can_be_revoked(
    cambodia, secretariat, smtp_server, django_capture_on_commit_callbacks
):
    with pytest.raises(services.InvitationUnusable, match="not valid"):
        services.usable_invitation("not-a-real-token")
    invitation = send(
        django_capture_on_commit_callbacks,
        services.invite,
        user=secretariat,
        team=cambodia,
        role="viewer",
        email="viewer@example.org",
        name="V",
    )
    token = token_from(smtp_server.wait_for(1)[0])
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(services.InvitationUnusable, match="expired"):
        services.accept_invitation(token=token, username="v", password="a-long-test-password")
    # Resending gives a new link, valid for 7 days; the old one stops working.
    send(django_capture_on_commit_callbacks, services.resend_invitation, pk=invitation.pk, user=secretariat)
    new_token = token_from(smtp_server.wait_for(2)[1])
    assert new_token != token
    with pytest.raises(services.InvitationUnusable, match="not valid"):
        services.usable_invitation(token)
    services.revoke_invitation(pk=invitation.pk, user=secretariat)
    with pytest.raises(services.InvitationUnusable, match="withdrawn"):
        services.usable_invitation(new_token)
    with pytest.raises(StateConflict):
        services.revoke_invitation(pk=invitation.pk, user=secretariat)


def test_an_address_with_an_account_is_linked_not_duplicated(
    cambodia, secretariat, smtp_server, django_capture_on_commit_callbacks
):
    existing = make_user("viewer", email="someone@unicef.example.org")
    send(
        django_capture_on_commit_callbacks,
        services.invite,
        user=secretariat,
        team=cambodia,
        role="focal_point",
        agency=agency("UNICEF"),
        email="SOMEONE@unicef.example.org",
        name="Someone",
    )
    token = token_from(smtp_server.wait_for(1)[0])
    with pytest.raises(PermissionDenied, match="exists already: sign in"):
        services.accept_invitation(token=token, username="someone", password="a-long-test-password")
    other = make_user("viewer", email="other@example.org")
    with pytest.raises(PermissionDenied, match="This invitation is for"):
        services.accept_invitation(token=token, user=other)
    users_before = User.objects.count()
    services.accept_invitation(token=token, user=existing)
    assert User.objects.count() == users_before
    assert cambodia.pk in team_roles(fresh(existing)).focal_point_of


def test_only_the_teams_conveners_and_the_secretariat_invite(cambodia, chad):
    convener, focal, viewer = make_user("convener", cambodia), make_user("focal_point", cambodia), make_user("viewer")
    chad_convener = make_user("convener", chad)
    for user in (focal, viewer, chad_convener):
        with pytest.raises(PermissionDenied, match="conveners or the Secretariat"):
            services.invite(user=user, team=cambodia, role="viewer", email="x@example.org", name="X")
    with pytest.raises(PermissionDenied, match="without a team"):
        services.invite(user=convener, team=None, role="viewer", email="x@example.org", name="X")
    # A convener invites a focal point of a member agency; not of an agency outside the team.
    services.invite(
        user=convener, team=cambodia, role="focal_point", agency=agency("WHO"), email="who@example.org", name="W"
    )
    with pytest.raises(ValidationError, match="not a member of this team"):
        services.invite(
            user=convener, team=cambodia, role="focal_point", agency=agency("IFAD"), email="i@example.org", name="I"
        )
    with pytest.raises(ValidationError, match="already has a convener"):
        services.invite(
            user=convener, team=cambodia, role="convener", agency=agency("WFP"), email="c@example.org", name="C"
        )
    assert Invitation.objects.count() == 1


def test_hand_over_takes_effect_when_the_successor_accepts(cambodia, smtp_server, django_capture_on_commit_callbacks):
    outgoing = make_user("convener", cambodia, agency="WFP")
    term = ConvenerTerm.objects.get(team=cambodia, person=outgoing.person, end_date__isnull=True)
    start = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(PermissionDenied, match="outgoing convener or the Secretariat"):
        services.hand_over(
            term=term, user=make_user("focal_point", cambodia), email="n@example.org", name="N", starts_on=start
        )
    invitation = send(
        django_capture_on_commit_callbacks,
        services.hand_over,
        term=term,
        user=outgoing,
        email="next@unicef.example.org",
        name="Next Convener",
        agency=agency("UNICEF"),
        starts_on=start,
    )
    assert invitation.is_hand_over
    term.refresh_from_db()
    assert term.end_date is None  # nothing happens before the successor accepts
    token = token_from(smtp_server.wait_for(1)[0])
    successor = services.accept_invitation(token=token, username="next", password="a-long-test-password")
    term.refresh_from_db()
    assert term.end_date == start - dt.timedelta(days=1)
    new = ConvenerTerm.objects.get(team=cambodia, person=successor.person)
    assert (new.start_date, new.agency.acronym, new.role) == (start, "UNICEF", "convener")
    history = ConvenerTerm.objects.filter(team=cambodia, role="convener").order_by(
        F("start_date").desc(nulls_last=True)
    )
    assert list(history[:2]) == [new, term]
    assert SecurityEvent.objects.filter(kind="hand_over_proposed").exists()
    assert SecurityEvent.objects.filter(kind="hand_over_done").exists()


def test_leaving_names_a_successor_who_is_invited(cambodia, smtp_server, django_capture_on_commit_callbacks):
    focal = make_user("focal_point", cambodia, agency="UNICEF")
    entry = FocalPoint.objects.get(person=focal.person)
    send(
        django_capture_on_commit_callbacks,
        services.leave_focal_point,
        entry=entry,
        user=focal,
        reason="reassigned",
        successor_email="successor@unicef.example.org",
        successor_name="Successor",
    )
    entry.refresh_from_db()
    assert entry.end_date == timezone.localdate() and entry.end_reason == "reassigned"
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "successor@unicef.example.org"
    user = services.accept_invitation(token=token_from(message), username="succ", password="a-long-test-password")
    assert FocalPoint.objects.get(person=user.person).member.agency.acronym == "UNICEF"


def test_focal_points_keep_the_roster(cambodia, chad):
    focal = make_user("focal_point", cambodia, agency="UNICEF")
    colleague = roster.add_focal_point(
        user=focal, team=cambodia, agency=agency("UNICEF"), name="Colleague", email="colleague@unicef.example.org"
    )
    assert colleague.is_current and not colleague.is_primary or colleague.is_primary
    roster.mark_primary(pk=colleague.pk, user=focal)
    assert FocalPoint.objects.get(person=focal.person).is_primary is False
    roster.update_focal_point(pk=colleague.pk, user=focal, data={"phone": "+855 23 123 456"})
    colleague.refresh_from_db()
    assert colleague.person.phone == "+855 23 123 456"
    with pytest.raises(ValidationError, match="Say why"):
        roster.end_focal_point(pk=colleague.pk, user=focal, reason="other")
    roster.end_focal_point(pk=colleague.pk, user=focal, reason="left_agency")
    assert colleague.history.first().history_user == focal
    # Another team's focal point touches nothing of Cambodia's.
    chad_focal = make_user("focal_point", chad)
    with pytest.raises(PermissionDenied):
        roster.add_focal_point(user=chad_focal, team=cambodia, agency=agency("UNICEF"), name="X", email="x@example.org")
    with pytest.raises(PermissionDenied):
        roster.mark_primary(pk=FocalPoint.objects.get(person=focal.person).pk, user=chad_focal)


def test_member_agency_proposal_confirmed_by_the_secretariat(cambodia, secretariat):
    focal = make_user("focal_point", cambodia)
    proposal = roster.propose_member(user=focal, team=cambodia, agency=agency("IFAD"), note="Joint programme")
    assert not TeamMember.objects.filter(team=cambodia, agency__acronym="IFAD").exists()
    with pytest.raises(PermissionDenied, match="Only the Secretariat"):
        roster.decide_membership(pk=proposal.pk, user=focal, approve=True)
    roster.decide_membership(pk=proposal.pk, user=secretariat, approve=True)
    assert TeamMember.objects.filter(team=cambodia, agency__acronym="IFAD").exists()
    with pytest.raises(StateConflict):
        roster.decide_membership(pk=proposal.pk, user=secretariat, approve=False, reason="no")


def test_access_request_approved_by_the_convener_never_by_oneself(
    cambodia, smtp_server, django_capture_on_commit_callbacks
):
    convener = make_user("convener", cambodia, email="convener@example.org")
    viewer = make_user("viewer", email="asker@wfp.example.org")
    request = send(
        django_capture_on_commit_callbacks,
        services.request_access,
        user=viewer,
        team=cambodia,
        agency=agency("WFP"),
        message="I am WFP's nutrition focal point in Cambodia",
    )
    assert smtp_server.wait_for(1).to("convener@example.org")
    with pytest.raises(PermissionDenied, match="your own"):
        services.decide_access_request(pk=request.pk, user=viewer, approve=True)
    with pytest.raises(ValidationError, match="Say why"):
        services.decide_access_request(pk=request.pk, user=convener, approve=False)
    send(django_capture_on_commit_callbacks, services.decide_access_request, pk=request.pk, user=convener, approve=True)
    assert AccessRequest.objects.get(pk=request.pk).status == "approved"
    assert cambodia.pk in team_roles(fresh(viewer)).focal_point_of
    told = smtp_server.wait_for(2).to("asker@wfp.example.org")
    assert told and "approved" in told[0]["Subject"]
    assert SecurityEvent.objects.filter(kind="access_approved", user=viewer).exists()


def test_yearly_check_asks_once_and_confirming_clears_the_flag(
    cambodia, smtp_server, django_capture_on_commit_callbacks
):
    from teams.selectors import unconfirmed_focal_points

    focal = make_user("focal_point", cambodia, agency="UNICEF")
    entry = FocalPoint.objects.get(person=focal.person)
    FocalPoint.objects.filter(pk=entry.pk).update(last_confirmed_at=timezone.now() - dt.timedelta(days=400))
    assert unconfirmed_focal_points().filter(pk=entry.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        asked = services.ask_roster_confirmations()
    assert asked >= 1
    mine = smtp_server.wait_for(1).to(focal.person.email)
    assert len(mine) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.ask_roster_confirmations()
    assert len(smtp_server.to(focal.person.email)) == 1  # not asked twice
    link = re.search(r"/access/check/([^/\s]+)/", mine[0].get_content()).group(1)
    from access.tokens import read_entry_token

    assert read_entry_token(link, 700) == ("fp", entry.pk)
    roster.confirm_entry(entry=entry)
    assert not unconfirmed_focal_points().filter(pk=entry.pk).exists()
