"""The reads behind the coordination reports.

Everything here is either an aggregate computed by the database (a handful of
rows per region, status or agency) or a stream of plain `values()` rows read
with `.iterator(chunk_size=...)`, so a report's memory does not grow with the
number of activities. A `Scope` narrows every read to a region (with its
sub-regions) or to one team.

`as_of` is the day the report describes: today for the current year, the
31st of December for a past year. Terms (conveners, members, focal points)
are those running on that day.

The figures the Secretariat dashboard shows too have one definition, below
this app: which teams are expected to have a convener and a workplan and what
"has a convener" means (`Team.objects.coordinating()`, `running_convener`,
`with_convener` / `without_convener` in teams.models), the reference day, the
year's activities and their money (workplans.selectors). The functions here
narrow those to a `Scope` and shape them for the reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import versions
from core.models import current_on
from countries.models import Region
from countries.selectors import region_with_descendants, top_region_names
from teams.models import ConvenerTerm, FocalPoint, Team, TeamMember, TeamPlatform, running_convener
from teams.selectors import unconfirmed_convener_terms, unconfirmed_focal_points
from workplans.models import ActionArea, Activity, ProgressUpdate, ResourceMobilised, Workplan
from workplans.selectors import (
    activity_counts_by_area_and_status,
    money_by_action_area,
    money_by_region,
    reference_date,  # builders read it here, as selectors.reference_date
    workplan_status,
    workplan_status_counts,
    year_activities,
)
from workplans.selectors import money_by as money_per_currency

CHUNK = 2000
UNDER_WAY = (Activity.Status.IMPLEMENTATION, Activity.Status.FINALISATION)


@dataclass(frozen=True)
class Scope:
    """Which teams a report covers: all, those of a region (sub-regions included), or given teams."""

    region_ids: tuple[int, ...] | None = None
    team_ids: tuple[int, ...] | None = None

    @classmethod
    def of_region(cls, region: Region) -> Scope:
        return cls(region_ids=tuple(region_with_descendants(region)))

    @classmethod
    def of_team(cls, team: Team) -> Scope:
        return cls(team_ids=(team.pk,))

    def teams(self, to_team: str = "") -> Q:
        """Q on a model whose team is reached by `to_team` ("" for Team itself, "workplan__team__", ...)."""
        condition = Q()
        if self.region_ids is not None:
            condition &= Q(**{f"{to_team}country__region_id__in": self.region_ids}) | Q(
                **{f"{to_team}region_id__in": self.region_ids}
            )
        if self.team_ids is not None:
            condition &= Q(**{f"{to_team}pk__in": self.team_ids})
        return condition


def due_date(year: int, month_day: str) -> dt.date:
    """The day workplans of `year` are due, from a "MM-DD" setting."""
    month, day = (int(part) for part in month_day.split("-"))
    return dt.date(year, month, day)


def _count_of(queryset, group_by: str):
    """A correlated COUNT subquery usable in annotate()."""
    return Coalesce(
        Subquery(queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


# --- teams, coverage --------------------------------------------------------------------


def team_rows(year: int, scope: Scope, as_of: dt.date) -> Iterator[dict]:
    """One row per active country team and regional group, with what the coverage tables show."""
    running = running_convener(as_of)
    sun_platform = TeamPlatform.objects.filter(team=OuterRef("pk"), platform__is_sun_platform=True)
    members = TeamMember.objects.filter(current_on(as_of), team=OuterRef("pk"))
    focal_points = FocalPoint.objects.filter(
        current_on(as_of), current_on(as_of, "member__"), member__team=OuterRef("pk")
    )
    activities = Activity.objects.filter(workplan__team=OuterRef("pk"), workplan__year=year)
    return (
        Team.objects.coordinating()
        .filter(scope.teams())
        .annotate(
            convener=Subquery(running.values("agency__acronym")[:1]),
            convener_is_rc=Subquery(running.values("by_resident_coordinator")[:1]),
            has_convener=Exists(running),
            in_sun_platform=Exists(sun_platform),
            workplan_status=workplan_status(year),
            member_count=_count_of(members, "team"),
            focal_point_count=_count_of(focal_points, "member__team"),
            activity_count=_count_of(activities, "workplan__team"),
        )
        .values(
            "pk",
            "name",
            "kind",
            "country__name",
            "country__iso_alpha3",
            "country__region_id",
            "region_id",
            "convener",
            "convener_is_rc",
            "has_convener",
            "in_sun_platform",
            "workplan_status",
            "member_count",
            "focal_point_count",
            "activity_count",
        )
        .order_by("kind", "country__name", "name")
        .iterator(chunk_size=CHUNK)
    )


def region_names() -> dict[int, str]:
    return dict(Region.objects.values_list("pk", "name"))


def coverage_by_region(year: int, scope: Scope, as_of: dt.date, top_level: bool) -> list[dict]:
    """Country coverage grouped by top-level region (global) or by each country's own region (regional)."""
    group_of = top_region_names() if top_level else region_names()
    groups: dict[str, dict] = {}
    for row in team_rows(year, scope, as_of):
        if row["kind"] != Team.Kind.COUNTRY:
            continue
        name = group_of.get(row["country__region_id"], "")
        group = groups.setdefault(
            name,
            {"region": name, "countries": 0, "with_convener": 0, "in_sun_platform": 0, "activities": 0}
            | dict.fromkeys(["endorsed", "submitted", "draft", "none"], 0),
        )
        group["countries"] += 1
        group["with_convener"] += row["has_convener"]
        group["in_sun_platform"] += row["in_sun_platform"]
        group[row["workplan_status"] or "none"] += 1
        group["activities"] += row["activity_count"]
    return sorted(groups.values(), key=lambda g: g["region"])


