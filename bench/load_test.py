"""Load test on loopback: gunicorn + PostgreSQL + Redis, 20 concurrent API clients for 60 s, reads and writes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unnutrition_bench REDIS_URL=redis://127.0.0.1:6379/0 \
        python bench/load_test.py

Loads `generate_demo_data --countries 200 --years 5` if the database does not
have it, starts gunicorn on a free local port, runs locust headless
(bench/locustfile.py: rosters, teams, workplans, the dashboard, 500 activities,
the roster CSV, half the repeat reads conditional, and 2 % writes that retire
the cached answers while they are measured), and prints per endpoint the
requests per second, p50/p95/p99 latency and errors; then the CPU time per
request of the server (gunicorn's processes plus the PostgreSQL backends of
this database) and of the load generator (locust), measured apart, and the
load average. Exits non-zero on any error. Traffic goes to 127.0.0.1 only,
bounded in users and time.
"""

import argparse
import contextlib
import csv
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unnutrition.settings")


def prepare(regenerate: bool) -> tuple[str, dict]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from knox.models import AuthToken

    from accounts.models import User
    from teams.models import Team
    from unnutrition.demo_data import generate_demo_data
    from unnutrition.reference_data.services import load_reference_data

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the load test measures the deployment, not SQLite.")
    if not os.environ.get("REDIS_URL"):
        # Each gunicorn worker would keep its own cache, and its own data versions: answers could be stale.
        sys.exit("Set REDIS_URL: several web processes share their cache (and its data versions) through Redis.")
    call_command("migrate", verbosity=0)
    load_reference_data()
    if regenerate or Team.objects.filter(is_demo=True).count() != 200:
        print("Generating demo data: 200 countries x 5 years ...", flush=True)
        generate_demo_data(countries=200, years=5, seed=42)
    user, _ = User.objects.get_or_create(username="load-test", defaults={"is_secretariat": True})
    AuthToken.objects.filter(user=user).delete()
    # What the clients poll: 20 teams, 20 of this year's workplans, 20 of their activities to write to.
    from django.utils import timezone

    from workplans.models import Activity, Workplan

    year = timezone.localdate().year
    teams = Team.objects.filter(is_demo=True).order_by("name").values_list("pk", flat=True)[:20]
    workplans = Workplan.objects.filter(year=year, team__is_demo=True).order_by("pk").values_list("pk", flat=True)
    activities = Activity.objects.filter(workplan__in=list(workplans[:20])).order_by("pk").values_list("pk", flat=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    env = {
        "LOAD_TEST_YEAR": str(year),
        "LOAD_TEST_TEAMS": ",".join(map(str, teams)),
        "LOAD_TEST_WORKPLANS": ",".join(map(str, workplans[:20])),
        "LOAD_TEST_ACTIVITIES": ",".join(map(str, activities[:20])),
    }
    return AuthToken.objects.create(user)[1], env


def cpu_seconds(processes) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def server_processes(server_pid: int, database: str):
    """gunicorn's master and workers, and the PostgreSQL backends connected to `database`."""
    from django.db import connection

    processes = [psutil.Process(server_pid), *psutil.Process(server_pid).children(recursive=True)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database])
        pids = [row[0] for row in cursor.fetchall()]
    for pid in pids:
        with contextlib.suppress(psutil.Error):  # PostgreSQL on another machine, or the backend just ended
            processes.append(psutil.Process(pid))
    return processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1)
    parser.add_argument(
        "--threads", type=int, default=1,
        help="threads per worker: more than 1 runs gunicorn's gthread workers, which keep connections alive",
    )  # fmt: skip
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--write-share", type=float, default=0.02, help="share of requests that write (0.02)")
    args = parser.parse_args()

    token, targets = prepare(args.regenerate)
    cpu_dir = tempfile.mkdtemp(prefix="load-cpu-")
    port = free_port()
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        **targets,
        "LOAD_TEST_TOKEN": token,
        "LOAD_TEST_WRITE_SHARE": str(args.write_share),
        "API_THROTTLE_RATE": "1000000/hour",
        "DJANGO_LOG_LEVEL": "WARNING",
        "LOAD_TEST_CPU_DIR": cpu_dir,
    }
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(bin_dir / "gunicorn"), "unnutrition.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--keep-alive", "5",
         "--log-level", "warning", "--config", str(ROOT / "bench" / "gunicorn_cpu.py")],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.5)
        # Warm up: every process builds its first answers (and imports) before the clock starts.
        for path in ("/api/v1/teams/?page_size=50", f"/api/v1/dashboard/summary/?year={targets['LOAD_TEST_YEAR']}"):
            for _ in range(args.workers):
                request = urllib.request.Request(  # noqa: S310 - loopback
                    f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Token {token}"}
                )
                urllib.request.urlopen(request, timeout=30).read()  # noqa: S310 - loopback
        from django.db import connection

        database = connection.settings_dict["NAME"]
        watched = server_processes(server.pid, database)
        server_before = {process.pid: cpu_seconds([process]) for process in watched}
        load_before = os.getloadavg()
        generator_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with tempfile.TemporaryDirectory() as tmp:
            prefix = Path(tmp) / "load"
            subprocess.run(  # noqa: S603 - our own locust, fixed arguments
                [str(bin_dir / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                 "-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s",
                 "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
                cwd=ROOT, env=env, check=False,
            )  # fmt: skip
            generator_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            load_after = os.getloadavg()
            # Backends opened during the run count from zero.
            watched = server_processes(server.pid, database)
            spent = {p.pid: cpu_seconds([p]) - server_before.get(p.pid, 0.0) for p in watched}
            server_cpu = sum(spent.values())
            gunicorn_pids = {server.pid, *(p.pid for p in psutil.Process(server.pid).children(recursive=True))}
            web_cpu = sum(cpu for pid, cpu in spent.items() if pid in gunicorn_pids)
            with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
                rows = list(csv.DictReader(stats))
    finally:
        server.terminate()
        server.wait(timeout=20)
    by_endpoint = endpoint_cpu(cpu_dir)

    print(
        f"\nLoad test {time.strftime('%Y-%m-%d %H:%M')}: {args.users} clients, {args.seconds} s, gunicorn "
        f"{args.workers} workers x {args.threads} threads, PostgreSQL and Redis on this machine "
        f"({os.cpu_count()} CPUs), {args.write_share:.0%} writes"
    )
    print(f"{'endpoint':<28}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>7}")
    errors = requests = 0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        if name == "all":
            errors, requests = int(row["Failure Count"]), int(row["Request Count"])
        print(
            f"{name:<28}{row['Request Count']:>9}{float(row['Requests/s']):>8.1f}{row['50%']:>8}{row['95%']:>8}"
            f"{row['99%']:>8}{row['Failure Count']:>7}"
        )
    generator_cpu = (generator_after.ru_utime + generator_after.ru_stime) - (
        generator_before.ru_utime + generator_before.ru_stime
    )
    per = max(requests, 1)
    print(
        f"\nCPU per request: server {server_cpu * 1000 / per:.2f} ms (gunicorn and this database's PostgreSQL "
        f"backends; Redis, shared with others, not counted), load generator {generator_cpu * 1000 / per:.2f} ms; "
        f"{server_cpu:.1f} + {generator_cpu:.1f} CPU s of the {args.seconds * (os.cpu_count() or 1)} the "
        f"machine had.\nLoad average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
        f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} (the machine is shared)."
    )
    print(
        f"Of the server's CPU: gunicorn {web_cpu * 1000 / per:.2f} ms per request, PostgreSQL "
        f"{(server_cpu - web_cpu) * 1000 / per:.2f} ms."
    )
    if by_endpoint:
        print("\nPython CPU in the worker per request, by endpoint and status (bench/gunicorn_cpu.py):")
        print(f"{'endpoint':<52}{'requests':>9}{'ms each':>9}{'share':>7}")
        measured = sum(cpu for _count, cpu in by_endpoint.values()) or 1
        for name, (count, cpu) in sorted(by_endpoint.items(), key=lambda item: -item[1][1]):
            print(f"{name:<52}{count:>9}{cpu * 1000 / count:>9.2f}{cpu / measured:>7.0%}")
    sys.exit(1 if errors else 0)


def endpoint_cpu(directory: str) -> dict[str, tuple[int, float]]:
    """{endpoint: (requests, CPU seconds)} summed over the workers' files (bench/gunicorn_cpu.py)."""
    import json

    totals: dict[str, list] = {}
    for path in Path(directory).glob("cpu-*.json"):
        for name, (count, cpu) in json.loads(path.read_text(encoding="utf-8")).items():
            total = totals.setdefault(name, [0, 0.0])
            total[0] += count
            total[1] += cpu
        path.unlink()
    with contextlib.suppress(OSError):
        os.rmdir(directory)
    return {name: (count, cpu) for name, (count, cpu) in totals.items()}


if __name__ == "__main__":
    main()
