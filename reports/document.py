"""What a report is made of, independent of its format.

A report is a title and a sequence of sections: key figures or tables (each
possibly with a chart). Sections are produced lazily by a generator and table
rows are iterables that stream from the database, so a renderer holds one
section's aggregates and one chunk of rows at a time, whatever the size of the
data. The three renderers (reports/renderers/) turn the same Report into a PDF,
an XLSX workbook or a ZIP of CSV files (one per table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

# Column types: they decide the cell type in XLSX, alignment and format in PDF.
TEXT, INT, MONEY, PERCENT, DATE, DATETIME, BOOL = "text", "int", "money", "percent", "date", "datetime", "bool"
# A record's number (an activity id): an integer without thousands separators.
ID = "id"


@dataclass(frozen=True)
class Column:
    label: str
    type: str = TEXT
    # Relative width in the PDF; XLSX widths follow from it too.
    width: float = 1.0


@dataclass
class Chart:
    """A small chart drawn in the PDF above its table (XLSX and CSV carry the numbers).

    The PDF draws "bar" and "hbar" alike: one row per category, its name in full, a bar per
    series and the numbers beside them (reports/renderers/charts.py).
    """

    kind: str  # "bar" (grouped), "hbar" (the same, many categories) or "pie"
    title: str
    categories: list[str]
    series: list[tuple[str, list[float]]]


@dataclass
class Figures:
    """Key figures: label -> value pairs, shown as a short two-column table."""

    title: str
    items: list[tuple[str, object, str]]  # (label, value, column type)
    key: str = "summary"
    intro: str = ""
    # A shorter title where a spreadsheet's tab needs one (31 characters at most).
    short_title: str = ""


@dataclass
class Table:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    key: str = ""
    intro: str = ""
    empty: str = ""
    chart: Chart | None = None
    # Long lists are cut in the PDF (it is for print); None prints every row.
    pdf_row_limit: int | None = None
    # A shorter title where a spreadsheet's tab needs one (31 characters at most).
    short_title: str = ""


Section = Figures | Table


class CannotRender(Exception):
    """The report cannot be written as asked (e.g. no font has the glyphs of its language).

    Its message, in the requester's language, is the run's reason of failure; trying again
    does not help until the server is set up differently.
    """


@dataclass
class Report:
    title: str
    subtitle: str
    sections: Callable[[], Iterator[Section]]
    # Lines printed under the title: scope, "as of" date, who asked.
    notes: list[str] = field(default_factory=list)
    # How many sections `sections()` yields: the job's progress is counted in sections.
    size: int = 1


def with_progress(report: Report, progress: Callable[[float], None]) -> Iterator[Section]:
    """The report's sections; `progress(fraction)` is called once each section has been written."""
    size = max(report.size, 1)
    for number, section in enumerate(report.sections(), 1):
        yield section
        progress(min(number / size, 1.0))


def plain(value, column_type: str = TEXT):
    """A value as CSV and the PDF show it (XLSX keeps the typed value)."""
    if value is None:
        return ""
    if column_type == BOOL or isinstance(value, bool):
        from django.utils.translation import gettext

        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if column_type == MONEY and isinstance(value, Decimal | int | float):
        return f"{Decimal(value):.2f}"
    if column_type == PERCENT and isinstance(value, Decimal | int | float):
        return f"{float(value):.1f}"
    return str(value)


def number(value) -> str:
    """A whole number as the report's language writes it (its digit grouping: 3,500,000 in English,
    3 500 000 in French), rounded half to even."""
    from django.utils.formats import number_format

    return number_format(Decimal(value).quantize(Decimal(1)), 0, use_l10n=True, force_grouping=True)


def display(value, column_type: str = TEXT) -> str:
    """A value as the PDF prints it: thousands separators, no cents for money."""
    if value is None:
        return ""
    if column_type in (MONEY, INT) and isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return number(value)
    if column_type == PERCENT and isinstance(value, Decimal | int | float):
        return f"{number(value)}%"
    return plain(value, column_type)


def ratio(part, whole) -> float | None:
    """part / whole as a percentage, or None when there is no whole."""
    if not whole:
        return None
    return round(float(part) * 100 / float(whole), 1)
