"""A team's convener downloads the roster as Excel from the team's page, edits it, uploads it, reads the
preview, saves it and undoes it, in a real browser."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from agencies.models import Agency
from countries.models import Person
from teams.models import FocalPoint, Team, TeamMember

from ..exchange.helpers import to_bytes
from ..exchange.test_roster_import import COLUMN, first_empty, put, row_of
from ..factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_convener_imports_an_edited_roster_and_undoes_it(sign_in, portal, tmp_path):
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    member, _ = TeamMember.objects.get_or_create(team=cambodia, agency=Agency.objects.get(acronym="WFP"))
    TeamMember.objects.get_or_create(team=cambodia, agency=Agency.objects.get(acronym="FAO"))
    person = Person.objects.create(name="Sokha Chan", email="sokha@wfp.example")
    focal_point = FocalPoint.objects.create(member=member, person=person, start_date=dt.date(2024, 1, 1))
    page = sign_in(make_user("convener", cambodia))
    page.goto(f"{portal}/teams/{cambodia.pk}/")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the roster as Excel").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = book.worksheets[0]
    put(sheet, row_of(sheet, focal_point.pk), title="Nutrition officer")
    put(sheet, first_empty(sheet), agency="FAO", name="Vanna Keo", email="vanna@fao.example")
    edited = tmp_path / "roster.xlsx"
    edited.write_bytes(to_bytes(book))
    assert sheet.cell(row=1, column=COLUMN["email"]).value == "E-mail"

    page.get_by_role("link", name="Import the roster from Excel").click()
    page.get_by_label("Excel workbook (.xlsx)").set_input_files(str(edited))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-summary")).to_contain_text("1 to create, 1 to change")
    expect(page.locator("tr[data-action='changed']")).to_contain_text("Nutrition officer")
    expect(page.locator("tr[data-action='created']")).to_contain_text("Vanna Keo (FAO)")
    assert not FocalPoint.objects.filter(person__email="vanna@fao.example").exists()

    page.get_by_role("button", name="Save these changes").click()
    expect(page.locator(".messages")).to_contain_text("Import saved: 1 created, 1 changed")
    person.refresh_from_db()
    assert person.title == "Nutrition officer"
    assert FocalPoint.objects.filter(person__email="vanna@fao.example", member__team=cambodia).exists()

    page.get_by_role("button", name="Undo this import").click()
    expect(page.locator(".messages")).to_contain_text("the roster is as it was before it")
    person.refresh_from_db()
    assert person.title == ""
    assert not FocalPoint.objects.filter(person__email="vanna@fao.example").exists()
