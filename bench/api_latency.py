"""Latency of the hot API reads, each built, cached and beside the cost of one plain SQL query for the same data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unnutrition_bench REDIS_URL=redis://127.0.0.1:6379/0 \
        python bench/api_latency.py

Reads, through Django's test client in-process (full middleware, a real knox token):

  roster list 50     GET /api/v1/teams/?page_size=50
  team detail        GET /api/v1/teams/<id>/
  workplan           GET /api/v1/workplans/<id>/   (the demo workplan closest to 40 activities)
  dashboard summary  GET /api/v1/dashboard/summary/?year=<this year>
  activities 500     GET /api/v1/activities/?page_size=500
  roster CSV Africa  GET /api/v1/teams/?format=csv&region=africa
  304                GET /api/v1/teams/?page_size=50 with If-None-Match

Each read is measured three ways: built (the data versions retired before each
request, as a write does, so the answer is computed), cached (the same request
again, from the versioned answer cache) and the floor: one cursor.execute() of a
single SQL statement that builds the same rows and fields (nested lists
included), then json.dumps() of the result, roughly the least any implementation
has to spend (for the 304: the token lookup). For each it prints the round trips
really made (SQL statements, commits, health checks, cache calls) and the CPU per
request of this process and of the PostgreSQL backend.

The database is migrated, reference data loaded and the demo data set
(`generate_demo_data(countries=200, years=5, seed=42)`) generated when it is not
there yet (200 demo teams with workplans for 5 years); --regenerate forces it.
`--profile` prints where the time of each endpoint goes (cProfile).
"""

# The SQL below is assembled from literal fragments of this file; values go in as parameters.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import logging
import os
import pstats
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unnutrition.settings")

DEMO = {"countries": 200, "years": 5, "seed": 42}
BENCH_USERNAME = "bench-secretariat"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=50, help="timed requests per read (default 50)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first (default 3)")
    parser.add_argument("--regenerate", action="store_true", help="generate the demo data even if present")
    parser.add_argument("--allow-sqlite", action="store_true", help="run on SQLite anyway (figures mean little)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile summary per endpoint")
    return parser.parse_args(argv)


# --- set-up ---------------------------------------------------------------------------


def prepare_database(regenerate: bool) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from countries.models import Country
    from teams.models import Team
    from unnutrition.demo_data import generate_demo_data
    from unnutrition.reference_data.services import load_reference_data
    from workplans.models import Workplan

    call_command("migrate", interactive=False, verbosity=0)
    if not Country.objects.exists():
        print("Loading reference data ...", flush=True)
        load_reference_data()
    this_year = timezone.localdate().year
    years = set(range(this_year - DEMO["years"] + 1, this_year + 1))
    demo_teams = Team.objects.filter(is_demo=True).count()
    demo_years = set(Workplan.objects.filter(team__is_demo=True).values_list("year", flat=True).distinct())
    if regenerate or demo_teams != DEMO["countries"] or demo_years != years:
        print(f"Generating demo data {DEMO} (found {demo_teams} demo teams, years {sorted(demo_years)}) ...")
        started = time.perf_counter()
        generate_demo_data(**DEMO)
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
    # Planner statistics for freshly generated rows: without them PostgreSQL misestimates the new
    # tables (the roster floor took 46 ms instead of 13 ms right after generating the data).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def bench_token() -> tuple[str, Callable[[], None]]:
    from knox.models import AuthToken

    from accounts.models import User

    user, _ = User.objects.get_or_create(username=BENCH_USERNAME, defaults={"is_secretariat": True})
    if not user.is_secretariat or not user.is_active:
        user.is_secretariat = user.is_active = True
        user.save(update_fields=["is_secretariat", "is_active"])
    instance, token = AuthToken.objects.create(user)
    return token, instance.delete


