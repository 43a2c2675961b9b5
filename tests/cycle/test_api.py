"""The yearly cycle's API, endpoint by endpoint, for each role, on the caller's own team and another's:
notifications, preferences, tasks, deadlines, the workflow's actions, endorsement rounds, amendments,
signatories. Lists cost the same number of queries for one record as for many."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cycle import services as cycle_services
from cycle.models import Deadline, Kind, Notification
from teams.models import Team
from workplans import endorsement
from workplans.models import Amendment, ReportingPeriod, Signatory

from ..api.conftest import WellBehavedClient
from ..factories import make_team, make_user, make_workplan

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def client_for(user):
        client = WellBehavedClient()
        client.force_authenticate(user)
        return client

    return client_for


def record(user, n: int, **params):
    for i in range(n):
        cycle_services.notify(recipients=[user], kind=Kind.WORKPLAN_RETURNED, event=f"test:{user.pk}:{i}",
                              params={"team": "Chad", "year": 2026, "reason": f"Reason {i}"}, link="/")  # fmt: skip


# --- notifications -----------------------------------------------------------------------------------------


def test_notifications_are_the_callers_own(world, api):
    record(world.unicef, 2)
    record(world.who, 1)
    mine = api(world.unicef).get("/api/v1/notifications/")
    assert mine.status_code == 200
    assert [n["title"] for n in mine.json()["results"]] == ["The 2026 workplan of Chad was returned"] * 2
    assert mine.json()["results"][0]["lines"][0] == "Reason: Reason 1"
    others = Notification.objects.get(recipient=world.who)
    assert api(world.unicef).get(f"/api/v1/notifications/{others.pk}/").status_code == 404
    assert api(world.unicef).post(f"/api/v1/notifications/{others.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=others.pk).read_at is None


def test_marking_read_one_and_all(world, api):
    record(world.unicef, 3)
    client = api(world.unicef)
    first = client.get("/api/v1/notifications/?read=false").json()["results"][0]
    # Like every change to a record: with the ETag of the last read (the client sends it).
    assert client.post(f"/api/v1/notifications/{first['id']}/read/", if_match=None).status_code == 428
    assert client.post(f"/api/v1/notifications/{first['id']}/read/", HTTP_IF_MATCH='"old"').status_code == 412
    response = client.post(f"/api/v1/notifications/{first['id']}/read/")
    assert response.status_code == 200 and response.json()["read"] is True
    assert client.get("/api/v1/notifications/?read=false").json()["count"] == 2
    response = client.post("/api/v1/notifications/read-all/", {}, format="json")
    assert response.json() == {"marked": 2, "unread": 0}
    assert client.get("/api/v1/notifications/?read=maybe").status_code == 400  # strict filters
    assert client.get("/api/v1/notifications/?colour=red").status_code == 400


def test_the_notification_list_costs_the_same_for_one_and_many(world, api, django_assert_num_queries):
    client = api(world.unicef)
    record(world.unicef, 1)
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/notifications/")
    record(world.who, 1)
    for i in range(30):
        cycle_services.notify(recipients=[world.unicef], kind=Kind.WORKPLAN_SUBMITTED, event=f"many:{i}",
                              team=world.chad, params={"year": 2026}, link="/")  # fmt: skip
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/api/v1/notifications/")
    assert response.json()["count"] == 31


def test_preferences(world, api):
    client = api(world.unicef)
    rows = {row["kind"]: row["delivery"] for row in client.get("/api/v1/notification-preferences/").json()}
    assert rows[Kind.ENDORSEMENT_GIVEN] == "daily" and rows[Kind.WORKPLAN_SUBMITTED] == "immediate"
    response = client.put("/api/v1/notification-preferences/workplan_submitted/", {"delivery": "weekly"}, format="json")
    assert response.status_code == 200 and response.json()["delivery"] == "weekly"
    assert client.put("/api/v1/notification-preferences/workplan_submitted/", {"delivery": "hourly"},
                      format="json").status_code == 400  # fmt: skip
    assert client.get("/api/v1/notification-preferences/no_such_kind/").status_code == 404
    assert api(world.who).get("/api/v1/notification-preferences/workplan_submitted/").json()["delivery"] == "immediate"


# --- tasks ------------------------------------------------------------------------------------------------------


def test_tasks_per_role(world, api):
    today = dt.date.today()
    Deadline.objects.create(year=today.year, kind="workplan_submission", due_on=today - dt.timedelta(days=3))
    if today.year != world.plan.year:
        make_workplan(world.chad, today.year)
    submitted = make_workplan(world.chad, 2031)
    endorsement.submit_workplan(workplan=submitted, user=world.convener)

    focal = api(world.unicef).get("/api/v1/tasks/").json()
    kinds = {t["kind"] for t in focal}
    assert "endorse" in kinds and "deadline:workplan_submission" in kinds
    overdue = next(t for t in focal if t["kind"] == "deadline:workplan_submission")
    assert overdue["overdue"] is True and overdue["team"] == world.chad.pk and overdue["link"].startswith("http")
    outsider = api(world.outsider).get("/api/v1/tasks/").json()
    assert all(t["team"] != world.chad.pk for t in outsider)
    secretariat = api(world.secretariat).get("/api/v1/tasks/").json()
    assert any(t["kind"] == "behind:workplan_submission" and t["team"] == world.chad.pk for t in secretariat)
    viewer = make_user("viewer")
    assert api(viewer).get("/api/v1/tasks/").json() == []


def test_tasks_cost_the_same_for_one_team_and_many(world, api, django_assert_num_queries):
    today = dt.date.today()
    Deadline.objects.create(year=today.year, kind="workplan_draft", due_on=today + dt.timedelta(days=5))
    client = api(world.secretariat)
    client.get("/api/v1/tasks/")  # warm caches (content types, ...)
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/tasks/")
    for iso in ("NER", "MLI", "BFA", "SEN"):
        make_workplan(make_team(iso), today.year)
    assert Team.objects.coordinating().count() > 3
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/api/v1/tasks/")


# --- deadlines ---------------------------------------------------------------------------------------------------


def test_deadlines_are_read_by_all_and_set_by_the_secretariat(world, api):
    body = {"year": 2026, "kind": "workplan_submission", "due_on": "2026-03-31"}
    assert api(world.convener).post("/api/v1/deadlines/", body, format="json").status_code == 403
    created = api(world.secretariat).post("/api/v1/deadlines/", body, format="json")
    assert created.status_code == 201, created.content
    exception = api(world.secretariat).post(
        "/api/v1/deadlines/", {**body, "team": world.chad.pk, "due_on": "2026-04-30"}, format="json"
    )
    assert exception.status_code == 201
    listed = api(make_user("viewer")).get("/api/v1/deadlines/?year=2026&global_only=true").json()
    assert [d["due_on"] for d in listed["results"]] == ["2026-03-31"]
    url = f"/api/v1/deadlines/{created.json()['id']}/"
    client = api(world.secretariat)
    assert client.patch(url, {"due_on": "2026-04-15"}, format="json", if_match=None).status_code == 428
    assert client.patch(url, {"due_on": "2026-04-15"}, format="json", HTTP_IF_MATCH='"stale"').status_code == 412
    assert client.patch(url, {"due_on": "2026-04-15"}, format="json").json()["due_on"] == "2026-04-15"
    assert api(world.convener).patch(url, {"due_on": "2026-05-01"}, format="json").status_code == 403
    assert client.post("/api/v1/deadlines/", {**body, "due_on": "2029-01-01"}, format="json").status_code == 400
    assert client.delete(f"/api/v1/deadlines/{exception.json()['id']}/").status_code == 204


def test_a_global_period_deadline_is_the_periods_due_date(world, api):
    period = ReportingPeriod.objects.create(year=2026, kind="mid_year", start_date=dt.date(2026, 1, 1),
                                            end_date=dt.date(2026, 6, 30), due_date=dt.date(2026, 7, 31))  # fmt: skip
    body = {"year": 2026, "kind": "mid_year", "due_on": "2026-08-15"}
    assert api(world.secretariat).post("/api/v1/deadlines/", body, format="json").status_code == 201
    period.refresh_from_db()
    assert period.due_date == dt.date(2026, 8, 15)
    refused = api(world.secretariat).post("/api/v1/deadlines/", {**body, "due_on": "2026-06-01"}, format="json")
    assert refused.status_code == 400 and "due_on" in refused.json()


# --- the workflow on /workplans/{id}/ ------------------------------------------------------------------------------


def test_submit_endorse_return_acknowledge_through_the_api(world, api):
    url = f"/api/v1/workplans/{world.plan.pk}/"
    assert api(world.unicef).post(url + "submit/", {"comment": "x"}, format="json").status_code == 403
    assert api(world.outsider).post(url + "submit/", {}, format="json").status_code == 404
    submitted = api(world.convener).post(url + "submit/", {"comment": "Please sign"}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert api(world.outsider).post(url + "endorse/", {}, format="json").status_code == 404
    no_reason = api(world.who).post(url + "return/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert api(world.unicef).post(url + "endorse/", {"comment": "OK"}, format="json").json()["status"] == "submitted"
    again = api(world.unicef).post(url + "endorse/", {}, format="json")
    assert again.status_code == 409
    returned = api(world.who).post(url + "return/", {"reason": "Dates are wrong"}, format="json")
    assert returned.status_code == 200 and returned.json()["status"] == "draft"
    rounds = api(make_user("viewer")).get(f"/api/v1/endorsement-rounds/?workplan={world.plan.pk}").json()["results"]
    assert rounds[0]["status"] == "returned" and rounds[0]["close_comment"] == "Dates are wrong"
    answers = {r["agency"]: (r["status"], r["comment"]) for r in rounds[0]["requests"]}
    assert answers == {"UNICEF": ("endorsed", "OK"), "WHO": ("returned", "Dates are wrong"), "WFP": ("closed", "")}
    assert api(world.convener).post(url + "submit/", {}, format="json").status_code == 200
    for user in (world.unicef, world.who, world.convener):
        response = api(user).post(url + "endorse/", {}, format="json")
    assert response.json()["status"] == "endorsed"
    assert api(world.convener).post(url + "acknowledge/", {}, format="json").status_code == 403
    assert api(world.secretariat).post(url + "acknowledge/", {"comment": "Noted"}, format="json").status_code == 200
    reopened = api(world.convener).post(url + "reopen/", {}, format="json")
    assert reopened.status_code == 409 and "amendment" in reopened.json()["detail"]
    assert api(world.secretariat).post("/api/v1/endorsement-rounds/", {}, format="json").status_code == 405


def test_the_rounds_list_costs_the_same_for_one_and_many(world, api, django_assert_num_queries):
    endorsement.submit_workplan(workplan=world.plan, user=world.convener)
    client = api(world.secretariat)
    client.get("/api/v1/endorsement-rounds/")
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/endorsement-rounds/?ordering=respond_by")
    for year in (2027, 2028, 2029):
        endorsement.submit_workplan(workplan=make_workplan(world.chad, year), user=world.convener)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/api/v1/endorsement-rounds/?ordering=respond_by")
    assert response.json()["count"] == 4


# --- amendments and signatories -------------------------------------------------------------------------------


def endorsed_plan(world):
    endorsement.submit_workplan(workplan=world.plan, user=world.convener)
    for user in (world.unicef, world.who, world.convener):
        endorsement.endorse_workplan(workplan=world.plan, user=user)
    world.plan.refresh_from_db()
    return world.plan


def test_amendments_through_the_api(world, api):
    plan = endorsed_plan(world)
    body = {"workplan": plan.pk, "kind": "administrative", "reason": "Wrong title"}
    refused = api(world.outsider).post("/api/v1/amendments/", body, format="json")
    assert refused.status_code == 400 and "workplan" in refused.json()
    assert api(world.unicef).post("/api/v1/amendments/", body, format="json").status_code == 403
    created = api(world.convener).post("/api/v1/amendments/", body, format="json")
    assert created.status_code == 201 and created.json()["number"] == 1
    url = f"/api/v1/amendments/{created.json()['id']}/"
    nothing = api(world.convener).post(url + "submit/", {}, format="json")
    assert nothing.status_code == 400 and "Nothing has changed" in nothing.json()["non_field_errors"][0]
    activity = plan.activities.get()
    activity.title = "Joint anaemia survey, national"
    activity.save()
    changes = api(make_user("viewer")).get(url).json()["changes"]
    assert changes[0]["label"] == "Activity “Joint anaemia survey, national”: title"
    assert api(world.convener).post(url + "submit/", {}, format="json", if_match=None).status_code == 428
    approved = api(world.convener).post(url + "submit/", {"comment": "Corrected"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert api(world.secretariat).get(f"/api/v1/amendments/?workplan={plan.pk}&status=approved").json()["count"] == 1


def test_signatories_through_the_api(world, api):
    body = {"team": world.chad.pk, "agency": "WHO", "person": world.unicef.person.pk}
    assert api(world.unicef).post("/api/v1/signatories/", body, format="json").status_code == 403
    assert api(world.outsider).post("/api/v1/signatories/", body, format="json").status_code == 400
    created = api(world.convener).post("/api/v1/signatories/", body, format="json")
    assert created.status_code == 201 and created.json()["agency"] == "WHO"
    not_member = api(world.convener).post("/api/v1/signatories/", {**body, "agency": "UNHCR"}, format="json")
    assert not_member.status_code == 400 and "agency" in not_member.json()
    signers = {s.agency.acronym: s.person for s in endorsement.signatories_of(world.chad)}
    assert signers["WHO"] == world.unicef.person
    url = f"/api/v1/signatories/{created.json()['id']}/"
    assert api(world.secretariat).delete(url).status_code == 204
    assert not Signatory.objects.exists()
    assert Amendment.objects.count() == 0


def test_another_teams_people_cannot_touch_chads_workflow(world, api):
    """A focal point of Cambodia reads Chad's rounds and amendments (like its workplans) but changes nothing."""
    plan = endorsed_plan(world)
    amendment = endorsement.start_amendment(workplan=plan, user=world.convener, kind="timeline", reason="Rains")
    signatory = endorsement.designate_signatory(user=world.convener, team=world.chad,
                                                agency=world.unicef.person.agency, person=world.unicef.person)  # fmt: skip
    outsider = api(world.outsider)
    assert outsider.get(f"/api/v1/amendments/{amendment.pk}/").status_code == 200
    for url in (f"/api/v1/amendments/{amendment.pk}/submit/", f"/api/v1/amendments/{amendment.pk}/withdraw/",
                f"/api/v1/workplans/{plan.pk}/submit/", f"/api/v1/workplans/{plan.pk}/return/"):  # fmt: skip
        assert outsider.post(url, {"comment": "x", "reason": "x"}, format="json").status_code == 404, url
    assert outsider.delete(f"/api/v1/signatories/{signatory.pk}/").status_code == 404
    assert outsider.post("/api/v1/deadlines/", {"year": 2026, "kind": "annual", "team": world.chad.pk,
                                                "due_on": "2027-01-31"}, format="json").status_code == 403  # fmt: skip
    amendment.refresh_from_db()
    assert amendment.status == "open" and Signatory.objects.filter(pk=signatory.pk).exists()
    assert not Deadline.objects.exists()
