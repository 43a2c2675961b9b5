"""The global coordination overview, and the regional report: the same sections for one region."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from workplans.models import Activity

from .. import selectors
from ..document import BOOL, DATE, INT, PERCENT, Chart, Column, Figures, Report, Table, ratio
from ..selectors import Scope
from .data_quality import FINDINGS_SIZE, findings_sections
from .funding import SIZE as FUNDING_SIZE
from .funding import funding_sections
from .names import action_area_name, country_name, region_name
from .results import SIZE as RESULTS_SIZE
from .results import results_sections
from .shared import (
    Context,
    TableSpec,
    convener_label,
    money_by_area_table,
    money_cells,
    money_chart,
    money_columns,
    money_figures,
    role_label,
    team_kind_label,
    workplan_status_label,
)


def overview_report(context: Context, scope: Scope, region) -> Report:
    """The global overview (region None) or a region's report (scope: the region and its sub-regions)."""
    year, as_of = context.year, context.as_of
    regional = region is not None
    if regional:
        title = _("%(region)s: regional coordination report %(year)s") % {
            "region": region_name(region.name),
            "year": year,
        }
    else:
        title = _("UN Nutrition global coordination overview %(year)s") % {"year": year}

    def sections() -> Iterator:
        yield overview_figures(context, scope)
        yield coverage_table(context, scope, regional)
        yield workplans_table(context, scope)
        yield activities_table(context, scope)
        yield money_by_group_table(context, scope, regional)
        yield money_by_area_table(context, scope)
        yield from funding_sections(context, scope)
        yield participation_table(context, scope)
        yield convener_changes_table(context, scope)
        yield teams_table(context, scope)
        yield from results_sections(context, scope, regional)
        yield from findings_sections(context, scope)

    notes = [
        _("Situation on %(date)s.") % {"date": as_of.isoformat()},
    ]
    if regional:
        notes.append(_("Region: %(region)s, with its sub-regions.") % {"region": region_name(region.name)})
    subtitle = region_name(region.name) if regional else _("All countries and regions")
    return Report(title, subtitle, sections, notes, size=9 + FUNDING_SIZE + RESULTS_SIZE + FINDINGS_SIZE)


# --- key figures ------------------------------------------------------------------------------


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
        *money_figures(figures["money"]),
    ]
    return Figures(_("Key figures"), items)


# --- coverage by region -----------------------------------------------------------------------