def workplan_near_40_activities() -> tuple[int, int]:
    from django.db.models import Count, F, Func
    from django.utils import timezone

    from workplans.models import Workplan

    workplans = (
        Workplan.objects.filter(team__is_demo=True)
        .annotate(n=Count("activities"))
        .annotate(distance=Func(F("n") - 40, function="ABS"))
        .order_by("distance", "-year", "id")
    )
    this_year = workplans.filter(year=timezone.localdate().year)
    chosen = (this_year if this_year.exists() else workplans).values_list("pk", "n").first()
    if chosen is None:
        raise SystemExit("No demo workplan found: run with --regenerate.")
    return chosen


# --- floors: one SQL statement each -----------------------------------------------------


class Dialect:
    """JSON building blocks for PostgreSQL, and SQLite's JSON1 equivalents."""

    def __init__(self, vendor: str):
        self.pg = vendor == "postgresql"

    def obj(self, **fields: str) -> str:
        name = "json_build_object" if self.pg else "json_object"
        pairs = ", ".join(f"'{key}', {value}" for key, value in fields.items())
        return f"{name}({pairs})"

    def rows(self, value: str, rest: str, order: str) -> str:
        """A JSON array of `value` (an expression) over `FROM ... WHERE ...`, in `order`."""
        if self.pg:
            return f"(SELECT coalesce(json_agg({value} ORDER BY {order}), '[]'::json) {rest})"
        return f"json((SELECT json_group_array(json(v)) FROM (SELECT {value} AS v {rest} ORDER BY {order})))"

    def values(self, value: str, rest: str, order: str) -> str:
        """A JSON array of scalars."""
        if self.pg:
            return self.rows(value, rest, order)
        return f"json((SELECT json_group_array(v) FROM (SELECT {value} AS v {rest} ORDER BY {order})))"

    def one(self, value: str, rest: str, order: str) -> str:
        """The first `value` (a JSON object) or null."""
        if self.pg:
            return f"(SELECT {value} {rest} ORDER BY {order} LIMIT 1)"
        return f"json((SELECT {value} {rest} ORDER BY {order} LIMIT 1))"

    def maybe(self, condition: str, value: str) -> str:
        """`value` (a JSON object) when `condition` holds, else null."""
        case = f"CASE WHEN {condition} THEN {value} END"
        return case if self.pg else f"json({case})"

    def boolean(self, expr: str) -> str:
        return expr if self.pg else f"json(CASE WHEN {expr} THEN 'true' ELSE 'false' END)"

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS TEXT)"

    def person(self, alias: str) -> str:
        """str(Person): honorific and name."""
        return f"CASE WHEN {alias}.id IS NULL THEN NULL ELSE trim({alias}.honorific || ' ' || {alias}.name) END"

    def parse(self, value):
        return json.loads(value) if isinstance(value, str) and value[:1] in ("{", "[") else value


