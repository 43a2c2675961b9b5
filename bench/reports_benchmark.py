#!/usr/bin/env python
"""Time and peak memory of the global coordination overview (PDF and XLSX) at benchmark size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unnutrition_reports_bench \\
        python bench/reports_benchmark.py --countries 200 --years 5 --seed 42

The database must be migrated with the reference data loaded (`make bench-reports`
does both). Demo data of the requested size is generated when the database does not
already hold it. Each measurement runs the report job's own code (reports.jobs:
claim, then produce: queries, rendering, the atomic write) in a fresh Python process,
so that the peak resident memory belongs to that report alone:

- time: wall-clock seconds of the job, without tracemalloc (which slows Python down), and the
  CPU seconds this process spent in it (PostgreSQL's work not included): on a busy machine
  the wall-clock time grows with the load, the CPU time much less;
- peak RSS: the process's peak resident memory during the job (VmHWM, reset just
  before it), and its growth over what the process held before the job;
- peak Python heap: tracemalloc's peak of Python allocations during the job, in a
  second run of the same job.

`--sizes 50 200` measures at several country counts, to show whether memory grows
with the data.

`--without results funding` measures each format twice, side by side in one run: the whole
report, then the same report without the joint results sections (reports.builders.results) and
the funding sections (reports.builders.funding); the difference is what those sections cost.
It also times those sections alone: their builders (queries and rows, no rendering), then the
sections rendered as PDF and XLSX on their own, less an empty report of the same format (least of
3 runs), which is steadier than the difference of two whole reports on a busy machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unnutrition.settings")


def setup_django(media_root: str | None = None):
    if media_root:
        os.environ["DJANGO_MEDIA_ROOT"] = media_root
    import django

    django.setup()


def memory_mib(field: str) -> float | None:
    """VmRSS (now) or VmHWM (peak) of this process from /proc, in MiB; None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def reset_peak() -> None:
    """Start the peak (VmHWM) afresh from the current RSS (Linux: "5" to clear_refs).

    ru_maxrss would not do: Linux carries it over from the parent through fork and
    exec, and the parent may have just generated the demo data.
    """
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mib() -> float:
    # Off Linux, ru_maxrss (KiB on Linux, bytes on macOS: only Linux is measured here).
    return memory_mib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Sections of the global overview that `--without` can leave out: name -> the overview's function.
OPTIONAL_SECTIONS = {"results": "results_sections", "funding": "funding_sections"}


def leave_out(sections: list[str]) -> None:
    """Build the global overview without these sections (in this measuring process only)."""
    from reports.builders import overview

    for name in sections:
        setattr(overview, OPTIONAL_SECTIONS[name], lambda *args, **kwargs: iter(()))


def measure_sections(year: int, names: list[str]) -> dict:
    """The builders of these sections alone: their queries and every row, without rendering."""
    import dataclasses

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.builders import context_for
    from reports.builders.funding import funding_sections
    from reports.builders.results import results_sections
    from reports.models import ReportRun
    from reports.selectors import Scope

    builders = {
        "results": lambda context: results_sections(context, Scope(), False),
        "funding": lambda context: funding_sections(context, Scope()),
    }
    context = context_for(ReportRun(kind="global", format="xlsx", year=year))
    out = {}
    for name in names:
        reset_peak()
        before = memory_mib("VmRSS") or peak_mib()
        tracemalloc.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        rows = tables = 0
        with CaptureQueriesContext(connection) as queries:
            for section in builders[name](context):
                tables += 1
                if dataclasses.is_dataclass(section) and hasattr(section, "rows"):
                    rows += sum(1 for _row in section.rows)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        heap_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        out[name] = {
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "queries": len(queries),
            "sections": tables,
            "rows": rows,
            "rss_growth_mib": peak_mib() - before,
            "heap_peak_mib": heap_peak,
        }
    out["rendered"] = measure_rendering(context, [builders[name] for name in names])
    return out


