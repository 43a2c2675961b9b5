"""Reads of the yearly cycle: each team's deadlines and how far it is, "My tasks", notifications.

Every function here reads a fixed number of queries whatever the number of teams, activities or
notifications (tests/cycle assert it), so the tasks page, the API and the daily jobs stay cheap.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from access.models import AccessRequest
from accounts.rules import is_secretariat
from core.models import current_on
from results.models import Indicator, IndicatorValue
from teams.models import ConvenerTerm, FocalPoint, Team, team_roles
from teams.selectors import unconfirmed
from workplans.models import (
    Activity,
    Amendment,
    EndorsementRequest,
    ProgressUpdate,
    ReportingPeriod,
    Workplan,
)

from .models import Deadline, Email, Notification

Kind = Deadline.Kind
PERIOD_KINDS = {Kind.MID_YEAR: ReportingPeriod.Kind.MID_YEAR, Kind.ANNUAL: ReportingPeriod.Kind.ANNUAL}
# Deadline kinds in the order of the year.
ORDER = [Kind.WORKPLAN_DRAFT, Kind.WORKPLAN_SUBMISSION, Kind.WORKPLAN_ENDORSEMENT, Kind.MID_YEAR, Kind.ANNUAL]


# --- deadlines ----------------------------------------------------------------------------------------------


def calendar(year: int) -> dict:
    """The year's global deadlines by kind (a reporting period's due date where no deadline row
    names it), and the teams' exceptions: {"global": {kind: (due_on, note, row)}, "exceptions": [rows]}."""
    rows = list(Deadline.objects.filter(year=year).select_related("team").order_by("due_on", "team__name"))
    found = {row.kind: (row.due_on, row.note, row) for row in rows if row.team_id is None}
    for period in ReportingPeriod.objects.filter(year=year):
        kind = Kind.MID_YEAR if period.kind == ReportingPeriod.Kind.MID_YEAR else Kind.ANNUAL
        found.setdefault(kind, (period.due_date, "", None))
    return {"global": found, "exceptions": [row for row in rows if row.team_id is not None]}


def effective_deadlines(years, team_ids) -> dict[tuple[int, int, str], dt.date]:
    """{(team id, year, kind): due on} for these teams and years: a team's exception, else the global
    deadline, else (mid-year, annual) the reporting period's due date. Two queries."""
    years, team_ids = list(years), list(team_ids)
    rows = Deadline.objects.filter(Q(team__isnull=True) | Q(team_id__in=team_ids), year__in=years)
    global_dates: dict[tuple[int, str], dt.date] = {}
    exceptions: dict[tuple[int, int, str], dt.date] = {}
    for row in rows.values("team_id", "year", "kind", "due_on"):
        if row["team_id"] is None:
            global_dates[(row["year"], row["kind"])] = row["due_on"]
        else:
            exceptions[(row["team_id"], row["year"], row["kind"])] = row["due_on"]
    for period in ReportingPeriod.objects.filter(year__in=years).values("year", "kind", "due_date"):
        kind = Kind.MID_YEAR if period["kind"] == ReportingPeriod.Kind.MID_YEAR else Kind.ANNUAL
        global_dates.setdefault((period["year"], kind), period["due_date"])
    found = {}
    for team_id in team_ids:
        for (year, kind), due_on in global_dates.items():
            found[(team_id, year, kind)] = due_on
    found.update(exceptions)
    return found


@dataclass
class DueItem:
    """One deadline of one team: when, whether it is met, what is missing, where to act."""

    team: Team
    year: int
    kind: str
    due_on: dt.date
    done: bool
    missing: list[dict] = field(default_factory=list)
    link: str = ""
    workplan_id: int | None = None

    @property
    def label(self) -> str:
        return str(Kind(self.kind).label)

    def is_overdue(self, today: dt.date) -> bool:
        return not self.done and self.due_on < today

    def missing_text(self) -> str:
        from .texts import missing_line

        return " ".join(missing_line(item) for item in self.missing)


