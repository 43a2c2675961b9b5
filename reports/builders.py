"""The four reports, as format-independent documents (reports/document.py).

Each builder returns a Report whose sections are computed only when a renderer
asks for them, one after the other; the rows of long tables stream from the
database. Labels go through gettext: the job renders in the requester's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from core.models import current_on
from teams.models import ConvenerTerm, Team
from teams.rules import view_team_contacts
from workplans.models import Activity, Workplan

from . import selectors
from .document import BOOL, DATE, DATETIME, ID, INT, MONEY, PERCENT, Chart, Column, Figures, Report, Table, ratio
from .models import ReportRun
from .selectors import Scope

MAIN_CURRENCY = "USD"


@dataclass(frozen=True)
class Context:
    year: int
    as_of: dt.date
    due: dt.date
    stale_days: int
    pdf_rows: int


def context_for(run: ReportRun) -> Context:
    """Dates the report is computed for; fixed by the run, so a retried job produces the same report."""
    requested_on = run.created_at.date() if run.created_at else dt.date.today()
    return Context(
        year=run.year,
        as_of=selectors.reference_date(run.year, requested_on),
        due=selectors.due_date(run.year, settings.REPORTS_WORKPLAN_DUE),
        stale_days=settings.REPORTS_STALE_ACTIVITY_DAYS,
        pdf_rows=settings.REPORTS_PDF_MAX_ROWS,
    )


def build(run: ReportRun) -> Report:
    context = context_for(run)
    if run.kind == ReportRun.Kind.GLOBAL:
        return overview_report(context, Scope(), None)
    if run.kind == ReportRun.Kind.REGIONAL:
        return overview_report(context, Scope.of_region(run.region), run.region)
    if run.kind == ReportRun.Kind.COUNTRY:
        include_contacts = run.requested_by is None or view_team_contacts.test(run.requested_by, run.team)
        return team_report(context, run.team, include_contacts)
    if run.kind == ReportRun.Kind.DATA_QUALITY:
        return data_quality_report(context, Scope())
    raise ValueError(f"Unknown report kind {run.kind!r}")


# --- labels -----------------------------------------------------------------------------------


def workplan_status_label(status: str | None) -> str:
    if status is None:
        return _("No workplan")
    return str(Workplan.Status(status).label)


def convener_label(agency: str | None, by_rc: bool | None) -> str:
    if agency:
        return agency
    if by_rc:
        return _("Resident Coordinator")
    return ""


def money_columns() -> list[Column]:
    return [
        Column(_("Currency"), width=0.6),
        Column(_("Required"), MONEY),
        Column(_("Available"), MONEY),
        Column(_("Spent"), MONEY),
        Column(_("Available / required (%)"), PERCENT),
        Column(_("Spent / available (%)"), PERCENT),
    ]


def money_cells(row: dict) -> tuple:
    return (
        row["currency"],
        row["required"],
        row["available"],
        row["spent"],
        ratio(row["available"], row["required"]),
        ratio(row["spent"], row["available"]),
    )


def money_chart(title: str, rows: list[dict]) -> Chart | None:
    rows = [row for row in rows if row["currency"] == MAIN_CURRENCY]
    if not rows:
        return None
    return Chart(
        "hbar",
        f"{title} ({MAIN_CURRENCY})",
        [row["group"] or _("Unassigned") for row in rows],
        [
            (_("Required"), [float(row["required"]) for row in rows]),
            (_("Available"), [float(row["available"]) for row in rows]),
            (_("Spent"), [float(row["spent"]) for row in rows]),
        ],
    )


# --- global and regional overview -------------------------------------------------------------


def overview_report(context: Context, scope: Scope, region) -> Report:
    year, as_of = context.year, context.as_of
    regional = region is not None
    if regional:
        title = _("%(region)s: regional coordination report %(year)s") % {"region": region.name, "year": year}
    else:
        title = _("UN Nutrition global coordination overview %(year)s") % {"year": year}

    def sections() -> Iterator:
        yield overview_figures(context, scope)
        coverage = selectors.coverage_by_region(year, scope, as_of, top_level=not regional)
        yield Table(
            _("Coverage by sub-region") if regional else _("Coverage by region"),
            [
                Column(_("Region"), width=2),
                Column(_("Countries with a team"), INT),
                Column(_("With a convener"), INT),
                Column(_("In a SUN platform"), INT),
                Column(_("Workplans endorsed"), INT),
                Column(_("Submitted"), INT),
                Column(_("Draft"), INT),
                Column(_("No workplan"), INT),
                Column(_("Activities"), INT),
            ],
            [
                (
                    g["region"] or _("Unassigned"),
                    g["countries"],
                    g["with_convener"],
                    g["in_sun_platform"],
                    g["endorsed"],
                    g["submitted"],
                    g["draft"],
                    g["none"],
                    g["activities"],
                )
                for g in coverage
            ],
            key="coverage",
            intro=_("Countries with an active country team on %(date)s.") % {"date": as_of.isoformat()},
            chart=Chart(
                "bar",
                _("Country teams"),
                [g["region"] or _("Unassigned") for g in coverage],
                [
                    (_("With a team"), [g["countries"] for g in coverage]),
                    (_("With a convener"), [g["with_convener"] for g in coverage]),
                    (_("In a SUN platform"), [g["in_sun_platform"] for g in coverage]),
                ],
            )
            if coverage
            else None,
        )
        yield workplans_table(context, scope)
        yield activities_table(context, scope)
        money_rows = selectors.money_by(year, scope, "country" if regional else "region")
        yield Table(
            _("Money by country") if regional else _("Money by region"),
            [Column(_("Team") if regional else _("Region"), width=2), *money_columns()],
            [(row["group"] or _("Unassigned"), *money_cells(row)) for row in money_rows],
            key="money_by_country" if regional else "money_by_region",
            intro=_("Budgets of the year's activities, per currency."),
            chart=None if regional else money_chart(_("Money by region"), money_rows),
        )
        area_rows = selectors.money_by(year, scope, "action_area")
        yield Table(
            _("Money by action area"),
            [Column(_("Action area"), width=2), *money_columns()],
            [(row["group"], *money_cells(row)) for row in area_rows],
            key="money_by_area",
            chart=money_chart(_("Money by action area"), area_rows),
        )
        yield participation_table(context, scope)
        yield convener_changes_table(context, scope)
        yield teams_table(context, scope)
        yield from findings_sections(context, scope)

    notes = [
        _("Situation on %(date)s.") % {"date": as_of.isoformat()},
    ]
    if regional:
        notes.append(_("Region: %(region)s, with its sub-regions.") % {"region": region.name})
    subtitle = region.name if regional else _("All countries and regions")
    return Report(title, subtitle, sections, notes, size=9 + len(FINDINGS) + 1)


def overview_figures(context: Context, scope: Scope) -> Figures:
    figures = selectors.key_figures(context.year, scope, context.as_of)
    workplans = figures["workplans"]
    items = [
        (_("Countries with an active country team"), figures["countries"], INT),
        (_("... with a convener"), figures["with_convener"], INT),
        (_("... in a SUN multi-stakeholder platform"), figures["in_sun_platform"], INT),
        (_("Regional groups"), figures["regional_groups"], INT),
        (_("Workplans endorsed"), workplans["endorsed"], INT),
        (_("Workplans submitted"), workplans["submitted"], INT),
        (_("Workplans in draft"), workplans["draft"], INT),
        (_("Teams without a workplan"), workplans["none"], INT),
        (_("Activities"), figures["activities"], INT),
    ]
    for money in figures["money"]:
        currency = money["currency"]
        items += [
            (_("Budget required (%(currency)s)") % {"currency": currency}, money["required"], MONEY),
            (_("Budget available (%(currency)s)") % {"currency": currency}, money["available"], MONEY),
            (_("Budget spent (%(currency)s)") % {"currency": currency}, money["spent"], MONEY),
        ]
    return Figures(_("Key figures"), items)


def workplans_table(context: Context, scope: Scope) -> Table:
    counts = dict.fromkeys(["endorsed", "submitted", "draft", "none"], 0)
    for row in selectors.team_rows(context.year, scope, context.as_of):
        counts[row["workplan_status"] or "none"] += 1
    labels = [workplan_status_label(None if key == "none" else key) for key in counts]
    total = sum(counts.values())
    return Table(
        _("Workplans %(year)s by status") % {"year": context.year},
        [Column(_("Status"), width=2), Column(_("Teams"), INT), Column(_("Share (%)"), PERCENT)],
        [(label, n, ratio(n, total)) for label, n in zip(labels, counts.values(), strict=True)],
        key="workplans",
        intro=_("Country teams and regional groups."),
        chart=Chart("pie", _("Workplans by status"), labels, [(_("Teams"), list(counts.values()))]) if total else None,
    )


def activities_table(context: Context, scope: Scope) -> Table:
    rows = selectors.activities_by_area_and_status(context.year, scope)
    statuses = Activity.Status
    return Table(
        _("Activities by action area and status"),
        [
            Column(_("Action area"), width=2.2),
            *(Column(str(label), INT) for label in statuses.labels),
            Column(_("Total"), INT),
        ],
        [(row["action_area"], *(row[status] for status in statuses.values), row["total"]) for row in rows],
        key="activities",
        chart=Chart(
            "hbar",
            _("Activities by action area"),
            [row["action_area"] for row in rows],
            [(_("Activities"), [row["total"] for row in rows])],
        )
        if any(row["total"] for row in rows)
        else None,
    )


def participation_table(context: Context, scope: Scope) -> Table:
    rows = selectors.agency_participation(context.year, scope, context.as_of)
    return Table(
        _("Agency participation"),
        [
            Column(_("Agency")),
            Column(_("Member of teams"), INT),
            Column(_("... in countries"), INT),
            Column(_("Activities led"), INT),
            Column(_("... in countries"), INT),
            Column(_("Activities joined"), INT),
            Column(_("... in countries"), INT),
        ],
        [
            (
                row["agency"],
                row["member_teams"],
                row["member_countries"],
                row["leads"],
                row["lead_countries"],
                row["joins"],
                row["join_countries"],
            )
            for row in rows
        ],
        key="agencies",
        intro=_("Membership on %(date)s; activities of the year's workplans.") % {"date": context.as_of.isoformat()},
        chart=Chart(
            "hbar",
            _("Countries where the agency leads or joins activities"),
            [row["agency"] for row in rows],
            [
                (_("Leads"), [row["lead_countries"] for row in rows]),
                (_("Joins"), [row["join_countries"] for row in rows]),
            ],
        )
        if rows
        else None,
    )


def convener_changes_table(context: Context, scope: Scope) -> Table:
    roles = dict(ConvenerTerm.Role.choices)
    return Table(
        _("Convener changes in %(year)s") % {"year": context.year},
        [
            Column(_("Team"), width=2.2),
            Column(_("Role")),
            Column(_("Since"), DATE),
            Column(_("Convened by")),
            Column(_("Before")),
            Column(_("Previous term ended"), DATE),
        ],
        (
            (
                row["team__name"],
                str(roles.get(row["role"], row["role"])),
                row["start_date"],
                convener_label(row["agency__acronym"], row["by_resident_coordinator"]),
                convener_label(row["previous_agency"], row["previous_is_rc"]) or _("(first term)"),
                row["previous_end"],
            )
            for row in selectors.convener_changes(context.year, scope)
        ),
        key="convener_changes",
        empty=_("No convener changed in the year."),
        pdf_row_limit=context.pdf_rows,
    )


def teams_table(context: Context, scope: Scope) -> Table:
    kinds = dict(Team.Kind.choices)
    return Table(
        _("Country teams and regional groups"),
        [
            Column(_("Team"), width=2.4),
            Column(_("Kind")),
            Column(_("Country")),
            Column(_("Convener")),
            Column(_("SUN platform"), BOOL, width=0.7),
            Column(_("Members"), INT, width=0.7),
            Column(_("Focal points"), INT, width=0.7),
            Column(_("Workplan")),
            Column(_("Activities"), INT, width=0.7),
        ],
        (
            (
                row["name"],
                str(kinds.get(row["kind"], row["kind"])),
                row["country__name"] or "",
                convener_label(row["convener"], row["convener_is_rc"]) or _("none"),
                row["in_sun_platform"],
                row["member_count"],
                row["focal_point_count"],
                workplan_status_label(row["workplan_status"]),
                row["activity_count"],
            )
            for row in selectors.team_rows(context.year, scope, context.as_of)
        ),
        key="teams",
        empty=_("No active team."),
    )


# --- data quality ------------------------------------------------------------------------------

FINDINGS = ["no_convener", "no_focal_point", "not_submitted", "status_vs_dates", "stale"]


def finding_titles(context: Context) -> dict[str, str]:
    return {
        "no_convener": _("Teams without a convener"),
        "no_focal_point": _("Member agencies without a focal point"),
        "not_submitted": _("Workplans not submitted by %(date)s") % {"date": context.due.isoformat()},
        "status_vs_dates": _("Activities whose status disagrees with their dates"),
        "stale": _("Activities not updated in %(days)s days") % {"days": context.stale_days},
    }


def findings_summary(context: Context, scope: Scope, lists: dict) -> Table:
    titles = finding_titles(context)
    counts = [(titles[key], lists[key].count()) for key in FINDINGS]
    return Table(
        _("Data-quality findings"),
        [Column(_("Finding"), width=3), Column(_("Count"), INT)],
        counts,
        key="findings",
        intro=_("Situation on %(date)s. Details follow.") % {"date": context.as_of.isoformat()},
        chart=Chart(
            "hbar", _("Data-quality findings"), [t for t, _n in counts], [(_("Findings"), [n for _t, n in counts])]
        )
        if any(n for _t, n in counts)
        else None,
    )


def findings_sections(context: Context, scope: Scope) -> Iterator[Table]:
    lists = selectors.findings(context.year, scope, context.as_of, context.due, context.stale_days)
    titles = finding_titles(context)
    as_of = context.as_of
    yield findings_summary(context, scope, lists)

    yield Table(
        titles["no_convener"],
        [Column(_("Team"), width=2.4), Column(_("Country")), Column(_("Last convener")), Column(_("Ended"), DATE)],
        (
            (
                row["name"],
                row["country__name"] or "",
                convener_label(row["last_agency"], row["last_is_rc"]) or _("never had one"),
                row["last_end"],
            )
            for row in selectors.stream(lists["no_convener"])
        ),
        key="no_convener",
        empty=_("Every team has a convener."),
        pdf_row_limit=context.pdf_rows,
    )
    yield Table(
        titles["no_focal_point"],
        [Column(_("Team"), width=2.4), Column(_("Country")), Column(_("Agency")), Column(_("Member since"), DATE)],
        (
            (row["team__name"], row["team__country__name"] or "", row["agency__acronym"], row["start_date"])
            for row in selectors.stream(lists["no_focal_point"])
        ),
        key="no_focal_point",
        empty=_("Every member agency has named a focal point."),
        pdf_row_limit=context.pdf_rows,
    )
    not_due = as_of <= context.due
    yield Table(
        titles["not_submitted"],
        [
            Column(_("Team"), width=2.4),
            Column(_("Country")),
            Column(_("Situation")),
            Column(_("Last change"), DATETIME),
            Column(_("Convener to ask")),
        ],
        (
            (
                row["name"],
                row["country__name"] or "",
                workplan_status_label(row["workplan_status"]),
                row["workplan_updated"],
                row["convener"] or _("none"),
            )
            for row in selectors.stream(lists["not_submitted"])
        ),
        key="not_submitted",
        empty=_("Not due yet.") if not_due else _("Every team submitted its workplan."),
        pdf_row_limit=context.pdf_rows,
    )
    yield Table(
        titles["status_vs_dates"],
        [
            *activity_columns(),
            Column(_("Problem"), width=2.2),
            Column(_("Days late"), INT, width=0.6),
        ],
        ((*activity_cells(row), *status_problem(row, as_of)) for row in selectors.stream(lists["status_vs_dates"])),
        key="status_vs_dates",
        empty=_("Every activity's status fits its dates."),
        pdf_row_limit=context.pdf_rows,
    )
    yield Table(
        titles["stale"],
        [
            *activity_columns(),
            Column(_("Last progress update"), DATE),
            Column(_("Days without update"), INT, width=0.7),
        ],
        ((*activity_cells(row), *staleness(row, as_of)) for row in selectors.stream(lists["stale"])),
        key="stale",
        empty=_("Every activity under way has recent progress."),
        pdf_row_limit=context.pdf_rows,
    )


def activity_columns() -> list[Column]:
    return [
        Column(_("Team"), width=1.8),
        Column(_("Activity id"), ID, width=0.6),
        Column(_("Activity"), width=2.6),
        Column(_("Lead"), width=0.7),
        Column(_("Status"), width=1.1),
        Column(_("Start"), DATE, width=0.8),
        Column(_("End"), DATE, width=0.8),
    ]


def activity_cells(row: dict) -> tuple:
    return (
        row["workplan__team__name"],
        row["pk"],
        row["title"],
        row["lead_agency__acronym"],
        str(Activity.Status(row["status"]).label),
        row["start_date"],
        row["end_date"],
    )


def status_problem(row: dict, as_of: dt.date) -> tuple[str, int]:
    if row["status"] == Activity.Status.IMPLEMENTATION:
        return _("In implementation after its end date"), (as_of - row["end_date"]).days
    return _("Still in the pipeline after its start date"), (as_of - row["start_date"]).days


def staleness(row: dict, as_of: dt.date) -> tuple:
    last = row["last_progress_at"].date() if row["last_progress_at"] else None
    return last, (as_of - (last or row["start_date"])).days


def data_quality_report(context: Context, scope: Scope) -> Report:
    def sections() -> Iterator:
        yield Figures(
            _("About these alerts"),
            [
                (_("Situation on"), context.as_of, DATE),
                (_("Workplans due by"), context.due, DATE),
                (_("An activity is stale after (days)"), context.stale_days, INT),
            ],
            key="about",
        )
        yield from findings_sections(context, scope)

    return Report(
        _("UN Nutrition data-quality alerts %(year)s") % {"year": context.year},
        _("All countries and regions"),
        sections,
        [_("Situation on %(date)s.") % {"date": context.as_of.isoformat()}],
        size=1 + len(FINDINGS) + 1,
    )


# --- one team ---------------------------------------------------------------------------------


def team_report(context: Context, team: Team, include_contacts: bool) -> Report:
    year, as_of = context.year, context.as_of
    scope = Scope.of_team(team)
    workplan = Workplan.objects.filter(team=team, year=year).first()

    def sections() -> Iterator:
        yield team_figures(context, team, workplan)
        contact_columns = [Column(_("E-mail"), width=1.8), Column(_("Phone"), width=1.2)] if include_contacts else []
        yield Table(
            _("Members and technical focal points"),
            [
                Column(_("Agency"), width=0.8),
                Column(_("Member since"), DATE, width=0.8),
                Column(_("Focal point"), width=1.5),
                Column(_("Title"), width=1.8),
                *contact_columns,
                Column(_("Primary"), BOOL, width=0.6),
                Column(_("Focal point since"), DATE, width=0.8),
            ],
            (roster_cells(member, fp, include_contacts) for member, fp in selectors.roster(team, as_of)),
            key="roster",
            intro=_("On %(date)s.") % {"date": as_of.isoformat()}
            + ("" if include_contacts else " " + _("Contact details are shown to the team and the Secretariat only.")),
            empty=_("No member agency."),
        )
        roles = dict(ConvenerTerm.Role.choices)
        yield Table(
            _("Convener history"),
            [
                Column(_("Role")),
                Column(_("Convened by")),
                Column(_("Person"), width=1.5),
                Column(_("From"), DATE),
                Column(_("To"), DATE),
            ],
            (
                (
                    str(roles.get(term.role, term.role)),
                    convener_label(term.agency.acronym if term.agency else None, term.by_resident_coordinator),
                    str(term.person) if term.person else "",
                    term.start_date,
                    term.end_date,
                )
                for term in selectors.convener_history(team)
            ),
            key="conveners",
            empty=_("No convener recorded."),
        )
        yield Table(
            _("Multi-stakeholder platforms"),
            [
                Column(_("Platform"), width=2.5),
                Column(_("SUN platform"), BOOL, width=0.7),
                Column(_("Government-led"), BOOL, width=0.7),
                Column(_("Functioning")),
                Column(_("Chaired by"), width=1.5),
                Column(_("Since"), DATE),
            ],
            (
                (
                    link.platform.name,
                    link.platform.is_sun_platform,
                    link.platform.government_led,
                    link.platform.get_functioning_display(),
                    link.platform.chairing_ministry,
                    link.since,
                )
                for link in selectors.platforms(team)
            ),
            key="platforms",
            empty=_("The team takes part in no recorded platform."),
        )
        counts = selectors.activity_status_counts(year, scope)
        yield Table(
            _("Workplan %(year)s: activities") % {"year": year},
            [
                Column(_("Activity"), width=2.6),
                Column(_("Action area"), width=1.3),
                Column(_("Lead"), width=0.7),
                Column(_("With"), width=1.1),
                Column(_("Start"), DATE, width=0.8),
                Column(_("End"), DATE, width=0.8),
                Column(_("Status"), width=1.1),
                Column(_("Progress (%)"), INT, width=0.7),
                Column(_("Last update"), DATE, width=0.8),
                Column(_("Currency"), width=0.6),
                Column(_("Required"), MONEY, width=0.9),
                Column(_("Available"), MONEY, width=0.9),
                Column(_("Spent"), MONEY, width=0.9),
            ],
            (
                (
                    activity.title,
                    activity.action_area.name,
                    activity.lead_agency.acronym,
                    ", ".join(a.acronym for a in activity.participating_agencies.all()),
                    activity.start_date,
                    activity.end_date,
                    activity.get_status_display(),
                    activity.latest_percent,
                    activity.latest_on,
                    activity.currency,
                    activity.budget_required,
                    activity.budget_available,
                    activity.budget_spent,
                )
                for activity in selectors.activity_rows(workplan)
            ),
            key="activities",
            intro=workplan_intro(workplan, year),
            empty=_("No activity."),
            chart=Chart(
                "bar",
                _("Activities by status"),
                [str(label) for label in Activity.Status.labels],
                [(_("Activities"), list(counts.values()))],
            )
            if any(counts.values())
            else None,
        )
        area_rows = selectors.money_by(year, scope, "action_area")
        yield Table(
            _("Money by action area"),
            [Column(_("Action area"), width=2), *money_columns()],
            [(row["group"], *money_cells(row)) for row in area_rows],
            key="money_by_area",
            empty=_("No activity."),
            chart=money_chart(_("Money by action area"), area_rows),
        )
        yield Table(
            _("Resources mobilised"),
            [
                Column(_("Date"), DATE, width=0.8),
                Column(_("Source"), width=1.8),
                Column(_("Purpose"), width=2.6),
                Column(_("Currency"), width=0.6),
                Column(_("Amount"), MONEY),
                Column(_("Workplan year"), width=0.7),
            ],
            (
                (
                    resource.received_on,
                    resource.source,
                    resource.purpose,
                    resource.currency,
                    resource.amount,
                    str(resource.workplan.year) if resource.workplan else "",
                )
                for resource in selectors.resources_mobilised(team)
            ),
            key="resources",
            empty=_("No resources mobilised recorded."),
        )
        yield from findings_sections(context, scope)

    where = team.country.name if team.country_id else (team.region.name if team.region_id else "")
    return Report(
        _("%(team)s: country report %(year)s") % {"team": team.name, "year": year},
        where,
        sections,
        [_("Situation on %(date)s.") % {"date": as_of.isoformat()}],
        size=7 + len(FINDINGS) + 1,
    )


def roster_cells(member, focal_point, include_contacts: bool) -> tuple:
    if focal_point is None:
        contacts = ("", "") if include_contacts else ()
        return (member.agency.acronym, member.start_date, _("none named"), "", *contacts, None, None)
    person = focal_point.person
    contacts = (person.email, person.phone) if include_contacts else ()
    return (
        member.agency.acronym,
        member.start_date,
        str(person),
        person.title,
        *contacts,
        focal_point.is_primary,
        focal_point.start_date,
    )


def workplan_intro(workplan: Workplan | None, year: int) -> str:
    if workplan is None:
        return _("The team has no workplan for %(year)s.") % {"year": year}
    parts = [_("Status: %(status)s.") % {"status": workplan.get_status_display()}]
    if workplan.submitted_at:
        parts.append(_("Submitted on %(date)s.") % {"date": workplan.submitted_at.date().isoformat()})
    if workplan.endorsed_at:
        parts.append(_("Endorsed on %(date)s.") % {"date": workplan.endorsed_at.date().isoformat()})
    return " ".join(parts)


def team_figures(context: Context, team: Team, workplan: Workplan | None) -> Figures:
    as_of = context.as_of
    terms = {
        term.role: term
        for term in team.convener_terms.filter(current_on(as_of)).select_related("agency").order_by("-pk")
    }

    def convener(role):
        term = terms.get(role)
        if term is None:
            return _("none")
        label = convener_label(term.agency.acronym if term.agency else None, term.by_resident_coordinator)
        return f"{label} ({_('since %(date)s') % {'date': term.start_date.isoformat()}})" if term.start_date else label

    scope = Scope.of_team(team)
    items = [
        (_("Team"), team.name, "text"),
        (_("Kind"), team.get_kind_display(), "text"),
    ]
    if team.country_id:
        items.append((_("Country"), team.country.name, "text"))
    if team.region_id:
        items.append((_("Region"), team.region.name, "text"))
    items += [
        (_("Established"), team.established_on, DATE),
        (_("Meets"), team.get_meeting_frequency_display() or "", "text"),
        (_("Works with the Resident Coordinator"), team.works_with_resident_coordinator, BOOL),
        (_("Convener"), convener(ConvenerTerm.Role.CONVENER), "text"),
        (_("Co-convener"), convener(ConvenerTerm.Role.CO_CONVENER), "text"),
        (
            _("Workplan %(year)s") % {"year": context.year},
            workplan_status_label(workplan.status if workplan else None),
            "text",
        ),
        (_("Activities"), sum(selectors.activity_status_counts(context.year, scope).values()), INT),
    ]
    for money in selectors.money_totals(context.year, scope):
        currency = money["currency"]
        items += [
            (_("Budget required (%(currency)s)") % {"currency": currency}, money["required"], MONEY),
            (_("Budget available (%(currency)s)") % {"currency": currency}, money["available"], MONEY),
            (_("Budget spent (%(currency)s)") % {"currency": currency}, money["spent"], MONEY),
        ]
    return Figures(_("Key figures"), items)
