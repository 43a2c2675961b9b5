"""Portal pages: an activity's contributions, a team's joint proposals, and the workplan page's links to
the files (Excel template, import, UN INFO, IATI)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import Agency
from workplans.models import Contribution, Funder, JointProposal

from ..factories import make_activity, make_user, make_workplan

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(cambodia):
    return make_activity(make_workplan(cambodia, 2026), title="Costing", budget_required=Decimal("1000"))


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_workplan_page_links_the_files_and_contributions(client, activity, cambodia):
    page = signed_in(client, make_user("focal_point", cambodia)).get(f"/workplans/{activity.workplan_id}/")
    html = page.content.decode()
    for url in (
        f"/exchange/workplans/{activity.workplan_id}/template.xlsx",
        f"/exchange/workplans/{activity.workplan_id}/import/",
        f"/exchange/workplans/{activity.workplan_id}/un-info.xlsx",
        f"/exchange/workplans/{activity.workplan_id}/iati.xml",
        f"/workplans/activities/{activity.pk}/contributions/",
        f"/workplans/teams/{cambodia.pk}/proposals/",
    ):
        assert url in html, url


def test_a_focal_point_adds_contributions_and_sees_the_gap(client, activity, cambodia):
    focal = signed_in(client, make_user("focal_point", cambodia))
    url = f"/workplans/activities/{activity.pk}/contributions/"
    funder = Funder.objects.get(code="joint-sdg-fund")
    wfp = Agency.objects.get(acronym="WFP")
    response = focal.post(url, {"agency": wfp.pk, "kind": "cash", "amount": "600", "funder": funder.pk})
    assert response.status_code == 302
    page = focal.get(url).content.decode()
    assert "gap USD 400" in page.replace("\u00a0", " ") and "WFP" in page
    # The same line again: the service's message at the top of the form, nothing saved.
    again = focal.post(url, {"agency": wfp.pk, "kind": "cash", "amount": "5", "funder": funder.pk})
    assert again.status_code == 200 and "already has a line of this kind" in again.content.decode()
    assert Contribution.objects.count() == 1


def test_others_cannot_add_contributions(client, activity, chad):
    url = f"/workplans/activities/{activity.pk}/contributions/"
    funder = Funder.objects.get(code="joint-sdg-fund")
    data = {"agency": Agency.objects.get(acronym="WFP").pk, "kind": "cash", "amount": "600", "funder": funder.pk}
    viewer = signed_in(client, make_user("viewer"))
    assert viewer.get(url).status_code == 200  # everyone signed in reads
    assert viewer.post(url, data).status_code == 403
    client.logout()
    other = signed_in(client, make_user("focal_point", chad))
    assert other.post(url, data).status_code == 403
    assert not Contribution.objects.exists()


def test_joint_proposals_page_and_form(client, cambodia, chad, activity):
    focal = signed_in(client, make_user("focal_point", cambodia))
    page = focal.get(f"/workplans/teams/{cambodia.pk}/proposals/").content.decode()
    assert "Operational roadmap of the Global Action Plan on Child Wasting" in page
    data = {
        "title": "Scaling up wasting treatment",
        "agencies": [Agency.objects.get(acronym="UNICEF").pk, Agency.objects.get(acronym="WFP").pk],
        "currency": "USD",
        "amount_requested": "250000",
        "status": "submitted",
        "submitted_on": "2026-04-01",
        "activities": [activity.pk],
        "document": SimpleUploadedFile("proposal.pdf", b"%PDF-1.7\n...", content_type="application/pdf"),
    }
    response = focal.post(f"/workplans/teams/{cambodia.pk}/proposals/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal = JointProposal.objects.get(title="Scaling up wasting treatment")
    assert proposal.submitted_on == dt.date(2026, 4, 1) and proposal.document
    assert focal.get(f"/workplans/proposals/{proposal.pk}/document/").status_code == 200
    bad = focal.post(
        f"/workplans/teams/{cambodia.pk}/proposals/new/",
        {**data, "title": "With a script", "document": SimpleUploadedFile("x.pdf", b"#!/bin/sh\nrm -rf /")},
    )
    assert bad.status_code == 200 and "Attach the proposal as a PDF" in bad.content.decode()
    client.logout()
    other = signed_in(client, make_user("focal_point", chad))
    assert other.get(f"/workplans/proposals/{proposal.pk}/edit/").status_code == 404
    assert other.get(f"/workplans/proposals/{proposal.pk}/document/").status_code == 404
    assert other.get(f"/workplans/teams/{cambodia.pk}/proposals/new/").status_code == 404