def key_figures(year: int, scope: Scope, as_of: dt.date) -> dict:
    """The overview's key figures: teams as `team_rows` counts them, workplans as `workplan_counts`,
    activities and money over every activity of the year in scope (as the tables and the dashboard)."""
    countries = with_convener = in_sun = regional_groups = 0
    for row in team_rows(year, scope, as_of):
        if row["kind"] == Team.Kind.COUNTRY:
            countries += 1
            with_convener += row["has_convener"]
            in_sun += row["in_sun_platform"]
        else:
            regional_groups += 1
    return {
        "countries": countries,
        "with_convener": with_convener,
        "in_sun_platform": in_sun,
        "regional_groups": regional_groups,
        "workplans": workplan_counts(year, scope),
        "activities": _year_activities(year, scope).count(),
        "money": money_totals(year, scope),
    }


def workplan_counts(year: int, scope: Scope) -> dict[str, int]:
    """Country teams and regional groups in scope per status of their workplan for the year, "none"
    for those without one (the dashboard's workplans by status and teams without a workplan)."""
    counts = workplan_status_counts(year, Team.objects.coordinating().filter(scope.teams()))
    return {status: counts[status] for status in ("endorsed", "submitted", "draft", "none")}


def _year_activities(year: int, scope: Scope):
    """The activities the year's figures count (`workplans.selectors.year_activities`), in scope."""
    return year_activities(year).filter(scope.teams("workplan__team__"))


def money_totals(year: int, scope: Scope) -> list[dict]:
    """Budget required / available / spent per currency (amounts in different currencies are never added)."""
    return money_per_currency(_year_activities(year, scope))


def activities_by_area_and_status(year: int, scope: Scope) -> list[dict]:
    """Rows per action area, by name, with a count per activity status."""
    counts = {
        (row["action_area"], row["status"]): row["count"]
        for row in activity_counts_by_area_and_status(_year_activities(year, scope))
    }
    rows = []
    for code, name in ActionArea.objects.order_by("name").values_list("code", "name"):
        by_status = {status: counts.get((code, status), 0) for status in Activity.Status.values}
        rows.append({"action_area": name, **by_status, "total": sum(by_status.values())})
    return rows


