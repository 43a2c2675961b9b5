"""Portal pages of the roster and access features: the team page (last confirmed, flags, terms of
reference, resources mobilised, editing links by role), another team's pages refused, preferences,
governance, and the unconfirmed entries on the dashboard and in the data-quality findings."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency, ChairTerm
from reports.selectors import Scope, findings, unconfirmed_roster_entries
from teams.models import FocalPoint, TermsOfReference
from workplans.models import ResourceMobilised

from ..factories import make_person, make_user

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(cambodia, chad):
    return {
        "secretariat": make_user("secretariat"),
        "convener": make_user("convener", cambodia),
        "focal": make_user("focal_point", cambodia, agency="UNICEF"),
        "viewer": make_user("viewer"),
        "chad_focal": make_user("focal_point", chad, agency="WHO"),
    }


def test_team_page_shows_last_confirmed_flags_tor_and_resources(cambodia, people):
    entry = FocalPoint.objects.get(person=people["focal"].person)
    FocalPoint.objects.filter(pk=entry.pk).update(last_confirmed_at=timezone.now() - dt.timedelta(days=400))
    TermsOfReference.objects.create(team=cambodia, title="Terms of reference 2024", summary="How the team works.")
    ResourceMobilised.objects.create(team=cambodia, source="Joint proposal", amount=3500000, purpose="Child wasting")
    page = client_for(people["viewer"]).get(f"/teams/{cambodia.pk}/").content.decode()
    assert "unconfirmed for a year" in page and 'id="unconfirmed-flag"' in page
    assert "Terms of reference 2024" in page and "How the team works." in page
    assert "Joint proposal" in page and "3500000" in page.replace(",", "").replace("\u202f", "")
    assert "Add a focal point" not in page and "Ask to be a focal point of this team" in page
    page = client_for(people["focal"]).get(f"/teams/{cambodia.pk}/").content.decode()
    assert "Add a focal point" in page and "leaving this role" in page
    assert "Invite someone" not in page  # a focal point does not invite
    page = client_for(people["convener"]).get(f"/teams/{cambodia.pk}/").content.decode()
    assert "Invite someone" in page and "Hand over" in page


def test_another_teams_focal_point_is_refused_every_roster_page(cambodia, people):
    client = client_for(people["chad_focal"])
    entry = FocalPoint.objects.get(person=people["focal"].person)
    term = cambodia.convener_terms.get(person=people["convener"].person)
    for path in (
        f"/teams/{cambodia.pk}/focal-points/new/",
        f"/teams/{cambodia.pk}/members/propose/",
        f"/teams/focal-points/{entry.pk}/edit/",
        f"/teams/focal-points/{entry.pk}/end/",
        f"/teams/convener-terms/{term.pk}/contacts/",
        f"/access/hand-over/{term.pk}/",
        f"/access/leave/{entry.pk}/",
        f"/access/invite/?team={cambodia.pk}",
    ):
        assert client.get(path).status_code in (403, 404), path
    assert client.post(f"/teams/focal-points/{entry.pk}/primary/").status_code == 404
    assert client.post(f"/teams/focal-points/{entry.pk}/end/", {"reason": "reassigned"}).status_code == 404
    entry.refresh_from_db()
    assert entry.end_date is None


def test_the_teams_focal_point_ends_a_colleague_with_a_reason(cambodia, people):
    colleague = FocalPoint.objects.create(
        member=FocalPoint.objects.get(person=people["focal"].person).member,
        person=make_person("UNICEF"),
        is_primary=False,
    )
    client = client_for(people["focal"])
    response = client.post(f"/teams/focal-points/{colleague.pk}/end/", {"reason": "other"})
    assert response.status_code == 200 and "Say why" in response.content.decode()
    response = client.post(f"/teams/focal-points/{colleague.pk}/end/", {"reason": "left_agency"})
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert (colleague.end_date, colleague.end_reason) == (timezone.localdate(), "left_agency")
    assert colleague.history.first().history_user == people["focal"]


def test_preferences_set_the_language_and_email(people):
    user = people["viewer"]
    client = client_for(user)
    response = client.post("/accounts/preferences/", {"language": "fr", "email_notifications": ""})
    assert response.status_code == 302
    user = User.objects.get(pk=user.pk)
    assert (user.language, user.email_notifications) == ("fr", False)
    fresh = Client()
    fresh.force_login(user)  # another browser, no language cookie: the preference applies
    assert fresh.get("/dashboard/")["Content-Language"] == "fr"
    assert client.post("/accounts/preferences/", {"language": "xx"}).status_code == 200  # refused, named


def test_governance_page(people):
    wfp = Agency.objects.get(acronym="WFP")
    chair = ChairTerm.objects.select_related("person").first()  # the first Chair, from the reference data
    page = client_for(people["viewer"]).get("/governance/").content.decode()
    for text in (
        "Steering Committee",
        "Member agencies",
        "Secretariat",
        "Chair",
        chair.person.name,
        "XM-DAC-41140",
        wfp.acronym,
    ):
        assert text in page, text
    assert "Food and Agriculture Organization" in page.split('id="secretariat"')[1].split("</section>")[0]


def test_unconfirmed_entries_are_on_the_dashboard_and_in_the_findings(cambodia, people):
    entry = FocalPoint.objects.get(person=people["focal"].person)
    FocalPoint.objects.filter(pk=entry.pk).update(last_confirmed_at=timezone.now() - dt.timedelta(days=400))
    rows = list(unconfirmed_roster_entries(Scope()))
    assert [(row["e_team_name"], row["e_person"], row["e_role"]) for row in rows] == [
        (cambodia.name, entry.person.name, "focal_point")
    ]
    year = timezone.localdate().year
    assert findings(year, Scope(), timezone.localdate(), timezone.localdate(), 90)["unconfirmed"].count() == 1
    page = client_for(people["secretariat"]).get("/dashboard/").content.decode()
    card = page.split('id="unconfirmed-card"')[1].split("</div>")[0]
    assert "1 roster entry not confirmed for a year" in card and entry.person.name in card
