"""PDF: an A4 landscape document to print, with charts drawn by reportlab.graphics.

The layout is reportlab's platypus: headings, paragraphs, tables that repeat
their header row on every page, a running header and page numbers. Long lists
are cut to `Table.pdf_row_limit` rows with a note saying how many there are
(the XLSX and CSV versions have them all), so the document stays printable and
its memory bounded whatever the data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

import reportlab
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..document import (
    BOOL,
    DATE,
    DATETIME,
    ID,
    INT,
    MONEY,
    PERCENT,
    TEXT,
    Chart,
    Figures,
    Report,
    display,
    with_progress,
)

PAGE = landscape(A4)
MARGIN = 14 * mm
WIDTH = PAGE[0] - 2 * MARGIN
UN_BLUE = colors.HexColor("#00689d")
PALETTE = [UN_BLUE, colors.HexColor("#f5a623"), colors.HexColor("#4caf50"), colors.HexColor("#9c27b0"),
           colors.HexColor("#e53935"), colors.HexColor("#607d8b")]  # fmt: skip
LIGHT = colors.HexColor("#eef3f7")
GRID = colors.HexColor("#c8d3dc")
# Fonts with the accents of country and person names (DejaVu covers Latin, Greek
# and Cyrillic). Debian ships DejaVu; reportlab's own Vera is the fallback.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
VERA = Path(reportlab.__file__).parent / "fonts"
FONT_CANDIDATES = [
    (DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"),
    (VERA / "Vera.ttf", VERA / "VeraBd.ttf"),
]


@cache
def font_files() -> tuple[Path, Path] | None:
    """The first candidate font that is installed (regular, bold), registered with reportlab."""
    for regular, bold in FONT_CANDIDATES:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("ReportSans", str(regular)))
            pdfmetrics.registerFont(TTFont("ReportSans-Bold", str(bold)))
            pdfmetrics.registerFontFamily(
                "ReportSans",
                normal="ReportSans",
                bold="ReportSans-Bold",
                italic="ReportSans",
                boldItalic="ReportSans-Bold",
            )
            return regular, bold
    return None


def fonts() -> tuple[str, str]:
    if font_files() is None:
        return "Helvetica", "Helvetica-Bold"
    return "ReportSans", "ReportSans-Bold"


def writes(language: str) -> bool:
    """Whether a PDF can be written in `language` with the fonts at hand.

    Arabic needs right-to-left shaping and Chinese a CJK font, neither of which
    this renderer has; Russian needs Cyrillic, which DejaVu has and Vera has not.
    """
    if language in ("ar", "zh-hans"):
        return False
    files = font_files()
    return language != "ru" or (files is not None and files[0].parent == DEJAVU)


@cache
def styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12, spaceAfter=4)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=bold, fontSize=18, leading=22, textColor=UN_BLUE),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=12, leading=16, spaceAfter=8),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=bold, fontSize=12.5, leading=16, spaceBefore=10, spaceAfter=4,
            textColor=UN_BLUE, keepWithNext=1,
        ),
        "body": body,
        "note": ParagraphStyle("note", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#555555")),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9, spaceAfter=0),
        "cell_bold": ParagraphStyle("cell_bold", parent=body, fontName=bold, fontSize=7.5, leading=9, spaceAfter=0),
        "number": ParagraphStyle("number", parent=body, fontSize=7.5, leading=9, spaceAfter=0, alignment=TA_RIGHT),
        "head_number": ParagraphStyle(
            "head_number", parent=body, fontName=bold, fontSize=7.5, leading=9, spaceAfter=0, alignment=TA_RIGHT
        ),
    }  # fmt: skip


def text(value: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(value), styles()[style])


# --- charts -------------------------------------------------------------------------------------


def chart_drawing(chart: Chart) -> Drawing | None:
    if not chart.categories or not any(any(values) for _name, values in chart.series):
        return None
    regular, bold = fonts()
    if chart.kind == "pie":
        return pie_drawing(chart, regular, bold)
    many = len(chart.categories)
    horizontal = chart.kind == "hbar"
    if horizontal:
        height = min(40 + many * (8 + 6 * len(chart.series)), 420)
        drawing = Drawing(WIDTH * 0.75, height + 30)
        plot = HorizontalBarChart()
        plot.x, plot.y = 215, 10
        plot.width, plot.height = WIDTH * 0.75 - 345, height
        plot.categoryAxis.reverseDirection = True
        plot.categoryAxis.labels.boxAnchor = "e"
        plot.categoryAxis.labels.dx = -4
    else:
        drawing = Drawing(WIDTH * 0.75, 210)
        plot = VerticalBarChart()
        plot.x, plot.y = 40, 50
        plot.width, plot.height = WIDTH * 0.75 - 190, 140
        plot.categoryAxis.labels.boxAnchor = "ne"
        plot.categoryAxis.labels.angle = 30 if many > 4 else 0
        plot.categoryAxis.labels.dy = -2
    plot.data = [list(values) for _name, values in chart.series]
    plot.categoryAxis.categoryNames = [label if len(label) <= 46 else label[:45] + "…" for label in chart.categories]
    plot.categoryAxis.labels.fontName = regular
    plot.categoryAxis.labels.fontSize = 7
    plot.valueAxis.labels.fontName = regular
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.valueMin = 0
    plot.valueAxis.labelTextFormat = compact_number
    plot.barSpacing = 1
    plot.groupSpacing = 6
    for index in range(len(chart.series)):
        plot.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        plot.bars[index].strokeColor = None
    drawing.add(plot)
    drawing.add(String(0, drawing.height - 12, chart.title, fontName=bold, fontSize=9))
    if len(chart.series) > 1:
        drawing.add(legend([name for name, _values in chart.series], drawing.width - 110, drawing.height - 20))
    return drawing


def pie_drawing(chart: Chart, regular: str, bold: str) -> Drawing:
    values = list(chart.series[0][1])
    drawing = Drawing(WIDTH * 0.6, 170)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 30, 10, 130, 130
    # reportlab draws nothing for a pie of zeros only; empty slices are left out.
    shown = [(label, value) for label, value in zip(chart.categories, values, strict=True) if value]
    pie.data = [value for _label, value in shown]
    pie.labels = [f"{value:,}" for _label, value in shown]
    pie.slices.fontName = regular
    pie.slices.fontSize = 7
    pie.slices.strokeColor = colors.white
    for index in range(len(shown)):
        pie.slices[index].fillColor = PALETTE[index % len(PALETTE)]
    drawing.add(pie)
    drawing.add(String(0, drawing.height - 12, chart.title, fontName=bold, fontSize=9))
    drawing.add(legend([label for label, _value in shown], 200, 120))
    return drawing


def legend(names: list[str], x: float, y: float) -> Legend:
    regular, _bold = fonts()
    box = Legend()
    box.x, box.y = x, y
    box.fontName = regular
    box.fontSize = 7
    box.alignment = "right"
    box.columnMaximum = 8
    box.colorNamePairs = [(PALETTE[i % len(PALETTE)], name) for i, name in enumerate(names)]
    return box


def compact_number(value: float) -> str:
    for limit, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:g}{suffix}"
    return f"{value:g}"


# --- tables ---------------------------------------------------------------------------------------


# Narrowest a column of each type can be (points) so that its values do not wrap.
MIN_WIDTH = {DATE: 62, DATETIME: 90, MONEY: 64, INT: 36, ID: 36, PERCENT: 44, BOOL: 30}
MIN_TEXT_WIDTH = 40
# Width of one relative unit (Column.width) when the table does not fill the page.
UNIT = 95


def column_widths(columns) -> list[float]:
    """Relative widths made absolute and fit to the page; typed columns keep the room their values need."""
    natural = [UNIT * column.width for column in columns]
    if sum(natural) <= WIDTH:
        return natural
    scale = WIDTH / sum(natural)
    floors = [MIN_WIDTH.get(column.type, MIN_TEXT_WIDTH) for column in columns]
    widths = [max(width * scale, floor) for width, floor in zip(natural, floors, strict=True)]
    excess = sum(widths) - WIDTH
    text_columns = [i for i, column in enumerate(columns) if column.type == TEXT]
    room = sum(widths[i] - MIN_TEXT_WIDTH for i in text_columns)
    if excess > 0 and room > 0:
        taken = min(excess, room)
        for i in text_columns:
            widths[i] -= taken * (widths[i] - MIN_TEXT_WIDTH) / room
    total = sum(widths)
    # Still too wide (very many columns): everything shrinks alike.
    return [width * WIDTH / total for width in widths] if total > WIDTH else widths


def table_style(column_types: list[str], header: bool = True) -> TableStyle:
    regular, _bold = fonts()
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), regular),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), LIGHT), ("LINEBELOW", (0, 0), (-1, 0), 0.8, UN_BLUE)]
    for index, kind in enumerate(column_types):
        if kind != TEXT:
            commands.append(("ALIGN", (index, 0), (index, -1), "RIGHT"))
    return TableStyle(commands)


def heading_block(title: str, intro: str, chart: Chart | None) -> list:
    """The heading, its introduction and chart, kept on one page."""
    block = [text(title, "heading")]
    if intro:
        block.append(text(intro))
    drawing = chart_drawing(chart) if chart is not None else None
    if drawing is not None:
        block += [drawing, Spacer(1, 4)]
    return [KeepTogether(block)]


def figures_flowables(section: Figures) -> list:
    rows = [[text(label, "cell"), text(display(value, kind), "cell_bold")] for label, value, kind in section.items]
    table = Table(rows, colWidths=[WIDTH * 0.4, WIDTH * 0.25], hAlign="LEFT")
    table.setStyle(table_style([TEXT, TEXT], header=False))
    return [*heading_block(section.title, section.intro, None), table]


def table_flowables(section) -> list:
    flowables = heading_block(section.title, section.intro, section.chart)
    types = [column.type for column in section.columns]
    header = [text(column.label, "cell_bold" if column.type == TEXT else "head_number") for column in section.columns]
    body, count, limit = [], 0, section.pdf_row_limit
    for row in section.rows:
        count += 1
        if limit is not None and count > limit:
            continue  # counted, not printed
        body.append(
            [
                text(display(value, kind), "cell" if kind == TEXT else "number")
                for value, kind in zip(row, types, strict=True)
            ]
        )
    if not count:
        flowables.append(text(section.empty or _("None."), "note"))
        return flowables
    table = Table([header, *body], colWidths=column_widths(section.columns), repeatRows=1, hAlign="LEFT")
    table.setStyle(table_style(types))
    flowables.append(table)
    if limit is not None and count > limit:
        flowables.append(
            text(
                _("The first %(shown)s of %(total)s rows are shown; the XLSX and CSV versions list them all.")
                % {"shown": f"{limit:,}", "total": f"{count:,}"},
                "note",
            )
        )
    return flowables


def render(report: Report, out: BinaryIO, progress: Callable[[float], None]) -> None:
    produced = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
    regular, _bold = fonts()

    def decorate(canvas, document):
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(MARGIN, PAGE[1] - MARGIN + 12, f"{report.title} - {report.subtitle}")
        canvas.drawString(
            MARGIN, MARGIN - 14, _("UN Nutrition Coordination Portal, produced on %(date)s") % {"date": produced}
        )
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN - 14, _("Page %(number)s") % {"number": document.page})
        canvas.restoreState()

    document = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 6,
        bottomMargin=MARGIN + 4,
        title=report.title,
        subject=report.subtitle,
        author="UN Nutrition Coordination Portal",
        creator="UN Nutrition Coordination Portal",
    )
    story = [text(report.title, "title"), text(report.subtitle, "subtitle")]
    story += [text(note, "note") for note in report.notes]
    # Reading the data is most of the work; laying out the pages is the rest.
    for section in with_progress(report, lambda fraction: progress(0.8 * fraction)):
        story += figures_flowables(section) if isinstance(section, Figures) else table_flowables(section)
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    progress(1.0)
