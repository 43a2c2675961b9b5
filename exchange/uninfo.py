"""The joint workplan as the sub-output sheet UN INFO takes: one row per agency's part of each activity.

UN INFO (the UN's online planning, monitoring and reporting system for the Cooperation Framework) holds
a country's joint workplan as sub-outputs under Cooperation Framework outputs and outcomes, tagged per
agency with geography, contributing partners (funding sources) and implementing partners, at most ten
SDG targets, status, the Gender Equality and Human Rights Markers (0-3) and the funding framework
(required, available, spent). Each activity gives one row per agency: its lead agency and every
participating or contributing agency. An agency's available money is its contributions; the activity's
required and spent money sit on its lead agency's row (the portal does not split them by agency), so
the columns add up to the plan's figures. Text is written as text (never a formula).
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from workplans.models import Activity, Contribution, Workplan

from .xlsx import put

# The sheet's columns, in UN INFO's words (UN INFO works in English).
COLUMNS = [
    "Country",
    "Plan year",
    "Team",
    "Cooperation Framework",
    "Outcome code",
    "Outcome",
    "Output",
    "Sub-output code",
    "Sub-output title",
    "Description",
    "Agency",
    "Agency role",
    "Contributing partners (funding sources)",
    "Implementing partners",
    "Geographic scope",
    "Provinces",
    "SDG targets",
    "SDG goals",
    "Status",
    "Start date",
    "End date",
    "Gender Equality Marker",
    "Human Rights Marker",
    "Leave no one behind groups",
    "Humanitarian / development / peace",
    "Nutrition-specific or -sensitive",
    "Systems",
    "Global initiatives",
    "Currency",
    "Required",
    "Available",
    "Expenditure",
]

STATUS = {
    Activity.Status.PIPELINE: "Pipeline",
    Activity.Status.IMPLEMENTATION: "Implementation",
    Activity.Status.FINALISATION: "Finalisation",
    Activity.Status.CLOSED: "Closed",
    Activity.Status.CANCELLED: "Cancelled",
    Activity.Status.SUSPENDED: "Suspended",
}
MAX_SDG_TARGETS = 10


def rows(workplan: Workplan):
    """The sheet's rows (lists in COLUMNS' order), one per agency's part of each activity."""
    workplan = Workplan.objects.select_related("team__country").get(pk=workplan.pk)
    activities = (
        workplan.activities.select_related(
            "lead_agency", "output__cooperation_outcome__framework", "cooperation_outcome__framework"
        )
        .prefetch_related(
            "participating_agencies",
            "sdg_targets__goal",
            "subdivisions",
            "tags",
            "contributions__agency",
            "contributions__funder",
        )
        .order_by("output__position", "start_date", "id")
    )
    country = workplan.team.country
    for activity in activities:
        outcome = activity.cooperation_outcome or (activity.output.cooperation_outcome if activity.output else None)
        framework = outcome.framework if outcome else None
        targets = sorted(activity.sdg_targets.all(), key=lambda t: t.position)[:MAX_SDG_TARGETS]
        goals = sorted({t.goal.number for t in targets})
        tags: dict[str, list[str]] = {}
        for tag in activity.tags.all():
            tags.setdefault(tag.group, []).append(tag.name)
        contributions: dict[int, list[Contribution]] = {}
        for contribution in activity.contributions.all():
            contributions.setdefault(contribution.agency_id, []).append(contribution)
        agencies = [activity.lead_agency, *sorted(activity.participating_agencies.all(), key=lambda a: a.acronym)]
        for contribution in activity.contributions.all():
            if contribution.agency not in agencies:
                agencies.append(contribution.agency)
        implementing = "; ".join(agency.acronym for agency in agencies)
        for agency in agencies:
            lead = agency.pk == activity.lead_agency_id
            own = contributions.get(agency.pk, [])
            funders = sorted({c.funder.name for c in own})
            available = sum((c.amount for c in own), start=Decimal("0"))
            if lead and not activity.contributions.exists():
                available = activity.budget_available  # typed for the activity as a whole
            yield [
                country.name if country else "",
                workplan.year,
                workplan.team.name,
                f"UNSDCF {framework.start_year}-{framework.end_year}" if framework else "",
                outcome.code if outcome else "",
                outcome.title if outcome else "",
                activity.output.title if activity.output else "",
                f"UNN-{activity.pk}",
                activity.title,
                activity.description,
                agency.acronym,
                "Lead" if lead else "Participating",
                "; ".join(funders),
                implementing,
                "National" if activity.is_national else "Subnational",
                "; ".join(f"{s.code} {s.name}" for s in activity.subdivisions.all()),
                "; ".join(t.code for t in targets),
                "; ".join(str(goal) for goal in goals),
                STATUS[activity.status],
                activity.start_date,
                activity.end_date,
                activity.gender_marker,
                activity.human_rights_marker,
                "; ".join(tags.get("lnob", [])),
                "; ".join(tags.get("nexus", [])),
                "; ".join(tags.get("nutrition", [])),
                "; ".join(tags.get("system", [])),
                "; ".join(tags.get("initiative", [])),
                activity.currency,
                activity.budget_required if lead else Decimal("0"),
                available,
                activity.budget_spent if lead else Decimal("0"),
            ]


def workbook(workplan: Workplan) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Sub-outputs"
    for position, label in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=position)
        put(cell, label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    dates = {COLUMNS.index("Start date") + 1, COLUMNS.index("End date") + 1}
    money = {COLUMNS.index(name) + 1 for name in ("Required", "Available", "Expenditure")}
    for number, row in enumerate(rows(workplan), start=2):
        for position, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=position)
            put(cell, value if value not in (None, "") else None)
            if position in dates:
                cell.number_format = "yyyy-mm-dd"
            elif position in money:
                cell.number_format = "#,##0.00"
    sheet.freeze_panes = "A2"
    about = book.create_sheet("About")
    put(about["A1"], f"UN Nutrition joint workplan {workplan.year}, {workplan.team}: UN INFO sub-outputs.")
    put(
        about["A2"],
        f"Exported {timezone.localdate().isoformat()}. One row per agency's part of each activity; "
        "required and expenditure on the lead agency's row, available per agency (its contributions).",
    )
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
