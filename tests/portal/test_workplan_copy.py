"""Copy into a new year: the user chooses what to carry over (by default what is still
running), the old year's summary and framework links stay behind, and the page says what happened."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from workplans.models import CooperationFramework, CooperationOutcome, NationalFramework, Workplan

from ..factories import make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_year(cambodia):
    plan = make_workplan(cambodia, 2026, status="endorsed", summary="Joint workplan of Cambodia for 2026.")
    running = make_activity(plan, title="Wasting roadmap costing", status="implementation", budget_available=500)
    closed = make_activity(plan, title="Baseline survey", status="closed")
    cancelled = make_activity(plan, title="Cancelled workshop", status="cancelled")
    return plan, running, closed, cancelled


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_form_proposes_the_activities_still_running_and_a_blank_summary(client, cambodia, last_year):
    plan, running, closed, cancelled = last_year
    client.force_login(make_user("focal_point", cambodia))
    form = client.get(f"/workplans/{plan.pk}/copy/").context["form"]
    assert form["year"].value() == 2027
    assert [int(pk) for pk in form["activities"].value()] == [running.pk]
    assert form["summary"].value() in (None, "")
    body = client.get(f"/workplans/{plan.pk}/copy/").content.decode()
    assert "Baseline survey (Closed)" in body and "Cancelled workshop (Cancelled)" in body


def test_copy_carries_over_what_the_user_ticks_and_says_so(client, cambodia, last_year):
    plan, running, closed, cancelled = last_year
    client.force_login(make_user("focal_point", cambodia))
    response = client.post(
        f"/workplans/{plan.pk}/copy/",
        {"year": "2027", "activities": [running.pk, closed.pk], "summary": "Joint workplan of Cambodia for 2027."},
        follow=True,
    )
    new = Workplan.objects.get(team=cambodia, year=2027)
    assert new.summary == "Joint workplan of Cambodia for 2027."
    assert new.status == "draft"
    assert sorted(new.activities.values_list("title", flat=True)) == ["Baseline survey", "Wasting roadmap costing"]
    copied = new.activities.get(title="Wasting roadmap costing")
    assert (copied.status, copied.budget_available, copied.last_progress_at) == ("pipeline", 0, None)
    assert copied.start_date == dt.date(2027, 2, 1)
    texts = messages_of(response)
    assert "Draft workplan for 2027 created from 2026: 2 of 3 activities copied." in texts
    assert "Not carried over: Cancelled workshop." in texts
    # The old plan is untouched.
    plan.refresh_from_db()
    assert plan.summary == "Joint workplan of Cambodia for 2026." and plan.activities.count() == 3


def test_the_old_years_summary_is_not_carried_over(client, cambodia, last_year):
    plan, running, *_ = last_year
    client.force_login(make_user("focal_point", cambodia))
    client.post(f"/workplans/{plan.pk}/copy/", {"year": "2027", "activities": [running.pk]})
    assert Workplan.objects.get(team=cambodia, year=2027).summary == ""


def test_framework_links_ending_before_the_new_year_are_dropped_and_named(client, cambodia, last_year):
    plan, running, *_ = last_year
    country = cambodia.country
    ending = CooperationFramework.objects.create(country=country, start_year=2022, end_year=2026)
    outcome = CooperationOutcome.objects.create(framework=ending, code="O1", title="Nutrition outcome")
    old_strategy = NationalFramework.objects.create(country=country, name="Strategy 2019-2026", end_year=2026)
    roadmap = NationalFramework.objects.create(country=country, name="Roadmap 2030", end_year=2030)
    running.cooperation_outcome = outcome
    running.save()
    running.national_frameworks.set([old_strategy, roadmap])
    client.force_login(make_user("focal_point", cambodia))
    response = client.post(f"/workplans/{plan.pk}/copy/", {"year": "2027", "activities": [running.pk]}, follow=True)
    copied = Workplan.objects.get(team=cambodia, year=2027).activities.get()
    assert copied.cooperation_outcome is None
    assert list(copied.national_frameworks.all()) == [roadmap]
    texts = messages_of(response)
    assert any("Cooperation Framework outcome removed" in t and "Wasting roadmap costing" in t for t in texts)
    assert "National frameworks ending before 2027 removed from: Wasting roadmap costing." in texts


def test_copy_into_the_same_or_an_earlier_year_is_refused_and_creates_nothing(client, cambodia, last_year):
    plan, running, *_ = last_year
    client.force_login(make_user("focal_point", cambodia))
    response = client.post(f"/workplans/{plan.pk}/copy/", {"year": "2025", "activities": [running.pk]})
    assert response.status_code == 200
    assert "Copy into a year after 2026." in response.content.decode()
    assert Workplan.objects.filter(team=cambodia).count() == 1


def test_activities_of_another_plan_cannot_be_carried_over(client, cambodia, chad, last_year):
    plan, *_ = last_year
    other = make_activity(make_workplan(chad, 2026), title="Chad activity")
    client.force_login(make_user("secretariat"))
    response = client.post(f"/workplans/{plan.pk}/copy/", {"year": "2027", "activities": [other.pk]})
    assert response.status_code == 200
    assert "activities" in response.context["form"].errors
    assert not Workplan.objects.filter(team=cambodia, year=2027).exists()
