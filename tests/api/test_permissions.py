"""Every endpoint x role x own/other team: reads for all signed-in users,
writes for the roles that may, 403 for roles that may not, 404 for objects
outside the caller's teams."""

import datetime as dt

import pytest

from workplans.models import Activity, ProgressUpdate, ResourceMobilised, Workplan

from ..factories import make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db

ROLES = ["secretariat", "convener", "focal_point", "viewer"]


@pytest.fixture
def world(cambodia, chad):
    """Cambodia is the callers' own team, Chad the other one; each has a draft workplan with one activity."""
    users = {role: make_user(role, cambodia) for role in ROLES}
    own_plan, other_plan = make_workplan(cambodia, 2026), make_workplan(chad, 2026)
    return {
        "users": users,
        "own": {"team": cambodia, "workplan": own_plan, "activity": make_activity(own_plan)},
        "other": {"team": chad, "workplan": other_plan, "activity": make_activity(other_plan)},
    }


READ_URLS = [
    "/api/v1/agencies/",
    "/api/v1/agencies/WFP/",
    "/api/v1/countries/",
    "/api/v1/countries/KHM/",
    "/api/v1/teams/",
    "/api/v1/teams/{own_team}/",
    "/api/v1/teams/{other_team}/",
    "/api/v1/workplans/",
    "/api/v1/workplans/{own_workplan}/",
    "/api/v1/workplans/{other_workplan}/",
    "/api/v1/activities/",
    "/api/v1/activities/{other_activity}/",
    "/api/v1/progress-updates/",
    "/api/v1/resources-mobilised/",
    "/api/v1/dashboard/summary/",
]


def fill(url, world):
    return url.format(
        own_team=world["own"]["team"].pk,
        other_team=world["other"]["team"].pk,
        own_workplan=world["own"]["workplan"].pk,
        other_workplan=world["other"]["workplan"].pk,
        other_activity=world["other"]["activity"].pk,
    )


@pytest.mark.parametrize("url", READ_URLS)
@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_reads_everything(role, url, world, api):
    response = api(world["users"][role]).get(fill(url, world))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("url", READ_URLS)
def test_anonymous_calls_get_401(url, world, api):
    response = api(None).get(fill(url, world))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize(
    ("role", "own_visible", "other_visible"),
    [("secretariat", True, True), ("convener", True, False), ("focal_point", True, False), ("viewer", False, False)],
)
def test_contact_details_only_for_own_teams(role, own_visible, other_visible, world, api):
    from ..factories import make_user as make

    make("focal_point", world["other"]["team"])  # give Chad a focal point with contact details
    client = api(world["users"][role])
    for side, visible in (("own", own_visible), ("other", other_visible)):
        body = client.get(f"/api/v1/teams/{world[side]['team'].pk}/").json()
        focal_points = [fp for member in body["members"] for fp in member["focal_points"]]
        assert focal_points, side
        assert body["contacts_visible"] is visible
        assert all((fp["email"] is not None) is visible for fp in focal_points), (side, focal_points)
        assert all(fp["name"] for fp in focal_points)  # names are never hidden


# --- writes: (method, url, body builder, expected per role as (own, other)) -----------------

ACTIVITY_BODY = {
    "title": "Joint survey on anaemia",
    "action_area": "evidence",
    "lead_agency": "UNICEF",
    "participating_agencies": ["WHO"],
    "sdg_targets": ["2.2"],
    "start_date": "2026-03-01",
    "end_date": "2026-09-30",
    "currency": "USD",
    "budget_required": "120000.00",
    "budget_available": "50000.00",
    "budget_spent": "0.00",
    "status": "pipeline",
}

WRITES = {
    "update activity": (
        "patch",
        "/api/v1/activities/{activity}/",
        lambda side: {"title": "Renamed activity"},
        {"secretariat": (200, 200), "convener": (200, 404), "focal_point": (200, 404), "viewer": (403, 403)},
    ),
    "delete activity": (
        "delete",
        "/api/v1/activities/{activity}/",
        lambda side: None,
        {"secretariat": (204, 204), "convener": (204, 404), "focal_point": (204, 404), "viewer": (403, 403)},
    ),
    "create activity": (
        "post",
        "/api/v1/activities/",
        lambda side: {**ACTIVITY_BODY, "workplan": side["workplan"].pk},
        {"secretariat": (201, 201), "convener": (201, 400), "focal_point": (201, 400), "viewer": (403, 403)},
    ),
    "create workplan": (
        "post",
        "/api/v1/workplans/",
        lambda side: {"team": side["team"].pk, "year": 2027, "summary": "Next year"},
        {"secretariat": (201, 201), "convener": (201, 400), "focal_point": (201, 400), "viewer": (403, 403)},
    ),
    "edit workplan": (
        "patch",
        "/api/v1/workplans/{workplan}/",
        lambda side: {"summary": "Revised"},
        {"secretariat": (200, 200), "convener": (200, 404), "focal_point": (200, 404), "viewer": (403, 403)},
    ),
    "submit workplan": (
        "post",
        "/api/v1/workplans/{workplan}/submit/",
        lambda side: None,
        {"secretariat": (200, 200), "convener": (200, 404), "focal_point": (403, 404), "viewer": (403, 403)},
    ),
    "report progress": (
        "post",
        "/api/v1/progress-updates/",
        lambda side: {
            "activity": side["activity"].pk,
            "reported_on": "2026-05-01",
            "percent_complete": 40,
            "status": "implementation",
            "text": "Data collection under way in 3 provinces.",
        },
        {"secretariat": (201, 201), "convener": (201, 400), "focal_point": (201, 400), "viewer": (403, 403)},
    ),
    "record resources": (
        "post",
        "/api/v1/resources-mobilised/",
        lambda side: {"team": side["team"].pk, "source": "Joint SDG Fund", "amount": "250000", "purpose": "Wasting"},
        {"secretariat": (201, 201), "convener": (201, 400), "focal_point": (201, 400), "viewer": (403, 403)},
    ),
}


