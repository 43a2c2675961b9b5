"""Data-quality findings: the alerts report, and the findings sections every other report ends with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _

from workplans.models import Activity

from .. import selectors
from ..document import DATE, DATETIME, ID, INT, MONEY, Chart, Column, Figures, Report, Table
from ..selectors import Scope
from .names import country_name
from .shared import Context, TableSpec, convener_label, workplan_status_label

FINDINGS = ["no_convener", "no_focal_point", "not_submitted", "status_vs_dates", "stale", "overspent", "unconfirmed"]
# The sections findings_sections() yields: the summary, then one list per finding.
FINDINGS_SIZE = 1 + len(FINDINGS)


def finding_titles(context: Context) -> dict[str, str]:
    return {
        "no_convener": _("Teams without a convener"),
        "no_focal_point": _("Member agencies without a focal point"),
        "not_submitted": _("Workplans not submitted by %(date)s") % {"date": context.due.isoformat()},
        "status_vs_dates": _("Activities whose status disagrees with their dates"),
        "stale": _("Activities not updated in %(days)s days") % {"days": context.stale_days},
        "overspent": _("Activities that spent more than their budget available"),
        "unconfirmed": _("Roster entries not confirmed for %(days)s days") % {"days": settings.ROSTER_UNCONFIRMED_DAYS},
    }


def finding_short_titles(context: Context) -> dict[str, str]:
    """Shorter titles where a spreadsheet's tab (31 characters at most) needs them."""
    return {
        "no_focal_point": _("Members without a focal point"),
        "not_submitted": _("Not submitted by %(date)s") % {"date": context.due.isoformat()},
        "status_vs_dates": _("Status disagrees with dates"),
        "stale": _("Not updated in %(days)s days") % {"days": context.stale_days},
        "overspent": _("Spent more than available"),
    }


def finding_lists(context: Context, scope: Scope) -> dict:
    """Each finding's rows, as querysets not yet read."""
    return selectors.findings(context.year, scope, context.as_of, context.due, context.stale_days)


def finding_counts(context: Context, lists: dict) -> list[tuple[str, int]]:
    """(title, count) of each finding, in FINDINGS order; the e-mail of a scheduled report lists them too."""
    titles = finding_titles(context)
    return [(titles[key], lists[key].count()) for key in FINDINGS]


def findings_sections(context: Context, scope: Scope) -> Iterator[Table]:
    lists = finding_lists(context, scope)
    titles = finding_titles(context)
    yield findings_summary(context, lists)
    yield no_convener_table(context, titles, lists)
    yield no_focal_point_table(context, titles, lists)
    yield not_submitted_table(context, titles, lists)
    yield status_vs_dates_table(context, titles, lists)
    yield stale_table(context, titles, lists)
    yield overspent_table(context, titles, lists)
    yield unconfirmed_table(context, titles, lists)


# --- summary ----------------------------------------------------------------------------------

SUMMARY = TableSpec(
    columns=lambda: [Column(_("Finding"), width=3), Column(_("Count"), INT)],
    cells=tuple,  # (title, count)
)


def findings_summary(context: Context, lists: dict) -> Table:
    counts = finding_counts(context, lists)
    return SUMMARY.table(
        _("Data-quality findings"),
        counts,
        key="findings",
        intro=_("Situation on %(date)s. Details follow.") % {"date": context.as_of.isoformat()},
        chart=Chart(
            "hbar", _("Data-quality findings"), [t for t, _n in counts], [(_("Findings"), [n for _t, n in counts])]
        )
        if any(n for _t, n in counts)
        else None,
    )


# --- teams without a convener -----------------------------------------------------------------

NO_CONVENER = TableSpec(
    columns=lambda: [
        Column(_("Team"), width=2.4),
        Column(_("Country")),
        Column(_("Last convener")),
        Column(_("Ended"), DATE),
    ],
    cells=lambda row: (
        row["name"],
        country_name(row["country__name"]),
        convener_label(row["last_agency"], row["last_is_rc"]) or _("never had one"),
        row["last_end"],
    ),
)


def no_convener_table(context: Context, titles: dict, lists: dict) -> Table:
    return NO_CONVENER.table(
        titles["no_convener"],
        selectors.stream(lists["no_convener"]),
        key="no_convener",
        empty=_("Every team has a convener."),
        pdf_row_limit=context.pdf_rows,
    )


# --- member agencies without a focal point ----------------------------------------------------

NO_FOCAL_POINT = TableSpec(
    columns=lambda: [
        Column(_("Team"), width=2.4),
        Column(_("Country")),
        Column(_("Agency")),
        Column(_("Member since"), DATE),
    ],
    cells=lambda row: (
        row["team__name"],
        country_name(row["team__country__name"]),
        row["agency__acronym"],
        row["start_date"],
    ),
)


def no_focal_point_table(context: Context, titles: dict, lists: dict) -> Table:
    return NO_FOCAL_POINT.table(
        titles["no_focal_point"],
        selectors.stream(lists["no_focal_point"]),
        key="no_focal_point",
        short_title=finding_short_titles(context)["no_focal_point"],
        empty=_("Every member agency has named a focal point."),
        pdf_row_limit=context.pdf_rows,
    )


