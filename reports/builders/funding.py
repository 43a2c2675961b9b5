"""Funding sections of the reports: the funding gap by country, action area and lead agency, what each
agency contributes, and joint proposals over time (workplans.funding_selectors)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from workplans import funding_selectors
from workplans.models import JointProposal

from ..document import INT, MONEY, PERCENT, Column, ratio
from ..selectors import Scope
from .names import action_area_name
from .shared import Context, TableSpec

SIZE = 5  # the sections below


def gap_spec(label: str, name=lambda value: value) -> TableSpec:
    return TableSpec(
        columns=lambda: [
            Column(label, width=2),
            Column(_("Currency"), width=0.6),
            Column(_("Activities"), INT),
            Column(_("Required"), MONEY),
            Column(_("Available"), MONEY),
            Column(_("Gap"), MONEY),
            Column(_("Available / required (%)"), PERCENT),
        ],
        cells=lambda row: (
            name(row["group"]) or _("Unassigned"),
            row["currency"],
            row["activities"],
            row["required"],
            row["available"],
            row["gap"],
            ratio(row["available"], row["required"]),
        ),
    )


CONTRIBUTIONS = TableSpec(
    columns=lambda: [
        Column(_("Agency")),
        Column(_("Currency"), width=0.6),
        Column(_("Activities"), INT),
        Column(_("Contributed"), MONEY),
        Column(_("... in cash"), MONEY),
        Column(_("Person-days"), INT),
    ],
    cells=lambda row: (
        row["agency"],
        row["currency"],
        row["activities"],
        row["amount"],
        row["cash"],
        int(row["person_days"]),
    ),
)

PROPOSALS = TableSpec(
    columns=lambda: [
        Column(_("Year submitted"), width=0.8),
        Column(_("Status")),
        Column(_("Currency"), width=0.6),
        Column(_("Proposals"), INT),
        Column(_("Requested"), MONEY),
        Column(_("Approved"), MONEY),
    ],
    cells=lambda row: (
        str(row["year"]) if row["year"] else _("Not submitted"),
        str(JointProposal.Status(row["status"]).label),
        row["currency"],
        row["count"],
        row["requested"],
        row["approved"],
    ),
)


def funding_sections(context: Context, scope: Scope) -> Iterator:
    year = context.year
    activities = scope.teams("workplan__team__")
    intro = _(
        "Gap: budget required minus budget available (the sum of the agencies' contributions where "
        "they are recorded), per currency."
    )
    yield gap_spec(_("Country")).table(
        _("Funding gap by country"),
        funding_selectors.funding_gap_by(year, "country", activities),
        key="gap_by_country",
        intro=intro,
    )
    yield gap_spec(_("Action area"), action_area_name).table(
        _("Funding gap by action area"),
        funding_selectors.funding_gap_by(year, "action_area", activities),
        key="gap_by_area",
        intro=intro,
    )
    yield gap_spec(_("Lead agency")).table(
        _("Funding gap by lead agency"),
        funding_selectors.funding_gap_by(year, "lead_agency", activities),
        key="gap_by_agency",
        intro=intro,
    )
    yield CONTRIBUTIONS.table(
        _("Contributions by agency"),
        funding_selectors.contributions_by_agency(year, scope.teams("activity__workplan__team__")),
        key="contributions_by_agency",
        empty=_("No contribution recorded for this year's activities."),
    )
    yield PROPOSALS.table(
        _("Joint proposals over time"),
        funding_selectors.proposals_over_time(scope.teams("team__")),
        key="proposals_over_time",
        empty=_("No joint proposal recorded."),
    )
