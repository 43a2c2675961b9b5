"""The reports API: request (POST), poll (GET), download; who may do what; bad input;
the same request twice; a bounded number of queries per list."""

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from countries.models import Country
from reports.models import ReportRun

from ..factories import make_user
from .conftest import YEAR

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_request_poll_and_download_a_global_report(coordination, django_capture_on_commit_callbacks):
    client = client_for(coordination.secretariat)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(URL, {"kind": "global", "format": "pdf", "year": YEAR}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert (body["kind"], body["format"], body["year"], body["status"]) == ("global", "pdf", YEAR, "queued")
    assert response["Location"] == body["url"] == f"http://testserver{URL}{body['id']}/"
    assert body["download_url"] is None
    assert len(callbacks) == 1  # the job is queued once the request has committed

    poll = client.get(body["url"])
    assert poll.status_code == 200
    run = poll.json()
    assert (run["status"], run["progress"], run["error"], run["attempts"]) == ("done", 100, "", 1)
    assert run["file_name"] == f"un-nutrition-global-overview-{YEAR}.pdf"
    assert run["download_url"] == f"http://testserver{URL}{body['id']}/download/"
    # Polling again while nothing changed: 304.
    assert client.get(body["url"], HTTP_IF_NONE_MATCH=poll["ETag"]).status_code == 304

    download = client.get(run["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="un-nutrition-global-overview-{YEAR}.pdf"'
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF") and len(content) == run["file_size"]


def test_a_viewer_may_not_request_a_global_report(coordination):
    response = client_for(coordination.viewer).post(URL, {"kind": "global", "format": "pdf"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the Secretariat can request global, regional and data-quality reports."}
    assert not ReportRun.objects.exists()


@pytest.mark.parametrize("kind", ["global", "regional", "data_quality"])
def test_a_focal_point_may_not_request_secretariat_reports(kind, coordination):
    body = {"kind": kind, "format": "xlsx"} | ({"region": "asia"} if kind == "regional" else {})
    assert client_for(coordination.focal_point).post(URL, body, format="json").status_code == 403
    assert not ReportRun.objects.exists()


def test_a_focal_point_requests_their_own_country_report_not_another_teams(coordination):
    client = client_for(coordination.focal_point)
    own = client.post(URL, {"kind": "country", "format": "csv", "team": coordination.cambodia.pk}, format="json")
    assert own.status_code == 202
    assert own.json()["team"] == coordination.cambodia.pk
    assert own.json()["team_name"] == "UN Nutrition Cambodia"

    other = client.post(URL, {"kind": "country", "format": "csv", "team": coordination.chad.pk}, format="json")
    assert other.status_code == 403
    assert "conveners and focal points" in other.json()["detail"]
    assert list(ReportRun.objects.values_list("team__name", flat=True)) == ["UN Nutrition Cambodia"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"format": "pdf"}, "kind", "This field is required."),
        ({"kind": "weekly", "format": "pdf"}, "kind", '"weekly" is not a valid choice.'),
        ({"kind": "global", "format": "docx"}, "format", '"docx" is not a valid choice.'),
        (
            {"kind": "global", "format": "pdf", "year": 1999},
            "year",
            "Ensure this value is greater than or equal to 2000.",
        ),
        ({"kind": "global", "format": "pdf", "year": "last"}, "year", "A valid integer is required."),
        ({"kind": "regional", "format": "pdf"}, "region", "A regional report needs a region."),
        (
            {"kind": "regional", "format": "pdf", "region": "atlantis"},
            "region",
            "Object with slug=atlantis does not exist.",
        ),
        ({"kind": "global", "format": "pdf", "region": "asia"}, "region", "Only a regional report takes a region."),
        ({"kind": "country", "format": "pdf"}, "team", "A country report needs a team."),
        ({"kind": "country", "format": "pdf", "team": 999999}, "team", 'Invalid pk "999999" - object does not exist.'),
        (
            {"kind": "data_quality", "format": "pdf", "team": "CAMBODIA"},
            "team",
            "Incorrect type. Expected pk value, received str.",
        ),
    ],
)
def test_bad_requests_name_the_field_and_change_nothing(body, field, message, coordination):
    response = client_for(coordination.secretariat).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert not ReportRun.objects.exists()


def test_the_same_request_twice_while_running_starts_one_job(coordination, django_capture_on_commit_callbacks):
    client = client_for(coordination.secretariat)
    body = {"kind": "data_quality", "format": "xlsx", "year": YEAR}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.post(URL, body, format="json")
        second = client.post(URL, body, format="json")
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    assert ReportRun.objects.count() == 1
    assert len(callbacks) == 1  # one job queued
    # A different request is a different run.
    other = client.post(URL, body | {"format": "csv"}, format="json")
    assert other.json()["id"] != first.json()["id"]


def test_once_done_the_same_request_makes_a_fresh_report(coordination, django_capture_on_commit_callbacks):
    client = client_for(coordination.secretariat)
    body = {"kind": "global", "format": "csv", "year": YEAR}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(URL, body, format="json").json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(URL, body, format="json").json()["id"]
    assert first != second
    assert list(ReportRun.objects.order_by("pk").values_list("status", flat=True)) == ["done", "done"]


def test_the_database_refuses_a_second_active_run_of_a_request(coordination):
    fields = {"kind": "global", "format": "pdf", "year": YEAR, "dedupe_key": "global:-:-:2025:pdf:en:1"}
    ReportRun.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRun.objects.create(**fields)
    ReportRun.objects.update(status="failed", error="Stopped.")
    ReportRun.objects.create(**fields)  # fine once the first is no longer active


def test_runs_and_files_of_others_answer_404(coordination, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordination.focal_point).post(
            URL, {"kind": "country", "format": "pdf", "team": coordination.cambodia.pk}, format="json"
        )
    run = response.json()
    colleague = make_user("focal_point", coordination.cambodia, agency="WFP")
    for user in (colleague, coordination.viewer, coordination.chad_focal_point):
        client = client_for(user)
        assert client.get(run["url"]).status_code == 404
        assert client.get(run["url"] + "download/").status_code == 404
        assert client.get(URL).json()["count"] == 0
    # The Secretariat may open anyone's report.
    secretariat = client_for(coordination.secretariat)
    assert secretariat.get(run["url"] + "download/").status_code == 200


def test_a_report_not_done_cannot_be_downloaded(coordination):
    client = client_for(coordination.secretariat)
    run = client.post(URL, {"kind": "global", "format": "pdf"}, format="json").json()
    response = client.get(run["url"] + "download/")
    assert response.status_code == 404
    assert response.json() == {"detail": "This report is queued, not ready to download."}


def test_the_list_shows_your_runs_and_for_the_secretariat_the_scheduled_ones(coordination):
    region = Country.objects.get(iso_alpha3="KHM").region
    mine = ReportRun.objects.create(
        kind="regional", format="pdf", year=YEAR, region=region, requested_by=coordination.secretariat, dedupe_key="a"
    )
    scheduled = ReportRun.objects.create(kind="data_quality", format="xlsx", year=YEAR, dedupe_key="b")
    ReportRun.objects.create(
        kind="country",
        format="pdf",
        year=YEAR,
        team=coordination.cambodia,
        requested_by=coordination.focal_point,
        dedupe_key="c",
    )
    ids = [run["id"] for run in client_for(coordination.secretariat).get(URL).json()["results"]]
    assert ids == [scheduled.pk, mine.pk]
    listed = client_for(coordination.focal_point).get(URL, {"kind": "country"}).json()["results"]
    assert [(run["kind"], run["requested_by"]) for run in listed] == [("country", coordination.focal_point.username)]
    assert client_for(coordination.focal_point).get(URL, {"status": "sleeping"}).status_code == 400


def test_listing_runs_takes_a_fixed_number_of_queries(coordination, django_assert_max_num_queries):
    region = Country.objects.get(iso_alpha3="KHM").region
    client = client_for(coordination.secretariat)

    def add_runs(n):
        for i in range(n):
            ReportRun.objects.create(
                kind=["regional", "country"][i % 2],
                format="pdf",
                year=YEAR,
                region=region if i % 2 == 0 else None,
                team=coordination.cambodia if i % 2 else None,
                requested_by=coordination.secretariat,
                dedupe_key=f"k{ReportRun.objects.count()}",
            )

    add_runs(3)
    with django_assert_max_num_queries(4):
        assert client.get(URL).json()["count"] == 3
    add_runs(40)
    with django_assert_max_num_queries(4):
        assert client.get(URL).json()["count"] == 43


def test_anonymous_clients_are_refused():
    assert APIClient().get(URL).status_code == 401
    assert APIClient().post(URL, {"kind": "global", "format": "pdf"}, format="json").status_code == 401
