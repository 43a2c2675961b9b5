"""Joint results in a real browser: a focal point enters the mid-year values, the convener returns one
with a reason, the focal point corrects it, the convener approves both; the dashboard then counts the
indicators on track and the country report, requested on the reports page, shows the approved values."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from reports.models import ReportRun
from results import services as results
from results.models import IndicatorValue, StandardIndicator
from teams.models import Team
from unnutrition.celery import app as celery_app
from workplans.models import ActionArea, Output, ReportingPeriod

from ..factories import make_user, make_workplan
from ..reports.files import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = dt.date.today().year


@pytest.fixture
def in_process_jobs(settings, tmp_path):
    """The report job runs in the server's process when its request commits; files under a temporary media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def cambodia(portal):
    """Cambodia's workplan of this year: one joint output with a standard and a custom indicator, each
    with an annual target (the mid-year target is halfway from the baseline), and the year's periods."""
    team = Team.objects.get(name="UN Nutrition Cambodia")
    plan = make_workplan(team, YEAR)
    output = Output.objects.create(
        workplan=plan,
        title="Child wasting roadmap costed and funded",
        position=1,
        action_area=ActionArea.objects.get(code="capacity"),
    )
    mid = ReportingPeriod.objects.create(
        year=YEAR, kind="mid_year", start_date=dt.date(YEAR, 1, 1), end_date=dt.date(YEAR, 6, 30),
        due_date=dt.date(YEAR, 7, 31),
    )  # fmt: skip
    ReportingPeriod.objects.create(
        year=YEAR, kind="annual", start_date=dt.date(YEAR, 1, 1), end_date=dt.date(YEAR, 12, 31),
        due_date=dt.date(YEAR + 1, 1, 31),
    )  # fmt: skip
    secretariat = make_user("secretariat")
    stunting = results.create_indicator(
        output=output,
        user=secretariat,
        data={"standard": StandardIndicator.objects.get(code="sdg-2-2-1-stunting"),
              "baseline_value": Decimal("32.4"), "baseline_year": 2022},
        targets=[{"year": YEAR, "period_kind": "annual", "value": "30"}],
    )  # fmt: skip
    trained = results.create_indicator(
        output=output,
        user=secretariat,
        data={"title": "Health workers trained in wasting treatment", "unit": "number",
              "baseline_value": 0, "baseline_year": YEAR - 1},
        targets=[{"year": YEAR, "period_kind": "annual", "value": "400"}],
    )  # fmt: skip
    return {"team": team, "plan": plan, "mid": mid, "stunting": stunting, "trained": trained}


def card(page, indicator):
    return page.locator(f"#indicator-{indicator.pk}")


