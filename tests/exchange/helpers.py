"""Building workbooks for the import tests: the portal's template, edited with openpyxl."""

import io

from openpyxl import load_workbook

from exchange import workplan_sheet

COLUMN = {column.key: index for index, column in enumerate(workplan_sheet.COLUMNS, start=1)}


def template_book(workplan):
    return load_workbook(io.BytesIO(workplan_sheet.template(workplan)))


def row_of(sheet, activity_id) -> int:
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == activity_id:
            return row
    raise AssertionError(f"activity {activity_id} not in the template")


def set_cells(sheet, row: int, **values) -> None:
    for key, value in values.items():
        sheet.cell(row=row, column=COLUMN[key], value=value)


def first_empty_row(sheet) -> int:
    row = 2
    while sheet.cell(row=row, column=COLUMN["title"]).value not in (None, ""):
        row += 1
    return row


def delete_row(sheet, activity_id) -> None:
    sheet.delete_rows(row_of(sheet, activity_id))


def to_bytes(book) -> bytes:
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
