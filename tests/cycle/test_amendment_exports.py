"""An amendment's number travels with the workplan: the API, the Excel workplan and the country report
say which amendment is in force. A budget change of up to 20 % fits its type and goes to the agencies."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reports.builders.team import workplan_intro
from workplans import endorsement
from workplans.models import Workplan

from ..api.conftest import WellBehavedClient

pytestmark = pytest.mark.django_db


def endorse_all(world, plan):
    for user in (world.unicef, world.who, world.convener):
        endorsement.endorse_workplan(workplan=plan, user=user)


def amended_plan(world) -> Workplan:
    endorsement.submit_workplan(workplan=world.plan, user=world.convener)
    endorse_all(world, world.plan)
    plan = Workplan.objects.get(pk=world.plan.pk)
    endorsement.start_amendment(workplan=plan, user=world.convener, kind="budget_minor", reason="Prices rose")
    plan.activities.update(budget_required=Decimal("110000"))  # +10 %: "up to 20 %"
    endorsement.submit_workplan(workplan=plan, user=world.convener, comment="10 % more")
    plan.refresh_from_db()
    assert plan.status == "submitted" and plan.amendment_number == 0  # it goes to the agencies
    endorse_all(world, plan)
    plan.refresh_from_db()
    assert (plan.status, plan.amendment_number) == ("endorsed", 1)
    return plan


def test_the_amendment_in_force_is_on_the_api_the_excel_workplan_and_the_country_report(world, client):
    plan = amended_plan(world)
    api = WellBehavedClient()
    api.force_authenticate(world.outsider)
    assert api.get(f"/api/v1/workplans/{plan.pk}/").json()["amendment_number"] == 1

    client.force_login(world.convener)
    response = client.get(f"/exchange/workplans/{plan.pk}/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    first_line = book["Read me"]["A1"].value
    assert first_line.startswith(f"Workplan UN Nutrition Chad {plan.year}, amendment 1, exported")

    assert "Amendment 1 in force." in workplan_intro(plan, plan.year)
    original = Workplan(team=world.cambodia, year=plan.year, status="endorsed")  # as first endorsed
    assert "Amendment" not in workplan_intro(original, plan.year)


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_the_signed_document_is_attached_to_the_amendment(world, client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path / "media")
    plan = amended_plan(world)
    amendment = plan.amendments.get()
    body = {"target_type": "amendment", "target_id": amendment.pk, "title": "Amendment 1, signed",
            "file": SimpleUploadedFile("signed.pdf", PDF)}  # fmt: skip
    api = WellBehavedClient()
    api.force_authenticate(world.outsider)  # Cambodia's focal point: not an amendment they may add to
    refused = api.post("/api/v1/attachments/", body, format="multipart")
    assert refused.status_code == 400 and "target_id" in refused.json()
    api.force_authenticate(world.convener)
    body["file"] = SimpleUploadedFile("signed.pdf", PDF)
    made = api.post("/api/v1/attachments/", body, format="multipart")
    assert made.status_code == 201, made.content
    assert made.json()["media_type"] == "application/pdf"
    client.force_login(world.who)
    page = client.get(f"/workplans/amendments/{amendment.pk}/").content.decode()
    assert "Amendment 1, signed" in page.split('id="document-title"')[1].split('id="changes-title"')[0]
