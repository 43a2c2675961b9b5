"""The UN INFO sub-output sheet: its columns, one row per agency's part, money that adds up."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from agencies.models import Agency
from exchange import uninfo
from workplans.models import Contribution, CooperationFramework, CooperationOutcome, Funder, Output, SdgTarget, Tag

from ..factories import make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db


def agency(acronym):
    return Agency.objects.get(acronym=acronym)


@pytest.fixture
def plan(cambodia):
    workplan = make_workplan(cambodia, 2026)
    framework = CooperationFramework.objects.create(country=cambodia.country, start_year=2024, end_year=2028)
    outcome = CooperationOutcome.objects.create(framework=framework, code="2", title="People are well nourished")
    output = Output.objects.create(workplan=workplan, title="Wasting roadmap funded", cooperation_outcome=outcome)
    activity = make_activity(
        workplan,
        title="=Costing",
        output=output,
        lead_agency=agency("UNICEF"),
        budget_required=Decimal("100000"),
        budget_spent=Decimal("10000"),
        gender_marker=2,
        human_rights_marker=1,
        status="implementation",
    )
    activity.participating_agencies.set([agency("WFP")])
    activity.sdg_targets.set(SdgTarget.objects.filter(code__in=["2.1", "2.2", "3.2"]))
    activity.tags.set(Tag.objects.filter(code__in=["women-girls", "development", "nutrition-specific"]))
    Contribution.objects.create(
        activity=activity,
        agency=agency("UNICEF"),
        amount=Decimal("40000"),
        funder=Funder.objects.get(code="agency-core-resources"),
    )
    Contribution.objects.create(
        activity=activity,
        agency=agency("WHO"),
        amount=Decimal("15000"),
        funder=Funder.objects.get(code="joint-sdg-fund"),
    )
    return workplan, activity


def test_the_sheet_has_un_infos_columns_and_one_row_per_agency(plan):
    workplan, activity = plan
    book = load_workbook(io.BytesIO(uninfo.workbook(workplan)))
    sheet = book["Sub-outputs"]
    header = [cell.value for cell in sheet[1]]
    assert header == uninfo.COLUMNS
    for required in (
        "Outcome code",
        "Geographic scope",
        "Contributing partners (funding sources)",
        "Implementing partners",
        "SDG targets",
        "Status",
        "Gender Equality Marker",
        "Human Rights Marker",
        "Required",
        "Available",
        "Expenditure",
    ):
        assert required in header
    rows = [dict(zip(header, [cell.value for cell in row], strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [(r["Agency"], r["Agency role"]) for r in rows] == [
        ("UNICEF", "Lead"),
        ("WFP", "Participating"),
        ("WHO", "Participating"),
    ]
    lead = rows[0]
    assert (lead["Country"], lead["Plan year"], lead["Outcome code"]) == ("Cambodia", 2026, "2")
    assert lead["Sub-output title"] == "=Costing" and sheet["I2"].data_type == "s"  # text, never a formula
    assert lead["SDG targets"] == "2.1; 2.2; 3.2" and lead["SDG goals"] == "2; 3"
    assert (lead["Status"], lead["Gender Equality Marker"], lead["Human Rights Marker"]) == ("Implementation", 2, 1)
    assert lead["Contributing partners (funding sources)"] == "The contributing agency's core resources"
    assert rows[2]["Contributing partners (funding sources)"] == "Joint SDG Fund"
    assert lead["Implementing partners"] == "UNICEF; WFP; WHO"
    assert lead["Leave no one behind groups"] == "Women and girls"
    assert lead["Geographic scope"] == "National"
    # The money adds up to the activity's figures.
    assert sum(r["Required"] for r in rows) == 100000 and sum(r["Expenditure"] for r in rows) == 10000
    assert [r["Available"] for r in rows] == [40000, 0, 15000]
    assert sum(r["Available"] for r in rows) == 55000  # the contributions


def test_at_most_ten_sdg_targets_per_row(plan):
    workplan, activity = plan
    rows = list(uninfo.rows(workplan))
    assert all(len(row[uninfo.COLUMNS.index("SDG targets")].split("; ")) <= 10 for row in rows)


@pytest.mark.parametrize("url", ["/exchange/workplans/{pk}/un-info.xlsx", "/exchange/workplans/{pk}/template.xlsx"])
def test_portal_downloads_for_anyone_signed_in(client, plan, url):
    workplan, _ = plan
    assert client.get(url.format(pk=workplan.pk)).status_code == 302  # to the sign-in page
    client.force_login(make_user("viewer"))
    response = client.get(url.format(pk=workplan.pk))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert client.get(url.format(pk=999999)).status_code == 404
