#!/usr/bin/env python
"""How long the Excel import of a 500-row workplan takes to preview (and to confirm).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unnutrition_bench python bench/import_preview.py --rows 500

Works on a migrated database with the reference data loaded (`manage.py migrate`, then
`manage.py load_reference_data`). It makes a bench team and workplan of `--rows` activities (with
agencies, SDG targets and provinces), exports the template, edits every row in openpyxl (a new title,
another SDG target) and adds `--new` rows, then times, over `--repeat` runs, the upload's preview
(exchange.services.preview_workplan_import: read the file, judge every row, save the batch) with its
number of SQL statements, and once the confirmation (every row through workplans.services). Everything
it made is removed at the end (one transaction, rolled back).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unnutrition.settings")


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--new", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    import datetime as dt

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from openpyxl import load_workbook

    from accounts.models import User
    from agencies.models import Agency
    from countries.models import Country, Subdivision
    from exchange import services, workplan_sheet
    from teams.models import Team
    from workplans.models import ActionArea, Activity, SdgTarget, Workplan

    column = {c.key: i for i, c in enumerate(workplan_sheet.COLUMNS, start=1)}
    try:
        with transaction.atomic():
            # A country without a team (one country team per country), with provinces.
            country = Country.objects.filter(teams__isnull=True, subdivisions__isnull=False).order_by("name").first()
            team = Team.objects.create(kind=Team.Kind.COUNTRY, country=country, name="Import benchmark team")
            user = User.objects.create_user(username="import-bench", password="x" * 20, is_secretariat=True)
            workplan = Workplan.objects.create(team=team, year=2026)
            agencies = list(Agency.objects.filter(acronym__in=["FAO", "UNICEF", "WFP", "WHO"]))
            targets = list(SdgTarget.objects.filter(code__in=["2.1", "2.2", "3.2"]))
            provinces = list(Subdivision.objects.filter(country=country)[:3])
            area = ActionArea.objects.first()
            for n in range(args.rows):
                activity = Activity.objects.create(
                    workplan=workplan,
                    title=f"Activity {n}",
                    action_area=area,
                    lead_agency=agencies[n % 4],
                    is_national=False,
                    start_date=dt.date(2026, 2, 1),
                    end_date=dt.date(2026, 11, 30),
                    budget_required=10000 + n,
                )
                activity.participating_agencies.set([agencies[(n + 1) % 4]])
                activity.sdg_targets.set(targets[:2])
                activity.subdivisions.set(provinces[: 1 + n % 3])
            started = time.perf_counter()
            book = load_workbook(io.BytesIO(workplan_sheet.template(workplan)))
            export_seconds = time.perf_counter() - started
            sheet = book.worksheets[0]
            for row in range(2, args.rows + 2):
                sheet.cell(row=row, column=column["title"], value=f"Activity {row}, revised")
                sheet.cell(row=row, column=column["sdg_targets"], value="2.1; 2.2; 3.2")
            for row in range(args.rows + 2, args.rows + 2 + args.new):
                for key, value in {
                    "title": f"New activity {row}",
                    "action_area": str(area),
                    "lead_agency": "WFP",
                    "start_date": dt.date(2026, 3, 1),
                    "end_date": dt.date(2026, 9, 30),
                    "budget_required": 5000,
                }.items():
                    sheet.cell(row=row, column=column[key], value=value)
            output = io.BytesIO()
            book.save(output)
            data = output.getvalue()
            timings, statements = [], 0
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    batch = services.preview_workplan_import(
                        workplan=workplan, user=user, file_name="bench.xlsx", data=data
                    )
                    timings.append(time.perf_counter() - started)
                statements = len(queries.captured_queries)
            assert batch.changed_count == args.rows and batch.created_count == args.new, batch.preview[:3]
            started = time.perf_counter()
            services.confirm_import(pk=batch.pk, user=user)
            confirm_seconds = time.perf_counter() - started
            print(
                f"workplan of {args.rows} activities, file of {len(data) / 1024:.0f} KiB "
                f"({args.rows} rows changed, {args.new} new)"
            )
            print(f"export (template): {export_seconds:.2f} s")
            print(
                f"preview: median {statistics.median(timings):.2f} s, best {min(timings):.2f} s "
                f"over {args.repeat} runs, {statements} SQL statements"
            )
            print(f"confirm (every row through workplans.services): {confirm_seconds:.2f} s")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
