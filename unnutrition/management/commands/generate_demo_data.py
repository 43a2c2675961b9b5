import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from unnutrition.demo_data import generate_demo_data, reason_not_to_generate

REPLACE_WARNING = (
    "This deletes the demo teams, their people and accounts, and everything recorded on them (workplans, "
    "activities, progress reports, report runs about them), then generates new ones with new passwords. "
    "Records of other teams are kept."
)


class Command(BaseCommand):
    help = (
        "Generate reproducible demo data (teams in SUN programme countries, their people, platforms, workplans, "
        "activities, progress, demo accounts) into an empty database; with --replace, replace earlier demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--countries",
            type=int,
            default=20,
            help="How many demo teams: a country team in each programme country first, then regional and "
            "subnational groups.",
        )
        parser.add_argument("--years", type=int, default=3, help="How many annual workplans per team.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same data.")
        parser.add_argument(
            "--as-of", type=dt.date.fromisoformat, default=None, help="Reference date, YYYY-MM-DD (default: today)."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the earlier demo data (and what was recorded on it) and generate it again. "
            "Without it, nothing is generated unless the database is empty.",
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Do not ask before --replace."
        )

    def handle(self, *args, countries, years, seed, as_of, replace, interactive, **options):
        if countries < 0 or not 1 <= years <= 30:
            raise CommandError("--countries must be 0 or more and --years between 1 and 30.")
        if not replace:
            reason = reason_not_to_generate()
            if reason:
                self.stdout.write(
                    f"Demo data not generated: {reason}; nothing was changed. "
                    "`make demo-reset` (or this command with --replace) replaces the demo data."
                )
                return
        elif interactive:
            self.stdout.write(REPLACE_WARNING)
            if input("Type 'yes' to continue: ").strip().lower() != "yes":
                raise CommandError("Cancelled: nothing was changed.")
        started = time.perf_counter()
        result = generate_demo_data(countries=countries, years=years, seed=seed, as_of=as_of)
        elapsed = time.perf_counter() - started
        for label, count in result.items():
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(f"{sum(result.values())} rows in {elapsed:.1f} s")
        if result.accounts:
            heading = "Demo accounts (passwords shown once; a new one: python manage.py changepassword NAME):"
            self.stdout.write(self.style.SUCCESS(heading))
            for account in result.accounts:
                team = f"  {account['team']}" if account["team"] else ""
                self.stdout.write(f"  {account['role']:<27} {account['username']:<19} {account['password']}{team}")
