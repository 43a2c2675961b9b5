"""What an amendment changes: the workplan as endorsed (a snapshot kept on the amendment when it
starts) against the workplan now, field by field, and which types of amendment those changes fit.

Pure reads: workplans.services writes the snapshot and the frozen comparison.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from .models import Activity, Amendment, Output, Workplan

# Shown in the comparison, in this order, with the field's own (translated) label.
WORKPLAN_FIELDS = ("summary",)
OUTPUT_FIELDS = ("title", "description", "action_area", "national_objective")
ACTIVITY_FIELDS = (
    "title",
    "description",
    "output",
    "action_area",
    "lead_agency",
    "participating_agencies",
    "start_date",
    "end_date",
    "currency",
    "budget_required",
    "budget_available",
    "budget_spent",
    "status",
)
# What an administrative correction may change: wording, and what the team reports as the year goes
# (status, money available and spent). Anything else changes the plan the agencies signed.
ADMINISTRATIVE_FIELDS = {"summary", "title", "description", "national_objective", "status", "budget_available",
                         "budget_spent"}  # fmt: skip
# The share of a currency's total budget required beyond which a budget change is "over 20 %".
BUDGET_THRESHOLD = Decimal(20)


def snapshot(workplan: Workplan) -> dict:
    """The workplan's content as plain values (ids as strings, agencies by acronym), for JSON."""
    outputs = Output.objects.filter(workplan=workplan).select_related("action_area").order_by("pk")
    activities = (
        Activity.objects.filter(workplan=workplan)
        .select_related("action_area", "lead_agency", "output")
        .prefetch_related(Prefetch("participating_agencies"))
        .order_by("pk")
    )
    return {
        "workplan": {"summary": workplan.summary},
        "outputs": {
            str(o.pk): {
                "title": o.title,
                "description": o.description,
                "action_area": o.action_area.code if o.action_area_id else "",
                "national_objective": o.national_objective,
            }
            for o in outputs
        },
        "activities": {
            str(a.pk): {
                "title": a.title,
                "description": a.description,
                "output": a.output.title if a.output_id else "",
                "action_area": a.action_area.code,
                "lead_agency": a.lead_agency.acronym,
                "participating_agencies": ", ".join(sorted(p.acronym for p in a.participating_agencies.all())),
                "start_date": a.start_date.isoformat(),
                "end_date": a.end_date.isoformat(),
                "currency": a.currency,
                "budget_required": str(a.budget_required),
                "budget_available": str(a.budget_available),
                "budget_spent": str(a.budget_spent),
                "status": a.status,
            }
            for a in activities
        },
    }


def compare(before: dict, after: dict) -> list[dict]:
    """Rows {record, id, label, field, before, after, change}: "changed" per field, "added" and
    "removed" per output or activity (field empty), the workplan's own fields first."""
    rows = []
    for field in WORKPLAN_FIELDS:
        old, new = before.get("workplan", {}).get(field, ""), after.get("workplan", {}).get(field, "")
        if old != new:
            rows.append(_row("workplan", "", "", field, old, new, "changed"))
    for record, fields in (("output", OUTPUT_FIELDS), ("activity", ACTIVITY_FIELDS)):
        key = f"{record}s" if record == "output" else "activities"
        old_rows, new_rows = before.get(key, {}), after.get(key, {})
        for pk in sorted(set(old_rows) | set(new_rows), key=int):
            old, new = old_rows.get(pk), new_rows.get(pk)
            if old is None:
                rows.append(_row(record, pk, new["title"], "", "", new["title"], "added"))
            elif new is None:
                rows.append(_row(record, pk, old["title"], "", old["title"], "", "removed"))
            else:
                for field in fields:
                    if old.get(field, "") != new.get(field, ""):
                        rows.append(_row(record, pk, new["title"], field, old.get(field, ""), new.get(field, ""),
                                         "changed"))  # fmt: skip
    return rows


def _row(record, pk, label, field, before, after, change) -> dict:
    return {"record": record, "id": pk, "label": label, "field": field, "before": before, "after": after,
            "change": change}  # fmt: skip


def budget_totals(content: dict) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for activity in content.get("activities", {}).values():
        try:
            amount = Decimal(activity.get("budget_required") or 0)
        except InvalidOperation:
            amount = Decimal(0)
        totals[activity.get("currency", "")] = totals.get(activity.get("currency", ""), Decimal(0)) + amount
    return totals


def budget_change_percent(before: dict, after: dict) -> Decimal:
    """The largest change of a currency's total budget required, in percent of the endorsed total
    (a currency new to the plan counts as a change of 100 %)."""
    old, new = budget_totals(before), budget_totals(after)
    largest = Decimal(0)
    for currency in set(old) | set(new):
        was, now = old.get(currency, Decimal(0)), new.get(currency, Decimal(0))
        if was == now:
            continue
        change = Decimal(100) if not was else abs(now - was) * 100 / was
        largest = max(largest, change)
    return largest.quantize(Decimal("0.1"))


def type_problems(kind: str, before: dict, after: dict, rows: list[dict]) -> list[str]:
    """Why the changes do not fit the amendment's type (translated), or [] when they do."""
    if not rows:
        return [_("Nothing has changed since the workplan was endorsed: change it first, or withdraw the amendment.")]
    if kind == Amendment.Kind.ADMINISTRATIVE:
        beyond = sorted(
            {
                field_label(row)
                for row in rows
                if row["change"] != "changed" or row["field"] not in ADMINISTRATIVE_FIELDS
            }
        )
        if beyond:
            return [
                _(
                    "An administrative correction changes wording only; these changes need the member agencies' "
                    "endorsement: %(changes)s. Choose another type of amendment."
                )
                % {"changes": "; ".join(beyond)}
            ]
    if kind == Amendment.Kind.BUDGET_MINOR:
        percent = budget_change_percent(before, after)
        if percent > BUDGET_THRESHOLD:
            return [
                _("The budget required changes by %(percent)s %%: choose “Budget change over 20 %%”.")
                % {"percent": percent}
            ]
    return []


def field_label(row: dict) -> str:
    """ "Activity “Survey”: end date", "Output “Evidence” added", "Workplan: summary"."""
    if row["change"] == "added":
        if row["record"] == "output":
            return _("Output “%(title)s” added") % {"title": row["label"]}
        return _("Activity “%(title)s” added") % {"title": row["label"]}
    if row["change"] == "removed":
        if row["record"] == "output":
            return _("Output “%(title)s” removed") % {"title": row["label"]}
        return _("Activity “%(title)s” removed") % {"title": row["label"]}
    model = {"workplan": Workplan, "output": Output, "activity": Activity}[row["record"]]
    name = str(model._meta.get_field(row["field"]).verbose_name)
    if row["record"] == "workplan":
        return _("Workplan: %(field)s") % {"field": name}
    if row["record"] == "output":
        return _("Output “%(title)s”: %(field)s") % {"title": row["label"], "field": name}
    return _("Activity “%(title)s”: %(field)s") % {"title": row["label"], "field": name}
