"""Convener changes in the year: new terms with whom they took over from, and the teams whose
convener or co-convener left with nobody taking over."""

import datetime as dt

import pytest

from agencies.models import Agency
from reports.selectors import Scope, convener_changes
from teams.models import ConvenerTerm

from ..factories import make_team

pytestmark = pytest.mark.django_db
YEAR = 2025


def term(team, agency, start, end=None, role="convener"):
    return ConvenerTerm.objects.create(
        team=team, role=role, agency=Agency.objects.get(acronym=agency), start_date=start, end_date=end
    )


@pytest.fixture
def teams():
    left = make_team("TCD")  # FAO left on 31 March; nobody since
    handed_over = make_team("NER")  # WFP until May, UNICEF from June
    late = make_team("MLI")  # left in October; a successor only next year
    closed = make_team("SEN", is_active=False)  # the team itself was closed
    co = make_team("KEN")  # the co-convener left, the convener stays
    term(left, "FAO", dt.date(2022, 1, 1), dt.date(YEAR, 3, 31))
    term(handed_over, "WFP", None, dt.date(YEAR, 5, 31))
    term(handed_over, "UNICEF", dt.date(YEAR, 6, 1))
    term(late, "WHO", dt.date(2020, 1, 1), dt.date(YEAR, 10, 15))
    term(late, "WFP", dt.date(YEAR + 1, 2, 1))
    term(closed, "FAO", dt.date(2020, 1, 1), dt.date(YEAR, 4, 30))
    term(co, "UNICEF", dt.date(2021, 1, 1))
    term(co, "WHO", dt.date(2021, 1, 1), dt.date(YEAR, 8, 31), role="co_convener")
    return {"left": left, "handed_over": handed_over, "late": late, "closed": closed, "co": co}


def test_departures_without_a_successor_are_listed_beside_new_terms(teams):
    rows = [
        (r["team__name"], r["role"], r["start_date"], r["agency__acronym"], r["previous_agency"], r["vacant"])
        for r in convener_changes(YEAR, Scope())
    ]
    assert rows == [
        (teams["left"].name, "convener", dt.date(YEAR, 4, 1), None, "FAO", True),
        (teams["handed_over"].name, "convener", dt.date(YEAR, 6, 1), "UNICEF", "WFP", False),
        (teams["co"].name, "co_convener", dt.date(YEAR, 9, 1), None, "WHO", True),
        (teams["late"].name, "convener", dt.date(YEAR, 10, 16), None, "WHO", True),
    ]


def test_the_next_year_lists_the_late_successor(teams):
    rows = [(r["team__name"], r["agency__acronym"], r["previous_agency"]) for r in convener_changes(YEAR + 1, Scope())]
    assert rows == [(teams["late"].name, "WFP", "WHO")]


def test_a_team_scope_narrows_both_kinds(teams):
    rows = list(convener_changes(YEAR, Scope.of_team(teams["left"])))
    assert [(r["team__name"], r["vacant"]) for r in rows] == [(teams["left"].name, True)]
