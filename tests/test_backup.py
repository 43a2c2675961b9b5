"""Back up, wipe the database and the media files, restore, and find every record again."""

import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from agencies.models import Agency
from teams.models import Team, TermsOfReference
from unnutrition.backup import row_counts
from unnutrition.demo_data import generate_demo_data
from unnutrition.reference_data.services import load_reference_data
from workplans.models import Activity

pytestmark = pytest.mark.django_db(transaction=True)


def wipe_database():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f'DROP TABLE "{table}"')


def test_backup_then_restore_after_a_wipe(tmp_path, settings, capsys):
    # Not a folder named "media": the restore must still land in it, not beside it.
    settings.MEDIA_ROOT = str(tmp_path / "srv" / "uploads")
    load_reference_data()
    generate_demo_data(countries=6, years=1, seed=8)
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    tor = TermsOfReference.objects.get(team=cambodia)
    tor.document.save("tor-2026.txt", ContentFile(b"ToR text"))
    before = row_counts()
    activities = sorted(Activity.objects.values_list("id", "title", "budget_required", "status"))
    assert before["workplans.Activity"] > 50

    call_command("backup", "--output", str(tmp_path / "backups"))
    folder = next((tmp_path / "backups").iterdir())
    assert {p.name for p in folder.iterdir()} >= {"manifest.json", "media.tar.gz"}
    files = {entry["name"]: entry for entry in json.loads((folder / "manifest.json").read_text())["media"]}
    assert files[tor.document.name] == {
        "name": tor.document.name,
        "size": 8,
        "sha256": hashlib.sha256(b"ToR text").hexdigest(),
    }

    wipe_database()
    shutil.rmtree(settings.MEDIA_ROOT)
    with pytest.raises(DatabaseError), transaction.atomic():
        Agency.objects.count()

    call_command("restore", str(folder), "--yes")
    assert f"{len(files)} media files (size and SHA-256 checked)" in capsys.readouterr().out
    assert row_counts() == before
    assert sorted(Activity.objects.values_list("id", "title", "budget_required", "status")) == activities
    restored = TermsOfReference.objects.get(team__name="UN Nutrition Cambodia")
    assert Path(restored.document.path).read_bytes() == b"ToR text"
    assert Path(restored.document.path).is_relative_to(settings.MEDIA_ROOT)
    assert sorted(p.name for p in (tmp_path / "srv").iterdir()) == ["uploads"]  # nothing extracted beside it
    assert not list(Path(settings.MEDIA_ROOT).glob(".restore-*"))


@pytest.fixture
def backed_up(tmp_path, settings):
    """A backup of a few records and two media files; returns its folder."""
    settings.MEDIA_ROOT = str(tmp_path / "uploads")
    load_reference_data()
    tor = TermsOfReference.objects.create(team=Team.objects.get(name="UN Nutrition Cambodia"), title="ToR 2026")
    tor.document.save("tor-2026.txt", ContentFile(b"ToR text"))
    (Path(settings.MEDIA_ROOT) / "reports").mkdir()
    (Path(settings.MEDIA_ROOT) / "reports" / "global.csv").write_bytes(b"a,b\r\n1,2\r\n")
    call_command("backup", "--output", str(tmp_path / "backups"))
    return next((tmp_path / "backups").iterdir())


def rewrite_archive(folder, change, extra=None):
    """Rebuild media.tar.gz with `change(name, data)` -> new data, or None to leave the file out; add `extra` files."""
    with tarfile.open(folder / "media.tar.gz") as archive:
        members = [(m, archive.extractfile(m).read() if m.isfile() else None) for m in archive.getmembers()]
    with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
        for member, data in members:
            if data is not None:
                data = change(member.name.removeprefix("media/"), data)
                if data is None:
                    continue
                member.size = len(data)
            archive.addfile(member, io.BytesIO(data) if data is not None else None)
        for name, data in (extra or {}).items():
            member = tarfile.TarInfo(f"media/{name}")
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda name, data: b"ToR TEXT" if name.endswith(".txt") else data, "differs from the backup"),
        (lambda name, data: data[:3] if name.endswith(".txt") else data, "has 3 bytes, the manifest says 8"),
        (lambda name, data: None if name.endswith(".txt") else data, "is in the manifest but not in"),
    ],
    ids=["altered", "truncated", "missing"],
)
def test_restore_refuses_damaged_media_and_changes_nothing(backed_up, settings, change, message):
    rewrite_archive(backed_up, change)
    TermsOfReference.objects.filter(title="ToR 2026").delete()  # a change since the backup, which must stay
    rows = row_counts()
    current = Path(settings.MEDIA_ROOT) / "reports" / "global.csv"
    current.write_bytes(b"newer")
    with pytest.raises(
        CommandError, match=r"Nothing restored: Media file terms_of_reference/tor-2026.*\.txt " + message
    ):
        call_command("restore", str(backed_up), "--yes")
    assert row_counts() == rows
    assert not TermsOfReference.objects.filter(title="ToR 2026").exists()
    assert current.read_bytes() == b"newer"
    assert not list(Path(settings.MEDIA_ROOT).glob(".restore-*"))


def test_restore_refuses_a_file_the_manifest_does_not_list(backed_up):
    rewrite_archive(backed_up, lambda name, data: data, extra={"planted.html": b"<img>"})
    with pytest.raises(CommandError, match="Media file planted.html is in media.tar.gz but not in the manifest"):
        call_command("restore", str(backed_up), "--yes")


def test_restore_replaces_the_media_folder_contents(backed_up, settings):
    media = Path(settings.MEDIA_ROOT)
    (media / "reports" / "global.csv").unlink()
    (media / "stale.pdf").write_bytes(b"not in the backup")
    call_command("restore", str(backed_up), "--yes")
    assert sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()) == [
        "reports/global.csv",
        TermsOfReference.objects.get(title="ToR 2026").document.name,
    ]
    assert (media / "reports" / "global.csv").read_bytes() == b"a,b\r\n1,2\r\n"


def test_restore_refuses_a_folder_without_a_manifest(tmp_path):
    with pytest.raises(Exception, match="not a backup folder"):
        call_command("restore", str(tmp_path), "--yes")
