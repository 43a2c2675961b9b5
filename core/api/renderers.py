"""The API's renderers: JSON with orjson, and CSV with Python's csv module.

JSONRenderer: DRF's JSON renderer, encoding with orjson (about five times faster
than the json module: a page of 500 activities spent about 4 ms of CPU in
json.dumps) into the same bytes as DRF for what the API returns; dates, times,
decimals, lazy translations and anything else orjson does not know go through
DRF's own encoder, so they read exactly as before. A client that asks for
indentation (`Accept: application/json; indent=4`) gets DRF's rendering.

CSVRenderer replaces djangorestframework-csv.

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

import orjson
from django.conf import settings
from rest_framework import renderers
from rest_framework.renderers import BaseRenderer
from rest_framework.utils.encoders import JSONEncoder

from core.spreadsheets import inert_text

# Datetimes, dates and times to DRF's encoder (its ISO format: milliseconds, "Z" for UTC); integer
# keys as text, as the json module writes them.
ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_encoder = JSONEncoder()


def json_bytes(data) -> bytes:
    """`data` as compact UTF-8 JSON, as DRF's JSONRenderer writes it by default (orjson.JSONEncodeError
    for what orjson cannot write: integers beyond 64 bits, nesting deeper than 255)."""
    rendered = orjson.dumps(data, default=_encoder.default, option=ORJSON_OPTIONS)
    if b"\xe2\x80" in rendered:
        # Line and paragraph separators escaped, as DRF does, so the JSON is also valid JavaScript.
        rendered = rendered.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    return rendered


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}) is None:
            try:
                return json_bytes(data)
            except orjson.JSONEncodeError:
                pass  # DRF's encoder knows it (or raises its own error)
        return super().render(data, accepted_media_type, renderer_context)


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
