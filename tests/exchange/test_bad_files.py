"""Bad files: each refused whole with a clear message, nothing saved (not even a preview)."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from exchange import services
from exchange.models import ImportBatch
from exchange.xlsx import FileRefused
from workplans.models import Activity

from ..factories import make_activity, make_user, make_workplan
from .helpers import COLUMN, row_of, set_cells, template_book, to_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(cambodia):
    workplan = make_workplan(cambodia, 2026)
    make_activity(workplan, title="Costing of the wasting roadmap")
    return workplan


@pytest.fixture
def focal(cambodia):
    return make_user("focal_point", cambodia)


def refused(plan, user, data, name="plan.xlsx"):
    with pytest.raises(FileRefused) as caught:
        services.preview_workplan_import(workplan=plan, user=user, file_name=name, data=data)
    assert not ImportBatch.objects.exists()
    return caught.value.message


def test_not_an_xlsx(plan, focal):
    assert "not an Excel workbook" in refused(plan, focal, b"id,title\n1,Costing\n", "plan.csv")
    assert "not an Excel workbook" in refused(plan, focal, b"%PDF-1.7 ...", "plan.pdf")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("word/document.xml", "<w/>")
        z.writestr("[Content_Types].xml", "<Types/>")
    assert "not an Excel workbook" in refused(plan, focal, archive.getvalue(), "letter.docx")


def test_an_old_xls_is_told_to_save_as_xlsx(plan, focal):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le")
    assert ".xls" in refused(plan, focal, ole, "plan.xls")


def test_macro_enabled_workbooks(plan, focal):
    data = to_bytes(template_book(plan))
    assert "Macro-enabled" in refused(plan, focal, data, "plan.xlsm")
    archive = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\0" * 2048)
    assert "Macro-enabled" in refused(plan, focal, archive.getvalue(), "innocent.xlsx")


def test_password_protected_workbook(plan, focal):
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(to_bytes(template_book(plan)))).encrypt("s3cret", encrypted)
    assert "protected by a password" in refused(plan, focal, encrypted.getvalue())


def test_zip_bomb_is_refused_before_decompressing(plan, focal, settings):
    settings.EXCHANGE_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
    data = to_bytes(template_book(plan))
    archive = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        with target.open("xl/media/padding.bin", "w") as handle:  # 60 MB of zeros, some 60 KB packed
            for _ in range(60):
                handle.write(b"\0" * 1024 * 1024)
    assert len(archive.getvalue()) < 1024 * 1024
    assert "unpacks to more than 50 MB" in refused(plan, focal, archive.getvalue())

    ratio = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(ratio, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/media/padding.bin", b"\0" * 8 * 1024 * 1024)
    assert "zip bomb" in refused(plan, focal, ratio.getvalue())


def test_a_sheet_of_100000_rows_is_refused_with_the_limit(plan, focal, settings):
    settings.EXCHANGE_MAX_ROWS = 2000
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Row id (leave as it is)", "Title"])
    for n in range(100_000):
        sheet.append([None, f"Activity {n}"])
    output = io.BytesIO()
    book.save(output)
    message = refused(plan, focal, output.getvalue())
    assert "more than 2,000 rows" in message
    assert Activity.objects.filter(workplan=plan).count() == 1


def test_a_sheet_without_the_templates_columns(plan, focal):
    book = Workbook()
    book.active.append(["Name", "Amount"])
    book.active.append(["Something", 12])
    assert "no column" in refused(plan, focal, to_bytes(book))


def test_formulas_and_unknown_codes_are_row_errors_at_their_cells(plan, focal):
    book = template_book(plan)
    sheet = book.worksheets[0]
    activity = Activity.objects.get(workplan=plan)
    row = row_of(sheet, activity.pk)
    set_cells(sheet, row, budget_required="=SUM(1,2)", currency="XXY", lead_agency="NOPE")
    batch = services.preview_workplan_import(workplan=plan, user=focal, file_name="x.xlsx", data=to_bytes(book))
    issues = batch.preview[0]["issues"]
    assert issues == [
        {
            "level": "error",
            "message": "The cell holds a formula: type the value itself (formulas are not imported).",
            "column": "Budget required",
            "cell": f"{sheet.cell(row=row, column=COLUMN['budget_required']).column_letter}{row}",
        }
    ]
    set_cells(sheet, row, budget_required=10)
    batch = services.preview_workplan_import(workplan=plan, user=focal, file_name="x.xlsx", data=to_bytes(book))
    messages = {issue["column"]: issue["message"] for issue in batch.preview[0]["issues"]}
    assert set(messages) == {"Currency", "Lead agency"}
    assert "XXY" in messages["Currency"] and "NOPE" in messages["Lead agency"]
    assert batch.error_count == 2 and not batch.can_confirm
