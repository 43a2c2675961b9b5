"""Versions per workplan (core.versions parts): a write to one team's workplan changes at once every
cached answer that shows it, and leaves the answers and figures of the other workplans in the cache.

Real knox tokens, PostgreSQL and Redis; counts are of the SQL statements the requests really ran.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from agencies.models import Agency
from core import versions
from workplans import services
from workplans.models import Activity
from workplans.selectors import activity_payloads

from ..factories import form_data, make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db

DASHBOARD = "/api/v1/dashboard/summary/?year=2026"
ACTIVITIES = "/api/v1/activities/?page_size=500"


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user)[1]}")
    return client


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]


def shares_counted(sql: list[str]) -> list[set[int]]:
    """The workplans whose shares of the dashboard figures each statement counted (grouped by workplan)."""
    return [
        {int(pk) for pk in re.search(r"= ANY\(ARRAY\[([0-9, ]+)\]\)", q).group(1).split(",")}
        for q in sql
        if "SUM(" in q and '"workplans_activity"."workplan_id" AS "workplan_id"' in q
    ]


def totals(rows, field: str) -> dict[str, Decimal]:
    """`field` added up over the regions, per currency."""
    found: dict[str, Decimal] = {}
    for row in rows:
        found[row["currency"]] = found.get(row["currency"], Decimal("0")) + Decimal(str(row[field]))
    return found


@pytest.fixture
def plans(cambodia, chad):
    """Cambodia's and Chad's 2026 workplans, and Cambodia's 2025 one, each with activities."""
    made = {
        "cambodia": make_workplan(cambodia, 2026),
        "chad": make_workplan(chad, 2026),
        "cambodia_2025": make_workplan(cambodia, 2025),
    }
    for plan in made.values():
        for _ in range(2):
            make_activity(plan, currency="USD", budget_required=Decimal("100.00"), budget_spent=Decimal("10.00"))
    return made


def url_of(plan) -> str:
    return f"/api/v1/workplans/{plan.pk}/"


