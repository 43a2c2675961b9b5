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

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


def render(report: Report, fmt: str, out: BinaryIO, progress: Callable[[float], None] = lambda fraction: None):
    RENDERERS[fmt](report, out, progress)
