"""The PDF's charts: small SVG shapes inside HTML, with every word and number as HTML text.

Text is laid out by the page (shaped, wrapped, right-to-left where the language
is), never inside the SVG, so labels are neither clipped nor drawn over each
other, and each chart is also a small data table:

- bar charts ("bar" and "hbar"): a table with a row per category: its name in
  full, one bar per series, and the series' numbers in columns of their own
  (headed by the series' names and colours, which are the legend). In a
  right-to-left report the bars grow from the right, beside the names;
- pie charts: the pie, and beside it a table of the slices with their colour,
  number and share. No label sits on the pie.

The SVG holds only rectangles and paths; numbers are printed by the template.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ..document import INT, PERCENT, Chart, display

PALETTE = ["#00689d", "#f5a623", "#4caf50", "#9c27b0", "#e53935", "#607d8b"]
# A bar's thickness and the gap between the bars of a category, in points.
BAR, GAP, PAD = 7, 1.5, 2


@dataclass
class Series:
    name: str
    color: str


@dataclass
class BarRow:
    label: str
    svg: SafeString
    values: list[str]


@dataclass
class BarChart:
    title: str
    series: list[Series]
    rows: list[BarRow]
    kind: str = "bars"


@dataclass
class Slice:
    label: str
    color: str
    value: str
    share: str


@dataclass
class PieChart:
    title: str
    svg: SafeString
    slices: list[Slice]
    kind: str = "pie"


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def chart_view(chart: Chart, rtl: bool = False) -> BarChart | PieChart | None:
    """What the template draws for `chart`; None when there is nothing to draw (no category, all zero)."""
    if not chart.categories or not any(any(values) for _name, values in chart.series):
        return None
    if chart.kind == "pie":
        return pie_chart(chart, rtl)
    return bar_chart(chart, rtl)


# --- bars ---------------------------------------------------------------------------------------


def bar_chart(chart: Chart, rtl: bool) -> BarChart:
    largest = max(max(values, default=0) for _name, values in chart.series) or 1
    rows = []
    for index, label in enumerate(chart.categories):
        values = [values[index] for _name, values in chart.series]
        rows.append(BarRow(label, bars_svg(values, largest, rtl), [display(value, INT) for value in values]))
    series = [Series(name, color(number)) for number, (name, _values) in enumerate(chart.series)]
    return BarChart(chart.title, series, rows)


def bars_svg(values: list[float], largest: float, rtl: bool) -> SafeString:
    """One category's bars, stretched to the width of their cell (a 100-unit wide view box)."""
    height = PAD * 2 + len(values) * BAR + (len(values) - 1) * GAP
    shapes = []
    for number, value in enumerate(values):
        if not value:
            continue
        # A value too small to see still shows as a sliver.
        width = max(100 * value / largest, 0.6)
        x = 100 - width if rtl else 0
        y = PAD + number * (BAR + GAP)
        shapes.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                _n(x),
                _n(y),
                _n(width),
                BAR,
                color(number),
            )
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="bars" width="100%" height="{}pt" viewBox="0 0 100 {}" '
        'preserveAspectRatio="none" aria-hidden="true">{}</svg>',
        _n(height),
        _n(height),
        format_html_join("", "{}", ((shape,) for shape in shapes)),
    )


# --- pie ----------------------------------------------------------------------------------------


def pie_chart(chart: Chart, rtl: bool) -> PieChart:
    values = list(chart.series[0][1])
    total = sum(values)
    slices = [
        Slice(label, color(index), display(value, INT), display(100 * value / total, PERCENT))
        for index, (label, value) in enumerate(zip(chart.categories, values, strict=True))
    ]
    return PieChart(chart.title, pie_svg(values, rtl), slices)


def pie_svg(values: list[float], rtl: bool) -> SafeString:
    """Slices from twelve o'clock, clockwise (anticlockwise in a right-to-left report); the colours
    follow the categories' order, as in the table beside it."""
    total = sum(values)
    radius, centre = 48, 50
    shapes = []
    start = 0.0
    for index, value in enumerate(values):
        if not value:
            continue
        share = value / total
        if share >= 0.9999:
            shapes.append(format_html('<circle cx="50" cy="50" r="{}" fill="{}"/>', radius, color(index)))
            break
        end = start + share
        x1, y1 = _point(start, radius, centre, rtl)
        x2, y2 = _point(end, radius, centre, rtl)
        large = 1 if share > 0.5 else 0
        sweep = 0 if rtl else 1
        shapes.append(
            format_html(
                '<path d="M50 50 L{} {} A{} {} 0 {} {} {} {} Z" fill="{}" stroke="#ffffff" stroke-width="0.8"/>',
                _n(x1),
                _n(y1),
                radius,
                radius,
                large,
                sweep,
                _n(x2),
                _n(y2),
                color(index),
            )
        )
        start = end
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="pie" width="42mm" height="42mm" viewBox="0 0 100 100" '
        'aria-hidden="true">{}</svg>',
        format_html_join("", "{}", ((shape,) for shape in shapes)),
    )


def _point(fraction: float, radius: float, centre: float, rtl: bool) -> tuple[float, float]:
    angle = 2 * math.pi * fraction * (-1 if rtl else 1)
    return centre + radius * math.sin(angle), centre - radius * math.cos(angle)


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