def money_by(year: int, scope: Scope, group: str) -> list[dict]:
    """Money per currency and `group`: "region" (top-level), "country" or "action_area"."""
    activities = _year_activities(year, scope)
    if group == "action_area":
        rows = money_by_action_area(activities, label="name")
        return [{"group": row.pop("action_area"), **row} for row in rows]
    if group == "country":
        rows = money_per_currency(activities, "workplan__team__name")
        return [{"group": row.pop("workplan__team__name"), **row} for row in rows]
    return [{"group": row.pop("region"), **row} for row in money_by_region(activities)]


def agency_participation(year: int, scope: Scope, as_of: dt.date) -> list[dict]:
    """Per agency: teams it sits in, activities it leads and joins, and in how many countries."""
    agencies: dict[str, dict] = {}

    def entry(acronym):
        return agencies.setdefault(
            acronym,
            {
                "agency": acronym,
                "member_teams": 0,
                "member_countries": 0,
                "leads": 0,
                "lead_countries": 0,
                "joins": 0,
                "join_countries": 0,
            },
        )

    for row in (
        TeamMember.objects.filter(current_on(as_of), scope.teams("team__"), team__is_active=True)
        .values("agency__acronym")
        .annotate(teams=Count("team", distinct=True), countries=Count("team__country", distinct=True))
        .order_by()
    ):
        entry(row["agency__acronym"]).update(member_teams=row["teams"], member_countries=row["countries"])
    for row in (
        _year_activities(year, scope)
        .values("lead_agency__acronym")
        .annotate(n=Count("pk"), countries=Count("workplan__team__country", distinct=True))
        .order_by()
    ):
        entry(row["lead_agency__acronym"]).update(leads=row["n"], lead_countries=row["countries"])
    through = Activity.participating_agencies.through
    for row in (
        through.objects.filter(scope.teams("activity__workplan__team__"), activity__workplan__year=year)
        .values("agency__acronym")
        .annotate(
            n=Count("activity", distinct=True), countries=Count("activity__workplan__team__country", distinct=True)
        )
        .order_by()
    ):
        entry(row["agency__acronym"]).update(joins=row["n"], join_countries=row["countries"])
    return sorted(agencies.values(), key=lambda a: a["agency"])


def convener_changes(year: int, scope: Scope) -> Iterator[dict]:
    """Convener and co-convener changes in the year, by date: each term that started in it, with
    whom it took over from, and each term that ended in it with nobody taking over by the year's
    end (`vacant`: the team was left without one; `start_date` is then the first day without)."""
    # The term before: begun earlier, or with no known start (a term recorded without one).
    before = (
        ConvenerTerm.objects.filter(
            Q(start_date__lt=OuterRef("start_date")) | Q(start_date__isnull=True),
            team=OuterRef("team"),
            role=OuterRef("role"),
        )
        .exclude(pk=OuterRef("pk"))
        .order_by(F("start_date").desc(nulls_last=True), "-pk")
    )
    started = (
        ConvenerTerm.objects.filter(scope.teams("team__"), start_date__year=year)
        .annotate(
            previous_agency=Subquery(before.values("agency__acronym")[:1]),
            previous_is_rc=Subquery(before.values("by_resident_coordinator")[:1]),
            previous_end=Subquery(before.values("end_date")[:1]),
        )
        .values(
            "team__name",
            "team__country__name",
            "role",
            "agency__acronym",
            "by_resident_coordinator",
            "start_date",
            "previous_agency",
            "previous_is_rc",
            "previous_end",
        )
    )
    # Someone took over: another term of the role, begun by the year's end, running past this one's end.
    successor = ConvenerTerm.objects.filter(
        Q(start_date__isnull=True) | Q(start_date__lte=dt.date(year, 12, 31)),
        Q(end_date__isnull=True) | Q(end_date__gt=OuterRef("end_date")),
        team=OuterRef("team"),
        role=OuterRef("role"),
    ).exclude(pk=OuterRef("pk"))
    vacated = (
        ConvenerTerm.objects.filter(scope.teams("team__"), team__is_active=True, end_date__year=year)
        .exclude(Exists(successor))
        .values("team__name", "team__country__name", "role", "agency__acronym", "by_resident_coordinator", "end_date")
    )
    rows = [{**row, "vacant": False} for row in started.iterator(chunk_size=CHUNK)]
    rows += [
        {
            "team__name": row["team__name"],
            "team__country__name": row["team__country__name"],
            "role": row["role"],
            "agency__acronym": None,
            "by_resident_coordinator": False,
            "start_date": row["end_date"] + dt.timedelta(days=1),
            "previous_agency": row["agency__acronym"],
            "previous_is_rc": row["by_resident_coordinator"],
            "previous_end": row["end_date"],
            "vacant": True,
        }
        for row in vacated.iterator(chunk_size=CHUNK)
    ]
    return iter(sorted(rows, key=lambda row: (row["start_date"], row["team__name"], row["role"])))