def measure_rendering(context, builders, repeat: int = 3) -> dict:
    """These sections rendered on their own (queries, rows and layout), less an empty report of the
    same format (the fonts, styles and cover every file has): the least of `repeat` runs each, as
    the fastest run is the one least slowed down by other work on the machine."""
    import io

    from django.utils import translation

    from reports.document import Report
    from reports.renderers import render

    def report(with_sections: bool) -> Report:
        def sections():
            if with_sections:
                for builder in builders:
                    yield from builder(context)

        return Report("Benchmark", "", sections, [], size=10)

    out = {}
    with translation.override("en"):
        for fmt in ("pdf", "xlsx"):
            cost = {}
            for with_sections in (False, True):
                cpu, wall = [], []
                for _ in range(repeat):
                    started, cpu_started = time.perf_counter(), time.process_time()
                    render(report(with_sections), fmt, io.BytesIO())
                    wall.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - cpu_started)
                tracemalloc.start()
                buffer = io.BytesIO()
                render(report(with_sections), fmt, buffer)
                heap = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
                cost[with_sections] = {"seconds": min(wall), "cpu_seconds": min(cpu), "heap_peak_mib": heap,
                                       "kib": len(buffer.getvalue()) / 1024}  # fmt: skip
            out[fmt] = {
                key: cost[True][key] - cost[False][key] for key in ("seconds", "cpu_seconds", "heap_peak_mib", "kib")
            }
    return out


def measure_one(fmt: str, year: int, trace: bool, without: list[str] | None = None) -> dict:
    """Build one global report in this process; print what it cost."""
    from reports.jobs import claim, produce
    from reports.models import ReportRun

    leave_out(without or [])

    run = ReportRun.objects.create(kind="global", format=fmt, year=year, dedupe_key=f"bench:{fmt}:{time.time_ns()}")
    try:
        claimed = claim(run.pk, "benchmark")
        reset_peak()
        before = memory_mib("VmRSS") or peak_mib()
        if trace:
            tracemalloc.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        produce(claimed)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        heap_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
        if trace:
            tracemalloc.stop()
        run.refresh_from_db()
        pages = None
        if fmt == "pdf":
            try:
                from pypdf import PdfReader

                pages = len(PdfReader(run.file.path).pages)
            except ImportError:  # pypdf is a development requirement
                pages = None
        return {
            "format": fmt,
            "status": run.status,
            "error": run.error,
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "rss_before_mib": before,
            "rss_peak_mib": peak_mib(),
            "heap_peak_mib": heap_peak,
            "file_kib": (run.file_size or 0) / 1024,
            "pages": pages,
        }
    finally:
        run.delete()


def data_size() -> dict:
    from teams.models import Team
    from workplans.models import Activity, ProgressUpdate, Workplan

    return {
        "demo_teams": Team.objects.filter(is_demo=True).count(),
        "workplans": Workplan.objects.count(),
        "activities": Activity.objects.count(),
        "progress_updates": ProgressUpdate.objects.count(),
        "years": sorted(set(Workplan.objects.filter(team__is_demo=True).values_list("year", flat=True))),
    }


def ensure_demo_data(countries: int, years: int, seed: int) -> dict:
    from django.utils import timezone

    from unnutrition.demo_data import generate_demo_data

    size = data_size()
    this_year = timezone.localdate().year
    wanted_years = list(range(this_year - years + 1, this_year + 1))
    if size["demo_teams"] != countries or size["years"] != wanted_years:
        print(f"Generating demo data: {countries} countries x {years} years (seed {seed}) ...", flush=True)
        started = time.perf_counter()
        generate_demo_data(countries=countries, years=years, seed=seed)
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
        size = data_size()
    return size


def child(args) -> None:
    setup_django(args.media_root)
    if args.one == "sections":
        print(json.dumps(measure_sections(args.year, args.without)))
        return
    print(json.dumps(measure_one(args.one, args.year, args.trace, args.without)))


