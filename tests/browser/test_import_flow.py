"""Upload, preview and confirm an edited workplan in a real browser, then undo it; the preview fits a phone."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from teams.models import Team
from workplans.models import Activity

from ..exchange.helpers import COLUMN, first_empty_row, row_of, set_cells, to_bytes
from ..factories import make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_focal_point_imports_an_edited_workplan_and_undoes_it(sign_in, portal, tmp_path):
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    workplan = make_workplan(cambodia, 2026)
    activity = make_activity(workplan, title="Costing of the child wasting roadmap", budget_required=250000)
    page = sign_in(make_user("focal_point", cambodia, agency="WFP"))
    page.goto(f"{portal}/workplans/{workplan.pk}/")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as Excel").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = book.worksheets[0]
    set_cells(sheet, row_of(sheet, activity.pk), title="Costing of the child-wasting roadmap", budget_available=90000)
    new = first_empty_row(sheet)
    set_cells(
        sheet,
        new,
        title="Provincial meetings",
        action_area="Advocacy",
        lead_agency="FAO",
        start_date="2026-04-01",
        end_date="2026-10-31",
    )
    broken = tmp_path / "broken.xlsx"
    sheet.cell(row=new, column=COLUMN["end_date"], value="31/10/2026")
    broken.write_bytes(to_bytes(book))
    sheet.cell(row=new, column=COLUMN["end_date"], value="2026-10-31")
    fixed = tmp_path / "fixed.xlsx"
    fixed.write_bytes(to_bytes(book))

    page.get_by_role("link", name="Import from Excel").click()
    page.get_by_label("Excel workbook (.xlsx)").set_input_files(str(broken))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-summary")).to_contain_text("1 error")
    expect(page.locator("tr[data-action='refused']")).to_contain_text("2026-04-03")
    expect(page.get_by_role("button", name="Save these changes")).to_have_count(0)
    assert Activity.objects.filter(workplan=workplan).count() == 1

    page.get_by_role("link", name="Upload another file").click()
    page.get_by_label("Excel workbook (.xlsx)").set_input_files(str(fixed))
    page.get_by_role("button", name="Check the file").click()
    changed = page.locator("tr[data-action='changed']")
    expect(changed).to_contain_text("Costing of the child wasting roadmap")  # old -> new
    expect(changed).to_contain_text("Costing of the child-wasting roadmap")
    expect(page.locator("tr[data-action='created']")).to_contain_text("Provincial meetings")
    activity.refresh_from_db()
    assert activity.title == "Costing of the child wasting roadmap"  # nothing saved before confirming

    page.get_by_role("button", name="Save these changes").click()
    expect(page.locator(".messages")).to_contain_text("Import saved: 1 created, 1 changed, 0 deleted")
    activity.refresh_from_db()
    assert (activity.title, activity.budget_available) == ("Costing of the child-wasting roadmap", 90000)
    assert Activity.objects.filter(workplan=workplan, title="Provincial meetings").exists()

    page.get_by_role("button", name="Undo this import").click()
    expect(page.locator(".messages")).to_contain_text("Import undone")
    activity.refresh_from_db()
    assert activity.title == "Costing of the child wasting roadmap"
    assert not Activity.objects.filter(workplan=workplan, title="Provincial meetings").exists()

    # The preview on a phone: nothing scrolls sideways but the table's own box.
    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
