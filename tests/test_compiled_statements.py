"""Statements compiled once per connection (core.statements): the activity payloads they build are,
field for field, what the querysets give, after every kind of change, and the ORM compiles each
statement once per connection, not once per call."""

import datetime as dt

import pytest
from django.db import connection, connections

from agencies.models import Agency
from core.statements import STAND_IN, Statement, statement
from countries.models import Subdivision
from teams.models import Team
from workplans import selectors
from workplans.models import ProgressUpdate, SdgTarget, Tag

from .factories import make_activity, make_workplan

pytestmark = pytest.mark.django_db

ROWS = ("_rows_of_workplan", "_rows_of_workplans", "_rows_of_activities")
STATEMENTS = (*ROWS, "_progress_of_activities", "_lists_of_activities")


def built_by_the_querysets(monkeypatch, **which):
    """The payloads as the plain querysets build them (what the code did before it compiled once)."""
    with monkeypatch.context() as patch:
        for name in STATEMENTS:
            patch.setattr(getattr(selectors, name), "fixed_shape", lambda connection: False)
        return selectors.activity_payloads(**which)


@pytest.fixture
def activities(cambodia):
    plan, other = make_workplan(cambodia, 2026), make_workplan(cambodia, 2025)
    rich = make_activity(plan, budget_required="1200.50", budget_spent="7.25", description="Le texte, 中文")
    rich.participating_agencies.set(Agency.objects.filter(acronym__in=["FAO", "UNICEF"]))
    rich.sdg_targets.set(SdgTarget.objects.filter(code__in=["2.1", "2.2"]))
    rich.subdivisions.set(Subdivision.objects.filter(country=cambodia.country)[:2])
    rich.tags.set(Tag.objects.all()[:2])
    for day, percent in ((10, 20), (20, 60)):
        ProgressUpdate.objects.create(
            activity=rich, reported_on=dt.date(2026, 5, day), percent_complete=percent, status="ongoing", text="x"
        )
    bare = make_activity(plan)
    older = make_activity(other)
    return plan, other, rich, bare, older


def test_the_payloads_are_what_the_querysets_give_before_and_after_changes(activities, monkeypatch):
    plan, other, rich, bare, older = activities
    ways = (
        {"workplan_id": plan.pk},
        {"workplan_ids": [plan.pk, other.pk]},
        {"activity_ids": [older.pk, bare.pk, rich.pk]},  # in this order
        {"activity_ids": []},
    )
    first = selectors.activity_payloads(activity_ids=[rich.pk])[0]
    assert first["participating_agencies"] == ["FAO", "UNICEF"] and first["sdg_targets"] == ["2.1", "2.2"]
    assert first["latest_progress"]["percent_complete"] == 60 and first["budget_spent"] == "7.25"
    assert [row["id"] for row in selectors.activity_payloads(**ways[2])] == [older.pk, bare.pk, rich.pk]
    for which in ways:
        assert selectors.activity_payloads(**which) == built_by_the_querysets(monkeypatch, **which)

    # Changes reach the next call: nothing but the SQL is kept.
    rich.title = "Renamed"
    rich.save()
    rich.participating_agencies.set(Agency.objects.filter(acronym="WFP"))
    ProgressUpdate.objects.create(
        activity=bare, reported_on=dt.date(2026, 6, 1), percent_complete=5, status="ongoing", text="y"
    )
    payloads = {row["id"]: row for row in selectors.activity_payloads(workplan_id=plan.pk)}
    assert payloads[rich.pk]["title"] == "Renamed" and payloads[rich.pk]["participating_agencies"] == ["WFP"]
    assert payloads[bare.pk]["latest_progress"]["percent_complete"] == 5
    for which in ways:
        assert selectors.activity_payloads(**which) == built_by_the_querysets(monkeypatch, **which)


def test_each_statement_is_compiled_once_per_connection(activities, monkeypatch):
    plan, other, rich, bare, older = activities
    compiled = []
    original = Statement._compile

    def counting(self, connection):
        compiled.append(self.key)
        return original(self, connection)

    monkeypatch.setattr(Statement, "_compile", counting)
    for name in STATEMENTS:
        connections["default"].__dict__.pop(getattr(selectors, name).key, None)
    for ids in ([rich.pk], [bare.pk, older.pk], [rich.pk, bare.pk, older.pk]):
        selectors.activity_payloads(activity_ids=ids)
    if connection.vendor == "postgresql":
        by_ids = ("_rows_of_activities", "_progress_of_activities", "_lists_of_activities")
        assert sorted(compiled) == sorted(getattr(selectors, name).key for name in by_ids)
    else:  # one placeholder per id: built each time, never from SQL compiled for another number of ids
        assert compiled == []


def test_values_go_through_the_fields_converters(db):
    """A JSON field's value comes back decoded, as the queryset gives it."""

    @statement()
    def agency_names(pk):
        return Agency.objects.filter(pk=pk).values("acronym", "name_translations")

    fao = Agency.objects.get(acronym="FAO")
    expected = list(Agency.objects.filter(pk=fao.pk).values("acronym", "name_translations"))
    assert agency_names.dicts(fao.pk) == expected
    assert agency_names.dicts(fao.pk) == expected  # compiled by then
    assert agency_names.tuples(fao.pk) == [tuple(expected[0].values())]
    assert isinstance(expected[0]["name_translations"], dict) and expected[0]["name_translations"]
    assert agency_names.dicts(STAND_IN + 1) == []


def test_a_statement_whose_value_is_not_a_parameter_is_refused(db):
    fixed = Statement(lambda pk: Agency.objects.filter(pk=1).values("acronym"))
    with pytest.raises(RuntimeError, match="not a parameter"):
        fixed.dicts(5)


