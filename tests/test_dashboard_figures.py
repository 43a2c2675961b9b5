"""Each coordination figure has one definition, shared by the dashboard page, the API summary
and the reports: on a data set where the old, separate definitions disagreed, they agree."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import Agency
from countries.models import Country
from reports.selectors import Scope, attention_lists, key_figures, money_by, money_totals
from teams.models import ConvenerTerm, Team
from workplans.models import Activity
from workplans.selectors import covered_countries, dashboard_summary, reference_date

from .factories import make_activity, make_team, make_user, make_workplan

TODAY = timezone.localdate()
PAST = TODAY.year - 1


def convener(team, role="convener", agency="WFP", **dates):
    return ConvenerTerm.objects.create(team=team, role=role, agency=Agency.objects.get(acronym=agency), **dates)


@pytest.fixture
def disagreeing(db):
    """Teams the old headline (every active team, conveners of today) and the old attention list
    (active country teams and regional groups, conveners on the reference day) counted apart."""
    chad = make_team("TCD")  # no convener, no workplan
    mali = make_team("MLI")
    convener(mali, role="co_convener")  # a co-convener alone is no convener
    niger = make_team("NER")
    convener(niger, start_date=dt.date(TODAY.year, 1, 1))  # convener since this year only
    kenya = make_team("KEN")
    convener(kenya, start_date=dt.date(PAST, 1, 1))
    # Subnational groups are run by their country team: not expected to have a convener or a workplan.
    provinces = Team.objects.create(
        name="Kenya county working group", kind=Team.Kind.SUBNATIONAL, country=kenya.country, parent=kenya
    )
    convener(provinces)
    Team.objects.create(name="Chad provincial group", kind=Team.Kind.SUBNATIONAL, country=chad.country, parent=chad)
    # A subnational group whose country team was closed: its country has no active country team.
    senegal = make_team("SEN", is_active=False)
    Team.objects.create(
        name="Senegal regional group of Kaolack", kind=Team.Kind.SUBNATIONAL, country=senegal.country, parent=senegal
    )
    convener(senegal)
    make_workplan(senegal, PAST, status="endorsed")  # an inactive team's workplan
    make_workplan(provinces, PAST, status="submitted")  # a subnational group's workplan
    make_workplan(kenya, PAST, status="endorsed")
    make_workplan(mali, PAST, status="draft")
    return {"chad": chad, "mali": mali, "niger": niger, "kenya": kenya, "provinces": provinces}


def test_convener_headline_and_attention_list_agree(disagreeing):
    summary = dashboard_summary(PAST)
    attention = attention_lists(PAST, limit=1000)
    without = {row["pk"] for row in attention["teams_without_convener"]}

    assert summary["teams"] - summary["teams_with_convener"] == attention["teams_without_convener_count"]
    assert len(without) == attention["teams_without_convener_count"]
    # Chad and Mali (co-convener only) have none; Niger had none on 31 December of the past year.
    assert {disagreeing["chad"].pk, disagreeing["mali"].pk, disagreeing["niger"].pk} <= without
    assert disagreeing["kenya"].pk not in without
    expected = Team.objects.coordinating()
    assert summary["teams"] == expected.count()
    assert summary["teams_with_convener"] == expected.with_convener(dt.date(PAST, 12, 31)).count()
    assert not Team.objects.filter(pk__in=without, kind=Team.Kind.SUBNATIONAL).exists()


def test_this_years_headline_counts_todays_conveners(disagreeing):
    summary = dashboard_summary(TODAY.year)
    attention = attention_lists(TODAY.year, limit=1000)
    without = {row["pk"] for row in attention["teams_without_convener"]}
    assert summary["teams"] - summary["teams_with_convener"] == attention["teams_without_convener_count"]
    assert disagreeing["niger"].pk not in without and disagreeing["mali"].pk in without


def test_dashboard_page_and_api_show_the_same_figures(client, disagreeing):
    secretariat = make_user("secretariat")
    api = APIClient()
    api.force_authenticate(secretariat)
    body = api.get(f"/api/v1/dashboard/summary/?year={PAST}").json()
    client.force_login(secretariat)
    page = client.get(f"/dashboard/?year={PAST}")
    summary, attention = page.context["summary"], page.context["attention"]
    for name in ("teams", "teams_with_convener", "teams_without_workplan", "countries_with_active_team"):
        assert body[name] == summary[name]
    assert body["teams"] - body["teams_with_convener"] == attention["teams_without_convener_count"]
    assert page.context["covered_count"] == summary["countries_with_active_team"]


def test_workplan_figures_add_up_and_match_the_report(disagreeing):
    summary = dashboard_summary(PAST)
    figures = key_figures(PAST, Scope(), reference_date(PAST, TODAY))
    # Every team expected to have a workplan is counted once: by its workplan's status, or as without one.
    assert sum(summary["workplans_by_status"].values()) + summary["teams_without_workplan"] == summary["teams"]
    assert figures["workplans"] == {**summary["workplans_by_status"], "none": summary["teams_without_workplan"]}
    assert figures["countries"] == summary["countries_with_active_team"] == len(covered_countries())
    assert Country.objects.get(iso_alpha3="SEN").iso_numeric not in covered_countries()


def test_activity_and_money_figures_match_the_report(disagreeing):
    kenya, provinces = disagreeing["kenya"], disagreeing["provinces"]
    make_activity(kenya.workplans.get(year=PAST), budget_required=1000, budget_available=400, budget_spent=50)
    make_activity(provinces.workplans.get(year=PAST), currency="EUR", budget_required=300)
    make_activity(Team.objects.get(name="UN Nutrition Senegal").workplans.get(year=PAST), budget_required=70)
    summary = dashboard_summary(PAST)
    scope = Scope()
    figures = key_figures(PAST, scope, reference_date(PAST, TODAY))

    activities = Activity.objects.filter(workplan__year=PAST)
    assert figures["activities"] == sum(r["count"] for r in summary["activities_by_action_area_and_status"])
    assert figures["activities"] == activities.count()
    assert figures["money"] == money_totals(PAST, scope)
    usd = next(m for m in figures["money"] if m["currency"] == "USD")
    assert usd["required"] == sum(a.budget_required for a in activities.filter(currency="USD"))

    def keyed(rows, key):
        return {(row[key] or "Unassigned", row["currency"]): (row["required"], row["available"], row["spent"])
                for row in rows}  # fmt: skip

    assert keyed(summary["budget_by_region"], "region") == keyed(money_by(PAST, scope, "region"), "group")
    names = dict(Activity._meta.get_field("action_area").related_model.objects.values_list("code", "name"))
    dashboard_areas = {(names[code], currency): sums for (code, currency), sums in
                       keyed(summary["budget_by_action_area"], "action_area").items()}  # fmt: skip
    assert dashboard_areas == keyed(money_by(PAST, scope, "action_area"), "group")
    assert ("Africa", "EUR") in keyed(summary["budget_by_region"], "region")


def test_terms_run_on_a_day_by_one_rule(db):
    team = make_team("TCD")
    terms = [
        convener(team, end_date=dt.date(2020, 12, 31)),
        convener(team, start_date=dt.date(2021, 1, 1), end_date=dt.date(2022, 6, 30)),
        convener(team, start_date=dt.date(2022, 7, 1)),
        convener(team, role="co_convener", start_date=dt.date(2021, 3, 1), end_date=dt.date(2021, 3, 1)),
    ]
    for day in [dt.date(2020, 12, 31), dt.date(2021, 1, 1), dt.date(2021, 3, 1), dt.date(2022, 6, 30), TODAY]:
        running = set(ConvenerTerm.objects.filter(team=team).running_on(day).values_list("pk", flat=True))
        assert running == {term.pk for term in terms if term.runs_on(day)}, day
    assert [term.is_current for term in terms] == [False, False, True, False]


def test_the_api_passes_rows_already_in_their_shape_unchanged(disagreeing):
    # The participation and status-count rows skip DRF's field-by-field copy (RowsAsTheyAre): what the
    # API answers must be exactly what copying them through their documented fields gives.
    from rest_framework import serializers

    from workplans.api.serializers import AreaStatusCountSerializer, ParticipationSerializer

    kenya = disagreeing["kenya"]
    wfp, unicef = Agency.objects.get(acronym="WFP"), Agency.objects.get(acronym="UNICEF")
    make_activity(kenya.workplans.get(year=PAST), lead_agency=wfp).participating_agencies.add(unicef)
    make_activity(kenya.workplans.get(year=PAST), status="closed")
    api = APIClient()
    api.force_authenticate(make_user("secretariat"))
    body = api.get(f"/api/v1/dashboard/summary/?year={PAST}").json()
    summary = dashboard_summary(PAST)
    for name, child in (("participation", ParticipationSerializer), ("activities_by_action_area_and_status",
                                                                     AreaStatusCountSerializer)):  # fmt: skip
        copied = serializers.ListSerializer(child=child()).to_representation(summary[name])
        assert body[name] == copied and copied, name
    assert {"agency": "UNICEF", "country": "KEN", "activities": 1} in body["participation"]


def test_the_workplan_attention_lists_are_one_query_each_and_count_every_row(disagreeing, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.selectors import _workplan_lists, stale_activities, workplans_not_submitted

    kenya = disagreeing["kenya"]
    for n in range(3):
        make_activity(
            kenya.workplans.get(year=PAST),
            status="implementation",
            start_date=dt.date(PAST, 1, 1 + n),
            last_progress_at=None,
        )
    with CaptureQueriesContext(connection) as queries:
        lists = _workplan_lists(PAST, limit=2)
    assert len(queries) == 2
    as_of = reference_date(PAST, TODAY)
    due = lists["due"]
    stale = stale_activities(PAST, Scope(), as_of, settings.REPORTS_STALE_ACTIVITY_DAYS)
    not_submitted = workplans_not_submitted(PAST, Scope(), due, as_of)
    assert lists["stale_activities_count"] == stale.count() == 3
    assert lists["stale_activities"] == list(stale[:2])
    assert lists["workplans_not_submitted_count"] == not_submitted.count() > 0
    assert lists["workplans_not_submitted"] == list(not_submitted[:2])
