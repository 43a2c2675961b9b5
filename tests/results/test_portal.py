"""Results on the portal: the pages, who reaches them, bad input at the field, bounded queries."""

import re
from decimal import Decimal

import pytest

from results import services
from results.models import Indicator, IndicatorValue, StandardIndicator
from workplans import services as workplan_services
from workplans.models import Output

from ..factories import make_activity
from .conftest import YEAR

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def add_indicators(plan, n: int, **data):
    standard = StandardIndicator.objects.get(code="sdg-2-2-1-stunting")
    created = []
    for i in range(n):
        created.append(
            services.create_indicator(
                output=plan.output,
                user=plan.secretariat,
                data={
                    "standard": standard,
                    "title": f"Stunting {i}",
                    "baseline_value": Decimal("32"),
                    "baseline_year": 2022,
                    **data,
                },
                targets=[{"year": YEAR, "period_kind": "annual", "value": "30"}],
            )
        )
    return created


def test_the_workplan_page_shows_outputs_indicators_and_their_status(client, plan):
    indicator = add_indicators(plan, 1)[0]
    value = services.enter_value(indicator=indicator, period=plan.mid, user=plan.focal, data={"value": "33"})
    services.approve_value(pk=value.pk, user=plan.convener)
    body = signed_in(client, plan.viewer).get(f"/workplans/{plan.workplan.pk}/").content.decode()
    section = body[body.index('id="results-title"') :]
    assert 'Output 1: <bdi dir="auto">Child wasting roadmap costed and funded</bdi>' in section
    row = re.search(rf'<tr id="indicator-{indicator.pk}">.*?</tr>', section, re.S).group(0)
    assert "Stunting 0" in row and "32% (2022)" in row and "30%" in row and "33%" in row and "Off track" in row
    assert "Add an indicator" not in body  # a viewer does not plan


@pytest.mark.parametrize("n", [1, 50])
def test_pages_with_1_or_50_indicators_cost_the_same_queries(client, plan, n, django_assert_max_num_queries):
    indicators = add_indicators(plan, n)
    for indicator in indicators:
        services.enter_value(indicator=indicator, period=plan.mid, user=plan.focal, data={"value": "31"})
    make_activity(plan.workplan, output=plan.output)
    client = signed_in(client, plan.convener)
    with django_assert_max_num_queries(24):
        response = client.get(f"/workplans/{plan.workplan.pk}/")
    assert response.content.decode().count('<tr id="indicator-') == n
    with django_assert_max_num_queries(16):
        response = client.get(f"/results/workplans/{plan.workplan.pk}/periods/{plan.mid.pk}/")
    assert response.content.decode().count('class="card period-entry"') == n
    # The team page's own roster and the results section (the workplan, its indicators, evidence).
    with django_assert_max_num_queries(30):
        response = client.get(f"/teams/{plan.team.pk}/")
    assert response.status_code == 200


def test_a_focal_point_enters_a_value_for_the_period_and_sees_a_bad_one_explained(client, plan):
    indicator = add_indicators(plan, 1)[0]
    url = f"/results/workplans/{plan.workplan.pk}/periods/{plan.mid.pk}/"
    client = signed_in(client, plan.focal)
    response = client.post(
        url, {"indicator": indicator.pk, f"i{indicator.pk}-result": "140", f"i{indicator.pk}-comment": ""}
    )
    assert response.status_code == 200
    assert "A percentage is between 0 and 100; 140 is not." in response.content.decode()
    assert not IndicatorValue.objects.exists()
    response = client.post(
        url, {"indicator": indicator.pk, f"i{indicator.pk}-result": "31,5", f"i{indicator.pk}-comment": "DHS"}
    )
    assert response.status_code == 302
    value = IndicatorValue.objects.get()
    assert (value.value, value.comment, value.status, value.entered_by) == (
        Decimal("31.5"),
        "DHS",
        "submitted",
        plan.focal,
    )


def test_the_convener_returns_with_a_reason_and_approves_after_the_correction(client, plan):
    indicator = add_indicators(plan, 1)[0]
    value = services.enter_value(indicator=indicator, period=plan.mid, user=plan.focal, data={"value": "33"})
    client = signed_in(client, plan.convener)
    missing = client.post(f"/results/values/{value.pk}/return/", {"reason": ""})
    assert "This field is required." in missing.content.decode()
    client.post(f"/results/values/{value.pk}/return/", {"reason": "Use the 2025 survey figure."})
    value.refresh_from_db()
    assert (value.status, value.return_reason) == ("returned", "Use the 2025 survey figure.")

    focal = signed_in(client.__class__(), plan.focal)
    assert (
        "Use the 2025 survey figure."
        in focal.get(f"/results/workplans/{plan.workplan.pk}/periods/{plan.mid.pk}/").content.decode()
    )
    focal.post(f"/results/values/{value.pk}/edit/", {"result": "31.8", "comment": "2025 survey"})
    value.refresh_from_db()
    assert (value.status, value.value) == ("submitted", Decimal("31.8"))

    client.post(f"/results/values/{value.pk}/approve/")
    value.refresh_from_db()
    assert (value.status, value.decided_by) == ("approved", plan.convener)


def test_whoever_entered_a_value_sees_no_approve_button_and_is_refused(client, plan):
    indicator = add_indicators(plan, 1)[0]
    value = services.enter_value(indicator=indicator, period=plan.mid, user=plan.convener, data={"value": "33"})
    client = signed_in(client, plan.convener)
    page = client.get(f"/results/workplans/{plan.workplan.pk}/periods/{plan.mid.pk}/").content.decode()
    assert f'action="/results/values/{value.pk}/approve/"' not in page
    assert "Awaiting another person’s approval." in page
    response = client.post(f"/results/values/{value.pk}/approve/")
    assert response.status_code == 403
    assert "You entered this value" in response.content.decode()
    assert IndicatorValue.objects.get().status == "submitted"


