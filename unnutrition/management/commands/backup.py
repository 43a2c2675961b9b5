from pathlib import Path

from django.core.management.base import BaseCommand

from unnutrition.backup import backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump, or the SQLite file) and the media files into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="backups", help="Folder that receives the backup folder.")

    def handle(self, *args, output, **options):
        folder = backup(Path(output))
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