# --- data quality ---------------------------------------------------------------------------


def _active_teams(scope: Scope, to_team: str = "") -> Q:
    return scope.teams(to_team) & Q(**{f"{to_team}is_active": True})


def teams_without_convener(scope: Scope, as_of: dt.date):
    """The teams expected to have a convener that have none on `as_of` (the dashboard's headline
    counts the others), with the last convener whose term ended before."""
    last = ConvenerTerm.objects.filter(
        team=OuterRef("pk"), role=ConvenerTerm.Role.CONVENER, end_date__lt=as_of
    ).order_by("-end_date", "-pk")
    return (
        Team.objects.coordinating()
        .filter(scope.teams())
        .without_convener(as_of)
        .annotate(
            last_agency=Subquery(last.values("agency__acronym")[:1]),
            last_is_rc=Subquery(last.values("by_resident_coordinator")[:1]),
            last_end=Subquery(last.values("end_date")[:1]),
        )
        .values("pk", "name", "kind", "country__name", "last_agency", "last_is_rc", "last_end")
        .order_by("name")
    )


def members_without_focal_point(scope: Scope, as_of: dt.date):
    named = FocalPoint.objects.filter(current_on(as_of), member=OuterRef("pk"))
    return (
        TeamMember.objects.filter(current_on(as_of), _active_teams(scope, "team__"))
        .exclude(Exists(named))
        .values("pk", "team__name", "team__country__name", "agency__acronym", "start_date")
        .order_by("team__name", "agency__acronym")
    )


def workplans_not_submitted(year: int, scope: Scope, due: dt.date, as_of: dt.date):
    """Teams with no workplan for the year, or only a draft, once the due date has passed."""
    workplan = Workplan.objects.filter(team=OuterRef("pk"), year=year)
    running = running_convener(as_of)
    teams = Team.objects.coordinating().filter(scope.teams())
    if as_of <= due:
        teams = teams.none()
    return (
        teams.filter(Q(established_on__isnull=True) | Q(established_on__lte=due))
        .annotate(
            workplan_status=workplan_status(year),
            workplan_updated=Subquery(workplan.values("updated_at")[:1]),
            convener=Subquery(running.values("agency__acronym")[:1]),
        )
        .filter(Q(workplan_status__isnull=True) | Q(workplan_status=Workplan.Status.DRAFT))
        .values("pk", "name", "country__name", "workplan_status", "workplan_updated", "convener")
        .order_by("name")
    )


