"""Two people opening the same invitation link at the same moment: exactly one account is made and
the role is given once (the invitation row is locked while it is accepted). Real threads, each with
its own PostgreSQL connection."""

import threading

import pytest
from django.db import connection, connections

from access import services
from access.models import Invitation
from accounts.models import User
from agencies.models import Agency
from teams.models import FocalPoint, TeamMember
from unnutrition.reference_data.services import load_reference_data

from ..factories import make_team, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_invitation_accepted_twice_at_once_gives_one_account(django_capture_on_commit_callbacks):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    load_reference_data()
    team = make_team("TCD")
    TeamMember.objects.create(team=team, agency=Agency.objects.get(acronym="UNICEF"))
    with django_capture_on_commit_callbacks(execute=False):
        invitation = services.invite(
            user=make_user("secretariat"),
            team=team,
            role="focal_point",
            agency=Agency.objects.get(acronym="UNICEF"),
            email="twice@unicef.example.org",
            name="Twice",
        )
    token, digest = services.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=digest)
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(username):
        try:
            barrier.wait()
            services.accept_invitation(token=token, username=username, password="a-long-test-password")
            outcomes.append("accepted")
        except services.InvitationUnusable as refusal:
            outcomes.append(f"refused: {refusal.status}")
        except Exception as error:  # a unique-constraint error would show a lost race
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "refused: accepted"], outcomes
    assert User.objects.filter(email="twice@unicef.example.org").count() == 1
    assert FocalPoint.objects.filter(person__email="twice@unicef.example.org").count() == 1
