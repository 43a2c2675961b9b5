"""Backup and restore of the database and the uploaded files (media).

PostgreSQL is dumped with pg_dump's custom format and restored with
pg_restore; the embedded SQLite database is copied with SQLite's online
backup API. Media files go into a tar archive. A manifest records how many
rows each table had, so a restore can be checked.
"""

import json
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone


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
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname="media")
    manifest = {"created": timezone.now().isoformat(), "vendor": connection.vendor, "rows": row_counts()}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return folder


def restore(folder: Path) -> dict:
    """Replace the database and media with the backup in `folder`; returns its manifest."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    if manifest["vendor"] != connection.vendor:
        raise ValueError(f"This backup is of a {manifest['vendor']} database, not {connection.vendor}.")
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
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.rmtree(media)
    with tarfile.open(folder / "media.tar.gz", "r:gz") as archive:
        archive.extractall(media.parent, filter="data")
    return manifest
