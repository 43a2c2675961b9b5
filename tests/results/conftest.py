"""A country team with a workplan, a joint output, the year's reporting periods and people in each role."""

import datetime as dt
from dataclasses import dataclass

import pytest

from agencies.models import Agency
from teams.models import Team
from workplans.models import Output, ReportingPeriod, Workplan

from ..factories import make_team, make_user, make_workplan

YEAR = 2026


def make_periods(year: int = YEAR) -> tuple[ReportingPeriod, ReportingPeriod]:
    mid = ReportingPeriod.objects.create(
        year=year,
        kind="mid_year",
        start_date=dt.date(year, 1, 1),
        end_date=dt.date(year, 6, 30),
        due_date=dt.date(year, 7, 31),
    )
    annual = ReportingPeriod.objects.create(
        year=year,
        kind="annual",
        start_date=dt.date(year, 1, 1),
        end_date=dt.date(year, 12, 31),
        due_date=dt.date(year + 1, 1, 31),
    )
    return mid, annual


@dataclass
class Plan:
    team: Team
    workplan: Workplan
    output: Output
    mid: ReportingPeriod
    annual: ReportingPeriod
    focal: object
    convener: object
    secretariat: object
    viewer: object
    other_focal: object
    other_team: Team


@pytest.fixture
def plan(db) -> Plan:
    team = Team.objects.get(name="UN Nutrition Cambodia")
    workplan = make_workplan(team, YEAR)
    output = Output.objects.create(workplan=workplan, title="Child wasting roadmap costed and funded", position=1)
    mid, annual = make_periods()
    chad = make_team("TCD")
    return Plan(
        team=team,
        workplan=workplan,
        output=output,
        mid=mid,
        annual=annual,
        focal=make_user("focal_point", team, agency="WFP"),
        convener=make_user("convener", team, agency="UNICEF"),
        secretariat=make_user("secretariat"),
        viewer=make_user("viewer"),
        other_focal=make_user("focal_point", chad, agency="WFP"),
        other_team=chad,
    )


def wfp():
    return Agency.objects.get(acronym="WFP")
