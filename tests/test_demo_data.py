"""generate_demo_data: plausible, reproducible, replaceable, and never touching real records."""

import datetime as dt

import pytest
from django.core.management import call_command

from countries.models import Person
from teams.models import ConvenerTerm, Team
from unnutrition.demo_data import generate_demo_data
from workplans.models import Activity, ProgressUpdate, Workplan

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


def snapshot():
    """The generated data by natural values (ids differ between runs)."""
    return {
        "teams": sorted(Team.objects.filter(is_demo=True).values_list("name", "established_on", "meeting_frequency")),
        "people": sorted(Person.objects.filter(is_demo=True).values_list("name", "email", "phone", "title")),
        "conveners": sorted(
            ConvenerTerm.objects.filter(team__is_demo=True).values_list(
                "team__name", "agency__acronym", "start_date", "end_date"
            ),
            key=str,
        ),
        "workplans": sorted(Workplan.objects.filter(team__is_demo=True).values_list("team__name", "year", "status")),
        "activities": sorted(
            Activity.objects.filter(workplan__team__is_demo=True).values_list(
                "workplan__team__name", "workplan__year", "title", "lead_agency__acronym", "start_date",
                "end_date", "budget_required", "budget_available", "budget_spent", "status", "is_national",
            ),
            key=str,
        ),
        "participants": sorted(
            Activity.participating_agencies.through.objects.filter(activity__workplan__team__is_demo=True)
            .values_list("activity__title", "activity__start_date", "agency__acronym"),
            key=str,
        ),
        "progress": sorted(
            ProgressUpdate.objects.filter(activity__workplan__team__is_demo=True).values_list(
                "activity__title", "reported_on", "percent_complete"
            ),
            key=str,
        ),
    }  # fmt: skip


def test_same_seed_gives_the_same_data_and_a_rerun_replaces_it():
    counts = generate_demo_data(countries=4, years=2, seed=7, as_of=AS_OF)
    first = snapshot()
    assert len(first["teams"]) == 4
    assert counts["workplans.Workplan"] == 8
    assert 4 * 2 * 30 <= counts["workplans.Activity"] <= 4 * 2 * 50

    again = generate_demo_data(countries=4, years=2, seed=7, as_of=AS_OF)
    assert again == counts
    assert snapshot() == first  # identical, and not doubled

    generate_demo_data(countries=4, years=2, seed=8, as_of=AS_OF)
    assert snapshot() != first


def test_real_teams_are_left_alone():
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    generate_demo_data(countries=300, years=1, seed=1, as_of=AS_OF)
    assert not Team.objects.filter(is_demo=True, country=cambodia.country).exists()
    generate_demo_data(countries=0, years=1, seed=1, as_of=AS_OF)
    assert Team.objects.filter(is_demo=True).count() == 0
    assert Team.objects.get(pk=cambodia.pk).members.count() == 4


def test_data_is_plausible():
    generate_demo_data(countries=5, years=3, seed=3, as_of=AS_OF)
    activities = Activity.objects.filter(workplan__team__is_demo=True)
    assert not activities.filter(end_date__lt=dt.date(2024, 1, 1)).exists()
    for activity in activities.select_related("workplan"):
        assert activity.budget_spent <= activity.budget_available <= activity.budget_required
        assert activity.start_date.year == activity.workplan.year
    # Past years are endorsed; every team has one current convener at most.
    assert set(Workplan.objects.filter(team__is_demo=True, year__lt=2026).values_list("status", flat=True)) == {
        "endorsed"
    }
    for team in Team.objects.filter(is_demo=True):
        assert ConvenerTerm.objects.filter(team=team, end_date__isnull=True).count() <= 1
        assert team.members.count() >= 1
        assert all(m.focal_points.count() == 1 for m in team.members.all())


def test_command_prints_what_it_created(capsys):
    call_command("generate_demo_data", "--countries", "2", "--years", "1", "--seed", "5", "--as-of", "2026-06-30")
    out = capsys.readouterr().out
    assert "teams.Team: 2" in out
    assert "rows in" in out