# --- workplans not submitted ------------------------------------------------------------------

NOT_SUBMITTED = TableSpec(
    columns=lambda: [
        Column(_("Team"), width=2.4),
        Column(_("Country")),
        Column(_("Situation")),
        Column(_("Last change"), DATETIME),
        Column(_("Convener to ask")),
    ],
    cells=lambda row: (
        row["name"],
        country_name(row["country__name"]),
        workplan_status_label(row["workplan_status"]),
        row["workplan_updated"],
        row["convener"] or _("none"),
    ),
)


def not_submitted_table(context: Context, titles: dict, lists: dict) -> Table:
    not_due = context.as_of <= context.due
    return NOT_SUBMITTED.table(
        titles["not_submitted"],
        selectors.stream(lists["not_submitted"]),
        key="not_submitted",
        short_title=finding_short_titles(context)["not_submitted"],
        empty=_("Not due yet.") if not_due else _("Every team submitted its workplan."),
        pdf_row_limit=context.pdf_rows,
    )


# --- activities: status against dates, staleness -----------------------------------------------


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


def status_vs_dates_spec(as_of: dt.date) -> TableSpec:
    return TableSpec(
        columns=lambda: [
            *activity_columns(),
            Column(_("Problem"), width=2.2),
            Column(_("Days late"), INT, width=0.6),
        ],
        cells=lambda row: (*activity_cells(row), *status_problem(row, as_of)),
    )


def status_vs_dates_table(context: Context, titles: dict, lists: dict) -> Table:
    return status_vs_dates_spec(context.as_of).table(
        titles["status_vs_dates"],
        selectors.stream(lists["status_vs_dates"]),
        key="status_vs_dates",
        short_title=finding_short_titles(context)["status_vs_dates"],
        empty=_("Every activity's status fits its dates."),
        pdf_row_limit=context.pdf_rows,
    )


def staleness(row: dict, as_of: dt.date) -> tuple:
    last = row["last_progress_at"].date() if row["last_progress_at"] else None
    return last, (as_of - (last or row["start_date"])).days


def stale_spec(as_of: dt.date) -> TableSpec:
    return TableSpec(
        columns=lambda: [
            *activity_columns(),
            Column(_("Last progress update"), DATE),
            Column(_("Days without update"), INT, width=0.7),
        ],
        cells=lambda row: (*activity_cells(row), *staleness(row, as_of)),
    )


def stale_table(context: Context, titles: dict, lists: dict) -> Table:
    return stale_spec(context.as_of).table(
        titles["stale"],
        selectors.stream(lists["stale"]),
        key="stale",
        short_title=finding_short_titles(context)["stale"],
        empty=_("Every activity under way has recent progress."),
        pdf_row_limit=context.pdf_rows,
    )


# --- activities: more spent than available ---------------------------------------------------

OVERSPENT = TableSpec(
    # The dates make way for the amounts, so the PDF's page keeps the columns readable.
    columns=lambda: [
        *activity_columns()[:5],
        Column(_("Currency"), width=0.8),
        Column(_("Available"), MONEY),
        Column(_("Spent"), MONEY),
        Column(_("Spent beyond available"), MONEY),
    ],
    cells=lambda row: (
        *activity_cells(row)[:5],
        row["currency"],
        row["budget_available"],
        row["budget_spent"],
        row["budget_spent"] - row["budget_available"],
    ),
)


def overspent_table(context: Context, titles: dict, lists: dict) -> Table:
    return OVERSPENT.table(
        titles["overspent"],
        selectors.stream(lists["overspent"]),
        key="overspent",
        short_title=finding_short_titles(context)["overspent"],
        empty=_("No activity spent more than its budget available."),
        pdf_row_limit=context.pdf_rows,
    )


# --- roster entries not confirmed for a year (the yearly check, access/) ----------------------------

UNCONFIRMED = TableSpec(
    columns=lambda: [
        Column(_("Team"), width=2.4),
        Column(_("Country")),
        Column(_("Role")),
        Column(_("Agency")),
        Column(_("Person"), width=1.6),
        Column(_("Last confirmed"), DATETIME),
    ],
    cells=lambda row: (
        row["e_team_name"],
        row["e_country"] or "",
        role_label(row["e_role"]),
        row["e_agency"] or _("Resident Coordinator"),
        row["e_person"],
        row["e_confirmed"],
    ),
)


def role_label(role: str) -> str:
    return {"focal_point": _("Focal point"), "convener": _("Convener"), "co_convener": _("Co-convener")}.get(role, role)


def unconfirmed_table(context: Context, titles: dict, lists: dict) -> Table:
    return UNCONFIRMED.table(
        titles["unconfirmed"],
        selectors.stream(lists["unconfirmed"]),
        key="unconfirmed",
        empty=_("Every focal point and convener confirmed their entry within the year."),
        pdf_row_limit=context.pdf_rows,
    )


# --- the alerts report ------------------------------------------------------------------------


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
        size=1 + FINDINGS_SIZE,
    )
