"""Renderers: a Report (reports/document.py) into a binary file object, one module per format."""

from collections.abc import Callable
from typing import BinaryIO

from ..document import Report
from . import csv, pdf, xlsx

RENDERERS: dict[str, Callable[[Report, BinaryIO, Callable[[float], None]], None]] = {
    "pdf": pdf.render,
    "xlsx": xlsx.render,
    "csv": csv.render,
}

# By the file's extension (ReportRun.file_extension): a CSV report is a ZIP of CSV files; one
# made before they were zipped is a single .csv.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "csv": "text/csv",
    "xml": "application/xml",
}


def render(report: Report, fmt: str, out: BinaryIO, progress: Callable[[float], None] = lambda fraction: None):
    RENDERERS[fmt](report, out, progress)