def roster_sql(d: Dialect, where: str = "", params: tuple = (), limit: str = "LIMIT 50") -> tuple[str, list]:
    from django.utils import timezone

    today = timezone.localdate()
    current = "(ct.start_date IS NULL OR ct.start_date <= %s) AND (ct.end_date IS NULL OR ct.end_date >= %s)"
    term = d.obj(
        role="ct.role",
        agency="ag.acronym",
        by_resident_coordinator=d.boolean("ct.by_resident_coordinator"),
        person=d.person("p"),
        start_date="ct.start_date",
        end_date="ct.end_date",
    )
    terms_from = (
        "FROM teams_convenerterm ct LEFT JOIN agencies_agency ag ON ag.id = ct.agency_id "
        "LEFT JOIN countries_person p ON p.id = ct.person_id WHERE ct.team_id = t.id"
    )
    focal_point = d.obj(
        name="fp_p.name",
        title="fp_p.title",
        email="fp_p.email",
        phone="fp_p.phone",
        is_primary=d.boolean("fp.is_primary"),
        start_date="fp.start_date",
        end_date="fp.end_date",
    )
    member = d.obj(
        agency="ma.acronym",
        agency_name="ma.name",
        start_date="m.start_date",
        end_date="m.end_date",
        focal_points=d.rows(
            focal_point,
            "FROM teams_focalpoint fp JOIN countries_person fp_p ON fp_p.id = fp.person_id WHERE fp.member_id = m.id",
            "fp.is_primary DESC, fp_p.name",
        ),
    )
    platform = d.obj(
        name="pl.name",
        government_led=d.boolean("pl.government_led"),
        is_sun_platform=d.boolean("pl.is_sun_platform"),
        functioning="pl.functioning",
        chairing_ministry="pl.chairing_ministry",
        meeting_frequency="pl.meeting_frequency",
        since="tp.since",
    )
    team = d.obj(
        id="t.id",
        name="t.name",
        kind="t.kind",
        country="c.iso_alpha3",
        country_name="c.name",
        region="coalesce(r.slug, cr.slug)",
        parent="t.parent_id",
        is_active=d.boolean("t.is_active"),
        established_on="t.established_on",
        meeting_frequency="t.meeting_frequency",
        works_with_resident_coordinator=d.boolean("t.works_with_resident_coordinator"),
        convener=d.one(term, f"{terms_from} AND ct.role = 'convener' AND {current}", "ct.start_date DESC, ct.id DESC"),
        co_convener=d.one(
            term, f"{terms_from} AND ct.role = 'co_convener' AND {current}", "ct.start_date DESC, ct.id DESC"
        ),
        convener_history=d.rows(term, terms_from, "ct.start_date DESC, ct.id DESC"),
        members=d.rows(
            member,
            "FROM teams_teammember m JOIN agencies_agency ma ON ma.id = m.agency_id WHERE m.team_id = t.id",
            "ma.acronym",
        ),
        platforms=d.rows(
            platform,
            "FROM teams_teamplatform tp JOIN teams_platform pl ON pl.id = tp.platform_id WHERE tp.team_id = t.id",
            "tp.id",
        ),
        clusters=d.values(
            "hc.name",
            "FROM teams_team_clusters x JOIN teams_humanitariancluster hc ON hc.id = x.humanitariancluster_id "
            "WHERE x.team_id = t.id",
            "hc.name",
        ),
        action_areas=d.values(
            "aa.code",
            "FROM teams_team_action_areas x JOIN workplans_actionarea aa ON aa.id = x.actionarea_id "
            "WHERE x.team_id = t.id",
            "aa.name",
        ),
        national_frameworks=d.values(
            "nf.name",
            "FROM teams_team_national_frameworks x JOIN workplans_nationalframework nf "
            "ON nf.id = x.nationalframework_id WHERE x.team_id = t.id",
            "nf.name",
        ),
        sun=d.maybe(
            "c.id IS NOT NULL",
            d.obj(
                member=d.boolean("sm.id IS NOT NULL"),
                joined_on="sm.joined_on",
                government_focal_point=d.person("gfp"),
            ),
        ),
        contacts_visible=d.boolean("1 = 1"),
        updated_at="t.updated_at",
    )
    sql = (
        f"SELECT count(*) OVER () AS total, {team} AS team FROM teams_team t "
        "LEFT JOIN countries_country c ON c.id = t.country_id "
        "LEFT JOIN countries_region r ON r.id = t.region_id "
        "LEFT JOIN countries_region cr ON cr.id = c.region_id "
        "LEFT JOIN countries_sunmembership sm ON sm.country_id = c.id "
        "LEFT JOIN countries_person gfp ON gfp.id = sm.government_focal_point_id "
        f"{where} ORDER BY t.name {limit}"
    )
    return sql, [today] * 4 + list(params)


