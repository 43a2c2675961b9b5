"""Results on the pages of the apps below (the workplan page, the team page) and in results' own pages.

The workplans and teams apps cannot import this one: their templates load these tags, which read
through results.selectors in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext

from workplans import rules as workplan_rules
from workplans.models import Output, ProgressUpdate, ReportingPeriod, Workplan

from .. import rules, selectors
from ..models import Attachment, IndicatorValue, Unit

register = template.Library()


@register.filter
def result(value, unit: str = "") -> str:
    """A value as a person reads it: 1,200 · 32.5% · yes · the words of a qualitative result."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):  # a row of indicator_rows' values
        return result(value.get("value") if value.get("value") is not None else value.get("text"), unit)
    if not isinstance(value, Decimal | int | float):
        return str(value)
    if unit == Unit.YES_NO:
        return gettext("yes") if value == 1 else gettext("no")
    places = 0 if Decimal(value) == Decimal(value).to_integral_value() else 1
    text = number_format(Decimal(value), places, use_l10n=True, force_grouping=True)
    return f"{text}%" if unit == Unit.PERCENT else text


@register.filter
def status_label(status: str) -> str:
    return selectors.status_label(status)


@register.filter
def target_in(row: dict, key: str) -> object:
    """`row|target_in:"2026:annual"`: the row's target for that year and period (or its words)."""
    year, kind = key.split(":")
    value = row["targets"].get((int(year), kind))
    return value if value is not None else row["target_texts"].get((int(year), kind))


@register.filter
def value_in(row: dict, kind: str):
    found = row["values"].get(kind)
    if not found:
        return None
    return found["value"] if found["value"] is not None else found["text"]


@register.inclusion_tag("results/_workplan_results.html", takes_context=True)
def workplan_results(context, workplan: Workplan):
    """The workplan's outputs, their indicators against targets, the periods to report in, and evidence."""
    user = context["request"].user
    periods = list(ReportingPeriod.objects.filter(year=workplan.year).order_by("end_date"))
    return {
        "request": context["request"],
        "workplan": workplan,
        "outputs": selectors.workplan_results(workplan),
        "periods": periods,
        "can_plan": workplan_rules.edit_workplan.test(user, workplan),
        "may_enter": rules.enter_values.test(user, workplan),
        "may_decide": rules.decide_values.test(user, workplan),
        "evidence": workplan_evidence(workplan, user),
        "year": workplan.year,
        "annual": f"{workplan.year}:{ReportingPeriod.Kind.ANNUAL}",
    }


def workplan_evidence(workplan: Workplan, user) -> list[dict]:
    """The visible evidence on the workplan, its outputs, its values and its activities' progress: one query."""
    types = ContentType.objects.get_for_models(Workplan, Output, IndicatorValue, ProgressUpdate)
    condition = (
        Q(content_type=types[Workplan], object_id=workplan.pk)
        | Q(content_type=types[Output], object_id__in=Output.objects.filter(workplan=workplan).values("pk"))
        | Q(
            content_type=types[IndicatorValue],
            object_id__in=IndicatorValue.objects.filter(indicator__output__workplan=workplan).values("pk"),
        )
        | Q(
            content_type=types[ProgressUpdate],
            object_id__in=ProgressUpdate.objects.filter(activity__workplan=workplan).values("pk"),
        )
    )
    on = {
        types[Workplan].pk: gettext("Workplan"),
        types[Output].pk: gettext("Output"),
        types[IndicatorValue].pk: gettext("Indicator value"),
        types[ProgressUpdate].pk: gettext("Progress update"),
    }
    return [
        {"attachment": a, "on": on.get(a.content_type_id, "")}
        for a in selectors.visible_attachments(user).filter(condition).select_related("uploaded_by")
    ]


@register.inclusion_tag("results/_team_results.html", takes_context=True)
def team_results(context, team):
    """The team's indicators of this year's workplan (or the latest one) by status, and its evidence."""
    user = context["request"].user
    workplan = team.workplans.filter(year__lte=timezone.localdate().year).order_by("-year").first()
    summary = selectors.team_results(team, workplan.year) if workplan else None
    team_type = ContentType.objects.get_for_model(type(team))
    evidence = list(
        selectors.visible_attachments(user)
        .filter(content_type=team_type, object_id=team.pk)
        .select_related("uploaded_by")
    )
    return {
        "request": context["request"],
        "team": team,
        "workplan": workplan,
        "summary": summary,
        "evidence": evidence,
        "can_add_evidence": rules.manage_evidence.test(user, team),
    }


@register.inclusion_tag("results/_evidence_list.html", takes_context=True)
def evidence_list(context, items, can_manage=False):
    return {"request": context["request"], "items": items, "can_manage": can_manage}


@register.simple_tag
def evidence_target(obj) -> str:
    """The target type name of a record, for "Add evidence" links."""
    from ..services import target_type_of

    return target_type_of(obj)


@register.filter
def kind_label(kind: str) -> str:
    return str(ReportingPeriod.Kind(kind).label) if kind in ReportingPeriod.Kind.values else kind


@register.filter
def attachment_visible_to(attachment: Attachment) -> str:
    return attachment.get_visibility_display()


@register.inclusion_tag("results/_dashboard_results.html", takes_context=True)
def dashboard_results(context, year: int):
    """The year's indicators on track by region and action area, and the standard ones across countries
    (results.selectors.dashboard_results: computed once per data version and language, then no query)."""
    summary = selectors.dashboard_results(year)
    return {
        "request": context["request"],
        "year": year,
        "summary": summary,
        "areas": [
            {**row, "name": summary["area_names"].get(row["group"], row["group"])} for row in summary["by_action_area"]
        ],
        "standard": [row for row in summary["standard"] if row["teams"]],
        "unused": [row for row in summary["standard"] if not row["teams"]],
    }
