"""The versioned answer cache (core.api.conditional, core.versions) and the fixed cost of a request.

Every client here authenticates with a real knox token, as a script does, and every count is
of SQL statements the request really ran (CaptureQueriesContext).
"""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from countries.models import Person
from teams.models import FocalPoint, Team
from unnutrition.demo_data import generate_demo_data
from workplans import services
from workplans.models import Activity, Workplan

from ..factories import form_data, make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user)[1]}")
    return client


def get(client, url, **headers):
    """The answer and the SQL statements it cost; not the savepoint a test's transaction puts around each
    request (core.transactions; outside tests a read runs in autocommit, without one)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, len([q for q in captured if "SAVEPOINT" not in q["sql"]])


@pytest.fixture
def secretariat(db):
    return make_user("secretariat")


@pytest.fixture
def focal(cambodia):
    return make_user("focal_point", cambodia)


@pytest.fixture
def plan(cambodia):
    plan = make_workplan(cambodia, 2026)
    for _ in range(3):
        make_activity(plan)
    return plan


def urls_for(plan):
    activity = plan.activities.first()
    return [
        "/api/v1/teams/?page_size=50",
        f"/api/v1/teams/{plan.team_id}/",
        "/api/v1/teams/?format=csv",
        f"/api/v1/workplans/{plan.pk}/",
        "/api/v1/workplans/",
        "/api/v1/activities/?page_size=500",
        f"/api/v1/activities/{activity.pk}/",
        "/api/v1/progress-updates/",
        "/api/v1/resources-mobilised/",
        "/api/v1/dashboard/summary/?year=2026",
    ]


# --- query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["secretariat", "focal_point", "viewer"])
def test_a_repeated_read_and_a_304_cost_only_the_token_query(role, cambodia, plan):
    client = token_client(make_user(role, cambodia))
    for url in urls_for(plan):
        first, _ = get(client, url)
        assert first.status_code == 200, url
        again, queries = get(client, url)
        assert (again.status_code, again.content, again["ETag"]) == (200, first.content, first["ETag"]), url
        assert again["Content-Type"] == first["Content-Type"]
        assert queries == 1, f"{url}: {queries} queries for a cached answer (the token's is the only one)"
        not_modified, queries = get(client, url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert not_modified.status_code == 304 and not_modified["ETag"] == first["ETag"], url
        assert queries <= 2 and queries == 1, f"{url}: {queries} queries for a 304"
        weak, _ = get(client, url, HTTP_IF_NONE_MATCH=f"W/{first['ETag']}")
        assert weak.status_code == 304


def test_the_csv_keeps_its_file_name_when_answered_from_the_cache(secretariat, plan):
    client = token_client(secretariat)
    first, _ = get(client, "/api/v1/teams/?format=csv&country=KHM")
    again, queries = get(client, "/api/v1/teams/?format=csv&country=KHM")
    assert queries == 1
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert again.content == first.content and again.content.startswith(b"\xef\xbb\xbf")


@pytest.fixture
def demo(db):
    generate_demo_data(countries=30, years=1, seed=5)


@pytest.mark.parametrize(
    ("url", "limit"),
    [
        ("/api/v1/teams/?page_size={n}", 6),
        ("/api/v1/teams/?format=csv&page_size={n}", 4),
        ("/api/v1/activities/?page_size={n}", 5),
        ("/api/v1/workplans/?page_size={n}", 2),
    ],
)
def test_building_an_answer_costs_a_fixed_number_of_queries(url, limit, demo, secretariat):
    """Cache emptied before each read: what building the answer costs, for 1 row and for 500."""
    client = token_client(secretariat)
    counts = []
    for n in (1, 500):
        cache.clear()
        response, queries = get(client, url.format(n=n))
        assert response.status_code == 200
        counts.append(queries - 1)  # less the token's
    assert counts[0] == counts[1] <= limit, f"{url}: {counts} queries for 1 and 500 rows"


def test_a_team_and_a_workplan_are_built_in_a_fixed_number_of_queries(demo, secretariat):
    client = token_client(secretariat)
    small = Workplan.objects.annotate(n=Count("activities")).filter(n__gte=1).order_by("n", "id").first()
    big = make_workplan(Team.objects.get(name="UN Nutrition Cambodia"), 2026)
    for _ in range(40):
        make_activity(big)
    counts = {}
    for name, url in [
        ("team", f"/api/v1/teams/{small.team_id}/"),
        ("workplan", f"/api/v1/workplans/{small.pk}/"),
        ("big workplan", f"/api/v1/workplans/{big.pk}/"),
        ("activity", f"/api/v1/activities/{big.activities.first().pk}/"),
        ("dashboard", "/api/v1/dashboard/summary/?year=2026"),
    ]:
        cache.clear()
        response, queries = get(client, url)
        assert response.status_code == 200
        counts[name] = queries - 1
    assert counts["team"] <= 5 and counts["activity"] <= 4
    assert counts["workplan"] == counts["big workplan"] <= 4
    assert counts["dashboard"] <= 16


def test_token_authentication_is_one_query_and_expired_tokens_still_fail(secretariat):
    client = token_client(secretariat)
    cache.clear()
    response, _ = get(client, "/api/v1/dashboard/summary/?year=2026")
    _, queries = get(client, "/api/v1/dashboard/summary/?year=2026")
    assert queries == 1
    instance, token = AuthToken.objects.create(secretariat)
    AuthToken.objects.filter(pk=instance.pk).update(expiry=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    expired = APIClient()
    expired.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert expired.get("/api/v1/dashboard/summary/?year=2026").status_code == 401
    # The user's expired tokens are deleted when a new one is issued.
    issued = APIClient().post(
        "/api/v1/auth/token/", {"username": secretariat.username, "password": "a-long-test-password"}, format="json"
    )
    assert issued.status_code == 200
    assert not AuthToken.objects.filter(pk=instance.pk).exists()


# --- never stale after a write -------------------------------------------------------


def activity_url(activity):
    return f"/api/v1/activities/{activity.pk}/"


def test_a_write_through_the_api_changes_every_cached_answer_that_shows_it(focal, plan):
    client = token_client(focal)
    activity = plan.activities.first()
    urls = [activity_url(activity), f"/api/v1/workplans/{plan.pk}/", "/api/v1/activities/?page_size=500"]
    before = {url: get(client, url)[0] for url in urls}
    dashboard = get(client, "/api/v1/dashboard/summary/?year=2026")[0].json()
    for url in urls:
        assert get(client, url)[1] == 1  # cached
    saved = client.patch(
        activity_url(activity), {"budget_spent": "12.00"}, format="json", HTTP_IF_MATCH=before[urls[0]]["ETag"]
    )
    assert saved.status_code == 200
    for url in urls:
        after = client.get(url, HTTP_IF_NONE_MATCH=before[url]["ETag"])
        assert after.status_code == 200, url
        assert "12.00" in after.content.decode() and after["ETag"] != before[url]["ETag"]
    # The write's own answer carries the ETag a read gives now, so the next If-Match is right.
    assert saved["ETag"] == client.get(urls[0])["ETag"]
    after = client.get("/api/v1/dashboard/summary/?year=2026").json()
    spent = [row["spent"] for row in after["budget_by_action_area"]]
    assert spent != [row["spent"] for row in dashboard["budget_by_action_area"]]


def test_an_answer_built_before_a_write_and_stored_after_it_is_never_served(focal, plan):
    # A slow reader builds from the rows before a write and stores its answer after the write: the entry
    # says which data versions it was built under, so it is not answered once they were replaced.
    client = token_client(focal)
    activity = plan.activities.first()
    url = activity_url(activity)
    old = get(client, url)[0]
    # The tests' cache is local memory (conftest): its store, read and written as the slow reader would.
    stale = {key: value for key, value in cache._cache.items() if ":answer:" in key and ":building" not in key}
    assert stale
    saved = client.patch(url, {"budget_spent": "34.00"}, format="json", HTTP_IF_MATCH=old["ETag"])
    assert saved.status_code == 200
    assert get(client, url)[0].json()["budget_spent"] == "34.00"
    cache._cache.update(stale)  # the slow reader's store lands now
    again, queries = get(client, url)
    assert again.json()["budget_spent"] == "34.00" and queries > 1  # built again, not the old entry
    assert get(client, url, HTTP_IF_NONE_MATCH=old["ETag"])[0].status_code == 200


def test_a_write_through_the_portal_changes_the_cached_answers(client, focal, plan):
    api = token_client(focal)
    activity = plan.activities.first()
    url = f"/api/v1/workplans/{plan.pk}/"
    before = api.get(url)
    assert get(api, url)[1] == 1
    client.force_login(focal)
    response = client.post(
        f"/workplans/activities/{activity.pk}/edit/", form_data(activity, title="Retitled in the portal")
    )
    assert response.status_code == 302
    after = api.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert "Retitled in the portal" in [a["title"] for a in after.json()["activities"]]
    # Progress reported in the portal, too.
    client.post(
        f"/workplans/activities/{activity.pk}/progress/",
        {"reported_on": "2026-05-01", "percent_complete": 40, "status": "implementation", "text": "Half way"},
    )
    latest = api.get(activity_url(activity)).json()["latest_progress"]
    assert latest is not None and latest["text"] == "Half way"


def test_a_change_in_the_admin_changes_the_cached_roster(client, cambodia):
    secretariat = make_user("secretariat", is_staff=True, is_superuser=True)
    member = make_user("focal_point", cambodia)
    api = token_client(secretariat)
    url = f"/api/v1/teams/{cambodia.pk}/"
    before = api.get(url)
    assert member.person.email in before.content.decode()
    assert get(api, url)[1] == 1
    client.force_login(secretariat)
    change = f"/admin/countries/person/{member.person_id}/change/"
    form = client.get(change).context["adminform"].form
    data = {name: "" if form.initial.get(name) is None else form.initial[name] for name in form.fields}
    data["email"] = "new.address@example.org"
    assert client.post(change, data).status_code == 302
    assert Person.objects.get(pk=member.person_id).email == "new.address@example.org"
    after = api.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert "new.address@example.org" in after.content.decode()


def test_a_service_write_in_a_job_or_shell_changes_the_cached_answer(secretariat, plan):
    client = token_client(secretariat)
    url = f"/api/v1/workplans/{plan.pk}/"
    before = client.get(url)
    services.submit_workplan(workplan=plan, user=make_user("secretariat"))
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after.json()["status"] == "submitted"


# --- never shown to a caller who may see less ------------------------------------------


def test_a_viewer_never_receives_a_cached_answer_with_contacts(cambodia, chad):
    focal_point = make_user("focal_point", cambodia)
    email = focal_point.person.email
    readers = {
        "secretariat": token_client(make_user("secretariat")),
        "cambodia": token_client(make_user("focal_point", cambodia)),
        "chad": token_client(make_user("convener", chad)),
        "viewer": token_client(make_user("viewer")),
    }
    urls = ["/api/v1/teams/?page_size=50", f"/api/v1/teams/{cambodia.pk}/", "/api/v1/teams/?format=csv"]
    for url in urls:
        # The Secretariat reads first, so its answer (with every contact) is in the cache.
        seen = readers["secretariat"].get(url)
        assert email in seen.content.decode()
        for name in ("viewer", "chad", "viewer"):
            answer = readers[name].get(url)
            assert email not in answer.content.decode(), f"{name} got Cambodia's contacts from {url}"
            assert answer["ETag"] != seen["ETag"]
            # Sending the Secretariat's ETag does not get a 304 either: the viewer's answer differs.
            assert readers[name].get(url, HTTP_IF_NONE_MATCH=seen["ETag"]).status_code == 200
        assert email in readers["cambodia"].get(url).content.decode()
    detail = readers["viewer"].get(f"/api/v1/teams/{cambodia.pk}/").json()
    assert detail["contacts_visible"] is False
    assert all(fp["email"] is None for m in detail["members"] for fp in m["focal_points"])


def test_contacts_hidden_again_as_soon_as_a_focal_point_leaves(cambodia):
    leaving = make_user("focal_point", cambodia)
    other = make_user("focal_point", cambodia)
    client = token_client(leaving)
    url = f"/api/v1/teams/{cambodia.pk}/"
    assert other.person.email in client.get(url).content.decode()
    FocalPoint.objects.filter(person=leaving.person).update(end_date=dt.date(2022, 1, 1))
    # update() bypasses the model signals; the admin and services save (which retires the answers).
    for focal_point in FocalPoint.objects.filter(person=leaving.person):
        focal_point.save()
    assert other.person.email not in client.get(url).content.decode()


# --- degraded cache, transactions --------------------------------------------------------


def test_while_the_cache_is_degraded_nothing_is_served_from_it(settings, secretariat, plan):
    # Redis "down": a port nothing listens on. FallbackCache answers from this process's memory
    # and says it is degraded; versions would differ between processes, so answers are built afresh.
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FallbackCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"PRIMARY_OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
        }
    }
    client = token_client(secretariat)
    url = f"/api/v1/workplans/{plan.pk}/"
    first, _ = get(client, url)
    again, queries = get(client, url)
    assert again.content == first.content and queries > 2
    services.update_activity(pk=plan.activities.first().pk, user=secretariat, data={"title": "Seen at once"})
    assert "Seen at once" in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_reads_run_without_a_transaction_and_writes_in_one():
    from unnutrition.reference_data.services import load_reference_data

    load_reference_data()
    cambodia = Team.objects.get(name="UN Nutrition Cambodia")
    focal = make_user("focal_point", cambodia)
    activity = make_activity(make_workplan(cambodia, 2026))
    client = token_client(focal)
    seen = []

    def record(execute, sql, params, many, context):
        if sql != "BEGIN":  # SQLite's explicit BEGIN runs just before the block counts as entered
            seen.append(connection.in_atomic_block)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        read = client.get(activity_url(activity))
    assert read.status_code == 200 and seen and not any(seen)
    seen.clear()
    with connection.execute_wrapper(record):
        client.patch(activity_url(activity), {"budget_spent": "1.00"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert seen and all(seen)
    # A write refused half-way (412) leaves nothing behind.
    stale = client.patch(activity_url(activity), {"title": "x"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    assert Activity.objects.get(pk=activity.pk).title != "x"
    assert json.loads(client.get(activity_url(activity)).content)["budget_spent"] == "1.00"


# --- the dashboard page ------------------------------------------------------------------


def test_the_dashboard_page_reads_its_figures_from_the_cache_and_sees_writes(client, cambodia, chad):
    secretariat = make_user("secretariat")
    client.force_login(secretariat)
    first = client.get("/dashboard/?year=2026")
    assert first.status_code == 200
    without = first.context["summary"]["teams_without_workplan"]
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/dashboard/?year=2026")
    assert again.status_code == 200
    # Session and user, then small lookups (agencies of the matrix, action area and country names, the
    # stale list per team, unconfirmed roster entries); the year's figures and attention lists, about
    # fifteen aggregate queries over the year's activities, come from the cache.
    sql = [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]
    assert len(sql) <= 10, "\n".join(sql)
    assert not any("SUM(" in q for q in sql), "the year's money figures were computed again"
    services.create_workplan(user=secretariat, team=chad, year=2026)
    after = client.get("/dashboard/?year=2026")
    assert after.context["summary"]["teams_without_workplan"] == without - 1
