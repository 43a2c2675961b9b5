"""Reads of the money behind joint work: the funding gap (required minus available) of a year's
activities by country, action area or agency, and joint proposals over time. The dashboard, its API
and the reports share them. Amounts are never added across currencies."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractYear

from .models import Activity, Contribution, JointProposal

GROUPS = {
    "country": "workplan__team__country__name",
    "action_area": "action_area__name",
    "lead_agency": "lead_agency__acronym",
}


def funding_gap_by(year: int, group: str, teams: Q | None = None) -> list[dict]:
    """Per `group` ("country", "action_area", "lead_agency") and currency: required, available and the
    gap (required minus available, not below zero), largest gap first."""
    field = GROUPS[group]
    activities = Activity.objects.filter(workplan__year=year)
    if teams is not None:
        activities = activities.filter(teams)
    rows = (
        activities.values(field, "currency")
        .annotate(required=Sum("budget_required"), available=Sum("budget_available"), activities=Count("id"))
        .order_by(field, "currency")
    )
    found = []
    for row in rows:
        required, available = row["required"] or Decimal("0"), row["available"] or Decimal("0")
        found.append(
            {
                "group": row[field] or "",
                "currency": row["currency"],
                "activities": row["activities"],
                "required": required,
                "available": available,
                "gap": max(required - available, Decimal("0")),
            }
        )
    return sorted(found, key=lambda r: (r["currency"], -r["gap"], r["group"]))


def contributions_by_agency(year: int, teams: Q | None = None) -> list[dict]:
    """What each agency puts into the year's activities, per currency and kind of contribution."""
    lines = Contribution.objects.filter(activity__workplan__year=year)
    if teams is not None:
        lines = lines.filter(teams)
    rows = (
        lines.values("agency__acronym", "activity__currency")
        .annotate(
            total=Sum("amount"),
            days=Sum("person_days"),
            activities=Count("activity", distinct=True),
            cash=Sum("amount", filter=Q(kind=Contribution.Kind.CASH)),
        )
        .order_by("agency__acronym", "activity__currency")
    )
    return [
        {
            "agency": row["agency__acronym"],
            "currency": row["activity__currency"],
            "activities": row["activities"],
            "amount": row["total"] or Decimal("0"),
            "cash": row["cash"] or Decimal("0"),
            "person_days": row["days"] or Decimal("0"),
        }
        for row in rows
    ]


def proposals_over_time(teams: Q | None = None) -> list[dict]:
    """Joint proposals per year of submission (None: not submitted or no date), status and currency."""
    proposals = JointProposal.objects.all()
    if teams is not None:
        proposals = proposals.filter(teams)
    rows = (
        proposals.annotate(year=ExtractYear("submitted_on"))
        .values("year", "status", "currency")
        .annotate(count=Count("id"), requested=Sum("amount_requested"), approved=Sum(F("amount_approved")))
        .order_by(F("year").asc(nulls_last=True), "status", "currency")
    )
    return [
        {
            "year": row["year"],
            "status": row["status"],
            "currency": row["currency"],
            "count": row["count"],
            "requested": row["requested"] or Decimal("0"),
            "approved": row["approved"] or Decimal("0"),
        }
        for row in rows
    ]