def unconfirmed_roster_entries(scope: Scope, now: dt.datetime | None = None):
    """Focal points and convener terms in office not confirmed for ROSTER_UNCONFIRMED_DAYS (the rule of
    teams.selectors, which the team page flags too), one row each: team, country, role, agency, person."""
    now = now or timezone.now()
    columns = ("e_team", "e_team_name", "e_country", "e_role", "e_agency", "e_person", "e_confirmed")
    focal_points = (
        unconfirmed_focal_points(now)
        .filter(_active_teams(scope, "member__team__"))
        .annotate(
            e_team=F("member__team_id"),
            e_team_name=F("member__team__name"),
            e_country=F("member__team__country__name"),
            e_role=Value("focal_point"),
            e_agency=F("member__agency__acronym"),
            e_person=F("person__name"),
            e_confirmed=F("last_confirmed_at"),
        )
        .values(*columns)
    )
    terms = (
        unconfirmed_convener_terms(now)
        .filter(_active_teams(scope, "team__"))
        .annotate(
            e_team=F("team_id"),
            e_team_name=F("team__name"),
            e_country=F("team__country__name"),
            e_role=F("role"),
            e_agency=F("agency__acronym"),
            e_person=F("person__name"),
            e_confirmed=F("last_confirmed_at"),
        )
        .values(*columns)
    )
    # No ordering inside a UNION (SQLite refuses it): the parts drop their models' default ordering.
    return focal_points.order_by().union(terms.order_by(), all=True).order_by("e_team_name", "e_role", "e_person")


def _activities(year: int, scope: Scope):
    return Activity.objects.filter(_active_teams(scope, "workplan__team__"), workplan__year=year)


ACTIVITY_FIELDS = (
    "pk",
    "workplan_id",
    "title",
    "status",
    "start_date",
    "end_date",
    "last_progress_at",
    "lead_agency__acronym",
    "workplan__team__name",
    "workplan__team__country__name",
)


def activities_status_disagrees(year: int, scope: Scope, as_of: dt.date):
    """Implementation past its end date, pipeline past its start date."""
    return (
        _activities(year, scope)
        .filter(
            Q(status=Activity.Status.IMPLEMENTATION, end_date__lt=as_of)
            | Q(status=Activity.Status.PIPELINE, start_date__lt=as_of)
        )
        .values(*ACTIVITY_FIELDS)
        .order_by("workplan__team__name", "start_date", "pk")
    )


def stale_activities(year: int, scope: Scope, as_of: dt.date, days: int):
    """Activities under way whose last progress update (or start, if none) is more than `days` old."""
    cutoff = as_of - dt.timedelta(days=days)
    cutoff_moment = dt.datetime.combine(cutoff, dt.time.min, tzinfo=dt.UTC)
    return (
        _activities(year, scope)
        .filter(status__in=UNDER_WAY)
        .filter(Q(last_progress_at__lt=cutoff_moment) | Q(last_progress_at__isnull=True, start_date__lt=cutoff))
        .values(*ACTIVITY_FIELDS)
        .order_by("workplan__team__name", F("last_progress_at").asc(nulls_first=True), "pk")
    )


def activities_overspent(year: int, scope: Scope):
    """Activities whose budget spent is more than their budget available, the case the activity
    form warns about when it is saved (workplans.views.warn_overspending). Both amounts are in
    the activity's own currency, so they compare without conversion."""
    return (
        _activities(year, scope)
        .filter(budget_spent__gt=F("budget_available"))
        .values(*ACTIVITY_FIELDS, "currency", "budget_available", "budget_spent")
        .order_by("workplan__team__name", F("budget_available") - F("budget_spent"), "pk")
    )


def attention_lists(year: int, limit: int = 20) -> dict:
    """What needs the Secretariat's attention, by the same rules as the data-quality report: teams
    without a convener, workplans not submitted by the due date, activities under way without
    progress for REPORTS_STALE_ACTIVITY_DAYS, roster entries not confirmed. Computed once after each
    change of the data it reads and then read from the cache (core.versions), like the dashboard's figures.
    The lists that read only rosters are kept under the teams scope alone: a workplan write does
    not count them again."""
    rules = f"{settings.REPORTS_WORKPLAN_DUE}:{settings.REPORTS_STALE_ACTIVITY_DAYS}"
    rosters = versions.cached(
        f"attention-rosters:{year}:{limit}", (versions.TEAMS,), lambda: _roster_lists(year, limit)
    )
    plans = versions.cached(
        f"attention-plans:{year}:{limit}:{rules}",
        (versions.TEAMS, versions.WORKPLANS),
        lambda: _workplan_lists(year, limit),
    )
    return {**plans, **rosters}


