"""The dashboard, its needs-attention pages and the data-quality report agree on every figure
they share, on the demo data (where teams lose conveners, plans stay drafts, work goes stale)."""

import pytest
from django.conf import settings
from django.utils import timezone

from reports.selectors import Scope, due_date, findings, key_figures
from unnutrition.demo_data import generate_demo_data
from workplans.selectors import reference_date

from ..factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", [timezone.localdate().year - 1, timezone.localdate().year])
def test_dashboard_attention_pages_and_data_quality_report_agree(client, year):
    generate_demo_data(countries=12, years=2, seed=5, as_of=timezone.localdate())
    client.force_login(make_user("secretariat"))
    page = client.get(f"/dashboard/?year={year}")
    summary, attention = page.context["summary"], page.context["attention"]
    as_of = reference_date(year, timezone.localdate())
    report = findings(
        year, Scope(), as_of, due_date(year, settings.REPORTS_WORKPLAN_DUE), settings.REPORTS_STALE_ACTIVITY_DAYS
    )
    whole = {
        kind: client.get(f"/dashboard/attention/{kind}/?year={year}").context["count"]
        for kind in ("no-convener", "not-submitted", "stale")
    }
    without_convener = summary["teams"] - summary["teams_with_convener"]
    assert without_convener == attention["teams_without_convener_count"] == report["no_convener"].count()
    assert without_convener == whole["no-convener"]
    assert attention["workplans_not_submitted_count"] == report["not_submitted"].count() == whole["not-submitted"]
    assert attention["stale_activities_count"] == report["stale"].count() == whole["stale"]
    figures = key_figures(year, Scope(), as_of)
    assert figures["countries"] == summary["countries_with_active_team"]
    assert figures["workplans"] == {**summary["workplans_by_status"], "none": summary["teams_without_workplan"]}
    # The doughnut beside them counts every team once.
    assert sum(page.context["chart_data"]["workplans"]["values"]) == summary["teams"]
