"""Reads across teams and workplans: the Secretariat dashboard figures.

The figures the dashboard page, the API summary (`/api/v1/dashboard/summary/`)
and the reports share are defined here once, and `reports.selectors` builds on
them: the day a year's figures describe (`reference_date`), the activities and
money of a year (`year_activities`, `money_by`, `money_by_region`,
`money_by_action_area`, `activity_counts_by_area_and_status`) and the workplan
status of the teams (`workplan_status`, `workplan_status_counts`), counted over
`Team.objects.coordinating()` with conveners from `with_convener()` (teams app).
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from core import versions
from core.api.serializers import iso_date, iso_datetimes, money
from core.statements import STAND_IN, array_parameter, id_in, statement
from countries.selectors import top_region_names
from teams.models import Team

from .models import Activity, ProgressUpdate, Workplan

MONEY = {"required": Sum("budget_required"), "available": Sum("budget_available"), "spent": Sum("budget_spent")}


def reference_date(year: int, today: dt.date) -> dt.date:
    """The day the figures of `year` describe: today, or the last day of a past year.

    Conveners, members and focal points are those whose terms run on that day.
    """
    return min(today, dt.date(year, 12, 31))


# --- activities and money ----------------------------------------------------------


def year_activities(year: int):
    """The activities a year's figures count: those of every team's workplan for the year."""
    return Activity.objects.filter(workplan__year=year)


def money_sums(row: dict) -> dict:
    return {key: row[key] or Decimal("0") for key in MONEY}


def money_by(activities, *fields: str) -> list[dict]:
    """Budget required / available / spent of `activities` per `fields` and currency, ordered by them.

    Amounts in different currencies are never added up.
    """
    rows = activities.values(*fields, "currency").annotate(**MONEY).order_by(*fields, "currency")
    return [{**{name: row[name] for name in fields}, "currency": row["currency"], **money_sums(row)} for row in rows]


def money_by_region(activities, unassigned: str = "") -> list[dict]:
    """Money per top-level region (Africa, Americas, ...) and currency, sorted by region and currency.

    A team's region is its own (a regional group's) or its country's; teams with
    neither are grouped under `unassigned`.
    """
    top = top_region_names()
    totals: dict[tuple[str, str], dict] = {}
    for row in money_by(activities, "workplan__team__region_id", "workplan__team__country__region_id"):
        region_id = row["workplan__team__region_id"] or row["workplan__team__country__region_id"]
        total = totals.setdefault((top.get(region_id, unassigned), row["currency"]), dict.fromkeys(MONEY, Decimal("0")))
        for key in MONEY:
            total[key] += row[key]
    return [{"region": region, "currency": currency, **sums} for (region, currency), sums in sorted(totals.items())]


def money_by_action_area(activities, label: str = "code") -> list[dict]:
    """Money per action area (named by its `label`, "code" or "name") and currency, ordered by both."""
    field = f"action_area__{label}"
    return [{"action_area": row.pop(field), **row} for row in money_by(activities, field)]


def activity_counts_by_area_and_status(activities) -> list[dict]:
    """How many of `activities` per action area (code) and status, ordered by both."""
    return [
        {"action_area": row["action_area__code"], "status": row["status"], "count": row["count"]}
        for row in activities.values("action_area__code", "status")
        .annotate(count=Count("pk"))
        .order_by("action_area__code", "status")
    ]


# --- teams and their workplans ------------------------------------------------------


def workplan_status(year: int) -> Subquery:
    """For annotate() on teams: the status of the team's workplan for `year` (None: it has none)."""
    return Subquery(Workplan.objects.filter(team=OuterRef("pk"), year=year).values("status")[:1])


