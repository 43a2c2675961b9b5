"""Demo results: outputs, standard and custom indicators, values for past periods; reproducible."""

import datetime as dt

import pytest

from results.models import Indicator, IndicatorValue, Target
from results.selectors import results_summary
from unnutrition.demo_data import generate_demo_data, purge_demo_data
from workplans.models import Activity, Output, ReportingPeriod

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 9, 15)


def snapshot():
    return (
        sorted(Output.objects.values_list("workplan__team__name", "workplan__year", "title", "position")),
        sorted(Indicator.objects.values_list("output__title", "title", "unit", "baseline_value", "standard__code")),
        sorted(Target.objects.values_list("indicator__title", "year", "period_kind", "value")),
        sorted(
            IndicatorValue.objects.values_list("indicator__title", "period__kind", "period__year", "value", "status")
        ),
    )


def test_demo_results_are_believable_and_reproducible():
    counts = generate_demo_data(countries=5, years=2, seed=3, as_of=AS_OF)
    assert counts["workplans.Output"] >= 2 * 5 and counts["results.Indicator"] > counts["workplans.Output"]
    indicators = Indicator.objects.all()
    assert indicators.filter(standard__isnull=False).exists() and indicators.filter(standard__isnull=True).exists()
    # Every activity of a plan with outputs sits under the output of its action area.
    for activity in Activity.objects.filter(output__isnull=False).select_related("output"):
        assert activity.output.workplan_id == activity.workplan_id
        assert activity.output.action_area_id == activity.action_area_id
    # Values only for periods that have ended; decided by someone else than whoever entered them.
    assert IndicatorValue.objects.exists()
    assert not IndicatorValue.objects.filter(period__end_date__gte=AS_OF).exists()
    for value in IndicatorValue.objects.filter(status="approved"):
        assert value.decided_by_id and value.decided_by_id != value.entered_by_id
    assert ReportingPeriod.objects.get(year=2025, kind="annual").is_closed
    assert not ReportingPeriod.objects.get(year=2026, kind="annual").is_closed
    summary = results_summary(2025)
    assert summary["on_track"] > 0 and summary["off_track"] > 0
    first = snapshot()
    generate_demo_data(countries=5, years=2, seed=3, as_of=AS_OF)
    assert snapshot() == first
    purge_demo_data()
    assert not Indicator.objects.exists() and not IndicatorValue.objects.exists()
    assert not Indicator.history.exists() and not IndicatorValue.history.exists() and not Target.history.exists()
