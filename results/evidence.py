"""Evidence files: what is accepted, judged by the file's content, never by its name alone.

A file's name says what it claims to be (its extension); its first bytes say what it is
(`filetype`, a pure-Python reader of file signatures). Office Open XML and OpenDocument
files are ZIP archives: their parts are read to tell a Word document from a workbook or
from any other archive. Text files (CSV, TXT) have no signature: they must decode as UTF-8
and hold no NUL byte. A file that is not what its name says, or is too big, is refused
with a message naming it, and nothing is stored.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEAD = 8192


@dataclass(frozen=True)
class Kind:
    media_type: str
    label: object  # lazy: translated when a message is made


PDF = Kind("application/pdf", gettext_lazy("PDF document"))
JPEG = Kind("image/jpeg", gettext_lazy("JPEG image"))
PNG = Kind("image/png", gettext_lazy("PNG image"))
WEBP = Kind("image/webp", gettext_lazy("WebP image"))
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", gettext_lazy("Word document"))
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", gettext_lazy("Excel workbook"))
PPTX = Kind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", gettext_lazy("PowerPoint presentation")
)
ODT = Kind("application/vnd.oasis.opendocument.text", gettext_lazy("OpenDocument text"))
ODS = Kind("application/vnd.oasis.opendocument.spreadsheet", gettext_lazy("OpenDocument spreadsheet"))
ODP = Kind("application/vnd.oasis.opendocument.presentation", gettext_lazy("OpenDocument presentation"))
CSV = Kind("text/csv", gettext_lazy("CSV table"))
TEXT = Kind("text/plain", gettext_lazy("text file"))

# Extension -> what the content must be.
ACCEPTED = {
    "pdf": PDF,
    "jpg": JPEG,
    "jpeg": JPEG,
    "png": PNG,
    "webp": WEBP,
    "docx": DOCX,
    "xlsx": XLSX,
    "pptx": PPTX,
    "odt": ODT,
    "ods": ODS,
    "odp": ODP,
    "csv": CSV,
    "txt": TEXT,
}

# filetype's media type -> ours, for what its signatures recognise.
SIGNATURES = {"application/pdf": PDF, "image/jpeg": JPEG, "image/png": PNG, "image/webp": WEBP}

# The part an Office Open XML package must hold to be this kind of document.
OOXML_PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml", PPTX: "ppt/presentation.xml"}
# An OpenDocument package starts with a `mimetype` entry naming its kind.
ODF_TYPES = {kind.media_type: kind for kind in (ODT, ODS, ODP)}


def max_bytes() -> int:
    return settings.EVIDENCE_MAX_BYTES


def accepted_names() -> str:
    return ", ".join(sorted({f".{extension}" for extension in ACCEPTED}))


def clean_file_name(name: str) -> str:
    """The uploaded name without folders, control characters or characters file systems refuse."""
    name = unicodedata.normalize("NFC", os.path.basename(name.replace("\\", "/")))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"/\\|?*]', "_", name).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = stem[:150] or "file"
    return f"{stem}.{extension.lower()}" if extension else stem


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD)
    upload.seek(0)
    return head


def _zip_kind(upload) -> Kind | None:
    """An Office Open XML or OpenDocument package's kind, from its parts; None for any other archive."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                kind = ODF_TYPES.get(archive.read("mimetype")[:100].decode("ascii", "replace").strip())
                if kind is not None:
                    return kind
            if "[Content_Types].xml" in names:
                for kind, part in OOXML_PARTS.items():
                    if part in names:
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    finally:
        upload.seek(0)
    return None


def _is_text(upload) -> bool:
    """UTF-8 (with or without a byte-order mark) and no NUL byte, read in chunks."""
    upload.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := upload.read(1 << 16):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def detect(upload) -> Kind | None:
    """What the file's content is, among the accepted kinds (None: none of them)."""
    head = _read_head(upload)
    guess = filetype.guess(head)
    if guess is not None:
        if guess.mime in SIGNATURES:
            return SIGNATURES[guess.mime]
        if guess.extension in ("zip", "docx", "xlsx", "pptx", "odt", "ods", "odp"):
            return _zip_kind(upload)
        return None
    if head[:4] == b"PK\x03\x04":
        return _zip_kind(upload)
    if _is_text(upload):
        return TEXT
    return None


def describe(upload) -> str:
    """What a refused file's content is, for the message."""
    head = _read_head(upload)
    guess = filetype.guess(head)
    if guess is not None:
        return _("a %(type)s file") % {"type": guess.extension.upper()}
    return _("not a document type we recognise")


def check_upload(upload) -> tuple[str, str, int]:
    """(clean name, media type, size) of an accepted upload; ValidationError naming the file otherwise."""
    name = clean_file_name(getattr(upload, "name", "") or "file")
    size = upload.size
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    if size == 0:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": name}})
    if size > max_bytes():
        raise ValidationError(
            {
                "file": _("%(name)s is %(size)s: files of up to %(limit)s are accepted.")
                % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(max_bytes())}
            }
        )
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    expected = ACCEPTED.get(extension)
    if expected is None:
        raise ValidationError(
            {
                "file": _("%(name)s: this type of file is not accepted. Accepted: %(types)s.")
                % {"name": name, "types": accepted_names()}
            }
        )
    found = detect(upload)
    if found == TEXT and expected == CSV:
        found = CSV
    if found != expected:
        raise ValidationError(
            {
                "file": _("%(name)s is not a %(expected)s: its content is %(found)s.")
                % {
                    "name": name,
                    "expected": expected.label,
                    "found": _("a %(type)s") % {"type": found.label} if found else describe(upload),
                }
            }
        )
    return name, expected.media_type, size