def schedule(teams, years, today: dt.date | None = None) -> list[DueItem]:
    """Every deadline of `teams` (Team objects) in `years`, met or not, by due date. Seven queries."""
    teams = {team.pk: team for team in teams}
    years = sorted(set(years))
    if not teams or not years:
        return []
    due = effective_deadlines(years, teams)
    workplans = {
        (w["team_id"], w["year"]): w
        for w in Workplan.objects.filter(team_id__in=teams, year__in=years).values(
            "pk", "team_id", "year", "status", "submitted_at", "endorsed_at"
        )
    }
    periods = {
        (p.year, p.kind): p
        for p in ReportingPeriod.objects.filter(year__in=years).only("pk", "year", "kind", "start_date", "end_date")
    }
    missing_progress, missing_values = _missing_reports(workplans, periods)
    items = []
    for (team_id, year, kind), due_on in due.items():
        workplan = workplans.get((team_id, year))
        item = DueItem(teams[team_id], year, kind, due_on, False, workplan_id=workplan["pk"] if workplan else None)
        if workplan is None:
            item.missing = [{"what": "workplan"}]
            item.link = reverse("teams:detail", args=[team_id])
        elif kind == Kind.WORKPLAN_DRAFT:
            item.done = True
        elif kind == Kind.WORKPLAN_SUBMISSION:
            item.done = workplan["status"] != Workplan.Status.DRAFT or workplan["endorsed_at"] is not None
            item.missing = [] if item.done else [{"what": "submission"}]
        elif kind == Kind.WORKPLAN_ENDORSEMENT:
            item.done = workplan["endorsed_at"] is not None
            item.missing = [] if item.done else [{"what": "endorsement"}]
        else:
            period = periods.get((year, PERIOD_KINDS[kind]))
            if period is None:
                continue  # a report is checked against its reporting period: none set, nothing to check
            progress = missing_progress.get((workplan["pk"], period.pk), 0)
            values = missing_values.get((workplan["pk"], period.pk), 0)
            item.missing = [{"what": "progress", "count": progress}] if progress else []
            item.missing += [{"what": "values", "count": values}] if values else []
            item.done = not item.missing
            if values and not progress:
                item.link = reverse("results:period-values", args=[workplan["pk"], period.pk])
        if not item.link and workplan is not None:
            item.link = reverse("workplans:detail", args=[workplan["pk"]])
        items.append(item)
    items.sort(key=lambda i: (i.due_on, ORDER.index(i.kind) if i.kind in ORDER else 9, i.team.name))
    return items


def _missing_reports(workplans: dict, periods: dict) -> tuple[dict, dict]:
    """({(workplan id, period id): activities without a progress update in the period},
    {(workplan id, period id): indicators with a target for the period and no total value in it}).
    An activity counts for a period it overlaps, unless cancelled. Four queries."""
    workplan_ids = [w["pk"] for w in workplans.values()]
    year_of = {w["pk"]: w["year"] for w in workplans.values()}
    if not workplan_ids or not periods:
        return {}, {}
    period_list = list(periods.values())
    reported = set(
        ProgressUpdate.objects.filter(activity__workplan_id__in=workplan_ids, period__in=period_list)
        .values_list("activity_id", "period_id")
        .distinct()
    )
    progress: dict = defaultdict(int)
    for activity in (
        Activity.objects.filter(workplan_id__in=workplan_ids)
        .exclude(status=Activity.Status.CANCELLED)
        .values("pk", "workplan_id", "start_date", "end_date")
    ):
        for period in period_list:
            if period.year != year_of[activity["workplan_id"]]:
                continue
            overlaps = activity["start_date"] <= period.end_date and activity["end_date"] >= period.start_date
            if overlaps and (activity["pk"], period.pk) not in reported:
                progress[(activity["workplan_id"], period.pk)] += 1
    entered = set(
        IndicatorValue.objects.filter(
            indicator__output__workplan_id__in=workplan_ids,
            period__in=period_list,
            sex="",
            age_group="",
            subdivision__isnull=True,
        ).values_list("indicator_id", "period_id")
    )
    values: dict = defaultdict(int)
    for row in Indicator.objects.filter(output__workplan_id__in=workplan_ids).values(
        "pk", "output__workplan_id", "targets__year", "targets__period_kind"
    ):
        period = periods.get((row["targets__year"], row["targets__period_kind"]))
        if period is None or period.year != year_of[row["output__workplan_id"]]:
            continue
        if (row["pk"], period.pk) not in entered:
            values[(row["output__workplan_id"], period.pk)] += 1
    return progress, values


def behind_schedule(today: dt.date | None = None, limit: int | None = None) -> list[DueItem]:
    """Deadlines passed and not met, of every active country team and regional group, this year
    and last (an annual report is due early the next year). For the Secretariat."""
    today = today or timezone.localdate()
    teams = Team.objects.coordinating().only("pk", "name", "name_translations", "name_language")
    items = [i for i in schedule(teams, [today.year - 1, today.year], today) if i.is_overdue(today)]
    return items[:limit] if limit else items


# --- people ------------------------------------------------------------------------------------------------------


