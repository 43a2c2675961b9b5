from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from unnutrition.backup import BackupError, restore, row_counts


class Command(BaseCommand):
    help = (
        "Replace the database and media files with a backup made by `manage.py backup`, "
        "checking every row count and every media file (size and SHA-256) against its manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The backup folder (contains manifest.json).")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, folder, yes, **options):
        if not (Path(folder) / "manifest.json").exists():
            raise CommandError(f"{folder} is not a backup folder: no manifest.json in it.")
        if not yes and input("This replaces the current database and media files. Type 'yes': ") != "yes":
            raise CommandError("Restore cancelled.")
        try:
            manifest = restore(Path(folder))
        except BackupError as exc:
            raise CommandError(f"Nothing restored: {exc}") from exc
        now = row_counts()
        differ = {label: (rows, now.get(label)) for label, rows in manifest["rows"].items() if now.get(label) != rows}
        if differ:
            raise CommandError(f"Restored, but row counts differ from the backup: {differ}")
        files = manifest.get("media")
        if files is None:
            self.stderr.write(
                self.style.WARNING("This backup's manifest does not list the media files: they were not checked.")
            )
            checked = "media files unchecked"
        else:
            checked = f"{len(files)} media files (size and SHA-256 checked)"
        self.stdout.write(self.style.SUCCESS(f"Restored {sum(now.values())} rows and {checked} from {folder}"))