def test_an_api_write_to_one_workplan_leaves_the_others_cached_and_shows_at_once(cambodia, plans):
    client = token_client(make_user("focal_point", cambodia))
    reader = token_client(make_user("secretariat"))
    first = {name: reader.get(url_of(plan)) for name, plan in plans.items()}
    dashboard = reader.get(DASHBOARD).json()
    listed = reader.get(ACTIVITIES)
    assert len(listed.json()["results"]) == 6
    for plan in plans.values():
        assert len(get(reader, url_of(plan))[1]) == 1  # from the cache: the token query only

    activity = plans["cambodia"].activities.order_by("pk").first()
    read = client.get(f"/api/v1/activities/{activity.pk}/")
    saved = client.patch(
        f"/api/v1/activities/{activity.pk}/", {"budget_spent": "77.00"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert saved.status_code == 200

    # The written workplan: built again at once, with the new amount.
    changed = reader.get(url_of(plans["cambodia"]), HTTP_IF_NONE_MATCH=first["cambodia"]["ETag"])
    assert changed.status_code == 200
    assert "77.00" in [row["budget_spent"] for row in changed.json()["activities"]]
    # Chad's, and Cambodia's other year: still the cached answers, a 304 for one query.
    for name in ("chad", "cambodia_2025"):
        response, sql = get(reader, url_of(plans[name]), HTTP_IF_NONE_MATCH=first[name]["ETag"])
        assert response.status_code == 304, name
        assert len(sql) == 1, sql

    # The dashboard shows the write at once; only Cambodia's 2026 share was counted again.
    response, sql = get(reader, DASHBOARD)
    spent = totals(response.json()["budget_by_region"], "spent")
    assert spent["USD"] == totals(dashboard["budget_by_region"], "spent")["USD"] + Decimal("67.00")
    assert shares_counted(sql) == [{plans["cambodia"].pk}], sql

    # The list of every activity: built again with the new amount, from Cambodia's 2026 rows read
    # again and the other workplans' rows from the cache.
    response, sql = get(reader, ACTIVITIES, HTTP_IF_NONE_MATCH=listed["ETag"])
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[activity.pk]["budget_spent"] == "77.00" and len(rows) == 6
    # Row for row what building them all from the database gives.
    assert rows == {row["id"]: row for row in activity_payloads(activity_ids=list(rows))}
    built = [q for q in sql if '"workplans_activity"."title"' in q and "ANY(ARRAY" in q]
    assert len(built) == 1 and f'"workplan_id" = ANY(ARRAY[{plans["cambodia"].pk}])' in built[0], sql


def test_a_portal_edit_changes_its_workplan_and_the_dashboard_page_and_nothing_else(client, cambodia, plans):
    focal = make_user("focal_point", cambodia)
    reader = token_client(make_user("secretariat"))
    secretariat = make_user("secretariat")  # people are roster data: made before anything is cached
    first = {name: reader.get(url_of(plan)) for name, plan in plans.items()}
    page = APIClient()
    page.force_login(secretariat)
    assert page.get("/dashboard/?year=2026").status_code == 200

    activity = plans["cambodia"].activities.order_by("pk").first()
    client.force_login(focal)
    edited = client.post(
        f"/workplans/activities/{activity.pk}/edit/",
        form_data(activity, title="Retitled in the portal", budget_required="5000.00"),
    )
    assert edited.status_code == 302

    after = reader.get(url_of(plans["cambodia"]), HTTP_IF_NONE_MATCH=first["cambodia"]["ETag"])
    assert after.status_code == 200
    assert "Retitled in the portal" in [row["title"] for row in after.json()["activities"]]
    for name in ("chad", "cambodia_2025"):
        response, sql = get(reader, url_of(plans[name]), HTTP_IF_NONE_MATCH=first[name]["ETag"])
        assert response.status_code == 304 and len(sql) == 1, (name, sql)

    with CaptureQueriesContext(connection) as captured:
        shown = page.get("/dashboard/?year=2026")
    required = totals(shown.context["summary"]["budget_by_region"], "required")
    assert required["USD"] == Decimal("5000.00") + Decimal("300.00")  # 3 other 2026 activities at 100
    assert shares_counted([q["sql"] for q in captured]) == [{plans["cambodia"].pk}]


def test_progress_reported_shows_at_once_in_its_workplan_and_leaves_the_others_cached(cambodia, plans):
    reader = token_client(make_user("secretariat"))
    reporter = make_user("focal_point", cambodia)
    first = {name: reader.get(url_of(plan)) for name, plan in plans.items()}
    listed = reader.get(ACTIVITIES)
    activity = plans["cambodia"].activities.order_by("pk").first()
    services.add_progress_update(
        activity=activity, user=reporter, reported_on=dt.date(2026, 5, 1), percent_complete=40,
        status="implementation", text="Half way",
    )  # fmt: skip
    shown = reader.get(url_of(plans["cambodia"]), HTTP_IF_NONE_MATCH=first["cambodia"]["ETag"])
    assert shown.status_code == 200
    row = next(row for row in shown.json()["activities"] if row["id"] == activity.pk)
    assert row["latest_progress"]["text"] == "Half way" and row["status"] == "implementation"
    for name in ("chad", "cambodia_2025"):
        response, sql = get(reader, url_of(plans[name]), HTTP_IF_NONE_MATCH=first[name]["ETag"])
        assert response.status_code == 304 and len(sql) == 1, (name, sql)
    rows = {row["id"]: row for row in reader.get(ACTIVITIES, HTTP_IF_NONE_MATCH=listed["ETag"]).json()["results"]}
    assert rows[activity.pk]["latest_progress"]["text"] == "Half way"
    assert rows == {row["id"]: row for row in activity_payloads(activity_ids=list(rows))}


def test_a_write_that_does_not_name_its_workplan_retires_every_one(cambodia, plans):
    """Bulk loaders and reverse many-to-many changes do not say which workplan they touch: every
    workplan's answer and share is built again."""
    reader = token_client(make_user("secretariat"))
    chad_url = url_of(plans["chad"])
    first = reader.get(chad_url)
    reader.get(DASHBOARD)

    activity = plans["chad"].activities.order_by("pk").first()
    # From the agency's side: the signal names the agency, not the activity's workplan.
    Agency.objects.get(acronym="UNICEF").activities.add(activity)
    after = reader.get(chad_url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert (
        "UNICEF"
        in next(row for row in after.json()["activities"] if row["id"] == activity.pk)["participating_agencies"]
    )
    response, sql = get(reader, DASHBOARD)
    assert shares_counted(sql) == [{plans["cambodia"].pk, plans["chad"].pk}]

    assert len(get(reader, chad_url)[1]) == 1
    versions.changed_everything()  # what the bulk loaders (reference data, demo data, restore) say
    assert len(get(reader, chad_url)[1]) > 1  # built again
    response, sql = get(reader, DASHBOARD)
    assert shares_counted(sql) == [{plans["cambodia"].pk, plans["chad"].pk}]


def test_an_activity_moved_to_another_workplan_changes_both(cambodia, plans):
    reader = token_client(make_user("secretariat"))
    source, target = plans["cambodia"], plans["chad"]
    before = {plan.pk: reader.get(url_of(plan)).json()["activity_count"] for plan in (source, target)}
    activity = Activity.objects.filter(workplan=source).first()
    activity.workplan = target  # as the admin or a shell would: a plain save
    activity.save()
    assert reader.get(url_of(source)).json()["activity_count"] == before[source.pk] - 1
    assert reader.get(url_of(target)).json()["activity_count"] == before[target.pk] + 1


def test_a_service_that_writes_rows_only_retires_only_their_workplan(cambodia, plans):
    reader = token_client(make_user("secretariat"))
    writer = make_user("secretariat")
    chad = reader.get(url_of(plans["chad"]))
    services.create_activity(
        workplan=plans["cambodia"],
        user=writer,
        data={
            "title": "Added by a service",
            "action_area": plans["cambodia"].activities.first().action_area,
            "lead_agency": Agency.objects.get(acronym="WFP"),
            "start_date": dt.date(2026, 3, 1),
            "end_date": dt.date(2026, 4, 1),
        },
    )
    assert "Added by a service" in reader.get(url_of(plans["cambodia"])).content.decode()
    response, sql = get(reader, url_of(plans["chad"]), HTTP_IF_NONE_MATCH=chad["ETag"])
    assert response.status_code == 304 and len(sql) == 1