def run_child(fmt: str, year: int, trace: bool, media_root: str, without: list[str] | None = None) -> dict:
    command = [sys.executable, __file__, "--one", fmt, "--year", str(year), "--media-root", media_root]
    if trace:
        command.append("--trace")
    if without:
        command += ["--without", *without]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(f"Measuring {fmt} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--sizes", type=int, nargs="*", help="several country counts, e.g. 50 200")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--formats", nargs="*", default=["pdf", "xlsx"], choices=["pdf", "xlsx", "csv"])
    parser.add_argument("--year", type=int, help="the report's year (default: this year)")
    parser.add_argument(
        "--without",
        nargs="*",
        choices=sorted(OPTIONAL_SECTIONS),
        help="also measure each format without these sections, side by side (e.g. results funding)",
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--media-root", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        child(args)
        return

    media_root = tempfile.mkdtemp(prefix="reports-bench-")
    setup_django(media_root)
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        print(f"Note: measuring on {connection.vendor}, not PostgreSQL (set DATABASE_URL).", flush=True)
    year = args.year or timezone.localdate().year
    rows = []
    for countries in args.sizes or [args.countries]:
        size = ensure_demo_data(countries, args.years, args.seed)
        connection.close()  # the children open their own connections
        for fmt in args.formats:
            # With --without: the whole report, then the same without those sections, one after the other.
            for without in [None, args.without] if args.without else [None]:
                timed = run_child(fmt, year, trace=False, media_root=media_root, without=without)
                traced = run_child(fmt, year, trace=True, media_root=media_root, without=without)
                if timed["status"] != "done" or traced["status"] != "done":
                    raise SystemExit(f"The {fmt} report failed: {timed['error'] or traced['error']}")
                timed["sections"] = "all" if not without else "without " + " and ".join(without)
                rows.append((countries, size, timed, traced))
        if args.without:
            sections_alone = json.loads(
                subprocess.run(  # noqa: S603
                    [sys.executable, __file__, "--one", "sections", "--year", str(year), "--media-root", media_root,
                     "--without", *args.without],
                    capture_output=True, text=True, check=True, cwd=ROOT,
                ).stdout.strip().splitlines()[-1]
            )  # fmt: skip

    print()
    print(
        f"Global coordination overview {year}, {connection.vendor}, demo data of {args.years} years (seed {args.seed})"
    )
    header = (
        f"{'countries':>9} {'activities':>10} {'format':>6} {'sections':>28} {'time (s)':>9} {'CPU (s)':>8} "
        f"{'peak RSS (MiB)':>15} {'RSS growth (MiB)':>17} {'peak heap (MiB)':>16} {'file (KiB)':>11} {'pages':>6}"
    )
    print(header)
    print("-" * len(header))
    for countries, size, timed, traced in rows:
        growth = timed["rss_peak_mib"] - timed["rss_before_mib"]
        print(
            f"{countries:>9} {size['activities']:>10,} {timed['format']:>6} {timed.get('sections', 'all'):>28} "
            f"{timed['seconds']:>9.2f} "
            f"{timed['cpu_seconds']:>8.2f} "
            f"{timed['rss_peak_mib']:>15.1f} {growth:>17.1f} {traced['heap_peak_mib']:>16.1f} "
            f"{timed['file_kib']:>11.0f} {timed['pages'] or '':>6}"
        )
    if args.without:
        print()
        print("The sections' builders alone (queries and every row, no rendering), at the last size:")
        rendered = sections_alone.pop("rendered")
        for name, cost in sections_alone.items():
            print(
                f"  {name}: {cost['sections']} sections, {cost['rows']:,} rows, {cost['queries']} SQL statements, "
                f"{cost['seconds']:.2f} s ({cost['cpu_seconds']:.2f} s CPU), "
                f"peak heap {cost['heap_peak_mib']:.1f} MiB, RSS growth {cost['rss_growth_mib']:.1f} MiB"
            )
        print(f"Rendered on their own ({' and '.join(args.without)}), over an empty report, least of 3 runs:")
        for fmt, cost in rendered.items():
            print(
                f"  {fmt}: +{cost['seconds']:.2f} s (+{cost['cpu_seconds']:.2f} s CPU), "
                f"+{cost['heap_peak_mib']:.1f} MiB peak heap, +{cost['kib']:.0f} KiB"
            )


if __name__ == "__main__":
    main()