COVERAGE = TableSpec(
    columns=lambda: [
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
    cells=lambda g: (
        region_name(g["region"]) or _("Unassigned"),
        g["countries"],
        g["with_convener"],
        g["in_sun_platform"],
        g["endorsed"],
        g["submitted"],
        g["draft"],
        g["none"],
        g["activities"],
    ),
)


def coverage_table(context: Context, scope: Scope, regional: bool) -> Table:
    coverage = selectors.coverage_by_region(context.year, scope, context.as_of, top_level=not regional)
    return COVERAGE.table(
        _("Coverage by sub-region") if regional else _("Coverage by region"),
        coverage,
        key="coverage",
        intro=_("Countries with an active country team on %(date)s.") % {"date": context.as_of.isoformat()},
        chart=Chart(
            "bar",
            _("Country teams"),
            [region_name(g["region"]) or _("Unassigned") for g in coverage],
            [
                (_("With a team"), [g["countries"] for g in coverage]),
                (_("With a convener"), [g["with_convener"] for g in coverage]),
                (_("In a SUN platform"), [g["in_sun_platform"] for g in coverage]),
            ],
        )
        if coverage
        else None,
    )


# --- workplans by status ----------------------------------------------------------------------

WORKPLANS = TableSpec(
    columns=lambda: [Column(_("Status"), width=2), Column(_("Teams"), INT), Column(_("Share (%)"), PERCENT)],
    cells=lambda row: (row["label"], row["teams"], ratio(row["teams"], row["total"])),
)


def workplans_table(context: Context, scope: Scope) -> Table:
    counts = selectors.workplan_counts(context.year, scope)
    labels = [workplan_status_label(None if key == "none" else key) for key in counts]
    total = sum(counts.values())
    return WORKPLANS.table(
        _("Workplans %(year)s by status") % {"year": context.year},
        [{"label": label, "teams": n, "total": total} for label, n in zip(labels, counts.values(), strict=True)],
        key="workplans",
        intro=_("Country teams and regional groups."),
        chart=Chart("pie", _("Workplans by status"), labels, [(_("Teams"), list(counts.values()))]) if total else None,
    )


# --- activities by action area and status -----------------------------------------------------

ACTIVITIES = TableSpec(
    columns=lambda: [
        Column(_("Action area"), width=2.2),
        *(Column(str(label), INT) for label in Activity.Status.labels),
        Column(_("Total"), INT),
    ],
    cells=lambda row: (
        action_area_name(row["action_area"]),
        *(row[status] for status in Activity.Status.values),
        row["total"],
    ),
)


def activities_table(context: Context, scope: Scope) -> Table:
    rows = selectors.activities_by_area_and_status(context.year, scope)
    return ACTIVITIES.table(
        _("Activities by action area and status"),
        rows,
        key="activities",
        short_title=_("Activities by area and status"),
        chart=Chart(
            "hbar",
            _("Activities by action area"),
            [action_area_name(row["action_area"]) for row in rows],
            [(_("Activities"), [row["total"] for row in rows])],
        )
        if any(row["total"] for row in rows)
        else None,
    )


# --- money by region (global) or by country (regional) ----------------------------------------


def money_by_group_spec(regional: bool) -> TableSpec:
    return TableSpec(
        columns=lambda: [Column(_("Team") if regional else _("Region"), width=2), *money_columns()],
        cells=lambda row: (
            (row["group"] if regional else region_name(row["group"])) or _("Unassigned"),
            *money_cells(row),
        ),
    )


def money_by_group_table(context: Context, scope: Scope, regional: bool) -> Table:
    rows = selectors.money_by(context.year, scope, "country" if regional else "region")
    return money_by_group_spec(regional).table(
        _("Money by country") if regional else _("Money by region"),
        rows,
        key="money_by_country" if regional else "money_by_region",
        intro=_("Budgets of the year's activities, per currency."),
        chart=None if regional else money_chart(_("Money by region"), rows, region_name),
    )


# --- agency participation ---------------------------------------------------------------------

PARTICIPATION = TableSpec(
    columns=lambda: [
        Column(_("Agency")),
        Column(_("Member of teams"), INT),
        Column(_("... in countries"), INT),
        Column(_("Activities led"), INT),
        Column(_("... in countries"), INT),
        Column(_("Activities joined"), INT),
        Column(_("... in countries"), INT),
    ],
    cells=lambda row: (
        row["agency"],
        row["member_teams"],
        row["member_countries"],
        row["leads"],
        row["lead_countries"],
        row["joins"],
        row["join_countries"],
    ),
)


def participation_table(context: Context, scope: Scope) -> Table:
    rows = selectors.agency_participation(context.year, scope, context.as_of)
    return PARTICIPATION.table(
        _("Agency participation"),
        rows,
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


# --- convener changes in the year -------------------------------------------------------------

CONVENER_CHANGES = TableSpec(
    columns=lambda: [
        Column(_("Team"), width=2.2),
        Column(_("Role")),
        Column(_("Since"), DATE),
        Column(_("Convened by")),
        Column(_("Before")),
        Column(_("Previous term ended"), DATE),
    ],
    cells=lambda row: (
        row["team__name"],
        role_label(row["role"]),
        row["start_date"],
        _("nobody: no successor")
        if row.get("vacant")
        else convener_label(row["agency__acronym"], row["by_resident_coordinator"]),
        convener_label(row["previous_agency"], row["previous_is_rc"]) or _("(first term)"),
        row["previous_end"],
    ),
)


def convener_changes_table(context: Context, scope: Scope) -> Table:
    return CONVENER_CHANGES.table(
        _("Convener changes in %(year)s") % {"year": context.year},
        selectors.convener_changes(context.year, scope),
        key="convener_changes",
        empty=_("No convener changed in the year."),
        pdf_row_limit=context.pdf_rows,
    )


# --- every team -------------------------------------------------------------------------------

TEAMS = TableSpec(
    columns=lambda: [
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
    cells=lambda row: (
        row["name"],
        team_kind_label(row["kind"]),
        country_name(row["country__name"]),
        convener_label(row["convener"], row["convener_is_rc"]) or _("none"),
        row["in_sun_platform"],
        row["member_count"],
        row["focal_point_count"],
        workplan_status_label(row["workplan_status"]),
        row["activity_count"],
    ),
)


def teams_table(context: Context, scope: Scope) -> Table:
    return TEAMS.table(
        _("Country teams and regional groups"),
        selectors.team_rows(context.year, scope, context.as_of),
        key="teams",
        short_title=_("Teams and regional groups"),
        empty=_("No active team."),
    )
