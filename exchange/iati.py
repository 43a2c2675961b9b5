"""A team's joint workplan as IATI 2.03 activity XML.

One parent activity for the joint workplan of a year (hierarchy 1: the team's agencies, the plan's
money, its joint outputs as results with their indicators' baseline, targets and actual values per
reporting period) and one child activity per joint activity (hierarchy 2: lead and participating
agencies, dates, status, recipient country, DAC sector 12240 basic nutrition, SDG targets as tags, the
Gender Equality and Human Rights Markers as policy markers, its budget, the contributions as incoming
commitments from their funders, the money spent as an expenditure).

Publisher (reporting-org): settings.IATI_REPORTING_ORG_REF / _NAME, by default the IATI identifier of
the agency hosting the UN Nutrition Secretariat, marked as a secondary reporter (it reproduces the
joint work of the agencies). Agencies are named by their IATI organisation identifiers
(agencies/identifiers.py); one without an identifier is named by its name only. Every code comes from
the IATI codelists (exchange.iati_codelists); the XML validates against the official schema
(tests/exchange/test_iati.py).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET  # noqa: S405 - only writing XML here
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from agencies.identifiers import iati_identifier
from agencies.models import Agency
from results.models import Indicator, IndicatorValue, Target
from workplans.models import Activity, Contribution, Funder, Workplan

from . import iati_codelists as codes

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Our activity statuses (UN INFO's) and the IATI ActivityStatus names they are.
STATUS_NAMES = {
    Activity.Status.PIPELINE: "Pipeline/identification",
    Activity.Status.IMPLEMENTATION: "Implementation",
    Activity.Status.FINALISATION: "Completion",
    Activity.Status.CLOSED: "Post-completion",
    Activity.Status.CANCELLED: "Cancelled",
    Activity.Status.SUSPENDED: "Suspended",
}
# UN INFO's markers (0-3) in the OECD DAC significance scale: 3 principal, 2 significant, else not targeted.
MARKER_SIGNIFICANCE = {0: "not targeted", 1: "not targeted", 2: "significant objective", 3: "principal objective"}
SDG_TARGETS_URI = "https://unstats.un.org/sdgs/metadata/"
HUMAN_RIGHTS_MARKER_URI = "https://unsdg.un.org/resources/unsdg-human-rights-marker"
BASIC_NUTRITION = "12240"


def reporting_org() -> tuple[str, str]:
    ref = getattr(settings, "IATI_REPORTING_ORG_REF", "")
    name = getattr(settings, "IATI_REPORTING_ORG_NAME", "")
    if not ref:
        host = Agency.objects.filter(hosts_secretariat=True).first()
        ref = iati_identifier(host.acronym if host else None) or "XM-DAC-41301"
        name = name or (f"UN Nutrition Secretariat ({host.acronym})" if host else "UN Nutrition Secretariat")
    return ref, name or "UN Nutrition Secretariat"


def _narrative(parent, tag: str, text: str, **attrs):
    element = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items() if v not in (None, "")})
    ET.SubElement(element, "narrative").text = text
    return element


def _org(
    parent,
    tag: str,
    agency: Agency | None = None,
    *,
    role: str | None = None,
    name: str = "",
    ref: str = "",
    kind: str = "",
):
    attrs = {}
    if ref or (agency is not None and iati_identifier(agency.acronym)):
        attrs["ref"] = ref or iati_identifier(agency.acronym)
    if role:
        attrs["role"] = codes.code("OrganisationRole", role)
    if kind:
        attrs["type"] = codes.code("OrganisationType", kind)
    element = ET.SubElement(parent, tag, attrs)
    ET.SubElement(element, "narrative").text = name or (agency.name if agency else "")
    return element


def _date(day) -> str:
    return day.isoformat()


def _money(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def _value(parent, amount, currency: str, day) -> None:
    element = ET.SubElement(parent, "value", {"currency": codes.check("Currency", currency), "value-date": _date(day)})
    element.text = _money(amount)


def identifier_of(workplan: Workplan, activity: Activity | None = None) -> str:
    ref, _name = reporting_org()
    base = f"{ref}-UNN-{workplan.team_id}-{workplan.year}"
    return base if activity is None else f"{base}-{activity.pk}"


def build(workplan: Workplan) -> bytes:
    """The IATI XML (UTF-8) of `workplan`: the plan as a parent activity and its activities as children."""
    workplan = Workplan.objects.select_related("team__country").get(pk=workplan.pk)
    activities = list(
        workplan.activities.select_related("lead_agency", "action_area")
        .prefetch_related(
            "participating_agencies",
            "sdg_targets__goal",
            "tags",
            Prefetch("contributions", queryset=Contribution.objects.select_related("agency", "funder")),
        )
        .order_by("start_date", "id")
    )
    now = timezone.now().replace(microsecond=0)
    root = ET.Element(
        "iati-activities",
        {"version": codes.check("Version", "2.03"), "generated-datetime": now.isoformat()},
    )
    _parent_activity(root, workplan, activities, now)
    for activity in activities:
        _child_activity(root, workplan, activity)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _header(root, workplan, identifier: str, hierarchy: int, updated, default_currency: str):
    ref, name = reporting_org()
    element = ET.SubElement(
        root,
        "iati-activity",
        {
            "last-updated-datetime": updated.replace(microsecond=0).isoformat(),
            XML_LANG: "en",
            "default-currency": codes.check("Currency", default_currency),
            "hierarchy": str(hierarchy),
        },
    )
    ET.SubElement(element, "iati-identifier").text = identifier
    _org(element, "reporting-org", ref=ref, name=name, kind="Multilateral").set("secondary-reporter", "1")
    return element


def _recipient(element, workplan) -> None:
    country = workplan.team.country
    if country is not None and country.iso_alpha2:
        ET.SubElement(
            element, "recipient-country", {"code": codes.check("Country", country.iso_alpha2), "percentage": "100"}
        )


def _sector(element) -> None:
    ET.SubElement(
        element,
        "sector",
        {
            "vocabulary": codes.code("SectorVocabulary", "OECD DAC CRS Purpose Codes (5 digit)"),
            "code": codes.check("Sector", BASIC_NUTRITION),
            "percentage": "100",
        },
    )


def _parent_activity(root, workplan: Workplan, activities: list[Activity], now) -> None:
    currencies = sorted({a.currency for a in activities}) or ["USD"]
    updated = max([workplan.updated_at, *(a.updated_at for a in activities)])
    element = _header(root, workplan, identifier_of(workplan), 1, updated, currencies[0])
    _narrative(element, "title", f"Joint workplan {workplan.year}: {workplan.team.name}")
    description = workplan.summary or f"Annual joint workplan of {workplan.team.name}, UN Nutrition, {workplan.year}."
    _narrative(element, "description", description, type=codes.code("DescriptionType", "General"))
    agencies = {}
    for activity in activities:
        agencies.setdefault(activity.lead_agency.pk, activity.lead_agency)
        for agency in activity.participating_agencies.all():
            agencies.setdefault(agency.pk, agency)
    if not agencies:
        _org(element, "participating-org", role="Accountable", name=workplan.team.name)
    for agency in sorted(agencies.values(), key=lambda a: a.acronym):
        _org(element, "participating-org", agency, role="Implementing", kind="Multilateral")
    ET.SubElement(element, "activity-status", {"code": codes.code("ActivityStatus", _plan_status(workplan))})
    start, end = dt.date(workplan.year, 1, 1), dt.date(workplan.year, 12, 31)
    ET.SubElement(
        element, "activity-date", {"type": codes.code("ActivityDateType", "Planned start"), "iso-date": _date(start)}
    )
    ET.SubElement(
        element, "activity-date", {"type": codes.code("ActivityDateType", "Planned End"), "iso-date": _date(end)}
    )
    _recipient(element, workplan)
    _sector(element)
    for currency in currencies:
        total = sum((a.budget_required for a in activities if a.currency == currency), start=Decimal("0"))
        if total:
            _budget(element, start, end, total, currency)
    for activity in activities:
        ET.SubElement(
            element,
            "related-activity",
            {"ref": identifier_of(workplan, activity), "type": codes.code("RelatedActivityType", "Child")},
        )
    _results(element, workplan)


def _plan_status(workplan: Workplan) -> str:
    today = timezone.localdate()
    if workplan.status == Workplan.Status.DRAFT:
        return "Pipeline/identification"
    return "Implementation" if today.year <= workplan.year else "Completion"


def _budget(element, start, end, amount, currency) -> None:
    budget = ET.SubElement(
        element,
        "budget",
        {"type": codes.code("BudgetType", "Original"), "status": codes.code("BudgetStatus", "Committed")},
    )
    ET.SubElement(budget, "period-start", {"iso-date": _date(start)})
    ET.SubElement(budget, "period-end", {"iso-date": _date(end)})
    _value(budget, amount, currency, start)


def _child_activity(root, workplan: Workplan, activity: Activity) -> None:
    element = _header(root, workplan, identifier_of(workplan, activity), 2, activity.updated_at, activity.currency)
    _narrative(element, "title", activity.title)
    description = activity.description or f"{activity.action_area.name}: {activity.title}"
    _narrative(element, "description", description, type=codes.code("DescriptionType", "General"))
    funders = _funders(activity)
    for funder_name, funder_ref, funder_kind in funders:
        _org(element, "participating-org", role="Funding", name=funder_name, ref=funder_ref, kind=funder_kind)
    _org(element, "participating-org", activity.lead_agency, role="Accountable", kind="Multilateral")
    for agency in [activity.lead_agency, *sorted(activity.participating_agencies.all(), key=lambda a: a.acronym)]:
        _org(element, "participating-org", agency, role="Implementing", kind="Multilateral")
    ET.SubElement(element, "activity-status", {"code": codes.code("ActivityStatus", STATUS_NAMES[activity.status])})
    ET.SubElement(
        element,
        "activity-date",
        {"type": codes.code("ActivityDateType", "Planned start"), "iso-date": _date(activity.start_date)},
    )
    ET.SubElement(
        element,
        "activity-date",
        {"type": codes.code("ActivityDateType", "Planned End"), "iso-date": _date(activity.end_date)},
    )
    _recipient(element, workplan)
    _sector(element)
    for target in sorted(activity.sdg_targets.all(), key=lambda t: t.position):
        tag = ET.SubElement(
            element,
            "tag",
            {
                "vocabulary": codes.code("TagVocabulary", "Reporting Organisation"),
                "vocabulary-uri": SDG_TARGETS_URI,
                "code": target.code,
            },
        )
        ET.SubElement(tag, "narrative").text = f"SDG target {target.code}"
    markers = []
    if activity.gender_marker is not None:
        markers.append(("OECD DAC CRS", codes.code("PolicyMarker", "Gender Equality"), activity.gender_marker, None))
    if activity.human_rights_marker is not None:
        markers.append(("Reporting Organisation", "HRM", activity.human_rights_marker, "Human Rights Marker"))
    for vocabulary, code, score, label in markers:
        attrs = {
            "vocabulary": codes.code("PolicyMarkerVocabulary", vocabulary),
            "code": code,
            "significance": codes.code("PolicySignificance", MARKER_SIGNIFICANCE[score]),
        }
        if label:
            attrs["vocabulary-uri"] = HUMAN_RIGHTS_MARKER_URI
        marker = ET.SubElement(element, "policy-marker", attrs)
        if label:
            ET.SubElement(marker, "narrative").text = f"{label} {score}"
    if activity.budget_required:
        year_start, year_end = dt.date(workplan.year, 1, 1), dt.date(workplan.year, 12, 31)
        _budget(
            element,
            max(activity.start_date, year_start),
            min(activity.end_date, year_end),
            activity.budget_required,
            activity.currency,
        )
    for contribution in activity.contributions.all():
        if not contribution.amount:
            continue
        transaction = ET.SubElement(element, "transaction")
        ET.SubElement(transaction, "transaction-type", {"code": codes.code("TransactionType", "Incoming Commitment")})
        day = contribution.created_at.date()
        ET.SubElement(transaction, "transaction-date", {"iso-date": _date(day)})
        _value(transaction, contribution.amount, activity.currency, day)
        _narrative(
            transaction,
            "description",
            f"{contribution.agency.acronym}: {contribution.get_kind_display()} ({contribution.funder.name})",
        )
        name, ref, kind = _funder_of(contribution)
        _org(transaction, "provider-org", name=name, ref=ref)
    if activity.budget_spent:
        day = min(timezone.localdate(), activity.end_date)
        transaction = ET.SubElement(element, "transaction")
        ET.SubElement(transaction, "transaction-type", {"code": codes.code("TransactionType", "Expenditure")})
        ET.SubElement(transaction, "transaction-date", {"iso-date": _date(day)})
        _value(transaction, activity.budget_spent, activity.currency, day)
    ET.SubElement(
        element,
        "related-activity",
        {"ref": identifier_of(workplan), "type": codes.code("RelatedActivityType", "Parent")},
    )


def _funder_of(contribution: Contribution) -> tuple[str, str, str]:
    funder = contribution.funder
    if funder.kind == Funder.Kind.AGENCY_CORE:
        agency = contribution.agency
        return f"{agency.name} (core resources)", iati_identifier(agency.acronym) or "", "Multilateral"
    kind = {Funder.Kind.GOVERNMENT: "Government", Funder.Kind.POOLED_FUND: "Multilateral"}.get(funder.kind, "")
    return funder.name, funder.iati_identifier, kind


def _funders(activity: Activity) -> list[tuple[str, str, str]]:
    seen, found = set(), []
    for contribution in activity.contributions.all():
        entry = _funder_of(contribution)
        if entry[:2] not in seen:
            seen.add(entry[:2])
            found.append(entry)
    return found


# --- results (the results app: indicators of the plan's outputs) ---------------------------------------


MEASURES = {"percent": "Percentage", "qualitative": "Qualitative"}


def _results(element, workplan: Workplan) -> None:
    indicators = list(
        Indicator.objects.filter(output__workplan=workplan)
        .select_related("output")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.filter(year=workplan.year)),
            Prefetch(
                "values",
                queryset=IndicatorValue.objects.filter(
                    status=IndicatorValue.Status.APPROVED, sex="", age_group="", subdivision__isnull=True
                ).select_related("period"),
            ),
        )
        .order_by("output__position", "output_id", "position", "id")
    )
    by_output: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        by_output.setdefault(indicator.output_id, []).append(indicator)
    for output_indicators in by_output.values():
        output = output_indicators[0].output
        result = ET.SubElement(
            element, "result", {"type": codes.code("ResultType", "Output"), "aggregation-status": "0"}
        )
        _narrative(result, "title", output.title)
        for indicator in output_indicators:
            _indicator(result, indicator, workplan)


def _indicator(result, indicator: Indicator, workplan: Workplan) -> None:
    measure = MEASURES.get(indicator.unit, "Unit")
    attrs = {"measure": codes.code("IndicatorMeasure", measure)}
    if measure != "Qualitative":
        attrs["ascending"] = "0" if indicator.direction == "decrease" else "1"
    element = ET.SubElement(result, "indicator", attrs)
    _narrative(element, "title", indicator.title)
    if indicator.baseline_year and (indicator.baseline_value is not None or indicator.baseline_text):
        baseline = ET.SubElement(element, "baseline", {"year": str(indicator.baseline_year)})
        if indicator.baseline_value is not None and measure != "Qualitative":
            baseline.set("value", _number(indicator.baseline_value))
        if indicator.baseline_text:
            _narrative(baseline, "comment", indicator.baseline_text)
    targets = {target.period_kind: target for target in indicator.targets.all()}
    actuals = {value.period.kind: value for value in indicator.values.all() if value.period.year == workplan.year}
    periods = {value.period.kind: value.period for value in actuals.values()}
    for kind in sorted(set(targets) | set(actuals), key=lambda k: 0 if k == "mid_year" else 1):
        period = periods.get(kind)
        start = period.start_date if period else dt.date(workplan.year, 1, 1)
        end = (
            period.end_date
            if period
            else (dt.date(workplan.year, 6, 30) if kind == "mid_year" else dt.date(workplan.year, 12, 31))
        )
        node = ET.SubElement(element, "period")
        ET.SubElement(node, "period-start", {"iso-date": _date(start)})
        ET.SubElement(node, "period-end", {"iso-date": _date(end)})
        target, actual = targets.get(kind), actuals.get(kind)
        if target is not None:
            _point(node, "target", target.value, target.text, measure)
        if actual is not None:
            _point(node, "actual", actual.value, actual.text, measure)


def _point(parent, tag: str, value, text: str, measure: str) -> None:
    element = ET.SubElement(parent, tag)
    if value is not None and measure != "Qualitative":
        element.set("value", _number(value))
    if text:
        _narrative(element, "comment", text)


def _number(value) -> str:
    return format(Decimal(value).normalize(), "f")
