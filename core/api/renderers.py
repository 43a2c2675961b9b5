"""CSV for API answers, with Python's csv module (replaces djangorestframework-csv).

Byte for byte what djangorestframework-csv 3.0.2 wrote, so a client sees no
change: rows are dictionaries (nested ones flattened into `a.b` / `a.0`
columns), columns come from `header` (or, without one, the sorted keys of all
rows), `labels` renames header cells, None is an empty cell, lines end in CRLF,
UTF-8 without a byte-order mark. `bom = True` (on a subclass, or "bom" in the
renderer context) starts the file with a UTF-8 BOM, which Excel needs to read
accents correctly.

`CSVStreamingRenderer` yields the file a line at a time (pass it a generator of
rows); `CSVRenderer` returns it whole.
"""

import codecs
import csv
from collections.abc import Iterator
from types import GeneratorType

from django.conf import settings
from rest_framework.renderers import BaseRenderer

from core.spreadsheets import inert_text


class _Line:
    """A file for csv.writer that hands back each line instead of storing it."""

    def write(self, value):
        return value


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    level_sep = "."
    header: list[str] | None = None
    labels: dict[str, str] | None = None
    writer_opts: dict | None = None
    bom = False

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        context = renderer_context or {}
        encoding = context.get("encoding", settings.DEFAULT_CHARSET)
        return self.bom_for(context, encoding) + "".join(self.text_lines(data, context)).encode(encoding)

    def bom_for(self, context, encoding) -> bytes:
        return codecs.BOM_UTF8 if context.get("bom", self.bom) and encoding == settings.DEFAULT_CHARSET else b""

    def text_lines(self, data, context) -> Iterator[str]:
        """The file as text, a line at a time (a list or generator of rows; anything else is one row)."""
        if not isinstance(data, list | GeneratorType):
            data = [data]
        writer = csv.writer(_Line(), **context.get("writer_opts", self.writer_opts or {}))
        header, labels = context.get("header", self.header), context.get("labels", self.labels)
        for row in self.tablize(data, header=header, labels=labels):
            yield writer.writerow(row)

    def tablize(self, data, header=None, labels=None):
        """The header row, then one row per item; without a header, every item is read first to find the columns."""
        if not header and hasattr(data, "header"):
            header = data.header
        if data:
            data = (self.flatten_item(item) for item in data)
            if not header:
                data = tuple(data)
                header = sorted({key for item in data for key in item})
            yield [labels.get(x, x) for x in header] if labels else header
            for item in data:
                # User text that starts like a formula stays text (core.spreadsheets).
                yield [inert_text(item.get(key)) for key in header]
        elif header:
            yield [labels.get(x, x) for x in header] if labels else header

    def flatten_item(self, item) -> dict:
        """One level deep: {"a": {"b": 1}, "c": [2]} -> {"a.b": 1, "c.0": 2}."""
        if isinstance(item, list):
            pairs = ((str(index), value) for index, value in enumerate(item))
        elif isinstance(item, dict):
            pairs = ((str(key), value) for key, value in item.items())
        else:
            return {"": item}
        flat = {}
        for prefix, value in pairs:
            for key, cell in self.flatten_item(value).items():
                flat[self.level_sep.join([prefix, key]) if key else prefix] = cell
        return flat


class CSVStreamingRenderer(CSVRenderer):
    """For long files: Django sends the lines as they are written."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        encoding = context.get("encoding", settings.DEFAULT_CHARSET)
        if bom := self.bom_for(context, encoding):
            yield bom
        for line in self.text_lines(data, context):
            yield line.encode(encoding)