def activity_object(d: Dialect) -> str:
    latest = d.obj(
        reported_on="pu.reported_on", percent_complete="pu.percent_complete", status="pu.status", text="pu.text"
    )
    activity = d.obj(
        id="a.id",
        workplan="a.workplan_id",
        team="w.team_id",
        year="w.year",
        title="a.title",
        description="a.description",
        action_area="aa.code",
        lead_agency="la.acronym",
        participating_agencies=d.values(
            "pa.acronym",
            "FROM workplans_activity_participating_agencies x JOIN agencies_agency pa ON pa.id = x.agency_id "
            "WHERE x.activity_id = a.id",
            "pa.acronym",
        ),
        sdg_targets=d.values(
            "st.code",
            "FROM workplans_activity_sdg_targets x JOIN workplans_sdgtarget st ON st.id = x.sdgtarget_id "
            "WHERE x.activity_id = a.id",
            "st.position",
        ),
        national_frameworks=d.values(
            "x.nationalframework_id",
            "FROM workplans_activity_national_frameworks x WHERE x.activity_id = a.id",
            "x.nationalframework_id",
        ),
        cooperation_outcome="a.cooperation_outcome_id",
        is_national=d.boolean("a.is_national"),
        subdivisions=d.values(
            "sd.code",
            "FROM workplans_activity_subdivisions x JOIN countries_subdivision sd ON sd.id = x.subdivision_id "
            "WHERE x.activity_id = a.id",
            "sd.name",
        ),
        start_date="a.start_date",
        end_date="a.end_date",
        currency="a.currency",
        budget_required=d.text("a.budget_required"),
        budget_available=d.text("a.budget_available"),
        budget_spent=d.text("a.budget_spent"),
        status="a.status",
        last_progress_at="a.last_progress_at",
        latest_progress=d.one(
            latest, "FROM workplans_progressupdate pu WHERE pu.activity_id = a.id", "pu.reported_on DESC, pu.id DESC"
        ),
        updated_at="a.updated_at",
    )
    return activity


ACTIVITY_FROM = (
    "FROM workplans_activity a JOIN workplans_workplan w ON w.id = a.workplan_id "
    "JOIN workplans_actionarea aa ON aa.id = a.action_area_id JOIN agencies_agency la ON la.id = a.lead_agency_id"
)


def activities_sql(d: Dialect, limit: int) -> tuple[str, list]:
    """A page of the activity list: the count of all, then `limit` activities in the list's order."""
    sql = (
        f"SELECT count(*) OVER () AS total, {activity_object(d)} AS activity {ACTIVITY_FROM} "
        "ORDER BY a.workplan_id, a.start_date, a.id LIMIT %s"
    )
    return sql, [limit]


def workplan_sql(d: Dialect, workplan_id: int) -> tuple[str, list]:
    activity = activity_object(d)
    workplan = d.obj(
        id="w.id",
        team="w.team_id",
        team_name="t.name",
        country="c.iso_alpha3",
        year="w.year",
        status="w.status",
        summary="w.summary",
        submitted_by="su.username",
        submitted_at="w.submitted_at",
        endorsed_by="eu.username",
        endorsed_at="w.endorsed_at",
        activity_count="(SELECT count(*) FROM workplans_activity n WHERE n.workplan_id = w.id)",
        updated_at="w.updated_at",
        activities=d.rows(
            activity,
            "FROM workplans_activity a JOIN workplans_actionarea aa ON aa.id = a.action_area_id "
            "JOIN agencies_agency la ON la.id = a.lead_agency_id WHERE a.workplan_id = w.id",
            "a.start_date, a.id",
        ),
    )
    sql = (
        f"SELECT {workplan} FROM workplans_workplan w JOIN teams_team t ON t.id = w.team_id "
        "LEFT JOIN countries_country c ON c.id = t.country_id "
        "LEFT JOIN accounts_user su ON su.id = w.submitted_by_id "
        "LEFT JOIN accounts_user eu ON eu.id = w.endorsed_by_id WHERE w.id = %s"
    )
    return sql, [workplan_id]


