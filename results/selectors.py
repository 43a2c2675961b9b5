"""Reads of results: indicators with their targets and latest approved values, on track or not.

Every read builds on `indicator_rows`, three queries whatever the number of indicators (the
indicators with their output, team and catalogue entry; their targets; their approved totals),
plain rows and no model instances. The workplan page, the team page, the API, the dashboard
and the reports share it, so "on track" means one thing everywhere:

- only approved values count, and only the total (not a breakdown by sex, age or province);
- an indicator's latest value is the approved total of the year's latest period that has one;
- it is judged against the target of that period; a mid-year value without a mid-year target
  against the halfway point from the baseline to the annual target (the annual target itself
  when there is no baseline value);
- on track: at or beyond the target in the desired direction (a yes/no: "yes" where the target
  is yes); off track: short of it; no data: no approved value, or no target to judge it by;
- a qualitative indicator is not rated (its words are shown, not judged).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from statistics import median

from django.db.models import Q

from core import versions
from countries.selectors import top_region_names
from workplans.models import ReportingPeriod

from .models import Attachment, Direction, Indicator, IndicatorValue, StandardIndicator, Target, Unit

ON_TRACK, OFF_TRACK, NO_DATA, NOT_RATED = "on_track", "off_track", "no_data", "not_rated"
STATUSES = (ON_TRACK, OFF_TRACK, NO_DATA, NOT_RATED)

# The period kinds in the order a year goes through them.
PERIOD_ORDER = {ReportingPeriod.Kind.MID_YEAR: 0, ReportingPeriod.Kind.ANNUAL: 1}


def status_label(status: str) -> str:
    from django.utils.translation import gettext

    return {
        ON_TRACK: gettext("On track"),
        OFF_TRACK: gettext("Off track"),
        NO_DATA: gettext("No data"),
        NOT_RATED: gettext("Not rated (qualitative)"),
    }[status]


def target_for(targets: dict, year: int, kind: str, baseline) -> Decimal | None:
    """The value an indicator should have reached by the end of the `kind` period of `year`."""
    target = targets.get((year, kind))
    if target is not None:
        return target
    if kind == ReportingPeriod.Kind.MID_YEAR:
        annual = targets.get((year, ReportingPeriod.Kind.ANNUAL))
        if annual is None:
            return None
        if baseline is None:
            return annual
        return baseline + (annual - baseline) / 2
    return None


def judge(unit: str, direction: str, actual, target) -> str:
    if unit == Unit.QUALITATIVE:
        return NOT_RATED
    if actual is None or target is None:
        return NO_DATA
    if unit == Unit.YES_NO or direction != Direction.DECREASE:
        return ON_TRACK if actual >= target else OFF_TRACK
    return ON_TRACK if actual <= target else OFF_TRACK


INDICATOR_FIELDS = (
    "id", "title", "unit", "direction", "baseline_value", "baseline_text", "baseline_year", "means_of_verification",
    "by_sex", "by_age_group", "by_province", "sdg_indicator", "position", "updated_at",
    "output_id", "output__title", "output__position", "output__action_area__code", "output__action_area__name",
    "output__workplan_id", "output__workplan__year", "output__workplan__team_id", "output__workplan__team__name",
    "output__workplan__team__region_id", "output__workplan__team__country_id",
    "output__workplan__team__country__iso_alpha3", "output__workplan__team__country__name",
    "output__workplan__team__country__region_id", "standard_id", "standard__code", "responsible_agency__acronym",
)  # fmt: skip


def indicator_rows(indicators=None, *, year: int | None = None) -> list[dict]:
    """Indicators (a queryset, by default all) with `targets` {(year, kind): value}, `target_texts`,
    `values` {kind: approved total of the workplan's year}, `latest` (kind, value, text) and `status`.
    Three queries."""
    queryset = Indicator.objects.all() if indicators is None else indicators
    if year is not None:
        queryset = queryset.filter(output__workplan__year=year)
    rows = list(
        queryset.order_by("output__workplan_id", "output__position", "output_id", "position", "id").values(
            *INDICATOR_FIELDS
        )
    )
    if not rows:
        return rows
    ids = [row["id"] for row in rows]
    targets: dict[int, dict] = defaultdict(dict)
    texts: dict[int, dict] = defaultdict(dict)
    for target in Target.objects.filter(indicator_id__in=ids).values(
        "indicator_id", "year", "period_kind", "value", "text"
    ):
        key = (target["year"], target["period_kind"])
        targets[target["indicator_id"]][key] = target["value"]
        texts[target["indicator_id"]][key] = target["text"]
    approved: dict[int, dict] = defaultdict(dict)
    for value in _approved_totals(ids):
        approved[value["indicator_id"]][(value["period__year"], value["period__kind"])] = value
    for row in rows:
        year_of_plan = row["output__workplan__year"]
        row["targets"] = targets.get(row["id"], {})
        row["target_texts"] = texts.get(row["id"], {})
        found = {
            kind: value
            for (period_year, kind), value in approved.get(row["id"], {}).items()
            if period_year == year_of_plan
        }
        row["values"] = found
        latest_kind = max(found, key=lambda kind: PERIOD_ORDER.get(kind, 0)) if found else None
        latest = found.get(latest_kind) if latest_kind else None
        row["latest"] = latest
        row["latest_kind"] = latest_kind
        target = target_for(row["targets"], year_of_plan, latest_kind, row["baseline_value"]) if latest_kind else None
        row["latest_target"] = target
        row["status"] = judge(row["unit"], row["direction"], latest["value"] if latest else None, target)
        row["region_id"] = row["output__workplan__team__region_id"] or row["output__workplan__team__country__region_id"]
    return rows


def _approved_totals(ids: list[int]):
    return (
        IndicatorValue.objects.filter(
            indicator_id__in=ids,
            status=IndicatorValue.Status.APPROVED,
            sex="",
            age_group="",
            subdivision__isnull=True,
        )
        .values("indicator_id", "period__year", "period__kind", "value", "text", "decided_at")
        .order_by()
    )


def status_counts(rows) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        counts[row["status"]] += 1
    return counts


def share_on_track(counts: dict[str, int]) -> float | None:
    """On track among the indicators that can be judged (on or off track, or without data); None with none."""
    rated = counts[ON_TRACK] + counts[OFF_TRACK] + counts[NO_DATA]
    return round(counts[ON_TRACK] * 100 / rated, 1) if rated else None


# --- the workplan and team pages -------------------------------------------------------------------


def workplan_results(workplan) -> list[dict]:
    """A workplan's outputs, each with its indicators (rows as `indicator_rows`) and the number of
    values awaiting approval per indicator; outputs without indicators too. Five queries."""
    outputs = list(
        workplan.outputs.select_related("action_area", "cooperation_outcome", "national_framework").order_by(
            "position", "id"
        )
    )
    rows = indicator_rows(Indicator.objects.filter(output__workplan=workplan)) if outputs else []
    pending = defaultdict(int)
    for indicator_id in (
        []
        if not rows
        else IndicatorValue.objects.filter(
            indicator__output__workplan=workplan, status=IndicatorValue.Status.SUBMITTED
        ).values_list("indicator_id", flat=True)
    ):
        pending[indicator_id] += 1
    by_output = defaultdict(list)
    for row in rows:
        row["pending"] = pending.get(row["id"], 0)
        by_output[row["output_id"]].append(row)
    return [{"output": output, "indicators": by_output.get(output.pk, [])} for output in outputs]


def team_results(team, year: int) -> dict:
    """The team's indicators of `year`'s workplan, counted by status, with the rows."""
    rows = indicator_rows(Indicator.objects.filter(output__workplan__team=team), year=year)
    return {"rows": rows, "counts": status_counts(rows), "share": share_on_track(status_counts(rows))}


# --- across teams: the dashboard and the reports ------------------------------------------------------


def results_summary(year: int, scope_q: Q | None = None, unassigned: str = "Unassigned") -> dict:
    """Indicators of the year's workplans counted by status per top-level region and per action area,
    and the catalogue's standard indicators across countries. `scope_q` narrows the indicators
    (a Q on Indicator, as the reports' scopes make)."""
    indicators = Indicator.objects.filter(output__workplan__team__is_active=True)
    if scope_q is not None:
        indicators = indicators.filter(scope_q)
    rows = indicator_rows(indicators, year=year)
    top = top_region_names()

    def grouped(key) -> list[dict]:
        groups: dict[str, list] = defaultdict(list)
        for row in rows:
            groups[key(row)].append(row)
        result = []
        for name, members in sorted(groups.items(), key=lambda item: (item[0] == unassigned, item[0])):
            counts = status_counts(members)
            result.append({"group": name, "indicators": len(members), **counts, "share": share_on_track(counts)})
        return result

    totals = status_counts(rows)
    return {
        "year": year,
        "indicators": len(rows),
        **totals,
        "share": share_on_track(totals),
        "by_region": grouped(lambda row: top.get(row["region_id"], unassigned)),
        "by_action_area": grouped(lambda row: row["output__action_area__code"] or unassigned),
        "standard": standard_across_countries(rows),
    }


def standard_across_countries(rows: list[dict]) -> list[dict]:
    """Per catalogue indicator: the teams using it, those with an approved value, by status, and the
    median of the latest approved values (number and percent indicators)."""
    from core.i18n import localized

    catalogue = list(
        StandardIndicator.objects.order_by("position", "code").values(
            "id", "code", "name", "name_translations", "unit", "sdg_indicator"
        )
    )
    by_standard: dict[int, list] = defaultdict(list)
    for row in rows:
        if row["standard_id"]:
            by_standard[row["standard_id"]].append(row)
    result = []
    for entry in catalogue:
        members = by_standard.get(entry["id"], [])
        counts = status_counts(members)
        latest = [row["latest"]["value"] for row in members if row["latest"] and row["latest"]["value"] is not None]
        result.append(
            {
                "code": entry["code"],
                "name": entry["name"],
                "localized_name": localized(entry["name_translations"], entry["name"]).plain,
                "unit": entry["unit"],
                "sdg_indicator": entry["sdg_indicator"],
                "teams": len({row["output__workplan__team_id"] for row in members}),
                "countries": len(
                    {
                        row["output__workplan__team__country_id"]
                        for row in members
                        if row["output__workplan__team__country_id"]
                    }
                ),
                "reporting": sum(1 for row in members if row["latest"]),
                **counts,
                "median": median(latest) if latest and entry["unit"] in (Unit.NUMBER, Unit.PERCENT) else None,
            }
        )
    return result


def dashboard_results(year: int) -> dict:
    """`results_summary` of the year, computed once per data version (core.versions.cached)."""
    from workplans.models import ActionArea

    def compute() -> dict:
        summary = results_summary(year)
        names = dict(ActionArea.objects.values_list("code", "name"))
        summary["area_names"] = {
            code: names.get(code, code) for code in (row["group"] for row in summary["by_action_area"])
        }
        return summary

    # Kept per language too (versions.cached): the catalogue's names are in the reader's.
    return versions.cached(f"results-summary:{year}", (versions.TEAMS, versions.WORKPLANS), compute)


# --- evidence ---------------------------------------------------------------------------------------


def visible_attachments(user):
    """The evidence `user` may see: public, UN-wide when signed in, and their teams' (all for the Secretariat)."""
    from accounts.rules import is_secretariat, is_signed_in
    from teams.models import team_roles

    queryset = Attachment.objects.all()
    if is_secretariat(user):
        return queryset
    condition = Q(visibility=Attachment.Visibility.PUBLIC)
    if is_signed_in(user):
        condition |= Q(visibility=Attachment.Visibility.UN) | Q(team_id__in=team_roles(user).team_ids)
    return queryset.filter(condition)


def attachments_on(targets, user) -> dict[tuple[int, int], list[Attachment]]:
    """The visible evidence on each of `targets` (records of the attachable models), by (content type id,
    object id): one query."""
    from django.contrib.contenttypes.models import ContentType

    condition = Q()
    for target in targets:
        condition |= Q(content_type=ContentType.objects.get_for_model(target), object_id=target.pk)
    found: dict[tuple[int, int], list] = defaultdict(list)
    if not condition:
        return found
    for attachment in visible_attachments(user).filter(condition).order_by("-document_date", "-id"):
        found[(attachment.content_type_id, attachment.object_id)].append(attachment)
    return found


# --- API shapes, from plain rows (the serializers document them) -----------------------------------------


def _number(value) -> str | None:
    return None if value is None else f"{value:f}"


def indicator_payloads(ids: list[int]) -> list[dict]:
    """Indicators as the API returns them, in the order of `ids`: three queries whatever their number."""
    from core.api.serializers import iso_datetime

    rows = {row["id"]: row for row in indicator_rows(Indicator.objects.filter(pk__in=ids))}
    payloads = []
    for pk in ids:
        row = rows.get(pk)
        if row is None:
            continue
        latest = row["latest"]
        payloads.append(
            {
                "id": row["id"],
                "output": row["output_id"],
                "workplan": row["output__workplan_id"],
                "team": row["output__workplan__team_id"],
                "year": row["output__workplan__year"],
                "standard": row["standard__code"],
                "title": row["title"],
                "unit": row["unit"],
                "direction": row["direction"],
                "baseline_value": _number(row["baseline_value"]),
                "baseline_text": row["baseline_text"],
                "baseline_year": row["baseline_year"],
                "means_of_verification": row["means_of_verification"],
                "responsible_agency": row["responsible_agency__acronym"],
                "by_sex": row["by_sex"],
                "by_age_group": row["by_age_group"],
                "by_province": row["by_province"],
                "sdg_indicator": row["sdg_indicator"],
                "position": row["position"],
                "targets": [
                    {
                        "year": year,
                        "period_kind": kind,
                        "value": _number(value),
                        "text": row["target_texts"][(year, kind)],
                    }
                    for (year, kind), value in sorted(
                        row["targets"].items(), key=lambda item: (item[0][0], PERIOD_ORDER.get(item[0][1], 0))
                    )
                ],
                "latest_value": (
                    {"period_kind": row["latest_kind"], "value": _number(latest["value"]), "text": latest["text"]}
                    if latest
                    else None
                ),
                "status": row["status"],
                "updated_at": iso_datetime(row["updated_at"]),
            }
        )
    return payloads


VALUE_FIELDS = (
    "id", "indicator_id", "indicator__output__workplan_id", "indicator__output__workplan__team_id", "period_id",
    "period__year", "period__kind", "period__closed_at", "sex", "age_group", "subdivision__code", "value", "text",
    "comment", "status", "entered_by__username", "entered_at", "decided_by__username", "decided_at", "return_reason",
    "unlocked_by__username", "unlocked_at", "unlock_reason", "updated_at",
)  # fmt: skip


def value_payloads(ids: list[int]) -> list[dict]:
    """Indicator values as the API returns them, in the order of `ids`: one query."""
    from core.api.serializers import iso_datetime

    rows = {row["id"]: row for row in IndicatorValue.objects.filter(pk__in=ids).values(*VALUE_FIELDS)}
    payloads = []
    for pk in ids:
        row = rows.get(pk)
        if row is None:
            continue
        closed = row["period__closed_at"]
        locked = closed is not None and not (row["unlocked_at"] and row["unlocked_at"] >= closed)
        payloads.append(
            {
                "id": row["id"],
                "indicator": row["indicator_id"],
                "workplan": row["indicator__output__workplan_id"],
                "team": row["indicator__output__workplan__team_id"],
                "period": row["period_id"],
                "year": row["period__year"],
                "period_kind": row["period__kind"],
                "sex": row["sex"],
                "age_group": row["age_group"],
                "subdivision": row["subdivision__code"],
                "value": _number(row["value"]),
                "text": row["text"],
                "comment": row["comment"],
                "status": row["status"],
                "locked": locked,
                "entered_by": row["entered_by__username"],
                "entered_at": iso_datetime(row["entered_at"]),
                "decided_by": row["decided_by__username"],
                "decided_at": iso_datetime(row["decided_at"]),
                "return_reason": row["return_reason"],
                "unlocked_by": row["unlocked_by__username"],
                "unlocked_at": iso_datetime(row["unlocked_at"]),
                "unlock_reason": row["unlock_reason"],
                "updated_at": iso_datetime(row["updated_at"]),
            }
        )
    return payloads
