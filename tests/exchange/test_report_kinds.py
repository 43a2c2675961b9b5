"""The UN INFO sheet and the IATI XML as report kinds: requested on the reports page or through the API
for a team and a year, built by the report job (through the reports' outbox) with the exchange's
builders, which exchange registers with reports (reports never imports exchange). The files validate:
IATI against the official 2.03 activity schema, UN INFO read back as the sheet UN INFO takes."""

import io

import pytest
from lxml import etree
from openpyxl import load_workbook
from rest_framework.test import APIClient

from exchange import iati_codelists, uninfo
from reports import file_kinds
from reports.models import ReportRun
from unnutrition.celery import app as celery_app

from ..factories import make_team, make_user
from .test_iati import cambodia_plan  # noqa: F401 (the fixture: a plan with contributions and results)

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def tasks_in_process():
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def plan(request):
    return request.getfixturevalue("cambodia_plan")


@pytest.fixture
def api(cambodia):
    client = APIClient()
    client.force_authenticate(make_user("focal_point", cambodia))
    return client


def download(client, run_id) -> bytes:
    response = client.get(f"{URL}{run_id}/download/")
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def test_exchange_registers_both_builders_with_reports():
    assert file_kinds._BUILDERS.keys() == {"un_info", "iati"}


def test_an_iati_run_produces_xml_that_validates_against_the_schema(
    api, cambodia, plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, {"kind": "iati", "format": "xml", "team": cambodia.pk, "year": 2026}, format="json")
    assert response.status_code == 202, response.content
    run = api.get(response.json()["url"]).json()
    assert (run["status"], run["error"]) == ("done", "")
    assert run["file_name"] == "un-nutrition-cambodia-iati-2026.xml"
    content = download(api, run["id"])
    schema = etree.XMLSchema(etree.parse(str(iati_codelists.activity_schema())))
    document = etree.fromstring(content)
    assert schema.validate(document), "\n".join(str(error) for error in schema.error_log)
    assert len(document.findall("iati-activity")) == 2  # the plan and its activity


def test_a_un_info_run_produces_the_sub_output_sheet(api, cambodia, plan, django_capture_on_commit_callbacks):
    workplan, _activity = plan
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            URL, {"kind": "un_info", "format": "xlsx", "team": cambodia.pk, "year": 2026}, format="json"
        )
    assert response.status_code == 202, response.content
    run = ReportRun.objects.get(pk=response.json()["id"])
    assert run.status == "done" and run.download_name.endswith("-un-info-2026.xlsx")
    sheet = load_workbook(io.BytesIO(download(api, run.pk))).worksheets[0]
    expected = load_workbook(io.BytesIO(uninfo.workbook(workplan))).worksheets[0]
    assert [c.value for c in sheet[1]] == [c.value for c in expected[1]]
    assert sheet.max_row == expected.max_row > 1


def test_the_reports_page_offers_and_requests_them(client, cambodia, plan, django_capture_on_commit_callbacks):
    client.force_login(make_user("convener", cambodia))
    html = client.get("/reports/").content.decode()
    assert 'value="un_info"' in html and 'value="iati"' in html
    with django_capture_on_commit_callbacks(execute=True):
        # The format field is left at its default: these files come in their one format.
        response = client.post("/reports/", {"kind": "iati", "format": "pdf", "year": 2026, "team": cambodia.pk})
    run = ReportRun.objects.get()
    assert response.status_code == 302 and (run.kind, run.format, run.status) == ("iati", "xml", "done")
    download = client.get(f"/reports/{run.pk}/download/")
    assert download["Content-Type"] == "application/xml"


def test_bad_requests_are_refused_naming_the_field(api, cambodia, chad):
    response = api.post(URL, {"kind": "iati", "format": "pdf", "team": cambodia.pk}, format="json")
    assert response.status_code == 400 and "xml" in response.json()["format"][0]
    response = api.post(URL, {"kind": "un_info", "format": "xlsx"}, format="json")
    assert response.status_code == 400 and "team" in response.json()
    response = api.post(URL, {"kind": "country", "format": "xml", "team": cambodia.pk}, format="json")
    assert response.status_code == 400 and "IATI" in response.json()["format"][0]
    response = api.post(URL, {"kind": "iati", "format": "xml", "team": chad.pk}, format="json")
    assert response.status_code == 403  # another team's files: its people and the Secretariat only
    assert not ReportRun.objects.exists()


def test_a_team_without_a_workplan_that_year_fails_saying_why(django_capture_on_commit_callbacks):
    team = make_team("TCD")
    client = APIClient()
    client.force_authenticate(make_user("secretariat"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"kind": "un_info", "format": "xlsx", "team": team.pk, "year": 2026}, format="json")
    run = ReportRun.objects.get(pk=response.json()["id"])
    assert run.status == "failed" and "has no workplan for 2026" in run.error
