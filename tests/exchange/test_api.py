"""The new endpoints by role and team: imports (upload, read, confirm, undo), workplan files,
contributions, joint proposals, funders and activity tags. Another team's record answers 404, a role
that may not write 403, a change without If-Match 428, with a stale one 412."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from exchange.models import ImportBatch
from workplans.models import Activity, Contribution, JointProposal

from ..factories import make_activity, make_user, make_workplan
from .helpers import row_of, set_cells, template_book, to_bytes

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(cambodia, chad):
    plan = make_workplan(cambodia, 2026)
    activity = make_activity(plan, title="Costing", budget_required=Decimal("1000"))
    chads = make_workplan(chad, 2026)
    chads_activity = make_activity(chads, title="Chad's costing")
    return {
        "plan": plan,
        "activity": activity,
        "chads": chads,
        "chads_activity": chads_activity,
        "focal": make_user("focal_point", cambodia),
        "convener": make_user("convener", cambodia),
        "secretariat": make_user("secretariat"),
        "viewer": make_user("viewer"),
        "other": make_user("focal_point", chad),
    }


def client(user):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def edited_file(plan, activity, title="Costing, revised"):
    book = template_book(plan)
    set_cells(book.worksheets[0], row_of(book.worksheets[0], activity.pk), title=title)
    return SimpleUploadedFile("plan.xlsx", to_bytes(book), content_type=XLSX)


def upload(user, plan, activity, **extra):
    return client(user).post(
        "/api/v1/imports/", {"workplan": plan.pk, "file": edited_file(plan, activity), **extra}, format="multipart"
    )


@pytest.mark.parametrize(
    ("role", "own", "expected"),
    [
        ("focal", True, 201),
        ("convener", True, 201),
        ("secretariat", True, 201),
        ("secretariat", False, 201),
        ("other", True, 400),  # Chad's focal point on Cambodia's plan: it reads as "does not exist"
        ("viewer", True, 403),
    ],
)
def test_upload_by_role_and_team(world, role, own, expected):
    plan, activity = (world["plan"], world["activity"]) if own else (world["chads"], world["chads_activity"])
    response = upload(world[role], plan, activity)
    assert response.status_code == expected, response.content
    if expected == 201:
        body = response.json()
        assert body["status"] == "previewed" and body["can_confirm"] and body["changed_count"] == 1
        change = body["preview"][0]["changes"][0]
        assert change == {"column": "Title", "old": activity.title, "new": "Costing, revised"}
        activity.refresh_from_db()
        assert not activity.title.endswith("revised")  # nothing saved by a preview
    if role == "other":
        assert "workplan" in response.json()
    assert client(None).post("/api/v1/imports/", {}, format="multipart").status_code in (401, 403)


def test_a_bad_file_answers_400_naming_the_file_and_saves_nothing(world):
    response = client(world["focal"]).post(
        "/api/v1/imports/",
        {"workplan": world["plan"].pk, "file": SimpleUploadedFile("plan.csv", b"id,title\n1,x\n")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "not an Excel workbook" in response.json()["file"][0]
    assert not ImportBatch.objects.exists()


def test_confirm_and_undo_need_if_match_and_the_current_etag(world):
    batch_id = upload(world["focal"], world["plan"], world["activity"]).json()["id"]
    url = f"/api/v1/imports/{batch_id}/"
    api = client(world["focal"])
    read = api.get(url)
    assert read.status_code == 200
    assert api.post(url + "confirm/").status_code == 428
    assert api.post(url + "confirm/", HTTP_IF_MATCH='"stale"').status_code == 412
    confirmed = api.post(url + "confirm/", HTTP_IF_MATCH=read["ETag"])
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "applied"
    assert Activity.objects.get(pk=world["activity"].pk).title == "Costing, revised"
    again = api.post(url + "confirm/", HTTP_IF_MATCH=confirmed["ETag"])
    assert again.status_code == 409 and again.json()["state"] == "applied"
    undone = api.post(url + "undo/", HTTP_IF_MATCH=api.get(url)["ETag"])
    assert undone.status_code == 200 and undone.json()["status"] == "undone"
    assert Activity.objects.get(pk=world["activity"].pk).title == "Costing"


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [("other", 404, 404), ("viewer", 404, 403), ("secretariat", 200, 200), ("convener", 200, 200)],
)
def test_imports_of_a_team_by_role(world, role, read, write):
    batch_id = upload(world["focal"], world["plan"], world["activity"]).json()["id"]
    api = client(world[role])
    assert api.get(f"/api/v1/imports/{batch_id}/").status_code == read
    listed = api.get("/api/v1/imports/")
    assert listed.status_code == 200 and len(listed.json()["results"]) == (1 if read == 200 else 0)
    response = api.post(f"/api/v1/imports/{batch_id}/undo/", HTTP_IF_MATCH="*")
    # Undo of a preview: the role may (409, the state) or may not (403/404).
    assert response.status_code == (409 if write == 200 else write)


def test_imports_list_filters_are_strict(world):
    api = client(world["focal"])
    assert api.get("/api/v1/imports/?status=nonsense").status_code == 400
    assert api.get("/api/v1/imports/?colour=blue").status_code == 400


def test_workplan_files_for_anyone_signed_in(world):
    for path in ("template", "un-info", "iati"):
        response = client(world["viewer"]).get(f"/api/v1/workplan-files/{world['plan'].pk}/{path}/")
        assert response.status_code == 200, path
        assert client(None).get(f"/api/v1/workplan-files/{world['plan'].pk}/{path}/").status_code in (401, 403)


def contribution_body(activity, **changes):
    return {
        "activity": activity.pk,
        "agency": "WFP",
        "kind": "cash",
        "amount": "400.00",
        "funder": "joint-sdg-fund",
        **changes,
    }


@pytest.mark.parametrize(
    ("role", "own", "expected"),
    [("focal", True, 201), ("secretariat", False, 201), ("other", True, 400), ("viewer", True, 403)],
)
def test_contributions_by_role_and_team(world, role, own, expected):
    activity = world["activity"] if own else world["chads_activity"]
    response = client(world[role]).post("/api/v1/contributions/", contribution_body(activity), format="json")
    assert response.status_code == expected, response.content
    if expected == 201:
        activity.refresh_from_db()
        assert activity.budget_available == Decimal("400.00")


def test_contribution_changes_by_role(world):
    contribution = (
        client(world["focal"])
        .post("/api/v1/contributions/", contribution_body(world["activity"]), format="json")
        .json()
    )
    url = f"/api/v1/contributions/{contribution['id']}/"
    for role, expected in (("other", 404), ("viewer", 403)):
        assert client(world[role]).patch(url, {"amount": "1.00"}, format="json", HTTP_IF_MATCH="*").status_code == (
            expected
        )
    api = client(world["convener"])
    assert api.patch(url, {"amount": "900.00"}, format="json").status_code == 428
    assert api.patch(url, {"amount": "900.00"}, format="json", HTTP_IF_MATCH='"old"').status_code == 412
    changed = api.patch(url, {"amount": "900.00"}, format="json", HTTP_IF_MATCH=api.get(url)["ETag"])
    assert changed.status_code == 200 and changed.json()["amount"] == "900.00"
    assert Activity.objects.get(pk=world["activity"].pk).budget_available == Decimal("900.00")
    refused = api.patch(url, {"funder": "nobody"}, format="json", HTTP_IF_MATCH=api.get(url)["ETag"])
    assert refused.status_code == 400 and "funder" in refused.json()
    assert api.delete(url, HTTP_IF_MATCH=api.get(url)["ETag"]).status_code == 204
    assert not Contribution.objects.exists()


def test_joint_proposals_by_role_and_team(world, cambodia, chad):
    body = {
        "team": cambodia.pk,
        "title": "Wasting treatment",
        "agencies": ["UNICEF", "WFP"],
        "amount_requested": "250000.00",
        "activities": [world["activity"].pk],
    }
    assert client(world["viewer"]).post("/api/v1/joint-proposals/", body, format="json").status_code == 403
    assert client(world["other"]).post("/api/v1/joint-proposals/", body, format="json").status_code == 400
    created = client(world["focal"]).post("/api/v1/joint-proposals/", body, format="json")
    assert created.status_code == 201, created.content
    url = f"/api/v1/joint-proposals/{created.json()['id']}/"
    assert client(world["viewer"]).get(url).status_code == 200  # read by anyone signed in
    assert client(world["other"]).patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH="*").status_code == 404
    api = client(world["focal"])
    refused = api.patch(url, {"status": "submitted"}, format="json", HTTP_IF_MATCH=api.get(url)["ETag"])
    assert refused.status_code == 400 and "submitted_on" in refused.json()
    moved = api.patch(
        url,
        {"status": "submitted", "submitted_on": dt.date(2026, 4, 1).isoformat()},
        format="json",
        HTTP_IF_MATCH=api.get(url)["ETag"],
    )
    assert moved.status_code == 200 and moved.json()["status"] == "submitted"
    assert JointProposal.objects.filter(team=cambodia).count() == 2  # with the brief's
    listed = client(world["viewer"]).get("/api/v1/joint-proposals/?country=KHM&status=approved")
    assert [p["title"] for p in listed.json()["results"]] == [
        "Operational roadmap of the Global Action Plan on Child Wasting"
    ]


def test_reference_lists(world):
    api = client(world["viewer"])
    funders = api.get("/api/v1/funders/").json()
    funders = funders.get("results", funders) if isinstance(funders, dict) else funders
    assert {"joint-sdg-fund", "agency-core-resources", "national-government"} <= {f["code"] for f in funders}
    tags = api.get("/api/v1/activity-tags/?group=initiative", HTTP_ACCEPT_LANGUAGE="fr").json()
    tags = tags.get("results", tags) if isinstance(tags, dict) else tags
    assert isinstance(tags, list), tags
    assert "Décennie d'action des Nations Unies pour la nutrition" in {t["name"] for t in tags}
    assert api.get("/api/v1/activity-tags/?group=nonsense").status_code == 400


@pytest.mark.parametrize("count", [1, 20])
def test_contribution_list_queries_do_not_grow(world, count, django_assert_max_num_queries):
    from agencies.models import Agency
    from workplans.models import Funder

    funder = Funder.objects.get(code="joint-sdg-fund")
    agencies = list(Agency.objects.order_by("acronym"))
    for n in range(count):
        activity = make_activity(world["plan"], title=f"A{n}")
        Contribution.objects.create(activity=activity, agency=agencies[n % len(agencies)], amount=1, funder=funder)
    with django_assert_max_num_queries(8):
        response = client(world["viewer"]).get("/api/v1/contributions/?page_size=100")
    assert response.status_code == 200 and len(response.json()["results"]) == count
