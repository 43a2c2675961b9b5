"""Joint results in the reports: indicators on track by region (or country) and by action area, the
standard indicators across countries, and each team's outputs and indicators against their targets.

The figures are results.selectors' (the dashboard's): only approved totals count, "on track" is
judged there once. Values are shown as the portal shows them (32.5%, yes, 1,200, words)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from results.models import Indicator, Unit
from results.selectors import indicator_rows, results_summary, status_label
from teams.models import Team
from workplans.models import ActionArea, ReportingPeriod

from ..document import INT, PERCENT, Column, Figures, Table
from ..selectors import Scope
from .names import action_area_name, country_name, region_name
from .shared import Context, TableSpec

# Sections `results_sections` yields (the job's progress is counted in sections).
SIZE = 4


def shown(value, unit: str) -> str:
    """A value as the portal shows it: 32.5%, yes, 1,200, or a qualitative result's words."""
    from .. import document

    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal | int | float):
        return str(value)
    if unit == Unit.YES_NO:
        return _("yes") if value == 1 else _("no")
    whole = Decimal(value) == Decimal(value).to_integral_value()
    text = document.number(value) if whole else f"{Decimal(value):.1f}"
    return f"{text}%" if unit == Unit.PERCENT else text


def _scope_q(scope: Scope) -> Q:
    return scope.teams("output__workplan__team__")


def results_sections(context: Context, scope: Scope, regional: bool) -> Iterator:
    """The global or regional report's results: figures, on track by region (by country in a regional
    report) and by action area, the standard indicators across countries."""
    summary = results_summary(context.year, _scope_q(scope), unassigned="")
    yield results_figures(context, summary)
    if regional:
        yield on_track_by_country_table(context, scope)
    else:
        yield on_track_table(
            _("Indicators on track by region"), _("Region"), summary["by_region"], region_name, "results_by_region"
        )
    areas = dict(ActionArea.objects.values_list("code", "name"))
    yield on_track_table(
        _("Indicators on track by action area"),
        _("Action area"),
        summary["by_action_area"],
        lambda code: action_area_name(areas.get(code, code)),
        "results_by_area",
    )
    yield standard_table(context, summary)


def results_figures(context: Context, summary: dict) -> Figures:
    return Figures(
        _("Joint results %(year)s") % {"year": context.year},
        [
            (_("Indicators in the year's workplans"), summary["indicators"], INT),
            (_("On track"), summary["on_track"], INT),
            (_("Off track"), summary["off_track"], INT),
            (_("No data"), summary["no_data"], INT),
            (_("Not rated (qualitative)"), summary["not_rated"], INT),
            (_("Share on track (%)"), summary["share"], PERCENT),
        ],
        key="results",
        intro=_(
            "Only approved values count. An indicator without an approved value or a target counts as no data; "
            "the share on track leaves out the qualitative ones."
        ),
    )


def on_track_spec(head: str, name) -> TableSpec:
    return TableSpec(
        columns=lambda: [
            Column(head, width=2.2),
            Column(_("Indicators"), INT),
            Column(_("On track"), INT),
            Column(_("Off track"), INT),
            Column(_("No data"), INT),
            Column(_("Share on track (%)"), PERCENT),
        ],
        cells=lambda row: (
            name(row["group"]) or _("Unassigned"),
            row["indicators"],
            row["on_track"],
            row["off_track"],
            row["no_data"],
            row["share"],
        ),
    )


def on_track_table(title: str, head: str, rows: list[dict], name, key: str) -> Table:
    return on_track_spec(head, name).table(title, rows, key=key, empty=_("No indicator in the year's workplans."))


def on_track_by_country_table(context: Context, scope: Scope) -> Table:
    """A regional report: the same counts per team (country team or regional group)."""
    from results.selectors import share_on_track, status_counts

    rows = indicator_rows(Indicator.objects.filter(_scope_q(scope)), year=context.year)
    by_team: dict[str, list] = {}
    for row in rows:
        label = country_name(row["output__workplan__team__country__name"]) or row["output__workplan__team__name"]
        by_team.setdefault(label, []).append(row)
    groups = []
    for label, members in sorted(by_team.items()):
        counts = status_counts(members)
        groups.append({"group": label, "indicators": len(members), **counts, "share": share_on_track(counts)})
    return on_track_table(_("Indicators on track by country"), _("Country"), groups, str, "results_by_country")


STANDARD = TableSpec(
    columns=lambda: [
        Column(_("Standard indicator"), width=2.6),
        Column(_("SDG indicator"), width=0.7),
        Column(_("Countries"), INT),
        Column(_("Reporting"), INT),
        Column(_("On track"), INT),
        Column(_("Off track"), INT),
        Column(_("No data"), INT),
        Column(_("Median of latest values")),
    ],
    cells=lambda row: (
        row["localized_name"],
        row["sdg_indicator"],
        row["countries"],
        row["reporting"],
        row["on_track"],
        row["off_track"],
        row["no_data"],
        shown(row["median"], row["unit"]),
    ),
)


def standard_table(context: Context, summary: dict) -> Table:
    return STANDARD.table(
        _("Standard indicators across countries"),
        [row for row in summary["standard"] if row["teams"]],
        key="standard_indicators",
        short_title=_("Standard indicators"),
        intro=_("The Secretariat's catalogue: teams using each indicator in %(year)s and how they stand.")
        % {"year": context.year},
        empty=_("No team uses a standard indicator this year."),
    )


# --- the country report: one team's outputs and indicators ------------------------------------------


def team_results_spec(year: int) -> TableSpec:
    annual = (year, ReportingPeriod.Kind.ANNUAL)

    def target(row):
        value = row["targets"].get(annual)
        return shown(value, row["unit"]) if value is not None else row["target_texts"].get(annual, "")

    def value(row, kind):
        found = row["values"].get(kind)
        if not found:
            return ""
        return shown(found["value"], row["unit"]) if found["value"] is not None else found["text"]

    def baseline(row):
        text = shown(row["baseline_value"], row["unit"]) if row["baseline_value"] is not None else row["baseline_text"]
        return f"{text} ({row['baseline_year']})" if text and row["baseline_year"] else text

    return TableSpec(
        columns=lambda: [
            Column(_("Output"), width=1.8),
            Column(_("Indicator"), width=2.2),
            Column(_("Baseline"), width=0.9),
            Column(_("Target %(year)s") % {"year": year}, width=0.8),
            Column(_("Mid-year"), width=0.8),
            Column(_("Annual"), width=0.8),
            Column(_("Status"), width=0.9),
        ],
        cells=lambda row: (
            f"{row['output__position']}. {row['output__title']}",
            row["title"] + (f" (SDG {row['sdg_indicator']})" if row["sdg_indicator"] else ""),
            baseline(row),
            target(row),
            value(row, ReportingPeriod.Kind.MID_YEAR),
            value(row, ReportingPeriod.Kind.ANNUAL),
            status_label(row["status"]),
        ),
    )


def team_results_table(context: Context, team: Team) -> Table:
    rows = indicator_rows(Indicator.objects.filter(output__workplan__team=team), year=context.year)
    return team_results_spec(context.year).table(
        _("Joint outputs and indicators"),
        rows,
        key="results",
        intro=_(
            "Approved values of the year's reporting periods. The status judges the latest of them against its "
            "period's target; a mid-year value without a mid-year target, against the halfway point from the "
            "baseline to the annual target."
        ),
        empty=_("The year's workplan has no indicator."),
    )