def people_of(team_ids) -> dict[int, dict[str, set[int]]]:
    """{team id: {"conveners": user ids, "focal_points": user ids}} for running roles (two queries).
    A subnational group's people are its country team's."""
    team_ids = set(team_ids)
    parents = dict(Team.objects.filter(pk__in=team_ids, parent__isnull=False).values_list("pk", "parent_id"))
    wanted = team_ids | set(parents.values())
    today = timezone.localdate()
    found: dict[int, dict[str, set[int]]] = {pk: {"conveners": set(), "focal_points": set()} for pk in wanted}
    for team_id, user_id in ConvenerTerm.objects.filter(
        current_on(today), team_id__in=wanted, person__user__is_active=True
    ).values_list("team_id", "person__user__id"):
        found[team_id]["conveners"].add(user_id)
    for team_id, user_id in FocalPoint.objects.filter(
        current_on(today), current_on(today, "member__"), member__team_id__in=wanted, person__user__is_active=True
    ).values_list("member__team_id", "person__user__id"):
        found[team_id]["focal_points"].add(user_id)
    for child, parent in parents.items():
        for role in ("conveners", "focal_points"):
            found[child][role] |= found[parent][role]
    return {pk: found[pk] for pk in team_ids}


# --- My tasks ----------------------------------------------------------------------------------------------------


@dataclass
class Task:
    kind: str
    title: str
    link: str
    team: Team | None = None
    due_on: dt.date | None = None
    overdue: bool = False
    detail: str = ""


def tasks_for(user, today: dt.date | None = None) -> list[Task]:
    """What the user should do, soonest first: for a convener or focal point, their teams' deadlines
    not met this year, workplans waiting for their signature, access requests and values to decide,
    amendments to submit, their own roster entries to confirm. For the Secretariat: teams behind
    schedule, workplans to acknowledge, e-mails that could not be delivered."""
    today = today or timezone.localdate()
    tasks: list[Task] = []
    roles = team_roles(user)
    tasks += _signature_tasks(user, today)
    if roles.team_ids:
        teams = list(
            Team.objects.filter(pk__in=roles.team_ids, is_active=True).only(
                "pk", "name", "name_translations", "name_language"
            )
        )
        for item in schedule(teams, [today.year], today):
            if item.done:
                continue
            tasks.append(
                Task(
                    kind=f"deadline:{item.kind}",
                    title=_("%(what)s, %(year)s") % {"what": item.label, "year": item.year},
                    link=item.link,
                    team=item.team,
                    due_on=item.due_on,
                    overdue=item.is_overdue(today),
                    detail=item.missing_text(),
                )
            )
        tasks += _convener_tasks(user, roles.convener_of)
        tasks += _entries_to_confirm(user)
    if is_secretariat(user):
        tasks += _secretariat_tasks(today)
    tasks.sort(key=lambda t: (t.due_on is None, t.due_on or dt.date.max, t.kind, t.team.name if t.team else ""))
    return tasks


def _signature_tasks(user, today) -> list[Task]:
    person_id = getattr(user, "person_id", None)
    who = Q(signatory_id=person_id) if person_id else Q(pk__in=[])
    convening = team_roles(user).convener_of
    if convening:
        who |= Q(signatory__isnull=True, round__workplan__team_id__in=convening)
    requests = (
        EndorsementRequest.objects.filter(who, status=EndorsementRequest.Status.PENDING, round__status="open")
        .select_related("round__workplan__team", "agency")
        .order_by("round__respond_by")
    )
    tasks = []
    for request in requests:
        workplan = request.round.workplan
        tasks.append(
            Task(
                kind="endorse",
                title=_("Endorse or return the %(year)s workplan") % {"year": workplan.year}
                + (f" ({request.agency.acronym})" if request.agency_id else ""),
                link=reverse("workplans:endorsement", args=[workplan.pk]),
                team=workplan.team,
                due_on=request.round.respond_by,
                overdue=request.round.respond_by < today,
            )
        )
    return tasks