@pytest.mark.parametrize(
    ("who", "status"), [("focal", 200), ("secretariat", 200), ("other_focal", 404), ("viewer", 404)]
)
def test_only_the_team_and_the_secretariat_reach_the_writing_pages(client, plan, who, status):
    indicator = add_indicators(plan, 1)[0]
    value = services.enter_value(indicator=indicator, period=plan.mid, user=plan.convener, data={"value": "33"})
    client = signed_in(client, getattr(plan, who))
    for url in (
        f"/results/outputs/{plan.output.pk}/indicators/new/",
        f"/results/indicators/{indicator.pk}/edit/",
        f"/results/values/{value.pk}/edit/",
        f"/workplans/outputs/{plan.output.pk}/edit/",
        f"/results/evidence/new/workplan/{plan.workplan.pk}/",
    ):
        assert client.get(url).status_code == status, url
    # Reading is for everyone signed in.
    assert client.get(f"/results/indicators/{indicator.pk}/").status_code == 200
    assert client.get(f"/results/workplans/{plan.workplan.pk}/periods/{plan.mid.pk}/").status_code == 200


def test_outputs_and_indicators_through_their_forms(client, plan):
    client = signed_in(client, plan.focal)
    response = client.post(
        f"/workplans/{plan.workplan.pk}/outputs/new/",
        {"title": "Joint advocacy", "position": 2, "national_objective": "Reduce stunting"},
    )
    assert "Name the national framework this objective belongs to." in response.content.decode()
    response = client.post(f"/workplans/{plan.workplan.pk}/outputs/new/", {"title": "Joint advocacy", "position": 2})
    assert response.status_code == 302
    output = Output.objects.get(title="Joint advocacy")

    new = f"/results/outputs/{output.pk}/indicators/new/"
    response = client.post(new, {"output": output.pk, "title": "Platform meetings", "unit": "yes_no", "direction": "increase",
                                 "position": 1, f"target_{YEAR}_annual": "yes"})  # fmt: skip
    assert "Give the baseline year before setting targets" in response.content.decode()
    response = client.post(new, {"output": output.pk, "title": "Platform meetings", "unit": "yes_no", "direction": "increase",
                                 "position": 1, "baseline": "no", "baseline_year": 2025, f"target_{YEAR}_annual": "yes"})  # fmt: skip
    assert response.status_code == 302
    indicator = Indicator.objects.get(title="Platform meetings")
    assert (indicator.baseline_value, list(indicator.targets.values_list("value", flat=True))) == (0, [1])


def test_a_submitted_workplans_outputs_are_closed_to_the_team_with_the_reason(client, plan):
    workplan_services.submit_workplan(workplan=plan.workplan, user=plan.convener)
    response = signed_in(client, plan.focal).get(f"/workplans/{plan.workplan.pk}/outputs/new/")
    assert response.status_code == 403
    assert "outputs and their indicators are planned in drafts only" in response.content.decode()


def test_periods_page_the_secretariat_closes_and_reopens_with_a_reason(client, plan):
    assert "Add a period" not in signed_in(client, plan.convener).get("/workplans/periods/").content.decode()
    assert client.get(f"/workplans/periods/{plan.mid.pk}/close/").status_code == 403
    client = signed_in(client, plan.secretariat)
    client.post(f"/workplans/periods/{plan.mid.pk}/close/")
    plan.mid.refresh_from_db()
    assert plan.mid.is_closed
    response = client.post(f"/workplans/periods/{plan.mid.pk}/reopen/", {"reason": ""})
    assert "This field is required." in response.content.decode()
    client.post(f"/workplans/periods/{plan.mid.pk}/reopen/", {"reason": "A team's survey arrived late."})
    plan.mid.refresh_from_db()
    assert not plan.mid.is_closed


def test_the_catalogue_in_another_language(client, plan):
    client = signed_in(client, plan.viewer)
    body = client.get("/results/catalogue/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Retard de croissance chez les enfants de moins de 5 ans" in body
    zh = client.get("/results/catalogue/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "5岁以下儿童发育迟缓发生率" in zh


def test_the_dashboard_shows_results_by_region_area_and_standard_indicator(client, plan, django_assert_max_num_queries):
    indicator = add_indicators(plan, 1)[0]
    value = services.enter_value(indicator=indicator, period=plan.mid, user=plan.focal, data={"value": "31"})
    services.approve_value(pk=value.pk, user=plan.convener)
    client = signed_in(client, plan.viewer)
    body = client.get(f"/dashboard/?year={YEAR}").content.decode()
    section = body[body.index('id="results-dashboard"') :]
    assert "1 indicator in the year's workplans; 100.0% of those that can be judged are on track." in section
    asia = re.search(r"<tr><th scope=\"row\">Asia</th>(.*?)</tr>", section).group(1)
    assert re.findall(r'class="num">([^<]*)<', asia) == ["1", "1", "0", "0", "100.0%"]
    stunting = re.search(r'<tr id="standard-sdg-2-2-1-stunting">(.*?)</tr>', section).group(1)
    assert re.findall(r'class="num">([^<]*)<', stunting) == ["1", "1", "1", "0", "0", "31%"]
    # In French, names from the catalogue's translations.
    french = client.get(f"/dashboard/?year={YEAR}", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Retard de croissance chez les enfants de moins de 5 ans" in french
    # Computed once per data version: a second view costs no query for the results section.
    client.get(f"/dashboard/?year={YEAR}")
    with django_assert_max_num_queries(30):
        client.get(f"/dashboard/?year={YEAR}")