def test_mid_year_values_returned_corrected_approved_then_on_the_dashboard_and_in_the_country_report(
    browser, sign_in, portal, cambodia, in_process_jobs
):
    team, plan, mid = cambodia["team"], cambodia["plan"], cambodia["mid"]
    stunting, trained = cambodia["stunting"], cambodia["trained"]
    focal = make_user("focal_point", team, agency="WFP")
    convener = make_user("convener", team, agency="UNICEF")

    # The focal point opens the mid-year values from the workplan page and enters both.
    entering = sign_in(focal)
    entering.goto(f"{portal}/workplans/{plan.pk}/")
    entering.get_by_role("link", name=f"Values for Mid-year {YEAR}").click()
    expect(entering.get_by_role("heading", level=1)).to_contain_text(f"Mid-year {YEAR} values")
    # A percentage over 100 is refused at the field, and nothing is saved.
    form = card(entering, stunting).locator("form.value-form")
    form.get_by_label("Value").fill("311")
    form.get_by_role("button", name=re.compile("Save value")).click()
    expect(card(entering, stunting)).to_contain_text("A percentage is between 0 and 100; 311 is not.")
    assert not IndicatorValue.objects.filter(indicator=stunting).exists()
    form = card(entering, stunting).locator("form.value-form")
    form.get_by_label("Value").fill("31.1")
    form.get_by_label("Comment").fill("SMART survey, May")
    form.get_by_role("button", name=re.compile("Save value")).click()
    expect(entering.locator(".messages")).to_contain_text("it awaits the convener's approval")
    form = card(entering, trained).locator("form.value-form")
    form.get_by_label("Value").fill("120")
    form.get_by_role("button", name=re.compile("Save value")).click()
    expect(card(entering, trained)).to_contain_text("Total: 120")
    expect(card(entering, trained)).to_contain_text("Awaiting another person’s approval.")
    # Nobody approves their own entry: the focal point has no Approve button.
    expect(entering.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)

    # Not approved yet: the dashboard has no data for them.
    entering.goto(f"{portal}/dashboard/?year={YEAR}")
    asia = entering.locator("#results-dashboard tr", has=entering.get_by_role("rowheader", name="Asia"))
    expect(asia.locator("td")).to_have_text(["2", "0", "0", "2", "0.0%"])

    # The convener returns the training figure with a reason.
    deciding = sign_in(convener)
    deciding.goto(f"{portal}/workplans/{plan.pk}/")
    expect(deciding.locator(f"#indicator-{trained.pk}")).to_contain_text("1 value awaiting approval")
    deciding.get_by_role("link", name=f"Values for Mid-year {YEAR}").click()
    card(deciding, trained).locator("details.return-form summary").click()
    card(deciding, trained).get_by_label("Why is it returned? The team reads this.").fill(
        "The training report of June counts 250 health workers, not 120."
    )
    card(deciding, trained).get_by_role("button", name="Return to the team").click()
    expect(deciding.locator(".messages")).to_contain_text("Value returned to the team with your reason.")
    expect(card(deciding, trained).locator(".status")).to_have_text("Returned")

    # The focal point reads the reason and corrects the value.
    entering.goto(f"{portal}/results/workplans/{plan.pk}/periods/{mid.pk}/")
    expect(card(entering, trained).locator(".return-reason")).to_have_text(
        "The training report of June counts 250 health workers, not 120."
    )
    card(entering, trained).get_by_role("link", name=re.compile("^Correct")).click()
    entering.get_by_label("Value").fill("250")
    entering.get_by_label("Comment").fill("Corrected from the June training report.")
    entering.get_by_role("button", name="Save").click()
    expect(entering.locator(".messages")).to_contain_text("Value corrected: it awaits the convener's approval again.")

    # The convener approves both.
    deciding.goto(f"{portal}/results/workplans/{plan.pk}/periods/{mid.pk}/")
    expect(card(deciding, trained)).to_contain_text("Total: 250")
    for indicator in (trained, stunting):
        card(deciding, indicator).get_by_role("button", name=re.compile("^Approve")).click()
        expect(deciding.locator(".messages")).to_contain_text("Value approved.")
        expect(card(deciding, indicator).locator(".status")).to_have_text("Approved")
    assert list(IndicatorValue.objects.filter(period=mid).order_by("indicator_id").values_list("value", "status")) == [
        (Decimal("31.1"), "approved"), (Decimal("250"), "approved")]  # fmt: skip

    # The workplan page judges them against the mid-year targets (31.2% and 200).
    deciding.goto(f"{portal}/workplans/{plan.pk}/")
    for indicator, shown in ((stunting, "31.1% (Mid-year; target 31.2%)"), (trained, "250 (Mid-year; target 200)")):
        row = deciding.locator(f"#indicator-{indicator.pk}")
        expect(row).to_contain_text(shown)
        expect(row.locator(".status")).to_have_text("On track")

    # The dashboard counts them on track, by region, by action area and across countries.
    deciding.goto(f"{portal}/dashboard/?year={YEAR}")
    section = deciding.locator("#results-dashboard")
    expect(section).to_contain_text("2 indicators in the year's workplans; 100.0% of those that can be judged")
    asia = section.locator("tr", has=deciding.get_by_role("rowheader", name="Asia"))
    expect(asia.locator("td")).to_have_text(["2", "2", "0", "0", "100.0%"])
    area = section.locator("tr", has=deciding.get_by_role("rowheader", name="Capacity strengthening"))
    expect(area.locator("td")).to_have_text(["2", "2", "0", "0", "100.0%"])
    expect(section.locator("#standard-sdg-2-2-1-stunting td")).to_have_text(["1", "1", "1", "0", "0", "31.1%"])

    # The country report, requested on the reports page, shows the approved values.
    deciding.goto(f"{portal}/reports/")
    deciding.get_by_label("Report", exact=True).select_option("country")
    deciding.get_by_label("Format").select_option("pdf")
    deciding.get_by_label("Year").fill(str(YEAR))
    deciding.get_by_label("Team").select_option(label="UN Nutrition Cambodia")
    deciding.get_by_role("button", name="Produce the report").click()
    expect(deciding.get_by_role("status").filter(has_text="The report is ready.")).to_be_visible(timeout=90_000)
    with deciding.expect_download() as download:
        deciding.get_by_role("link", name=re.compile(r"^Download un-nutrition-.*\.pdf$")).click()
    assert ReportRun.objects.get(kind="country", team=team).status == "done"
    text = pdf_text(download.value.path())
    assert "Joint outputs and indicators" in text
    # 250 is short of the annual 400 but beyond the mid-year point (200): the report says how it judges.
    assert "a mid-year value without a mid-year target, against the halfway point from the baseline" in text
    assert "Stunting among children under 5 (SDG 2.2.1) 32.4% (2022) 30% 31.1% On track" in text
    assert f"Health workers trained in wasting treatment 0 ({YEAR - 1}) 400 250 On track" in text