def _first_rows(lists: dict, limit: int) -> dict:
    result = {}
    for name, rows in lists.items():
        result[name] = list(rows[:limit])
        result[f"{name}_count"] = rows.count()
    return result


def _first_rows_counted(lists: dict, limit: int) -> dict:
    """As _first_rows, each list in one query: every row carries the count of all of them (a window
    over the whole result, computed before LIMIT). For lists of plain rows, not unions."""
    result = {}
    for name, rows in lists.items():
        page = list(rows.annotate(all_rows=Window(Count("*")))[:limit])
        result[f"{name}_count"] = page[0]["all_rows"] if page else 0
        result[name] = [{key: value for key, value in row.items() if key != "all_rows"} for row in page]
    return result


def _roster_lists(year: int, limit: int) -> dict:
    """The attention lists read from rosters alone: teams without a convener, unconfirmed entries."""
    as_of = reference_date(year, timezone.localdate())
    scope = Scope()
    return _first_rows(
        {
            "teams_without_convener": teams_without_convener(scope, as_of),
            "unconfirmed_entries": unconfirmed_roster_entries(scope),
        },
        limit,
    )


def _workplan_lists(year: int, limit: int) -> dict:
    """The attention lists that read workplans: workplans not submitted, stale activities."""
    as_of = reference_date(year, timezone.localdate())
    scope = Scope()
    due = due_date(year, settings.REPORTS_WORKPLAN_DUE)
    return {
        "stale_days": settings.REPORTS_STALE_ACTIVITY_DAYS,
        "due": due,
        # Counted again after every workplan write: one query per list.
        **_first_rows_counted(
            {
                "workplans_not_submitted": workplans_not_submitted(year, scope, due, as_of),
                "stale_activities": stale_activities(year, scope, as_of, settings.REPORTS_STALE_ACTIVITY_DAYS),
            },
            limit,
        ),
    }


def findings(year: int, scope: Scope, as_of: dt.date, due: dt.date, stale_days: int) -> dict:
    """The six data-quality lists (lazy querysets: count them or stream them)."""
    return {
        "no_convener": teams_without_convener(scope, as_of),
        "no_focal_point": members_without_focal_point(scope, as_of),
        "not_submitted": workplans_not_submitted(year, scope, due, as_of),
        "status_vs_dates": activities_status_disagrees(year, scope, as_of),
        "stale": stale_activities(year, scope, as_of, stale_days),
        "overspent": activities_overspent(year, scope),
        "unconfirmed": unconfirmed_roster_entries(scope),
    }


def stream(queryset) -> Iterator[dict]:
    return queryset.iterator(chunk_size=CHUNK)


# --- one team -------------------------------------------------------------------------------


def roster(team: Team, as_of: dt.date) -> Iterator[tuple]:
    """(member, focal point or None) pairs of the members running on `as_of`, focal points likewise."""
    members = (
        TeamMember.objects.filter(current_on(as_of), team=team).select_related("agency").order_by("agency__acronym")
    )
    focal_points: dict[int, list[FocalPoint]] = {}
    for focal_point in (
        FocalPoint.objects.filter(current_on(as_of), member__team=team)
        .select_related("person")
        .order_by("-is_primary", "person__name")
    ):
        focal_points.setdefault(focal_point.member_id, []).append(focal_point)
    for member in members:
        for focal_point in focal_points.get(member.pk) or [None]:
            yield member, focal_point


def convener_history(team: Team):
    return (
        ConvenerTerm.objects.filter(team=team)
        .select_related("agency", "person")
        .order_by("role", F("end_date").desc(nulls_first=True), "-start_date")
    )


def platforms(team: Team):
    return TeamPlatform.objects.filter(team=team).select_related("platform").order_by("platform__name")


