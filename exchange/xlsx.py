"""Reading and writing the spreadsheets people upload and download, safely.

Reading: an uploaded file is checked before openpyxl parses it, and every refusal is a translated
sentence saying what to do:
- not an XLSX at all (a CSV, a PDF, an old .xls), or a macro-enabled workbook (.xlsm, a vbaProject);
- a password-protected workbook (an encrypted OOXML file is an OLE container with an EncryptedPackage);
- a zip bomb: the sizes the ZIP directory declares are checked (in total, per entry, and their ratio to
  the compressed size) before anything is decompressed, and no more than declared is ever read;
- too many rows: rows are read one by one (openpyxl's read-only mode) and reading stops past the limit.
openpyxl parses the XML with defusedxml (installed), so entity expansion attacks fail too.

Writing: user text that starts like a formula is written as text (core.spreadsheets), never as one.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.cell.cell import TYPE_FORMULA, TYPE_STRING

from core.spreadsheets import starts_like_formula

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MACRO_PARTS = ("xl/vbaproject.bin", "xl/vbaprojectsignature.bin")
MACRO_CONTENT_TYPE = b"application/vnd.ms-excel.sheet.macroenabled"


class FileRefused(Exception):
    """The file as a whole cannot be read: nothing of it is previewed or saved."""

    def __init__(self, message: str, cell: str = ""):
        super().__init__(message)
        self.message, self.cell = message, cell


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def read_upload(upload) -> bytes:
    """An uploaded file's bytes, refused before reading it into memory when it is too large."""
    max_bytes = limit("EXCHANGE_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    if upload.size > max_bytes:
        raise FileRefused(
            _("The file is %(size)s MB; files up to %(max)s MB are accepted.")
            % {"size": round(upload.size / 1024 / 1024, 1), "max": max_bytes // 1024 // 1024}
        )
    return upload.read()


def check_container(data: bytes, file_name: str = "") -> None:
    """Refuse what is not a plain XLSX workbook, before any XML is parsed."""
    max_bytes = limit("EXCHANGE_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    if len(data) > max_bytes:
        raise FileRefused(
            _("The file is %(size)s MB; files up to %(max)s MB are accepted.")
            % {"size": round(len(data) / 1024 / 1024, 1), "max": max_bytes // 1024 // 1024}
        )
    if file_name.lower().endswith((".xlsm", ".xltm", ".xlsb")):
        raise FileRefused(
            _(
                "Macro-enabled workbooks are not accepted: save the file as an Excel Workbook (.xlsx) "
                "and upload it again."
            )
        )
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise FileRefused(
                _(
                    "The workbook is protected by a password: remove the password in Excel (File, Info, Protect "
                    "Workbook) and upload it again."
                )
            )
        raise FileRefused(
            _("This is an old Excel 97-2003 file (.xls): save it as an Excel Workbook (.xlsx) and upload it again.")
        )
    if not data.startswith(ZIP_MAGIC):
        raise FileRefused(_("This is not an Excel workbook (.xlsx). Download the template, fill it in and upload it."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileRefused(_("The file is damaged or not an Excel workbook (.xlsx).")) from None
    names = {entry.filename.lower() for entry in entries}
    if "[content_types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRefused(_("This is not an Excel workbook (.xlsx). Download the template, fill it in and upload it."))
    if names & set(MACRO_PARTS) or MACRO_CONTENT_TYPE in _read_small(archive, "[Content_Types].xml").lower():
        raise FileRefused(
            _(
                "Macro-enabled workbooks are not accepted: save the file as an Excel Workbook (.xlsx) "
                "and upload it again."
            )
        )
    max_total = limit("EXCHANGE_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
    max_ratio = limit("EXCHANGE_MAX_COMPRESSION_RATIO", 200)
    if len(entries) > 2000 or sum(entry.file_size for entry in entries) > max_total:
        raise FileRefused(
            _("The workbook unpacks to more than %(max)s MB: it is refused.") % {"max": max_total // 2**20}
        )
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > max_ratio * max(entry.compress_size, 1):
            raise FileRefused(_("The workbook is compressed to an implausible degree (a “zip bomb”): it is refused."))


def _read_small(archive: zipfile.ZipFile, name: str, most: int = 256 * 1024) -> bytes:
    try:
        with archive.open(name) as handle:
            return handle.read(most)
    except KeyError:
        return b""


def open_workbook(data: bytes, file_name: str = ""):
    """The workbook in read-only mode, after check_container; FileRefused when it cannot be read."""
    from openpyxl import load_workbook

    check_container(data, file_name)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for damaged parts
        raise FileRefused(_("The file is damaged or not an Excel workbook (.xlsx).")) from None


@dataclass
class SheetCell:
    """What one uploaded cell holds, as read: its value, and whether it was a formula."""

    coordinate: str
    value: object
    formula: bool = False


def read_rows(sheet, max_rows: int, max_columns: int = 60):
    """The sheet's rows as lists of SheetCell, from the first; FileRefused past `max_rows` data rows."""
    rows = []
    for index, row in enumerate(sheet.iter_rows(max_col=max_columns), start=1):
        if index > max_rows + 1:  # the header plus max_rows
            raise FileRefused(
                _("The sheet has more than %(max)s rows: import at most %(max)s rows at a time.")
                % {"max": f"{max_rows:,}"}
            )
        cells = []
        for position, cell in enumerate(row, start=1):
            value = getattr(cell, "value", None)
            data_type = getattr(cell, "data_type", None)
            coordinate = f"{_column_letter(position)}{index}"
            cells.append(SheetCell(coordinate, value, formula=data_type == TYPE_FORMULA))
        rows.append(cells)
    return rows


def _column_letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position)


# --- writing ---------------------------------------------------------------------------------------


def put(cell, value) -> None:
    """Write `value` into an openpyxl cell; text that starts like a formula stays text."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    cell.value = value
    if isinstance(value, str) and starts_like_formula(value):
        cell.data_type = TYPE_STRING
