"""XLSX: a summary sheet, then one sheet per table, with typed cells.

Numbers are numbers, money keeps its cents, dates are dates (so a sheet can be
sorted, filtered and summed); openpyxl's write-only mode streams rows to disk
instead of building the workbook in memory. Text is always stored as text:
openpyxl would store a title starting with "=" as a live formula.

Sheet names are Excel's (31 characters at most): a table's title when it fits,
else its shorter title, else the title cut at a word with "…"; the summary
sheet lists each sheet with its table's full title. A workbook in a
right-to-left language (Arabic) has its sheets set right to left.
"""

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import BinaryIO

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.spreadsheets import starts_like_formula

from ..document import BOOL, DATE, DATETIME, ID, INT, MONEY, PERCENT, TEXT, Figures, Report, with_progress

FORMATS = {DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm", MONEY: "#,##0.00", PERCENT: "0.0", INT: "#,##0", ID: "0"}
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31
ELLIPSIS = "…"


def excel_value(value, column_type: str):
    """A value openpyxl stores with its type; Excel has no time zones, so datetimes are written in UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str | int | float | Decimal | dt.date):
        # Translated labels arrive as lazy strings, which openpyxl does not know.
        return str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if column_type == BOOL:
        return bool(value)
    if column_type in (MONEY, PERCENT) and isinstance(value, int | float | Decimal):
        return Decimal(value) if column_type == MONEY else float(value)
    return value


def text_cell(sheet, value: str):
    """A cell that holds `value` as text, whatever it starts with (never a formula)."""
    typed = WriteOnlyCell(sheet, value)
    typed.data_type = "s"
    return typed


def cell(sheet, value, column_type: str):
    value = excel_value(value, column_type)
    if isinstance(value, str):
        return text_cell(sheet, value) if starts_like_formula(value) else value
    number_format = FORMATS.get(column_type)
    if number_format is None or value is None:
        return value
    typed = WriteOnlyCell(sheet, value)
    typed.number_format = number_format
    return typed


def header(sheet, labels):
    cells = []
    for label in labels:
        heading = text_cell(sheet, str(label))
        heading.font = BOLD
        heading.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(heading)
    return cells


def shorten(text: str, length: int) -> str:
    """`text` in at most `length` characters: whole when it fits, else cut after a whole word
    (or anywhere in a script written without spaces) and ended with "…"."""
    if len(text) <= length:
        return text
    cut = text[: length - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space >= length // 2:
        cut = cut[:space]
    return cut.rstrip(" -–,;.") + ELLIPSIS


class SheetNames:
    """Excel's sheet names: at most 31 characters, no []:*?/\\, unique regardless of case."""

    def __init__(self):
        self.used: set[str] = set()

    @staticmethod
    def clean(title: str) -> str:
        return " ".join(INVALID_SHEET_CHARACTERS.sub(" ", str(title)).split()).strip("'")

    def __call__(self, title: str, short_title: str = "") -> str:
        candidates = [self.clean(title), self.clean(short_title)]
        base = next((name for name in candidates if name and len(name) <= SHEET_NAME_LENGTH), None)
        if base is None:
            base = shorten(candidates[1] or candidates[0], SHEET_NAME_LENGTH) or "Sheet"
        name, n = base, 2
        while name.lower() in self.used:
            suffix = f" ({n})"
            name, n = shorten(base, SHEET_NAME_LENGTH - len(suffix)) + suffix, n + 1
        self.used.add(name.lower())
        return name


def render(report: Report, out: BinaryIO, progress: Callable[[float], None]) -> None:
    workbook = Workbook(write_only=True)
    names = SheetNames()
    rtl = translation.get_language_bidi()
    about = workbook.create_sheet(names(_("Report")))
    about.sheet_view.rightToLeft = rtl
    about.column_dimensions["A"].width = 60
    about.column_dimensions["B"].width = 60
    about.column_dimensions["C"].width = 12
    title = text_cell(about, str(report.title))
    title.font = TITLE
    about.append([title])
    about.append([cell(about, report.subtitle, TEXT)])
    for note in report.notes:
        about.append([cell(about, note, TEXT)])
    about.append([_("Produced on"), cell(about, timezone.now(), DATETIME)])
    about.append([])
    about.append(header(about, [_("Sheet"), _("Table"), _("Rows")]))
    # The list of sheets can only be written once they are known: keep a small index.
    index: list[tuple[str, str, int]] = []

    for section in with_progress(report, progress):
        sheet = workbook.create_sheet(names(section.title, section.short_title))
        sheet.sheet_view.rightToLeft = rtl
        if isinstance(section, Figures):
            sheet.column_dimensions["A"].width = 55
            sheet.column_dimensions["B"].width = 22
            sheet.append(header(sheet, [_("Figure"), _("Value")]))
            for label, value, kind in section.items:
                sheet.append([cell(sheet, label, TEXT), cell(sheet, value, kind)])
            index.append((sheet.title, section.title, len(section.items)))
            continue
        for number, column in enumerate(section.columns, 1):
            width = 12 * column.width if column.type != "text" else 16 * column.width
            sheet.column_dimensions[get_column_letter(number)].width = max(10, min(60, width))
        sheet.freeze_panes = "A2"
        sheet.append(header(sheet, [column.label for column in section.columns]))
        types = [column.type for column in section.columns]
        count = 0
        for row in section.rows:
            sheet.append([cell(sheet, value, kind) for value, kind in zip(row, types, strict=True)])
            count += 1
        if count:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(types))}{count + 1}"
        index.append((sheet.title, section.title, count))

    for name, title, count in index:
        about.append([cell(about, name, TEXT), cell(about, title, TEXT), count])
    workbook.save(out)
