"""Joint results in the country, regional and global reports, in each format, read back."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from countries.models import Region
from reports import services
from results import services as results
from results.models import StandardIndicator
from teams.models import Team
from workplans.models import Output, ReportingPeriod

from ..factories import make_team, make_user, make_workplan
from .conftest import YEAR
from .files import csv_sections, pdf_text, sheet, xlsx_sheets

pytestmark = pytest.mark.django_db
FORMATS = ["pdf", "xlsx", "csv"]


@pytest.fixture
def produce(django_capture_on_commit_callbacks):
    def produce(user, kind, fmt, **scope):
        with django_capture_on_commit_callbacks(execute=True):
            run, _created = services.request_report(user, kind=kind, format=fmt, year=YEAR, **scope)
        run.refresh_from_db()
        assert (run.status, run.error) == ("done", "")
        return Path(run.file.path)

    return produce


@pytest.fixture
def world(db):
    """Cambodia reports stunting (on track) and a custom count (off track); Chad stunting without values."""
    periods = {}
    for kind, end, due in (
        ("mid_year", dt.date(YEAR, 6, 30), dt.date(YEAR, 7, 31)),
        ("annual", dt.date(YEAR, 12, 31), dt.date(YEAR + 1, 1, 31)),
    ):
        periods[kind] = ReportingPeriod.objects.create(year=YEAR, kind=kind, start_date=dt.date(YEAR, 1, 1), end_date=end, due_date=due)  # fmt: skip
    stunting = StandardIndicator.objects.get(code="sdg-2-2-1-stunting")
    secretariat = make_user("secretariat")
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    chad = make_team("TCD")
    focal, convener = make_user("focal_point", cambodia, agency="WFP"), make_user("convener", cambodia, agency="UNICEF")

    plan = make_workplan(cambodia, YEAR)
    output = Output.objects.create(workplan=plan, title="Wasting roadmap costed and funded", position=1)
    on_track = results.create_indicator(
        output=output, user=secretariat, data={"standard": stunting, "baseline_value": Decimal("32.4"), "baseline_year": 2022},
        targets=[{"year": YEAR, "period_kind": "annual", "value": "30"}],
    )  # fmt: skip
    off_track = results.create_indicator(
        output=output, user=secretariat, data={"title": "Health workers trained", "unit": "number", "baseline_value": 0, "baseline_year": YEAR - 1},
        targets=[{"year": YEAR, "period_kind": "annual", "value": "400"}],
    )  # fmt: skip
    for indicator, kind, value in (
        (on_track, "mid_year", "31.1"),
        (on_track, "annual", "29.8"),
        (off_track, "annual", "250"),
    ):
        entered = results.enter_value(indicator=indicator, period=periods[kind], user=focal, data={"value": value})
        results.approve_value(pk=entered.pk, user=convener)
    chad_plan = make_workplan(chad, YEAR)
    chad_output = Output.objects.create(workplan=chad_plan, title="Chad output", position=1)
    results.create_indicator(output=chad_output, user=secretariat, data={"standard": stunting})
    return {"secretariat": secretariat, "focal": focal, "cambodia": cambodia}


@pytest.mark.parametrize("fmt", FORMATS)
def test_country_report_lists_outputs_and_indicators_against_targets(fmt, world, produce):
    path = produce(world["focal"], "country", fmt, team=world["cambodia"])
    expected = [
        ["1. Wasting roadmap costed and funded", "Stunting among children under 5 (SDG 2.2.1)", "32.4% (2022)", "30%", "31.1%", "29.8%", "On track"],
        ["1. Wasting roadmap costed and funded", "Health workers trained", f"0 ({YEAR - 1})", "400", "", "250", "Off track"],
    ]  # fmt: skip
    if fmt == "pdf":
        text = pdf_text(path)
        assert "Joint outputs and indicators" in text
        assert "Stunting among children under 5 (SDG 2.2.1) 32.4% (2022) 30% 31.1% 29.8% On track" in text
    elif fmt == "xlsx":
        rows = sheet(xlsx_sheets(path), "Joint outputs and indicators")
        assert rows[0] == ("Output", "Indicator", "Baseline", f"Target {YEAR}", "Mid-year", "Annual", "Status")
        assert [[cell or "" for cell in row] for row in rows[1:]] == expected
    else:
        assert csv_sections(path)["Joint outputs and indicators"][1:] == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_global_report_counts_indicators_on_track_and_standard_ones_across_countries(fmt, world, produce):
    path = produce(world["secretariat"], "global", fmt)
    if fmt == "pdf":
        text = pdf_text(path)
        assert f"Joint results {YEAR}" in text and "Indicators on track by region" in text
        assert "Stunting among children under 5 2.2.1 2 1 1 0 1 29.8%" in text
    else:
        if fmt == "xlsx":
            sheets = xlsx_sheets(path)
            figures = {row[0]: row[1] for row in sheet(sheets, f"Joint results {YEAR}")[1:]}
            by_region = sheet(sheets, "Indicators on track by region")
            standard = sheet(sheets, "Standard indicators across countries")
            cells = [[("" if c is None else c) for c in row] for row in (*by_region[1:], *standard[1:])]
        else:
            sections = csv_sections(path)
            figures = {row[0]: row[1] for row in sections[f"Joint results {YEAR}"][1:]}
            cells = [
                *sections["Indicators on track by region"][1:],
                *sections["Standard indicators across countries"][1:],
            ]
        assert str(figures["Indicators in the year's workplans"]) == "3"
        assert str(figures["On track"]) == "1" and str(figures["Off track"]) == "1" and str(figures["No data"]) == "1"
        asia, africa = (next(row for row in cells if row[0] == name) for name in ("Asia", "Africa"))
        assert [str(c) for c in asia[1:5]] == ["2", "1", "1", "0"]
        assert [str(c) for c in africa[1:5]] == ["1", "0", "0", "1"]
        stunting = next(row for row in cells if row[0] == "Stunting among children under 5")
        assert [str(c) for c in stunting[1:]] == ["2.2.1", "2", "1", "1", "0", "1", "29.8%"]


def test_regional_report_counts_by_country(world, produce):
    asia = Region.objects.get(name="Asia")
    path = produce(world["secretariat"], "regional", "csv", region=asia)
    rows = csv_sections(path)["Indicators on track by country"][1:]
    assert rows == [["Cambodia", "2", "1", "1", "0", "50.0"]]
