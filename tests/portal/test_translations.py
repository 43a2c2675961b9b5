"""Every string of the interface is translated into the five other UN languages."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from unnutrition.management.commands.update_messages import IGNORE, LANGUAGES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language):
    catalogue = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    for entry in catalogue:
        if entry.msgid_plural:
            assert all(entry.msgstr_plural.values()), entry.msgid


def test_catalogues_cover_every_interface_string(tmp_path):
    """Extract the strings afresh from a copy of the code and compare with the committed catalogues."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT, copy, ignore=shutil.ignore_patterns(*IGNORE, ".git", "locale", "*.sqlite3", "__pycache__", ".secret_key")
    )
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", *(f"--ignore={p}" for p in IGNORE)],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))}
    committed = {e.msgid for e in polib.pofile(str(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"))}
    missing = sorted(fresh - committed)
    assert not missing, f"{len(missing)} strings not in the catalogues (run `make messages`): {missing[:10]}"
