"""The activity editor: the Cooperation Framework outcome, national frameworks, the SDG
target picker (grouped, full text, at most 10) and dates in the portal's language."""

import datetime as dt
import re

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from workplans.models import CooperationFramework, CooperationOutcome, NationalFramework, SdgTarget

from ..factories import form_data, make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(cambodia):
    return make_workplan(cambodia, 2026)


@pytest.fixture
def activity(plan):
    return make_activity(plan, title="Wasting roadmap costing")


@pytest.fixture
def focal(client, cambodia):
    client.force_login(make_user("focal_point", cambodia))
    return client


@pytest.fixture
def outcomes(cambodia, chad):
    running = CooperationFramework.objects.create(country=cambodia.country, start_year=2024, end_year=2028)
    ended = CooperationFramework.objects.create(country=cambodia.country, start_year=2019, end_year=2023)
    chads = CooperationFramework.objects.create(country=chad.country, start_year=2024, end_year=2028)
    return {
        "running": CooperationOutcome.objects.create(framework=running, code="2.1", title="People are well nourished"),
        "ended": CooperationOutcome.objects.create(framework=ended, code="1", title="Food security"),
        "chad": CooperationOutcome.objects.create(framework=chads, code="3", title="Resilience"),
    }


def test_the_form_sets_the_cooperation_framework_outcome(focal, activity, outcomes):
    page = focal.get(f"/workplans/activities/{activity.pk}/edit/")
    choices = [label for value, label in page.context["form"].fields["cooperation_outcome"].choices if value]
    # Only the outcomes of this country's framework running in the plan's year are offered.
    assert choices == ["2.1 People are well nourished (UNSDCF 2024–2028)"]
    response = focal.post(
        f"/workplans/activities/{activity.pk}/edit/", form_data(activity, cooperation_outcome=outcomes["running"].pk)
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.cooperation_outcome == outcomes["running"]


def test_an_outcome_of_another_country_or_period_is_refused_by_the_api_too(cambodia, activity, outcomes):
    api = APIClient()
    api.force_authenticate(make_user("focal_point", cambodia))
    url = f"/api/v1/activities/{activity.pk}/"
    for outcome, message in (
        (outcomes["chad"], "another country's Cooperation Framework"),
        (outcomes["ended"], "runs 2019–2023, not in 2026"),
    ):
        response = api.patch(url, {"cooperation_outcome": outcome.pk}, format="json", HTTP_IF_MATCH="*")
        assert response.status_code == 400, response.content
        assert message in str(response.json())
    activity.refresh_from_db()
    assert activity.cooperation_outcome is None


def test_no_outcome_and_no_national_framework_says_so_instead_of_an_empty_box(client, chad):
    # Chad has neither in the reference data (Cambodia has two national frameworks).
    activity = make_activity(make_workplan(chad, 2026))
    client.force_login(make_user("focal_point", chad))
    body = client.get(f"/workplans/activities/{activity.pk}/edit/").content.decode()
    assert "No national framework is recorded for this country yet" in body
    assert "No Cooperation Framework covering 2026 is recorded for this country." in body
    assert 'name="national_frameworks"' not in body


def test_national_frameworks_show_their_period(focal, activity, cambodia):
    NationalFramework.objects.filter(country=cambodia.country).delete()
    NationalFramework.objects.create(country=cambodia.country, name="Roadmap 2030", end_year=2030)
    NationalFramework.objects.create(country=cambodia.country, name="Strategy", start_year=2019, end_year=2023)
    body = focal.get(f"/workplans/activities/{activity.pk}/edit/").content.decode()
    assert "Roadmap 2030 (until 2030)" in body
    assert "Strategy (2019–2023)" in body
    country_page = focal.get(f"/countries/{cambodia.country.iso_alpha3}/").content.decode()
    country_page = re.sub(r"<[^>]+>", "", country_page)  # names sit in <bdi> (isolated on RTL pages)
    assert "Roadmap 2030 (until 2030)" in country_page and "(–2030)" not in country_page


def test_sdg_targets_are_grouped_by_goal_with_their_full_text(focal, activity):
    body = focal.get(f"/workplans/activities/{activity.pk}/edit/").content.decode()
    target = SdgTarget.objects.get(code="2.2")
    assert '<optgroup label="Goal 2: ' in body
    assert f"2.2 {target.text}" in body  # the whole sentence, not cut at 70 characters
    assert 'data-max-items="10"' in body


def test_more_than_ten_sdg_targets_are_refused_in_the_form_and_the_api(focal, cambodia, activity):
    eleven = list(SdgTarget.objects.order_by("position")[:11])
    response = focal.post(
        f"/workplans/activities/{activity.pk}/edit/", form_data(activity, sdg_targets=[t.pk for t in eleven])
    )
    assert response.status_code == 200
    assert response.context["form"].errors["sdg_targets"] == [
        "Choose at most 10 SDG targets, as UN INFO allows; 11 are chosen."
    ]
    api = APIClient()
    api.force_authenticate(make_user("focal_point", cambodia))
    refused = api.patch(
        f"/api/v1/activities/{activity.pk}/",
        {"sdg_targets": [t.code for t in eleven]},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert refused.status_code == 400
    assert activity.sdg_targets.count() == 0
    ten = focal.post(
        f"/workplans/activities/{activity.pk}/edit/",
        form_data(activity, sdg_targets=[t.pk for t in eleven[:10]]),
    )
    assert ten.status_code == 302 and activity.sdg_targets.count() == 10


@pytest.mark.parametrize("language", ["fr", "en", "ar", "zh-hans"])
def test_dates_are_typed_as_iso_in_every_language(focal, activity, language):
    """One unambiguous numeric form, whatever the language or the browser's locale: 2026-02-01 is
    1 February everywhere, where 01/02/2026 is 2 January to some readers and 1 February to others."""
    focal.cookies["django_language"] = language
    body = focal.get(f"/workplans/activities/{activity.pk}/edit/").content.decode()
    assert 'value="2026-02-01"' in body
    assert 'placeholder="2026-12-31"' in body
    assert 'type="date"' not in body
    saved = focal.post(
        f"/workplans/activities/{activity.pk}/edit/",
        form_data(activity, start_date="2026-03-15", end_date="2026-11-30"),
    )
    assert saved.status_code == 302
    activity.refresh_from_db()
    assert (activity.start_date, activity.end_date) == (dt.date(2026, 3, 15), dt.date(2026, 11, 30))


def test_a_date_in_another_format_is_refused_with_the_expected_format(focal, activity):
    focal.cookies["django_language"] = "ru"
    response = focal.post(f"/workplans/activities/{activity.pk}/edit/", form_data(activity, start_date="03/01/2026"))
    assert response.status_code == 200
    with translation.override("ru"):
        errors = response.context["form"].errors["start_date"]
    assert "2026-12-31" in errors[0]
    activity.refresh_from_db()
    assert activity.start_date == dt.date(2026, 2, 1)


@pytest.mark.parametrize(
    "language, shown",
    [("en", "1 Feb 2026"), ("fr", "1 février 2026"), ("zh-hans", "2026年2月1日"), ("ru", "1 февраля 2026 г.")],
)
def test_the_workplan_shows_dates_one_unambiguous_way_and_groups_figures(focal, activity, language, shown):
    activity.budget_required = 214581000
    activity.save()
    focal.cookies["django_language"] = language
    body = focal.get(f"/workplans/{activity.workplan_id}/").content.decode()
    assert shown in body
    assert "01/02/2026" not in body and "02/01/2026" not in body
    grouped = {"en": "214,581,000", "zh-hans": "214,581,000", "fr": "214\xa0581\xa0000", "ru": "214\xa0581\xa0000"}
    assert grouped[language] in body
