"""The results endpoints x role x own/other team: reads for every signed-in user; writes for the team
and the Secretariat; another team's record answers 404 to a writer, a viewer 403; If-Match required;
lists cost the same queries for 1 and 50 indicators."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from results import services
from results.models import Indicator, IndicatorValue, StandardIndicator
from workplans.models import Output, ReportingPeriod

from ..api.conftest import WellBehavedClient
from ..factories import make_user, make_workplan
from .conftest import YEAR

pytestmark = pytest.mark.django_db

ROLES = ["secretariat", "convener", "focal_point", "viewer"]


@pytest.fixture
def world(plan):
    """Cambodia (the callers' own team) and Chad (the other), each with an output, an indicator and a value."""
    users = {
        "secretariat": plan.secretariat,
        "convener": plan.convener,
        "focal_point": make_user("focal_point", plan.team, agency="FAO"),
        "viewer": plan.viewer,
    }
    other_plan = make_workplan(plan.other_team, YEAR)
    other_output = Output.objects.create(workplan=other_plan, title="Chad output")
    stunting = StandardIndicator.objects.get(code="sdg-2-2-1-stunting")

    def indicator(output, user):
        made = services.create_indicator(
            output=output,
            user=user,
            data={"standard": stunting, "baseline_value": Decimal("40"), "baseline_year": 2021},
            targets=[{"year": YEAR, "period_kind": "annual", "value": "37"}],
        )
        value = (
            services.enter_value(indicator=made, period=plan.mid, user=plan.focal, data={"value": "39"})
            if output == plan.output
            else services.enter_value(indicator=made, period=plan.mid, user=plan.other_focal, data={"value": "39"})
        )
        return made, value

    own_indicator, own_value = indicator(plan.output, plan.focal)
    other_indicator, other_value = indicator(other_output, plan.other_focal)
    return {
        "plan": plan,
        "users": users,
        "own": {"workplan": plan.workplan, "output": plan.output, "indicator": own_indicator, "value": own_value,
                "attachment": services.add_attachment(user=plan.focal, target=plan.workplan, data={"url": "https://example.org/own"})},
        "other": {"workplan": other_plan, "output": other_output, "indicator": other_indicator, "value": other_value,
                  "attachment": services.add_attachment(user=plan.other_focal, target=other_plan, data={"url": "https://example.org/other", "visibility": "un"})},
    }  # fmt: skip


def client_for(user):
    client = WellBehavedClient()
    client.force_authenticate(user)
    return client


LISTS = [
    "/api/v1/outputs/",
    "/api/v1/indicators/",
    "/api/v1/indicator-values/",
    "/api/v1/reporting-periods/",
    "/api/v1/attachments/",
    "/api/v1/standard-indicators/",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", LISTS)
def test_everyone_signed_in_reads_the_lists(world, role, url):
    response = client_for(world["users"][role]).get(url)
    assert response.status_code == 200, response.content
    assert WellBehavedClient().get(url).status_code == 401


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("thing", ["output", "indicator", "value"])
def test_every_record_reads_with_its_shape(world, role, thing):
    resource = {"output": "outputs", "indicator": "indicators", "value": "indicator-values"}[thing]
    client = client_for(world["users"][role])
    for side in ("own", "other"):
        response = client.get(f"/api/v1/{resource}/{world[side][thing].pk}/")
        if thing == "value" and not (role == "secretariat" or (side == "own" and role != "viewer")):
            # Awaiting approval: the team's working copy (test_values_not_approved_are_the_teams_alone).
            assert response.status_code == 404
            continue
        assert response.status_code == 200
        assert response["ETag"]
    indicator = client.get(f"/api/v1/indicators/{world['own']['indicator'].pk}/").json()
    assert indicator["targets"] == [{"year": YEAR, "period_kind": "annual", "value": "37.00", "text": ""}]
    assert (indicator["standard"], indicator["unit"], indicator["status"], indicator["latest_value"]) == (
        "sdg-2-2-1-stunting", "percent", "no_data", None
    )  # fmt: skip


WRITE_OUTCOME = {  # role -> (own team, other team)
    "secretariat": (True, True),
    "convener": (True, False),
    "focal_point": (True, False),
    "viewer": (False, False),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("side", ["own", "other"])
def test_changes_by_role_and_team(world, role, side):
    client = client_for(world["users"][role])
    may_own, may_other = WRITE_OUTCOME[role]
    allowed = may_own if side == "own" else may_other
    refused = 403 if role == "viewer" else 404
    records = world[side]

    response = client.patch(f"/api/v1/outputs/{records['output'].pk}/", {"position": 7}, format="json")
    assert response.status_code == (200 if allowed else refused), response.content
    response = client.patch(
        f"/api/v1/indicators/{records['indicator'].pk}/", {"means_of_verification": "DHS 2025"}, format="json"
    )
    assert response.status_code == (200 if allowed else refused), response.content
    response = client.patch(f"/api/v1/indicator-values/{records['value'].pk}/", {"value": "38.5"}, format="json")
    assert response.status_code == (200 if allowed else refused), response.content
    response = client.patch(f"/api/v1/attachments/{records['attachment'].pk}/", {"title": "Minutes"}, format="json")
    assert response.status_code == (200 if allowed else refused), response.content

    # Creating on another team's output reads as a reference to nothing (nothing about it leaks).
    created = client.post(
        "/api/v1/indicators/",
        {"output": records["output"].pk, "title": "Platform meetings held", "unit": "number"},
        format="json",
    )
    if role == "viewer":
        assert created.status_code == 403
    elif allowed:
        assert created.status_code == 201, created.content
    else:
        assert created.status_code == 400 and "output" in created.json()


def test_values_are_approved_and_returned_by_the_convener_not_the_focal_point(world):
    value = world["own"]["value"]
    focal = client_for(world["users"]["focal_point"])
    assert focal.post(f"/api/v1/indicator-values/{value.pk}/approve/").status_code == 403
    entered_by_them = client_for(world["plan"].focal)
    refused = entered_by_them.post(f"/api/v1/indicator-values/{value.pk}/approve/")
    assert refused.status_code == 403
    convener = client_for(world["users"]["convener"])
    no_reason = convener.post(f"/api/v1/indicator-values/{value.pk}/return/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    returned = convener.post(
        f"/api/v1/indicator-values/{value.pk}/return/", {"reason": "Check the survey year."}, format="json"
    )
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    again = convener.post(f"/api/v1/indicator-values/{value.pk}/approve/")
    assert again.status_code == 409 and again.json()["state"] == "returned"
    assert convener.post(f"/api/v1/indicator-values/{world['other']['value'].pk}/approve/").status_code == 404


def test_values_not_approved_are_the_teams_alone_and_approved_ones_everyones(world):
    own, other = world["own"]["value"], world["other"]["value"]

    def listed(role):
        response = client_for(world["users"][role]).get("/api/v1/indicator-values/")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    # Each caller's answer is its own, also when it comes from the cache (asked twice).
    for _ in range(2):
        assert listed("secretariat") == {own.pk, other.pk}
        assert listed("focal_point") == {own.pk}
        assert listed("convener") == {own.pk}
        assert listed("viewer") == set()
    approved = client_for(world["users"]["secretariat"]).post(
        f"/api/v1/indicator-values/{other.pk}/approve/", HTTP_IF_MATCH="*"
    )
    assert approved.status_code == 200, approved.content
    assert listed("viewer") == {other.pk}
    assert listed("focal_point") == {own.pk, other.pk}
    viewer = client_for(world["users"]["viewer"])
    assert viewer.get(f"/api/v1/indicator-values/{other.pk}/").json()["status"] == "approved"
    assert viewer.get(f"/api/v1/indicator-values/{own.pk}/").status_code == 404


def test_changes_need_the_current_etag(world):
    client = client_for(world["plan"].focal)
    url = f"/api/v1/indicators/{world['own']['indicator'].pk}/"
    assert client.patch(url, {"title": "x"}, format="json", if_match=None).status_code == 428
    stale = client.get(url)["ETag"]
    assert client.patch(url, {"title": "Stunting (DHS)"}, format="json").status_code == 200
    assert client.patch(url, {"title": "Lost update"}, format="json", if_match=stale).status_code == 412
    assert Indicator.objects.get(pk=world["own"]["indicator"].pk).title == "Stunting (DHS)"


def test_reporting_periods_are_the_secretariats(world):
    body = {
        "year": 2027,
        "kind": "mid_year",
        "start_date": "2027-01-01",
        "end_date": "2027-06-30",
        "due_date": "2027-07-31",
    }
    for role in ("convener", "focal_point", "viewer"):
        assert (
            client_for(world["users"][role]).post("/api/v1/reporting-periods/", body, format="json").status_code == 403
        )
    secretariat = client_for(world["users"]["secretariat"])
    assert secretariat.post("/api/v1/reporting-periods/", body, format="json").status_code == 201
    mid = world["plan"].mid
    closed = secretariat.post(f"/api/v1/reporting-periods/{mid.pk}/close/")
    assert closed.status_code == 200 and closed.json()["is_closed"] is True
    locked = client_for(world["plan"].focal).patch(
        f"/api/v1/indicator-values/{world['own']['value'].pk}/", {"value": "30"}, format="json"
    )
    assert locked.status_code == 409 and locked.json()["state"] == "locked"
    no_reason = secretariat.post(f"/api/v1/reporting-periods/{mid.pk}/reopen/", {"reason": ""}, format="json")
    assert no_reason.status_code == 400
    assert ReportingPeriod.objects.filter(year=2027).count() == 1


def test_bad_values_answer_400_naming_the_field_and_save_nothing(world):
    client = client_for(world["plan"].focal)
    before = IndicatorValue.objects.count()
    response = client.post(
        "/api/v1/indicator-values/",
        {"indicator": world["own"]["indicator"].pk, "period": world["plan"].annual.pk, "value": "120"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"value": ["A percentage is between 0 and 100; 120 is not."]}
    response = client.post(
        "/api/v1/indicator-values/",
        {"indicator": world["own"]["indicator"].pk, "period": world["plan"].annual.pk, "value": "31", "sex": "female"},
        format="json",
    )
    assert response.json() == {"sex": ["This indicator is not broken down by sex."]}
    assert IndicatorValue.objects.count() == before


def test_filters_are_strict(world):
    client = client_for(world["plan"].viewer)
    assert client.get("/api/v1/indicators/?colour=red").status_code == 400
    assert client.get("/api/v1/indicators/?standard=nope").status_code == 400
    found = client.get("/api/v1/indicators/?standard=sdg-2-2-1-stunting&country=KHM").json()
    assert [row["id"] for row in found["results"]] == [world["own"]["indicator"].pk]
    awaiting = f"/api/v1/indicator-values/?status=submitted&team={world['plan'].team.pk}"
    assert client.get(awaiting).json()["results"] == []  # not approved: the team's alone
    values = client_for(world["users"]["focal_point"]).get(awaiting).json()
    assert [row["id"] for row in values["results"]] == [world["own"]["value"].pk]


@pytest.mark.parametrize("n", [1, 50])
def test_lists_cost_the_same_queries_for_1_and_50_indicators(plan, n):
    stunting = StandardIndicator.objects.get(code="sdg-2-2-1-stunting")
    for i in range(n):
        indicator = services.create_indicator(
            output=plan.output, user=plan.focal, data={"standard": stunting, "title": f"S{i}", "baseline_value": 40, "baseline_year": 2021},
            targets=[{"year": YEAR, "period_kind": "annual", "value": "37"}],
        )  # fmt: skip
        services.enter_value(indicator=indicator, period=plan.mid, user=plan.focal, data={"value": "39"})
        services.add_attachment(user=plan.focal, target=plan.output, data={"url": f"https://example.org/{i}"})
    client = client_for(plan.viewer)
    counts = {}
    for url in (
        "/api/v1/indicators/?page_size=100",
        "/api/v1/indicator-values/?page_size=100",
        "/api/v1/outputs/",
        "/api/v1/attachments/?page_size=100",
    ):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts[url] = len([q for q in captured if "SAVEPOINT" not in q["sql"]])
    assert counts == EXPECTED_QUERIES, counts


# The same for 1 and 50 (the parametrized test asserts both): count, page, payload rows. The viewer's
# roles are read once, for the values (which not approved are the team's alone); the viewer sees none
# of the team's evidence, so that list is its count alone.
EXPECTED_QUERIES = {
    "/api/v1/indicators/?page_size=100": 5,
    "/api/v1/indicator-values/?page_size=100": 3,
    "/api/v1/outputs/": 2,
    "/api/v1/attachments/?page_size=100": 1,
}
