"""What the report builders share: the dates a run is computed for, table specs, labels, money."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from teams.models import ConvenerTerm, Team
from workplans.models import Workplan

from .. import selectors
from ..document import MONEY, PERCENT, Chart, Column, Table, ratio
from ..models import ReportRun
from ..selectors import Scope
from .names import action_area_name

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


@dataclass(frozen=True)
class TableSpec:
    """A table's shape, declared beside its section: its columns, and the cells of one source row.

    `columns` is a function so that the labels are translated when the report is
    built (in the requester's language), not when the module is imported. A table
    whose shape depends on the run (contact details shown or not, the reference
    day) gets its spec from a small function taking that parameter.
    """

    columns: Callable[[], Sequence[Column]]
    cells: Callable[[Any], tuple]

    def table(self, title: str, rows: Iterable, **options) -> Table:
        """The table of these source rows (a list, or a stream from the database); the cells
        are made as the renderer reads the rows."""
        return Table(title, list(self.columns()), (self.cells(row) for row in rows), **options)


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


def role_label(role: str) -> str:
    """A convener role's label; an unknown value as it is."""
    return str(ConvenerTerm.Role(role).label) if role in ConvenerTerm.Role.values else role


def team_kind_label(kind: str) -> str:
    """A team kind's label; an unknown value as it is."""
    return str(Team.Kind(kind).label) if kind in Team.Kind.values else kind


# --- money ------------------------------------------------------------------------------------


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


def money_figures(totals: list[dict]) -> list[tuple[str, object, str]]:
    """Key-figure items of budget totals, per currency."""
    items = []
    for money in totals:
        currency = money["currency"]
        items += [
            (_("Budget required (%(currency)s)") % {"currency": currency}, money["required"], MONEY),
            (_("Budget available (%(currency)s)") % {"currency": currency}, money["available"], MONEY),
            (_("Budget spent (%(currency)s)") % {"currency": currency}, money["spent"], MONEY),
        ]
    return items


def money_chart(title: str, rows: list[dict], label: Callable[[str], str] = str) -> Chart | None:
    """The main currency's money of each group; `label` names a group in the report's language."""
    rows = [row for row in rows if row["currency"] == MAIN_CURRENCY]
    if not rows:
        return None
    return Chart(
        "hbar",
        f"{title} ({MAIN_CURRENCY})",
        [label(row["group"]) if row["group"] else _("Unassigned") for row in rows],
        [
            (_("Required"), [float(row["required"]) for row in rows]),
            (_("Available"), [float(row["available"]) for row in rows]),
            (_("Spent"), [float(row["spent"]) for row in rows]),
        ],
    )


MONEY_BY_AREA = TableSpec(
    columns=lambda: [Column(_("Action area"), width=2), *money_columns()],
    cells=lambda row: (action_area_name(row["group"]), *money_cells(row)),
)


def money_by_area_table(context: Context, scope: Scope, **options) -> Table:
    """Budgets of the year's activities by action area, per currency (overview and country reports)."""
    rows = selectors.money_by(context.year, scope, "action_area")
    return MONEY_BY_AREA.table(
        _("Money by action area"),
        rows,
        key="money_by_area",
        chart=money_chart(_("Money by action area"), rows, action_area_name),
        **options,
    )
