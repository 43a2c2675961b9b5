"""Read report files back the way a person's tools would: PDF text, XLSX cells, CSV rows."""

import codecs
import csv
import io
import zipfile

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


def csv_files(path) -> dict[str, bytes]:
    """The files of a CSV report (a ZIP archive): name -> content."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(codecs.BOM_UTF8), "a CSV file without its UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def csv_sections(path) -> dict[str, list[list[str]]]:
    """Table title -> [header, *rows]: each table of the CSV report is a file of the ZIP, and
    00-contents.csv says which file holds which table. "" -> the lines of README.txt."""
    files = csv_files(path)
    contents = read_csv(files["00-contents.csv"])
    assert len(contents[0]) == 3  # File, Table, Rows
    sections: dict[str, list[list[str]]] = {"": [[line] for line in files["README.txt"].decode().splitlines()]}
    for name, title, rows in contents[1:]:
        table = read_csv(files[name])
        assert len(table) == int(rows) + 1, f"{name}: {rows} rows announced, {len(table) - 1} found"
        sections[title] = table
    assert len(files) == len(contents) - 1 + 2, "a file the contents do not list"
    return sections


def sheet(sheets: dict, title: str) -> list[tuple]:
    """A sheet by the full title of its table, as the first (summary) sheet lists them: Sheet, Table, Rows."""
    cover = next(iter(sheets.values()))
    # The title, notes and date, an empty row, the header (Sheet, Table, Rows), then a row per sheet.
    blank = next(number for number, row in enumerate(cover) if not any(row))
    names = {row[1]: row[0] for row in cover[blank + 2 :] if row[0]}
    if title in names:
        return sheets[names[title]]
    return sheets[title]
