"""A list page exports what it shows: "Download CSV / Excel" on the countries, teams, activities and
indicator values pages gives the page's rows under its current filters (every page of them, not only
the one on screen), with the columns and names the reader sees, in their language.

`ExportMixin` goes before django-filter's FilterView and django-tables2's SingleTableMixin: `?export=csv`
or `?export=xlsx` on the page's own address answers the file instead of the page. The table's
`as_values()` gives the cells as text (the page's `render_*` methods, HTML taken out); a table may
define `value_*` methods for a cell the file should show differently (a number rather than "USD 1,000").
Every cell goes through core.spreadsheets, so a title such as `=HYPERLINK(...)` stays text.
"""

from __future__ import annotations

import html

from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import get_language_bidi

from .spreadsheets import csv_bytes, xlsx_bytes

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_query(query_dict, kind: str) -> str:
    """The page's query string with `export=kind` (and without its page number)."""
    query = query_dict.copy()
    for name in ("export", "page"):
        query.pop(name, None)
    query["export"] = kind
    return query.urlencode()


def plain(value):
    """A cell as the file holds it: numbers and dates as they are, text without the page's markup
    (`<bdi>` around a name, a muted span) and with its entities read back (&amp; is &)."""
    if isinstance(value, str):
        return html.unescape(strip_tags(value)).strip()
    return value


class ExportMixin:
    export_name = "export"
    # Columns of the table the file leaves out (links and buttons, say).
    export_exclude: tuple[str, ...] = ()

    def get(self, request, *args, **kwargs):
        kind = request.GET.get("export")
        if kind in FORMATS:
            return self.export(kind)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["export_csv"] = "?" + export_query(self.request.GET, "csv")
        context["export_xlsx"] = "?" + export_query(self.request.GET, "xlsx")
        return context

    def export_queryset(self):
        """The rows under the page's filters, as FilterView computes them for the page."""
        filterset_class = self.get_filterset_class()
        self.filterset = self.get_filterset(filterset_class)
        if not self.filterset.is_bound or self.filterset.is_valid() or not self.get_strict():
            return self.filterset.qs
        return self.filterset.queryset.none()

    def export_rows(self) -> tuple[list, list]:
        self.object_list = self.export_queryset()
        table = self.get_table(**self.get_table_kwargs())
        values = [[plain(cell) for cell in row] for row in table.as_values(exclude_columns=self.export_exclude)]
        return values[0], values[1:]

    def export(self, kind: str) -> HttpResponse:
        header, rows = self.export_rows()
        title = str(getattr(self.get_table_class(), "label", "") or self.export_name)
        if kind == "csv":
            content = csv_bytes(header, rows)
        else:
            content = xlsx_bytes(header, rows, title=title, right_to_left=get_language_bidi())
        name = f"{slugify(self.export_name) or 'export'}-{timezone.localdate().isoformat()}.{kind}"
        response = HttpResponse(content, content_type=FORMATS[kind])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
