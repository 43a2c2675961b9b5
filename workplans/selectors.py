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

from django.db.models import BigIntegerField, CharField, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast
from django.utils import timezone

from core import versions
from core.api.serializers import iso_date, iso_datetime, money
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
    and the public overview share them."""
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
    as_of = reference_date(year, timezone.localdate())
    teams = Team.objects.coordinating()
    team_counts = teams.aggregate(
        total=Count("pk"),
        with_convener=Count("pk", filter=Q(pk__in=teams.with_convener(as_of).values("pk"))),
        countries=Count("country", distinct=True, filter=Q(kind=Team.Kind.COUNTRY)),
    )
    workplans = workplan_status_counts(year, teams)

    activities = year_activities(year)
    participation: dict[tuple, int] = defaultdict(int)
    country = "workplan__team__country__iso_alpha3"
    for row in (
        activities.exclude(**{f"{country}__isnull": True})
        .values("lead_agency__acronym", country)
        .annotate(n=Count("pk"))
        .order_by()
    ):
        participation[(row["lead_agency__acronym"], row[country])] += row["n"]
    through = Activity.participating_agencies.through.objects.filter(activity__workplan__year=year)
    for row in (
        through.exclude(**{f"activity__{country}__isnull": True})
        .values("agency__acronym", f"activity__{country}")
        .annotate(n=Count("activity_id"))
        .order_by()
    ):
        participation[(row["agency__acronym"], row[f"activity__{country}"])] += row["n"]

    return {
        "year": year,
        "countries_with_active_team": team_counts["countries"],
        "teams": team_counts["total"],
        "teams_with_convener": team_counts["with_convener"],
        "workplans_by_status": {status: workplans[status] for status in Workplan.Status.values},
        "teams_without_workplan": workplans["none"],
        "activities_by_action_area_and_status": activity_counts_by_area_and_status(activities),
        "budget_by_region": money_by_region(activities, unassigned="Unassigned"),
        "budget_by_action_area": money_by_action_area(activities),
        "participation": [
            {"agency": agency, "country": iso3, "activities": n} for (agency, iso3), n in sorted(participation.items())
        ],
    }


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


def activity_payloads(*, workplan_id: int | None = None, activity_ids: list[int] | None = None) -> list[dict]:
    """Activities as the API returns them (one workplan's, or these ids in this order), from plain rows.

    The only place the shape is built: the activity endpoints, the workplan
    detail and the ETags all use it; ActivitySerializer documents it. Three
    queries (the rows, their many-to-many values, their latest progress) and no
    model instances, whatever the number of rows.
    """
    activities = Activity.objects.all()
    if workplan_id is not None:
        activities = activities.filter(workplan_id=workplan_id).order_by("start_date", "id")
    else:
        activities = activities.filter(pk__in=activity_ids)
    rows = list(
        activities
        .values(
            "id", "workplan_id", "workplan__team_id", "workplan__year", "output_id", "title", "description",
            "action_area__code", "lead_agency__acronym", "cooperation_outcome_id", "is_national",
            "start_date", "end_date", "currency", "budget_required", "budget_available", "budget_spent",
            "status", "last_progress_at", "updated_at", "gender_marker", "human_rights_marker",
        )
    )  # fmt: skip
    ids = [row["id"] for row in rows]
    agencies, targets, frameworks, places, tags = _activity_lists(ids)
    latest: dict[int, dict] = {}
    if ids:
        for update in (
            ProgressUpdate.objects.filter(activity_id__in=ids)
            .order_by("activity_id", "-reported_on", "-id")
            .values("activity_id", "reported_on", "percent_complete", "status", "text")
        ):
            latest.setdefault(update.pop("activity_id"), update)

    if activity_ids is not None:
        position = {pk: index for index, pk in enumerate(activity_ids)}
        rows.sort(key=lambda row: position[row["id"]])
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
    # Typed NULLs: PostgreSQL takes an untyped NULL in a UNION for text, which a bigint column then refuses.
    no_text, no_number = Cast(Value(None), CharField()), Cast(Value(None), BigIntegerField())

    def part(field: str, index: int, label=None, value=None, order=None):
        through = Activity._meta.get_field(field).remote_field.through
        return (
            through.objects.filter(activity_id__in=ids)
            .annotate(
                list_index=Value(index, output_field=IntegerField()),
                label=F(label) if label else no_text,
                value=F(value) if value else no_number,
                sort_text=F(label) if label else no_text,
                sort_number=F(order) if order else no_number,
            )
            .values_list("activity_id", "list_index", "label", "value", "sort_number", "sort_text")
        )

    union = part("participating_agencies", 0, label="agency__acronym").union(
        part("sdg_targets", 1, label="sdgtarget__code", order="sdgtarget__position"),
        part("national_frameworks", 2, value="nationalframework_id", order="nationalframework_id"),
        part("subdivisions", 3, label="subdivision__code"),
        part("tags", 4, label="tag__code", order="tag__position"),
        all=True,
    )
    for activity_id, index, label, value, _order, _text in union.order_by(
        "activity_id", "list_index", "sort_number", "sort_text"
    ):
        found[index][activity_id].append(label if value is None else value)
    return found
