"""Load test on loopback: gunicorn + PostgreSQL, 20 concurrent API clients for 60 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unnutrition_bench python bench/load_test.py

Loads `generate_demo_data --countries 200 --years 5` if the database does not
have it, starts gunicorn on a free local port, runs locust headless against
the roster list and the dashboard summary, and prints requests per second,
p50/p95/p99 latency and the error count per endpoint. Exits non-zero on any
error. Traffic goes to 127.0.0.1 only, bounded in users and time.
"""

import argparse
import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unnutrition.settings")


def prepare(regenerate: bool) -> str:
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
    call_command("migrate", verbosity=0)
    load_reference_data()
    if regenerate or Team.objects.filter(is_demo=True).count() != 200:
        print("Generating demo data: 200 countries x 5 years ...", flush=True)
        generate_demo_data(countries=200, years=5, seed=42)
    user, _ = User.objects.get_or_create(username="load-test", defaults={"is_secretariat": True})
    AuthToken.objects.filter(user=user).delete()
    return AuthToken.objects.create(user)[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    token = prepare(args.regenerate)
    port = free_port()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "LOAD_TEST_TOKEN": token, "API_THROTTLE_RATE": "1000000/hour", "DJANGO_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(bin_dir / "gunicorn"), "unnutrition.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.5)
        with tempfile.TemporaryDirectory() as tmp:
            prefix = Path(tmp) / "load"
            subprocess.run(  # noqa: S603 - our own locust, fixed arguments
                [str(bin_dir / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                 "-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s",
                 "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
                cwd=ROOT, env=env, check=False,
            )  # fmt: skip
            with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
                rows = list(csv.DictReader(stats))
    finally:
        server.terminate()
        server.wait(timeout=20)

    print(f"\nLoad test: {args.users} clients, {args.seconds} s, gunicorn {args.workers} workers, PostgreSQL")
    print(f"{'endpoint':<22}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    errors = 0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        errors += int(row["Failure Count"]) if name == "all" else 0
        print(
            f"{name:<22}{row['Request Count']:>10}{float(row['Requests/s']):>9.1f}{row['50%']:>9}{row['95%']:>9}"
            f"{row['99%']:>9}{row['Failure Count']:>8}"
        )
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