def dashboard_sql(d: Dialect, year: int) -> tuple[str, list]:
    from django.utils import timezone

    today = timezone.localdate()
    region_money = d.obj(
        region="region", currency="currency", required="required", available="available", spent="spent"
    )
    area_money = d.obj(
        action_area="code", currency="currency", required="required", available="available", spent="spent"
    )
    sums = (
        f"{d.text('sum(a.budget_required)')} AS required, {d.text('sum(a.budget_available)')} AS available, "
        f"{d.text('sum(a.budget_spent)')} AS spent"
    )
    statuses = ", ".join(
        f"'{s}', (SELECT count(*) FROM wp WHERE wp.status = '{s}')" for s in ("draft", "submitted", "endorsed")
    )
    obj = "json_build_object" if d.pg else "json_object"
    summary = d.obj(
        year="%s",
        countries_with_active_team="(SELECT count(DISTINCT country_id) FROM active WHERE kind = 'country')",
        teams="(SELECT count(*) FROM active)",
        teams_with_convener="(SELECT count(*) FROM active WHERE has_convener)",
        workplans_by_status=f"{obj}({statuses})",
        teams_without_workplan="(SELECT count(*) FROM active WHERE id NOT IN (SELECT team_id FROM wp))",
        activities_by_action_area_and_status=d.rows(
            d.obj(action_area="code", status="status", count="n"),
            "FROM (SELECT a.code, a.status, count(*) AS n FROM act a GROUP BY a.code, a.status) x",
            "code, status",
        ),
        budget_by_region=d.rows(
            region_money,
            f"FROM (SELECT coalesce(tr.top, 'Unassigned') AS region, a.currency, {sums} FROM act a "
            "LEFT JOIN top_region tr ON tr.id = coalesce(a.team_region_id, a.country_region_id) "
            "GROUP BY coalesce(tr.top, 'Unassigned'), a.currency) x",
            "region, currency",
        ),
        budget_by_action_area=d.rows(
            area_money,
            f"FROM (SELECT a.code, a.currency, {sums} FROM act a GROUP BY a.code, a.currency) x",
            "code, currency",
        ),
        participation=d.rows(
            d.obj(agency="agency", country="iso3", activities="n"),
            "FROM (SELECT agency, iso3, count(*) AS n FROM ("
            "SELECT a.lead AS agency, a.iso3 FROM act a WHERE a.iso3 IS NOT NULL UNION ALL "
            "SELECT pa.acronym, a.iso3 FROM act a JOIN workplans_activity_participating_agencies x "
            "ON x.activity_id = a.id JOIN agencies_agency pa ON pa.id = x.agency_id WHERE a.iso3 IS NOT NULL"
            ") p GROUP BY agency, iso3) x",
            "agency, iso3",
        ),
    )
    sql = f"""
        WITH RECURSIVE top_region(id, top_id, top) AS (
            SELECT id, id, name FROM countries_region WHERE parent_id IS NULL
            UNION ALL
            SELECT r.id, tr.top_id, tr.top FROM countries_region r JOIN top_region tr ON r.parent_id = tr.id
        ),
        active AS (
            SELECT t.id, t.kind, t.country_id, EXISTS (
                SELECT 1 FROM teams_convenerterm ct WHERE ct.team_id = t.id AND ct.role = 'convener'
                AND (ct.start_date IS NULL OR ct.start_date <= %s)
                AND (ct.end_date IS NULL OR ct.end_date >= %s)
            ) AS has_convener
            FROM teams_team t WHERE t.is_active AND t.kind IN ('country', 'regional')
        ),
        wp AS (SELECT id, team_id, status FROM workplans_workplan WHERE year = %s),
        act AS (
            SELECT a.id, a.status, a.currency, a.budget_required, a.budget_available, a.budget_spent,
                   aa.code, la.acronym AS lead, c.iso_alpha3 AS iso3,
                   t.region_id AS team_region_id, c.region_id AS country_region_id
            FROM workplans_activity a
            JOIN wp ON wp.id = a.workplan_id
            JOIN teams_team t ON t.id = wp.team_id
            LEFT JOIN countries_country c ON c.id = t.country_id
            JOIN workplans_actionarea aa ON aa.id = a.action_area_id
            JOIN agencies_agency la ON la.id = a.lead_agency_id
        )
        SELECT {summary}
    """
    return sql, [today, today, year, year]


def run_floor(sql: str, params: list, dialect: Dialect) -> tuple[str, list]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    data = [[dialect.parse(value) for value in row] for row in rows]
    return json.dumps(data, default=str), data


# --- measuring ---------------------------------------------------------------------------


