"""The activity editor in a real browser: the searchable SDG target picker and the
warning before leaving with unsaved changes."""

import pytest
from playwright.sync_api import expect

from teams.models import Team
from workplans.models import SdgTarget

from ..factories import make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor(sign_in, portal):
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    activity = make_activity(make_workplan(cambodia, 2026), title="Costing of the child wasting roadmap")
    page = sign_in(make_user("focal_point", cambodia, agency="WFP"))
    page.goto(f"{portal}/workplans/activities/{activity.pk}/edit/")
    return page, activity


def test_the_sdg_picker_is_searched_by_words_grouped_by_goal_and_stops_at_ten(editor):
    page, activity = editor
    search = page.locator("#id_sdg_targets-ts-control")
    search.click()
    search.press_sequentially("stunting")  # as a user types it (a busy machine filters a little later)
    dropdown = page.locator(".ts-dropdown")
    expect(dropdown.locator(".optgroup-header")).to_have_count(1, timeout=15_000)
    expect(dropdown.locator(".optgroup-header")).to_contain_text("Goal 2:")
    option = dropdown.locator(".option", has_text="2.2 By 2030, end all forms of malnutrition")
    expect(option).to_contain_text("stunting and wasting in children under 5")  # the full text
    option.click()
    for target in SdgTarget.objects.exclude(code="2.2").order_by("position")[:9]:
        search.fill(target.code)
        dropdown.locator(".option", has_text=f"{target.code} ").first.click()
    expect(page.locator("#id_sdg_targets-status")).to_contain_text("10 targets chosen")
    expect(page.locator(".ts-wrapper.full")).to_have_count(1)
    # Full: typing offers nothing more.
    search.fill("hunger", force=True)
    expect(dropdown.locator(".option")).to_have_count(0)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("saved")
    assert activity.sdg_targets.count() == 10
    assert activity.sdg_targets.filter(code="2.2").exists()


def test_leaving_the_editor_with_unsaved_changes_asks_first(editor):
    page, activity = editor
    url = page.url
    page.get_by_label("Title").fill("Costing of the roadmap, revised")
    questions = []

    def stay(dialog):
        questions.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.locator("main").get_by_role("link", name="Cancel").click()
    page.wait_for_timeout(500)
    assert questions == ["beforeunload"]
    assert page.url == url
    expect(page.get_by_label("Title")).to_have_value("Costing of the roadmap, revised")
    # Saving is not leaving: no question, and the change is kept.
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("saved")
    assert questions == ["beforeunload"]
    activity.refresh_from_db()
    assert activity.title == "Costing of the roadmap, revised"


def test_an_untouched_editor_is_left_without_a_question(editor):
    page, _ = editor
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.type), dialog.dismiss()))
    page.locator("main").get_by_role("link", name="Cancel").click()
    page.wait_for_url("**/workplans/*/")
    assert questions == []