def _convener_tasks(user, team_ids) -> list[Task]:
    if not team_ids:
        return []
    tasks = []
    for request in (
        AccessRequest.objects.filter(team_id__in=team_ids, status=AccessRequest.Status.PENDING)
        .exclude(requester=user)
        .select_related("team", "requester", "agency")
    ):
        tasks.append(
            Task(
                kind="access_request",
                title=_("Decide %(name)s's request to be a focal point of %(agency)s")
                % {"name": request.requester.get_full_name() or request.requester.username, "agency": request.agency},
                link=reverse("access:request-decide", args=[request.pk]),
                team=request.team,
            )
        )
    waiting = (
        IndicatorValue.objects.filter(
            indicator__output__workplan__team_id__in=team_ids, status=IndicatorValue.Status.SUBMITTED
        )
        .exclude(entered_by=user)
        .values("indicator__output__workplan_id", "indicator__output__workplan__team_id", "period_id")
        .order_by("indicator__output__workplan_id", "period_id")
    )
    counts: dict = defaultdict(int)
    for row in waiting:
        counts[(row["indicator__output__workplan_id"], row["indicator__output__workplan__team_id"],
                row["period_id"])] += 1  # fmt: skip
    teams = Team.objects.in_bulk({team for _w, team, _p in counts})
    for (workplan_id, team_id, period_id), count in counts.items():
        tasks.append(
            Task(
                kind="approve_values",
                title=ngettext(
                    "Approve or return %(count)s indicator value",
                    "Approve or return %(count)s indicator values",
                    count,
                )
                % {"count": count},
                link=reverse("results:period-values", args=[workplan_id, period_id]),
                team=teams.get(team_id),
            )
        )
    for amendment in Amendment.objects.filter(
        workplan__team_id__in=team_ids, status=Amendment.Status.OPEN
    ).select_related("workplan__team"):
        tasks.append(
            Task(
                kind="amendment",
                title=_("Submit amendment %(number)s to the %(year)s workplan")
                % {"number": amendment.number, "year": amendment.workplan.year},
                link=amendment.get_absolute_url(),
                team=amendment.workplan.team,
            )
        )
    return tasks


def _entries_to_confirm(user) -> list[Task]:
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    now = timezone.now()
    day = timezone.localdate(now)
    days = settings.ROSTER_CONFIRM_EVERY_DAYS
    tasks = []
    for entry in unconfirmed(
        FocalPoint.objects.filter(current_on(day), current_on(day, "member__"), person_id=person_id), now, days
    ).select_related("member__team", "member__agency"):
        tasks.append(
            Task(
                kind="confirm_entry",
                title=_("Confirm you are still the focal point of %(agency)s") % {"agency": entry.member.agency},
                link=reverse("teams:detail", args=[entry.member.team_id]) + f"#focal-point-{entry.pk}",
                team=entry.member.team,
            )
        )
    for term in unconfirmed(
        ConvenerTerm.objects.filter(current_on(day), person_id=person_id), now, days
    ).select_related("team"):
        tasks.append(
            Task(
                kind="confirm_entry",
                title=_("Confirm you still convene the team"),
                link=reverse("teams:detail", args=[term.team_id]),
                team=term.team,
            )
        )
    return tasks


def _secretariat_tasks(today) -> list[Task]:
    tasks = []
    for item in behind_schedule(today):
        tasks.append(
            Task(
                kind=f"behind:{item.kind}",
                title=_("%(what)s, %(year)s") % {"what": item.label, "year": item.year},
                link=item.link,
                team=item.team,
                due_on=item.due_on,
                overdue=True,
                detail=item.missing_text(),
            )
        )
    for workplan in to_acknowledge().select_related("team"):
        tasks.append(
            Task(
                kind="acknowledge",
                title=_("Acknowledge the endorsed %(year)s workplan") % {"year": workplan.year},
                link=reverse("workplans:endorsement", args=[workplan.pk]),
                team=workplan.team,
            )
        )
    undelivered = undelivered_emails().count()
    if undelivered:
        tasks.append(
            Task(
                kind="undelivered",
                title=ngettext(
                    "%(count)s e-mail could not be delivered",
                    "%(count)s e-mails could not be delivered",
                    undelivered,
                )
                % {"count": undelivered},
                link=reverse("cycle:undelivered"),
            )
        )
    return tasks


def to_acknowledge():
    return Workplan.objects.filter(status=Workplan.Status.ENDORSED, acknowledged_at__isnull=True).order_by(
        "endorsed_at", "pk"
    )


def undelivered_emails():
    return Email.objects.filter(status__in=[Email.Status.FAILED, Email.Status.UNCONFIRMED])


# --- notifications ----------------------------------------------------------------------------------------------

UNREAD_KEY = "cycle:unread:{}"


def unread_count(user) -> int:
    """The header bell's figure: from the cache, else one COUNT (kept until a notification of this
    user is recorded or read: cycle.services clears it)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    key = UNREAD_KEY.format(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, 3600)
    return count


def notifications_for(user):
    return Notification.objects.filter(recipient=user).select_related("team").order_by("-created_at", "-id")
