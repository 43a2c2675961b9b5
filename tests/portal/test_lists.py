"""The teams and countries lists: what a cell says when there is nothing to say, a country
filter one can use, and a countries list of the places UN Nutrition works in."""

import pytest

from countries.models import Country, SunMembership

from ..factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client):
    client.force_login(make_user("viewer"))
    return client


def test_a_team_without_a_convener_says_so_not_none(viewer, chad):
    body = viewer.get("/teams/?q=chad").content.decode()
    assert '<span class="muted">No convener</span>' in body
    assert ">None<" not in body


def test_the_country_filter_offers_the_countries_with_a_team_as_a_searchable_picker(viewer, chad, cambodia):
    response = viewer.get("/teams/")
    choices = [label for value, label in response.context["filter"].form.fields["country"].choices]
    assert "Chad" in choices and "Cambodia" in choices
    assert "Antarctica" not in choices and len(choices) < 20
    assert 'data-picker="list"' in response.content.decode()
    only_chad = viewer.get("/teams/", {"country": "TCD"}).context["table"].data
    assert [team.name for team in only_chad] == [chad.name]


def test_the_api_still_filters_on_any_country_code(chad):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(make_user("viewer"))
    response = api.get("/api/v1/teams/", {"country": "FRA"})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_the_countries_list_holds_countries_with_a_team_or_in_sun_by_default(viewer, chad):
    SunMembership.objects.get_or_create(country=Country.objects.get(iso_alpha3="NER"))
    names = {c.name for c in viewer.get("/countries/").context["table"].data}
    assert {"Chad", "Cambodia", "Niger"} <= names
    assert "Antarctica" not in names and "Bouvet Island" not in names
    everything = {c.name for c in viewer.get("/countries/", {"show": "all"}).context["table"].data}
    assert {"Antarctica", "Bouvet Island", "Chad"} <= everything
    assert len(everything) > 240


def test_the_countries_api_still_lists_every_country():
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(make_user("viewer"))
    assert api.get("/api/v1/countries/", {"search": "Antarctica"}).json()["count"] == 1
