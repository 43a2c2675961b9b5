"""The portal's pages through Django's test client: who reaches what, what each
page shows, validation next to the field, conflicts, history and restore."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from countries.models import Region
from teams.models import HumanitarianCluster
from unnutrition.demo_data import generate_demo_data
from unnutrition.reference_data import msgids
from workplans.models import ActionArea, Activity, ProgressUpdate, Workplan

from ..factories import form_data, make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(cambodia, chad):
    return {
        "secretariat": make_user("secretariat"),
        "convener": make_user("convener", cambodia),
        "focal": make_user("focal_point", cambodia),
        "chad_focal": make_user("focal_point", chad),
        "viewer": make_user("viewer"),
    }


@pytest.fixture
def plan(cambodia):
    workplan = make_workplan(cambodia, 2026)
    make_activity(workplan, title="Wasting roadmap costing", budget_required=1000)
    return workplan


def signed_in(client, user):
    client.force_login(user)
    return client


def test_anonymous_visitors_see_the_public_overview_only(client):
    home = client.get("/")
    assert home.status_code == 200
    assert "Countries with an active team" in home.content.decode()
    assert client.get("/dashboard/").status_code == 302
    assert client.get("/teams/").url.startswith("/accounts/login/")
    svg = client.get("/coverage-map.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert "<title>Cambodia</title>" in b"".join([svg.content]).decode() or svg.status_code == 200


def test_coverage_map_highlights_countries_with_a_team(client, chad):
    body = client.get("/coverage-map.svg").content.decode()
    highlighted = re.findall(r'<path fill="#00689d" d="[^"]+"><title>([^<]+)</title>', body)
    assert sorted(highlighted) == ["Cambodia", "Chad"]
    assert "Antarctica" not in body


def test_header_shows_role_and_teams(client, people, cambodia):
    body = signed_in(client, people["focal"]).get("/dashboard/").content.decode()
    assert "Focal point" in body
    assert cambodia.name in body


def test_dashboard_figures_and_attention_lists(client, people, plan, chad, django_assert_max_num_queries):
    generate_demo_data(countries=15, years=1, seed=3, as_of=dt.date(2026, 6, 30))
    client = signed_in(client, people["secretariat"])
    # 25, and 2 for the roster entries not confirmed for a year (the list and its count).
    # 27, and 6 for the joint results (the year's indicators, targets, values, regions, catalogue, action
    # areas), computed once per data version and language (tests/results count them).
    # 33, and 5 for the funding gap (by country, action area and lead agency) and the joint proposals
    # over time, computed once per data version too.
    with django_assert_max_num_queries(38):
        response = client.get("/dashboard/?year=2026")
    # The next view reads the joint results and the funding from the cache: 11 statements fewer.
    with django_assert_max_num_queries(27):
        client.get("/dashboard/?year=2026")
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["summary"]["countries_with_active_team"] == 17
    # Chad has no convener and no workplan: both lists name it.
    attention = response.context["attention"]
    assert chad.pk in [row["pk"] for row in attention["teams_without_convener"]]
    not_submitted = {row["pk"]: row["workplan_status"] for row in attention["workplans_not_submitted"]}
    assert not_submitted[plan.team_id] == "draft"  # past the due date (31 March), still a draft
    assert not_submitted[chad.pk] is None  # no workplan at all
    assert 'id="dashboard-data"' in body and "chart.umd.min.js" in body
    assert "<script>" not in body.replace('<script id="dashboard-data" type="application/json">', "")


@pytest.mark.parametrize(
    ("url", "bound"),
    [("/countries/", 12), ("/countries/?region=asia&q=a", 12), ("/teams/", 22), ("/teams/?agency=WFP", 22)],
)
def test_list_pages_run_a_bounded_number_of_queries(url, bound, client, people, django_assert_max_num_queries):
    generate_demo_data(countries=40, years=1, seed=5)
    client = signed_in(client, people["viewer"])
    with django_assert_max_num_queries(bound):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) > 1


def test_team_page_shows_convener_history_members_and_contacts_by_role(client, people, cambodia):
    focal = people["focal"]
    page = signed_in(client, people["viewer"]).get(f"/teams/{cambodia.pk}/").content.decode()
    assert "Convened by" in page and "WFP" in page  # the term make_user("convener") ended WFP's at 2020
    assert focal.person.name in page
    assert focal.person.email not in page  # a viewer sees no contact details
    assert "Technical Working Group for Food Security and Nutrition" in page
    own = signed_in(client, focal).get(f"/teams/{cambodia.pk}/").content.decode()
    assert focal.person.email in own


def test_workplan_page_lists_activities_in_bounded_queries(client, people, plan, django_assert_max_num_queries):
    for n in range(30):
        make_activity(plan, title=f"Activity {n}")
    client = signed_in(client, people["focal"])
    # 16 for the activities, 4 for the results section (periods, outputs, evidence; tests/results count it).
    with django_assert_max_num_queries(20):
        response = client.get(f"/workplans/{plan.pk}/")
    assert response.content.decode().count('id="activity-') == 31


@pytest.mark.parametrize(
    ("who", "status"), [("focal", 200), ("convener", 200), ("secretariat", 200), ("chad_focal", 404), ("viewer", 404)]
)
def test_only_the_team_and_secretariat_reach_the_edit_page(who, status, client, people, plan):
    activity = plan.activities.get()
    assert signed_in(client, people[who]).get(f"/workplans/activities/{activity.pk}/edit/").status_code == status
    assert client.get(f"/workplans/{plan.pk}/activities/new/").status_code == status


def test_validation_messages_sit_next_to_the_field_and_nothing_is_saved(client, people, plan):
    activity = plan.activities.get()
    url = f"/workplans/activities/{activity.pk}/edit/"
    response = signed_in(client, people["focal"]).post(
        url, form_data(activity, end_date="2025-01-01", budget_spent="-3", title="Changed")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in body
    assert re.search(r'id="id_budget_spent_error">Ensure this value is greater than or equal to 0', body)
    activity.refresh_from_db()
    assert activity.title == "Wasting roadmap costing"


def test_the_second_of_two_concurrent_edits_is_refused_with_what_changed(client, people, plan, cambodia):
    activity = plan.activities.get()
    url = f"/workplans/activities/{activity.pk}/edit/"
    other = make_user("focal_point", cambodia)
    first, second = form_data(activity), form_data(activity)  # both loaded the same version
    assert signed_in(client, other).post(url, {**first, "title": "Costing of the wasting roadmap"}).status_code == 302
    response = signed_in(client, people["focal"]).post(url, {**second, "title": "My title", "budget_spent": "50"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "This activity changed while you were editing it" in body
    assert other.username in body
    assert "Costing of the wasting roadmap" in body and "My title" in body  # saved vs yours
    activity.refresh_from_db()
    assert (activity.title, activity.budget_spent) == ("Costing of the wasting roadmap", 0)
    # The form now carries the new version: saving again is a deliberate overwrite.
    assert response.context["form"].data["version"] == activity.updated_at.isoformat()


def test_progress_update_from_the_portal(client, people, plan):
    activity = plan.activities.get()
    response = signed_in(client, people["focal"]).post(
        f"/workplans/activities/{activity.pk}/progress/",
        {"reported_on": "2026-03-01", "percent_complete": "35", "status": "implementation", "text": "Costing done."},
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(activity=activity)
    assert (update.percent_complete, update.author) == (35, people["focal"])
    future = client.post(
        f"/workplans/activities/{activity.pk}/progress/",
        {"reported_on": "2999-01-01", "percent_complete": "40", "status": "implementation", "text": "x"},
    )
    assert "Progress cannot be reported for a future date." in future.content.decode()


def test_submit_then_endorse_with_confirmation(client, people, plan):
    focal = signed_in(client, people["focal"])
    assert focal.get(f"/workplans/{plan.pk}/submit/").status_code == 403
    convener = signed_in(client, people["convener"])
    confirm = convener.get(f"/workplans/{plan.pk}/submit/")
    assert "Submit this workplan for endorsement?" in confirm.content.decode()
    plan.refresh_from_db()
    assert plan.status == "draft"  # a GET only asks
    assert convener.post(f"/workplans/{plan.pk}/submit/").status_code == 302
    secretariat = signed_in(client, people["secretariat"])
    assert secretariat.post(f"/workplans/{plan.pk}/endorse/").status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.endorsed_by) == ("endorsed", people["secretariat"])
    dashboard = secretariat.get("/dashboard/?year=2026")
    assert dashboard.context["summary"]["workplans_by_status"]["endorsed"] == 1


def test_delete_then_restore_from_history(client, people, plan):
    activity = plan.activities.get()
    activity.participating_agencies.set(activity.lead_agency.__class__.objects.filter(acronym__in=["FAO", "WHO"]))
    ProgressUpdate.objects.create(
        activity=activity, reported_on=dt.date(2026, 2, 1), percent_complete=10, status="implementation", text="Start"
    )
    client = signed_in(client, people["focal"])
    assert client.post(f"/workplans/activities/{activity.pk}/delete/").status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()
    page = client.get(f"/workplans/{plan.pk}/").content.decode()
    assert "Deleted activities" in page and "Restore Wasting roadmap costing" in page
    record = Activity.history.get(id=activity.pk, history_type="-")
    assert client.post(f"/workplans/{plan.pk}/restore/{record.history_id}/").status_code == 302
    restored = Activity.objects.get(pk=activity.pk)
    assert restored.title == "Wasting roadmap costing"
    assert set(restored.participating_agencies.values_list("acronym", flat=True)) == {"FAO", "WHO"}
    assert restored.progress_updates.count() == 1
    assert "Deleted activities" not in client.get(f"/workplans/{plan.pk}/").content.decode()


def test_history_page_shows_who_changed_what(client, people, plan):
    activity = plan.activities.get()
    client = signed_in(client, people["focal"])
    client.post(f"/workplans/activities/{activity.pk}/edit/", form_data(activity, title="Renamed", budget_spent="25"))
    body = client.get(f"/history/workplans.Activity/{activity.pk}/").content.decode()
    assert people["focal"].username in body
    assert "<del>Wasting roadmap costing</del>" in body and "<ins>Renamed</ins>" in body
    assert "<del>0.00</del>" in body and "<ins>25.00</ins>" in body
    assert client.get("/history/countries.Person/1/").status_code == 403


def test_copy_last_years_workplan_into_a_new_draft(client, people, plan):
    plan.status, plan.submitted_at, plan.endorsed_at = (
        "endorsed",
        dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
    )
    plan.save()
    client = signed_in(client, people["focal"])
    response = client.post(f"/workplans/{plan.pk}/copy/", {"year": "2027", "activities": [plan.activities.get().pk]})
    new = Workplan.objects.get(team=plan.team, year=2027)
    assert response.url == f"/workplans/{new.pk}/"
    copied = new.activities.get()
    assert (copied.title, copied.status, copied.start_date.year, copied.budget_spent) == (
        "Wasting roadmap costing",
        "pipeline",
        2027,
        0,
    )
    again = client.post(f"/workplans/{plan.pk}/copy/", {"year": "2027"})
    assert "This team already has a workplan for 2027." in again.content.decode()


def test_password_reset_by_email(client, people):
    people["focal"].email = "sophea@example.org"
    people["focal"].save()
    response = client.post(reverse("password_reset"), {"email": "sophea@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_language_switch_to_arabic_is_right_to_left(client, people):
    client = signed_in(client, people["viewer"])
    client.post("/i18n/setlang/", {"language": "ar", "next": "/dashboard/"})
    body = client.get("/dashboard/").content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert "Dashboard" not in body  # the navigation is translated


def test_every_stored_name_shown_translated_has_a_msgid():
    assert set(Region.objects.values_list("name", flat=True)) <= set(msgids.REGION_NAMES)
    assert set(ActionArea.objects.values_list("name", flat=True)) <= set(msgids.ACTION_AREA_NAMES)
    assert set(HumanitarianCluster.objects.values_list("name", flat=True)) <= set(msgids.CLUSTER_NAMES)


def test_spending_above_available_saves_with_a_warning_and_currency_is_picked(client, people, plan):
    activity = plan.activities.get()
    url = f"/workplans/activities/{activity.pk}/edit/"
    page = signed_in(client, people["focal"]).get(url).content.decode()
    assert '<select name="currency"' in page and '<option value="USD"' in page
    response = client.post(url, form_data(activity, budget_available="100", budget_spent="250"), follow=True)
    body = response.content.decode()
    assert "is more than budget available" in body
    activity.refresh_from_db()
    assert (activity.budget_available, activity.budget_spent) == (100, 250)
    refused = client.post(url, form_data(activity, currency="usd"))
    assert refused.status_code == 200 and "currency" in refused.context["form"].errors
