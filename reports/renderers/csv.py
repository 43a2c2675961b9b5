"""CSV: a ZIP archive with one CSV file per table, so that no two tables share a file.

    00-contents.csv          File, Table, Rows: which file holds which table
    01-summary.csv           the first table: its header row, then its rows
    02-coverage.csv          ...
    README.txt               the report's title, scope, notes and when it was produced

Files are named by their number and the table's key (the same in every language,
for scripts); the table's title in the report's language is in the contents.
Each file is UTF-8 with a byte-order mark (so that spreadsheet programs read
Arabic and Chinese right), one header row, values plain: ISO dates, amounts
with a dot and two decimals, no thousands separators, so it loads into any
tool. Text that would start a formula is made inert (core.spreadsheets). Rows
are written to the archive as they stream in.
"""

import csv
import io
import re
import zipfile
from collections.abc import Callable
from typing import BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import inert_text

from ..document import TEXT, Figures, Report, plain, with_progress

CONTENTS = "00-contents.csv"
README = "README.txt"
ENCODING = "utf-8-sig"


def cell(value, kind: str = TEXT):
    text = plain(value, kind)
    return inert_text(text) if kind == TEXT else text


def file_name(number: int, key: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "table"
    return f"{number:02d}-{slug}.csv"


def write_csv(archive: zipfile.ZipFile, name: str, rows) -> int:
    """Write `rows` (header first) as the CSV file `name` in the archive; the number of rows after the header."""
    count = -1
    with archive.open(name, "w") as raw:
        text = io.TextIOWrapper(raw, encoding=ENCODING, newline="")
        writer = csv.writer(text)
        for row in rows:
            writer.writerow(row)
            count += 1
        text.flush()
        text.detach()
    return max(count, 0)


def section_rows(section):
    if isinstance(section, Figures):
        yield [_("Figure"), _("Value")]
        for label, value, kind in section.items:
            yield [cell(label), cell(value, kind)]
        return
    types = [column.type for column in section.columns]
    yield [cell(column.label) for column in section.columns]
    for row in section.rows:
        yield [cell(value, kind) for value, kind in zip(row, types, strict=True)]


def render(report: Report, out: BinaryIO, progress: Callable[[float], None]) -> None:
    contents: list[list] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, section in enumerate(with_progress(report, progress), 1):
            name = file_name(number, section.key)
            rows = write_csv(archive, name, section_rows(section))
            contents.append([name, cell(section.title), rows])
        write_csv(archive, CONTENTS, [[_("File"), _("Table"), _("Rows")], *contents])
        lines = [report.title, report.subtitle, *report.notes]
        lines.append(
            _("Produced on %(date)s by the UN Nutrition Coordination Portal.")
            % {"date": timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")}
        )
        lines += ["", _("One CSV file per table; %(contents)s lists them.") % {"contents": CONTENTS}]
        lines += [f"{name}: {title}" for name, title, _rows in contents]
        archive.writestr(README, "\n".join(str(line) for line in lines if line is not None) + "\n")