def activity_rows(workplan: Workplan | None) -> Iterator[Activity]:
    """The workplan's activities with their latest progress and participating agencies."""
    if workplan is None:
        return iter(())
    latest = ProgressUpdate.objects.filter(activity=OuterRef("pk")).order_by("-reported_on", "-pk")
    return (
        Activity.objects.filter(workplan=workplan)
        .select_related("action_area", "lead_agency")
        .prefetch_related("participating_agencies")
        .annotate(
            latest_percent=Subquery(latest.values("percent_complete")[:1]),
            latest_on=Subquery(latest.values("reported_on")[:1]),
            latest_text=Subquery(latest.values("text")[:1]),
        )
        .order_by("start_date", "pk")
        .iterator(chunk_size=500)
    )


def resources_mobilised(team: Team):
    return (
        ResourceMobilised.objects.filter(team=team)
        .select_related("workplan")
        .order_by(F("received_on").desc(nulls_last=True), "-pk")
    )


def activity_status_counts(year: int, scope: Scope) -> dict[str, int]:
    counts = dict.fromkeys(Activity.Status.values, 0)
    counts.update(dict(_year_activities(year, scope).values_list("status").annotate(n=Count("pk")).order_by()))
    return counts


# --- the dashboard's "needs attention" pages ------------------------------------------------
# The same three lists as `attention_lists`, whole, narrowed by what an officer filters on, with
# counts to work through them team by team.

ATTENTION_KINDS = ("no-convener", "not-submitted", "stale")


@dataclass(frozen=True)
class AttentionFilter:
    region: Region | None = None
    team: Team | None = None
    agency: str = ""  # lead agency acronym (activities)
    status: str = ""  # an activity status (activities), or "draft" / "none" (workplans)
    q: str = ""  # words in the team's name, its country's or the activity's title


def attention_rows(kind: str, year: int, chosen: AttentionFilter = AttentionFilter()):
    """Every row of one attention list (`ATTENTION_KINDS`) for the year, filtered; a lazy queryset."""
    as_of = reference_date(year, timezone.localdate())
    scope = Scope(
        region_ids=tuple(region_with_descendants(chosen.region)) if chosen.region else None,
        team_ids=(chosen.team.pk,) if chosen.team else None,
    )
    if kind == "no-convener":
        rows = teams_without_convener(scope, as_of)
        words = ("name", "country__name")
    elif kind == "not-submitted":
        rows = workplans_not_submitted(year, scope, due_date(year, settings.REPORTS_WORKPLAN_DUE), as_of)
        if chosen.status == "none":
            rows = rows.filter(workplan_status__isnull=True)
        elif chosen.status:
            rows = rows.filter(workplan_status=chosen.status)
        words = ("name", "country__name")
    elif kind == "stale":
        rows = stale_activities(year, scope, as_of, settings.REPORTS_STALE_ACTIVITY_DAYS)
        if chosen.agency:
            rows = rows.filter(lead_agency__acronym=chosen.agency)
        if chosen.status:
            rows = rows.filter(status=chosen.status)
        words = ("title", "workplan__team__name", "workplan__team__country__name")
    else:
        raise ValueError(kind)
    if chosen.q:
        condition = Q()
        for field in words:
            condition |= Q(**{f"{field}__icontains": chosen.q})
        rows = rows.filter(condition)
    return rows


def attention_counts_by_team(rows) -> list[dict]:
    """Rows of the stale-activities list per team, most first: {"team", "name", "count"}."""
    return [
        {"team": row["workplan__team_id"], "name": row["workplan__team__name"], "count": row["n"]}
        for row in rows.order_by()
        .values("workplan__team_id", "workplan__team__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "workplan__team__name")
    ]


def attention_counts_by_region(rows) -> list[dict]:
    """Rows of a team list per top-level region, by region: {"region", "count"}."""
    top = top_region_names()
    counts: dict[str, int] = {}
    for region_id, country_region_id in Team.objects.filter(pk__in=rows.order_by().values("pk")).values_list(
        "region_id", "country__region_id"
    ):
        name = top.get(region_id or country_region_id, "")
        counts[name] = counts.get(name, 0) + 1
    return [{"region": name, "count": n} for name, n in sorted(counts.items())]
