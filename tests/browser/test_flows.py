"""The flows UN staff go through, in a real browser."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from teams.models import Team
from workplans.models import Activity, ProgressUpdate

from ..factories import make_activity, make_team, make_user, make_workplan

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cambodia_plan(portal):
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    workplan = make_workplan(cambodia, 2026)
    activity = make_activity(workplan, title="Costing of the child wasting roadmap", budget_required=250000)
    return cambodia, workplan, activity


def test_focal_point_edits_an_activity_and_reports_progress(sign_in, portal, cambodia_plan):
    cambodia, workplan, activity = cambodia_plan
    focal = make_user("focal_point", cambodia, agency="WFP")
    page = sign_in(focal)
    expect(page.locator(".role")).to_have_text("Focal point")
    page.get_by_role("link", name=cambodia.name).first.click()
    page.get_by_role("link", name="2026").click()
    page.get_by_role("link", name=f"Edit {activity.title}").click()

    # A mistake is explained next to the field, and nothing is saved.
    page.get_by_label("Budget spent").fill("-10")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_budget_spent_error")).to_contain_text("greater than or equal to 0")

    page.get_by_label("Budget spent").fill("1200")
    page.get_by_label("Status").select_option("implementation")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("saved")
    row = page.locator(f"#activity-{activity.pk}")
    expect(row).to_contain_text("Implementation")
    expect(row).to_contain_text("1,200")

    row.get_by_role("link", name=f"Report progress {activity.title}").click()
    page.get_by_label("Percent complete").fill("40")
    page.get_by_label("Progress", exact=False).fill("Costing workshop held with the Ministry of Health.")
    page.get_by_role("button", name="Save progress").click()
    expect(page.locator(f"#activity-{activity.pk}")).to_contain_text("40%")
    update = ProgressUpdate.objects.get(activity=activity)
    assert (update.percent_complete, update.author_id) == (40, focal.pk)


def test_a_focal_point_of_another_country_cannot_reach_the_edit_page(sign_in, portal, cambodia_plan):
    _, workplan, activity = cambodia_plan
    chad_focal = make_user("focal_point", make_team("TCD"))
    page = sign_in(chad_focal)
    page.goto(f"{portal}/workplans/{workplan.pk}/")
    expect(page.get_by_role("link", name=f"Edit {activity.title}")).to_have_count(0)
    response = page.goto(f"{portal}/workplans/activities/{activity.pk}/edit/")
    assert response.status == 404
    activity.refresh_from_db()
    assert activity.title == "Costing of the child wasting roadmap"


def test_convener_submits_and_the_secretariat_endorses_and_sees_it(sign_in, portal, cambodia_plan):
    cambodia, workplan, _ = cambodia_plan
    convener = make_user("convener", cambodia, agency="WFP")
    page = sign_in(convener)
    page.goto(f"{portal}/workplans/{workplan.pk}/")
    page.get_by_role("link", name="Submit for endorsement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit this workplan for endorsement?")
    page.get_by_role("button", name="Yes, submit").click()
    expect(page.locator(".page-head .status")).to_have_text("Submitted")

    secretariat = make_user("secretariat")
    page = sign_in(secretariat)
    page.goto(f"{portal}/workplans/{workplan.pk}/")
    page.get_by_role("link", name="Endorse").click()
    page.get_by_role("button", name="Yes, endorse").click()
    expect(page.locator(".page-head .status")).to_have_text("Endorsed")
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_label("Year").select_option("2026")
    page.get_by_role("button", name="Show").click()
    endorsed = page.locator(".figures div", has_text="Endorsed workplans").locator("dd")
    expect(endorsed).to_have_text("1")
    expect(page.locator("#chart-workplans")).to_be_visible()


def test_two_sessions_edit_the_same_activity_and_the_second_is_told(sign_in, portal, cambodia_plan):
    cambodia, _, activity = cambodia_plan
    first = sign_in(make_user("focal_point", cambodia, agency="FAO"))
    second = sign_in(make_user("focal_point", cambodia, agency="WHO"))
    for page in (first, second):
        page.goto(f"{portal}/workplans/activities/{activity.pk}/edit/")
    first.get_by_label("Title").fill("Costing, first version")
    first.get_by_role("button", name="Save").click()
    expect(first.locator(".messages")).to_contain_text("saved")

    second.get_by_label("Title").fill("Costing, second version")
    second.get_by_role("button", name="Save").click()
    conflict = second.get_by_role("alert").filter(has_text="changed while you were editing")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Costing, first version")
    expect(conflict).to_contain_text("Costing, second version")
    activity.refresh_from_db()
    assert activity.title == "Costing, first version"


def test_the_interface_in_arabic_is_right_to_left_and_translated(sign_in, portal, cambodia_plan):
    cambodia, _, _ = cambodia_plan
    page = sign_in(make_user("viewer"))
    page.get_by_label("Language").select_option("ar")
    page.locator(".language-form button").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    nav = page.get_by_role("navigation")
    expect(nav).not_to_contain_text("Dashboard")
    expect(nav).to_contain_text(re.compile("[\u0600-\u06ff]"))
    page.goto(f"{portal}/countries/KHM/")
    expect(page.get_by_role("heading", level=1)).to_have_text("كمبوديا")  # from pycountry's ISO 3166 catalogue
    # Right-to-left layout: the brand sits at the right edge of the header.
    box = page.locator(".brand").bounding_box()
    assert box["x"] > 640


def test_keyboard_users_can_skip_to_the_content(sign_in, portal):
    page = sign_in(make_user("viewer"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_restoring_a_deleted_activity(sign_in, portal, cambodia_plan):
    cambodia, workplan, activity = cambodia_plan
    page = sign_in(make_user("focal_point", cambodia))
    page.goto(f"{portal}/workplans/{workplan.pk}/")
    page.get_by_role("link", name=f"Delete {activity.title}").click()
    page.get_by_role("button", name="Delete").click()
    expect(page.locator(".messages")).to_contain_text("deleted")
    assert not Activity.objects.filter(pk=activity.pk).exists()
    page.get_by_role("button", name=f"Restore {activity.title}").click()
    expect(page.locator(f"#activity-{activity.pk}")).to_be_visible()
    assert Activity.objects.get(pk=activity.pk).start_date == dt.date(2026, 2, 1)
