"""Small builders for test records; reference data is already in the database."""

import datetime as dt
import itertools

from accounts.models import User
from agencies.models import Agency
from countries.models import Country, Person
from teams.models import ConvenerTerm, FocalPoint, Team, TeamMember
from workplans.models import ActionArea, Activity, Workplan

_seq = itertools.count(1)


def make_team(iso3: str, **values) -> Team:
    country = Country.objects.get(iso_alpha3=iso3)
    values.setdefault("name", f"UN Nutrition {country.name}")
    return Team.objects.create(kind=Team.Kind.COUNTRY, country=country, **values)


def make_person(agency: str | None = "UNICEF", **values) -> Person:
    n = next(_seq)
    values.setdefault("name", f"Person {n}")
    values.setdefault("email", f"person{n}@example.org")
    return Person.objects.create(agency=Agency.objects.get(acronym=agency) if agency else None, **values)


def make_user(role: str, team: Team | None = None, agency: str = "UNICEF", **values) -> User:
    """A user with the given role: secretariat, convener or focal_point (of `team`), viewer."""
    n = next(_seq)
    person = make_person(agency)
    user = User.objects.create_user(
        username=values.pop("username", f"{role}{n}"),
        password=values.pop("password", "a-long-test-password"),
        is_secretariat=role == "secretariat",
        person=person,
        **values,
    )
    if role == "convener":
        ConvenerTerm.objects.filter(team=team, role="convener", end_date__isnull=True).update(
            end_date=dt.date(2020, 12, 31), start_date=None
        )
        ConvenerTerm.objects.create(
            team=team, role="convener", agency=person.agency, person=person, start_date=dt.date(2021, 1, 1)
        )
    elif role == "focal_point":
        member, _ = TeamMember.objects.get_or_create(team=team, agency=person.agency)
        FocalPoint.objects.create(member=member, person=person, start_date=dt.date(2021, 1, 1))
    return user


def make_workplan(team: Team, year: int = 2026, status: str = "draft", **values) -> Workplan:
    if status != "draft":
        values.setdefault("submitted_at", dt.datetime(year, 2, 1, tzinfo=dt.UTC))
    if status == "endorsed":
        values.setdefault("endorsed_at", dt.datetime(year, 3, 1, tzinfo=dt.UTC))
    return Workplan.objects.create(team=team, year=year, status=status, **values)


def make_activity(workplan: Workplan, **values) -> Activity:
    values.setdefault("title", f"Activity {next(_seq)}")
    values.setdefault("action_area", ActionArea.objects.get(code="capacity"))
    values.setdefault("lead_agency", Agency.objects.get(acronym="WFP"))
    values.setdefault("start_date", dt.date(workplan.year, 2, 1))
    values.setdefault("end_date", dt.date(workplan.year, 11, 30))
    return Activity.objects.create(workplan=workplan, **values)


def form_data(activity, **changes):
    """What the portal's activity form posts for `activity` as loaded now, with `changes`."""
    data = {
        "title": activity.title,
        "description": activity.description,
        "action_area": activity.action_area_id,
        "lead_agency": activity.lead_agency_id,
        "is_national": "on" if activity.is_national else "",
        "start_date": activity.start_date.isoformat(),
        "end_date": activity.end_date.isoformat(),
        "currency": activity.currency,
        "budget_required": str(activity.budget_required),
        "budget_available": str(activity.budget_available),
        "budget_spent": str(activity.budget_spent),
        "status": activity.status,
        "version": activity.updated_at.isoformat(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}
