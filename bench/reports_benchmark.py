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


def measure_one(fmt: str, year: int, trace: bool) -> dict:
    """Build one global report in this process; print what it cost."""
    from reports.jobs import claim, produce
    from reports.models import ReportRun

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
    print(json.dumps(measure_one(args.one, args.year, args.trace)))


def run_child(fmt: str, year: int, trace: bool, media_root: str) -> dict:
    command = [sys.executable, __file__, "--one", fmt, "--year", str(year), "--media-root", media_root]
    if trace:
        command.append("--trace")
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
            timed = run_child(fmt, year, trace=False, media_root=media_root)
            traced = run_child(fmt, year, trace=True, media_root=media_root)
            if timed["status"] != "done" or traced["status"] != "done":
                raise SystemExit(f"The {fmt} report failed: {timed['error'] or traced['error']}")
            rows.append((countries, size, timed, traced))

    print()
    print(
        f"Global coordination overview {year}, {connection.vendor}, demo data of {args.years} years (seed {args.seed})"
    )
    header = (
        f"{'countries':>9} {'activities':>10} {'format':>6} {'time (s)':>9} {'CPU (s)':>8} {'peak RSS (MiB)':>15} "
        f"{'RSS growth (MiB)':>17} {'peak heap (MiB)':>16} {'file (KiB)':>11} {'pages':>6}"
    )
    print(header)
    print("-" * len(header))
    for countries, size, timed, traced in rows:
        growth = timed["rss_peak_mib"] - timed["rss_before_mib"]
        print(
            f"{countries:>9} {size['activities']:>10,} {timed['format']:>6} {timed['seconds']:>9.2f} "
            f"{timed['cpu_seconds']:>8.2f} "
            f"{timed['rss_peak_mib']:>15.1f} {growth:>17.1f} {traced['heap_peak_mib']:>16.1f} "
            f"{timed['file_kib']:>11.0f} {timed['pages'] or '':>6}"
        )


if __name__ == "__main__":
    main()
