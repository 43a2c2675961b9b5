"""The country report: one team (a country team or a regional group), its people, workplan and money."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from teams.models import ConvenerTerm, Team
from workplans.models import Activity, Workplan

from .. import selectors
from ..document import BOOL, DATE, INT, MONEY, Chart, Column, Figures, Report, Table
from ..selectors import Scope
from .data_quality import FINDINGS_SIZE, findings_sections
from .names import action_area_name, country_name, region_name
from .results import team_results_table
from .shared import (
    Context,
    TableSpec,
    convener_label,
    money_by_area_table,
    money_figures,
    role_label,
    workplan_status_label,
)


def team_report(context: Context, team: Team, include_contacts: bool) -> Report:
    scope = Scope.of_team(team)
    workplan = Workplan.objects.filter(team=team, year=context.year).first()

    def sections() -> Iterator:
        yield team_figures(context, team, workplan)
        yield roster_table(context, team, include_contacts)
        yield conveners_table(team)
        yield platforms_table(team)
        yield activities_table(context, scope, workplan)
        yield team_results_table(context, team)
        yield money_by_area_table(context, scope, empty=_("No activity."))
        yield resources_table(team)
        yield from findings_sections(context, scope)

    where = (
        country_name(team.country.name)
        if team.country_id
        else (region_name(team.region.name) if team.region_id else "")
    )
    return Report(
        _("%(team)s: country report %(year)s") % {"team": team.name, "year": context.year},
        where,
        sections,
        [_("Situation on %(date)s.") % {"date": context.as_of.isoformat()}],
        size=8 + FINDINGS_SIZE,
    )


# --- key figures ------------------------------------------------------------------------------


def team_figures(context: Context, team: Team, workplan: Workplan | None) -> Figures:
    as_of = context.as_of
    terms = {term.role: term for term in team.convener_terms.running_on(as_of).select_related("agency").order_by("-pk")}

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
        items.append((_("Country"), country_name(team.country.name), "text"))
    if team.region_id:
        items.append((_("Region"), region_name(team.region.name), "text"))
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
        *money_figures(selectors.money_totals(context.year, scope)),
    ]
    return Figures(_("Key figures"), items)


# --- members and focal points -----------------------------------------------------------------


def roster_spec(include_contacts: bool) -> TableSpec:
    """Contact details (e-mail, phone) only for those who may see them (teams.rules.view_team_contacts)."""

    def columns() -> list[Column]:
        contacts = [Column(_("E-mail"), width=1.8), Column(_("Phone"), width=1.2)] if include_contacts else []
        return [
            Column(_("Agency"), width=0.8),
            Column(_("Member since"), DATE, width=0.8),
            Column(_("Focal point"), width=1.5),
            Column(_("Job title"), width=1.8),
            *contacts,
            Column(_("Primary"), BOOL, width=0.6),
            Column(_("Focal point since"), DATE, width=0.8),
        ]

    def cells(row) -> tuple:
        member, focal_point = row
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

    return TableSpec(columns, cells)


def roster_table(context: Context, team: Team, include_contacts: bool) -> Table:
    intro = _("On %(date)s.") % {"date": context.as_of.isoformat()}
    if not include_contacts:
        intro += " " + _("Contact details are shown to the team and the Secretariat only.")
    return roster_spec(include_contacts).table(
        _("Members and technical focal points"),
        selectors.roster(team, context.as_of),
        key="roster",
        short_title=_("Members and focal points"),
        intro=intro,
        empty=_("No member agency."),
    )


# --- convener history -------------------------------------------------------------------------

CONVENERS = TableSpec(
    columns=lambda: [
        Column(_("Role")),
        Column(_("Convened by")),
        Column(_("Person"), width=1.5),
        Column(_("From"), DATE),
        Column(_("To"), DATE),
    ],
    cells=lambda term: (
        role_label(term.role),
        convener_label(term.agency.acronym if term.agency else None, term.by_resident_coordinator),
        str(term.person) if term.person else "",
        term.start_date,
        term.end_date,
    ),
)


def conveners_table(team: Team) -> Table:
    return CONVENERS.table(
        _("Convener history"),
        selectors.convener_history(team),
        key="conveners",
        empty=_("No convener recorded."),
    )


# --- multi-stakeholder platforms --------------------------------------------------------------

PLATFORMS = TableSpec(
    columns=lambda: [
        Column(_("Platform"), width=2.5),
        Column(_("SUN platform"), BOOL, width=0.7),
        Column(_("Government-led"), BOOL, width=0.7),
        Column(_("Functioning")),
        Column(_("Chaired by"), width=1.5),
        Column(_("Since"), DATE),
    ],
    cells=lambda link: (
        link.platform.name,
        link.platform.is_sun_platform,
        link.platform.government_led,
        link.platform.get_functioning_display(),
        link.platform.chairing_ministry,
        link.since,
    ),
)


def platforms_table(team: Team) -> Table:
    return PLATFORMS.table(
        _("Multi-stakeholder platforms"),
        selectors.platforms(team),
        key="platforms",
        empty=_("The team takes part in no recorded platform."),
    )


# --- the year's activities --------------------------------------------------------------------

ACTIVITIES = TableSpec(
    columns=lambda: [
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
    cells=lambda activity: (
        activity.title,
        action_area_name(activity.action_area.name),
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
    ),
)


def workplan_intro(workplan: Workplan | None, year: int) -> str:
    if workplan is None:
        return _("The team has no workplan for %(year)s.") % {"year": year}
    parts = [_("Status: %(status)s.") % {"status": workplan.get_status_display()}]
    if workplan.submitted_at:
        parts.append(_("Submitted on %(date)s.") % {"date": workplan.submitted_at.date().isoformat()})
    if workplan.endorsed_at:
        parts.append(_("Endorsed on %(date)s.") % {"date": workplan.endorsed_at.date().isoformat()})
    if workplan.amendment_number:
        parts.append(_("Amendment %(number)s in force.") % {"number": workplan.amendment_number})
    return " ".join(parts)


def activities_table(context: Context, scope: Scope, workplan: Workplan | None) -> Table:
    counts = selectors.activity_status_counts(context.year, scope)
    return ACTIVITIES.table(
        _("Workplan %(year)s: activities") % {"year": context.year},
        selectors.activity_rows(workplan),
        key="activities",
        intro=workplan_intro(workplan, context.year),
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


# --- resources mobilised ----------------------------------------------------------------------

RESOURCES = TableSpec(
    columns=lambda: [
        Column(_("Date"), DATE, width=0.8),
        Column(_("Source"), width=1.8),
        Column(_("Purpose"), width=2.6),
        Column(_("Currency"), width=0.6),
        Column(_("Amount"), MONEY),
        Column(_("Workplan year"), width=0.7),
    ],
    cells=lambda resource: (
        resource.received_on,
        resource.source,
        resource.purpose,
        resource.currency,
        resource.amount,
        str(resource.workplan.year) if resource.workplan else "",
    ),
)


def resources_table(team: Team) -> Table:
    return RESOURCES.table(
        _("Resources mobilised"),
        selectors.resources_mobilised(team),
        key="resources",
        empty=_("No resources mobilised recorded."),
    )
