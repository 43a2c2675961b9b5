"""Read report files back the way a person's tools would: PDF text, XLSX cells, CSV rows."""

import csv
import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader


def pdf_text(path) -> str:
    reader = PdfReader(str(path))
    # Table cells wrap; joining the lines lets a test look for a whole phrase.
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pdf_pages(path) -> int:
    return len(PdfReader(str(path)).pages)


def xlsx_sheets(path) -> dict[str, list[tuple]]:
    """Sheet title -> rows of cell values (typed: numbers, datetimes, strings)."""
    workbook = load_workbook(str(path), read_only=True)
    sheets = {}
    try:
        for worksheet in workbook:
            rows = [tuple(row) for row in worksheet.iter_rows(values_only=True)]
            # Empty trailing cells are not stored: give every row the width of the widest.
            width = max((len(row) for row in rows), default=0)
            sheets[worksheet.title] = [row + (None,) * (width - len(row)) for row in rows]
    finally:
        workbook.close()
    return sheets


def xlsx_cells(path, sheet_title: str, row: int, column: int):
    """The cell object (for its number format) of a sheet, 1-based like Excel."""
    workbook = load_workbook(str(path))
    return workbook[sheet_title].cell(row=row, column=column)


def csv_sections(path) -> dict[str, list[list[str]]]:
    """Section title -> [header, *rows]: the CSV lists each table under a line with its title."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    sections: dict[str, list[list[str]]] = {"": []}
    current = ""
    expect_title = False
    for row in rows:
        if not row:
            expect_title = True
            continue
        if expect_title:
            current, expect_title = row[0], False
            sections[current] = []
            continue
        sections[current].append(row)
    return sections


def sheet(sheets: dict, title: str) -> list[tuple]:
    """A sheet by the title of its table (Excel's sheet names: no []:*?/\\, at most 31 characters)."""
    return sheets[" ".join(re.sub(r"[\[\]:*?/\\]", " ", title).split())[:31].strip()]
