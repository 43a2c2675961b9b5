"""A picture of a report's first page for the README: `make screenshots`.

Builds the global coordination overview of the year from the configured
database (with reference and demo data loaded) in the given language, as the
report job does, and turns its first page into a PNG with Debian's `pdftoppm`
(poppler-utils): docs/screenshots/report-zh.png by default.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from reports.builders import build
from reports.models import ReportRun
from reports.renderers import render


class Command(BaseCommand):
    help = "Render page 1 of the global overview PDF in a language to a PNG (needs pdftoppm)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="docs/screenshots")
        parser.add_argument("--language", default="zh-hans")
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--page", type=int, default=1)
        parser.add_argument("--dpi", type=int, default=80)

    def handle(self, *args, output, language, year, page, dpi, **options):
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is None:
            raise CommandError("pdftoppm is missing: install Debian's poppler-utils.")
        run = ReportRun(kind=ReportRun.Kind.GLOBAL, format="pdf", year=year or timezone.localdate().year)
        run.created_at = timezone.now()
        name = f"report-{language.split('-')[0]}"
        Path(output).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as folder:
            pdf = Path(folder) / "report.pdf"
            with translation.override(language), pdf.open("wb") as out:
                render(build(run), "pdf", out)
            subprocess.run(  # noqa: S603 - a fixed program and our own arguments
                [pdftoppm, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                 str(Path(output) / name)],
                check=True,
            )  # fmt: skip
        self.stdout.write(f"{Path(output) / name}.png")
