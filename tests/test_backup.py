"""Back up, wipe the database and the media files, restore, and find every record again."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
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
    settings.MEDIA_ROOT = str(tmp_path / "media")
    load_reference_data()
    generate_demo_data(countries=3, years=1, seed=8)
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    tor = TermsOfReference.objects.get(team=cambodia)
    tor.document.save("tor-2026.txt", ContentFile(b"ToR text"))
    before = row_counts()
    activities = sorted(Activity.objects.values_list("id", "title", "budget_required", "status"))
    assert before["workplans.Activity"] > 50

    call_command("backup", "--output", str(tmp_path / "backups"))
    folder = next((tmp_path / "backups").iterdir())
    assert {p.name for p in folder.iterdir()} >= {"manifest.json", "media.tar.gz"}

    wipe_database()
    import shutil

    shutil.rmtree(settings.MEDIA_ROOT)
    with pytest.raises(DatabaseError), transaction.atomic():
        Agency.objects.count()

    call_command("restore", str(folder), "--yes")
    assert "Restored" in capsys.readouterr().out
    assert row_counts() == before
    assert sorted(Activity.objects.values_list("id", "title", "budget_required", "status")) == activities
    restored = TermsOfReference.objects.get(team__name="UN Nutrition Cambodia")
    assert Path(restored.document.path).read_bytes() == b"ToR text"


def test_restore_refuses_a_folder_without_a_manifest(tmp_path):
    with pytest.raises(Exception, match="not a backup folder"):
        call_command("restore", str(tmp_path), "--yes")
