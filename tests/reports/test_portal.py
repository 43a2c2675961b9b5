"""The portal's report pages: the form, the run page with its progress bar that polls
(htmx) until the download link appears, the failure reason, and who may see what."""

import re

import pytest
from django.utils import timezone

from reports.models import ReportRun

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def test_sign_in_is_required(client, coordination):
    for url in ("/reports/", "/reports/1/", "/reports/1/progress/", "/reports/1/download/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_secretariat_requests_a_report_and_downloads_it(client, coordination, django_capture_on_commit_callbacks):
    signed_in(client, coordination.secretariat)
    page = client.get("/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    for value in ("global", "regional", "country", "data_quality"):
        assert f'value="{value}"' in html
    assert "Produce the report" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/", {"kind": "global", "format": "xlsx", "year": YEAR})
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{run.pk}/"

    # Tasks run in-process: the report is ready when the page renders.
    page = client.get(response["Location"]).content.decode()
    assert "The report is ready." in page
    assert f'href="/reports/{run.pk}/download/"' in page
    assert "<progress" not in page and "hx-trigger" not in page

    download = client.get(f"/reports/{run.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert b"".join(download.streaming_content)[:2] == b"PK"  # a zip: the XLSX container

    listing = client.get("/reports/").content.decode()
    assert f"un-nutrition-global-overview-{YEAR}.xlsx" in listing


def test_a_running_report_shows_a_progress_bar_that_polls(client, coordination):
    run = ReportRun.objects.create(
        kind="global", format="pdf", year=YEAR, requested_by=coordination.secretariat, status="running", progress=40,
        dedupe_key="x", started_at=timezone.now(),
    )  # fmt: skip
    signed_in(client, coordination.secretariat)
    page = client.get(f"/reports/{run.pk}/").content.decode()
    poller = re.search(r'<div id="report-status"([^>]*)>', page).group(1)
    assert f'hx-get="/reports/{run.pk}/progress/"' in poller and 'hx-trigger="every 1s"' in poller
    bar = re.search(r"<progress ([^>]*)>", page).group(1)
    assert f'id="report-progress-{run.pk}"' in bar and 'value="40"' in bar and 'max="100"' in bar
    assert f'<label for="report-progress-{run.pk}">Progress: 40%</label>' in page
    assert '<meta http-equiv="refresh"' in page  # without JavaScript, the page reloads itself

    partial = client.get(f"/reports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert 'value="40"' in partial.content.decode()

    ReportRun.objects.filter(pk=run.pk).update(
        status="done", progress=100, file="reports/x.pdf", finished_at=timezone.now()
    )
    partial = client.get(f"/reports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    # 286 tells htmx to stop polling; the content (the download link) is still swapped in.
    assert partial.status_code == 286
    assert f'href="/reports/{run.pk}/download/"' in partial.content.decode()


def test_a_failed_report_shows_the_reason(client, coordination):
    run = ReportRun.objects.create(
        kind="global", format="pdf", year=YEAR, requested_by=coordination.secretariat, status="failed",
        error="The report file could not be written: No space left on device.", dedupe_key="x",
    )  # fmt: skip
    signed_in(client, coordination.secretariat)
    page = client.get(f"/reports/{run.pk}/").content.decode()
    assert "The report could not be produced." in page
    assert "No space left on device." in page
    assert client.get(f"/reports/{run.pk}/download/").status_code == 404


def test_a_viewer_is_told_and_refused(client, coordination):
    signed_in(client, coordination.viewer)
    page = client.get("/reports/").content.decode()
    assert "Produce the report" not in page
    assert "Your role does not include either." in page
    response = client.post("/reports/", {"kind": "global", "format": "pdf", "year": YEAR})
    assert response.status_code == 403
    assert "Only the Secretariat can request" in response.content.decode()
    assert not ReportRun.objects.exists()


def test_a_focal_point_is_offered_their_team_only(client, coordination):
    signed_in(client, coordination.focal_point)
    html = client.get("/reports/").content.decode()
    kind_options = re.findall(
        r'<option value="([^"]*)"', re.search(r'<select name="kind".*?</select>', html, re.S).group(0)
    )
    assert kind_options == ["country", "un_info", "iati"]
    team_select = re.search(r'<select name="team".*?</select>', html, re.S).group(0)
    assert "UN Nutrition Cambodia" in team_select and "Chad" not in team_select
    assert 'name="region"' not in html

    response = client.post(
        "/reports/", {"kind": "country", "format": "pdf", "year": YEAR, "team": coordination.chad.pk}
    )
    assert response.status_code == 403
    assert "conveners and focal points" in response.content.decode()
    assert not ReportRun.objects.exists()


def test_a_missing_field_is_shown_next_to_it(client, coordination):
    signed_in(client, coordination.secretariat)
    response = client.post("/reports/", {"kind": "regional", "format": "pdf", "year": YEAR})
    assert response.status_code == 400
    html = response.content.decode()
    region_field = re.search(r'<div class="field has-error">\s*<label for="id_region">.*?</div>', html, re.S).group(0)
    assert "A regional report needs a region." in region_field
    response = client.post("/reports/", {"kind": "global", "format": "pdf", "year": 1800})
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 2000." in response.content.decode()
    assert not ReportRun.objects.exists()


def test_other_peoples_runs_are_not_found(client, coordination):
    run = ReportRun.objects.create(
        kind="country", format="pdf", year=YEAR, team=coordination.cambodia, requested_by=coordination.focal_point,
        dedupe_key="x",
    )  # fmt: skip
    signed_in(client, coordination.chad_focal_point)
    for url in (f"/reports/{run.pk}/", f"/reports/{run.pk}/progress/", f"/reports/{run.pk}/download/"):
        assert client.get(url).status_code == 404
    assert "You have not requested any report yet." in client.get("/reports/").content.decode()


def test_the_list_page_takes_a_fixed_number_of_queries(client, coordination, django_assert_max_num_queries):
    signed_in(client, coordination.secretariat)
    for i in range(30):
        ReportRun.objects.create(
            kind="country", format="pdf", year=YEAR, team=coordination.cambodia,
            requested_by=coordination.secretariat, dedupe_key=f"k{i}",
        )  # fmt: skip
    client.get("/reports/")  # warm the session and the user's roles
    with django_assert_max_num_queries(12):
        response = client.get("/reports/")
    assert response.content.decode().count("UN Nutrition Cambodia</a>") >= 30