def state(side):
    """What a write could change, to prove a refused write changed nothing."""
    team = side["team"]
    return (
        list(Workplan.objects.filter(team=team).values_list("year", "status", "summary")),
        list(Activity.objects.filter(workplan__team=team).values_list("title", "status")),
        ProgressUpdate.objects.filter(activity__workplan__team=team).count(),
        ResourceMobilised.objects.filter(team=team).count(),
    )


@pytest.mark.parametrize("side_name", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", WRITES)
def test_write_matrix(write, role, side_name, world, api):
    method, url, body, expected = WRITES[write]
    side = world[side_name]
    want = expected[role][0 if side_name == "own" else 1]
    before = state(side)
    url = url.format(activity=side["activity"].pk, workplan=side["workplan"].pk)
    response = getattr(api(world["users"][role]), method)(url, body(side), format="json")
    assert response.status_code == want, response.content
    if want >= 400:
        assert state(side) == before, "a refused write changed something"
    else:
        assert state(side) != before
    if want == 400:
        # Another team's record is named as the offending field, as if it did not exist.
        field = next(k for k in ("workplan", "team", "activity") if k in body(side))
        assert field in response.json()
        assert "does not exist" in response.json()[field][0]


def test_convener_endorses_a_submitted_workplan_and_the_focal_point_cannot(world, api):
    plan = world["own"]["workplan"]
    plan.status, plan.submitted_at = "submitted", dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    plan.save()
    refused = api(world["users"]["focal_point"]).post(f"/api/v1/workplans/{plan.pk}/endorse/")
    assert refused.status_code == 403
    assert "convener or the Secretariat" in refused.json()["detail"]
    response = api(world["users"]["convener"]).post(f"/api/v1/workplans/{plan.pk}/endorse/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "endorsed"
    assert body["endorsed_by"] == world["users"]["convener"].username
    assert body["endorsed_at"]


def test_submitting_twice_is_refused_with_a_reason(world, api):
    client = api(world["users"]["convener"])
    url = f"/api/v1/workplans/{world['own']['workplan'].pk}/submit/"
    assert client.post(url).status_code == 200
    second = client.post(url)
    assert second.status_code == 409  # the role allows it, the workplan's state does not
    assert "draft" in second.json()["detail"]
    assert second.json()["state"] == "submitted"


def test_after_submission_focal_points_update_progress_fields_only(world, api):
    plan, activity = world["own"]["workplan"], world["own"]["activity"]
    api(world["users"]["convener"]).post(f"/api/v1/workplans/{plan.pk}/submit/")
    client = api(world["users"]["focal_point"])
    refused = client.patch(f"/api/v1/activities/{activity.pk}/", {"title": "Changed plan"}, format="json")
    assert refused.status_code == 409
    assert "not title" in refused.json()["detail"]
    allowed = client.patch(
        f"/api/v1/activities/{activity.pk}/", {"status": "implementation", "budget_spent": "100.00"}, format="json"
    )
    assert allowed.status_code == 200
    assert (allowed.json()["status"], allowed.json()["budget_spent"]) == ("implementation", "100.00")
    added = client.post("/api/v1/activities/", {**ACTIVITY_BODY, "workplan": plan.pk}, format="json")
    assert added.status_code == 409
    assert "drafts only" in added.json()["detail"]


def test_progress_update_moves_the_activity(world, api):
    activity = world["own"]["activity"]
    user = world["users"]["focal_point"]
    response = api(user).post(
        "/api/v1/progress-updates/",
        {"activity": activity.pk, "reported_on": "2026-04-02", "percent_complete": 30, "status": "implementation",
         "text": "Training held."},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201
    assert response.json()["author"] == user.username
    activity.refresh_from_db()
    assert activity.status == "implementation"
    assert activity.last_progress_at is not None
    latest = api(user).get(f"/api/v1/activities/{activity.pk}/").json()["latest_progress"]
    assert latest == {"reported_on": "2026-04-02", "percent_complete": 30, "status": "implementation",
                      "text": "Training held."}  # fmt: skip
