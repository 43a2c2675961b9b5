"""The Excel round trip of a team's roster: export, edit in openpyxl (change, add, delete, break),
upload, the preview shows exactly that, nothing is saved before confirming, confirm through
teams.services, the roster matches; undo puts it back. Who may, and bad input."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from agencies.models import Agency
from core.services import StateConflict
from countries.models import Person
from exchange import roster_sheet, services
from exchange.models import ImportBatch
from exchange.xlsx import FileRefused
from teams.models import FocalPoint, TeamMember

from ..factories import make_person, make_user
from .helpers import to_bytes

pytestmark = pytest.mark.django_db

COLUMN = {column.key: index for index, column in enumerate(roster_sheet.COLUMNS, start=1)}


def focal_point(team, agency, name, email, primary=True):
    member, _ = TeamMember.objects.get_or_create(team=team, agency=Agency.objects.get(acronym=agency))
    person = make_person(agency, name=name, email=email, phone="+855 23 000 111")
    return FocalPoint.objects.create(member=member, person=person, is_primary=primary, start_date=dt.date(2024, 1, 1))


@pytest.fixture
def roster(cambodia):
    FocalPoint.objects.filter(member__team=cambodia).delete()
    for acronym in ("WFP", "WHO", "UNICEF", "FAO"):
        TeamMember.objects.get_or_create(team=cambodia, agency=Agency.objects.get(acronym=acronym))
    keep = focal_point(cambodia, "WFP", "Sokha Chan", "sokha@wfp.example")
    second = focal_point(cambodia, "WFP", "Dara Kim", "dara@wfp.example", primary=False)
    gone = focal_point(cambodia, "WHO", "Leaving Person", "leaving@who.example")
    return keep, second, gone


@pytest.fixture
def convener(cambodia):
    return make_user("convener", cambodia)


def book_of(team):
    return load_workbook(io.BytesIO(roster_sheet.template(team)))


def row_of(sheet, pk):
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == pk:
            return row
    raise AssertionError(f"focal point {pk} not in the template")


def first_empty(sheet):
    row = 2
    while sheet.cell(row=row, column=COLUMN["email"]).value not in (None, ""):
        row += 1
    return row


def put(sheet, row, **values):
    for key, value in values.items():
        sheet.cell(row=row, column=COLUMN[key], value=value)


def upload(team, user, book, delete_missing=False, name="roster.xlsx"):
    return services.preview_roster_import(
        team=team, user=user, file_name=name, data=to_bytes(book), delete_missing=delete_missing
    )


def snapshot(team):
    return sorted(
        (
            fp.pk,
            fp.member.agency.acronym,
            fp.person.name,
            fp.person.title,
            fp.person.email,
            fp.person.phone,
            fp.is_primary,
            fp.start_date,
            fp.end_date,
        )
        for fp in FocalPoint.objects.filter(member__team=team).select_related("member__agency", "person")
    )


def test_template_has_hidden_ids_dropdowns_and_read_only_context(roster, cambodia, convener):
    keep, second, gone = roster
    book = book_of(cambodia)
    sheet = book.worksheets[0]
    assert sheet.column_dimensions["A"].hidden
    assert {sheet.cell(row=r, column=1).value for r in range(2, 5)} == {keep.pk, second.pk, gone.pk}
    assert sheet.cell(row=row_of(sheet, keep.pk), column=COLUMN["is_primary"]).value == "Yes"
    lists = [v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert len(lists) == 2
    listed = [c.value for c in book["_lists"]["A"] if c.value]
    assert listed == ["FAO", "UNICEF", "WFP", "WHO"]
    context = book.worksheets[2]
    assert context.protection.sheet
    assert "Member agency" in [c.value for c in context["A"]]


def test_template_in_the_readers_language_and_right_to_left(roster, cambodia):
    with translation.override("ar"):
        book = book_of(cambodia)
    sheet = book.worksheets[0]
    assert sheet.sheet_view.rightToLeft
    meta = dict(book["_portal"].iter_rows(values_only=True))
    assert meta["language"] == "ar"


def test_round_trip_change_add_delete_break_confirm_undo(roster, cambodia, convener):
    keep, second, gone = roster
    before = snapshot(cambodia)
    book = book_of(cambodia)
    sheet = book.worksheets[0]
    # Change: a new phone and title; the second WFP focal point becomes the primary one.
    put(sheet, row_of(sheet, keep.pk), phone="+855 12 345 678", title="Nutrition officer", is_primary="No")
    put(sheet, row_of(sheet, second.pk), is_primary="Yes")
    # Add one.
    new = first_empty(sheet)
    put(sheet, new, agency="UNICEF", name="Maly Sok", email="maly@unicef.example", start_date=dt.date(2026, 1, 5))
    # Delete one (ended when "delete what is not in the file" is ticked).
    sheet.delete_rows(row_of(sheet, gone.pk))
    # Break one: an agency that is not a member, a formula, a bad e-mail.
    broken = first_empty(sheet)
    put(sheet, broken, agency="IFAD", name='=HYPERLINK("http://x")', email="not an address")

    batch = upload(cambodia, convener, book, delete_missing=True)
    rows = {}
    for row in batch.preview:
        rows.setdefault(row["action"], []).append(row)
    assert batch.error_count >= 1 and not batch.can_confirm
    assert [r["row"] for r in rows["refused"]] == [broken]
    assert snapshot(cambodia) == before  # nothing saved

    # Correct the broken row (remove it) and upload again.
    sheet.delete_rows(broken)
    batch = upload(cambodia, convener, book, delete_missing=True)
    rows = {}
    for row in batch.preview:
        rows.setdefault(row["action"], []).append(row)
    assert (batch.created_count, batch.changed_count, batch.deleted_count, batch.error_count) == (1, 2, 1, 0)
    changed = {r["id"]: {c["column"]: (c["old"], c["new"]) for c in r["changes"]} for r in rows["changed"]}
    assert changed[keep.pk] == {
        "Job title": ("", "Nutrition officer"),
        "Phone": ("+855 23 000 111", "+855 12 345 678"),
        "Primary focal point": ("Yes", "No"),
    }
    assert changed[second.pk] == {"Primary focal point": ("No", "Yes")}
    assert rows["created"][0]["title"] == "Maly Sok (UNICEF)"
    assert rows["deleted"][0]["id"] == gone.pk
    assert snapshot(cambodia) == before

    services.confirm_import(pk=batch.pk, user=convener)
    keep.refresh_from_db(), second.refresh_from_db(), gone.refresh_from_db()
    assert keep.person.phone == "+855 12 345 678" and keep.person.title == "Nutrition officer"
    assert (keep.is_primary, second.is_primary) == (False, True)
    assert gone.end_date == dt.date.today() and gone.end_reason == "other"
    added = FocalPoint.objects.get(person__email="maly@unicef.example", member__team=cambodia)
    assert added.start_date == dt.date(2026, 1, 5) and added.is_primary  # the agency's first one
    assert keep.history.first().history_change_reason == f"import {batch.pk}: roster.xlsx"

    services.undo_import(pk=batch.pk, user=convener)
    assert snapshot(cambodia) == before
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.UNDONE


def test_undo_restores_a_primary_moved_by_a_new_entry(roster, cambodia, convener):
    keep, second, gone = roster
    before = snapshot(cambodia)
    book = book_of(cambodia)
    sheet = book.worksheets[0]
    put(sheet, first_empty(sheet), agency="WFP", name="New Lead", email="lead@wfp.example", is_primary="Yes")
    put(sheet, row_of(sheet, keep.pk), is_primary="No")
    batch = upload(cambodia, convener, book)
    services.confirm_import(pk=batch.pk, user=convener)
    keep.refresh_from_db()
    assert not keep.is_primary
    services.undo_import(pk=batch.pk, user=convener)
    assert snapshot(cambodia) == before


def test_undo_refused_when_an_entry_changed_after_the_import(roster, cambodia, convener):
    keep, _second, _gone = roster
    book = book_of(cambodia)
    sheet = book.worksheets[0]
    put(sheet, row_of(sheet, keep.pk), title="Officer")
    batch = services.confirm_import(pk=upload(cambodia, convener, book).pk, user=convener)
    from teams import services as team_services

    team_services.update_focal_point(pk=keep.pk, user=convener, data={"title": "Senior officer"})
    with pytest.raises(ValidationError, match="changed after the import"):
        services.undo_import(pk=batch.pk, user=convener)
    keep.refresh_from_db()
    assert keep.person.title == "Senior officer"


def test_a_changed_entry_since_the_preview_saves_nothing(roster, cambodia, convener):
    keep, second, _gone = roster
    book = book_of(cambodia)
    sheet = book.worksheets[0]
    put(sheet, row_of(sheet, keep.pk), title="Officer")
    put(sheet, first_empty(sheet), agency="FAO", name="Someone", email="someone@fao.example")
    batch = upload(cambodia, convener, book)
    from teams import services as team_services

    team_services.update_focal_point(pk=keep.pk, user=convener, data={"phone": "+855 99 999 999"})
    with pytest.raises(ValidationError, match="Since the preview"):
        services.confirm_import(pk=batch.pk, user=convener)
    assert not FocalPoint.objects.filter(person__email="someone@fao.example").exists()


def test_secretariat_may_import_other_conveners_and_focal_points_may_not(roster, cambodia, chad, convener):
    book = book_of(cambodia)
    put(book.worksheets[0], first_empty(book.worksheets[0]), agency="FAO", name="A", email="a@fao.example")
    chad_convener = make_user("convener", chad)
    focal = make_user("focal_point", cambodia)
    for user in (chad_convener, focal, make_user("viewer")):
        with pytest.raises(PermissionDenied):
            upload(cambodia, user, book)
    batch = upload(cambodia, convener, book)
    for user in (chad_convener, focal):
        with pytest.raises(PermissionDenied):
            services.confirm_import(pk=batch.pk, user=user)
    services.confirm_import(pk=batch.pk, user=make_user("secretariat"))
    assert FocalPoint.objects.filter(person__email="a@fao.example", member__team=cambodia).exists()
    with pytest.raises(StateConflict):
        services.confirm_import(pk=batch.pk, user=convener)


def test_another_teams_file_is_refused(roster, cambodia, chad, convener):
    book = book_of(chad)
    with pytest.raises(FileRefused, match="another team's roster"):
        upload(cambodia, convener, book)


def test_row_problems_are_named_per_cell(roster, cambodia, convener):
    keep, second, gone = roster
    existing = make_person("WHO", name="Known Person", email="known@who.example")
    book = book_of(cambodia)
    sheet = book.worksheets[0]
    put(sheet, row_of(sheet, keep.pk), agency="WHO")  # moving agency
    put(sheet, row_of(sheet, second.pk), start_date="03/04/2026", email=existing.email.upper())
    row = first_empty(sheet)
    put(sheet, row, agency="WHO", name="Someone else", email="leaving@who.example")  # already a focal point of WHO
    put(sheet, row + 1, agency="FAO", name="No mail")
    put(sheet, row + 2, id=999999, agency="FAO", name="Stranger", email="s@fao.example")
    batch = upload(cambodia, convener, book)
    issues = {(r["row"], i["column"]): i["message"] for r in batch.preview for i in r["issues"]}
    keep_row, second_row = row_of(sheet, keep.pk), row_of(sheet, second.pk)
    assert "cannot move to another agency" in issues[(keep_row, "Agency")]
    assert "unambiguous date" in issues[(second_row, "Focal point since")]
    assert "already a focal point of WHO" in issues[(row, "E-mail")]
    assert "needed for a new focal point" in issues[(row + 1, "E-mail")]
    assert "No running focal point 999999" in issues[(row + 2, "Row id (leave as it is)")]
    assert batch.created_count == 0 and batch.error_count == 5
    assert not Person.objects.filter(email="s@fao.example").exists()


def test_portal_pages_and_link(client, roster, cambodia, convener):
    client.force_login(convener)
    page = client.get(reverse("teams:detail", args=[cambodia.pk]))
    assert reverse("exchange:roster-import", args=[cambodia.pk]).encode() in page.content
    response = client.get(reverse("exchange:roster-template", args=[cambodia.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    put(sheet, first_empty(sheet), agency="FAO", name="Vanna", email="vanna@fao.example")
    upload_file = io.BytesIO(to_bytes(book))
    upload_file.name = "roster.xlsx"
    response = client.post(reverse("exchange:roster-import", args=[cambodia.pk]), {"file": upload_file})
    batch = ImportBatch.objects.get(kind="roster")
    assert response.status_code == 302 and response["Location"] == reverse("exchange:import-detail", args=[batch.pk])
    page = client.get(response["Location"])
    assert b"Vanna (FAO)" in page.content and b"Save these changes" in page.content
    client.post(reverse("exchange:import-confirm", args=[batch.pk]))
    assert FocalPoint.objects.filter(person__email="vanna@fao.example").exists()
    focal = make_user("focal_point", cambodia)
    client.force_login(focal)
    assert client.get(reverse("exchange:roster-import", args=[cambodia.pk])).status_code == 403
    viewer = make_user("viewer")
    client.force_login(viewer)
    assert client.get(reverse("exchange:roster-template", args=[cambodia.pk])).status_code == 403


def test_api_upload_confirm_undo(client, roster, cambodia, chad, convener):
    keep, _second, _gone = roster
    client.force_login(convener)
    response = client.get(f"/api/v1/roster-files/{cambodia.pk}/template/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    put(sheet, row_of(sheet, keep.pk), title="Head of nutrition")
    data = io.BytesIO(to_bytes(book))
    data.name = "roster.xlsx"
    response = client.post("/api/v1/imports/roster/", {"team": cambodia.pk, "file": data})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "roster" and body["changed_count"] == 1 and body["can_confirm"]
    assert body["preview"][0]["changes"] == [{"column": "Job title", "old": "", "new": "Head of nutrition"}]
    assert client.post(f"/api/v1/imports/{body['id']}/confirm/").status_code == 428  # If-Match needed
    etag = client.get(f"/api/v1/imports/{body['id']}/")["ETag"]
    response = client.post(f"/api/v1/imports/{body['id']}/confirm/", HTTP_IF_MATCH=etag)
    assert response.status_code == 200 and response.json()["status"] == "applied"
    keep.person.refresh_from_db()
    assert keep.person.title == "Head of nutrition"
    response = client.post(f"/api/v1/imports/{body['id']}/undo/", HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 200 and response.json()["status"] == "undone"
    keep.person.refresh_from_db()
    assert keep.person.title == ""
    # Another team's convener: the team reads as unknown; a non-XLSX file is refused with why.
    client.force_login(make_user("convener", chad))
    data.seek(0)
    response = client.post("/api/v1/imports/roster/", {"team": cambodia.pk, "file": data})
    assert response.status_code in (400, 403)
    client.force_login(convener)
    bad = io.BytesIO(b"name,email\nA,a@example.org\n")
    bad.name = "roster.csv"
    response = client.post("/api/v1/imports/roster/", {"team": cambodia.pk, "file": bad})
    assert response.status_code == 400 and "not an Excel workbook" in response.json()["file"][0]


def test_files_that_cannot_be_used_are_refused_saying_why(roster, cambodia, convener, settings):
    from exchange import workplan_sheet

    from ..factories import make_workplan

    book = book_of(cambodia)
    with pytest.raises(FileRefused, match="Macro-enabled"):
        upload(cambodia, convener, book, name="roster.xlsm")
    workplan_file = load_workbook(io.BytesIO(workplan_sheet.template(make_workplan(cambodia, 2026))))
    with pytest.raises(FileRefused, match="not a roster exported by the portal"):
        upload(cambodia, convener, workplan_file)
    settings.EXCHANGE_MAX_ROSTER_ROWS = 5
    sheet = book.worksheets[0]
    for n in range(6):
        put(sheet, first_empty(sheet), agency="FAO", name=f"P{n}", email=f"p{n}@fao.example")
    with pytest.raises(FileRefused, match="more than 5 rows"):
        upload(cambodia, convener, book)
    assert not ImportBatch.objects.exists()


def test_the_preview_takes_the_same_queries_for_5_or_60_rows(roster, cambodia, convener):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 5, 60):  # the first warms what is read once per process
        book = book_of(cambodia)
        sheet = book.worksheets[0]
        start = first_empty(sheet)
        for n in range(size):
            put(sheet, start + n, agency="FAO", name=f"Person {n}", email=f"p{size}-{n}@fao.example")
        with CaptureQueriesContext(connection) as queries:
            batch = upload(cambodia, convener, book)
        assert batch.created_count == size
        counts.append(len(queries))
    assert counts[1] == counts[2] and counts[1] <= 20, counts