@contextlib.contextmanager
def logs_to_devnull():
    """Log records are still formatted and written (a request's logging is part of its cost), to /dev/null."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    handlers = {
        handler
        for logger in loggers
        for handler in getattr(logger, "handlers", [])
        if type(handler) is logging.StreamHandler
    }
    with open(os.devnull, "w") as devnull:
        previous = {handler: handler.setStream(devnull) for handler in handlers}
        try:
            yield
        finally:
            for handler, stream in previous.items():
                if stream is not None:
                    handler.setStream(stream)


class QueryCounter:
    """Counts SQL statements (the test client resets connection.queries at each request)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed_pair(first: Callable[[], object], second: Callable[[], object], iterations: int, warmup: int):
    """Milliseconds of each call, the two alternating so both see the same machine load."""
    for _ in range(warmup):
        first()
        second()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(iterations):
        for fn, out in ((first, samples[0]), (second, samples[1])):
            started = time.perf_counter()
            fn()
            out.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18] if len(samples) > 1 else samples[0]


def get(client, url: str, token: str):
    response = client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    return response


def same_data(name: str, endpoint: dict, floor: list) -> str:
    """A short check that the floor read the rows the endpoint returned."""
    if name == "roster":
        api_ids = [team["id"] for team in endpoint["results"]]
        floor_ids = [row[1]["id"] for row in floor]
        ok = api_ids == floor_ids and endpoint["count"] == floor[0][0]
        return f"{len(floor_ids)} teams" + ("" if ok else " (MISMATCH)")
    if name == "workplan":
        api_ids = sorted(a["id"] for a in endpoint["activities"])
        floor_ids = sorted(a["id"] for a in floor[0][0]["activities"])
        return f"{len(floor_ids)} activities" + ("" if api_ids == floor_ids else " (MISMATCH)")
    summary = floor[0][0]
    keys = ["teams", "teams_with_convener", "countries_with_active_team", "teams_without_workplan"]
    ok = all(endpoint[k] == summary[k] for k in keys) and len(endpoint["participation"]) == len(
        summary["participation"]
    )
    return f"{len(summary['participation'])} participation rows" + ("" if ok else " (MISMATCH)")


def profile(name: str, fn: Callable[[], object], iterations: int) -> str:
    """Where the time of `iterations` requests goes: own time, then cumulative time in the project, DRF and ORM."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(iterations):
        fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(f"\n=== {name}: {iterations} requests, functions by own time ===\n")
    stats.sort_stats("tottime").print_stats(15)
    out.write(f"=== {name}: cumulative time in the project, DRF, the ORM and the driver ===\n")
    project = re.escape(str(ROOT)) + r"/(?!\.venv/)"
    stats.sort_stats("cumulative").print_stats(rf"{project}|rest_framework/|django/db/models/|psycopg", 30)
    return out.getvalue()


class RoundTrips:
    """What one request really sends: SQL statements, commits and rollbacks, health checks, cache calls."""

    CACHE_METHODS = ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr", "has_key", "touch")

    def __init__(self):
        self.sql = self.commits = self.health = self.cache = 0

    @contextlib.contextmanager
    def counting(self):
        from django.core.cache import cache
        from django.db import connection

        def sql(execute, statement, params, many, context):
            self.sql += 1
            return execute(statement, params, many, context)

        patched = []

        def patch(obj, name, counter):
            original = getattr(obj, name)

            def wrapper(*args, **kwargs):
                setattr(self, counter, getattr(self, counter) + 1)
                return original(*args, **kwargs)

            setattr(obj, name, wrapper)
            patched.append((obj, name))

        patch(connection, "_commit", "commits")
        patch(connection, "_rollback", "commits")
        patch(connection, "is_usable", "health")
        for method in self.CACHE_METHODS:
            patch(cache, method, "cache")
        try:
            with connection.execute_wrapper(sql):
                yield self
        finally:
            for obj, name in patched:
                delattr(obj, name)  # the instance attribute goes; the class's method is back


def backend_cpu_ms() -> float:
    """CPU time (user + system) the PostgreSQL backend serving this connection has used, in ms."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")  # PostgreSQL on another machine
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def measure(fn: Callable[[], object], iterations: int, before: Callable[[], None] | None = None):
    """Wall milliseconds per call, and CPU ms per call of this process and of the database backend."""
    samples, cpu, db = [], 0.0, 0.0
    for _ in range(iterations):
        if before is not None:
            before()
        db_start, cpu_start = backend_cpu_ms(), time.process_time()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        cpu += time.process_time() - cpu_start
        db += backend_cpu_ms() - db_start
    return samples, cpu * 1000 / iterations, db / iterations


