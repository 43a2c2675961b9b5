"""PDF: an A4 landscape document to print, laid out by WeasyPrint from an HTML template.

The report becomes HTML (templates/reports/pdf/) in its language: `lang` and
`dir` on the document, so Pango and HarfBuzz shape Arabic and set it right to
left (tables and charts mirrored), and Chinese is set with a Simplified Chinese
font. The fonts are the Noto families from Debian (fonts-noto-core,
fonts-noto-cjk; `make install` installs them): Noto Sans for Latin, Greek and
Cyrillic, Noto Sans Arabic, Noto Sans CJK SC. Tables repeat their header row on
every page, the running header and "Page N of M" are CSS margin boxes, charts
are SVG shapes with their words and numbers as HTML text (reports/renderers/charts.py).

A report is never written in another language than asked: when a character
has no glyph in any installed font the run fails, naming the language and the
characters (CannotRender), instead of printing empty boxes.

Long lists are cut to `Table.pdf_row_limit` rows with a note saying how many
there are (the XLSX and CSV versions have them all), so the document stays
printable and its memory bounded whatever the data.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..document import TEXT, CannotRender, Figures, Report, Table, display, number, with_progress
from .charts import chart_view

TEMPLATE = "reports/pdf/report.html"
# Unicode's first-strong isolate and its end: text entered by people (a team's English name in an
# Arabic report) keeps its own direction, its punctuation at its own end. WeasyPrint does not
# isolate <bdi>; Pango's bidi algorithm honours these characters.
FSI, PDI = "\u2068", "\u2069"
# The share of the job spent reading the data; laying out the pages is the rest.
READING = 0.4


@dataclass
class Cell:
    text: str
    kind: str


@dataclass
class TableView:
    title: str
    intro: str
    # (label, numeric) of each column; a figures table has no header row.
    columns: list[tuple[str, bool]]
    rows: list[list[Cell]] = field(default_factory=list)
    empty: str = ""
    cut_note: str = ""
    chart: object = None
    figures: bool = False


def isolate(text: str) -> str:
    return f"{FSI}{text}{PDI}" if text else ""


def cell_text(value, kind: str) -> str:
    text = display(value, kind)
    return isolate(text) if kind == TEXT else text


def figures_view(section: Figures) -> TableView:
    view = TableView(section.title, section.intro, [], figures=True)
    view.rows = [[Cell(label, TEXT), Cell(cell_text(value, kind), kind)] for label, value, kind in section.items]
    return view


def table_view(section: Table, rtl: bool) -> TableView:
    types = [column.type for column in section.columns]
    view = TableView(
        section.title,
        section.intro,
        [(column.label, column.type != TEXT) for column in section.columns],
        chart=chart_view(section.chart, rtl) if section.chart is not None else None,
    )
    count, limit = 0, section.pdf_row_limit
    for row in section.rows:
        count += 1
        if limit is not None and count > limit:
            continue  # counted, not printed
        view.rows.append([Cell(cell_text(value, kind), kind) for value, kind in zip(row, types, strict=True)])
    if not count:
        view.empty = section.empty or _("None.")
    elif limit is not None and count > limit:
        view.cut_note = _(
            "The first %(shown)s of %(total)s rows are shown; the XLSX and CSV versions list them all."
        ) % {
            "shown": number(limit),
            "total": number(count),
        }
    return view


def css_string(text: str) -> str:
    """`text` as a quoted CSS string (for `content:`), safe inside a <style> element."""
    escaped = "".join(
        f"\\{ord(character):x} " if character in '"\\<>&\n\r' or ord(character) < 32 else character
        for character in text
    )
    return f'"{escaped}"'


def page_label() -> str:
    """ "Page N of M" in the report's language, as CSS content with the page counters."""
    marker_page, marker_pages = "\x00page\x00", "\x00pages\x00"
    label = _("Page %(number)s of %(count)s") % {"number": marker_page, "count": marker_pages}
    parts = []
    for piece in label.split("\x00"):
        if piece == "page":
            parts.append("counter(page)")
        elif piece == "pages":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


@contextmanager
def glyphs_checked(language: str) -> Iterator[None]:
    """Fail (CannotRender) when WeasyPrint had to draw a character without a glyph (an empty box):
    the fonts for the report's language are not installed."""
    missing: list[str] = []
    thread = threading.get_ident()

    class Missing(logging.Handler):
        def emit(self, record):
            if record.thread == thread and str(record.msg).startswith(".notdef glyph"):
                missing.append(str(record.args[0]) if record.args else "?")

    handler = Missing(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    level = logger.level
    if not logger.isEnabledFor(logging.WARNING):
        logger.setLevel(logging.WARNING)  # the check needs WeasyPrint's warnings, whatever the logging set-up
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    if missing:
        characters = "".join(sorted(set(missing)))[:20]
        raise CannotRender(
            _(
                "The PDF cannot be written in %(language)s: no font on the server has the characters "
                "%(characters)s. The Noto fonts (Debian packages fonts-noto-core and fonts-noto-cjk) must "
                "be installed."
            )
            % {"language": language_name(language), "characters": characters}
        )


def language_name(code: str) -> str:
    try:
        return translation.get_language_info(code)["name_translated"]
    except KeyError:
        return code


def render(report: Report, out: BinaryIO, progress: Callable[[float], None]) -> None:
    from weasyprint import HTML  # imported when a PDF is made: it loads Pango and HarfBuzz

    language = translation.get_language() or settings.LANGUAGE_CODE
    rtl = translation.get_language_bidi()
    sections = []
    for section in with_progress(report, lambda fraction: progress(READING * fraction)):
        sections.append(figures_view(section) if isinstance(section, Figures) else table_view(section, rtl))
    produced = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
    running_head = " – ".join(part for part in (report.title, report.subtitle) if part)
    html = render_to_string(
        TEMPLATE,
        {
            "language": language,
            "direction": "rtl" if rtl else "ltr",
            "report": report,
            "subtitle": report.subtitle,
            "sections": sections,
            "css_running_head": css_string(running_head),
            "css_footer": css_string(_("UN Nutrition Coordination Portal, produced on %(date)s") % {"date": produced}),
            "css_page_label": page_label(),
            "produced": timezone.now().isoformat(timespec="seconds"),
        },
    )
    del sections
    progress(READING + 0.05)
    with glyphs_checked(language):
        HTML(string=html).write_pdf(out, pdf_tags=True)
    progress(1.0)