def workplan_status_counts(year: int, teams) -> dict[str, int]:
    """How many of `teams` have their workplan for `year` in each status, and how many have none
    ("none"): every team counted once."""
    counts = dict.fromkeys([*Workplan.Status.values, "none"], 0)
    for status, n in (
        teams.annotate(workplan_status=workplan_status(year))
        .values_list("workplan_status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[status or "none"] += n
    return counts


# --- the dashboard -------------------------------------------------------------------


def dashboard_summary(year: int) -> dict:
    """The year's coordination figures (`year_figures`), computed once after each change of the data
    they count and then read from the cache (core.versions): the dashboard page, the API summary
    and the public overview share them. The activities' share is kept per workplan
    (`activity_figures`): after a write to one workplan, only its share is counted again."""
    return versions.cached(
        f"dashboard-summary:{year}", (versions.TEAMS, versions.WORKPLANS), lambda: year_figures(year)
    )


def year_figures(year: int) -> dict:
    """The year's coordination figures, in a fixed number of aggregate queries.

    Team figures count the teams expected to have a convener and a workplan
    (`Team.objects.coordinating()`), conveners as of `reference_date`, as the
    reports and the dashboard's attention lists do: `teams_with_convener` plus
    the teams without a convener make `teams`, and so do the workplans by
    status plus `teams_without_workplan`.
    """
    teams = Team.objects.coordinating()
    # Read from rosters alone: kept under the teams scope, not counted again after a workplan write.
    team_counts = versions.cached(f"team-counts:{year}", (versions.TEAMS,), lambda: _team_counts(year))
    workplans = workplan_status_counts(year, teams)
    return {
        "year": year,
        "countries_with_active_team": team_counts["countries"],
        "teams": team_counts["total"],
        "teams_with_convener": team_counts["with_convener"],
        "workplans_by_status": {status: workplans[status] for status in Workplan.Status.values},
        "teams_without_workplan": workplans["none"],
        **activity_figures(year),
    }


def _team_counts(year: int) -> dict:
    as_of = reference_date(year, timezone.localdate())
    teams = Team.objects.coordinating()
    return teams.aggregate(
        total=Count("pk"),
        with_convener=Count("pk", filter=Q(pk__in=teams.with_convener(as_of).values("pk"))),
        countries=Count("country", distinct=True, filter=Q(kind=Team.Kind.COUNTRY)),
    )


def activity_figures(year: int) -> dict:
    """The figures of the year's activities: counts per action area and status, money per region and
    per action area, activities per agency (lead or participating) and country.

    Added up from each workplan's share (`_workplan_shares`), which is kept in the cache under the
    version of its own workplan (core.versions.cached_parts): a write to one workplan or its
    activities counts that workplan again, and a write that does not say which workplan, or to the
    names they are grouped by (teams scope), counts them all. Amounts in different currencies are
    never added up.
    """
    ids = list(Workplan.objects.filter(year=year).order_by("pk").values_list("pk", flat=True))
    shares = versions.cached_parts(
        f"workplan-figures:{year}",
        (versions.TEAMS, versions.WORKPLANS),
        {pk: versions.part(versions.WORKPLANS, "workplan", pk) for pk in ids},
        lambda missing: _workplan_shares(year, missing),
    )
    counts: dict[tuple, int] = defaultdict(int)
    by_region: dict[tuple, list] = {}
    by_area: dict[tuple, list] = {}
    participation: dict[tuple, int] = defaultdict(int)
    for share in shares.values():
        for key, n in share["counts"]:
            counts[key] += n
        for totals, rows in ((by_region, share["regions"]), (by_area, share["areas"])):
            for key, amounts in rows:
                total = totals.setdefault(key, [Decimal("0")] * len(MONEY))
                for index, amount in enumerate(amounts):
                    total[index] += amount
        for key, n in share["participation"]:
            participation[key] += n
    names = list(MONEY)
    return {
        "activities_by_action_area_and_status": [
            {"action_area": area, "status": status, "count": n} for (area, status), n in sorted(counts.items())
        ],
        "budget_by_region": [
            {"region": region, "currency": currency, **dict(zip(names, amounts, strict=True))}
            for (region, currency), amounts in sorted(by_region.items())
        ],
        "budget_by_action_area": [
            {"action_area": area, "currency": currency, **dict(zip(names, amounts, strict=True))}
            for (area, currency), amounts in sorted(by_area.items())
        ],
        "participation": [
            {"agency": agency, "country": iso3, "activities": n} for (agency, iso3), n in sorted(participation.items())
        ],
    }


def _workplan_shares(year: int, workplan_ids: list[int]) -> dict[int, dict]:
    """Each workplan's share of `activity_figures`, in two queries however many workplans: its
    activities grouped by everything a figure groups by, and its participating agencies."""
    shares = {pk: {"counts": {}, "regions": {}, "areas": {}, "participation": {}} for pk in workplan_ids}
    if not workplan_ids:
        return {}
    top = top_region_names()
    for row in _share_rows.dicts([int(pk) for pk in workplan_ids], year):
        share = shares[row["workplan_id"]]
        area, currency = row["action_area__code"], row["currency"]
        share["counts"][(area, row["status"])] = share["counts"].get((area, row["status"]), 0) + row["n"]
        amounts = [row[key] or Decimal("0") for key in MONEY]
        region_id = row["workplan__team__region_id"] or row["workplan__team__country__region_id"]
        for totals, key in (
            (share["regions"], (top.get(region_id, "Unassigned"), currency)),
            (share["areas"], (area, currency)),
        ):
            total = totals.setdefault(key, [Decimal("0")] * len(MONEY))
            for index, amount in enumerate(amounts):
                total[index] += amount
        if row[_COUNTRY] is not None:
            key = (row["lead_agency__acronym"], row[_COUNTRY])
            share["participation"][key] = share["participation"].get(key, 0) + row["n"]
    for workplan_id, agency, iso3, n in _share_participation.tuples([int(pk) for pk in workplan_ids], year):
        participation = shares[workplan_id]["participation"]
        participation[(agency, iso3)] = participation.get((agency, iso3), 0) + n
    # Pairs rather than dicts keyed by tuples: smaller in the cache, and added up in one pass.
    return {pk: {name: list(values.items()) for name, values in share.items()} for pk, share in shares.items()}


def covered_countries() -> dict[str, str]:
    """ISO numeric code -> country name, for the countries with an active country team
    (`countries_with_active_team` counts the same); cached like `dashboard_summary`."""
    return versions.cached("covered-countries", (versions.TEAMS,), _covered_countries)


def _covered_countries() -> dict[str, str]:
    return dict(
        Team.objects.coordinating()
        .filter(kind=Team.Kind.COUNTRY)
        .values_list("country__iso_numeric", "country__name")
        .distinct()
    )


def activity_payloads_by_id(pairs: list[tuple[int, int]]) -> list[dict]:
    """The payloads (`activity_payloads`) of the activities `pairs` ((activity id, workplan id), in
    this order), each workplan's kept in the cache under that workplan's version
    (core.versions.cached_parts): after a write to one workplan, a page of 500 activities builds
    again only that workplan's rows and reads the others from the cache."""
    workplan_ids = list(dict.fromkeys(workplan_id for _pk, workplan_id in pairs))
    shares = versions.cached_parts(
        "activity-payloads",
        (versions.TEAMS, versions.WORKPLANS),
        {pk: versions.part(versions.WORKPLANS, "workplan", pk) for pk in workplan_ids},
        _payloads_by_workplan,
    )
    rows: dict[int, dict] = {}
    for share in shares.values():
        rows.update(share)
    missing = [pk for pk, _workplan_id in pairs if pk not in rows]
    if missing:  # written since the page's ids were read: built from the rows as they are now
        rows.update((row["id"], row) for row in activity_payloads(activity_ids=missing))
    return [rows[pk] for pk, _workplan_id in pairs if pk in rows]


def _payloads_by_workplan(workplan_ids: list[int]) -> dict[int, dict[int, dict]]:
    found: dict[int, dict[int, dict]] = {pk: {} for pk in workplan_ids}
    for row in activity_payloads(workplan_ids=workplan_ids):
        found[row["workplan"]][row["id"]] = row
    return found


def activity_payloads(
    *, workplan_id: int | None = None, activity_ids: list[int] | None = None, workplan_ids: list[int] | None = None
) -> list[dict]:
    """Activities as the API returns them (one workplan's, these workplans', or these ids in this order),
    from plain rows.

    The only place the shape is built: the activity endpoints, the workplan
    detail and the ETags all use it; ActivitySerializer documents it. Three
    queries (the rows, their many-to-many values, their latest progress) and no
    model instances, whatever the number of rows; the ORM compiles each once per
    connection (core.statements: compiling cost 3.5 ms of CPU a call, running 0.2).
    """
    if workplan_id is not None:
        rows = _rows_of_workplan.dicts(workplan_id)
    elif workplan_ids is not None:
        rows = _rows_of_workplans.dicts([int(pk) for pk in workplan_ids])
    else:
        rows = _rows_of_activities.dicts([int(pk) for pk in activity_ids])
    ids = [row["id"] for row in rows]
    agencies, targets, frameworks, places, tags = _activity_lists(ids)
    latest: dict[int, dict] = {}
    if ids:
        for activity_id, *update in _progress_of_activities.tuples(ids):
            latest.setdefault(activity_id, dict(zip(_PROGRESS_FIELDS, update, strict=True)))

    if activity_ids is not None:
        position = {pk: index for index, pk in enumerate(activity_ids)}
        rows.sort(key=lambda row: position[row["id"]])
    iso_datetime = iso_datetimes()
    return [
        {
            "id": row["id"],
            "workplan": row["workplan_id"],
            "team": row["workplan__team_id"],
            "year": row["workplan__year"],
            "output": row["output_id"],
            "title": row["title"],
            "description": row["description"],
            "action_area": row["action_area__code"],
            "lead_agency": row["lead_agency__acronym"],
            "participating_agencies": agencies.get(row["id"], []),
            "sdg_targets": targets.get(row["id"], []),
            "national_frameworks": frameworks.get(row["id"], []),
            "cooperation_outcome": row["cooperation_outcome_id"],
            "is_national": row["is_national"],
            "subdivisions": places.get(row["id"], []),
            "start_date": iso_date(row["start_date"]),
            "end_date": iso_date(row["end_date"]),
            "currency": row["currency"],
            "budget_required": money(row["budget_required"]),
            "budget_available": money(row["budget_available"]),
            "budget_spent": money(row["budget_spent"]),
            "status": row["status"],
            "gender_marker": row["gender_marker"],
            "human_rights_marker": row["human_rights_marker"],
            "tags": tags.get(row["id"], []),
            "last_progress_at": iso_datetime(row["last_progress_at"]),
            "latest_progress": (
                {**latest[row["id"]], "reported_on": iso_date(latest[row["id"]]["reported_on"])}
                if row["id"] in latest
                else None
            ),
            "updated_at": iso_datetime(row["updated_at"]),
        }
        for row in rows
    ]


def _activity_lists(ids: list[int]) -> tuple[dict[int, list], ...]:
    """The participating agencies (acronyms), SDG targets (codes), national frameworks (ids), places
    (subdivision codes) and tags (codes) of the activities `ids`, each in its order: one UNION ALL query."""
    found: tuple[dict[int, list], ...] = tuple(defaultdict(list) for _ in range(5))
    if not ids:
        return found
    for activity_id, index, label, value, _order, _text in _lists_of_activities.tuples(ids):
        found[index][activity_id].append(label if value is None else value)
    return found


# --- the dashboard figures' statements (core.statements) ------------------------------------------------

_COUNTRY = "workplan__team__country__iso_alpha3"
# Stands for the year while compiling: a year the field accepts, and no other parameter of these statements.
YEAR_STAND_IN = 9871


@statement([STAND_IN], YEAR_STAND_IN, fixed_shape=array_parameter)
def _share_rows(workplan_ids, year):
    """The workplans' activities grouped by everything a figure groups by (`_workplan_shares`)."""
    return (
        Activity.objects.filter(id_in("workplan_id", workplan_ids), workplan__year=year)
        .values(
            "workplan_id", "workplan__team__region_id", "workplan__team__country__region_id",
            "action_area__code", "status", "currency", "lead_agency__acronym", _COUNTRY,
        )
        .annotate(n=Count("pk"), **MONEY)
        .order_by()
    )  # fmt: skip


@statement([STAND_IN], YEAR_STAND_IN, fixed_shape=array_parameter)
def _share_participation(workplan_ids, year):
    """(workplan, participating agency, country, activities) of the workplans' activities in a country."""
    return (
        Activity.participating_agencies.through.objects.filter(
            id_in("activity__workplan_id", workplan_ids), activity__workplan__year=year
        )
        .exclude(**{f"activity__{_COUNTRY}__isnull": True})
        .values_list("activity__workplan_id", "agency__acronym", f"activity__{_COUNTRY}")
        .annotate(n=Count("activity_id"))
        .order_by()
    )


# --- the payload's statements, compiled once per connection (core.statements) --------------------------

_ROW_FIELDS = (
    "id", "workplan_id", "workplan__team_id", "workplan__year", "output_id", "title", "description",
    "action_area__code", "lead_agency__acronym", "cooperation_outcome_id", "is_national",
    "start_date", "end_date", "currency", "budget_required", "budget_available", "budget_spent",
    "status", "last_progress_at", "updated_at", "gender_marker", "human_rights_marker",
)  # fmt: skip
_PROGRESS_FIELDS = ("reported_on", "percent_complete", "status", "text")


@statement()
def _rows_of_workplan(workplan_id):
    return Activity.objects.filter(workplan_id=workplan_id).order_by("start_date", "id").values(*_ROW_FIELDS)


@statement([STAND_IN], fixed_shape=array_parameter)
def _rows_of_workplans(workplan_ids):
    return (
        Activity.objects.filter(id_in("workplan_id", workplan_ids))
        .order_by("workplan_id", "start_date", "id")
        .values(*_ROW_FIELDS)
    )


@statement([STAND_IN], fixed_shape=array_parameter)
def _rows_of_activities(activity_ids):
    return Activity.objects.filter(id_in("pk", activity_ids)).values(*_ROW_FIELDS)


@statement([STAND_IN], fixed_shape=array_parameter)
def _progress_of_activities(ids):
    """Each activity's progress updates, latest first (the first of each is its latest)."""
    return (
        ProgressUpdate.objects.filter(id_in("activity_id", ids))
        .order_by("activity_id", "-reported_on", "-id")
        .values_list("activity_id", *_PROGRESS_FIELDS)
    )


@statement([STAND_IN], fixed_shape=array_parameter)
def _lists_of_activities(ids):
    # Typed NULLs: PostgreSQL takes an untyped NULL in a UNION for text, which a bigint column then refuses.
    no_text, no_number = Cast(Value(None), CharField()), Cast(Value(None), BigIntegerField())

    def part(field: str, index: int, label=None, value=None, order=None):
        through = Activity._meta.get_field(field).remote_field.through
        return (
            through.objects.filter(id_in("activity_id", ids))
            .annotate(
                list_index=Value(index, output_field=IntegerField()),
                label=F(label) if label else no_text,
                value=F(value) if value else no_number,
                sort_text=F(label) if label else no_text,
                sort_number=F(order) if order else no_number,
            )
            .values_list("activity_id", "list_index", "label", "value", "sort_number", "sort_text")
        )

    return (
        part("participating_agencies", 0, label="agency__acronym")
        .union(
            part("sdg_targets", 1, label="sdgtarget__code", order="sdgtarget__position"),
            part("national_frameworks", 2, value="nationalframework_id", order="nationalframework_id"),
            part("subdivisions", 3, label="subdivision__code"),
            part("tags", 4, label="tag__code", order="tag__position"),
            all=True,
        )
        .order_by("activity_id", "list_index", "sort_number", "sort_text")
    )
