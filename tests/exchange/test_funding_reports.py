"""The funding gap by country, action area and lead agency, contributions by agency and joint proposals
over time: in the global overview (the real report job) and on the dashboard."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from agencies.models import Agency
from reports import services as report_services
from workplans import services
from workplans.funding_selectors import funding_gap_by, proposals_over_time
from workplans.models import Funder

from ..factories import make_activity, make_team, make_user, make_workplan
from ..reports.files import sheet, xlsx_sheets

pytestmark = pytest.mark.django_db


@pytest.fixture
def money(cambodia):
    focal = make_user("focal_point", cambodia)
    plan = make_workplan(cambodia, 2026)
    one = make_activity(
        plan, title="Costing", budget_required=Decimal("100000"), lead_agency=Agency.objects.get(acronym="UNICEF")
    )
    make_activity(plan, title="Survey", budget_required=Decimal("20000"))  # WFP leads, nothing available
    services.create_contribution(
        activity=one,
        user=focal,
        data={
            "agency": Agency.objects.get(acronym="UNICEF"),
            "amount": Decimal("70000"),
            "funder": Funder.objects.get(code="agency-core-resources"),
        },
    )
    chad_plan = make_workplan(make_team("TCD"), 2026)
    make_activity(chad_plan, title="Chad's work", budget_required=Decimal("5000"), budget_available=Decimal("9000"))
    services.create_proposal(
        team=cambodia,
        user=focal,
        data={
            "title": "Wasting treatment",
            "agencies": [Agency.objects.get(acronym="WFP")],
            "amount_requested": Decimal("400000"),
            "status": "submitted",
            "submitted_on": dt.date(2026, 2, 1),
        },
    )
    return plan


def test_the_gap_by_country_area_and_agency(money):
    by_country = {row["group"]: row for row in funding_gap_by(2026, "country")}
    assert by_country["Cambodia"]["gap"] == Decimal("50000") and by_country["Cambodia"]["required"] == 120000
    assert by_country["Chad"]["gap"] == 0  # more available than required: no gap, never a negative one
    by_agency = {row["group"]: row["gap"] for row in funding_gap_by(2026, "lead_agency")}
    # WFP leads Cambodia's survey (20,000 required, none available) and Chad's work (5,000 required, 9,000
    # available): per agency, 25,000 required and 9,000 available.
    assert by_agency["UNICEF"] == 30000 and by_agency["WFP"] == 16000
    over_time = [(r["year"], r["status"], r["count"], r["requested"]) for r in proposals_over_time()]
    assert (2026, "submitted", 1, Decimal("400000")) in over_time
    assert (None, "approved", 1, Decimal("3500000")) in over_time  # the brief's Cambodia proposal, no date


@pytest.fixture
def in_process(settings, tmp_path):
    from unnutrition.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    saved, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = saved


def test_the_global_overview_has_the_funding_sections(money, in_process, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = report_services.request_report(make_user("secretariat"), kind="global", format="xlsx", year=2026)
    run.refresh_from_db()
    assert run.status == "done", run.error
    sheets = xlsx_sheets(Path(run.file.path))
    gap = sheet(sheets, "Funding gap by country")
    assert any(row[0] == "Cambodia" and row[5] == 50000 for row in gap), gap
    proposals = sheet(sheets, "Joint proposals over time")
    assert any(row[0] == "2026" and row[3] == 1 for row in proposals), proposals
    contributions = sheet(sheets, "Contributions by agency")
    assert any(row[0] == "UNICEF" and row[3] == 70000 for row in contributions), contributions


def test_the_dashboard_shows_the_funding_gap_and_proposals(client, money, django_assert_max_num_queries):
    client.force_login(make_user("viewer"))
    page = client.get("/dashboard/?year=2026").content.decode().replace("\u00a0", " ")
    section = page[page.index('id="funding"') :]
    assert "Cambodia" in section and "USD 50,000" in section  # the gap
    assert "Joint proposals over time" in section and "Not submitted" in section
