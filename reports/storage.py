"""Where report files live, and how they are written so that a job run twice leaves one file.

Each run has its own folder, MEDIA_ROOT/reports/<run id>/, and one file in it
with a name that depends only on the run (kind, year, format). A job writes to
a temporary file beside it and renames it into place: a job killed half-way
leaves at most a temporary file, which the next attempt removes, and an
attempt that finishes replaces the file instead of adding a second one.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from .models import FILE_EXTENSIONS

logger = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".part"


def file_name(run) -> str:
    """The run's file, relative to MEDIA_ROOT; fixed by the run's own fields."""
    extension = FILE_EXTENSIONS.get(run.format, run.format)
    return f"reports/{run.pk}/un-nutrition-{run.kind.replace('_', '-')}-{run.year}.{extension}"


def write_atomically(name: str, write: Callable[[BinaryIO], None]) -> tuple[str, int]:
    """Write the file `name` with `write(fileobj)`; returns the stored name and its size in bytes."""
    try:
        final = Path(default_storage.path(name))
    except NotImplementedError:
        return _write_through_storage(name, write)
    final.parent.mkdir(parents=True, exist_ok=True)
    for leftover in final.parent.glob(f".*{PARTIAL_SUFFIX}"):
        # Left by an attempt that was killed while writing.
        leftover.unlink(missing_ok=True)
    handle, partial = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=PARTIAL_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(partial, settings.FILE_UPLOAD_PERMISSIONS or 0o644)
        os.replace(partial, final)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return name, final.stat().st_size


def _write_through_storage(name: str, write: Callable[[BinaryIO], None]) -> tuple[str, int]:
    """For storages without local paths (object stores): put the finished file in one call."""
    with tempfile.TemporaryFile() as out:
        write(out)
        size = out.tell()
        out.seek(0)
        if default_storage.exists(name):
            default_storage.delete(name)
        return default_storage.save(name, File(out, name=os.path.basename(name))), size


def run_folder(run) -> str:
    """The run's own folder, relative to MEDIA_ROOT."""
    return os.path.dirname(file_name(run))


def delete_run_files(folder: str, name: str) -> None:
    """Remove a run's folder (its file and any leftover temporary file)."""
    try:
        path = Path(default_storage.path(folder))
    except NotImplementedError:
        if name:
            default_storage.delete(name)
        return
    # Only ever a run's own folder, MEDIA_ROOT/reports/<id>/.
    if path.parent == Path(default_storage.path("reports")) and path.name.isdigit() and path.exists():
        shutil.rmtree(path, ignore_errors=True)
