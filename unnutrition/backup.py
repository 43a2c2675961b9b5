"""Backup and restore of the database and the uploaded files (media).

PostgreSQL is dumped with pg_dump's custom format and restored with
pg_restore; the embedded SQLite database is copied with SQLite's online
backup API. Media files go into a tar archive (paths relative to MEDIA_ROOT,
under `media/`). The manifest records how many rows each table had and every
media file's name, size and SHA-256, so a restore can be checked.

A restore unpacks and checks the files before it touches anything: a missing,
extra, truncated or altered file stops it, naming the file, with database and
media as they were. It then restores the database and replaces the contents
of the configured MEDIA_ROOT (whatever its name, a mount point too).
"""

import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core import versions


def _pg_env() -> dict:
    import os

    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args() -> list[str]:
    db = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is not installed (Debian: postgresql-client).")
    return path


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


class BackupError(Exception):
    """The backup cannot be restored as it is (the message names the file and what is wrong)."""


ARCHIVE_ROOT = "media"  # top folder inside media.tar.gz


class _HashingReader:
    """Reads a file for tarfile and hashes exactly the bytes that went into the archive."""

    def __init__(self, handle):
        self.handle, self.sha256, self.size = handle, hashlib.sha256(), 0

    def read(self, size=-1):
        chunk = self.handle.read(size)
        self.sha256.update(chunk)
        self.size += len(chunk)
        return chunk


def file_digest(path: Path) -> tuple[int, str]:
    """(size, SHA-256 hex) of a file."""
    sha256, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            sha256.update(chunk)
            size += len(chunk)
    return size, sha256.hexdigest()


STAGING_PREFIX = ".restore-"  # a restore unpacks into MEDIA_ROOT/.restore-*/ first


def _media_files(root: Path) -> list[Path]:
    """Every regular file under `root`, sorted (symbolic links are not uploads and are left out,
    as is what a restore is unpacking)."""
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink() and not p.relative_to(root).parts[0].startswith(STAGING_PREFIX)
    )


def _archive_media(media: Path, archive_path: Path) -> list[dict]:
    """Write media.tar.gz; returns the manifest entries (name, size, sha256) of what was archived."""
    entries = []
    with tarfile.open(archive_path, "w:gz") as archive:
        root = tarfile.TarInfo(ARCHIVE_ROOT)
        root.type, root.mode = tarfile.DIRTYPE, 0o755
        archive.addfile(root)
        for path in _media_files(media):
            name = path.relative_to(media).as_posix()
            info = archive.gettarinfo(path, arcname=f"{ARCHIVE_ROOT}/{name}")
            with path.open("rb") as handle:
                reader = _HashingReader(handle)
                archive.addfile(info, reader)
            entries.append({"name": name, "size": reader.size, "sha256": reader.sha256.hexdigest()})
    return entries


def backup(destination: Path) -> Path:
    """Write database, media and manifest into a new folder under `destination`."""
    folder = Path(destination) / timezone.now().strftime("unnutrition-%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=False)
    if connection.vendor == "postgresql":
        subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(folder / "database.dump"), *_pg_args()],
            check=True,
            env=_pg_env(),
        )
    else:
        target = sqlite3.connect(folder / "database.sqlite3")
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
    media = _archive_media(Path(settings.MEDIA_ROOT), folder / "media.tar.gz")
    manifest = {
        "created": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "rows": row_counts(),
        "media": media,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return folder


def verify_media(root: Path, expected: list[dict], *, full: bool = True) -> None:
    """Raise BackupError naming the first file under `root` that is missing, extra or differs from `expected`.

    Not `full`: only that each file is there with its size (after moving checked files into place).
    """
    found = {p.relative_to(root).as_posix(): p for p in _media_files(root)}
    listed = {entry["name"] for entry in expected}
    for entry in expected:
        path = found.get(entry["name"])
        if path is None:
            raise BackupError(f"Media file {entry['name']} is in the manifest but not in the restored files.")
        if not full:
            size, sha256 = path.stat().st_size, entry["sha256"]
        else:
            size, sha256 = file_digest(path)
        if size != entry["size"]:
            raise BackupError(
                f"Media file {entry['name']} has {size} bytes, the manifest says {entry['size']}: "
                "the archive is damaged."
            )
        if sha256 != entry["sha256"]:
            raise BackupError(
                f"Media file {entry['name']} differs from the backup (SHA-256 {sha256}, "
                f"the manifest says {entry['sha256']}): the archive is damaged."
            )
    extra = sorted(set(found) - listed)
    if full and extra:
        raise BackupError(f"Media file {extra[0]} is in media.tar.gz but not in the manifest.")


def _unpack_media(folder: Path, media: Path, expected: list[dict] | None) -> Path:
    """Unpack media.tar.gz into a fresh folder inside `media` (same file system) and check it; returns the folder
    holding the files."""
    media.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=media))
    try:
        with tarfile.open(folder / "media.tar.gz", "r:gz") as archive:
            archive.extractall(staging, filter="data")
        unpacked = staging / ARCHIVE_ROOT
        unpacked.mkdir(exist_ok=True)
        if expected is not None:
            verify_media(unpacked, expected)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _replace_media(media: Path, staging: Path) -> None:
    """Replace what is in `media` by the unpacked files. The folder itself stays (it may be a mount point)."""
    for entry in media.iterdir():
        if entry == staging:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for entry in (staging / ARCHIVE_ROOT).iterdir():
        entry.rename(media / entry.name)
    shutil.rmtree(staging)


def restore(folder: Path) -> dict:
    """Replace the database and media with the backup in `folder`; returns its manifest.

    Raises BackupError, before changing anything, when the media files do not match the manifest.
    """
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    if manifest["vendor"] != connection.vendor:
        raise ValueError(f"This backup is of a {manifest['vendor']} database, not {connection.vendor}.")
    media = Path(settings.MEDIA_ROOT)
    # Backups made before the manifest listed the files ("media" missing) are restored unchecked.
    staging = _unpack_media(folder, media, manifest.get("media"))
    try:
        if connection.vendor == "postgresql":
            connection.close()
            subprocess.run(  # noqa: S603 - fixed program, arguments from settings
                [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", *_pg_args(),
                 str(folder / "database.dump")],
                check=True,
                env=_pg_env(),
            )  # fmt: skip
        else:
            source = sqlite3.connect(folder / "database.sqlite3")
            connection.ensure_connection()
            source.backup(connection.connection)
            source.close()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _replace_media(media, staging)
    if manifest.get("media") is not None:
        verify_media(media, manifest["media"], full=False)
    # Every cached answer was built from the rows just replaced.
    versions.changed_everything()
    return manifest
