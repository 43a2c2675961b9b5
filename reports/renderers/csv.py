"""CSV: every table of the report one after the other, each under a line with its title.

Values are plain: ISO dates, amounts with a dot and two decimals, no thousands
separators, so the file loads into any tool; rows are written as they stream in.
Text that would start a formula is made inert (core.spreadsheets).
"""

import csv
import io
from collections.abc import Callable
from typing import BinaryIO

from django.utils.translation import gettext as _

from core.spreadsheets import inert_text

from ..document import TEXT, Figures, Report, plain, with_progress


def cell(value, kind: str = TEXT):
    text = plain(value, kind)
    return inert_text(text) if kind == TEXT else text


def render(report: Report, out: BinaryIO, progress: Callable[[float], None]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.writer(text)
    writer.writerow([cell(report.title)])
    writer.writerow([cell(report.subtitle)])
    for note in report.notes:
        writer.writerow([cell(note)])
    for section in with_progress(report, progress):
        writer.writerow([])
        writer.writerow([cell(section.title)])
        if isinstance(section, Figures):
            writer.writerow([_("Figure"), _("Value")])
            writer.writerows([cell(label), cell(value, kind)] for label, value, kind in section.items)
            continue
        types = [column.type for column in section.columns]
        writer.writerow([cell(column.label) for column in section.columns])
        writer.writerows([cell(value, kind) for value, kind in zip(row, types, strict=True)] for row in section.rows)
    text.flush()
    # Leave `out` open for the caller, who owns it.
    text.detach()
