import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from unnutrition.demo_data import generate_demo_data


class Command(BaseCommand):
    help = "Replace the demo teams, people, platforms, workplans and activities with a reproducible set."

    def add_arguments(self, parser):
        parser.add_argument("--countries", type=int, default=20, help="How many countries get a demo team.")
        parser.add_argument("--years", type=int, default=3, help="How many annual workplans per team.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same data.")
        parser.add_argument(
            "--as-of", type=dt.date.fromisoformat, default=None, help="Reference date, YYYY-MM-DD (default: today)."
        )

    def handle(self, *args, countries, years, seed, as_of, **options):
        if countries < 0 or not 1 <= years <= 30:
            raise CommandError("--countries must be 0 or more and --years between 1 and 30.")
        started = time.perf_counter()
        counts = generate_demo_data(countries=countries, years=years, seed=seed, as_of=as_of)
        elapsed = time.perf_counter() - started
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(f"{sum(counts.values())} rows in {elapsed:.1f} s")