def test_a_workplan_without_activities(chad):
    assert selectors.activity_payloads(workplan_id=make_workplan(chad, 2026).pk) == []


def test_each_save_records_the_many_to_many_lists_as_they_are(activities, cambodia):
    """core.models.HistoricalRecords copies the through rows by id: each history record holds every
    list of the activity (and of a team) as it was saved, which restoring from history relies on."""
    plan, other, rich, bare, older = activities
    rich.title = "Saved again"
    rich.save()
    record = rich.history.latest("history_date")
    for name in ("participating_agencies", "sdg_targets", "national_frameworks", "subdivisions", "tags"):
        through = getattr(rich, name).through
        kept = {tuple(row) for row in getattr(record, name).values_list(*(f.attname for f in through._meta.fields))}
        now = {
            tuple(row)
            for row in through.objects.filter(activity=rich).values_list(*(f.attname for f in through._meta.fields))
        }
        assert kept == now, name
    assert {row.agency.acronym for row in record.participating_agencies.all()} == {"FAO", "UNICEF"}
    assert len(record.sdg_targets.all()) == 2 and not record.national_frameworks.exists()

    cambodia.subdivisions.set(Subdivision.objects.filter(country=cambodia.country)[:3])
    cambodia.save()
    team_record = cambodia.history.latest("history_date")
    assert team_record.subdivisions.count() == 3
    assert set(team_record.subdivisions.values_list("subdivision_id", flat=True)) == set(
        cambodia.subdivisions.values_list("pk", flat=True)
    )


def test_the_dashboard_shares_are_what_the_querysets_give(activities, monkeypatch):
    plan, other, rich, bare, older = activities
    for year, ids in ((2026, [plan.pk, other.pk]), (2025, [other.pk]), (2026, [])):
        compiled = selectors._workplan_shares(year, ids)
        with monkeypatch.context() as patch:
            for name in ("_share_rows", "_share_participation"):
                patch.setattr(getattr(selectors, name), "fixed_shape", lambda connection: False)
            assert compiled == selectors._workplan_shares(year, ids)
    share = dict(selectors._workplan_shares(2026, [plan.pk])[plan.pk]["participation"])
    assert share == {("WFP", "KHM"): 2, ("FAO", "KHM"): 1, ("UNICEF", "KHM"): 1}


def test_rosters_are_what_the_querysets_give(cambodia, chad, monkeypatch):
    """teams.api.roster's four statements: terms, members with focal points, platforms, name lists."""
    from teams.api import roster
    from teams.models import ConvenerTerm, FocalPoint, HumanitarianCluster, Platform, TeamMember, TeamPlatform
    from workplans.models import ActionArea, NationalFramework

    from .factories import make_person, make_user

    unicef, wfp = Agency.objects.get(acronym="UNICEF"), Agency.objects.get(acronym="WFP")
    focal = make_user("focal_point", cambodia)
    for team in (cambodia, chad):
        member = TeamMember.objects.get_or_create(
            team=team, agency=unicef, defaults={"start_date": dt.date(2024, 1, 1)}
        )[0]
        TeamMember.objects.get_or_create(team=team, agency=wfp, defaults={"start_date": dt.date(2024, 1, 1)})
        for primary in (True, False):
            FocalPoint.objects.create(
                member=member, person=make_person(email=f"fp-{team.pk}-{primary}@example.org"), is_primary=primary
            )
        ConvenerTerm.objects.create(  # an earlier term, in the history
            team=team, role="convener", agency=wfp, person=make_person(),
            start_date=dt.date(2020, 1, 1), end_date=dt.date(2020, 12, 31),
        )  # fmt: skip
    cambodia.clusters.set([HumanitarianCluster.objects.create(name="Nutrition cluster")])
    cambodia.action_areas.set(ActionArea.objects.all()[:2])
    cambodia.national_frameworks.set(
        [NationalFramework.objects.create(country=cambodia.country, name="Fast Track Road Map")]
    )
    TeamPlatform.objects.create(
        team=cambodia,
        platform=Platform.objects.create(name="CARD", country=cambodia.country),
        since=dt.date(2015, 1, 1),
    )
    rows = list(roster.team_rows(Team.objects.filter(pk__in=[cambodia.pk, chad.pk]).order_by("name")))
    for user in (focal, make_user("secretariat"), make_user("viewer")):
        compiled = [item.data for item in roster.rosters(rows, user)]
        with monkeypatch.context() as patch:
            for name in ("_terms_of", "_members_of", "_platforms_of", "_name_lists"):
                patch.setattr(getattr(roster, name), "fixed_shape", lambda connection: False)
            assert compiled == [item.data for item in roster.rosters(rows, user)]
    khm = next(data for data in compiled if data["id"] == cambodia.pk)
    assert khm["clusters"] == ["Nutrition cluster"] and len(khm["action_areas"]) == 2
    assert khm["national_frameworks"] == ["Fast Track Road Map"] and "CARD" in [p["name"] for p in khm["platforms"]]
    by_agency = {m["agency"]: len(m["focal_points"]) for m in khm["members"]}
    assert by_agency["UNICEF"] >= 2 and by_agency["WFP"] == 0
    assert "WFP" in [term["agency"] for term in khm["convener_history"]]


def test_a_statement_on_a_32_bit_key(db):
    """The stand-in fits any integer key: Django refuses to compile a lookup with a value its field
    cannot hold (auth's Group keeps a 32-bit AutoField)."""
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="Readers")
    names = Statement(lambda pk: Group.objects.filter(pk=pk).values_list("name", flat=False), name="test-group")
    assert names.tuples(group.pk) == [("Readers",)]
    assert names.tuples(group.pk + 1) == []