def main(argv=None) -> int:
    args = parse_args(argv)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone
    from rest_framework.test import APIClient

    try:
        from core import versions
    except ImportError:  # a checkout from before the answer cache: every read is built
        versions = None
    from countries.models import Region
    from countries.selectors import region_with_descendants
    from teams.models import Team

    vendor = connection.vendor
    if vendor == "sqlite" and not args.allow_sqlite:
        print(
            "Refusing to run on SQLite: it runs in-process with no network or concurrency, plans the floor's\n"
            "JSON queries differently and is not what the portal runs on in production, so its figures say\n"
            "little about PostgreSQL. Set DATABASE_URL, e.g.\n"
            "  createdb -h 127.0.0.1 -U postgres unnutrition_bench\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/unnutrition_bench python bench/api_latency.py\n"
            "or pass --allow-sqlite to measure SQLite anyway.",
            file=sys.stderr,
        )
        return 2

    prepare_database(args.regenerate)
    token, revoke = bench_token()
    year = timezone.localdate().year
    workplan_id, activities = workplan_near_40_activities()
    team_id = Team.objects.filter(is_demo=True, kind="country").order_by("name").values_list("pk", flat=True)[0]
    africa = list(region_with_descendants(Region.objects.get(slug="africa")))
    dialect = Dialect(vendor)
    client = APIClient()
    floor_304 = (
        "SELECT t.digest, t.expiry, u.id, u.is_active FROM knox_authtoken t JOIN accounts_user u ON u.id = t.user_id "
        "WHERE t.token_key = %s",
        [token[:15]],
    )
    region_filter = "WHERE (t.region_id = ANY(%s) OR c.region_id = ANY(%s))" if dialect.pg else ""
    reads = [
        ("roster list 50", "/api/v1/teams/?page_size=50", roster_sql(dialect), {}),
        ("team detail", f"/api/v1/teams/{team_id}/", roster_sql(dialect, "WHERE t.id = %s", (team_id,), ""), {}),
        (f"workplan {activities} act.", f"/api/v1/workplans/{workplan_id}/", workplan_sql(dialect, workplan_id), {}),
        ("dashboard summary", f"/api/v1/dashboard/summary/?year={year}", dashboard_sql(dialect, year), {}),
        ("activities 500", "/api/v1/activities/?page_size=500", activities_sql(dialect, 500), {}),
        (
            "roster CSV Africa",
            "/api/v1/teams/?format=csv&region=africa",
            roster_sql(dialect, region_filter, (africa, africa), ""),
            {},
        ),
        ("304 roster list", "/api/v1/teams/?page_size=50", floor_304, {"HTTP_IF_NONE_MATCH": "etag"}),
    ]
    results, profiles = [], []

    def retire_answers():
        if versions is not None:
            versions.changed_everything()  # as a write does: the next read builds its answer afresh

    try:
        # The benchmark sends more requests than a token may in an hour.
        with override_settings(API_THROTTLE_RATE="1000000/hour"), logs_to_devnull():
            for name, url, (sql, params), headers in reads:
                if headers.get("HTTP_IF_NONE_MATCH") == "etag":
                    headers = {"HTTP_IF_NONE_MATCH": get(client, url, token)["ETag"]}
                expected = 304 if headers else 200

                def call(url=url, headers=headers, expected=expected):
                    response = client.get(url, HTTP_AUTHORIZATION=f"Token {token}", **headers)
                    if response.status_code != expected:
                        raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
                    return response

                floor_call = lambda s=sql, p=params: run_floor(s, p, dialect)  # noqa: E731
                retire_answers()
                built_trips, cached_trips = RoundTrips(), RoundTrips()
                with built_trips.counting():
                    response = call()
                with cached_trips.counting():
                    call()
                if headers:
                    check = "304, no body"
                else:
                    _, floor_data = run_floor(sql, params, dialect)
                    check = check_rows(name, response, floor_data)
                for _ in range(args.warmup):
                    retire_answers()
                    call()
                    floor_call()
                built, built_cpu, built_db = measure(call, args.iterations, before=retire_answers)
                cached, cached_cpu, cached_db = measure(call, args.iterations)
                floor, floor_cpu, floor_db = measure(floor_call, args.iterations)
                results.append(
                    (name, built_trips, cached_trips, built, cached, floor, built_cpu, built_db, cached_cpu, check)
                )
                if args.profile:
                    profiles.append(profile(name, call, min(args.iterations, 20)))
    finally:
        revoke()

    db = connection.settings_dict
    load = os.getloadavg()
    print(
        f"\nAPI latency, {args.iterations} requests each after {args.warmup} warm-up, "
        f"{time.strftime('%Y-%m-%d %H:%M')}; {vendor} {db.get('HOST') or ''}/{db['NAME']}; demo data "
        f"{DEMO['countries']} countries x {DEMO['years']} years; load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f} on {os.cpu_count()} CPUs\n"
    )
    header = (
        f"{'read':<19} {'sql':>3} {'tx':>2} {'hc':>2} {'cache':>5} | {'built ms':>8} {'/floor':>6} "
        f"{'cpu+db ms':>9} | {'cached':>6} {'/floor':>6} {'sql':>3} {'cpu ms':>6} | {'floor ms':>8} {'p95':>6}  check"
    )
    print(header)
    print("-" * len(header))
    for name, bt, ct, built, cached, floor, built_cpu, built_db, cached_cpu, check in results:
        b, c, f = statistics.median(built), statistics.median(cached), statistics.median(floor)
        print(
            f"{name:<19} {bt.sql:>3} {bt.commits:>2} {bt.health:>2} {bt.cache:>5} | {b:>8.1f} {b / f:>5.1f}x "
            f"{built_cpu:>4.1f}+{built_db:<4.1f} | {c:>6.1f} {c / f:>5.1f}x {ct.sql:>3} {cached_cpu:>6.1f} | "
            f"{f:>8.1f} {p95(floor):>6.1f}  {check}"
        )
    print(
        "\nbuilt = the answer computed (its data versions retired before each request, as a write does): sql "
        "statements,\n  tx = commits/rollbacks sent, hc = health-check queries, cache = calls to the cache "
        "(Redis round trips),\n  cpu+db = CPU ms per request of this process (Django, DRF, the test client) "
        "and of the PostgreSQL backend;\ncached = the same request again, answered from the versioned answer "
        "cache (sql statements and CPU of this process);\nfloor = one SQL statement returning the same rows "
        "and fields, then json.dumps (for the 304: the token lookup).\nThe three are measured one after "
        "another for each read; the machine is shared, so compare ratios and note the load average."
    )
    for text in profiles:
        print(text)
    return 0


def check_rows(name: str, response, floor: list) -> str:
    """A short check that the floor read the rows the endpoint returned."""
    if name.startswith("roster CSV"):
        rows = response.content.decode("utf-8-sig").count("\r\n") - 1
        return f"{len(floor)} teams, {rows} CSV rows"
    data = json.loads(response.content)
    if name.startswith("activities"):
        ids = [a["id"] for a in data["results"]]
        ok = ids == [row[1]["id"] for row in floor] and data["count"] == floor[0][0]
        return f"{len(ids)} activities" + ("" if ok else " (MISMATCH)")
    if name == "team detail":
        return "1 team" + ("" if data["id"] == floor[0][1]["id"] else " (MISMATCH)")
    return same_data(name.split()[0].replace("roster", "roster"), data, floor)


if __name__ == "__main__":
    sys.exit(main())
