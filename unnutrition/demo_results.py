"""Demo results for the demo workplans: joint outputs, standard and custom indicators, targets, and
values for the periods that have ended. Called by demo_data.generate_demo_data once its rows are
saved; reproducible (its own `random.Random` from the same seed) and written in bulk, a few
statements per table, so the benchmark size stays fast.

What it holds, and why:

- The Secretariat's reporting periods (mid-year, annual) of every demo year, closed a few weeks
  after their due date when that has passed; periods already there (real ones) are kept.
- Two to four joint outputs per workplan, one per action area its activities work in (the
  largest areas first), each activity assigned to the output of its area.
- One to three indicators per output: standard ones that suit the action area (stunting and
  wasting for evidence work, the coordination indicators for advocacy and knowledge work, the
  capacity assessment for capacity strengthening) and the team's own (people trained, briefs
  published, provinces with a costed plan). Baselines a survey would give (stunting 15-45 %),
  targets moving the desired way, a mid-year target on some.
- Values for every period that has ended: most approved by the convener of the day (never by the
  focal point who entered them), a few returned with a reason and corrected, and those of a
  period still open awaiting approval. About two indicators in three end up on track.
- History rows for every record, so "History" answers; the demo purge removes all of it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from results.models import Indicator, IndicatorValue, StandardIndicator, Target
from teams.models import ConvenerTerm
from workplans.models import Activity, Output, ReportingPeriod, Workplan

# One output per action area a plan works in: its title.
OUTPUT_TITLES = {
    "evidence": "Evidence on the nutrition situation generated and used in national decisions",
    "advocacy": "Nutrition prioritised in national policies, budgets and the Cooperation Framework",
    "knowledge": "Nutrition information and knowledge shared across sectors and partners",
    "capacity": "National and subnational capacity to plan, implement and monitor nutrition actions strengthened",
    "emergency": "Nutrition response in emergencies coordinated with the humanitarian clusters",
}

# Per action area: standard indicators that suit it (catalogue codes) and the team's own (title, unit).
STANDARD_FOR = {
    "evidence": ["sdg-2-2-1-stunting", "sdg-2-2-2-wasting", "sdg-2-2-3-anaemia-women", "minimum-dietary-diversity"],
    "advocacy": ["nutrition-in-cooperation-framework", "joint-proposal-submitted", "joint-funds-mobilised"],
    "knowledge": ["un-nutrition-inventory", "msp-functioning"],
    "capacity": ["nutrition-capacity-assessment", "exclusive-breastfeeding"],
    "emergency": ["sdg-2-2-2-wasting", "wasting-roadmap-finalised"],
}
CUSTOM_FOR = {
    "evidence": [("Nutrition surveys and analyses published jointly", "number", 1, 4)],
    "advocacy": [("Policy briefs on nutrition presented to ministries", "number", 1, 6)],
    "knowledge": [("Partners reached by the joint nutrition bulletin", "number", 20, 120)],
    "capacity": [
        ("Health and agriculture staff trained in nutrition", "number", 50, 600),
        ("Provinces with a costed nutrition plan", "number", 1, 8),
    ],
    "emergency": [("Children 6-59 months screened for wasting (thousands)", "number", 5, 120)],
}
# Plausible national baselines (percent) for the standard outcome indicators.
BASELINE_RANGE = {
    "sdg-2-2-1-stunting": (15, 45),
    "sdg-2-2-2-wasting": (3, 15),
    "sdg-2-2-3-anaemia-women": (20, 50),
    "minimum-dietary-diversity": (15, 45),
    "exclusive-breastfeeding": (25, 65),
}
RETURN_REASONS = [
    "The survey report gives a different figure: please check the table you took it from.",
    "This is last year's value; enter the figure of this period.",
    "Attach the minutes of the meeting as evidence and check the date.",
]
MEANS_OF_VERIFICATION = {
    "percent": "National nutrition survey (DHS, MICS or SMART), as published by the national statistics office",
    "yes_no": "Minutes, signed documents or submission records kept by the team",
    "number": "The team's activity records and attendance lists",
}


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def periods_for(years: list[int], as_of: dt.date, secretariat: User | None) -> tuple[dict, int]:
    """The mid-year and annual periods of `years`, made where missing, closed once well past due."""
    existing = {(p.year, p.kind): p for p in ReportingPeriod.objects.filter(year__in=years)}
    new = []
    for year in years:
        for kind, end, due in (
            ("mid_year", dt.date(year, 6, 30), dt.date(year, 7, 31)),
            ("annual", dt.date(year, 12, 31), dt.date(year + 1, 1, 31)),
        ):
            if (year, kind) in existing:
                continue
            closing = due + dt.timedelta(days=21)
            period = ReportingPeriod(
                year=year, kind=kind, start_date=dt.date(year, 1, 1), end_date=end, due_date=due,
                closed_at=aware(closing) if closing <= as_of else None,
                closed_by=secretariat if closing <= as_of else None,
            )  # fmt: skip
            new.append(period)
    ReportingPeriod.objects.bulk_create(new)
    _history(ReportingPeriod, new, lambda p: aware(dt.date(p.year - 1, 12, 1)), secretariat)
    return {**existing, **{(p.year, p.kind): p for p in new}}, len(new)


def _history(model, objs, when, user) -> None:
    """A "created" history row for each of `objs` (values as saved)."""
    history = model.history.model
    names = [f.attname for f in history.tracked_fields]
    history.objects.bulk_create(
        [
            history(
                history_date=when(obj),
                history_type="+",
                history_user_id=user.pk if user else None,
                history_change_reason="",
                **{name: getattr(obj, name) for name in names},
            )
            for obj in objs
        ],
        batch_size=2000,
    )


def _round(value: float, unit: str) -> Decimal:
    if unit == "yes_no":
        return Decimal(1 if value >= 0.5 else 0)
    if unit == "percent":
        return Decimal(str(round(min(max(value, 0.0), 100.0), 1)))
    return Decimal(max(0, round(value)))


def generate_results(*, seed: int, as_of: dt.date, teams, secretariat: User | None) -> Counter[str]:
    """Outputs, indicators, targets and values for the workplans of `teams` (saved demo teams)."""
    rng = random.Random(f"results-{seed}")
    workplans = list(Workplan.objects.filter(team__in=teams, year__lte=as_of.year).order_by("team_id", "year"))
    if not workplans:
        return Counter()
    periods, _new = periods_for(sorted({w.year for w in workplans}), as_of, secretariat)
    catalogue = {s.code: s for s in StandardIndicator.objects.filter(is_active=True)}
    people = _people(workplans)

    activities = defaultdict(list)
    for activity in Activity.objects.filter(workplan__in=workplans).select_related("action_area").order_by("id"):
        activities[activity.workplan_id].append(activity)

    outputs, output_area = [], {}
    for workplan in workplans:
        by_area = Counter(a.action_area.code for a in activities[workplan.pk])
        areas = [code for code, _n in by_area.most_common(rng.randint(2, 4)) if code in OUTPUT_TITLES]
        for position, code in enumerate(areas, start=1):
            area_id = next(a.action_area_id for a in activities[workplan.pk] if a.action_area.code == code)
            output = Output(workplan=workplan, title=OUTPUT_TITLES[code], action_area_id=area_id, position=position)
            outputs.append(output)
            output_area[id(output)] = code
    Output.objects.bulk_create(outputs, batch_size=2000)
    created = {w.pk: aware(dt.date(w.year - 1, 12, 15)) for w in workplans}
    _history(Output, outputs, lambda o: created[o.workplan_id], None)

    # Each activity goes under the output of its action area (history rows say so too).
    output_of = {(o.workplan_id, o.action_area_id): o.pk for o in outputs}
    changed = []
    for rows in activities.values():
        for activity in rows:
            output_id = output_of.get((activity.workplan_id, activity.action_area_id))
            if output_id is not None:
                activity.output_id = output_id
                changed.append(activity)
    Activity.objects.bulk_update(changed, ["output"], batch_size=2000)
    output_by_activity = {a.pk: a.output_id for a in changed}
    rows = list(Activity.history.filter(id__in=list(output_by_activity)).only("history_id", "id"))
    for row in rows:
        row.output_id = output_by_activity[row.id]
    Activity.history.model.objects.bulk_update(rows, ["output_id"], batch_size=2000)

    indicators, targets, plans = [], [], []
    year_of = {w.pk: w.year for w in workplans}
    for output in outputs:
        code, year = output_area[id(output)], year_of[output.workplan_id]
        standards = [catalogue[c] for c in STANDARD_FOR[code] if c in catalogue]
        chosen = rng.sample(standards, min(len(standards), rng.randint(1, 2)))
        customs = rng.sample(CUSTOM_FOR[code], 1) if rng.random() < 0.6 else []
        for position, spec in enumerate([*chosen, *customs], start=1):
            if isinstance(spec, StandardIndicator):
                unit, direction, title = spec.unit, spec.direction, spec.name
                low, high = BASELINE_RANGE.get(spec.code, (0, 0))
                standard = spec
            else:
                title, unit, low, high = spec
                direction, standard = "increase", None
            baseline = (
                _round(rng.uniform(low, high), unit) if unit != "yes_no" else Decimal(0)
            ) if high else (Decimal(0) if unit in ("yes_no", "number") else None)  # fmt: skip
            indicator = Indicator(
                output=output, standard=standard, title=title, unit=unit, direction=direction,
                baseline_value=baseline, baseline_year=year - rng.randint(1, 3),
                means_of_verification=MEANS_OF_VERIFICATION.get(unit, ""),
                sdg_indicator=standard.sdg_indicator if standard else "", position=position,
                by_sex=unit == "percent" and standard is not None and rng.random() < 0.25,
            )  # fmt: skip
            indicators.append(indicator)
            annual = _target(unit, direction, baseline, high, rng)
            plans.append((indicator, annual))
            targets.append(Target(indicator=indicator, year=year, period_kind="annual", value=annual))
            if unit != "yes_no" and rng.random() < 0.3:
                targets.append(
                    Target(
                        indicator=indicator, year=year, period_kind="mid_year", value=_midway(baseline, annual, unit)
                    )
                )
            if rng.random() < 0.5:  # next year's target, set ahead (a copy of the plan takes it along)
                targets.append(
                    Target(
                        indicator=indicator,
                        year=year + 1,
                        period_kind="annual",
                        value=_target(unit, direction, annual, high, rng),
                    )
                )
    Indicator.objects.bulk_create(indicators, batch_size=2000)
    output_workplan = {o.pk: o.workplan_id for o in outputs}
    indicator_workplan = {i.pk: output_workplan[i.output_id] for i in indicators}
    for target in targets:
        target.indicator_id = target.indicator.pk  # (setting the id forgets the cached indicator)
    Target.objects.bulk_create(targets, batch_size=2000)
    _history(Indicator, indicators, lambda i: created[output_workplan[i.output_id]], None)
    _history(Target, targets, lambda t: created[indicator_workplan[t.indicator_id]], None)

    values = _values(plans, periods, as_of, people, output_workplan, year_of, rng)
    return Counter(
        {
            "workplans.Output": len(outputs),
            "results.Indicator": len(indicators),
            "results.Target": len(targets),
            "results.IndicatorValue": values,
        }
    )


def _target(unit, direction, baseline, high, rng) -> Decimal:
    if unit == "yes_no":
        return Decimal(1)
    if baseline is None:
        return _round(rng.uniform(1, high or 10), unit)
    if unit == "percent":
        step = rng.uniform(0.8, 2.5)
        return _round(float(baseline) - step if direction == "decrease" else float(baseline) + step, unit)
    return _round(float(baseline) + rng.uniform(max(high, 2) * 0.3, max(high, 2)), unit)


def _midway(baseline, annual, unit) -> Decimal:
    if baseline is None:
        return annual
    return _round(float(baseline) + (float(annual) - float(baseline)) / 2, unit)


def _people(workplans) -> dict:
    """Per team: its focal points' and conveners' accounts (who enters and who decides)."""
    team_ids = {w.team_id for w in workplans}
    focal = defaultdict(list)
    for team_id, user_id in (
        User.objects.filter(person__focal_point_roles__member__team_id__in=team_ids)
        .values_list("person__focal_point_roles__member__team_id", "pk")
        .order_by("pk")
        .distinct()
    ):
        focal[team_id].append(user_id)
    conveners = defaultdict(list)
    for team_id, user_id in (
        User.objects.filter(
            Q(person__convener_terms__team_id__in=team_ids), person__convener_terms__role=ConvenerTerm.Role.CONVENER
        )
        .values_list("person__convener_terms__team_id", "pk")
        .order_by("pk")
        .distinct()
    ):
        conveners[team_id].append(user_id)
    return {"focal": focal, "conveners": conveners}


def _values(plans, periods, as_of, people, output_workplan, year_of, rng) -> int:
    """Values of every period that has ended (its end before `as_of`)."""
    team_of = dict(Workplan.objects.filter(pk__in=set(output_workplan.values())).values_list("pk", "team_id"))
    values, versions = [], []
    for indicator, annual in plans:
        workplan_id = output_workplan[indicator.output_id]
        year, team = year_of[workplan_id], team_of[workplan_id]
        entering, deciding = people["focal"].get(team), people["conveners"].get(team)
        if not entering:
            continue
        on_track = rng.random() < 0.65
        for kind in ("mid_year", "annual"):
            period = periods[(year, kind)]
            if period.end_date >= as_of or rng.random() < 0.08:
                continue  # not over yet, or the team never reported it
            share = 0.5 if kind == "mid_year" else 1.0
            value = _actual(indicator, annual, share, on_track, rng)
            entered_at = aware(min(period.due_date - dt.timedelta(days=rng.randint(0, 25)), as_of))
            entered_by = rng.choice(entering)
            decider = rng.choice([u for u in deciding or [] if u != entered_by] or [None])
            status = "approved" if period.is_closed or rng.random() < 0.6 else "submitted"
            if decider is None:
                status = "submitted"
            returned = status == "approved" and rng.random() < 0.1
            decided_at = entered_at + dt.timedelta(days=rng.randint(2, 12)) if status == "approved" else None
            record = IndicatorValue(
                indicator_id=indicator.pk, period_id=period.pk, value=value, status=status,
                entered_by_id=entered_by, entered_at=entered_at,
                decided_by_id=decider if status == "approved" else None, decided_at=decided_at,
                comment="Figure from the latest national survey." if indicator.unit == "percent" else "",
            )  # fmt: skip
            values.append(record)
            versions.append((record, entered_at, entered_by, decider, returned, decided_at))
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    history = IndicatorValue.history.model
    names = [f.attname for f in history.tracked_fields]
    rows = []
    for record, entered_at, entered_by, decider, returned, decided_at in versions:
        base = {name: getattr(record, name) for name in names}
        pending = {**base, "status": "submitted", "decided_by_id": None, "decided_at": None}
        steps = [("+", entered_at, entered_by, pending)]
        if returned:
            reason = rng.choice(RETURN_REASONS)
            back = entered_at + dt.timedelta(days=1)
            steps.append(("~", back, decider, {**pending, "status": "returned", "return_reason": reason,
                                                "decided_by_id": decider, "decided_at": back}))  # fmt: skip
            steps.append(("~", back + dt.timedelta(days=1), entered_by, {**pending, "return_reason": reason}))
        if record.status == "approved":
            steps.append(("~", decided_at, decider, base))
        rows += [
            history(history_date=when, history_type=kind, history_user_id=user, history_change_reason="", **fields)
            for kind, when, user, fields in steps
        ]
    history.objects.bulk_create(rows, batch_size=2000)
    return len(values)


def _actual(indicator, annual, share, on_track, rng) -> Decimal:
    unit, baseline = indicator.unit, indicator.baseline_value
    if unit == "yes_no":
        return Decimal(1 if (on_track and share == 1.0) or rng.random() < 0.3 else 0)
    start = float(baseline) if baseline is not None else 0.0
    goal = start + (float(annual) - start) * share
    gap = abs(float(annual) - start) or 1.0
    if indicator.direction == "decrease":
        value = goal - rng.uniform(0, gap * 0.4) if on_track else goal + rng.uniform(gap * 0.2, gap)
    else:
        value = goal + rng.uniform(0, gap * 0.4) if on_track else goal - rng.uniform(gap * 0.2, gap)
    return _round(value, unit)


def purge_results(workplans) -> None:
    """Before the demo workplans go: their values (protected) and their outputs', indicators' and
    targets' history rows. Reporting periods stay (teams of the real world report in them too)."""
    values = IndicatorValue.objects.filter(indicator__output__workplan__in=workplans)
    IndicatorValue.history.filter(
        indicator_id__in=Indicator.objects.filter(output__workplan__in=workplans).values("pk")
    ).delete()
    values.delete()
    indicators = Indicator.objects.filter(output__workplan__in=workplans)
    Target.history.filter(indicator_id__in=indicators.values("pk")).delete()
    Indicator.history.filter(output_id__in=Output.objects.filter(workplan__in=workplans).values("pk")).delete()
    Output.history.filter(workplan_id__in=workplans.values("pk")).delete()
